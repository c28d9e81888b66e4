/**
 * Turns a model choice for a demo role into a loaded `ChatModel`, once per choice.
 *
 * A choice is a catalog id (`micro-agent`, `qwen3-0.6b`…) or an OpenAI-compatible
 * endpoint. Transformers.js models (the bundled micro model included) load into one shared
 * inference worker, so inference never blocks the page; WebLLM models load into WebLLM's
 * own worker; endpoints need nothing loaded. Two roles with the same choice share the
 * loaded model.
 */
import { catalogEntry, transformersPlacement } from '$lib/llm/catalog';
import type { Encoder } from '$lib/encoders/types';
import type { DeviceReport } from '$lib/llm/device';
import type { LoadProgress } from '$lib/llm/engines/transformers-env';
import type { ChatModel } from '$lib/llm/types';
import type { InferenceWorker } from '$lib/llm/worker/worker-chat-model';

export type ModelChoice =
  | { kind: 'catalog'; id: string }
  | { kind: 'endpoint'; baseUrl: string; model: string; apiKey?: string };

export function choiceKey(choice: ModelChoice): string {
  return choice.kind === 'catalog' ? choice.id : `endpoint:${choice.baseUrl}|${choice.model}`;
}

/** Parses the `?model.<role>=` URL form back into a choice: a catalog id, or `endpoint:<url>|<model>`. */
export function parseChoice(text: string | null | undefined): ModelChoice | undefined {
  if (!text) return undefined;
  if (text.startsWith('endpoint:')) {
    const [baseUrl, model] = text.slice('endpoint:'.length).split('|');
    return baseUrl && model ? { kind: 'endpoint', baseUrl, model } : undefined;
  }
  return catalogEntry(text) ? { kind: 'catalog', id: text } : undefined;
}

export class UnsupportedModelChoiceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedModelChoiceError';
  }
}

export interface ModelProviderOptions {
  /** The app's base path ('' at the root). */
  base: string;
  /** Needed to place hub models on WebGPU or WASM; without it they run on WASM. */
  device?: Pick<DeviceReport, 'webgpu'>;
}

export class ModelProvider {
  private worker: InferenceWorker | undefined;
  private readonly loaded = new Map<string, Promise<ChatModel>>();
  private readonly encoders = new Map<string, Promise<Encoder>>();

  constructor(private readonly options: ModelProviderOptions) {}

  /** The loaded model for a choice (loading it on first use). A failed load is forgotten, so a retry loads again. */
  get(choice: ModelChoice, onProgress?: (progress: LoadProgress) => void): Promise<ChatModel> {
    const key = choiceKey(choice);
    let pending = this.loaded.get(key);
    if (!pending) {
      pending = this.load(choice, onProgress);
      this.loaded.set(key, pending);
      pending.catch(() => this.loaded.delete(key));
    }
    return pending;
  }

  private async load(
    choice: ModelChoice,
    onProgress?: (progress: LoadProgress) => void,
  ): Promise<ChatModel> {
    if (choice.kind === 'endpoint') {
      const { OpenAICompatibleChatModel } = await import('$lib/llm/engines/openai');
      return new OpenAICompatibleChatModel({
        baseUrl: choice.baseUrl,
        model: choice.model,
        apiKey: choice.apiKey,
      });
    }
    const entry = catalogEntry(choice.id);
    if (!entry) throw new UnsupportedModelChoiceError(`No model '${choice.id}' in the catalog.`);
    if (entry.task !== 'chat')
      throw new UnsupportedModelChoiceError(`${entry.title} is not a chat model.`);
    if (entry.engine === 'webllm') {
      const { WebLLMChatModel } = await import('$lib/llm/engines/webllm');
      return WebLLMChatModel.load({
        model: entry.id,
        onProgress: (report) =>
          onProgress?.({ status: report.text, progress: report.progress * 100 }),
      });
    }
    if (!entry.transformers)
      throw new UnsupportedModelChoiceError(`${entry.title} cannot be loaded here.`);
    const placement = this.options.device
      ? transformersPlacement(entry, this.options.device)
      : undefined;
    const worker = await this.inferenceWorker();
    const base = this.options.base;
    return worker.load(
      {
        model: entry.transformers.repo,
        localModelPath: `${base}/static-models/`,
        allowRemoteModels: !entry.bundled,
        wasmPaths: `${base}/ort/`,
        device: entry.bundled ? 'wasm' : (placement?.device ?? 'wasm'),
        dtype: entry.bundled
          ? entry.transformers.dtype.wasm
          : (placement?.dtype ?? entry.transformers.dtype.wasm),
      },
      onProgress,
    );
  }

  /**
   * The loaded encoder for a catalog choice (an encoder role). On the page, not in the
   * worker, like the model manager's test: the bundled encoder is a few megabytes and one
   * scoring pass takes milliseconds.
   */
  getEncoder(choice: ModelChoice, onProgress?: (progress: LoadProgress) => void): Promise<Encoder> {
    if (choice.kind !== 'catalog')
      return Promise.reject(new UnsupportedModelChoiceError('Encoders come from the catalog.'));
    let pending = this.encoders.get(choice.id);
    if (!pending) {
      pending = this.loadEncoder(choice.id, onProgress);
      this.encoders.set(choice.id, pending);
      pending.catch(() => this.encoders.delete(choice.id));
    }
    return pending;
  }

  private async loadEncoder(
    id: string,
    onProgress?: (progress: LoadProgress) => void,
  ): Promise<Encoder> {
    const entry = catalogEntry(id);
    if (!entry?.encoder || !entry.transformers)
      throw new UnsupportedModelChoiceError(`${entry?.title ?? id} is not an encoder.`);
    const placement = this.options.device
      ? transformersPlacement(entry, this.options.device)
      : undefined;
    const { loadEncoder } = await import('$lib/encoders');
    const base = this.options.base;
    return loadEncoder({
      model: entry.id,
      localModelPath: `${base}/static-models/`,
      allowRemoteModels: !entry.bundled,
      wasmPaths: `${base}/ort/`,
      device: entry.bundled ? 'wasm' : (placement?.device ?? 'wasm'),
      onProgress,
    });
  }

  private async inferenceWorker(): Promise<InferenceWorker> {
    if (!this.worker) {
      const { InferenceWorker } = await import('$lib/llm/worker/worker-chat-model');
      this.worker = InferenceWorker.create();
    }
    return this.worker;
  }

  /** Stops the worker and forgets every model. */
  dispose(): void {
    this.worker?.terminate();
    this.worker = undefined;
    this.loaded.clear();
    for (const pending of this.encoders.values())
      pending.then((encoder) => encoder.dispose()).catch(() => {});
    this.encoders.clear();
  }
}
