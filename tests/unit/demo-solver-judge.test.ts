/**
 * The solver–judge demo graph with scripted models: the path through the graph, what the
 * judge is shown and asked for (its JSON schema), and a malformed judge reply ending the
 * run normally with the error recorded in the episode.
 */
import { describe, expect, it } from 'vitest';
import { MemorySaver } from '../../src/lib/checkpoint/index.js';
import type { Message } from '../../src/lib/graph/index.js';
import {
  puzzleForRequest,
  solverJudge24,
  SolverJudgeState,
} from '../../src/lib/demos/solver-judge-24.js';
import type { ChatChunk, ChatModel, ChatOptions } from '../../src/lib/llm/types.js';
import type { Episode } from '../../src/lib/rl/solver-judge.js';
import { oneTokenUsage } from './scripted-model.js';

/** Always replies `content`, recording each call. */
class FixedReplyModel implements ChatModel {
  readonly calls: Array<{ messages: Message[]; options: ChatOptions }> = [];
  readonly info;

  constructor(
    private readonly content: string,
    name: string,
  ) {
    this.info = { engine: 'transformers' as const, model: name };
  }

  async invoke(): Promise<never> {
    throw new Error('the demo streams its calls');
  }

  async *stream(messages: readonly Message[], options: ChatOptions = {}): AsyncIterable<ChatChunk> {
    this.calls.push({ messages: [...messages], options });
    yield { type: 'token', text: this.content };
    yield {
      type: 'final',
      message: { role: 'assistant', content: this.content },
      finishReason: 'stop',
      usage: oneTokenUsage(this.info.model),
    };
  }
}

async function run(judgeReply: string, request: string) {
  const demo = solverJudge24();
  const models = {
    solver_1: new FixedReplyModel('<answer> (1 + 2 + 3) * 4 </answer>', 'good'),
    solver_2: new FixedReplyModel('<answer> 1 + 2 + 3 + 4 </answer>', 'sloppy'),
    solver_3: new FixedReplyModel('no idea', 'silent'),
    judge: new FixedReplyModel(judgeReply, 'judge'),
  };
  const graph = demo.build({
    models,
    checkpointer: new MemorySaver(),
    endpoints: { weatherMode: 'offline' },
    seed: 5,
  });
  const values = (await graph.invoke(demo.turn(request, undefined).input as never, {
    configurable: { thread_id: 't' },
  })) as typeof SolverJudgeState.State;
  return { demo, models, values, episode: values.episode as Episode };
}

describe('solver-judge-24 demo graph', () => {
  it('deals, asks three solvers with their own seeds, shows the judge their answers', async () => {
    const { demo, models, episode, values } = await run(
      '{"choice": 1, "reason": "it makes 24"}',
      '1 2 3 4',
    );
    expect(demo.roles.map((r) => r.name)).toEqual(['solver_1', 'solver_2', 'solver_3', 'judge']);
    expect(values.puzzle).toMatchObject({ nums: [1, 2, 3, 4], seed: null });
    expect([1, 2, 3].map((i) => models[`solver_${i}` as 'solver_1'].calls[0].options.seed)).toEqual(
      [6, 7, 8],
    );
    const judgeCall = models.judge.calls[0];
    expect(judgeCall.messages.at(-1)?.content).toContain(
      '1. (1 + 2 + 3) * 4\n2. 1 + 2 + 3 + 4\n3. (no answer)',
    );
    expect(judgeCall.options.responseFormat).toMatchObject({ type: 'json_schema' });
    expect(episode.solvers.map((s) => [s.id, s.model, s.reward])).toEqual([
      ['solver_1', 'good', 1],
      ['solver_2', 'sloppy', 0.1],
      ['solver_3', 'silent', 0],
    ]);
    expect(episode.judges[0]).toMatchObject({ pick: { choice: 1 }, reward: 1, error: null });
    expect(demo.answer!(values)).toBe('[1, 2, 3, 4]: the judge picked proposal 1; correct: 1.');
  });

  it('a malformed judge reply finishes the run with the error in the episode', async () => {
    const { demo, episode, values } = await run('The first one, clearly.', '1 2 3 4');
    expect(episode.judges[0]).toMatchObject({
      pick: null,
      reward: 0,
      error: { kind: 'invalid_json' },
    });
    expect(episode.errors).toEqual([
      expect.stringMatching(/^judge: The judge's reply is not JSON/),
    ]);
    expect(episode.solvers.map((s) => s.reward)).toEqual([1, 0.1, 0]);
    expect(demo.answer!(values)).toMatch(/judge error \(The judge's reply is not JSON/);
  });

  it('reads the request: a hand, a seed, or the page seed', () => {
    expect(puzzleForRequest('3 3 8 8', 0).nums).toEqual([3, 3, 8, 8]);
    expect(puzzleForRequest('seed 7', 0)).toEqual(puzzleForRequest('Deal a puzzle', 7));
    expect(() => puzzleForRequest('1 1 1 1', 0)).toThrow(/cannot make 24/);
    expect(() => puzzleForRequest('1 2', 0)).toThrow(/four numbers/);
  });
});
