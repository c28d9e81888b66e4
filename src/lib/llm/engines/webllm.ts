/**
 * The WebLLM engine: MLC-compiled models on WebGPU, in WebLLM's web worker. Model weights
 * and libraries are fetched by WebLLM from the hub and cached in the backend the user
 * picks (`cacheBackend`); the model manager checks and deletes them here.
 *
 * Without WebGPU this engine cannot run at all: `load` throws `EngineUnavailableError`
 * with an explanation and the engines that do work (Transformers.js on WASM, a remote
 * endpoint), never a bare exception.
 */
import type { AppConfig, InitProgressReport, WebWorkerMLCEngine } from '@mlc-ai/web-llm';
import { catalogEntry, webllmModelId, type CatalogEntry } from '../catalog.js';

/** Where WebLLM caches weights (its `CacheBackend` type, which the package index does not export). */
export type CacheBackend = NonNullable<AppConfig['cacheBackend']>;
import { detectWebGpu, type WebGpuReport } from '../device.js';
import {
  OpenAIStreamAccumulator,
  finishOpenAIStream,
  toOpenAIRequest,
  type OpenAIStreamChunk,
} from '../openai-format.js';
import { withPromptTools } from '../prompt-tools.js';
import {
  EngineUnavailableError,
  GenerationAbortedError,
  collectChatStream,
  ModelLoadError,
  type ChatChunk,
  type ChatModel,
  type ChatModelInfo,
  type ChatOptions,
  type ChatResult,
  type Message,
} from '../types.js';

export interface WebLLMLoadOptions {
  /** A catalog id (`qwen3-0.6b`) or a WebLLM model id. */
  model: string;
  cacheBackend?: CacheBackend;
  onProgress?: (report: { progress: number; text: string; timeElapsed: number }) => void;
  /** For tests: a WebGPU report instead of asking the browser. */
  webgpu?: WebGpuReport;
  /** Cancels loading (and the download behind it): WebLLM's worker is terminated. */
  signal?: AbortSignal;
}

export const DEFAULT_CACHE_BACKEND: CacheBackend = 'cache';

async function appConfigWith(cacheBackend: CacheBackend): Promise<AppConfig> {
  const { prebuiltAppConfig } = await import('@mlc-ai/web-llm');
  return { ...prebuiltAppConfig, cacheBackend };
}

/** The WebLLM id for a catalog id or a raw WebLLM id, given what the adapter supports. */
export function resolveWebLLMModelId(model: string, webgpu: WebGpuReport): string {
  const entry: CatalogEntry | undefined = catalogEntry(model);
  return (entry && webllmModelId(entry, { webgpu })) ?? model;
}

export async function isWebLLMModelCached(
  modelId: string,
  cacheBackend = DEFAULT_CACHE_BACKEND,
): Promise<boolean> {
  const { hasModelInCache } = await import('@mlc-ai/web-llm');
  return hasModelInCache(modelId, await appConfigWith(cacheBackend));
}

export async function deleteWebLLMModel(
  modelId: string,
  cacheBackend = DEFAULT_CACHE_BACKEND,
): Promise<void> {
  const { deleteModelAllInfoInCache } = await import('@mlc-ai/web-llm');
  await deleteModelAllInfoInCache(modelId, await appConfigWith(cacheBackend));
}

export class WebLLMChatModel implements ChatModel {
  readonly info: ChatModelInfo;

  private constructor(
    private readonly engine: WebWorkerMLCEngine,
    private readonly worker: Worker,
    modelId: string,
    private readonly nativeTools: boolean,
  ) {
    this.info = {
      engine: 'webllm',
      model: modelId,
      device: 'webgpu',
      dtype: modelId.match(/q\d+f\d+/)?.[0],
    };
  }

  static async load(options: WebLLMLoadOptions): Promise<WebLLMChatModel> {
    const webgpu = options.webgpu ?? (await detectWebGpu());
    if (!webgpu.available) {
      throw new EngineUnavailableError(
        'webllm',
        webgpu.reason ?? 'WebGPU is not available in this browser.',
        [
          {
            engine: 'transformers',
            device: 'wasm',
            reason: 'runs ONNX models on the CPU through WebAssembly',
          },
          { engine: 'openai', reason: 'a model server such as Ollama or vLLM on your machine' },
        ],
      );
    }
    const modelId = resolveWebLLMModelId(options.model, webgpu);
    const { CreateWebWorkerMLCEngine } = await import('@mlc-ai/web-llm');
    const worker = new Worker(new URL('../worker/webllm-worker.ts', import.meta.url), {
      type: 'module',
    });
    // Terminating the worker is the only way to stop WebLLM mid-download; shards already
    // cached stay cached, so the next load resumes from them.
    const cancel = () => worker.terminate();
    options.signal?.addEventListener('abort', cancel, { once: true });
    try {
      const engine = await CreateWebWorkerMLCEngine(worker, modelId, {
        appConfig: await appConfigWith(options.cacheBackend ?? DEFAULT_CACHE_BACKEND),
        initProgressCallback: (report: InitProgressReport) => options.onProgress?.(report),
      });
      const native = catalogEntry(options.model)?.toolCalls === 'native' || /Hermes/i.test(modelId);
      options.signal?.removeEventListener('abort', cancel);
      return new WebLLMChatModel(engine, worker, modelId, native);
    } catch (error) {
      worker.terminate();
      if (options.signal?.aborted)
        throw new GenerationAbortedError('Loading was cancelled.', { cause: error });
      throw new ModelLoadError(
        'webllm',
        modelId,
        `WebLLM could not load ${modelId}: ${(error as Error)?.message ?? error}`,
        {
          cause: error,
        },
      );
    }
  }

  invoke(messages: readonly Message[], options: ChatOptions = {}): Promise<ChatResult> {
    return collectChatStream(this.stream(messages, options));
  }

  async *stream(
    messages: readonly Message[],
    options: ChatOptions = {},
  ): AsyncGenerator<ChatChunk> {
    const signal = options.signal;
    const started = performance.now();
    // Non-Hermes builds get the tools in the prompt; their calls come back as tagged text.
    const promptTools = !this.nativeTools && options.tools?.length ? options.tools : undefined;
    const request = toOpenAIRequest(
      this.info.model,
      promptTools ? withPromptTools(messages, promptTools) : messages,
      promptTools ? { ...options, tools: undefined, toolChoice: undefined } : options,
      true,
    );
    const { chat_template_kwargs, top_k: _topK, ...body } = request;
    const onAbort = () => this.engine.interruptGenerate();
    signal?.addEventListener('abort', onAbort, { once: true });
    const accumulator = new OpenAIStreamAccumulator(options.tools);
    let firstTokenAt = 0;
    try {
      const chunks = (await this.engine.chat.completions.create({
        ...body,
        stream: true,
        ...(chat_template_kwargs
          ? { extra_body: { enable_thinking: chat_template_kwargs.enable_thinking } }
          : {}),
      } as never)) as unknown as AsyncIterable<OpenAIStreamChunk>;
      for await (const chunk of chunks) {
        for (const out of accumulator.push(chunk)) {
          if (!firstTokenAt) firstTokenAt = performance.now();
          yield out;
        }
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
    if (signal?.aborted) throw new GenerationAbortedError(undefined, { cause: signal.reason });
    yield* finishOpenAIStream(accumulator, { started, firstTokenAt }, this.info);
  }

  async dispose(): Promise<void> {
    await this.engine.unload().catch(() => {});
    this.worker.terminate();
  }
}
