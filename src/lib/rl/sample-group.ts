/**
 * Samples a group of G trajectories for one task, the unit RULER and GRPO work on: the same
 * prompt G times, each completion with its own seed (`seed + i`), so a fixed seed gives the
 * same group again and the members still differ from each other.
 *
 * Completions are streamed one after another (one model, one queue): `onToken` reports each
 * member's text as it grows, so a page can show the group filling in.
 */
import {
  GenerationAbortedError,
  type ChatModel,
  type ChatResult,
  type FinishReason,
  type Message,
  type ThinkingOptions,
} from '../llm/types.js';
import type { Trajectory } from './ruler.js';

export interface SampleGroupOptions {
  /** G, how many trajectories. */
  size: number;
  temperature?: number;
  /** Member i samples with `seed + i`. */
  seed: number;
  /** Most tokens per completion. Engine default if absent. */
  maxTokens?: number;
  thinking?: ThinkingOptions;
  signal?: AbortSignal;
  /** Member `index` has written `text` so far (the whole text, not the delta). */
  onToken?: (index: number, text: string) => void;
  /** Member `index` is complete. */
  onMember?: (index: number, member: GroupMember) => void;
}

export interface GroupMember {
  /** The prompt messages followed by the model's reply. */
  trajectory: Trajectory;
  /** The reply's visible text. */
  text: string;
  seed: number;
  finishReason: FinishReason;
}

/** The seed member `index` of a group sampled with `seed` uses. */
export function memberSeed(seed: number, index: number): number {
  return seed + index;
}

/**
 * Samples `options.size` completions of `prompt` in order. Rejects with
 * `GenerationAbortedError` when `signal` aborts, whichever way the engine ended the stream.
 */
export async function sampleGroup(
  model: ChatModel,
  prompt: readonly Message[],
  options: SampleGroupOptions,
): Promise<GroupMember[]> {
  if (!Number.isInteger(options.size) || options.size < 1) {
    throw new RangeError(`A group needs at least one member (got size ${options.size}).`);
  }
  const members: GroupMember[] = [];
  for (let index = 0; index < options.size; index++) {
    if (options.signal?.aborted) throw new GenerationAbortedError();
    const seed = memberSeed(options.seed, index);
    let text = '';
    let final: ChatResult | undefined;
    for await (const chunk of model.stream(prompt, {
      temperature: options.temperature,
      seed,
      maxTokens: options.maxTokens,
      thinking: options.thinking,
      signal: options.signal,
    })) {
      if (chunk.type === 'token') {
        text += chunk.text;
        options.onToken?.(index, text);
      } else if (chunk.type === 'final') {
        const { type: _type, ...result } = chunk;
        final = result;
      }
    }
    // Engines end an aborted stream either by throwing or with finishReason 'abort'.
    if (options.signal?.aborted || final?.finishReason === 'abort') {
      throw new GenerationAbortedError();
    }
    if (!final) throw new Error('The model stream ended without a final chunk.');
    const reply: Message = { role: 'assistant', content: final.message.content };
    if (final.message.tool_calls?.length) reply.tool_calls = final.message.tool_calls;
    const member: GroupMember = {
      trajectory: [...prompt, reply],
      text: final.message.content,
      seed,
      finishReason: final.finishReason,
    };
    members.push(member);
    options.onMember?.(index, member);
  }
  return members;
}
