/**
 * Trained output-head adapters kept in IndexedDB, so a run survives a reload and an adapter
 * can be switched on again later. Records are checked when read: a damaged or foreign
 * record is reported with its reason, never handed to the model.
 */
import type { LoraHead } from './lora-head.js';

export const ADAPTER_DB = 'agent-playground-adapters';
const STORE = 'adapters';
const VERSION = 1;

export interface AdapterSummary {
  id: string;
  name: string;
  /** The model the adapter was trained on (catalog id). */
  model: string;
  createdAt: number;
  vocab: number;
  dim: number;
  rank: number;
  /** Training steps behind it. */
  steps: number;
  /** The run's settings, for the record. */
  config: Record<string, unknown>;
  /** Held-out reward without and with the adapter, when measured. */
  evaluation?: { before?: number; after?: number };
}

export interface SavedAdapter extends AdapterSummary {
  head: LoraHead;
}

export class AdapterStoreError extends Error {
  constructor(
    message: string,
    readonly kind: 'unavailable' | 'quota' | 'corrupt' | 'missing',
  ) {
    super(message);
    this.name = 'AdapterStoreError';
  }
}

function promised<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new DOMException('Transaction aborted', 'AbortError'));
  });
}

function storeError(error: unknown): Error {
  if (error instanceof DOMException && error.name === 'QuotaExceededError')
    return new AdapterStoreError(
      'The browser refused to store the adapter: its storage quota is full. Delete old adapters or free space on the Models page.',
      'quota',
    );
  return error instanceof Error ? error : new Error(String(error));
}

/** Checks a stored record and returns it typed, or throws `AdapterStoreError('corrupt')`. */
export function checkSavedAdapter(record: unknown): SavedAdapter {
  const bad = (why: string) =>
    new AdapterStoreError(`This stored adapter cannot be used: ${why}.`, 'corrupt');
  if (!record || typeof record !== 'object') throw bad('it is not a record');
  const r = record as Partial<SavedAdapter>;
  if (typeof r.id !== 'string' || typeof r.name !== 'string') throw bad('it has no id or name');
  const head = r.head;
  if (!head || typeof head !== 'object') throw bad('it has no weights');
  const { vocab, dim, rank, alpha, A, B } = head;
  if (![vocab, dim, rank].every((n) => Number.isInteger(n) && n > 0))
    throw bad('its shape is not positive whole numbers');
  if (!Number.isFinite(alpha)) throw bad('its scale is not a number');
  if (!(A instanceof Float32Array) || !(B instanceof Float32Array))
    throw bad('its weights are not 32-bit float arrays');
  if (A.length !== rank * dim || B.length !== vocab * rank)
    throw bad(`its weights do not match rank ${rank} (${A.length} and ${B.length} values)`);
  if (!A.every(Number.isFinite) || !B.every(Number.isFinite))
    throw bad('its weights contain NaN or infinity');
  return r as SavedAdapter;
}

export class AdapterStore {
  private constructor(private readonly db: IDBDatabase) {}

  static async open(name = ADAPTER_DB): Promise<AdapterStore> {
    if (typeof indexedDB === 'undefined')
      throw new AdapterStoreError(
        'This browser has no IndexedDB to keep adapters in.',
        'unavailable',
      );
    const request = indexedDB.open(name, VERSION);
    request.onupgradeneeded = () => {
      if (!request.result.objectStoreNames.contains(STORE))
        request.result.createObjectStore(STORE, { keyPath: 'id' });
    };
    try {
      return new AdapterStore(await promised(request));
    } catch (error) {
      throw new AdapterStoreError(
        `The browser refused to open adapter storage (${(error as Error)?.message ?? error}).`,
        'unavailable',
      );
    }
  }

  /** Saves (or replaces, by id) an adapter; returns its summary. */
  async save(
    adapter: Omit<SavedAdapter, 'id' | 'createdAt' | 'vocab' | 'dim' | 'rank'> & {
      id?: string;
    },
  ): Promise<AdapterSummary> {
    const record: SavedAdapter = {
      ...adapter,
      id: adapter.id ?? crypto.randomUUID(),
      createdAt: Date.now(),
      vocab: adapter.head.vocab,
      dim: adapter.head.dim,
      rank: adapter.head.rank,
    };
    checkSavedAdapter(record);
    try {
      const tx = this.db.transaction(STORE, 'readwrite');
      tx.objectStore(STORE).put(record);
      await done(tx);
    } catch (error) {
      throw storeError(error);
    }
    const { head: _weights, ...summary } = record;
    return summary;
  }

  /** Every saved adapter, newest first, without weights. Damaged records are listed by id with `damaged`. */
  async list(): Promise<Array<AdapterSummary & { damaged?: string }>> {
    const tx = this.db.transaction(STORE, 'readonly');
    const records = await promised(tx.objectStore(STORE).getAll());
    return records
      .map((record) => {
        try {
          const { head: _weights, ...summary } = checkSavedAdapter(record);
          return summary as AdapterSummary & { damaged?: string };
        } catch (error) {
          const r = (record ?? {}) as Partial<AdapterSummary>;
          return {
            id: String(r.id ?? '?'),
            name: String(r.name ?? 'damaged adapter'),
            model: String(r.model ?? '?'),
            createdAt: Number(r.createdAt ?? 0),
            vocab: 0,
            dim: 0,
            rank: 0,
            steps: 0,
            config: {},
            damaged: (error as Error).message,
          };
        }
      })
      .sort((a, b) => b.createdAt - a.createdAt);
  }

  async load(id: string): Promise<SavedAdapter> {
    const tx = this.db.transaction(STORE, 'readonly');
    const record = await promised(tx.objectStore(STORE).get(id));
    if (record === undefined)
      throw new AdapterStoreError(`No adapter with id ${id} is stored.`, 'missing');
    return checkSavedAdapter(record);
  }

  async delete(id: string): Promise<void> {
    const tx = this.db.transaction(STORE, 'readwrite');
    tx.objectStore(STORE).delete(id);
    await done(tx);
  }

  close(): void {
    this.db.close();
  }
}
