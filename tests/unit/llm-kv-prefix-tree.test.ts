/**
 * The KV-cache view's data: cached token sequences as a radix tree of spans, bytes per
 * span and per entry, and the totals of a run (hit ratio = reused prompt tokens / prompt
 * tokens).
 */
import { describe, expect, it } from 'vitest';
import { PrefixCache } from '../../src/lib/llm/kv-cache.js';
import {
  buildKvPrefixTree,
  flattenKvPrefixTree,
  kvCacheSnapshot,
  kvTotalsSince,
} from '../../src/lib/llm/kv-prefix-tree.js';

const entry = (tokens: number[], lastUsed = 1, hits = 0) => ({
  tokens,
  bytes: 10 * tokens.length, // 10 bytes of KV per token
  hits,
  lastUsed,
  pins: 0,
});
const letters = (ids: number[]) => ids.map((id) => String.fromCharCode(96 + id)).join('');

describe('buildKvPrefixTree', () => {
  it('merges unbranched chains into spans and splits where sequences diverge', () => {
    // abc (cached), abcde (cached), abcfg (cached), xy (cached)
    const root = buildKvPrefixTree(
      [
        entry([1, 2, 3], 1, 2),
        entry([1, 2, 3, 4, 5], 2),
        entry([1, 2, 3, 6, 7], 5, 1),
        entry([24, 25], 3),
      ],
      letters,
    );
    expect(root).toMatchObject({ id: 0, start: 0, length: 0, text: '', cached: false, entries: 4 });
    expect(root.lastUsed).toBe(5);
    const [abc, xy] = root.children;
    expect(abc).toMatchObject({
      start: 0,
      length: 3,
      text: 'abc',
      bytes: 30,
      entryBytes: 30,
      cached: true,
      hits: 2,
      entries: 3,
      lastUsed: 5,
    });
    expect(abc.children.map((c) => [c.text, c.start, c.length, c.bytes, c.entryBytes])).toEqual([
      ['de', 3, 2, 20, 50],
      ['fg', 3, 2, 20, 50],
    ]);
    expect(abc.children[1]).toMatchObject({ hits: 1, lastUsed: 5, entries: 1 });
    expect(xy).toMatchObject({ text: 'xy', length: 2, entryBytes: 20, lastUsed: 3 });
    // ids in preorder
    expect(flattenKvPrefixTree(root).map((n) => [n.id, n.text])).toEqual([
      [0, ''],
      [1, 'abc'],
      [2, 'de'],
      [3, 'fg'],
      [4, 'xy'],
    ]);
  });

  it('keeps an uncached branch point as its own span', () => {
    // abcd and abxy share "ab", which no entry ends at
    const root = buildKvPrefixTree([entry([1, 2, 3, 4]), entry([1, 2, 24, 25])], letters);
    const [ab] = root.children;
    expect(ab).toMatchObject({ text: 'ab', cached: false, entryBytes: 0, bytes: 20, entries: 2 });
    expect(ab.children.map((c) => c.text)).toEqual(['cd', 'xy']);
  });

  it('an empty cache is a lone root', () => {
    expect(buildKvPrefixTree([])).toMatchObject({ length: 0, entries: 0, children: [] });
  });
});

describe('kvCacheSnapshot', () => {
  it('totals: bytes in use against the budget, shared bytes, hit ratio, evictions', () => {
    const cache = new PrefixCache<string>({ budgetBytes: 100 });
    cache.insert([1, 2, 3], 'abc', 30);
    cache.insert([1, 2, 3, 4, 5], 'abcde', 50);
    expect(cache.lookup([1, 2, 3, 4, 5, 6])?.handle).toBe('abcde');
    cache.insert([9, 9, 9], 'iii', 30); // over budget: evicts abc, the least recently used
    const { root, totals } = kvCacheSnapshot(
      cache.stats(),
      cache.entries(),
      { prefills: 3, promptTokens: 14, reusedTokens: 5 },
      letters,
    );
    expect(root.children.map((c) => [c.text, c.cached, c.hits])).toEqual([
      ['abcde', true, 1],
      ['iii', true, 0],
    ]);
    expect(totals).toEqual({
      prefills: 3,
      promptTokens: 14,
      reusedTokens: 5,
      hitRatio: 5 / 14,
      entries: 2,
      bytesInUse: 80,
      budgetBytes: 100,
      sharedBytes: 80,
      hits: 1,
      misses: 0,
      evictions: 1,
    });
  });

  it('shared bytes count a common prefix once; the ratio is 0 before any prompt', () => {
    const entries = [entry([1, 2, 3, 4]), entry([1, 2, 3, 5])];
    const stats = {
      hits: 0,
      misses: 0,
      tokensSaved: 0,
      entries: 2,
      bytesInUse: 80,
      budgetBytes: 1000,
      pinnedEntries: 0,
      evictions: 0,
      rejectedInserts: 0,
    };
    const { totals } = kvCacheSnapshot(stats, entries, {
      prefills: 0,
      promptTokens: 0,
      reusedTokens: 0,
    });
    // abc once (30) + d (10) + e (10)
    expect(totals.sharedBytes).toBe(50);
    expect(totals.hitRatio).toBe(0);
  });
});

describe('kvTotalsSince', () => {
  it('counts what happened since a baseline; cache state stays current', () => {
    const base = {
      prefills: 2,
      promptTokens: 100,
      reusedTokens: 0,
      hitRatio: 0,
      entries: 2,
      bytesInUse: 1000,
      budgetBytes: 5000,
      sharedBytes: 1000,
      hits: 0,
      misses: 2,
      evictions: 1,
    };
    const now = {
      ...base,
      prefills: 5,
      promptTokens: 400,
      reusedTokens: 240,
      hitRatio: 0.6,
      entries: 4,
      bytesInUse: 3000,
      hits: 3,
      evictions: 2,
    };
    expect(kvTotalsSince(now, base)).toEqual({
      ...now,
      prefills: 3,
      promptTokens: 300,
      reusedTokens: 240,
      hitRatio: 0.8,
      hits: 3,
      misses: 0,
      evictions: 1,
    });
  });
});
