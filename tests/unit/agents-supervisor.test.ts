/**
 * The supervisor (router + workers) on the graph engine. Mechanics with a scripted model
 * (routing, reports, the round bounds, an unusable reply, a team as a subgraph); then the
 * two chapter 3 demos end to end on the real micro model, greedy.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  createReactAgent,
  createSupervisor,
  createWorkerNode,
  FINISH,
  reportSummary,
  routerMessages,
  supervisorPrompt,
  visitReports,
  type RouteDecision,
} from '../../src/lib/agents/index.js';
import { MemorySaver } from '../../src/lib/checkpoint/index.js';
import { hierarchicalTeamsDemo } from '../../src/lib/demos/ch3-hierarchical-teams.js';
import { supervisorDemo } from '../../src/lib/demos/ch3-supervisor.js';
import type { Message } from '../../src/lib/graph/index.js';
import { TransformersChatModel } from '../../src/lib/llm/engines/transformers.js';
import type { ChatChunk, ChatModel, ChatOptions, ChatResult } from '../../src/lib/llm/types.js';
import { createCalculatorTool, parsePassagesJsonl } from '../../src/lib/tools/index.js';
import { applyEvent, emptyTrace, pathTaken } from '../../src/lib/ui/demo/trace.js';
import { oneTokenUsage } from './scripted-model.js';

const MODELS = new URL('../../static-models/', import.meta.url).pathname;
const passages = parsePassagesJsonl(readFileSync(`${MODELS}corpus/passages.jsonl`, 'utf8'));

type Reply = string | { call: string; arguments: Record<string, unknown> };

/** Answers each call with `reply(messages, options)`: text, or one tool call. */
class FunctionModel implements ChatModel {
  readonly info = { engine: 'transformers' as const, model: 'scripted' };
  readonly calls: Array<{ messages: Message[]; options: ChatOptions }> = [];
  constructor(private readonly reply: (messages: Message[], options: ChatOptions) => Reply) {}

  async invoke(messages: readonly Message[], options: ChatOptions = {}): Promise<ChatResult> {
    let final: ChatResult | undefined;
    for await (const chunk of this.stream(messages, options))
      if (chunk.type === 'final') final = chunk;
    return final!;
  }

  async *stream(messages: readonly Message[], options: ChatOptions = {}): AsyncIterable<ChatChunk> {
    this.calls.push({ messages: [...messages], options });
    const reply = this.reply([...messages], options);
    const usage = oneTokenUsage();
    if (typeof reply === 'string') {
      yield { type: 'token', text: reply };
      yield {
        type: 'final',
        message: { role: 'assistant', content: reply },
        finishReason: 'stop',
        usage,
      };
    } else {
      const call = {
        id: `call_${this.calls.length}`,
        type: 'function' as const,
        function: { name: reply.call, arguments: JSON.stringify(reply.arguments) },
      };
      yield {
        type: 'final',
        message: { role: 'assistant', content: '', tool_calls: [call] },
        finishReason: 'tool_calls',
        usage,
      };
    }
  }
}

const user = (content: string) => ({ messages: [{ role: 'user', content }] });

/** A ReAct worker whose model calls the calculator once, then answers. */
function calculatorWorker(name: string, answer: string) {
  const model = new FunctionModel((messages) =>
    messages.at(-1)?.role === 'tool'
      ? answer
      : { call: 'calculator', arguments: { expression: '6 * 7' } },
  );
  const agent = createReactAgent({ model, tools: [createCalculatorTool()], maxSteps: 2 });
  return { model, node: createWorkerNode(name, agent) };
}

describe('router prompt', () => {
  it('is the SUP_SYS prompt the micro model was trained on', () => {
    const data = readFileSync(`${MODELS}recipes/micro_agent/data.py`, 'utf8');
    const template = /SUP_SYS = \((.+?)\)\n/s
      .exec(data)![1]
      .split('\n')
      .map((line) => JSON.parse(line.trim()) as string)
      .join('')
      .replaceAll('{{', '{')
      .replaceAll('}}', '}');
    const workers = [
      { name: 'researcher', description: 'finds facts and information on the web' },
      { name: 'writer', description: 'writes and edits text such as emails and poems' },
    ];
    expect(supervisorPrompt(workers)).toBe(
      template.replace('{workers}', workers.map((w) => `- ${w.name}: ${w.description}`).join('\n')),
    );
  });

  it('shows the task and each report as one short assistant turn, not the tool traffic', () => {
    const messages: Message[] = [
      { role: 'user', content: 'old task' },
      { role: 'assistant', name: 'a', report: true, content: 'old report.' },
      { role: 'user', content: 'Find facts about Jupiter.' },
      { role: 'assistant', name: 'a', content: '', tool_calls: [] },
      { role: 'tool', name: 'search', tool_call_id: 'x', content: '[]' },
      { role: 'assistant', name: 'a', report: true, content: 'Jupiter is big. It has moons.' },
    ];
    expect(routerMessages([{ name: 'a', description: 'does a' }], messages).slice(1)).toEqual([
      { role: 'user', content: 'Find facts about Jupiter.' },
      { role: 'assistant', content: 'Jupiter is big.' },
    ]);
    expect(reportSummary('x'.repeat(300), 10)).toBe(`${'x'.repeat(9)}…`);
  });

  it("reads one report per visit it granted: a team's last word, not every inner report", () => {
    const messages: Message[] = [
      { role: 'user', content: 'task' },
      { role: 'assistant', name: 'searcher', report: true, content: 'First.' },
      { role: 'assistant', name: 'searcher', report: true, content: 'Second.' },
      { role: 'assistant', name: 'copywriter', report: true, content: 'Saved.' },
    ];
    const decision = (router: string, next: string, at: number): RouteDecision => ({
      id: `${router}${at}`,
      router,
      next,
      turn: 1,
      at,
    });
    const decisions = [
      decision('supervisor', 'researcher', 1),
      decision('research_supervisor', 'searcher', 1),
      decision('research_supervisor', 'searcher', 2),
      decision('supervisor', 'writer', 3),
    ];
    expect(visitReports(messages, decisions, 'supervisor').map((m) => m.content)).toEqual([
      'Second.',
      'Saved.',
    ]);
    expect(visitReports(messages, decisions, 'research_supervisor').map((m) => m.content)).toEqual([
      'First.',
      'Second.', // the team's last visit ends when its parent routes again
    ]);
  });
});

describe('supervisor mechanics (scripted models)', () => {
  it('routes to a worker, reads its report and finishes; the update is {next}', async () => {
    const worker = calculatorWorker('math_expert', 'The result is 42.');
    const router = new FunctionModel((messages) =>
      messages.some((m) => m.role === 'assistant')
        ? '{"next": "FINISH"}'
        : '{"next": "math_expert"}',
    );
    const graph = createSupervisor({
      model: router,
      workers: [{ name: 'math_expert', description: 'solves math', node: worker.node }],
    });
    const updates: Array<Record<string, Record<string, unknown>>> = [];
    for await (const update of graph.stream(user('What is 6 * 7?'), { streamMode: 'updates' }))
      updates.push(update as Record<string, Record<string, unknown>>);
    expect(updates.map((u) => Object.keys(u)[0])).toEqual([
      'supervisor',
      'math_expert',
      'supervisor',
    ]);
    expect(updates[0].supervisor).toMatchObject({ next: 'math_expert', route_error: null });
    expect(updates[2].supervisor).toMatchObject({ next: FINISH });
    const written = updates[1].math_expert.messages as Message[];
    expect(written.map((m) => [m.role, m.name])).toEqual([
      ['assistant', 'math_expert'],
      ['tool', 'calculator'],
      ['assistant', 'math_expert'],
    ]);
    expect(written.at(-1)).toMatchObject({ content: 'The result is 42.', report: true });
    // The router answered under the route schema, with thinking off.
    expect(router.calls[0].options.responseFormat).toMatchObject({
      type: 'json_schema',
      schema: { properties: { next: { enum: ['math_expert', FINISH] } } },
    });
    // The worker saw only the task, with no other worker's traffic.
    expect(worker.model.calls[0].messages).toEqual([
      { role: 'user', content: 'What is 6 * 7?', id: expect.any(String) },
    ]);
  });

  it('ends a router that never says FINISH after maxRounds visits, keeping every decision', async () => {
    const worker = calculatorWorker('math_expert', 'Done.');
    const router = new FunctionModel(() => '{"next": "math_expert"}');
    const graph = createSupervisor({
      model: router,
      workers: [{ name: 'math_expert', description: 'solves math', node: worker.node }],
      maxRounds: 2,
      checkpointer: new MemorySaver(),
    });
    const config = { configurable: { thread_id: 'loop' } };
    const values = await graph.invoke(user('again and again'), config);
    expect((values.decisions as RouteDecision[]).map((d) => d.next)).toEqual([
      'math_expert',
      'math_expert',
      'math_expert',
    ]);
    expect(router.calls).toHaveLength(3);
    expect(worker.model.calls).toHaveLength(4); // two visits, two calls each
    // A new user turn gets a fresh budget.
    const next = await graph.invoke(user('once more'), config);
    expect((next.decisions as RouteDecision[]).filter((d) => d.turn === 2)).toHaveLength(3);
  });

  it('ends with route_error when the reply names no worker (an engine without constraints)', async () => {
    const worker = calculatorWorker('math_expert', 'Done.');
    const graph = createSupervisor({
      model: new FunctionModel(() => 'I think the math expert'),
      workers: [{ name: 'math_expert', description: 'solves math', node: worker.node }],
    });
    const values = await graph.invoke(user('hi'));
    expect(values.next).toBe(FINISH);
    expect(values.route_error).toMatch(/not JSON/);
    expect(worker.model.calls).toHaveLength(0);
  });

  it('runs a team as a subgraph, its bound counted per visit', async () => {
    const inner = calculatorWorker('calc', 'Inner done.');
    const team = createSupervisor({
      model: new FunctionModel(() => '{"next": "calc"}'), // never finishes by itself
      supervisorName: 'team_supervisor',
      workers: [{ name: 'calc', description: 'calculates', node: inner.node }],
      maxRounds: 1,
      roundsPer: 'visit',
      name: 'team',
    });
    let topCalls = 0;
    const top = createSupervisor({
      model: new FunctionModel(() => (++topCalls <= 2 ? '{"next": "team"}' : '{"next": "FINISH"}')),
      workers: [{ name: 'team', description: 'a team', node: team }],
      maxRounds: 3,
    });
    const values = await top.invoke(user('go'));
    const decisions = (values.decisions as RouteDecision[]).map((d) => `${d.router}->${d.next}`);
    expect(decisions).toEqual([
      'supervisor->team',
      'team_supervisor->calc',
      'team_supervisor->calc', // past the bound: the visit ends
      'supervisor->team',
      'team_supervisor->calc',
      'team_supervisor->calc',
      'supervisor->FINISH',
    ]);
    // Each visit's report arrived once, although the subgraph sends its whole list back.
    const reports = (values.messages as Message[]).filter((m) => m.report === true);
    expect(reports.map((m) => m.name)).toEqual(['calc', 'calc']);
  });
});

describe('a worker that must act once (ReAct toolChoice)', () => {
  it('forces the tool on agent turns, never on the wrap-up', async () => {
    const model = new FunctionModel((messages, options) =>
      options.toolChoice === 'none'
        ? 'Saved it.'
        : { call: 'calculator', arguments: { expression: '1 + 1' } },
    );
    const agent = createReactAgent({
      model,
      tools: [createCalculatorTool()],
      maxSteps: 1,
      toolChoice: { name: 'calculator' },
    });
    const values = await agent.invoke({ messages: [{ role: 'user', content: 'do it' }] });
    expect(model.calls.map((c) => c.options.toolChoice)).toEqual([{ name: 'calculator' }, 'none']);
    expect((values.messages as Message[]).at(-1)).toMatchObject({
      content: 'Saved it.',
      wrap_up: true,
    });
  });
});

describe('the Trace of a team run', () => {
  it("shows each message under the task that produced it, not again under a team's re-sent list", async () => {
    const inner = calculatorWorker('calc', 'Inner done.');
    let teamCalls = 0;
    const team = createSupervisor({
      model: new FunctionModel(() => (++teamCalls % 2 ? '{"next": "calc"}' : '{"next": "FINISH"}')),
      supervisorName: 'team_supervisor',
      workers: [{ name: 'calc', description: 'calculates', node: inner.node }],
      roundsPer: 'visit',
    });
    let topCalls = 0;
    const top = createSupervisor({
      model: new FunctionModel(() => (++topCalls <= 2 ? '{"next": "team"}' : '{"next": "FINISH"}')),
      workers: [{ name: 'team', description: 'a team', node: team }],
      checkpointer: new MemorySaver(),
    });
    const trace = emptyTrace();
    for await (const event of top.stream(user('go'), {
      configurable: { thread_id: 'trace' },
      streamMode: ['debug', 'messages', 'values'],
    }))
      applyEvent(trace, event);
    expect(pathTaken(trace)).toEqual(['supervisor', 'team', 'supervisor', 'team', 'supervisor']);
    const teamTasks = trace.steps.flatMap((s) => s.tasks).filter((t) => t.name === 'team');
    const shown = teamTasks.map((t) =>
      t.messages.map((m) => m.content || m.toolCalls.map((c) => c.name).join()),
    );
    // Each visit: the worker's call (with its result attached) and its report; the second
    // visit does not repeat the first one's messages, and the user's message shows nowhere.
    expect(shown).toEqual([
      ['calculator', '42', 'Inner done.'],
      ['calculator', '42', 'Inner done.'],
    ]);
    expect(teamTasks[0].messages[0].toolCalls[0].result).toBe('42');
    expect(
      trace.steps
        .flatMap((s) => s.tasks)
        .flatMap((t) => t.messages)
        .map((m) => m.content),
    ).not.toContain('go');
  });
});

describe('chapter 3 demos on the micro model', () => {
  const load = () =>
    TransformersChatModel.load({
      model: 'micro-agent',
      localModelPath: MODELS,
      allowRemoteModels: false,
      device: 'cpu',
    });

  it('supervisor-team: the router sends arithmetic to the math expert, then finishes', async () => {
    const model = await load();
    try {
      const demo = supervisorDemo(passages);
      const graph = demo.build({
        models: Object.fromEntries(demo.roles.map((r) => [r.name, model])),
        checkpointer: new MemorySaver(),
        endpoints: { weatherMode: 'offline' },
        seed: 0,
      });
      const turn = demo.turn('Compute 12 times 7.', undefined);
      const values = await graph.invoke(turn.input as never, {
        configurable: { thread_id: 'sup' },
        recursionLimit: turn.recursionLimit,
      });
      expect((values.decisions as RouteDecision[]).map((d) => d.next)).toEqual([
        'math_expert',
        FINISH,
      ]);
      const calls = (values.messages as Message[]).flatMap((m) => m.tool_calls ?? []);
      expect(calls[0].function.name).toBe('calculator');
      expect(demo.answer!(values)).toBeTruthy();
    } finally {
      await model.dispose();
    }
  }, 60_000);

  it('hierarchical-teams: top and team routers decide, the writer must call write_document, the run ends', async () => {
    const model = await load();
    try {
      const demo = hierarchicalTeamsDemo(passages);
      const graph = demo.build({
        models: Object.fromEntries(demo.roles.map((r) => [r.name, model])),
        checkpointer: new MemorySaver(),
        endpoints: { weatherMode: 'offline' },
        seed: 0,
      });
      const turn = demo.turn(
        'Find facts about the moons of Jupiter, then write a report about them.',
        undefined,
      );
      const values = await graph.invoke(turn.input as never, {
        configurable: { thread_id: 'hier' },
        recursionLimit: turn.recursionLimit,
      });
      const decisions = values.decisions as RouteDecision[];
      expect(decisions[0]).toMatchObject({ router: 'supervisor', next: 'researcher' });
      expect(decisions.map((d) => d.router)).toContain('writing_supervisor');
      expect(decisions.filter((d) => d.router === 'supervisor').length).toBeLessThanOrEqual(4);
      const writes = (values.messages as Message[])
        .flatMap((m) => m.tool_calls ?? [])
        .filter((c) => c.function.name === 'write_document');
      expect(writes.length).toBeGreaterThan(0);
      for (const call of writes)
        expect(Object.keys(JSON.parse(call.function.arguments)).sort()).toEqual([
          'content',
          'file_name',
        ]);
      // Node has no OPFS: the tool says so, in words, and the run still ends.
      const observation = (values.messages as Message[]).find(
        (m) => m.role === 'tool' && m.name === 'write_document',
      );
      expect(observation?.content).toMatch(/origin private file system/);
    } finally {
      await model.dispose();
    }
  }, 120_000);
});
