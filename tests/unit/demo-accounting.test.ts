/**
 * Per-agent accounting (ui/demo/accounting): rows per role from a trace, an `other` row
 * for nodes of no agent, exact integer costs at the example prices, and, over a real run
 * of the team demo with scripted models, totals equal to the trace's total and to the
 * tokens the models reported.
 */
import { describe, expect, it } from 'vitest';
import { MemorySaver } from '../../src/lib/checkpoint/index.js';
import { teamOfExperts } from '../../src/lib/demos/ch3-team.js';
import type { Encoder } from '../../src/lib/encoders/types.js';
import type { Passage } from '../../src/lib/tools/index.js';
import {
  accountByAgent,
  EXAMPLE_API_PRICES,
  formatMicroDollars,
  nanoDollars,
  OTHER_AGENT,
  UNKNOWN_MODEL_PRICE,
} from '../../src/lib/ui/demo/accounting.js';
import { applyEvent, emptyTrace, type Trace, type TraceTask } from '../../src/lib/ui/demo/trace.js';
import { routeChoices, ScriptedModel } from './scripted-model.js';

function task(
  name: string,
  start: number,
  end: number,
  usages: Array<[number, number]>,
): TraceTask {
  return {
    id: `${name}-${start}`,
    name,
    startedAt: start,
    endedAt: end,
    messages: usages.map(([prompt_tokens, completion_tokens], i) => ({
      id: `${name}-${start}-${i}`,
      content: '',
      reasoning: '',
      toolCalls: [],
      usage: { prompt_tokens, completion_tokens },
    })),
  };
}

function traceOf(tasks: TraceTask[]): Trace {
  const trace = emptyTrace();
  tasks.forEach((t, step) =>
    trace.steps.push({ step, tasks: [t], keysUpdated: [], startedAt: t.startedAt }),
  );
  for (const t of tasks)
    for (const m of t.messages) {
      trace.usage.prompt_tokens += m.usage!.prompt_tokens;
      trace.usage.completion_tokens += m.usage!.completion_tokens;
    }
  return trace;
}

describe('accountByAgent', () => {
  const trace = traceOf([
    task('researcher', 0, 100, [[100, 20]]),
    task('researcher_tools', 100, 130, []),
    task('writer', 130, 330, [
      [200, 50],
      [220, 30],
    ]),
    task('deal', 330, 335, []),
  ]);
  const agents = {
    researcher: 'researcher',
    researcher_tools: 'researcher',
    writer: 'writer',
    writer_tools: 'writer',
  };

  it('groups nodes by role, keeps unmapped nodes in an `other` row, and adds up exactly', () => {
    const accounting = accountByAgent(
      trace,
      agents,
      { researcher: 'micro-agent', writer: 'qwen3-1.7b' },
      ['researcher', 'writer'],
    );
    expect(accounting.rows.map((r) => r.agent)).toEqual(['researcher', 'writer', OTHER_AGENT]);
    const [researcher, writer, other] = accounting.rows;
    expect(researcher).toMatchObject({
      nodes: ['researcher', 'researcher_tools'],
      tasks: 2,
      calls: 1,
      promptTokens: 100,
      completionTokens: 20,
      totalTokens: 120,
      ms: 130,
      model: 'micro-agent',
    });
    expect(writer).toMatchObject({ calls: 2, promptTokens: 420, completionTokens: 80, ms: 200 });
    expect(other).toMatchObject({ nodes: ['deal'], totalTokens: 0, calls: 0, ms: 5, model: '' });
    expect(accounting.totals.promptTokens).toBe(accounting.traceTokens.prompt);
    expect(accounting.totals.completionTokens).toBe(accounting.traceTokens.completion);
    expect(accounting.totals.totalTokens).toBe(620);
    expect(accounting.totals.ms).toBe(335);
    expect(accounting.wallMs).toBe(335);
  });

  it('prices tokens at the example prices in integer nano-dollars, unknown models at the fallback', () => {
    const accounting = accountByAgent(trace, agents, {
      researcher: 'micro-agent',
      writer: 'endpoint-model-x',
    });
    const micro = EXAMPLE_API_PRICES['micro-agent'];
    const [researcher, writer] = accounting.rows;
    // $0.01 per million input tokens = 10 nano-dollars per token
    expect(researcher.apiNanoDollars).toBe(100 * micro.input * 1000 + 20 * micro.output * 1000);
    expect(writer.apiNanoDollars).toBe(
      420 * UNKNOWN_MODEL_PRICE.input * 1000 + 80 * UNKNOWN_MODEL_PRICE.output * 1000,
    );
    expect(Number.isInteger(writer.apiNanoDollars)).toBe(true);
    expect(accounting.totals.apiNanoDollars).toBe(
      accounting.rows.reduce((n, r) => n + r.apiNanoDollars, 0),
    );
    expect(accounting.totals.localNanoDollars).toBe(0);
    expect(nanoDollars({ input: 0.15, output: 0.6 }, 1_000_000, 0)).toBe(150_000_000);
  });

  it('lists declared roles that did not run, with zeros', () => {
    const accounting = accountByAgent(emptyTrace(), { analyst: 'analyst' }, {}, ['analyst']);
    expect(accounting.rows).toHaveLength(1);
    expect(accounting.rows[0]).toMatchObject({ agent: 'analyst', calls: 0, totalTokens: 0 });
  });

  it('formats nano-dollars as exact micro-dollars', () => {
    expect(formatMicroDollars(0)).toBe('0.000');
    expect(formatMicroDollars(7480)).toBe('7.480');
    expect(formatMicroDollars(12_345_678)).toBe('12345.678');
  });
});

const passages: Passage[] = [
  { id: 'p1', title: 'KV cache', text: 'The KV cache keeps keys and values of earlier tokens.' },
  { id: 'p2', title: 'prefill', text: 'Prefill runs the prompt through the model once.' },
  { id: 'p3', title: 'GRPO', text: 'GRPO normalizes rewards within a group of samples.' },
];

/** Scores documents by shared words with the query; enough to exercise the scorer node. */
const overlapEncoder: Encoder = {
  info: {
    model: 'overlap',
    repo: 'overlap',
    device: 'cpu',
    dtype: 'fp32',
    tasks: ['rerank'],
    dimensions: 0,
    maxTokens: 512,
  },
  embed: async () => [],
  rerank: async (query, documents) => {
    const words = new Set(query.toLowerCase().match(/[a-z]+/g));
    return documents.map((d) => {
      const own = d.toLowerCase().match(/[a-z]+/g) ?? [];
      return own.filter((w) => words.has(w)).length / Math.max(own.length, 1);
    });
  },
  fillMask: async () => [],
  dispose: async () => {},
};

describe('the team demo, accounted', () => {
  it('every agent’s tokens add up to the trace total and to what the models reported', async () => {
    const supervisor = new ScriptedModel(
      'sup',
      (_m, options) => {
        const options_ = routeChoices(options);
        // prefer finishing, else the analyst, else the first option
        const next = options_.includes('FINISH')
          ? 'FINISH'
          : options_.includes('analyst')
            ? 'analyst'
            : options_[0];
        return JSON.stringify({ next });
      },
      { prompt: 50, completion: 6 },
    );
    const searcher = new ScriptedModel('s', [{ call: 'search', args: { query: 'KV cache' } }], {
      prompt: 40,
      completion: 12,
    });
    const noteTaker = new ScriptedModel('n', ['KV cache keeps keys.'], {
      prompt: 70,
      completion: 9,
    });
    const analyst = new ScriptedModel('a', ['Stress reuse.'], {
      prompt: 60,
      completion: 40,
      reasoning: 25,
    });
    const writer = new ScriptedModel('w', ['A KV cache keeps keys and values.'], {
      prompt: 90,
      completion: 15,
    });
    const demo = teamOfExperts(passages);
    const graph = demo.build({
      models: { supervisor, searcher, note_taker: noteTaker, analyst, writer },
      encoders: { scorer: overlapEncoder },
      checkpointer: new MemorySaver(),
      endpoints: { weatherMode: 'offline' },
      seed: 0,
    });
    const turn = demo.turn('What is a KV cache?', undefined);
    const trace = emptyTrace();
    for await (const event of graph.stream(turn.input as never, {
      configurable: { thread_id: 't' },
      streamMode: ['debug', 'messages'],
      recursionLimit: turn.recursionLimit,
    }))
      applyEvent(trace, event);

    const models = [supervisor, searcher, noteTaker, analyst, writer];
    const reported = models.reduce(
      (sum, m) => ({
        prompt: sum.prompt + m.calls.length * m.usage.prompt,
        completion: sum.completion + m.calls.length * m.usage.completion,
      }),
      { prompt: 0, completion: 0 },
    );
    const roleModels = Object.fromEntries(demo.roles.map((r) => [r.name, r.defaultModel]));
    const accounting = accountByAgent(
      trace,
      demo.agents!,
      roleModels,
      demo.roles.map((r) => r.name),
    );
    expect(accounting.rows.map((r) => r.agent)).toEqual([
      'supervisor',
      'searcher',
      'scorer',
      'note_taker',
      'analyst',
      'writer',
    ]);
    expect(accounting.totals.promptTokens).toBe(reported.prompt);
    expect(accounting.totals.completionTokens).toBe(reported.completion);
    expect(accounting.traceTokens).toEqual(reported);
    for (const [role, model] of [
      ['supervisor', supervisor],
      ['analyst', analyst],
      ['writer', writer],
    ] as const) {
      const row = accounting.rows.find((r) => r.agent === role)!;
      expect(row.calls).toBe(model.calls.length);
      expect(row.promptTokens).toBe(model.calls.length * model.usage.prompt);
    }
    expect(accounting.rows.find((r) => r.agent === 'scorer')).toMatchObject({ tasks: 1, calls: 0 });
    // thinking tokens are counted per call and summed, as part of the completion
    const analystRow = accounting.rows.find((r) => r.agent === 'analyst')!;
    expect(analystRow.reasoningTokens).toBe(25 * analyst.calls.length);
    expect(accounting.totals.reasoningTokens).toBe(analystRow.reasoningTokens);
    // the analyst thinks under its budget
    expect(analyst.calls[0].options.thinking).toEqual({ enabled: true, budgetTokens: 48 });
  });
});
