/**
 * The page's side of the inference worker: a `ChatModel` whose work happens in the
 * worker. Streams chunks as the worker produces them; aborting the caller's signal stops
 * generation in the worker promptly.
 */
import type { LoadProgress } from '../engines/transformers.js';
import type { KvCacheSnapshot } from '../kv-prefix-tree.js';
import {
  EngineUnavailableError,
  GenerationAbortedError,
  collectChatStream,
  ModelLoadError,
  ToolCallParseError,
  type ChatChunk,
  type ChatModel,
  type ChatModelInfo,
  type ChatOptions,
  type ChatResult,
  type Message,
  type ToolCallErrorKind,
} from '../types.js';
import type {
  FromWorker,
  SerializedError,
  ToWorker,
  WorkerLoadOptions,
  WorkerRequest,
} from './protocol.js';

type Listener = (message: FromWorker) => void;

/** One worker, shared by the models loaded into it. */
export class InferenceWorker {
  private readonly listeners = new Map<number, Listener>();
  private nextId = 1;

  constructor(readonly worker: Worker) {
    worker.onmessage = (event: MessageEvent<FromWorker>) => {
      this.listeners.get(event.data.requestId)?.(event.data);
    };
  }

  /** The worker bundled with the app. */
  static create(): InferenceWorker {
    return new InferenceWorker(
      new Worker(new URL('./inference-worker.ts', import.meta.url), { type: 'module' }),
    );
  }

  request(message: WorkerRequest, listener: Listener): number {
    const requestId = this.nextId++;
    this.listeners.set(requestId, listener);
    this.worker.postMessage({ ...message, requestId } as ToWorker);
    return requestId;
  }

  forget(requestId: number): void {
    this.listeners.delete(requestId);
  }

  post(message: ToWorker): void {
    this.worker.postMessage(message);
  }

  terminate(): void {
    this.worker.terminate();
    this.listeners.clear();
  }

  async load(
    options: WorkerLoadOptions,
    onProgress?: (p: LoadProgress) => void,
  ): Promise<WorkerChatModel> {
    return new Promise((resolve, reject) => {
      const id = this.request({ type: 'load', options }, (message) => {
        if (message.type === 'progress') onProgress?.(message.progress);
        else if (message.type === 'loaded') {
          this.forget(id);
          resolve(new WorkerChatModel(this, message.modelKey, message.info));
        } else if (message.type === 'error') {
          this.forget(id);
          reject(reviveError(message.error, options.model));
        }
      });
    });
  }
}

function reviveError(error: SerializedError, model = ''): Error {
  if (error.name === 'AbortError') return new GenerationAbortedError(error.message);
  if (error.name === 'ModelLoadError')
    return new ModelLoadError('transformers', String(error.model ?? model), error.message);
  if (error.name === 'EngineUnavailableError')
    return new EngineUnavailableError('transformers', String(error.explanation ?? error.message));
  const revived = new Error(error.message);
  revived.name = error.name;
  return revived;
}

function reviveToolCallErrors(errors: unknown): ToolCallParseError[] | undefined {
  if (!Array.isArray(errors)) return undefined;
  return errors.map(
    (e: SerializedError) =>
      new ToolCallParseError(e.kind as ToolCallErrorKind, e.message, {
        raw: String(e.raw ?? ''),
        index: Number(e.index ?? 0),
        toolName: e.toolName as string | undefined,
        issues: e.issues as string[] | undefined,
      }),
  );
}

export class WorkerChatModel implements ChatModel {
  constructor(
    private readonly host: InferenceWorker,
    private readonly modelKey: string,
    readonly info: ChatModelInfo,
  ) {}

  invoke(messages: readonly Message[], options: ChatOptions = {}): Promise<ChatResult> {
    return collectChatStream(this.stream(messages, options));
  }

  async *stream(
    messages: readonly Message[],
    options: ChatOptions = {},
  ): AsyncGenerator<ChatChunk> {
    const { signal, ...rest } = options;
    if (signal?.aborted) throw new GenerationAbortedError();
    const queue: FromWorker[] = [];
    let wake: (() => void) | null = null;
    const id = this.host.request(
      { type: 'chat', modelKey: this.modelKey, messages: [...messages], options: rest },
      (message) => {
        queue.push(message);
        wake?.();
      },
    );
    const onAbort = () => this.host.post({ type: 'abort', requestId: id });
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      while (true) {
        const message = queue.shift();
        if (!message) {
          await new Promise<void>((resolve) => (wake = resolve));
          wake = null;
          continue;
        }
        if (message.type === 'chunk') {
          const chunk = message.chunk;
          if (chunk.type === 'final') {
            yield {
              ...chunk,
              toolCallErrors: reviveToolCallErrors(chunk.toolCallErrors),
              choices: chunk.choices?.map((c) => ({
                ...c,
                toolCallErrors: reviveToolCallErrors(c.toolCallErrors),
              })),
            };
          } else yield chunk;
        } else if (message.type === 'done') return;
        else if (message.type === 'error') throw reviveError(message.error, this.info.model);
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
      this.host.forget(id);
    }
  }

  /** The worker model's KV prefix cache as it is now (between calls: nothing pinned). */
  kvSnapshot(): Promise<KvCacheSnapshot> {
    return new Promise((resolve, reject) => {
      const id = this.host.request({ type: 'kv-snapshot', modelKey: this.modelKey }, (message) => {
        this.host.forget(id);
        if (message.type === 'kv-snapshot') resolve(message.snapshot);
        else if (message.type === 'error') reject(reviveError(message.error, this.info.model));
        else reject(new Error(`Unexpected '${message.type}' answer to a KV snapshot request.`));
      });
    });
  }

  async dispose(): Promise<void> {
    await new Promise<void>((resolve) => {
      const id = this.host.request({ type: 'dispose', modelKey: this.modelKey }, () => {
        this.host.forget(id);
        resolve();
      });
    });
  }
}
