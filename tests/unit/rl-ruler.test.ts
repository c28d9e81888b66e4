/**
 * RULER: the judge prompt built exactly (shared prefix once, trajectories labelled), the
 * call options (JSON schema, temperature 0, signal), strict reply checking, and the
 * hybrid reward built on its scores.
 *
 * The judge is a model call, so the one test double here is a `ChatModel` that replays a
 * judge's reply in the engines' own result format (content streamed as tokens, then one
 * final chunk). Everything else is the real code.
 */
import { describe, expect, it } from 'vitest';
import {
  buildRulerPrompt,
  commonPrefixLength,
  countdownReward,
  DEFAULT_RUBRIC,
  extractAnswer,
  hybridRewards,
  judgeCountdown,
  parseRulerReply,
  rulerResponseSchema,
  rulerScore,
  rulerSystemPrompt,
  RulerError,
  type Trajectory,
} from '../../src/lib/rl/index.js';
import {
  GenerationAbortedError,
  throwIfAborted,
  type ChatChunk,
  type ChatModel,
  type ChatOptions,
  type ChatResult,
  type FinishReason,
  type Message,
} from '../../src/lib/llm/types.js';

type Reply = string | ((messages: readonly Message[]) => string);

/** A judge that answers with `reply` (text, or computed from the prompt), recording each call. */
class ScriptedJudge implements ChatModel {
  readonly info = { engine: 'openai' as const, model: 'scripted-judge' };
  readonly calls: Array<{ messages: Message[]; options: ChatOptions }> = [];

  constructor(
    private readonly reply: Reply,
    private readonly finishReason: FinishReason = 'stop',
  ) {}

  async invoke(messages: readonly Message[], options: ChatOptions = {}): Promise<ChatResult> {
    let final: ChatResult | undefined;
    for await (const chunk of this.stream(messages, options)) {
      if (chunk.type === 'final') {
        const { type: _type, ...result } = chunk;
        final = result;
      }
    }
    return final!;
  }

  async *stream(messages: readonly Message[], options: ChatOptions = {}): AsyncIterable<ChatChunk> {
    this.calls.push({ messages: [...messages], options });
    throwIfAborted(options.signal);
    const content = typeof this.reply === 'string' ? this.reply : this.reply(messages);
    for (const piece of content.match(/.{1,16}/gs) ?? []) yield { type: 'token', text: piece };
    yield {
      type: 'final',
      message: { role: 'assistant', content },
      finishReason: this.finishReason,
      usage: {
        promptTokens: 0,
        completionTokens: 0,
        reasoningTokens: 0,
        cachedPromptTokens: 0,
        timeToFirstTokenMs: 0,
        prefillTokensPerSecond: 0,
        decodeTokensPerSecond: 0,
        engine: 'openai',
        model: 'scripted-judge',
      },
    };
  }
}

const system: Message = { role: 'system', content: 'Solve the Countdown puzzle.' };
const task: Message = { role: 'user', content: 'Use [3, 5, 7] to make 22.', id: 'u1' };
const say = (content: string): Message => ({ role: 'assistant', content });

const group: Trajectory[] = [
  [system, task, say('<answer>3 * 5 + 7</answer>')],
  // Same prefix, but the ids differ (messagesReducer gives each copy its own): the judge
  // never sees ids, so the prefix is still shared.
  [system, { ...task, id: 'u2' }, say('<answer>3 * 5 * 7</answer>')],
  [
    system,
    task,
    {
      role: 'assistant',
      content: '',
      tool_calls: [
        {
          id: 'c1',
          type: 'function',
          function: { name: 'calculator', arguments: '{"expression":"3*5+7"}' },
        },
      ],
    },
    { role: 'tool', content: '22', tool_call_id: 'c1' },
    say('<answer>3*5+7</answer>'),
  ],
];

const reply = (scores: Array<[string, number]>): string =>
  JSON.stringify({
    scores: scores.map(([id, score]) => ({ trajectory_id: id, explanation: `why ${id}`, score })),
  });

describe('RULER prompt', () => {
  it('finds the longest common prefix as the judge sees messages', () => {
    expect(commonPrefixLength(group)).toBe(2);
    expect(commonPrefixLength([])).toBe(0);
    expect(commonPrefixLength([[system], [say('x')]])).toBe(0);
    expect(commonPrefixLength([[system, task], [system]])).toBe(1);
  });

  it('sends the shared prefix once and labels each trajectory', () => {
    const prompt = buildRulerPrompt(group);
    expect(prompt.ids).toEqual(['1', '2', '3']);
    expect(prompt.commonPrefixLength).toBe(2);
    expect(prompt.identical).toBe(false);
    expect(prompt.messages).toEqual([
      { role: 'system', content: rulerSystemPrompt(DEFAULT_RUBRIC) },
      {
        role: 'user',
        content:
          '<context>\n' +
          '[{"role":"system","content":"Solve the Countdown puzzle."},' +
          '{"role":"user","content":"Use [3, 5, 7] to make 22."}]\n' +
          '</context>\n\n' +
          '<trajectory id="1">\n' +
          '[{"role":"assistant","content":"<answer>3 * 5 + 7</answer>"}]\n' +
          '</trajectory>\n\n' +
          '<trajectory id="2">\n' +
          '[{"role":"assistant","content":"<answer>3 * 5 * 7</answer>"}]\n' +
          '</trajectory>\n\n' +
          '<trajectory id="3">\n' +
          '[{"role":"assistant","content":"","tool_calls":[{"id":"c1","type":"function",' +
          '"function":{"name":"calculator","arguments":"{\\"expression\\":\\"3*5+7\\"}"}}]},' +
          '{"role":"tool","content":"22","tool_call_id":"c1"},' +
          '{"role":"assistant","content":"<answer>3*5+7</answer>"}]\n' +
          '</trajectory>',
      },
    ]);
  });

  it('puts the rubric (default or edited) into the system prompt', () => {
    expect(rulerSystemPrompt()).toBe(
      [
        'You are grading attempts at one task. Every trajectory below was given the same goal;',
        'work out that goal from the conversation, compare the trajectories with each other, and',
        'give each a score from 0 to 1.',
        '',
        'Grading standards:',
        DEFAULT_RUBRIC,
        '',
        'Reply with JSON only: {"scores": [{"trajectory_id": "1", "explanation": "...", "score": 0.0}, ...]},',
        'one entry per trajectory id, the explanation first.',
      ].join('\n'),
    );
    const edited = buildRulerPrompt(group, '  - Shorter is better.\n');
    expect(edited.messages[0].content).toContain(
      'Grading standards:\n- Shorter is better.\n\nReply',
    );
    expect(edited.messages[0].content).not.toContain(DEFAULT_RUBRIC);
  });

  it('shows one full trajectory when all are identical', () => {
    const same = [group[0], [...group[0]]];
    const prompt = buildRulerPrompt(same);
    expect(prompt).toMatchObject({ ids: ['1'], identical: true, commonPrefixLength: 0 });
    expect(prompt.messages[1].content).toBe(
      '<trajectory id="1">\n' +
        '[{"role":"system","content":"Solve the Countdown puzzle."},' +
        '{"role":"user","content":"Use [3, 5, 7] to make 22."},' +
        '{"role":"assistant","content":"<answer>3 * 5 + 7</answer>"}]\n' +
        '</trajectory>',
    );
  });

  it('leaves out the context block when nothing is shared', () => {
    const prompt = buildRulerPrompt([[say('a')], [say('b')]]);
    expect(prompt.messages[1].content).toBe(
      '<trajectory id="1">\n[{"role":"assistant","content":"a"}]\n</trajectory>\n\n' +
        '<trajectory id="2">\n[{"role":"assistant","content":"b"}]\n</trajectory>',
    );
  });

  it('constrains the reply with a schema naming exactly the shown ids', () => {
    expect(rulerResponseSchema(['1', '2'])).toEqual({
      type: 'object',
      properties: {
        scores: {
          type: 'array',
          minItems: 2,
          maxItems: 2,
          items: {
            type: 'object',
            properties: {
              trajectory_id: { type: 'string', enum: ['1', '2'] },
              explanation: { type: 'string', description: 'A sentence or two on how it did.' },
              score: { type: 'number', minimum: 0, maximum: 1 },
            },
            required: ['trajectory_id', 'explanation', 'score'],
            additionalProperties: false,
          },
        },
      },
      required: ['scores'],
      additionalProperties: false,
    });
  });
});

describe('rulerScore', () => {
  it('makes one call with the prompt, the schema, temperature 0 and the signal', async () => {
    const judge = new ScriptedJudge(
      reply([
        ['2', 0.1],
        ['1', 0.9],
        ['3', 0.7],
      ]),
    );
    const controller = new AbortController();
    const result = await rulerScore(judge, group, { signal: controller.signal, maxTokens: 400 });
    // Matched by id, returned in group order.
    expect(result.scores).toEqual([
      { trajectoryId: '1', explanation: 'why 1', score: 0.9 },
      { trajectoryId: '2', explanation: 'why 2', score: 0.1 },
      { trajectoryId: '3', explanation: 'why 3', score: 0.7 },
    ]);
    expect(judge.calls).toHaveLength(1);
    const { messages, options } = judge.calls[0];
    expect(messages).toEqual(buildRulerPrompt(group).messages);
    expect(result.prompt).toEqual(messages);
    expect(result.commonPrefixLength).toBe(2);
    expect(options).toEqual({
      responseFormat: {
        type: 'json_schema',
        name: 'ruler_scores',
        schema: rulerResponseSchema(['1', '2', '3']),
      },
      temperature: 0,
      maxTokens: 400,
      signal: controller.signal,
    });
  });

  it('copies the single score to every trajectory of an identical group', async () => {
    const judge = new ScriptedJudge(reply([['1', 0.6]]));
    const result = await rulerScore(judge, [group[0], group[0], group[0]]);
    expect(result.scores.map((s) => [s.trajectoryId, s.score])).toEqual([
      ['1', 0.6],
      ['2', 0.6],
      ['3', 0.6],
    ]);
  });

  it('returns nothing for an empty group without calling the judge', async () => {
    const judge = new ScriptedJudge('unused');
    expect((await rulerScore(judge, [])).scores).toEqual([]);
    expect(judge.calls).toHaveLength(0);
  });

  it('passes an abort through as the engine raises it', async () => {
    const controller = new AbortController();
    controller.abort();
    const judge = new ScriptedJudge(reply([['1', 1]]));
    await expect(rulerScore(judge, group, { signal: controller.signal })).rejects.toBeInstanceOf(
      GenerationAbortedError,
    );
  });

  it('refuses a reply cut off by the token limit', async () => {
    const judge = new ScriptedJudge('{"scores": [{"trajectory_id": "1", "expl', 'length');
    await expect(rulerScore(judge, group)).rejects.toMatchObject({
      name: 'RulerError',
      kind: 'truncated_reply',
    });
  });

  it('works with a judge that reads the prompt: correct answers rank first, hybrid gates the rest', async () => {
    // A deterministic judge that grades what it is shown: it finds each labelled
    // trajectory in the prompt and checks its last answer with the Countdown judge;
    // correct and shorter is best.
    const problem = { nums: [3, 5, 7], target: 22 };
    const judge = new ScriptedJudge((messages) => {
      const user = messages[1].content;
      const scores = [...user.matchAll(/<trajectory id="(\d+)">\n(.*)\n<\/trajectory>/g)].map(
        ([, id, body]) => {
          const turns = JSON.parse(body) as Message[];
          const answer = extractAnswer(turns.at(-1)!.content);
          const ok = answer !== null && judgeCountdown(answer, problem).correct;
          return {
            trajectory_id: id,
            explanation: ok ? `correct in ${turns.length} message(s)` : 'wrong answer',
            score: ok ? 1 / turns.length : 0,
          };
        },
      );
      return JSON.stringify({ scores });
    });
    const { scores } = await rulerScore(judge, group);
    expect(scores.map((s) => s.score)).toEqual([1, 0, 1 / 3]);
    expect(scores[2].explanation).toBe('correct in 3 message(s)');

    // Hybrid: gate (the verifier) × (α + β · min-max normalized judge score).
    const gates = group.map((t) => countdownReward(t.at(-1)!.content, problem).verdict.correct);
    expect(gates).toEqual([true, false, true]);
    // normalized: (1 − 0)/1 = 1, 0, (1/3 − 0)/1 = 1/3
    // rewards: 1·(0.5 + 0.5·1) = 1, 0·(…) = 0, 1·(0.5 + 0.5/3) = 2/3
    const rewards = hybridRewards(
      gates,
      scores.map((s) => s.score),
    );
    expect(rewards[0]).toBe(1);
    expect(rewards[1]).toBe(0);
    expect(rewards[2]).toBeCloseTo(2 / 3, 12);
  });
});

describe('parseRulerReply (strict)', () => {
  const ids = ['1', '2'];
  const kind = (raw: string): string => {
    try {
      parseRulerReply(raw, ids);
      return 'ok';
    } catch (error) {
      expect(error).toBeInstanceOf(RulerError);
      expect((error as RulerError).raw).toBe(raw);
      return (error as RulerError).kind;
    }
  };

  it('accepts a valid reply in any order', () => {
    expect(
      kind(
        reply([
          ['2', 0],
          ['1', 1],
        ]),
      ),
    ).toBe('ok');
  });

  it('names each failure instead of clamping or guessing', () => {
    expect(kind('')).toBe('empty_reply');
    expect(kind('```json\n{"scores": []}\n```')).toBe('invalid_json');
    expect(kind('{"scores": {"1": 0.5}}')).toBe('bad_shape');
    expect(kind('[]')).toBe('bad_shape');
    expect(kind('{"scores": [{"trajectory_id": 1, "explanation": "", "score": 0.5}, {}]}')).toBe(
      'bad_shape',
    );
    expect(kind('{"scores": [{"trajectory_id": "1", "explanation": "x", "score": "0.5"}]}')).toBe(
      'bad_shape',
    );
    expect(
      kind(
        reply([
          ['1', 1],
          ['2', 0],
          ['1', 0.5],
        ]),
      ),
    ).toBe('wrong_count');
    expect(
      kind(
        reply([
          ['1', 1],
          ['3', 0],
        ]),
      ),
    ).toBe('unknown_id');
    expect(
      kind(
        reply([
          ['1', 1],
          ['1', 0],
        ]),
      ),
    ).toBe('duplicate_id');
    expect(kind(reply([['2', 0.4]]))).toBe('missing_id');
    expect(kind(reply([]))).toBe('missing_id');
    expect(
      kind(
        reply([
          ['1', 1.2],
          ['2', 0],
        ]),
      ),
    ).toBe('score_out_of_range');
    expect(
      kind(
        reply([
          ['1', -0.1],
          ['2', 0],
        ]),
      ),
    ).toBe('score_out_of_range');
  });

  it('explains what was wrong', () => {
    expect(() => parseRulerReply(reply([['2', 0.4]]), ids)).toThrow(
      'No score for trajectory "1" (1 score for 2 trajectories).',
    );
    expect(() =>
      parseRulerReply(
        reply([
          ['1', 1.2],
          ['2', 0],
        ]),
        ids,
      ),
    ).toThrow('Trajectory "1" got score 1.2; scores must lie in [0, 1].');
    expect(() =>
      parseRulerReply(
        reply([
          ['0', 1],
          ['1', 0],
        ]),
        ids,
      ),
    ).toThrow('scores[0] is for trajectory "0", which was not shown (ids are "1", "2").');
  });
});
