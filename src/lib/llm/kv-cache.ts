/**
 * A prefix cache for KV forking: N continuations of a shared prefix (best-of-N, tree
 * search, RULER and GRPO groups) prefill the prefix once and reuse its keys and values.
 *
 * Structure: a trie keyed by token id. Each entry (an opaque engine handle, e.g. the
 * past-key-values tensors of Transformers.js) hangs on the node of its last token. A
 * lookup walks the query's tokens down the trie once, O(query length) map lookups, and
 * remembers the deepest entry on the path: 8 continuations of a 256-token prefix cost
 * 8 × 256 map lookups. A trie was chosen over hashing fixed-size blocks (vLLM's approach)
 * because it is exact (no hash collisions, no block rounding: a 257-token prefix reuses
 * 257 tokens) and our sequences are short enough that one node per token is cheap.
 *
 * Partial reuse: the KV of a sequence contains the KV of each of its prefixes (attention is
 * causal), so an entry for `prefix + A` can serve a query `prefix + B` for the shared
 * `prefix` if the engine slices the handle along the sequence axis. `lookup` reports both
 * the usable `length` and the entry's `entryLength`; pass `{partial: false}` for engines
 * that cannot slice.
 *
 * Memory: each entry declares its bytes (use `kvBytes`); after an insert, least recently
 * used entries are evicted (and `dispose`d) until the total fits the budget. Entries held
 * with `acquire` are pinned and never evicted, so a handle cannot be freed mid-forward.
 */

/** Bytes of a KV cache: 2 (K and V) × layers × KV heads × tokens × head dim × bytes. */
export function kvBytes(dims: {
  layers: number;
  kvHeads: number;
  tokens: number;
  headDim: number;
  bytesPerElement: number;
}): number {
  return 2 * dims.layers * dims.kvHeads * dims.tokens * dims.headDim * dims.bytesPerElement;
}

/** Bytes per element of common KV dtypes (quantised caches are engine-specific). */
export function bytesPerElement(dtype: string): number {
  switch (dtype) {
    case 'float32':
    case 'fp32':
      return 4;
    case 'float16':
    case 'fp16':
    case 'bfloat16':
    case 'bf16':
      return 2;
    case 'int8':
    case 'uint8':
    case 'q8':
    case 'fp8':
      return 1;
    default:
      throw new RangeError(`bytesPerElement: unknown KV dtype '${dtype}'`);
  }
}

export type TokenSequence = ArrayLike<number | bigint>;

export interface PrefixCacheOptions<H> {
  /** Most bytes of KV kept; least recently used entries go first. */
  budgetBytes: number;
  /** Frees an entry's handle (e.g. `tensor.dispose()`); called once per evicted entry. */
  dispose?: (handle: H) => void;
}

export interface LookupOptions {
  /**
   * Longest match to return. Pass `tokens.length - 1` when the engine needs logits for the
   * last prompt token: a fully cached prompt still has to run that token forward.
   */
  maxLength?: number;
  /** Also match inside longer entries (engine slices the handle). Default true. */
  partial?: boolean;
  /** False for a probe that should not count as a hit or miss in `stats()`. Default true. */
  countStats?: boolean;
}

export interface PrefixMatch<H> {
  handle: H;
  /** Tokens of the query whose KV the handle provides. */
  length: number;
  /** Tokens in the cached entry (≥ length; greater means slice the handle to `length`). */
  entryLength: number;
}

/** A pinned match: the entry is not evicted until `release()` (idempotent). */
export interface PrefixLease<H> extends PrefixMatch<H> {
  release(): void;
}

export interface PrefixCacheStats {
  /** Lookups that found a usable prefix. */
  hits: number;
  misses: number;
  /** Prompt tokens that did not need prefilling thanks to hits (sum of matched lengths). */
  tokensSaved: number;
  entries: number;
  bytesInUse: number;
  budgetBytes: number;
  pinnedEntries: number;
  evictions: number;
  /** Inserts refused (too large for the budget, or pinned entries left no room). */
  rejectedInserts: number;
}

export interface PrefixCacheEntryInfo {
  /** The cached sequence's token ids. */
  tokens: number[];
  length: number;
  bytes: number;
  pins: number;
  /** Monotonic use counter (larger = used more recently). */
  lastUsed: number;
  /** Counted lookups this entry served (its whole length or, sliced, a prefix of it). */
  hits: number;
}

interface TrieNode<H> {
  parent: TrieNode<H> | undefined;
  token: number;
  children: Map<number, TrieNode<H>> | undefined;
  entry: Entry<H> | undefined;
  /** Entries in this node's subtree, itself included: lets partial lookups find one fast. */
  entriesBelow: number;
}

interface Entry<H> {
  node: TrieNode<H>;
  handle: H;
  bytes: number;
  length: number;
  pins: number;
  lastUsed: number;
  hits: number;
  /** Removed from the trie while pinned: dispose on the last release. */
  detached: boolean;
}

export class PrefixCache<H> {
  private readonly root: TrieNode<H> = newNode(undefined, -1);
  /** Entries in least-recently-used-first order (Map keeps insertion order). */
  private readonly lru = new Map<Entry<H>, true>();
  private readonly disposeHandle?: (handle: H) => void;
  private budget: number;
  private bytes = 0;
  private clock = 0;
  private counters = { hits: 0, misses: 0, tokensSaved: 0, evictions: 0, rejectedInserts: 0 };

  constructor(options: PrefixCacheOptions<H>) {
    if (!(options.budgetBytes >= 0)) {
      throw new RangeError(`PrefixCache: budgetBytes must be >= 0, got ${options.budgetBytes}`);
    }
    this.budget = options.budgetBytes;
    this.disposeHandle = options.dispose;
  }

  get budgetBytes(): number {
    return this.budget;
  }

  /** Changes the budget; shrinking evicts unpinned entries until the total fits. */
  setBudget(budgetBytes: number): void {
    if (!(budgetBytes >= 0)) throw new RangeError(`budgetBytes must be >= 0, got ${budgetBytes}`);
    this.budget = budgetBytes;
    this.evictUntil(0);
  }

  /** The longest cached prefix of `tokens`, or undefined. Counts a hit or miss and touches LRU. */
  lookup(tokens: TokenSequence, options: LookupOptions = {}): PrefixMatch<H> | undefined {
    const found = this.findAndCount(tokens, options);
    return (
      found && { handle: found.entry.handle, length: found.length, entryLength: found.entry.length }
    );
  }

  /** `lookup`, pinning the entry until the lease is released. */
  acquire(tokens: TokenSequence, options: LookupOptions = {}): PrefixLease<H> | undefined {
    const found = this.findAndCount(tokens, options);
    return found && this.lease(found.entry, found.length);
  }

  /** Whether exactly this sequence is cached (no stats, no LRU touch). */
  has(tokens: TokenSequence): boolean {
    return this.nodeAt(tokens)?.entry !== undefined;
  }

  /**
   * Caches `handle` as the KV of `tokens`. On true the cache owns the handle (it will
   * `dispose` it when evicted); on false it was not stored and the caller still owns it:
   * the same sequence is already cached, it alone exceeds the budget, or pinned entries
   * leave no room. Insert evicts other entries as needed, never pinned ones.
   */
  insert(tokens: TokenSequence, handle: H, bytes: number): boolean {
    return this.store(tokens, handle, bytes) !== undefined;
  }

  /**
   * `insert` and pin in one step, for a handle the caller goes on using (decode from the
   * prefix it just prefilled). If the sequence was already cached, the lease is on the
   * existing entry: when `lease.handle !== handle`, the caller still owns `handle`.
   * Undefined when nothing could be cached.
   */
  insertAndAcquire(tokens: TokenSequence, handle: H, bytes: number): PrefixLease<H> | undefined {
    const existing = this.nodeAt(tokens)?.entry;
    if (existing) {
      this.touch(existing);
      return this.lease(existing, existing.length);
    }
    const entry = this.store(tokens, handle, bytes);
    return entry ? this.lease(entry, entry.length) : undefined;
  }

  /** Removes exactly this sequence's entry (disposed now, or on its last release if pinned). */
  delete(tokens: TokenSequence): boolean {
    const entry = this.nodeAt(tokens)?.entry;
    if (!entry) return false;
    this.remove(entry);
    return true;
  }

  /** Removes every entry; pinned ones are disposed when released. */
  clear(): void {
    for (const entry of [...this.lru.keys()]) this.remove(entry);
  }

  stats(): PrefixCacheStats {
    let pinned = 0;
    for (const entry of this.lru.keys()) if (entry.pins > 0) pinned++;
    return {
      ...this.counters,
      entries: this.lru.size,
      bytesInUse: this.bytes,
      budgetBytes: this.budget,
      pinnedEntries: pinned,
    };
  }

  /** Entries least recently used first, for the KV-cache view. */
  entries(): PrefixCacheEntryInfo[] {
    return [...this.lru.keys()].map((e) => ({
      tokens: tokensOf(e.node),
      length: e.length,
      bytes: e.bytes,
      pins: e.pins,
      lastUsed: e.lastUsed,
      hits: e.hits,
    }));
  }

  // -------------------------------------------------------------------------------------

  private findAndCount(
    tokens: TokenSequence,
    options: LookupOptions,
  ): { entry: Entry<H>; length: number } | undefined {
    const found = this.find(tokens, options);
    const count = options.countStats ?? true;
    if (!found) {
      if (count) this.counters.misses++;
      return undefined;
    }
    if (count) {
      found.entry.hits++;
      this.counters.hits++;
      this.counters.tokensSaved += found.length;
    }
    this.touch(found.entry);
    return found;
  }

  private store(tokens: TokenSequence, handle: H, bytes: number): Entry<H> | undefined {
    if (!(bytes >= 0) || !Number.isFinite(bytes)) {
      throw new RangeError(`PrefixCache.insert: bytes must be a finite number >= 0, got ${bytes}`);
    }
    if (tokens.length === 0 || this.nodeAt(tokens)?.entry || bytes > this.budget) {
      this.counters.rejectedInserts++;
      return undefined;
    }
    if (!this.evictUntil(bytes)) {
      this.counters.rejectedInserts++;
      return undefined;
    }
    let node = this.root;
    for (let i = 0; i < tokens.length; i++) {
      const token = Number(tokens[i]);
      node.children ??= new Map();
      let child = node.children.get(token);
      if (!child) {
        child = newNode(node, token);
        node.children.set(token, child);
      }
      node = child;
    }
    const entry: Entry<H> = {
      node,
      handle,
      bytes,
      length: tokens.length,
      pins: 0,
      lastUsed: 0,
      hits: 0,
      detached: false,
    };
    node.entry = entry;
    for (let n: TrieNode<H> | undefined = node; n; n = n.parent) n.entriesBelow++;
    this.bytes += bytes;
    this.touch(entry);
    return entry;
  }

  /** Evicts unpinned entries, oldest first, until `extra` more bytes fit. False if they cannot. */
  private evictUntil(extra: number): boolean {
    if (this.bytes + extra <= this.budget) return true;
    for (const entry of [...this.lru.keys()]) {
      if (this.bytes + extra <= this.budget) break;
      if (entry.pins > 0) continue;
      this.remove(entry);
      this.counters.evictions++;
    }
    return this.bytes + extra <= this.budget;
  }

  private lease(entry: Entry<H>, length: number): PrefixLease<H> {
    entry.pins++;
    let released = false;
    return {
      handle: entry.handle,
      length,
      entryLength: entry.length,
      release: () => {
        if (released) return;
        released = true;
        entry.pins--;
        if (entry.pins === 0) {
          if (entry.detached) this.disposeHandle?.(entry.handle);
          else this.evictUntil(0); // Pins may have held the cache over budget.
        }
      },
    };
  }

  private remove(entry: Entry<H>): void {
    this.lru.delete(entry);
    this.bytes -= entry.bytes;
    const node = entry.node;
    node.entry = undefined;
    for (let n: TrieNode<H> | undefined = node; n; n = n.parent) n.entriesBelow--;
    // Prune the branch that no longer leads to any entry.
    let n = node;
    while (n.parent && n.entriesBelow === 0) {
      n.parent.children?.delete(n.token);
      n = n.parent;
    }
    if (entry.pins > 0) entry.detached = true;
    else this.disposeHandle?.(entry.handle);
  }

  private touch(entry: Entry<H>): void {
    entry.lastUsed = ++this.clock;
    this.lru.delete(entry);
    this.lru.set(entry, true);
  }

  private nodeAt(tokens: TokenSequence): TrieNode<H> | undefined {
    let node: TrieNode<H> | undefined = this.root;
    for (let i = 0; i < tokens.length && node; i++) node = node.children?.get(Number(tokens[i]));
    return node === this.root ? undefined : node;
  }

  private find(
    tokens: TokenSequence,
    options: LookupOptions,
  ): { entry: Entry<H>; length: number } | undefined {
    const limit = Math.min(tokens.length, Math.max(0, Math.floor(options.maxLength ?? Infinity)));
    const partial = options.partial ?? true;
    let node = this.root;
    let depth = 0;
    let best: Entry<H> | undefined;
    while (depth < limit) {
      const child = node.children?.get(Number(tokens[depth]));
      if (!child || child.entriesBelow === 0) break;
      node = child;
      depth++;
      if (node.entry) best = node.entry;
    }
    if (partial && depth > 0 && (!best || best.length < depth)) {
      // Deeper than the last exact entry: any entry below `node` shares `depth` tokens.
      return { entry: this.entryBelow(node), length: depth };
    }
    return best ? { entry: best, length: best.length } : undefined;
  }

  /** Some entry in the subtree of `node` (which has at least one), found walking down. */
  private entryBelow(node: TrieNode<H>): Entry<H> {
    let n = node;
    while (!n.entry) {
      for (const child of (n.children as Map<number, TrieNode<H>>).values()) {
        if (child.entriesBelow > 0) {
          n = child;
          break;
        }
      }
    }
    return n.entry;
  }
}

/** The token ids from the root down to `node`. */
function tokensOf(node: TrieNode<unknown>): number[] {
  const tokens: number[] = [];
  for (let n: TrieNode<unknown> | undefined = node; n?.parent; n = n.parent) tokens.push(n.token);
  return tokens.reverse();
}

function newNode<H>(parent: TrieNode<H> | undefined, token: number): TrieNode<H> {
  return { parent, token, children: undefined, entry: undefined, entriesBelow: 0 };
}
