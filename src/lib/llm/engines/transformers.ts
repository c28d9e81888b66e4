/**
 * The Transformers.js engine: loads a decoder (ONNX) and its tokenizer with
 * `@huggingface/transformers` on `webgpu` or `wasm` (or onnxruntime-node's CPU in Node),
 * and generates with our own decode loop over the model's forward pass (see
 * `decode-loop.ts`), so every result carries logprobs and continuations share prefilled
 * prefixes through the KV prefix cache.
 */
import {
  AutoModelForCausalLM,
  AutoTokenizer,
  Tensor,
  type PreTrainedModel,
  type PreTrainedTokenizer,
} from '@huggingface/transformers';
import {
  DecodeLoop,
  type CausalLM,
  type DecodeResult,
  type ForwardResult,
  type KvState,
} from '../decode-loop.js';
import { GrammarCompiler, vocabularyFromTokenizerJson, type ForcedOutput } from '../grammar.js';
import { bytesPerElement, kvBytes } from '../kv-cache.js';
import type { KvCacheSnapshot } from '../kv-prefix-tree.js';
import {
  GenerationAbortedError,
  collectChatStream,
  ModelLoadError,
  type ChatChoice,
  type ChatChunk,
  type ChatModel,
  type ChatModelInfo,
  type ChatOptions,
  type ChatResult,
  type Message,
  type Usage,
} from '../types.js';
import {
  configureTransformersEnvironment,
  type LoadProgress,
  type TransformersEnvironmentOptions,
} from './transformers-env.js';

export type { LoadProgress };

/** ONNX tensors of one KV state, named as the model's inputs (`past_key_values.{i}.key`). */
export interface OrtKvState extends KvState {
  tensors: Record<string, Tensor>;
}

interface DecoderConfig {
  vocab_size: number;
  num_hidden_layers: number;
  num_attention_heads: number;
  num_key_value_heads?: number;
  head_dim?: number;
  hidden_size: number;
  eos_token_id?: number | number[];
}

export interface TransformersModelOptions extends TransformersEnvironmentOptions {
  /** Hub repository id (`onnx-community/Qwen3-0.6B-ONNX`) or a local model folder name (`micro-agent`). */
  model: string;
  device?: 'webgpu' | 'wasm' | 'cpu';
  /** `fp32`, `fp16`, `q8`, `q4`, `q4f16`… (which ONNX file variant to load). */
  dtype?: string;
  /** Bytes the KV prefix cache may hold (default 256 MB). */
  kvBudgetBytes?: number;
  onProgress?: (progress: LoadProgress) => void;
}

function locationOf(tensor: Tensor): string {
  const ort = (tensor as unknown as { ort_tensor?: { location?: string } }).ort_tensor;
  return ort?.location ?? 'cpu';
}

/** Adapts a Transformers.js causal LM to the decode loop's `CausalLM`. */
export class TransformersCausalLM implements CausalLM<OrtKvState> {
  readonly vocabSize: number;
  readonly stopTokenIds: ReadonlySet<number>;
  readonly layers: number;
  readonly kvHeads: number;
  readonly headDim: number;
  /** Width of the final hidden state (what a head adapter reads). */
  readonly hiddenSize: number;

  constructor(
    readonly model: PreTrainedModel,
    readonly tokenizer: PreTrainedTokenizer,
    private readonly kvElementBytes = 4,
  ) {
    const config = model.config as unknown as DecoderConfig;
    this.vocabSize = config.vocab_size;
    this.layers = config.num_hidden_layers;
    this.kvHeads = config.num_key_value_heads ?? config.num_attention_heads;
    this.headDim = config.head_dim ?? config.hidden_size / config.num_attention_heads;
    this.hiddenSize = config.hidden_size;
    const stops = new Set<number>();
    const addIds = (ids: unknown) => {
      for (const id of Array.isArray(ids) ? ids : [ids]) if (typeof id === 'number') stops.add(id);
    };
    addIds(config.eos_token_id);
    addIds(
      (model as unknown as { generation_config?: { eos_token_id?: unknown } }).generation_config
        ?.eos_token_id,
    );
    addIds((tokenizer as unknown as { eos_token_id?: unknown }).eos_token_id);
    this.stopTokenIds = stops;
  }

  private kvState(tensors: Record<string, Tensor>, length: number): OrtKvState {
    let disposed = false;
    return {
      tensors,
      length,
      bytes: kvBytes({
        layers: this.layers,
        kvHeads: this.kvHeads,
        tokens: length,
        headDim: this.headDim,
        bytesPerElement: this.kvElementBytes,
      }),
      dispose: () => {
        if (disposed) return;
        disposed = true;
        for (const t of Object.values(tensors)) {
          // CPU tensors are garbage collected; GPU buffers must be freed explicitly.
          if (locationOf(t) !== 'cpu') (t as unknown as { dispose?: () => void }).dispose?.();
        }
      },
    };
  }

  async forward(
    tokens: readonly number[],
    past: OrtKvState | null,
    signal?: AbortSignal,
  ): Promise<ForwardResult<OrtKvState>> {
    if (signal?.aborted) throw new GenerationAbortedError(undefined, { cause: signal.reason });
    const pastLength = past?.length ?? 0;
    const n = tokens.length;
    const total = pastLength + n;
    const inputs: Record<string, unknown> = {
      input_ids: new Tensor(
        'int64',
        BigInt64Array.from(tokens, (t) => BigInt(t)),
        [1, n],
      ),
      attention_mask: new Tensor('int64', new BigInt64Array(total).fill(1n), [1, total]),
      position_ids: new Tensor(
        'int64',
        BigInt64Array.from({ length: n }, (_, i) => BigInt(pastLength + i)),
        [1, n],
      ),
      past_key_values: past ? { ...past.tensors } : null,
    };
    const outputs = (await this.model.forward(inputs)) as Record<string, Tensor>;
    const logitsTensor = outputs.logits;
    const vocab = logitsTensor.dims[logitsTensor.dims.length - 1];
    const data = logitsTensor.data as Float32Array;
    const logits = data.slice((n - 1) * vocab, n * vocab);
    const present: Record<string, Tensor> = {};
    for (const [name, tensor] of Object.entries(outputs)) {
      if (name.startsWith('present')) present[name.replace('present', 'past_key_values')] = tensor;
    }
    // The micro model also exports its final hidden state: head adapters and RL need it.
    const hiddenTensor = outputs.last_hidden_state;
    let hidden: Float32Array | undefined;
    if (hiddenTensor && locationOf(hiddenTensor) === 'cpu') {
      const width = hiddenTensor.dims[hiddenTensor.dims.length - 1];
      hidden = (hiddenTensor.data as Float32Array).slice((n - 1) * width, n * width);
    }
    return { logits, kv: this.kvState(present, total), hidden };
  }

  slice(kv: OrtKvState, length: number): OrtKvState | null {
    const sliced: Record<string, Tensor> = {};
    for (const [name, tensor] of Object.entries(kv.tensors)) {
      if (locationOf(tensor) !== 'cpu') return null;
      const [batch, heads, seq, dim] = tensor.dims;
      if (batch !== 1 || length > seq) return null;
      const src = tensor.data as Float32Array;
      const ctor = src.constructor as { new (size: number): Float32Array };
      const out = new ctor(heads * length * dim);
      for (let h = 0; h < heads; h++) {
        out.set(src.subarray(h * seq * dim, h * seq * dim + length * dim), h * length * dim);
      }
      sliced[name] = new Tensor(tensor.type, out, [1, heads, length, dim]);
    }
    return this.kvState(sliced, length);
  }

  encode(text: string): number[] {
    return this.tokenizer.encode(text, { add_special_tokens: false });
  }

  decode(ids: readonly number[]): string {
    return this.tokenizer.decode([...ids], {
      skip_special_tokens: false,
      clean_up_tokenization_spaces: false,
    });
  }
}

/** Messages as the chat template expects them (no reasoning replayed from history). */
function templateMessages(messages: readonly Message[]): Array<Record<string, unknown>> {
  return messages.map((m) => {
    const { reasoning: _reasoning, id: _id, ...rest } = m;
    return rest;
  });
}

/** A small async queue: the decode loop pushes chunks from callbacks, `stream()` yields them. */
class ChunkQueue {
  private items: ChatChunk[] = [];
  private wake: (() => void) | null = null;
  private closed = false;
  private failure: unknown = undefined;

  push(chunk: ChatChunk): void {
    this.items.push(chunk);
    this.wake?.();
  }
  close(error?: unknown): void {
    this.closed = true;
    this.failure = error;
    this.wake?.();
  }
  async *drain(): AsyncGenerator<ChatChunk> {
    while (true) {
      if (this.items.length) {
        yield this.items.shift() as ChatChunk;
        continue;
      }
      if (this.closed) break;
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = null;
    }
    if (this.failure !== undefined) throw this.failure;
  }
}

/** How one generation is constrained: by a grammar alone, or with forced text around it. */
interface GenerationConstraint {
  constraint: ForcedOutput['constraint'];
  prefix?: string;
  suffix?: string;
}

export class TransformersChatModel implements ChatModel {
  readonly info: ChatModelInfo;
  private grammar?: Promise<GrammarCompiler>;

  private constructor(
    readonly lm: TransformersCausalLM,
    readonly loop: DecodeLoop<OrtKvState>,
    info: ChatModelInfo,
  ) {
    this.info = info;
  }

  static async load(options: TransformersModelOptions): Promise<TransformersChatModel> {
    configureTransformersEnvironment(options);
    const device = options.device ?? 'wasm';
    const dtype = options.dtype ?? 'fp32';
    const progress_callback = options.onProgress
      ? (p: unknown) => options.onProgress?.(p as LoadProgress)
      : undefined;
    try {
      const [tokenizer, model] = await Promise.all([
        AutoTokenizer.from_pretrained(options.model, { progress_callback }),
        AutoModelForCausalLM.from_pretrained(options.model, {
          device: device as never,
          dtype: dtype as never,
          progress_callback,
        }),
      ]);
      const lm = new TransformersCausalLM(
        model,
        tokenizer,
        bytesPerElement(dtype === 'fp16' || dtype === 'q4f16' ? 'fp16' : 'fp32'),
      );
      const loop = new DecodeLoop(lm, { kvBudgetBytes: options.kvBudgetBytes });
      return new TransformersChatModel(lm, loop, {
        engine: 'transformers',
        model: options.model,
        device,
        dtype,
      });
    } catch (error) {
      throw new ModelLoadError(
        'transformers',
        options.model,
        `Could not load ${options.model} with Transformers.js on ${device}: ${(error as Error)?.message ?? error}`,
        { cause: error },
      );
    }
  }

  /** XGrammar compiled against this model's vocabulary (built on first use). */
  grammarCompiler(): Promise<GrammarCompiler> {
    this.grammar ??= (async () => {
      const json = (this.lm.tokenizer as unknown as { _tokenizerJSON?: unknown })._tokenizerJSON;
      if (!json)
        throw new Error(
          'This tokenizer does not expose its tokenizer.json; grammars are unavailable.',
        );
      return GrammarCompiler.create(
        vocabularyFromTokenizerJson(json as never, this.lm.vocabSize, [...this.lm.stopTokenIds]),
      );
    })();
    return this.grammar;
  }

  /** The grammar (if any) that options ask for: a response format, a forced or a free tool choice. */
  private async constraintFor(options: ChatOptions): Promise<GenerationConstraint | undefined> {
    if (options.constrainedDecoding === false) return undefined;
    const format = options.responseFormat;
    if (format && format.type !== 'text') {
      const grammar = await this.grammarCompiler();
      const constraint = await grammar.jsonSchema(
        format.type === 'json_schema' ? format.schema : undefined,
      );
      return { constraint };
    }
    const tools = options.tools;
    if (!tools?.length || options.toolChoice === 'none') return undefined;
    const grammar = await this.grammarCompiler();
    if (options.toolChoice === 'required' || typeof options.toolChoice === 'object') {
      const name = typeof options.toolChoice === 'object' ? options.toolChoice.name : undefined;
      const forced = await grammar.forcedToolCall(tools, name);
      return {
        constraint: forced.constraint,
        prefix: forced.prefix,
        suffix: forced.suffix,
      };
    }
    return { constraint: await grammar.triggeredToolCalls(tools) };
  }

  /** The prompt text the chat template renders for these messages and options. */
  renderPrompt(messages: readonly Message[], options: ChatOptions = {}): string {
    const tools = options.toolChoice === 'none' ? undefined : options.tools;
    const rendered = this.lm.tokenizer.apply_chat_template(
      templateMessages(messages) as never,
      {
        tools: tools as never,
        add_generation_prompt: true,
        tokenize: false,
        enable_thinking: options.thinking?.enabled ?? true,
      } as never,
    );
    return rendered as unknown as string;
  }

  invoke(messages: readonly Message[], options: ChatOptions = {}): Promise<ChatResult> {
    return collectChatStream(this.stream(messages, options));
  }

  stream(messages: readonly Message[], options: ChatOptions = {}): AsyncIterable<ChatChunk> {
    const queue = new ChunkQueue();
    this.run(messages, options, queue).then(
      () => queue.close(),
      (error) => queue.close(error),
    );
    return queue.drain();
  }

  private async run(
    messages: readonly Message[],
    options: ChatOptions,
    queue: ChunkQueue,
  ): Promise<void> {
    // A forced output (tool call, JSON) starts at once: render the prompt without thinking.
    // Known from the options alone; the matchers themselves are built per completion below.
    const forcedOutput =
      options.constrainedDecoding !== false &&
      ((options.responseFormat !== undefined && options.responseFormat.type !== 'text') ||
        (!!options.tools?.length &&
          (options.toolChoice === 'required' || typeof options.toolChoice === 'object')));
    const renderOptions = forcedOutput ? { ...options, thinking: { enabled: false } } : options;
    const prompt = this.renderPrompt(messages, renderOptions);
    const ids = this.lm.encode(prompt);
    const startsInThinking = /<think>\s*$/.test(prompt);
    const n = Math.max(1, options.n ?? 1);
    const choices: ChatChoice[] = [];
    const results: DecodeResult[] = [];
    for (let choice = 0; choice < n; choice++) {
      // A matcher is stateful: one per completion (compiled grammars are cached).
      const constrained = await this.constraintFor(options);
      const result = await this.loop
        .generate(ids, {
          constraint: constrained?.constraint,
          forcedPrefix: constrained?.prefix,
          suffixOnTermination: constrained?.suffix,
          maxTokens: options.maxTokens,
          temperature: options.temperature ?? 0,
          topK: options.topK,
          topP: options.topP,
          seed: (options.seed ?? 0) + choice,
          stop: options.stop,
          logprobs: options.logprobs,
          thinkingBudget:
            options.thinking?.enabled === false ? undefined : options.thinking?.budgetTokens,
          startsInThinking,
          tools: options.toolChoice === 'none' ? undefined : options.tools,
          signal: options.signal,
          onChunk: (chunk) => queue.push(n > 1 ? ({ ...chunk, choice } as ChatChunk) : chunk),
        })
        .finally(() => constrained?.constraint.dispose());
      results.push(result);
      const output = result.output;
      choices.push({
        message: {
          role: 'assistant',
          content: output.content,
          ...(output.reasoning !== undefined ? { reasoning: output.reasoning } : {}),
          ...(output.toolCalls.length ? { tool_calls: output.toolCalls } : {}),
        },
        finishReason: result.finishReason,
        ...(output.errors.length ? { toolCallErrors: output.errors } : {}),
        ...(result.logprobs ? { logprobs: result.logprobs } : {}),
      });
    }
    queue.push({
      type: 'final',
      ...choices[0],
      usage: this.usage(results),
      ...(n > 1 ? { choices } : {}),
    });
  }

  private usage(results: DecodeResult[]): Usage {
    const sum = (f: (r: DecodeResult) => number) => results.reduce((s, r) => s + f(r), 0);
    const prefilled = sum((r) => r.promptTokens - r.cachedPromptTokens);
    const prefillMs = sum((r) => r.prefillMs);
    const decoded = sum((r) => Math.max(0, r.completionTokens - 1));
    const decodeMs = sum((r) => r.decodeMs);
    return {
      promptTokens: sum((r) => r.promptTokens),
      completionTokens: sum((r) => r.completionTokens),
      reasoningTokens: sum((r) => r.reasoningTokens),
      cachedPromptTokens: sum((r) => r.cachedPromptTokens),
      timeToFirstTokenMs: results[0]?.timeToFirstTokenMs ?? 0,
      prefillTokensPerSecond: prefillMs > 0 ? (prefilled / prefillMs) * 1000 : 0,
      decodeTokensPerSecond: decodeMs > 0 ? (decoded / decodeMs) * 1000 : 0,
      engine: 'transformers',
      model: this.info.model,
      dtype: this.info.dtype,
      device: this.info.device,
    };
  }

  async kvSnapshot(): Promise<KvCacheSnapshot> {
    return this.loop.kvSnapshot();
  }

  async dispose(): Promise<void> {
    this.loop.cache.clear();
    await (this.lm.model as unknown as { dispose?: () => Promise<void> }).dispose?.();
  }
}
