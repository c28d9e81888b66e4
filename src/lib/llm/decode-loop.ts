/**
 * Our own decode loop over a causal LM's forward pass. Transformers.js' `generate()`
 * neither returns logits nor lets several continuations share a prefilled prefix, and
 * tree search, best-of-N and GRPO groups need both. The loop here owns sampling (seeded,
 * temperature / top-k / top-p, masks for grammar constraints), per-token logprobs, stop
 * strings, the thinking budget, streaming of reasoning / text / tool calls, and a prefix
 * cache of KV states keyed by token ids so N continuations of one prompt prefill it once.
 *
 * It knows nothing about ONNX or Transformers.js: an engine provides a `CausalLM`.
 */
import { PrefixCache, type PrefixLease } from './kv-cache.js';
import { kvCacheSnapshot, type KvCacheSnapshot, type PromptReuse } from './kv-prefix-tree.js';
import { createRng, sample, type Rng, type TokenMask } from './sampler.js';
import { StopStringMatcher } from './stop-strings.js';
import { ThinkingBudget } from './thinking.js';
import { AssistantOutputParser, type AssistantOutput } from './tool-calls.js';
import {
  GenerationAbortedError,
  type ChatChunk,
  type FinishReason,
  type TokenLogprob,
  type ToolSpec,
} from './types.js';

/** A KV state: whatever the engine needs to continue from a token sequence. */
export interface KvState {
  /** Number of tokens the state covers. */
  length: number;
  /** Bytes it occupies (layers × KV heads × tokens × head dim × bytes × 2). */
  bytes: number;
  /** Frees backing memory (GPU buffers); the state is unusable afterwards. */
  dispose(): void;
}

export interface ForwardResult<K extends KvState> {
  /** Logits for the position after the last token fed. */
  logits: Float32Array;
  /** The final hidden state at that position (after the last norm), when the model exports it. */
  hidden?: Float32Array;
  /** KV state covering `past.length + tokens.length` tokens. */
  kv: K;
}

/** What the loop needs from a model. */
export interface CausalLM<K extends KvState = KvState> {
  readonly vocabSize: number;
  /** Token ids that end generation (eos, end-of-turn). */
  readonly stopTokenIds: ReadonlySet<number>;
  /** Runs `tokens` after `past` (null = from scratch). Must not consume or mutate `past`. */
  forward(
    tokens: readonly number[],
    past: K | null,
    signal?: AbortSignal,
  ): Promise<ForwardResult<K>>;
  /** A state covering only the first `length` tokens of `kv` (a copy), or null if unsupported. */
  slice?(kv: K, length: number): K | null;
  encode(text: string): number[];
  /** Decodes ids to text exactly (special tokens included, no cleanup). */
  decode(ids: readonly number[]): string;
}

/** A cached prefix: its KV state and the logits after its last token. */
interface CachedPrefix<K extends KvState> {
  kv: K;
  logits: Float32Array;
  hidden?: Float32Array;
}

/**
 * Changes the next-token logits from the final hidden state, e.g. a low-rank adapter on the
 * output head (`rl/lora-head.ts`): sampling then follows the adapted policy.
 */
export interface HeadAdapter {
  adapt(logits: Float32Array, hidden: Float32Array): Float32Array;
}

/** One sampled token with what it was sampled from: the data a head adapter trains on. */
export interface DecodeStep {
  tokenId: number;
  hidden: Float32Array;
  /** The model's own logits (before any adapter). */
  baseLogits: Float32Array;
}

export class HiddenStateUnavailableError extends Error {
  constructor() {
    super(
      'This model does not export its final hidden state (last_hidden_state), so a head adapter cannot be applied and decode steps cannot be recorded.',
    );
    this.name = 'HiddenStateUnavailableError';
  }
}

export interface DecodeOptions {
  maxTokens?: number;
  /** Stop tokens are not allowed before this many tokens (like `min_new_tokens`). */
  minTokens?: number;
  temperature?: number;
  topK?: number;
  topP?: number;
  seed?: number;
  rng?: Rng;
  stop?: string[];
  /** Also return each token's logprob; a number k adds the k most likely alternatives. */
  logprobs?: boolean | number;
  /** Thinking budget in tokens (undefined = unlimited). */
  thinkingBudget?: number;
  /** The prompt ends inside `<think>` (the template pre-filled it). */
  startsInThinking?: boolean;
  tools?: readonly ToolSpec[];
  /** Allowed next tokens, consulted before every sample (grammar constraints). */
  constraint?: TokenConstraint;
  /** Text written as the start of the output before anything is sampled (e.g. `<tool_call>`). */
  forcedPrefix?: string;
  /** Text appended when `constraint` terminates (e.g. `</tool_call>`); generation then stops. */
  suffixOnTermination?: string;
  /** Adapts the logits before every sample (needs a model that exports its hidden state). */
  headAdapter?: HeadAdapter;
  /** Return every sampled token with its hidden state and base logits (`DecodeResult.steps`). */
  recordSteps?: boolean;
  signal?: AbortSignal;
  /** Called for each streamed piece (reasoning, text, tool-call deltas). */
  onChunk?: (chunk: ChatChunk) => void;
}

/** A grammar (or other) constraint on the next token. */
export interface TokenConstraint {
  /** The mask for the next token, or undefined when any token is allowed. */
  nextMask(): TokenMask | undefined | Promise<TokenMask | undefined>;
  /** Tell the constraint which token was chosen. */
  accept(tokenId: number): void;
  /** True when the constraint has reached an accepting end (generation should stop). */
  isTerminated(): boolean;
}

export interface DecodeResult {
  tokenIds: number[];
  /** Everything generated, as text (forced hand-off included, stop string excluded). */
  text: string;
  output: AssistantOutput;
  finishReason: FinishReason;
  promptTokens: number;
  /** Prompt tokens whose KV came from the prefix cache. */
  cachedPromptTokens: number;
  completionTokens: number;
  reasoningTokens: number;
  timeToFirstTokenMs: number;
  prefillMs: number;
  decodeMs: number;
  logprobs?: TokenLogprob[];
  /** With `recordSteps`: each sampled token (the stop token included), in order. */
  steps?: DecodeStep[];
}

export interface DecodeLoopOptions {
  /** Bytes of KV the prefix cache may hold (default 256 MB). */
  kvBudgetBytes?: number;
}

export class DecodeLoop<K extends KvState> {
  readonly cache: PrefixCache<CachedPrefix<K>>;
  /** Prompt tokens prefilled and reused since the loop was made: the cache's hit ratio. */
  private readonly reuse: PromptReuse = { prefills: 0, promptTokens: 0, reusedTokens: 0 };

  constructor(
    readonly lm: CausalLM<K>,
    options: DecodeLoopOptions = {},
  ) {
    this.cache = new PrefixCache<CachedPrefix<K>>({
      budgetBytes: options.kvBudgetBytes ?? 256 * 1024 * 1024,
      dispose: (entry) => entry.kv.dispose(),
    });
  }

  /** The prefix cache as a tree of token spans, with bytes, hits and reuse totals. */
  kvSnapshot(): KvCacheSnapshot {
    return kvCacheSnapshot(this.cache.stats(), this.cache.entries(), { ...this.reuse }, (ids) =>
      this.lm.decode(ids),
    );
  }

  /**
   * The KV state and next-token logits after `prompt`, prefilling only what the prefix
   * cache does not hold. The returned lease pins the cached entry until released.
   */
  async prefill(
    prompt: readonly number[],
    signal?: AbortSignal,
  ): Promise<{ lease: PrefixLease<CachedPrefix<K>>; cached: number; prefillMs: number }> {
    const result = await this.prefillUncounted(prompt, signal);
    this.reuse.prefills++;
    this.reuse.promptTokens += prompt.length;
    this.reuse.reusedTokens += result.cached;
    return result;
  }

  private async prefillUncounted(
    prompt: readonly number[],
    signal?: AbortSignal,
  ): Promise<{ lease: PrefixLease<CachedPrefix<K>>; cached: number; prefillMs: number }> {
    if (prompt.length === 0) throw new RangeError('The prompt has no tokens.');
    const t0 = performance.now();
    // One counted lookup per prefill: probe for an exact entry without touching the stats.
    if (this.cache.has(prompt)) {
      const exact = this.cache.acquire(prompt, { partial: false });
      if (exact) return { lease: exact, cached: prompt.length, prefillMs: performance.now() - t0 };
    }
    // The longest cached prefix that stops at an entry boundary; a longer entry can be
    // sliced when the engine supports it.
    let past: K | null = null;
    let cached = 0;
    let ownPast = false;
    const partial = this.cache.acquire(prompt, {
      maxLength: prompt.length - 1,
      partial: this.lm.slice !== undefined,
    });
    if (partial) {
      if (partial.entryLength === partial.length) {
        past = partial.handle.kv;
        cached = partial.length;
      } else {
        const sliced = this.lm.slice?.(partial.handle.kv, partial.length) ?? null;
        if (sliced) {
          past = sliced;
          cached = partial.length;
          ownPast = true;
        }
      }
    }
    try {
      const { logits, kv, hidden } = await this.lm.forward(prompt.slice(cached), past, signal);
      const entry: CachedPrefix<K> = { kv, logits, hidden };
      const lease = this.cache.insertAndAcquire(prompt, entry, kv.bytes);
      if (!lease) {
        // Too big for the budget: hand out an unpinned lease the caller frees itself.
        return {
          lease: {
            handle: entry,
            length: prompt.length,
            entryLength: prompt.length,
            release: () => kv.dispose(),
          },
          cached,
          prefillMs: performance.now() - t0,
        };
      }
      if (lease.handle !== entry) kv.dispose();
      return { lease, cached, prefillMs: performance.now() - t0 };
    } finally {
      partial?.release();
      if (ownPast) past?.dispose();
    }
  }

  /** Generate one continuation of `prompt`. */
  async generate(prompt: readonly number[], options: DecodeOptions = {}): Promise<DecodeResult> {
    const signal = options.signal;
    if (signal?.aborted) throw new GenerationAbortedError(undefined, { cause: signal.reason });
    const started = performance.now();
    const { lease, cached, prefillMs } = await this.prefill(prompt, signal);
    const rng = options.rng ?? createRng(options.seed ?? 0);
    const maxTokens = options.maxTokens ?? 256;
    const stops = new StopStringMatcher(options.stop ?? []);
    const parser = new AssistantOutputParser({
      tools: options.tools,
      startsInThinking: options.startsInThinking,
    });
    // Always tracked: it also counts reasoning tokens for usage; without a budget it never forces.
    const budget = new ThinkingBudget({
      budgetTokens: options.thinkingBudget ?? Number.MAX_SAFE_INTEGER,
      startsInThinking: options.startsInThinking,
    });
    const wantLogprobs = options.logprobs !== undefined && options.logprobs !== false;
    const topLogprobs = typeof options.logprobs === 'number' ? options.logprobs : 0;
    const logprobs: TokenLogprob[] = [];
    const generated: number[] = [];
    let text = '';
    let finishReason: FinishReason = 'length';
    let firstTokenAt = 0;

    // Text is decoded from an anchor: byte-level tokens can split a UTF-8 character, so a
    // trailing replacement character means "wait for the next token".
    let anchor = 0;
    const emitText = (delta: string, meta?: { tokenId?: number; logprob?: number }) => {
      if (!delta) return;
      const stopped = stops.push(delta);
      if (stopped.text) {
        text += stopped.text;
        for (const event of parser.push(stopped.text)) {
          options.onChunk?.({ ...event, ...(event.type === 'token' ? meta : {}) } as ChatChunk);
        }
      }
      return stopped.stopped;
    };

    const yielder = new EventLoopYielder();
    let kv: K = lease.handle.kv;
    let logits = lease.handle.logits;
    let hidden = lease.handle.hidden;
    let ownKv = false;
    const advance = async (tokens: number[]) => {
      const next = await this.lm.forward(tokens, kv, signal);
      if (ownKv) kv.dispose();
      kv = next.kv;
      ownKv = true;
      logits = next.logits;
      hidden = next.hidden;
    };
    const needsHidden = options.headAdapter !== undefined || options.recordSteps === true;
    const steps: DecodeStep[] = [];

    try {
      if (options.forcedPrefix) {
        const forced = this.lm.encode(options.forcedPrefix);
        generated.push(...forced);
        emitText(options.forcedPrefix);
        anchor = generated.length;
        await advance(forced);
      }
      const forcedAtStart = budget.start();
      if (forcedAtStart.action === 'force') {
        const forced = this.lm.encode(forcedAtStart.text);
        generated.push(...forced);
        emitText(forcedAtStart.text);
        anchor = generated.length;
        await advance(forced);
      }
      while (generated.length < maxTokens) {
        // WASM inference resolves through microtasks only; without a macrotask break here a
        // worker would not even receive the message that aborts it.
        await yielder.maybeYield();
        if (signal?.aborted) throw new GenerationAbortedError(undefined, { cause: signal.reason });
        if (options.constraint?.isTerminated()) {
          if (options.suffixOnTermination) {
            generated.push(...this.lm.encode(options.suffixOnTermination));
            emitText(options.suffixOnTermination);
            anchor = generated.length;
          }
          finishReason = 'stop';
          break;
        }
        const mask = await options.constraint?.nextMask();
        if (options.minTokens !== undefined && generated.length < options.minTokens) {
          // Too early to stop: make the stop tokens impossible (on a copy; logits may be cached).
          logits = logits.slice();
          for (const id of this.lm.stopTokenIds) logits[id] = -Infinity;
        }
        const baseLogits = logits;
        if (needsHidden) {
          if (!hidden) throw new HiddenStateUnavailableError();
          if (options.headAdapter) logits = options.headAdapter.adapt(logits, hidden);
        }
        const drawn = sample(logits, {
          temperature: options.temperature ?? 0,
          topK: options.topK,
          topP: options.topP,
          rng,
          mask,
          topLogprobs,
        });
        if (!firstTokenAt) firstTokenAt = performance.now();
        if (options.recordSteps && hidden)
          steps.push({ tokenId: drawn.tokenId, hidden, baseLogits });
        options.constraint?.accept(drawn.tokenId);
        if (this.lm.stopTokenIds.has(drawn.tokenId)) {
          finishReason = 'stop';
          break;
        }
        generated.push(drawn.tokenId);
        const pending = this.lm.decode(generated.slice(anchor));
        let stopped = false;
        const tokenText = pending.endsWith('\uFFFD') ? '' : pending;
        if (tokenText) {
          anchor = generated.length;
          stopped =
            emitText(tokenText, { tokenId: drawn.tokenId, logprob: drawn.logprob }) ?? false;
        }
        if (wantLogprobs) {
          logprobs.push({
            token: this.lm.decode([drawn.tokenId]),
            tokenId: drawn.tokenId,
            logprob: drawn.logprob,
            topLogprobs: drawn.topLogprobs?.map((alt) => ({
              token: this.lm.decode([alt.tokenId]),
              tokenId: alt.tokenId,
              logprob: alt.logprob,
            })),
          });
        }
        const action = budget.onToken(tokenText);
        if (stopped) {
          finishReason = 'stop';
          break;
        }
        if (generated.length >= maxTokens) break;
        if (action.action === 'force') {
          const forced = this.lm.encode(action.text);
          // The hand-off is free text: a grammar active here must see it too.
          for (const id of forced) options.constraint?.accept(id);
          generated.push(...forced);
          emitText(action.text);
          anchor = generated.length;
          await advance([drawn.tokenId, ...forced]);
        } else {
          await advance([drawn.tokenId]);
        }
      }
    } finally {
      if (ownKv) kv.dispose();
      lease.release();
    }

    const tail = stops.flush();
    if (tail) {
      text += tail;
      for (const event of parser.push(tail)) options.onChunk?.(event as ChatChunk);
    }
    const finished = parser.finish();
    for (const event of finished.events) options.onChunk?.(event as ChatChunk);
    const output = finished.result;
    if (finishReason === 'stop' && output.toolCalls.length > 0) finishReason = 'tool_calls';
    const ended = performance.now();
    return {
      tokenIds: generated,
      text,
      output,
      finishReason,
      promptTokens: prompt.length,
      cachedPromptTokens: cached,
      completionTokens: generated.length,
      reasoningTokens: budget.reasoningTokens,
      timeToFirstTokenMs: (firstTokenAt || ended) - started,
      prefillMs,
      decodeMs: ended - (firstTokenAt || ended),
      logprobs: wantLogprobs ? logprobs : undefined,
      ...(options.recordSteps ? { steps } : {}),
    };
  }
}

/** One channel for all yields: creating a MessageChannel per token costs more than the yield. */
let yieldChannel: MessageChannel | undefined;
const yieldWaiters: Array<() => void> = [];

/**
 * Lets pending events (abort messages, input, timers) run: a macrotask break, cheaply.
 * Not `scheduler.yield()`: its continuation is prioritised over waiting tasks, so a
 * worker's incoming abort message would still starve until generation ended.
 */
export function yieldToEventLoop(): Promise<void> {
  const g = globalThis as { setImmediate?: (fn: () => void) => void };
  if (typeof g.setImmediate === 'function') {
    return new Promise((resolve) => g.setImmediate?.(resolve));
  }
  if (typeof MessageChannel === 'function') {
    if (!yieldChannel) {
      yieldChannel = new MessageChannel();
      yieldChannel.port1.onmessage = () => yieldWaiters.shift()?.();
    }
    const channel = yieldChannel;
    return new Promise((resolve) => {
      yieldWaiters.push(resolve);
      channel.port2.postMessage(null);
    });
  }
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** Yields at most every `intervalMs`: responsive to aborts without a break per token. */
export class EventLoopYielder {
  private last = performance.now();
  constructor(private readonly intervalMs = 8) {}
  async maybeYield(): Promise<void> {
    const now = performance.now();
    if (now - this.last < this.intervalMs) return;
    await yieldToEventLoop();
    this.last = performance.now();
  }
}
