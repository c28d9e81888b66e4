/**
 * Measures IndexedDB checkpoint writes per second in Debian's Chromium: a tiny page runs a
 * counter graph with the IndexedDBSaver (one checkpoint, one transaction per superstep)
 * and reports how long the run took.
 */
import { runBenchPage } from './chromium-page.js';

export interface IndexedDBWriteResult {
  steps: number;
  checkpoints: number;
  milliseconds: number;
  writesPerSecond: number;
  browserVersion: string;
}

export async function measureIndexedDBWrites(steps = 300): Promise<IndexedDBWriteResult> {
  return runBenchPage<IndexedDBWriteResult>({
    root: new URL('./indexeddb-page/', import.meta.url),
    query: `steps=${steps}`,
    timeoutMs: 120_000,
  });
}
