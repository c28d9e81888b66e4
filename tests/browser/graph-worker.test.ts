/**
 * The engine and the IndexedDB saver run unchanged in a Web Worker, and what the worker
 * saved is visible to the page through the same database.
 */
import { expect, it } from 'vitest';
import { IndexedDBSaver } from '../../src/lib/checkpoint';

it('runs a graph with an interrupt and resume inside a dedicated worker', async () => {
  const dbName = `worker-${Date.now()}-${Math.random().toString(36).slice(2)}`;
  const worker = new Worker(new URL('./fixtures/engine-worker.ts', import.meta.url), {
    type: 'module',
  });
  const result = await new Promise<Record<string, unknown>>((resolve, reject) => {
    worker.onmessage = (event) => resolve(event.data);
    worker.onerror = (event) => reject(new Error(event.message));
    worker.postMessage({ dbName });
  });
  worker.terminate();
  expect(result.error).toBeUndefined();
  expect(result).toEqual({
    interrupted: ['ok?'],
    steps: ['work', 'review: approved'],
    isWorker: true,
  });

  // The page sees the worker's checkpoints.
  const saver = await IndexedDBSaver.open({ dbName });
  const tuple = await saver.getTuple({ configurable: { thread_id: 'in-worker' } });
  expect(tuple?.checkpoint.channel_values.steps).toEqual(['work', 'review: approved']);
  saver.close();
});
