/**
 * The inference worker: loads models and runs generation off the page's main thread, so
 * the page never freezes while a model prefills or decodes. One worker can hold several
 * models (a fast agent and a stronger judge); requests are independent and abortable.
 */
import { TransformersChatModel } from '../engines/transformers.js';
import type { ChatChunk } from '../types.js';
import { modelKeyOf, serializeError, type FromWorker, type ToWorker } from './protocol.js';

const models = new Map<string, Promise<TransformersChatModel>>();
const running = new Map<number, AbortController>();

function post(message: FromWorker): void {
  (self as unknown as { postMessage(message: FromWorker): void }).postMessage(message);
}

/** Plain-data copy of a chunk: errors inside the final message become their JSON form. */
function cloneable(chunk: ChatChunk): ChatChunk {
  if (chunk.type !== 'final') return chunk;
  const plainErrors = (errors: unknown[] | undefined) =>
    errors?.map((e) => serializeError(e)) as unknown as typeof chunk.toolCallErrors;
  return {
    ...chunk,
    toolCallErrors: plainErrors(chunk.toolCallErrors),
    choices: chunk.choices?.map((c) => ({ ...c, toolCallErrors: plainErrors(c.toolCallErrors) })),
  };
}

async function handle(message: ToWorker): Promise<void> {
  switch (message.type) {
    case 'load': {
      const key = modelKeyOf(message.options);
      let loading = models.get(key);
      if (!loading) {
        loading = TransformersChatModel.load({
          ...message.options,
          onProgress: (progress) =>
            post({ type: 'progress', requestId: message.requestId, progress }),
        });
        models.set(key, loading);
        loading.catch(() => models.delete(key));
      }
      const model = await loading;
      post({ type: 'loaded', requestId: message.requestId, modelKey: key, info: model.info });
      return;
    }
    case 'chat': {
      const loading = models.get(message.modelKey);
      if (!loading) throw new Error('That model is not loaded in this worker; load it first.');
      const model = await loading;
      const controller = new AbortController();
      running.set(message.requestId, controller);
      try {
        for await (const chunk of model.stream(message.messages, {
          ...message.options,
          signal: controller.signal,
        })) {
          post({ type: 'chunk', requestId: message.requestId, chunk: cloneable(chunk) });
        }
        post({ type: 'done', requestId: message.requestId });
      } finally {
        running.delete(message.requestId);
      }
      return;
    }
    case 'abort':
      running.get(message.requestId)?.abort();
      return;
    case 'kv-snapshot': {
      const loading = models.get(message.modelKey);
      if (!loading) throw new Error('That model is not loaded in this worker; load it first.');
      const snapshot = await (await loading).kvSnapshot();
      post({ type: 'kv-snapshot', requestId: message.requestId, snapshot });
      return;
    }
    case 'dispose': {
      const loading = models.get(message.modelKey);
      models.delete(message.modelKey);
      await (await loading)?.dispose();
      post({ type: 'done', requestId: message.requestId });
      return;
    }
  }
}

self.onmessage = (event: MessageEvent<ToWorker>) => {
  const message = event.data;
  handle(message).catch((error) =>
    post({ type: 'error', requestId: message.requestId, error: serializeError(error) }),
  );
};
