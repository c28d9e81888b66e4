/**
 * The engine-independent core of the model layer: the `ChatModel` contract, output parsing
 * (tool calls, thinking), sampling, stop strings and the KV prefix cache. Pure TypeScript:
 * no model, UI or graph runtime code, so it runs in Node, a Worker and the page. Engines
 * live in `./engines/` and import from here.
 */
export type {
  AssistantMessage,
  ChatChoice,
  ChatChunk,
  ChatModel,
  ChatModelInfo,
  ChatOptions,
  ChatResult,
  Device,
  Dtype,
  EngineName,
  FinalChunk,
  FinishReason,
  Message,
  ModelRef,
  ReasoningChunk,
  ResponseFormat,
  ThinkingOptions,
  TokenChunk,
  TokenLogprob,
  ToolCall,
  ToolCallDeltaChunk,
  ToolCallErrorKind,
  ToolChoice,
  ToolSpec,
  TopLogprob,
  Usage,
} from './types.js';
export {
  EngineUnavailableError,
  GenerationAbortedError,
  ModelLoadError,
  ToolCallParseError,
  collectChatStream,
  throwIfAborted,
  toMessageChunk,
} from './types.js';

export type { JsonSchema, JsonSchemaObject, JsonSchemaType, SchemaIssue } from './json-schema.js';
export { jsonEqual, validateJsonSchema } from './json-schema.js';

export type {
  AssistantOutput,
  AssistantOutputEvent,
  AssistantOutputOptions,
  ToolCallParseOptions,
  ToolCallParseResult,
  ToolCallStreamEvent,
} from './tool-calls.js';
export {
  AssistantOutputParser,
  TOOL_CALL_CLOSE,
  TOOL_CALL_OPEN,
  ToolCallStreamParser,
  newToolCallId,
  parseAssistantOutput,
  parseToolCalls,
} from './tool-calls.js';

export type {
  BudgetAction,
  BudgetPhase,
  ThinkingBudgetOptions,
  ThinkingParseOptions,
  ThinkingSplit,
  ThinkingStreamEvent,
} from './thinking.js';
export {
  DEFAULT_THINKING_HANDOFF,
  THINK_CLOSE,
  THINK_OPEN,
  ThinkingBudget,
  ThinkingStreamParser,
  splitThinking,
} from './thinking.js';

export type { Rng, SampleOptions, SampledToken, TokenAlternative, TokenMask } from './sampler.js';
export {
  Xoshiro128StarStar,
  argmax,
  createRng,
  logSoftmax,
  logSumExp,
  sample,
  selectTop,
} from './sampler.js';

export type { StopStringResult } from './stop-strings.js';
export { StopStringMatcher } from './stop-strings.js';

export type {
  LookupOptions,
  PrefixCacheEntryInfo,
  PrefixCacheOptions,
  PrefixCacheStats,
  PrefixLease,
  PrefixMatch,
  TokenSequence,
} from './kv-cache.js';
export { PrefixCache, bytesPerElement, kvBytes } from './kv-cache.js';
export type {
  KvCacheSnapshot,
  KvCacheTotals,
  KvPrefixNode,
  PromptReuse,
} from './kv-prefix-tree.js';
export {
  buildKvPrefixTree,
  flattenKvPrefixTree,
  kvCacheSnapshot,
  kvTotalsSince,
} from './kv-prefix-tree.js';
