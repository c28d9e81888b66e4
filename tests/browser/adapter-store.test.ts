/**
 * Adapters in real IndexedDB: saved, listed without weights, loaded bit for bit; damaged,
 * foreign and missing records reported with their reason.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AdapterStore, AdapterStoreError, checkSavedAdapter } from '../../src/lib/rl/adapter-store';
import { createLoraHead } from '../../src/lib/rl/lora-head';

let counter = 0;
const open: AdapterStore[] = [];
async function freshStore(): Promise<{ store: AdapterStore; name: string }> {
  const name = `test-adapters-${Date.now()}-${counter++}`;
  const store = await AdapterStore.open(name);
  open.push(store);
  return { store, name };
}

afterEach(() => {
  for (const store of open.splice(0)) store.close();
});

function trainedHead() {
  const head = createLoraHead({ vocab: 12, dim: 5, rank: 2, seed: 3 });
  head.B.forEach((_, i) => (head.B[i] = Math.sin(i) / 7));
  return head;
}

describe('AdapterStore', () => {
  it('saves, lists (newest first, no weights) and loads the exact weights', async () => {
    const { store } = await freshStore();
    const head = trainedHead();
    const first = await store.save({
      name: 'first',
      model: 'micro-agent',
      head,
      steps: 40,
      config: { lr: 0.005 },
      evaluation: { before: 0.126, after: 0.184 },
    });
    await new Promise((r) => setTimeout(r, 5));
    await store.save({
      name: 'second',
      model: 'micro-agent',
      head: trainedHead(),
      steps: 1,
      config: {},
    });
    const list = await store.list();
    expect(list.map((a) => a.name)).toEqual(['second', 'first']);
    expect('head' in list[0]).toBe(false);
    expect(list[1]).toMatchObject({ vocab: 12, dim: 5, rank: 2, steps: 40 });

    const loaded = await store.load(first.id);
    expect(loaded.evaluation).toEqual({ before: 0.126, after: 0.184 });
    expect(loaded.head.A).toBeInstanceOf(Float32Array);
    expect(Array.from(loaded.head.A)).toEqual(Array.from(head.A));
    expect(Array.from(loaded.head.B)).toEqual(Array.from(head.B));

    await store.delete(first.id);
    expect((await store.list()).map((a) => a.name)).toEqual(['second']);
    await expect(store.load(first.id)).rejects.toMatchObject({ kind: 'missing' });
  });

  it('reports a damaged or foreign record instead of handing it to the model', async () => {
    const { store, name } = await freshStore();
    // write records behind the store's back, as another version or a broken write might
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open(name);
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    const good = trainedHead();
    const tx = db.transaction('adapters', 'readwrite');
    tx.objectStore('adapters').put({
      id: 'short',
      name: 'short weights',
      createdAt: 1,
      head: { ...good, B: new Float32Array(3) },
    });
    tx.objectStore('adapters').put({ id: 'foreign', name: 'from elsewhere', head: 'not weights' });
    tx.objectStore('adapters').put({
      id: 'nan',
      name: 'diverged',
      createdAt: 2,
      head: { ...good, A: good.A.map(() => Number.NaN) },
    });
    await new Promise((resolve) => (tx.oncomplete = resolve));
    db.close();

    const list = await store.list();
    expect(list).toHaveLength(3);
    const byId = Object.fromEntries(list.map((a) => [a.id, a.damaged]));
    expect(byId.short).toMatch(/do not match rank 2/);
    expect(byId.foreign).toMatch(/no weights/);
    expect(byId.nan).toMatch(/NaN/);
    await expect(store.load('short')).rejects.toBeInstanceOf(AdapterStoreError);
    await expect(store.load('short')).rejects.toMatchObject({ kind: 'corrupt' });
  });

  it('refuses to save weights that do not fit their shape', async () => {
    const { store } = await freshStore();
    const head = { ...trainedHead(), rank: 3 };
    await expect(
      store.save({ name: 'bad', model: 'micro-agent', head, steps: 0, config: {} }),
    ).rejects.toThrow(/do not match rank 3/);
    expect(await store.list()).toEqual([]);
    expect(() => checkSavedAdapter(null)).toThrow(/not a record/);
  });
});
