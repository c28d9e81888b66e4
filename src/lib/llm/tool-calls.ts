/**
 * Tool calls written by small open models in the Qwen/Hermes convention:
 *
 *     Let me check.<tool_call>{"name": "get_weather", "arguments": {"city": "Paris"}}</tool_call>
 *
 * Parsing is strict and total: every input gives `{content, toolCalls, errors}`, nothing
 * throws, and each malformed call becomes a `ToolCallParseError` whose message an agent can
 * return to the model as an observation.
 *
 * One incremental state machine does the work for both batch and streaming, so a stream
 * split anywhere gives exactly the batch result. Inside a call it tracks JSON strings, so
 * braces or a literal `</tool_call>` inside a string value do not end the call.
 */
import { validateJsonSchema } from './json-schema.js';
import { ThinkingStreamParser, type ThinkingStreamEvent } from './thinking.js';
import { ToolCallParseError, type ToolCall, type ToolSpec } from './types.js';

export const TOOL_CALL_OPEN = '<tool_call>';
export const TOOL_CALL_CLOSE = '</tool_call>';

export interface ToolCallParseOptions {
  /** Offered tools: names are checked and arguments validated against `parameters`. */
  tools?: readonly ToolSpec[];
  /** Id for the call in block `index` (default `call_` + random characters). */
  idFactory?: (index: number) => string;
}

export interface ToolCallParseResult {
  /** Text outside the calls, trimmed. */
  content: string;
  /** Calls that parsed and validated, in output order, arguments as a JSON string. */
  toolCalls: ToolCall[];
  errors: ToolCallParseError[];
}

/** Events while streaming: visible text, or a piece of a tool call. */
export type ToolCallStreamEvent =
  | { type: 'text'; text: string }
  | { type: 'tool_call_delta'; index: number; id?: string; name?: string; argumentsDelta?: string };

/** Parses every `<tool_call>` block in `text`. Never throws. */
export function parseToolCalls(
  text: string,
  options: ToolCallParseOptions = {},
): ToolCallParseResult {
  const parser = new ToolCallStreamParser(options);
  parser.push(text);
  return parser.finish().result;
}

/** A random id like OpenAI's `call_…`, from `crypto` where available. */
export function newToolCallId(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = new Uint8Array(24);
  if (globalThis.crypto?.getRandomValues) globalThis.crypto.getRandomValues(bytes);
  else for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
  let id = 'call_';
  for (const b of bytes) id += alphabet[b % alphabet.length];
  return id;
}

/** The canonical Hermes prefix up to the first character of the arguments value, for live deltas. */
const CANONICAL_PREFIX = /^\s*\{\s*"name"\s*:\s*"((?:[^"\\]|\\.)*)"\s*,\s*"arguments"\s*:\s*(?=\S)/;
const NAME_FIRST = /^\s*\{\s*"name"\s*:\s*"((?:[^"\\]|\\.)*)"/;

interface OpenCall {
  index: number;
  id: string;
  /** Body text so far (without the tags). */
  raw: string;
  inString: boolean;
  escaped: boolean;
  nameSent: boolean;
  /** Offset in `raw` where the arguments value starts, once the canonical prefix is seen. */
  argumentsStart: number;
  /** How much of `raw` has gone out as `argumentsDelta`. */
  argumentsSent: number;
}

/**
 * Feed text deltas with `push`; get visible text and `tool_call_delta` events. Text that
 * might be the start of a tag (`<tool_c`) is held back until it is decided, so a user never
 * sees partial tag text. `finish()` flushes and returns the same result `parseToolCalls`
 * gives for the whole text.
 */
export class ToolCallStreamParser {
  private readonly tools?: ReadonlyMap<string, ToolSpec>;
  private readonly idFactory: (index: number) => string;
  private pendingText = '';
  private call: OpenCall | undefined;
  private blockCount = 0;
  private content = '';
  private readonly toolCalls: ToolCall[] = [];
  private readonly errors: ToolCallParseError[] = [];
  private finished = false;

  constructor(options: ToolCallParseOptions = {}) {
    if (options.tools) {
      this.tools = new Map(
        options.tools
          .filter((t) => t && typeof t.function?.name === 'string')
          .map((t) => [t.function.name, t]),
      );
    }
    this.idFactory = options.idFactory ?? newToolCallId;
  }

  push(delta: string): ToolCallStreamEvent[] {
    const events: ToolCallStreamEvent[] = [];
    if (this.finished || typeof delta !== 'string' || delta === '') return events;
    this.consume(delta, events);
    return events;
  }

  finish(): { events: ToolCallStreamEvent[]; result: ToolCallParseResult } {
    const events: ToolCallStreamEvent[] = [];
    if (!this.finished) {
      // An unclosed call whose body holds `</tool_call>` inside an (unbalanced) string: the
      // model did close it; cut there and parse the rest as ordinary output.
      while (this.call) {
        const call = this.call;
        const cut = call.raw.indexOf(TOOL_CALL_CLOSE);
        if (cut < 0) {
          this.call = undefined;
          this.errors.push(
            new ToolCallParseError(
              'unclosed_tag',
              `Your tool call #${call.index + 1} was cut off before ${TOOL_CALL_CLOSE}, so it was not run. ` +
                `Write the whole call as ${TOOL_CALL_OPEN}{"name": "tool_name", "arguments": {…}}${TOOL_CALL_CLOSE}.`,
              { raw: call.raw, index: call.index },
            ),
          );
          break;
        }
        const rest = call.raw.slice(cut + TOOL_CALL_CLOSE.length);
        call.raw = call.raw.slice(0, cut);
        this.closeCall(events);
        this.consume(rest, events);
      }
      if (this.pendingText) {
        this.emitText(this.pendingText, events);
        this.pendingText = '';
      }
      this.finished = true;
    }
    return {
      events,
      result: {
        content: this.content.trim(),
        toolCalls: this.toolCalls.slice(),
        errors: this.errors.slice(),
      },
    };
  }

  private consume(text: string, events: ToolCallStreamEvent[]): void {
    let rest = text;
    while (rest !== '') {
      rest = this.call ? this.consumeInCall(rest, events) : this.consumeText(rest, events);
    }
  }

  /** Text mode: emit up to the next tag; returns what follows the tag ('' when done). */
  private consumeText(text: string, events: ToolCallStreamEvent[]): string {
    const buffer = this.pendingText + text;
    this.pendingText = '';
    const open = buffer.indexOf(TOOL_CALL_OPEN);
    const close = buffer.indexOf(TOOL_CALL_CLOSE);
    if (open >= 0 && (close < 0 || open < close)) {
      this.emitText(buffer.slice(0, open), events);
      const index = this.blockCount++;
      const id = this.idFactory(index);
      this.call = {
        index,
        id,
        raw: '',
        inString: false,
        escaped: false,
        nameSent: false,
        argumentsStart: -1,
        argumentsSent: 0,
      };
      events.push({ type: 'tool_call_delta', index, id });
      return buffer.slice(open + TOOL_CALL_OPEN.length);
    }
    if (close >= 0) {
      this.emitText(buffer.slice(0, close), events);
      this.errors.push(
        new ToolCallParseError(
          'unexpected_close_tag',
          `Your output has ${TOOL_CALL_CLOSE} without a matching ${TOOL_CALL_OPEN}, so no tool was run. ` +
            `Start each call with ${TOOL_CALL_OPEN}.`,
          { raw: TOOL_CALL_CLOSE, index: this.blockCount },
        ),
      );
      return buffer.slice(close + TOOL_CALL_CLOSE.length);
    }
    const hold = partialTagSuffixLength(buffer);
    this.emitText(buffer.slice(0, buffer.length - hold), events);
    this.pendingText = buffer.slice(buffer.length - hold);
    return '';
  }

  /** Call mode: accumulate the body until `</tool_call>` outside a JSON string. */
  private consumeInCall(text: string, events: ToolCallStreamEvent[]): string {
    const call = this.call as OpenCall;
    for (let i = 0; i < text.length; i++) {
      const ch = text[i];
      call.raw += ch;
      if (call.inString) {
        if (call.escaped) call.escaped = false;
        else if (ch === '\\') call.escaped = true;
        else if (ch === '"') call.inString = false;
      } else if (ch === '"') {
        call.inString = true;
      } else if (ch === '>' && call.raw.endsWith(TOOL_CALL_CLOSE)) {
        call.raw = call.raw.slice(0, -TOOL_CALL_CLOSE.length);
        this.closeCall(events);
        return text.slice(i + 1);
      }
    }
    this.streamCallProgress(call, events);
    return '';
  }

  /** Live name and argument deltas for the canonical `{"name": …, "arguments": …}` shape. */
  private streamCallProgress(call: OpenCall, events: ToolCallStreamEvent[]): void {
    if (!call.nameSent) {
      const match = NAME_FIRST.exec(call.raw);
      if (!match) return;
      const name = decodeJsonString(match[1]);
      if (name === undefined) return;
      call.nameSent = true;
      events.push({ type: 'tool_call_delta', index: call.index, name });
    }
    if (call.argumentsStart < 0) {
      const match = CANONICAL_PREFIX.exec(call.raw);
      if (!match) return;
      call.argumentsStart = match[0].length;
      call.argumentsSent = call.argumentsStart;
    }
    // Hold back what could still turn out to be the outer object's closing brace, trailing
    // space, or the start of the close tag.
    let end = call.raw.length - partialTagSuffixLength(call.raw);
    while (end > call.argumentsSent && /[\s}]/.test(call.raw[end - 1])) end--;
    if (end > call.argumentsSent) {
      events.push({
        type: 'tool_call_delta',
        index: call.index,
        argumentsDelta: call.raw.slice(call.argumentsSent, end),
      });
      call.argumentsSent = end;
    }
  }

  private closeCall(events: ToolCallStreamEvent[]): void {
    const call = this.call as OpenCall;
    this.call = undefined;
    const outcome = this.interpret(call);
    if (outcome instanceof ToolCallParseError) {
      this.errors.push(outcome);
      return;
    }
    this.toolCalls.push(outcome);
    if (!call.nameSent) {
      events.push({ type: 'tool_call_delta', index: call.index, name: outcome.function.name });
    }
    // Finish the live arguments text: the rest of the raw value in the canonical shape, or
    // the normalised JSON when nothing was streamed.
    let remainder: string;
    if (call.argumentsStart >= 0) {
      const body = call.raw.trimEnd();
      const valueEnd = body.endsWith('}') ? body.slice(0, -1).trimEnd().length : body.length;
      remainder = call.raw.slice(call.argumentsSent, Math.max(call.argumentsSent, valueEnd));
    } else {
      remainder = outcome.function.arguments;
    }
    if (remainder) {
      events.push({ type: 'tool_call_delta', index: call.index, argumentsDelta: remainder });
    }
  }

  /** The call in a closed block, or why it cannot be run. */
  private interpret(call: OpenCall): ToolCall | ToolCallParseError {
    const { raw, index } = call;
    const ordinal = `#${index + 1}`;
    const shape = `${TOOL_CALL_OPEN}{"name": "tool_name", "arguments": {"argument": "value"}}${TOOL_CALL_CLOSE}`;
    const body = raw.trim();
    if (body === '') {
      return new ToolCallParseError(
        'invalid_json',
        `Your tool call ${ordinal} is empty. Write it as ${shape}.`,
        { raw, index },
      );
    }
    let parsed: unknown;
    try {
      parsed = parseJsonLenientControls(body);
    } catch (error) {
      return new ToolCallParseError(
        'invalid_json',
        `Your tool call ${ordinal} is not valid JSON (${errorText(error)}), so it was not run. ` +
          `Write it as ${shape}, with double quotes around names and strings.`,
        { raw, index },
      );
    }
    if (!isPlainObject(parsed)) {
      return new ToolCallParseError(
        'not_an_object',
        `Your tool call ${ordinal} must be a JSON object with "name" and "arguments", not ${kindOf(parsed)}. ` +
          `Write it as ${shape}.`,
        { raw, index },
      );
    }
    const name = parsed.name;
    if (typeof name !== 'string' || name.trim() === '') {
      return new ToolCallParseError(
        'missing_name',
        `Your tool call ${ordinal} has no "name" string saying which tool to run. Write it as ${shape}.`,
        { raw, index },
      );
    }
    const tool = this.tools?.get(name);
    if (this.tools && !tool) {
      const available = [...this.tools.keys()];
      return new ToolCallParseError(
        'unknown_tool',
        `There is no tool named "${name}". ` +
          (available.length
            ? `Available tools: ${available.join(', ')}.`
            : 'No tools are available; answer directly.'),
        { raw, index, toolName: name },
      );
    }
    // `parameters` is what Llama-style templates write; accept it as a synonym.
    let args: unknown = Object.hasOwn(parsed, 'arguments') ? parsed.arguments : parsed.parameters;
    if (args === undefined || args === null) args = {};
    if (typeof args === 'string') {
      try {
        args = args.trim() === '' ? {} : parseJsonLenientControls(args);
      } catch (error) {
        return new ToolCallParseError(
          'invalid_arguments',
          `The arguments of your call to "${name}" are a string that is not valid JSON (${errorText(error)}). ` +
            `Give "arguments" as a JSON object.`,
          { raw, index, toolName: name },
        );
      }
    }
    if (!isPlainObject(args)) {
      return new ToolCallParseError(
        'invalid_arguments',
        `The "arguments" of your call to "${name}" must be a JSON object, not ${kindOf(args)}.`,
        { raw, index, toolName: name },
      );
    }
    const schema = tool?.function.parameters;
    if (schema !== undefined) {
      const issues = validateJsonSchema(args, schema, 'arguments').map(
        (i) => `${i.path}: ${i.message}`,
      );
      if (issues.length) {
        return new ToolCallParseError(
          'invalid_arguments',
          `The arguments of your call to "${name}" do not match its parameters: ${issues.join('; ')}. ` +
            'Call it again with corrected arguments.',
          { raw, index, toolName: name, issues },
        );
      }
    }
    return {
      id: call.id,
      type: 'function',
      function: { name, arguments: JSON.stringify(args) },
    };
  }

  private emitText(text: string, events: ToolCallStreamEvent[]): void {
    if (!text) return;
    this.content += text;
    events.push({ type: 'text', text });
  }
}

/**
 * Length of the longest suffix of `text` that is a proper prefix of either tag: the part
 * that must wait for more text before it can be shown.
 */
function partialTagSuffixLength(text: string): number {
  const longest = Math.min(text.length, TOOL_CALL_CLOSE.length - 1);
  for (let k = longest; k > 0; k--) {
    const suffix = text.slice(text.length - k);
    if (TOOL_CALL_OPEN.startsWith(suffix) || TOOL_CALL_CLOSE.startsWith(suffix)) return k;
  }
  return 0;
}

function decodeJsonString(inner: string): string | undefined {
  try {
    const value: unknown = JSON.parse(`"${inner}"`);
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

/**
 * `JSON.parse`, except that raw control characters (tab, newline…) inside strings are
 * accepted, as Python's `json.loads(strict=False)` does: models write them, and grammar
 * engines such as XGrammar allow them in strings. Nothing else is relaxed.
 */
export function parseJsonLenientControls(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    if (![...text].some((ch) => ch.charCodeAt(0) < 0x20)) throw error;
    let out = '';
    let inString = false;
    for (let i = 0; i < text.length; i++) {
      const ch = text[i];
      if (inString) {
        if (ch === '\\') {
          out += ch + (text[i + 1] ?? '');
          i++;
          continue;
        }
        if (ch === '"') inString = false;
        const code = ch.charCodeAt(0);
        out += code < 0x20 ? `\\u${code.toString(16).padStart(4, '0')}` : ch;
      } else {
        if (ch === '"') inString = true;
        out += ch;
      }
    }
    return JSON.parse(out);
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

// ---------------------------------------------------------------------------------------
// Thinking + tool calls: the whole assistant output
// ---------------------------------------------------------------------------------------

export interface AssistantOutputOptions extends ToolCallParseOptions {
  /** The chat template already wrote `<think>` into the prompt; output starts inside it. */
  startsInThinking?: boolean;
}

export interface AssistantOutput extends ToolCallParseResult {
  /** Text inside `<think>…</think>`, trimmed; undefined when there was none. */
  reasoning?: string;
  /** The output ended inside `<think>` (e.g. `maxTokens` hit while reasoning). */
  reasoningUnclosed: boolean;
}

export type AssistantOutputEvent =
  | { type: 'reasoning'; text: string }
  | { type: 'token'; text: string }
  | { type: 'tool_call_delta'; index: number; id?: string; name?: string; argumentsDelta?: string };

/**
 * What a decode loop needs: decoded text deltas in, `reasoning` / `token` /
 * `tool_call_delta` events out (the `ChatChunk` shapes minus `tokenId`/`logprob`), and at
 * the end the content, reasoning, tool calls and errors for the final message.
 */
export class AssistantOutputParser {
  private readonly thinking: ThinkingStreamParser;
  private readonly toolCalls: ToolCallStreamParser;

  constructor(options: AssistantOutputOptions = {}) {
    this.thinking = new ThinkingStreamParser({ startsInThinking: options.startsInThinking });
    this.toolCalls = new ToolCallStreamParser(options);
  }

  push(delta: string): AssistantOutputEvent[] {
    const events: AssistantOutputEvent[] = [];
    for (const e of this.thinking.push(delta)) this.route(e, events);
    return events;
  }

  finish(): { events: AssistantOutputEvent[]; result: AssistantOutput } {
    const events: AssistantOutputEvent[] = [];
    const thought = this.thinking.finish();
    for (const e of thought.events) this.route(e, events);
    const parsed = this.toolCalls.finish();
    for (const e of parsed.events) events.push(toOutputEvent(e));
    return {
      events,
      result: {
        ...parsed.result,
        reasoning: thought.result.reasoning,
        reasoningUnclosed: thought.result.unclosed,
      },
    };
  }

  private route(event: ThinkingStreamEvent, events: AssistantOutputEvent[]): void {
    if (event.type === 'reasoning') events.push(event);
    else for (const e of this.toolCalls.push(event.text)) events.push(toOutputEvent(e));
  }
}

/** Batch form of `AssistantOutputParser`. Never throws. */
export function parseAssistantOutput(
  text: string,
  options: AssistantOutputOptions = {},
): AssistantOutput {
  const parser = new AssistantOutputParser(options);
  parser.push(text);
  return parser.finish().result;
}

function toOutputEvent(e: ToolCallStreamEvent): AssistantOutputEvent {
  return e.type === 'text' ? { type: 'token', text: e.text } : e;
}
