/**
 * The contract between graph nodes and model engines: one `ChatModel` interface that the
 * WebLLM, Transformers.js and OpenAI-compatible engines all implement, its options,
 * streamed chunks, usage numbers and typed errors.
 *
 * Pure types and small error classes only: this module runs unchanged in Node, a Worker
 * and the page. Messages are the graph's plain OpenAI-style objects so a result can be
 * written to state (and checkpointed) as is.
 */
import type { Message, ToolCall } from '../graph/messages.js';
import type { JsonSchema } from './json-schema.js';
import type { KvCacheSnapshot } from './kv-prefix-tree.js';

export type { Message, ToolCall, JsonSchema };

// ---------------------------------------------------------------------------------------
// Engine selection
// ---------------------------------------------------------------------------------------

export type EngineName = 'transformers' | 'webllm' | 'openai';

/** Where a model runs. `wasm` is the CPU path of onnxruntime-web. */
export type Device = 'webgpu' | 'wasm' | 'cpu' | 'remote' | (string & {});

/** Weight precision as engines name it (`q4f16`, `fp16`, `q4`, `q8`, `fp32`…). */
export type Dtype = string;

/**
 * Which model a node uses, by config: a demo can mix a small fast model with a stronger
 * judge by giving each node its own `ModelRef`.
 */
export interface ModelRef {
  engine: EngineName;
  /** Engine-specific model id: a hub repo, a WebLLM model id, or the endpoint's model name. */
  model: string;
  device?: Device;
  dtype?: Dtype;
  /** OpenAI-compatible endpoint only, e.g. `http://localhost:11434/v1`. */
  baseUrl?: string;
  /** OpenAI-compatible endpoint only. Never persisted by the core; the caller owns it. */
  apiKey?: string;
}

// ---------------------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------------------

/** An OpenAI function tool spec; `parameters` is a JSON schema for the arguments object. */
export interface ToolSpec {
  type: 'function';
  function: {
    name: string;
    description?: string;
    parameters?: JsonSchema;
  };
}

/**
 * `auto`: the model decides; `none`: no tool calls (tools may still be described);
 * `required`: at least one call; `{name}`: exactly that tool.
 */
export type ToolChoice = 'auto' | 'none' | 'required' | { name: string };

export type ResponseFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | { type: 'json_schema'; schema: JsonSchema; name?: string };

export interface ThinkingOptions {
  /** `false` uses the model's own switch (Qwen3 `enable_thinking: false`). */
  enabled: boolean;
  /**
   * Most reasoning tokens before the trace is closed with a hand-off sentence and
   * `</think>` and the answer continues (see `ThinkingBudget`). Unlimited if absent.
   */
  budgetTokens?: number;
}

export interface ChatOptions {
  tools?: ToolSpec[];
  toolChoice?: ToolChoice;
  responseFormat?: ResponseFormat;
  /** 0 = greedy. Engine default if absent (usually 0.7 or the model's generation config). */
  temperature?: number;
  topP?: number;
  /** 0 or absent = no top-k truncation. */
  topK?: number;
  /** Most completion tokens, reasoning included. */
  maxTokens?: number;
  /** Generation stops before the first occurrence of any of these; it is not included. */
  stop?: string[];
  /** Same seed, same prompt, same engine and model → same tokens. */
  seed?: number;
  /** Number of completions (see `ChatResult.choices`). Default 1. */
  n?: number;
  /** `true`: the chosen token's logprob; a number k: also the top-k alternatives. */
  logprobs?: boolean | number;
  thinking?: ThinkingOptions;
  /**
   * Grammar-constrained decoding where the engine supports it (Transformers.js): tool calls
   * that parse and match their schema, `responseFormat` that matches. Default true.
   */
  constrainedDecoding?: boolean;
  /** Aborts promptly; the stream then ends with `finishReason: 'abort'` or throws `GenerationAbortedError`. */
  signal?: AbortSignal;
}

// ---------------------------------------------------------------------------------------
// Results
// ---------------------------------------------------------------------------------------

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'abort' | 'error';

export interface Usage {
  promptTokens: number;
  /** Every generated token, reasoning and forced hand-off tokens included. */
  completionTokens: number;
  /** The part of `completionTokens` inside `<think>…</think>`. */
  reasoningTokens: number;
  /** Prompt tokens whose KV came from the prefix cache instead of being prefilled. */
  cachedPromptTokens: number;
  timeToFirstTokenMs: number;
  /** Prefilled (not cached) prompt tokens per second. */
  prefillTokensPerSecond: number;
  /** Completion tokens per second after the first token. */
  decodeTokensPerSecond: number;
  engine: EngineName;
  model: string;
  dtype?: Dtype;
  device?: Device;
}

export interface TopLogprob {
  token: string;
  tokenId?: number;
  logprob: number;
}

/** One generated token with its log-probability (see `sample()` for which distribution). */
export interface TokenLogprob extends TopLogprob {
  topLogprobs?: TopLogprob[];
}

/** An assistant message as a model returns it. */
export interface AssistantMessage extends Message {
  role: 'assistant';
  content: string;
  reasoning?: string;
  tool_calls?: ToolCall[];
}

/** One completion. With `n` > 1 a result has several. */
export interface ChatChoice {
  message: AssistantMessage;
  finishReason: FinishReason;
  /** Tool calls the model tried to make but got wrong; feed `message` back as an observation. */
  toolCallErrors?: ToolCallParseError[];
  logprobs?: TokenLogprob[];
}

/** What `invoke()` returns: the first completion's fields, plus all of them in `choices` when n > 1. */
export interface ChatResult extends ChatChoice {
  /** Summed over all choices when n > 1. */
  usage: Usage;
  /** Present when n > 1; `choices[0]` is the same completion as the top-level fields. */
  choices?: ChatChoice[];
}

// ---------------------------------------------------------------------------------------
// Streaming
// ---------------------------------------------------------------------------------------

/** Fields every streamed chunk may carry. `choice` is the completion index (n > 1), default 0. */
interface ChunkBase {
  choice?: number;
}

/** Visible answer text (outside `<think>` and outside tool calls). */
export interface TokenChunk extends ChunkBase {
  type: 'token';
  text: string;
  tokenId?: number;
  logprob?: number;
}

export interface ReasoningChunk extends ChunkBase {
  type: 'reasoning';
  text: string;
}

/**
 * A piece of a tool call while it streams. `index` is the ordinal of the `<tool_call>`
 * block in the output. The concatenated `argumentsDelta`s are the raw text the model wrote,
 * for live display; the final message's `tool_calls` (normalised JSON, validated) are
 * authoritative, and a block that fails to parse appears in `toolCallErrors` instead.
 */
export interface ToolCallDeltaChunk extends ChunkBase {
  type: 'tool_call_delta';
  index: number;
  id?: string;
  name?: string;
  argumentsDelta?: string;
}

/** Always the last chunk of a stream, exactly once. */
export interface FinalChunk extends ChatResult {
  type: 'final';
}

export type ChatChunk = TokenChunk | ReasoningChunk | ToolCallDeltaChunk | FinalChunk;

// ---------------------------------------------------------------------------------------
// The interface
// ---------------------------------------------------------------------------------------

export interface ChatModelInfo {
  engine: EngineName;
  model: string;
  dtype?: Dtype;
  device?: Device;
}

export interface ChatModel {
  readonly info: ChatModelInfo;
  invoke(messages: readonly Message[], options?: ChatOptions): Promise<ChatResult>;
  /** Token, reasoning and tool-call chunks, then exactly one `final` chunk. */
  stream(messages: readonly Message[], options?: ChatOptions): AsyncIterable<ChatChunk>;
  /** The engine's KV prefix cache as a tree with totals, for engines that run our decode loop. */
  kvSnapshot?(): Promise<KvCacheSnapshot>;
  /** Frees weights and caches. The model is unusable afterwards. */
  dispose?(): Promise<void>;
}

/**
 * Runs `stream` to its end and returns the final result, for engines that implement
 * `invoke()` on top of `stream()`.
 */
export async function collectChatStream(chunks: AsyncIterable<ChatChunk>): Promise<ChatResult> {
  let final: FinalChunk | undefined;
  for await (const chunk of chunks) {
    if (chunk.type === 'final') final = chunk;
  }
  if (!final) throw new Error('The model stream ended without a final chunk.');
  const { type: _type, ...result } = final;
  return result;
}

/**
 * The `messages` stream-mode chunk for a streamed model chunk (`runtime.writeMessage`), or
 * undefined for the final chunk (the node returns the final message as its state update).
 * Structurally the graph's `MessageChunk`; typed locally so `lib/llm` needs no graph code.
 */
export function toMessageChunk(
  chunk: ChatChunk,
  messageId: string,
):
  | {
      id: string;
      role: 'assistant';
      content?: string;
      reasoning?: string;
      tool_call_chunks?: Array<{ index: number; id?: string; name?: string; args?: string }>;
    }
  | undefined {
  switch (chunk.type) {
    case 'token':
      return { id: messageId, role: 'assistant', content: chunk.text };
    case 'reasoning':
      return { id: messageId, role: 'assistant', reasoning: chunk.text };
    case 'tool_call_delta':
      return {
        id: messageId,
        role: 'assistant',
        tool_call_chunks: [
          { index: chunk.index, id: chunk.id, name: chunk.name, args: chunk.argumentsDelta },
        ],
      };
    case 'final':
      return undefined;
  }
}

// ---------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------

export type ToolCallErrorKind =
  /** `<tool_call>` with no `</tool_call>` before the output ended. */
  | 'unclosed_tag'
  /** `</tool_call>` with no `<tool_call>` before it. */
  | 'unexpected_close_tag'
  | 'invalid_json'
  /** Valid JSON, but not an object like `{"name": …, "arguments": {…}}`. */
  | 'not_an_object'
  | 'missing_name'
  /** The name is not one of the offered tools. */
  | 'unknown_tool'
  /** Arguments are not an object, not parseable, or do not match the tool's schema. */
  | 'invalid_arguments';

/**
 * A tool call the model got wrong. `message` is phrased to the model, so an agent can
 * return it as the tool observation and let the model try again.
 */
export class ToolCallParseError extends Error {
  readonly kind: ToolCallErrorKind;
  /** The text the model wrote for this call (inside the tags where there were tags). */
  readonly raw: string;
  /** Ordinal of the `<tool_call>` block in the output (matches `tool_call_delta.index`). */
  readonly index: number;
  readonly toolName?: string;
  /** Schema violations, one line each, for `invalid_arguments`. */
  readonly issues?: string[];

  constructor(
    kind: ToolCallErrorKind,
    message: string,
    details: { raw: string; index: number; toolName?: string; issues?: string[] },
  ) {
    super(message);
    this.name = 'ToolCallParseError';
    this.kind = kind;
    this.raw = details.raw;
    this.index = details.index;
    this.toolName = details.toolName;
    this.issues = details.issues;
  }

  /** Plain data for checkpoints and worker messages (errors do not survive structured clone intact). */
  toJSON(): {
    name: string;
    kind: ToolCallErrorKind;
    message: string;
    raw: string;
    index: number;
    toolName?: string;
    issues?: string[];
  } {
    return {
      name: this.name,
      kind: this.kind,
      message: this.message,
      raw: this.raw,
      index: this.index,
      toolName: this.toolName,
      issues: this.issues,
    };
  }
}

/** Weights or tokenizer could not be loaded (network, quota, missing files, bad format). */
export class ModelLoadError extends Error {
  readonly model: string;
  readonly engine: EngineName;
  constructor(engine: EngineName, model: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ModelLoadError';
    this.engine = engine;
    this.model = model;
  }
}

/**
 * The engine cannot run here (no WebGPU, no `shader-f16`, no cross-origin isolation…).
 * `explanation` is for the user; `alternatives` are engines or devices that would work.
 */
export class EngineUnavailableError extends Error {
  readonly engine: EngineName;
  readonly explanation: string;
  readonly alternatives: Array<{ engine: EngineName; device?: Device; reason: string }>;
  constructor(
    engine: EngineName,
    explanation: string,
    alternatives: Array<{ engine: EngineName; device?: Device; reason: string }> = [],
  ) {
    const suggestion = alternatives.length
      ? ' Try instead: ' +
        alternatives
          .map((a) => `${a.engine}${a.device ? ` on ${a.device}` : ''} (${a.reason})`)
          .join('; ') +
        '.'
      : '';
    super(`${engine} is not available: ${explanation}${suggestion}`);
    this.name = 'EngineUnavailableError';
    this.engine = engine;
    this.explanation = explanation;
    this.alternatives = alternatives;
  }
}

/** The caller's `signal` aborted generation. `name` is 'AbortError' like the platform's. */
export class GenerationAbortedError extends Error {
  constructor(message = 'Generation was aborted.', options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AbortError';
  }
}

/** Throws `GenerationAbortedError` if `signal` has aborted; call it between decode steps. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new GenerationAbortedError(undefined, { cause: signal.reason });
}
