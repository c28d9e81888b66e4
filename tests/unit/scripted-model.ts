/**
 * A `ChatModel` that replies from a script, for graph tests without a real model: each
 * call takes the next reply (text, or a tool call), or asks a function of the messages and
 * options. Every call is recorded, and usage is a fixed, known number of tokens so
 * accounting can be checked exactly.
 */
import type { Message } from '../../src/lib/graph/index.js';
import type { ChatChunk, ChatModel, ChatOptions, Usage } from '../../src/lib/llm/types.js';

/** Usage of one scripted call: one prompt and one completion token, no timings. */
export function oneTokenUsage(model = 'scripted'): Usage {
  return {
    promptTokens: 1,
    completionTokens: 1,
    reasoningTokens: 0,
    cachedPromptTokens: 0,
    timeToFirstTokenMs: 0,
    prefillTokensPerSecond: 0,
    decodeTokensPerSecond: 0,
    engine: 'transformers',
    model,
  };
}

export type ScriptedReply = string | { call: string; args?: Record<string, unknown> };

export class ScriptedModel implements ChatModel {
  readonly calls: Array<{ messages: Message[]; options: ChatOptions }> = [];
  readonly info;
  private next = 0;

  constructor(
    name: string,
    private readonly script:
      ScriptedReply[] | ((messages: readonly Message[], options: ChatOptions) => ScriptedReply),
    /** Prompt and completion tokens each call reports (reasoning: the thinking part of it). */
    readonly usage: { prompt: number; completion: number; reasoning?: number } = {
      prompt: 10,
      completion: 3,
    },
  ) {
    this.info = { engine: 'transformers' as const, model: name };
  }

  async invoke(): Promise<never> {
    throw new Error('graphs stream their calls');
  }

  async *stream(messages: readonly Message[], options: ChatOptions = {}): AsyncIterable<ChatChunk> {
    this.calls.push({ messages: [...messages], options });
    const reply =
      typeof this.script === 'function'
        ? this.script(messages, options)
        : (this.script[Math.min(this.next++, this.script.length - 1)] ?? '');
    const index = this.calls.length;
    const message =
      typeof reply === 'string'
        ? { role: 'assistant' as const, content: reply }
        : {
            role: 'assistant' as const,
            content: '',
            tool_calls: [
              {
                id: `call_${this.info.model}_${index}`,
                type: 'function' as const,
                function: { name: reply.call, arguments: JSON.stringify(reply.args ?? {}) },
              },
            ],
          };
    if (typeof reply === 'string') yield { type: 'token', text: reply };
    yield {
      type: 'final',
      message,
      finishReason: typeof reply === 'string' ? 'stop' : 'tool_calls',
      usage: {
        promptTokens: this.usage.prompt,
        completionTokens: this.usage.completion,
        reasoningTokens: this.usage.reasoning ?? 0,
        cachedPromptTokens: 0,
        timeToFirstTokenMs: 0,
        prefillTokensPerSecond: 0,
        decodeTokensPerSecond: 0,
        engine: 'transformers',
        model: this.info.model,
      },
    };
  }
}

/** The choices a `{"next": …}` routing schema allows (its enum), for scripted supervisors. */
export function routeChoices(options: ChatOptions): string[] {
  const format = options.responseFormat;
  if (format?.type !== 'json_schema' || typeof format.schema !== 'object') return [];
  const next = format.schema.properties?.next;
  return typeof next === 'object' && Array.isArray(next.enum) ? next.enum.map(String) : [];
}
