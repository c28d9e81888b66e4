/**
 * sampleGroup: one completion per member with seeds seed, seed+1, …; text streamed as it
 * grows; the trajectories RULER needs (prompt + reply); aborting stops the group.
 */
import { describe, expect, it } from 'vitest';
import { memberSeed, sampleGroup } from '../../src/lib/rl/index.js';
import {
  GenerationAbortedError,
  type ChatChunk,
  type ChatModel,
  type ChatOptions,
  type ChatResult,
  type FinishReason,
  type Message,
} from '../../src/lib/llm/types.js';

/** A model whose reply depends on the seed, streamed in two pieces; records each call's options. */
class SeededEcho implements ChatModel {
  readonly info = { engine: 'openai' as const, model: 'seeded-echo' };
  readonly calls: ChatOptions[] = [];
  constructor(private readonly endWith: (call: number) => FinishReason = () => 'stop') {}

  invoke(): Promise<ChatResult> {
    throw new Error('sampleGroup streams');
  }

  async *stream(_messages: readonly Message[], options: ChatOptions = {}) {
    this.calls.push(options);
    const content = `cat poem ${options.seed}`;
    yield { type: 'token', text: 'cat ' } satisfies ChatChunk;
    yield { type: 'token', text: content.slice(4) } satisfies ChatChunk;
    yield {
      type: 'final',
      message: { role: 'assistant', content },
      finishReason: this.endWith(this.calls.length),
      usage: {
        promptTokens: 0,
        completionTokens: 2,
        reasoningTokens: 0,
        cachedPromptTokens: 0,
        timeToFirstTokenMs: 0,
        prefillTokensPerSecond: 0,
        decodeTokensPerSecond: 0,
        engine: 'openai',
        model: 'seeded-echo',
      },
    } satisfies ChatChunk;
  }
}

const prompt: Message[] = [{ role: 'user', content: 'Write a short poem about cats.' }];

describe('sampleGroup', () => {
  it('samples G members with consecutive seeds and streams their text', async () => {
    const model = new SeededEcho();
    const streamed: Array<[number, string]> = [];
    const done: number[] = [];
    const members = await sampleGroup(model, prompt, {
      size: 3,
      seed: 7,
      temperature: 0.9,
      maxTokens: 64,
      thinking: { enabled: false },
      onToken: (i, text) => streamed.push([i, text]),
      onMember: (i) => done.push(i),
    });
    expect(members.map((m) => [m.seed, m.text, m.finishReason])).toEqual([
      [7, 'cat poem 7', 'stop'],
      [8, 'cat poem 8', 'stop'],
      [9, 'cat poem 9', 'stop'],
    ]);
    expect(members[1].trajectory).toEqual([
      ...prompt,
      { role: 'assistant', content: 'cat poem 8' },
    ]);
    expect(streamed.slice(0, 2)).toEqual([
      [0, 'cat '],
      [0, 'cat poem 7'],
    ]);
    expect(done).toEqual([0, 1, 2]);
    expect(model.calls[0]).toMatchObject({
      seed: 7,
      temperature: 0.9,
      maxTokens: 64,
      thinking: { enabled: false },
    });
    expect(memberSeed(7, 2)).toBe(9);
  });

  it('stops with GenerationAbortedError when the signal aborts mid-group', async () => {
    const controller = new AbortController();
    const model = new SeededEcho();
    const run = sampleGroup(model, prompt, {
      size: 4,
      seed: 1,
      signal: controller.signal,
      onMember: (i) => i === 1 && controller.abort(),
    });
    await expect(run).rejects.toBeInstanceOf(GenerationAbortedError);
    expect(model.calls).toHaveLength(2);
  });

  it("treats an engine's 'abort' finish as an abort", async () => {
    const model = new SeededEcho((call) => (call === 2 ? 'abort' : 'stop'));
    await expect(sampleGroup(model, prompt, { size: 3, seed: 1 })).rejects.toBeInstanceOf(
      GenerationAbortedError,
    );
  });

  it('refuses an empty group', async () => {
    await expect(sampleGroup(new SeededEcho(), prompt, { size: 0, seed: 1 })).rejects.toThrow(
      RangeError,
    );
  });
});
