import { describe, expect, it } from 'vitest';
import { PrefixCache, bytesPerElement, kvBytes } from '../../src/lib/llm/kv-cache.js';

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

/** A cache of string handles that records disposals. */
function cache(budgetBytes: number) {
  const disposed: string[] = [];
  const c = new PrefixCache<string>({ budgetBytes, dispose: (h) => disposed.push(h) });
  return { c, disposed };
}

describe('kvBytes', () => {
  it('counts K and V for Qwen3-0.6B-like dims: 114688 bytes per token in fp16', () => {
    const qwen3 = {
      layers: 28,
      kvHeads: 8,
      headDim: 128,
      bytesPerElement: bytesPerElement('fp16'),
    };
    expect(kvBytes({ ...qwen3, tokens: 1 })).toBe(114_688);
    expect(kvBytes({ ...qwen3, tokens: 256 })).toBe(29_360_128); // 28 MiB
    expect(kvBytes({ ...qwen3, tokens: 1, bytesPerElement: bytesPerElement('float32') })).toBe(
      229_376,
    );
    expect(bytesPerElement('q8')).toBe(1);
    expect(() => bytesPerElement('q3')).toThrow(RangeError);
  });
});

describe('PrefixCache', () => {
  it('returns the longest cached prefix and counts hits, misses and saved tokens', () => {
    const { c } = cache(1000);
    expect(c.insert([1, 2], 'h12', 10)).toBe(true);
    expect(c.insert([1, 2, 3, 4], 'h1234', 10)).toBe(true);
    expect(c.lookup([1, 2, 3, 4, 5])).toEqual({ handle: 'h1234', length: 4, entryLength: 4 });
    expect(c.lookup([1, 2, 9])).toEqual({ handle: 'h12', length: 2, entryLength: 2 });
    expect(c.lookup([7])).toBeUndefined();
    expect(c.lookup([7], { countStats: false })).toBeUndefined();
    expect(c.acquire([1, 2], { countStats: false })?.handle).toBe('h12');
    expect(c.stats()).toMatchObject({
      hits: 2,
      misses: 1,
      tokensSaved: 6,
      entries: 2,
      bytesInUse: 20,
    });
  });

  it('serves a shared prefix from a longer entry (partial match) unless told not to', () => {
    const { c } = cache(1000);
    c.insert([1, 2, 3, 4, 5], 'long', 10);
    expect(c.lookup([1, 2, 3, 9])).toEqual({ handle: 'long', length: 3, entryLength: 5 });
    expect(c.lookup([1, 2, 3, 9], { partial: false })).toBeUndefined();
    c.insert([1], 'one', 1);
    expect(c.lookup([1, 2, 3, 9], { partial: false })).toEqual({
      handle: 'one',
      length: 1,
      entryLength: 1,
    });
  });

  it('caps the match with maxLength so the last prompt token is run for its logits', () => {
    const { c } = cache(1000);
    c.insert([1, 2, 3], 'h', 10);
    expect(c.lookup([1, 2, 3], { maxLength: 2 })).toEqual({
      handle: 'h',
      length: 2,
      entryLength: 3,
    });
    expect(c.lookup([1, 2, 3], { maxLength: 2, partial: false })).toBeUndefined();
    expect(c.lookup([1, 2, 3], { maxLength: 0 })).toBeUndefined();
  });

  it('accepts bigint token ids (Transformers.js input_ids) as the same keys', () => {
    const { c } = cache(100);
    c.insert(BigInt64Array.from([5n, 6n]), 'h', 1);
    expect(c.lookup(Int32Array.from([5, 6, 7]))?.handle).toBe('h');
    expect(c.has([5, 6])).toBe(true);
  });

  it('evicts least recently used entries under the byte budget and disposes them', () => {
    const { c, disposed } = cache(30);
    c.insert([1], 'a', 10);
    c.insert([2], 'b', 10);
    c.insert([3], 'c', 10);
    c.lookup([1]); // a is now the most recently used
    c.insert([4], 'd', 10);
    expect(disposed).toEqual(['b']);
    c.insert([5], 'e', 20);
    expect(disposed).toEqual(['b', 'c', 'a']);
    expect(c.stats()).toMatchObject({ entries: 2, bytesInUse: 30, evictions: 3 });
    expect(c.entries().map((e) => e.length)).toEqual([1, 1]);
    expect(c.entries().map((e) => e.tokens)).toEqual([[4], [5]]);
  });

  it('never evicts a pinned entry; disposes it after release if it was removed', () => {
    const { c, disposed } = cache(20);
    c.insert([1], 'a', 10);
    c.insert([2], 'b', 10);
    const lease = c.acquire([1, 9]);
    expect(lease).toMatchObject({ handle: 'a', length: 1 });
    c.lookup([2]); // b is now the most recently used; a is older but pinned
    expect(c.insert([3], 'c', 10)).toBe(true);
    expect(disposed).toEqual(['b']); // a was older but pinned
    expect(c.stats().pinnedEntries).toBe(1);
    // Everything else pinned or too big: refused, and the caller keeps ownership.
    const lease2 = c.acquire([3]);
    expect(c.insert([4], 'd', 10)).toBe(false);
    expect(c.insert([5], 'huge', 21)).toBe(false);
    expect(c.stats().rejectedInserts).toBe(2);
    expect(disposed).toEqual(['b']);
    // Removing a pinned entry defers its disposal to the last release.
    c.delete([1]);
    expect(c.has([1])).toBe(false);
    expect(disposed).toEqual(['b']);
    lease?.release();
    lease?.release(); // idempotent
    expect(disposed).toEqual(['b', 'a']);
    lease2?.release();
    expect(c.stats()).toMatchObject({ pinnedEntries: 0, entries: 1, bytesInUse: 10 });
  });

  it('counts several pins on one entry', () => {
    const { c, disposed } = cache(10);
    c.insert([1], 'a', 10);
    const l1 = c.acquire([1]);
    const l2 = c.acquire([1]);
    expect(c.entries()[0].pins).toBe(2);
    l1?.release();
    expect(c.insert([2], 'b', 10)).toBe(false);
    l2?.release();
    expect(c.insert([2], 'b', 10)).toBe(true);
    expect(disposed).toEqual(['a']);
  });

  it('insertAndAcquire pins a fresh entry, or leases the existing one', () => {
    const { c, disposed } = cache(10);
    const lease = c.insertAndAcquire([1, 2], 'a', 10);
    expect(lease).toMatchObject({ handle: 'a', length: 2, entryLength: 2 });
    expect(c.insert([3], 'b', 5)).toBe(false); // a is pinned and fills the budget
    const again = c.insertAndAcquire([1, 2], 'a2', 10);
    expect(again?.handle).toBe('a'); // caller still owns a2
    lease?.release();
    again?.release();
    expect(c.insert([3], 'b', 5)).toBe(true);
    expect(disposed).toEqual(['a']);
  });

  it('refuses duplicates and empty sequences without taking ownership', () => {
    const { c, disposed } = cache(100);
    expect(c.insert([1, 2], 'a', 10)).toBe(true);
    expect(c.insert([1, 2], 'b', 10)).toBe(false);
    expect(c.insert([], 'c', 1)).toBe(false);
    expect(disposed).toEqual([]);
    expect(() => c.insert([9], 'x', -1)).toThrow(RangeError);
    expect(() => new PrefixCache({ budgetBytes: -1 })).toThrow(RangeError);
  });

  it('prunes the trie on removal so partial matches do not see removed entries', () => {
    const { c } = cache(100);
    c.insert([1, 2, 3], 'a', 10);
    c.insert([1, 2, 4, 5], 'b', 10);
    expect(c.lookup([1, 2, 4, 9])).toMatchObject({ handle: 'b', length: 3 });
    c.delete([1, 2, 4, 5]);
    expect(c.lookup([1, 2, 4, 9])).toMatchObject({ handle: 'a', length: 2 });
    c.delete([1, 2, 3]);
    expect(c.lookup([1, 2])).toBeUndefined();
    expect(c.delete([1, 2, 3])).toBe(false);
  });

  it('shrinking the budget evicts; clear disposes everything unpinned', () => {
    const { c, disposed } = cache(100);
    c.insert([1], 'a', 40);
    c.insert([2], 'b', 40);
    c.setBudget(50);
    expect(disposed).toEqual(['a']);
    const lease = c.acquire([2]);
    c.insert([3], 'c', 10);
    c.clear();
    expect(disposed).toEqual(['a', 'c']);
    expect(c.stats()).toMatchObject({ entries: 0, bytesInUse: 0 });
    lease?.release();
    expect(disposed).toEqual(['a', 'c', 'b']);
  });

  it('8 continuations of a 256-token prefix: the prefix is prefilled once', () => {
    const dims = { layers: 28, kvHeads: 8, headDim: 128, bytesPerElement: 2 };
    const c = new PrefixCache<{ tokens: number }>({ budgetBytes: 1 << 30 });
    const prefix = range(0, 256);
    let prefilled = 0;
    for (let k = 0; k < 8; k++) {
      const prompt = [...prefix, 1000 + k, 2000 + k];
      const lease = c.acquire(prompt, { maxLength: prompt.length - 1 });
      const reused = lease?.length ?? 0;
      prefilled += prompt.length - reused;
      // The engine would slice lease.handle to `reused` tokens and prefill the rest.
      lease?.release();
      c.insert(prompt, { tokens: prompt.length }, kvBytes({ ...dims, tokens: prompt.length }));
    }
    expect(prefilled).toBe(258 + 7 * 2);
    expect(c.stats()).toMatchObject({ hits: 7, misses: 1, tokensSaved: 7 * 256, entries: 8 });
    expect(c.stats().bytesInUse).toBe(8 * 258 * 114_688);
  });

  it('looks up 8 continuations of a 256-token prefix cheaply', () => {
    const c = new PrefixCache<number>({ budgetBytes: Infinity });
    const prefix = range(0, 256);
    for (let k = 0; k < 8; k++) c.insert([...prefix, ...range(k * 100, k * 100 + 64)], k, 1);
    const queries = Array.from({ length: 8 }, (_, k) => [...prefix, k * 100, 99_999]);
    const start = performance.now();
    for (let round = 0; round < 1000; round++) {
      for (const q of queries) c.lookup(q);
    }
    const perLookupMs = (performance.now() - start) / 8000;
    expect(c.lookup(queries[3])).toMatchObject({ handle: 3, length: 257 });
    expect(perLookupMs).toBeLessThan(0.5); // Typically ~0.01 ms; generous for slow CI.
  });
});
