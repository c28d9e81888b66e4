/**
 * Chapter 3's ToT planner and team of experts: their schemas and reply parsing, the
 * planner's path with scripted models (an unreadable judge falls back to the first
 * approach and says so), and the team's routing rules and bounds.
 */
import { describe, expect, it } from 'vitest';
import { MemorySaver } from '../../src/lib/checkpoint/index.js';
import {
  FALLBACK_CHOICE,
  judgementSchema,
  parseJudgement,
  parseProposal,
  proposalSchema,
  totBlogPlanner,
} from '../../src/lib/demos/ch3-tot-planner.js';
import {
  FINISH,
  keepRelevant,
  MAX_ROUNDS,
  parseNext,
  routeAtBound,
  supervisorOptions,
  teamOfExperts,
  type Report,
} from '../../src/lib/demos/ch3-team.js';
import type { Encoder } from '../../src/lib/encoders/types.js';
import { validateJsonSchema } from '../../src/lib/llm/json-schema.js';
import type { Passage } from '../../src/lib/tools/index.js';
import { routeChoices, ScriptedModel } from './scripted-model.js';

const passages: Passage[] = [
  { id: 'p1', title: 'ReAct', text: 'ReAct interleaves reasoning with tool actions.' },
  { id: 'p2', title: 'agent', text: 'An agent decides which actions to take in a loop.' },
];

const proposal = {
  approach_1: { title: 'A how-to', angle: 'Build one step by step' },
  approach_2: { title: 'A history', angle: 'Where the idea came from' },
  approach_3: { title: 'Pitfalls', angle: 'What goes wrong' },
};
const judgement = {
  approach_1: { critique: 'Clear and useful.', score: 8 },
  approach_2: { critique: 'Dry.', score: 4 },
  approach_3: { critique: 'Good but narrow.', score: 6 },
  choice: 1,
};

describe('ToT planner replies', () => {
  it('the schemas accept a well-formed reply and reject a fourth approach or a score of 11', () => {
    expect(validateJsonSchema(proposal, proposalSchema())).toEqual([]);
    expect(
      validateJsonSchema({ ...proposal, approach_4: proposal.approach_1 }, proposalSchema()),
    ).not.toEqual([]);
    expect(validateJsonSchema(judgement, judgementSchema())).toEqual([]);
    expect(
      validateJsonSchema(
        { ...judgement, approach_2: { critique: 'x', score: 11 } },
        judgementSchema(),
      ),
    ).not.toEqual([]);
  });

  it('parses approaches and scores in order', () => {
    expect(parseProposal(JSON.stringify(proposal)).map((a) => a.title)).toEqual([
      'A how-to',
      'A history',
      'Pitfalls',
    ]);
    const parsed = parseJudgement(JSON.stringify(judgement));
    expect(parsed.scores.map((s) => [s.approach, s.score])).toEqual([
      [1, 8],
      [2, 4],
      [3, 6],
    ]);
    expect(parsed.choice).toBe(1);
    expect(() => parseJudgement('{"approach_1": {"critique": "x", "score": 3')).toThrow();
    expect(() => parseJudgement(JSON.stringify({ ...judgement, choice: 4 }))).toThrow(/choice/);
  });
});

describe('ToT planner graph', () => {
  async function plan(judgeReply: string) {
    const proposer = new ScriptedModel('small', [JSON.stringify(proposal)]);
    const judge = new ScriptedModel('strong', [judgeReply]);
    const researcher = new ScriptedModel('r', [{ call: 'search', args: { query: 'ReAct' } }]);
    const writer = new ScriptedModel('w', ['ReAct, step by step.']);
    const graph = totBlogPlanner(passages).build({
      models: { proposer, judge, researcher, writer },
      checkpointer: new MemorySaver(),
      endpoints: { weatherMode: 'offline' },
      seed: 0,
    });
    const values = (await graph.invoke(
      { topic: 'ReAct agents' },
      { configurable: { thread_id: 't' } },
    )) as Record<string, unknown>;
    return { values, proposer, judge, writer };
  }

  it('proposes under a schema, judges under another, researches and drafts the chosen branch', async () => {
    const { values, proposer, judge, writer } = await plan(
      JSON.stringify({ ...judgement, choice: 3 }),
    );
    expect(proposer.calls[0].options.responseFormat).toMatchObject({ type: 'json_schema' });
    expect(judge.calls[0].options.responseFormat).toMatchObject({ type: 'json_schema' });
    // the judge sees the three approaches
    expect(judge.calls[0].messages[1].content).toContain('3. Pitfalls: What goes wrong');
    expect(values.chosen).toBe(3);
    expect((values.sources as { query: string; hits: unknown[] }).query).toBe('ReAct');
    expect(writer.calls[0].messages[1].content).toContain('Approach: Pitfalls');
    expect(values.post).toBe('ReAct, step by step.');
    expect(values.errors).toEqual([]);
  });

  it('an unreadable judge reply is recorded and the first approach followed', async () => {
    const { values } = await plan('{"approach_1": ');
    expect(values.chosen).toBe(FALLBACK_CHOICE);
    expect(values.judgement).toBeNull();
    expect(values.errors).toMatchObject([{ step: 'judge', raw: '{"approach_1": ' }]);
    expect(values.post).toBe('ReAct, step by step.');
  });
});

const report = (agent: Report['agent']): Report => ({ agent, content: '' });

describe('team routing rules', () => {
  it('offers a worker once its input is newer than its own last report', () => {
    expect(supervisorOptions({ reports: [] })).toEqual(['searcher']);
    expect(supervisorOptions({ reports: [report('searcher')] })).toEqual(['note_taker']);
    expect(supervisorOptions({ reports: [report('searcher'), report('note_taker')] })).toEqual([
      'analyst',
      'writer',
    ]);
    // a draft must be reviewed by the analyst before the team may finish
    const drafted = [report('searcher'), report('note_taker'), report('writer')];
    expect(supervisorOptions({ reports: drafted })).toEqual(['analyst']);
    expect(supervisorOptions({ reports: [...drafted, report('analyst')] })).toEqual([
      'writer',
      FINISH,
    ]);
  });

  it('steers to a draft at the bound, once, then finishes', () => {
    expect(routeAtBound({ draft: '', routes: [] })).toBe('writer');
    expect(routeAtBound({ draft: '', routes: [{ round: 7, next: 'writer', by: 'bound' }] })).toBe(
      FINISH,
    );
    expect(routeAtBound({ draft: 'text', routes: [] })).toBe(FINISH);
  });

  it('reads the supervisor’s reply and keeps the relevant hits', () => {
    expect(parseNext('{"next": "analyst"}')).toBe('analyst');
    expect(parseNext('{"next": "editor"}')).toBeUndefined();
    expect(parseNext('not json')).toBeUndefined();
    const hits = [0.2, 0.9, 0.6, 0.7].map((relevance, i) => ({
      id: `h${i}`,
      title: '',
      text: '',
      relevance,
    }));
    expect(keepRelevant(hits).map((h) => h.kept)).toEqual([false, true, false, true]);
    // below the threshold, the best hit is still kept
    expect(keepRelevant(hits, 0.95).map((h) => h.kept)).toEqual([false, true, false, false]);
  });

  it('a supervisor that never finishes is stopped by the round bound', async () => {
    const stubborn = new ScriptedModel('sup', (_m, options) => {
      const allowed = routeChoices(options);
      return JSON.stringify({ next: allowed.filter((o) => o !== FINISH)[0] ?? allowed[0] });
    });
    const encoder = {
      info: {
        model: 'e',
        repo: 'e',
        device: 'cpu',
        dtype: 'fp32',
        tasks: ['rerank'],
        dimensions: 0,
        maxTokens: 64,
      },
      embed: async () => [],
      rerank: async (_q: string, docs: readonly string[]) => docs.map(() => 0.9),
      fillMask: async () => [],
      dispose: async () => {},
    } satisfies Encoder;
    const demo = teamOfExperts(passages);
    const graph = demo.build({
      models: {
        supervisor: stubborn,
        searcher: new ScriptedModel('s', [{ call: 'search', args: { query: 'ReAct' } }]),
        note_taker: new ScriptedModel('n', ['notes']),
        analyst: new ScriptedModel('a', ['stress it']),
        writer: new ScriptedModel('w', ['draft']),
      },
      encoders: { scorer: encoder },
      checkpointer: new MemorySaver(),
      endpoints: { weatherMode: 'offline' },
      seed: 0,
    });
    const turn = demo.turn('What is ReAct?', undefined);
    const values = (await graph.invoke(turn.input as never, {
      configurable: { thread_id: 't' },
      recursionLimit: turn.recursionLimit,
    })) as { routes: Array<{ by: string; next: string }>; draft: string };
    expect(stubborn.calls).toHaveLength(MAX_ROUNDS);
    expect(values.routes.at(-1)).toMatchObject({ by: 'bound', next: FINISH });
    expect(values.draft).toBe('draft');
  });
});
