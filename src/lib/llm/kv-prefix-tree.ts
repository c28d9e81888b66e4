/**
 * The prefix cache as a picture can show it: a radix tree of the cached token sequences,
 * where each node is a span of tokens shared by every entry below it, plus the totals a
 * search run cares about (bytes against the budget, how much prompt was reused, evictions).
 *
 * Bytes: the cache stores one KV state per entry covering its whole sequence (engines
 * hand out whole past-key-values tensors), so two branches that share a prefix each hold a
 * copy of it: `entryBytes` is what an entry really occupies. A node's `bytes` is the KV of
 * its span alone (bytes per token × span length): what the span would cost once if
 * branches shared it, and the sum over the tree is `sharedBytes`.
 *
 * Pure data in, plain data out: it runs in the worker and the result crosses to the page
 * by structured clone.
 */
import type { PrefixCacheEntryInfo, PrefixCacheStats } from './kv-cache.js';

export interface KvPrefixNode {
  /** Preorder position; the root (the empty sequence) is 0. */
  id: number;
  /** Position of the span's first token in the sequence. */
  start: number;
  /** Tokens in the span. */
  length: number;
  /** The span's text, when a decoder was given ('' otherwise). */
  text: string;
  /** KV bytes of the span alone: bytes per token × `length`. */
  bytes: number;
  /** Bytes of the cached entry that ends at this node (covering tokens 0…start+length); 0 if none. */
  entryBytes: number;
  /** Whether an entry ends here. */
  cached: boolean;
  /** Lookups served by the entry ending here. */
  hits: number;
  /** Most recent use of any entry in this subtree (the cache's use counter; 0 = none). */
  lastUsed: number;
  /** Leases holding the entry that ends here. */
  pins: number;
  /** Entries in this subtree, this node's included. */
  entries: number;
  children: KvPrefixNode[];
}

/** What the prompts of the decode loop did with the cache. */
export interface PromptReuse {
  /** Prompts prefilled (one per generated continuation). */
  prefills: number;
  promptTokens: number;
  /** Prompt tokens whose KV came from the cache instead of a forward pass. */
  reusedTokens: number;
}

export interface KvCacheTotals extends PromptReuse {
  entries: number;
  bytesInUse: number;
  budgetBytes: number;
  /** Bytes the cached sequences would take with shared prefixes stored once. */
  sharedBytes: number;
  /** `reusedTokens / promptTokens` (0 before any prompt). */
  hitRatio: number;
  hits: number;
  misses: number;
  evictions: number;
}

export interface KvCacheSnapshot {
  root: KvPrefixNode;
  totals: KvCacheTotals;
}

type Entry = Pick<PrefixCacheEntryInfo, 'tokens' | 'bytes' | 'hits' | 'lastUsed' | 'pins'>;

interface TrieNode {
  children: Map<number, TrieNode>;
  entry: Entry | undefined;
  /** KV bytes of one token, from the first entry that passed through. */
  bytesPerToken: number;
  lastUsed: number;
  entries: number;
}

const trieNode = (): TrieNode => ({
  children: new Map(),
  entry: undefined,
  bytesPerToken: 0,
  lastUsed: 0,
  entries: 0,
});

/**
 * The radix tree of `entries`: chains of tokens with one child and no entry are merged
 * into one span. Children are ordered by their first token. `decode` turns a span's token
 * ids into text.
 */
export function buildKvPrefixTree(
  entries: readonly Entry[],
  decode?: (ids: number[]) => string,
): KvPrefixNode {
  const root = trieNode();
  for (const entry of entries) {
    const perToken = entry.tokens.length > 0 ? entry.bytes / entry.tokens.length : 0;
    let node = root;
    const visit = (n: TrieNode) => {
      n.entries++;
      n.lastUsed = Math.max(n.lastUsed, entry.lastUsed);
      if (n.bytesPerToken === 0) n.bytesPerToken = perToken;
    };
    visit(root);
    for (const token of entry.tokens) {
      let child = node.children.get(token);
      if (!child) node.children.set(token, (child = trieNode()));
      node = child;
      visit(node);
    }
    node.entry = entry;
  }

  let nextId = 0;
  const compress = (start: number, first: TrieNode, firstToken: number | null): KvPrefixNode => {
    const id = nextId++;
    const span: number[] = firstToken === null ? [] : [firstToken];
    let node = first;
    // Follow the chain while it neither branches nor holds an entry (the root stays empty).
    while (firstToken !== null && node.entry === undefined && node.children.size === 1) {
      const [[token, child]] = node.children;
      span.push(token);
      node = child;
    }
    const entry = node.entry;
    const children = [...node.children.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([token, child]) => compress(start + span.length, child, token));
    return {
      id,
      start,
      length: span.length,
      text: decode && span.length > 0 ? decode(span) : '',
      bytes: node.bytesPerToken * span.length,
      entryBytes: entry?.bytes ?? 0,
      cached: entry !== undefined,
      hits: entry?.hits ?? 0,
      lastUsed: node.lastUsed,
      pins: entry?.pins ?? 0,
      entries: node.entries,
      children,
    };
  };
  return compress(0, root, null);
}

/** Every node of the tree, parents before children. */
export function flattenKvPrefixTree(root: KvPrefixNode): KvPrefixNode[] {
  const out: KvPrefixNode[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const node = stack.pop() as KvPrefixNode;
    out.push(node);
    for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i]);
  }
  return out;
}

/** The snapshot the KV-cache view draws: the tree plus totals. */
export function kvCacheSnapshot(
  stats: PrefixCacheStats,
  entries: readonly Entry[],
  prompts: PromptReuse,
  decode?: (ids: number[]) => string,
): KvCacheSnapshot {
  const root = buildKvPrefixTree(entries, decode);
  const sharedBytes = flattenKvPrefixTree(root).reduce((sum, node) => sum + node.bytes, 0);
  return {
    root,
    totals: {
      ...prompts,
      entries: stats.entries,
      bytesInUse: stats.bytesInUse,
      budgetBytes: stats.budgetBytes,
      sharedBytes,
      hitRatio: prompts.promptTokens > 0 ? prompts.reusedTokens / prompts.promptTokens : 0,
      hits: stats.hits,
      misses: stats.misses,
      evictions: stats.evictions,
    },
  };
}

/**
 * The totals of what happened since `before` (e.g. the start of a search run): counters
 * become differences and the hit ratio is recomputed over them; the state of the cache
 * (entries, bytes, budget) is the current one.
 */
export function kvTotalsSince(now: KvCacheTotals, before: KvCacheTotals): KvCacheTotals {
  const prefills = now.prefills - before.prefills;
  const promptTokens = now.promptTokens - before.promptTokens;
  const reusedTokens = now.reusedTokens - before.reusedTokens;
  return {
    ...now,
    prefills,
    promptTokens,
    reusedTokens,
    hitRatio: promptTokens > 0 ? reusedTokens / promptTokens : 0,
    hits: now.hits - before.hits,
    misses: now.misses - before.misses,
    evictions: now.evictions - before.evictions,
  };
}
