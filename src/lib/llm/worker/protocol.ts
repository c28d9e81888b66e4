/**
 * Messages between the page and the inference worker. Everything crossing the boundary
 * is plain data (structured clone): errors travel as `{name, message, ...}` and are
 * rebuilt on the page side.
 */
import type { LoadProgress, TransformersModelOptions } from '../engines/transformers.js';
import type { KvCacheSnapshot } from '../kv-prefix-tree.js';
import type { ChatChunk, ChatModelInfo, ChatOptions, Message } from '../types.js';

/** Load options without callbacks (functions cannot be posted). */
export type WorkerLoadOptions = Omit<TransformersModelOptions, 'onProgress'>;

/** Chat options without the signal (aborts are their own message). */
export type WorkerChatOptions = Omit<ChatOptions, 'signal'>;

export type ToWorker =
  | { type: 'load'; requestId: number; options: WorkerLoadOptions }
  | {
      type: 'chat';
      requestId: number;
      modelKey: string;
      messages: Message[];
      options: WorkerChatOptions;
    }
  | { type: 'abort'; requestId: number }
  | { type: 'dispose'; requestId: number; modelKey: string }
  /** The model's KV prefix cache as it is now (answered by a 'kv-snapshot' message). */
  | { type: 'kv-snapshot'; requestId: number; modelKey: string };

/** A request before the host numbers it. */
export type WorkerRequest = ToWorker extends infer T
  ? T extends unknown
    ? Omit<T, 'requestId'>
    : never
  : never;

export interface SerializedError {
  name: string;
  message: string;
  [key: string]: unknown;
}

export type FromWorker =
  | { type: 'progress'; requestId: number; progress: LoadProgress }
  | { type: 'loaded'; requestId: number; modelKey: string; info: ChatModelInfo }
  | { type: 'chunk'; requestId: number; chunk: ChatChunk }
  | { type: 'done'; requestId: number }
  | { type: 'kv-snapshot'; requestId: number; snapshot: KvCacheSnapshot }
  | { type: 'error'; requestId: number; error: SerializedError };

/** A stable key for a loaded model: same options, same instance. */
export function modelKeyOf(options: WorkerLoadOptions): string {
  return JSON.stringify([options.model, options.device ?? 'wasm', options.dtype ?? 'fp32']);
}

export function serializeError(error: unknown): SerializedError {
  if (error && typeof error === 'object') {
    const e = error as Error & { toJSON?: () => Record<string, unknown> };
    const data = typeof e.toJSON === 'function' ? e.toJSON() : {};
    const extra: Record<string, unknown> = {};
    for (const key of Object.keys(e)) {
      const value = (e as unknown as Record<string, unknown>)[key];
      if (value === null || ['string', 'number', 'boolean'].includes(typeof value))
        extra[key] = value;
    }
    return { ...extra, ...data, name: e.name ?? 'Error', message: e.message ?? String(error) };
  }
  return { name: 'Error', message: String(error) };
}
