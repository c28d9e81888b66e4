/**
 * The OpenAI chat-completions wire format, both ways: our messages and options as a
 * request body, and streamed `chat.completion.chunk`s as our `ChatChunk`s. The remote
 * endpoint engine and WebLLM (whose API mirrors OpenAI's) share it.
 *
 * Replies may carry tool calls natively (`delta.tool_calls`) or, from servers without a
 * tool parser, as `<tool_call>` text in the content; reasoning may come as
 * `reasoning_content` or as `<think>` text. All four paths end in the same final message.
 */
import { validateJsonSchema } from './json-schema.js';
import { AssistantOutputParser, parseJsonLenientControls } from './tool-calls.js';
import {
  ToolCallParseError,
  type AssistantMessage,
  type ChatChoice,
  type ChatChunk,
  type ChatModelInfo,
  type ChatOptions,
  type FinalChunk,
  type FinishReason,
  type Message,
  type TokenLogprob,
  type ToolCall,
  type ToolSpec,
  type Usage,
} from './types.js';

export interface OpenAIRequestMessage {
  role: string;
  content: string | null;
  name?: string;
  tool_calls?: ToolCall[];
  tool_call_id?: string;
}

export interface OpenAIChatRequest {
  model: string;
  messages: OpenAIRequestMessage[];
  stream: boolean;
  stream_options?: { include_usage: boolean };
  tools?: ToolSpec[];
  tool_choice?: 'auto' | 'none' | 'required' | { type: 'function'; function: { name: string } };
  response_format?:
    | { type: 'json_object' }
    | { type: 'json_schema'; json_schema: { name: string; schema: unknown; strict: boolean } };
  temperature?: number;
  top_p?: number;
  top_k?: number;
  max_tokens?: number;
  stop?: string[];
  seed?: number;
  n?: number;
  logprobs?: boolean;
  top_logprobs?: number;
  /** Understood by vLLM, SGLang and llama.cpp: Qwen3's thinking switch. */
  chat_template_kwargs?: { enable_thinking: boolean };
}

export function toOpenAIRequest(
  model: string,
  messages: readonly Message[],
  options: ChatOptions,
  stream: boolean,
): OpenAIChatRequest {
  const request: OpenAIChatRequest = {
    model,
    messages: messages.map((m) => {
      const out: OpenAIRequestMessage = { role: m.role, content: m.content ?? '' };
      if (m.name) out.name = m.name;
      if (m.tool_call_id) out.tool_call_id = m.tool_call_id;
      if (m.tool_calls?.length) {
        out.tool_calls = m.tool_calls.map((c) => ({
          ...c,
          function: {
            name: c.function.name,
            arguments:
              typeof c.function.arguments === 'string'
                ? c.function.arguments
                : JSON.stringify(c.function.arguments),
          },
        }));
        if (!m.content) out.content = null;
      }
      return out;
    }),
    stream,
  };
  if (stream) request.stream_options = { include_usage: true };
  if (options.tools?.length) request.tools = [...options.tools];
  if (options.toolChoice) {
    request.tool_choice =
      typeof options.toolChoice === 'string'
        ? options.toolChoice
        : { type: 'function', function: { name: options.toolChoice.name } };
  }
  const format = options.responseFormat;
  if (format?.type === 'json_object') request.response_format = { type: 'json_object' };
  if (format?.type === 'json_schema') {
    request.response_format = {
      type: 'json_schema',
      json_schema: { name: format.name ?? 'response', schema: format.schema, strict: true },
    };
  }
  if (options.temperature !== undefined) request.temperature = options.temperature;
  if (options.topP !== undefined) request.top_p = options.topP;
  if (options.topK) request.top_k = options.topK;
  if (options.maxTokens !== undefined) request.max_tokens = options.maxTokens;
  if (options.stop?.length) request.stop = [...options.stop];
  if (options.seed !== undefined) request.seed = options.seed;
  if (options.n !== undefined && options.n !== 1) request.n = options.n;
  if (options.logprobs) {
    request.logprobs = true;
    if (typeof options.logprobs === 'number') request.top_logprobs = options.logprobs;
  }
  if (options.thinking)
    request.chat_template_kwargs = { enable_thinking: options.thinking.enabled };
  return request;
}

/** One streamed chunk as servers send it (fields we read). */
export interface OpenAIStreamChunk {
  choices?: Array<{
    index?: number;
    delta?: {
      content?: string | null;
      reasoning_content?: string | null;
      reasoning?: string | null;
      tool_calls?: Array<{
        index?: number;
        id?: string;
        function?: { name?: string; arguments?: string };
      }>;
    };
    logprobs?: {
      content?: Array<{
        token: string;
        logprob: number;
        top_logprobs?: Array<{ token: string; logprob: number }>;
      }> | null;
    } | null;
    finish_reason?: string | null;
  }>;
  usage?: {
    prompt_tokens?: number;
    completion_tokens?: number;
    completion_tokens_details?: { reasoning_tokens?: number };
    prompt_tokens_details?: { cached_tokens?: number };
  } | null;
}

interface NativeCall {
  id?: string;
  name: string;
  args: string;
}

interface ChoiceState {
  parser: AssistantOutputParser;
  nativeReasoning: string;
  native: Map<number, NativeCall>;
  finishReason?: string;
  logprobs: TokenLogprob[];
}

/** A tool call the server parsed natively, checked like a prompt-based one. */
function checkNativeCall(
  call: NativeCall,
  index: number,
  tools: readonly ToolSpec[] | undefined,
): ToolCall | ToolCallParseError {
  const raw = JSON.stringify({ name: call.name, arguments: call.args });
  const tool = tools?.find((t) => t.function.name === call.name);
  if (tools && !tool) {
    return new ToolCallParseError(
      'unknown_tool',
      `There is no tool named "${call.name}". Available tools: ${tools.map((t) => t.function.name).join(', ')}.`,
      { raw, index, toolName: call.name },
    );
  }
  let args: unknown;
  try {
    args = call.args.trim() === '' ? {} : parseJsonLenientControls(call.args);
  } catch {
    return new ToolCallParseError(
      'invalid_arguments',
      `The arguments of "${call.name}" are not valid JSON: ${call.args.slice(0, 200)}`,
      { raw, index, toolName: call.name },
    );
  }
  if (typeof args !== 'object' || args === null || Array.isArray(args)) {
    return new ToolCallParseError(
      'invalid_arguments',
      `The arguments of "${call.name}" must be a JSON object.`,
      {
        raw,
        index,
        toolName: call.name,
      },
    );
  }
  const schema = tool?.function.parameters;
  if (schema) {
    const issues = validateJsonSchema(args, schema, 'arguments');
    if (issues.length) {
      const lines = issues.map((i) => `${i.path}: ${i.message}`);
      return new ToolCallParseError(
        'invalid_arguments',
        `The arguments of "${call.name}" do not match its schema: ${lines.join('; ')}.`,
        { raw, index, toolName: call.name, issues: lines },
      );
    }
  }
  return {
    id: call.id ?? `call_${index}`,
    type: 'function',
    function: { name: call.name, arguments: JSON.stringify(args) },
  };
}

function finishReasonOf(reason: string | undefined, hasToolCalls: boolean): FinishReason {
  if (hasToolCalls) return 'tool_calls';
  if (reason === 'length') return 'length';
  if (reason === 'tool_calls' || reason === 'function_call') return 'tool_calls';
  return 'stop';
}

/** Folds streamed chunks into `ChatChunk`s and, at the end, the final choices. */
export class OpenAIStreamAccumulator {
  private readonly choices = new Map<number, ChoiceState>();
  usage: OpenAIStreamChunk['usage'] = null;

  constructor(private readonly tools?: readonly ToolSpec[]) {}

  private state(index: number): ChoiceState {
    let s = this.choices.get(index);
    if (!s) {
      s = {
        parser: new AssistantOutputParser({ tools: this.tools }),
        nativeReasoning: '',
        native: new Map(),
        logprobs: [],
      };
      this.choices.set(index, s);
    }
    return s;
  }

  push(chunk: OpenAIStreamChunk): ChatChunk[] {
    const out: ChatChunk[] = [];
    if (chunk.usage) this.usage = chunk.usage;
    for (const choice of chunk.choices ?? []) {
      const index = choice.index ?? 0;
      const s = this.state(index);
      const tag = index === 0 ? {} : { choice: index };
      const delta = choice.delta ?? {};
      const reasoning = delta.reasoning_content ?? delta.reasoning;
      if (reasoning) {
        s.nativeReasoning += reasoning;
        out.push({ type: 'reasoning', text: reasoning, ...tag });
      }
      if (delta.content) {
        for (const event of s.parser.push(delta.content))
          out.push({ ...event, ...tag } as ChatChunk);
      }
      for (const call of delta.tool_calls ?? []) {
        const at = call.index ?? 0;
        const existing = s.native.get(at) ?? { name: '', args: '' };
        if (call.id) existing.id = call.id;
        if (call.function?.name) existing.name += call.function.name;
        if (call.function?.arguments) existing.args += call.function.arguments;
        s.native.set(at, existing);
        out.push({
          type: 'tool_call_delta',
          index: at,
          ...(call.id ? { id: call.id } : {}),
          ...(call.function?.name ? { name: call.function.name } : {}),
          ...(call.function?.arguments ? { argumentsDelta: call.function.arguments } : {}),
          ...tag,
        });
      }
      for (const lp of choice.logprobs?.content ?? []) {
        s.logprobs.push({
          token: lp.token,
          logprob: lp.logprob,
          topLogprobs: lp.top_logprobs?.map((t) => ({ token: t.token, logprob: t.logprob })),
        });
      }
      if (choice.finish_reason) s.finishReason = choice.finish_reason;
    }
    return out;
  }

  /** Remaining events and the final choices, in index order. */
  finish(): { events: ChatChunk[]; choices: ChatChoice[] } {
    const events: ChatChunk[] = [];
    const choices: ChatChoice[] = [];
    const indexes = [...this.choices.keys()].sort((a, b) => a - b);
    if (indexes.length === 0) indexes.push(0);
    for (const index of indexes) {
      const s = this.state(index);
      const finished = s.parser.finish();
      for (const e of finished.events)
        events.push({ ...e, ...(index ? { choice: index } : {}) } as ChatChunk);
      const output = finished.result;
      const toolCalls: ToolCall[] = [...output.toolCalls];
      const errors: ToolCallParseError[] = [...output.errors];
      for (const [at, call] of [...s.native.entries()].sort((a, b) => a[0] - b[0])) {
        const checked = checkNativeCall(call, at, this.tools);
        if (checked instanceof ToolCallParseError) errors.push(checked);
        else toolCalls.push(checked);
      }
      const reasoning = s.nativeReasoning.trim() || output.reasoning;
      const message: AssistantMessage = {
        role: 'assistant',
        content: output.content,
        ...(reasoning ? { reasoning } : {}),
        ...(toolCalls.length ? { tool_calls: toolCalls } : {}),
      };
      choices.push({
        message,
        finishReason: finishReasonOf(s.finishReason, toolCalls.length > 0),
        ...(errors.length ? { toolCallErrors: errors } : {}),
        ...(s.logprobs.length ? { logprobs: s.logprobs } : {}),
      });
    }
    return { events, choices };
  }

  /** Token counts from the server's usage block (zeros when it sent none). */
  tokenCounts(): Pick<
    Usage,
    'promptTokens' | 'completionTokens' | 'reasoningTokens' | 'cachedPromptTokens'
  > {
    return {
      promptTokens: this.usage?.prompt_tokens ?? 0,
      completionTokens: this.usage?.completion_tokens ?? 0,
      reasoningTokens: this.usage?.completion_tokens_details?.reasoning_tokens ?? 0,
      cachedPromptTokens: this.usage?.prompt_tokens_details?.cached_tokens ?? 0,
    };
  }
}

/**
 * The closing chunks of a stream read from an OpenAI-format source: what the parsers still
 * held, then the final chunk with usage. Timing is what the client saw: a remote server's
 * prefill is not observable, so the time to first token stands in for it.
 */
export function finishOpenAIStream(
  accumulator: OpenAIStreamAccumulator,
  timing: { started: number; firstTokenAt: number },
  info: ChatModelInfo,
): ChatChunk[] {
  const { events, choices } = accumulator.finish();
  const ended = performance.now();
  const { started, firstTokenAt } = timing;
  const counts = accumulator.tokenCounts();
  const decodeSeconds = firstTokenAt ? (ended - firstTokenAt) / 1000 : 0;
  const final: FinalChunk = {
    type: 'final',
    ...choices[0],
    usage: {
      ...counts,
      timeToFirstTokenMs: (firstTokenAt || ended) - started,
      prefillTokensPerSecond: firstTokenAt
        ? (counts.promptTokens / (firstTokenAt - started)) * 1000
        : 0,
      decodeTokensPerSecond:
        decodeSeconds > 0 ? Math.max(0, counts.completionTokens - 1) / decodeSeconds : 0,
      ...info,
    },
    ...(choices.length > 1 ? { choices } : {}),
  };
  return [...events, final];
}
