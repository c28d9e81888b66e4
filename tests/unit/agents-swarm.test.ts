/**
 * The swarm (lib/agents/swarm) and the swarm demo with scripted models: handoff tools move
 * control and record it, the active agent survives into the next turn of the thread, the
 * writer sends the work back, and the bounds end runs whose models never decide.
 */
import { describe, expect, it } from 'vitest';
import { MemorySaver } from '../../src/lib/checkpoint/index.js';
import type { Message } from '../../src/lib/graph/index.js';
import {
  createSwarm,
  handoffDecision,
  handoffTarget,
  handoffToolName,
  nextMove,
  stepsSinceControl,
  swarmRecursionLimit,
  type SwarmAgent,
  type SwarmValues,
} from '../../src/lib/agents/swarm.js';
import { sourcesFound, swarmDemo } from '../../src/lib/demos/ch3-swarm.js';
import type { Passage } from '../../src/lib/tools/index.js';
import { ScriptedModel } from './scripted-model.js';

const passages: Passage[] = [
  { id: 'p1', title: 'KV cache', text: 'The KV cache keeps keys and values of earlier tokens.' },
  { id: 'p2', title: 'prefill', text: 'Prefill runs the whole prompt through the model once.' },
  {
    id: 'p3',
    title: 'decode phase',
    text: 'Decoding makes one token at a time and reads the KV cache.',
  },
];

const agent = (over: Partial<SwarmAgent> = {}): SwarmAgent => ({
  name: 'researcher',
  model: new ScriptedModel('m', ['']),
  tools: [],
  handoffs: [{ to: 'writer', description: 'to the writer' }],
  systemPrompt: () => 'system',
  toolChoice: 'required',
  whenOutOfSteps: 'writer',
  ...over,
});

const values = (over: Partial<SwarmValues> = {}): SwarmValues => ({
  messages: [],
  active_agent: null,
  handoffs: [],
  turn: 1,
  ...over,
});

describe('handoff routing (pure)', () => {
  it('names handoff tools and reads their target back', () => {
    expect(handoffToolName('writer')).toBe('transfer_to_writer');
    expect(handoffTarget('transfer_to_writer')).toBe('writer');
    expect(handoffTarget('search')).toBeUndefined();
  });

  it('counts an agent’s steps since it got control', () => {
    const messages: Message[] = [
      { role: 'user', content: 'q' },
      { role: 'assistant', name: 'researcher', content: '' },
      { role: 'tool', name: 'search', content: '[]' },
      { role: 'assistant', name: 'researcher', content: '' },
      { role: 'tool', name: 'transfer_to_writer', content: 'Transferred to writer.' },
      { role: 'assistant', name: 'writer', content: '' },
    ];
    expect(stepsSinceControl(messages, 'writer')).toBe(1);
    // the researcher's steps stop counting at the user message, not at the handoff away
    expect(stepsSinceControl(messages, 'researcher')).toBe(2);
    expect(stepsSinceControl([...messages, { role: 'user', content: 'again' }], 'writer')).toBe(0);
  });

  it('offers own and handoff tools, forces the handoff on the last step, and withdraws handoffs at the limit', () => {
    const limits = { maxHandoffs: 2, maxSteps: 3 };
    const free = nextMove(agent(), values(), limits);
    expect(free.toolChoice).toBe('required');
    expect(free.tools.map((t) => t.function.name)).toEqual(['transfer_to_writer']);

    const twoSteps = values({
      messages: [
        { role: 'user', content: 'q' },
        { role: 'assistant', name: 'researcher', content: '' },
        { role: 'assistant', name: 'researcher', content: '' },
      ],
    });
    expect(nextMove(agent(), twoSteps, limits).toolChoice).toEqual({ name: 'transfer_to_writer' });
    // an agent with nowhere to go answers instead
    expect(nextMove(agent({ whenOutOfSteps: undefined }), twoSteps, limits).toolChoice).toBe(
      'none',
    );

    const spent = values({
      handoffs: [
        { from: 'researcher', to: 'writer', turn: 1, by: 'model' },
        { from: 'writer', to: 'researcher', turn: 1, by: 'model' },
      ],
    });
    expect(nextMove(agent(), spent, limits).toolChoice).toBe('none');
    // last turn's handoffs do not count against this one
    expect(nextMove(agent(), { ...spent, turn: 2 }, limits).toolChoice).toBe('required');
  });

  it('follows the first allowed handoff and refuses the rest', () => {
    const message: Message = {
      role: 'assistant',
      content: '',
      tool_calls: [
        { id: 'a', type: 'function', function: { name: 'transfer_to_editor', arguments: '{}' } },
        { id: 'b', type: 'function', function: { name: 'transfer_to_writer', arguments: '{}' } },
        { id: 'c', type: 'function', function: { name: 'transfer_to_writer', arguments: '{}' } },
      ],
    };
    const decision = handoffDecision(agent(), message, values(), 4);
    expect(decision.to).toBe('writer');
    expect(decision.refusals.get('a')).toMatch(/cannot hand off to editor/);
    expect(decision.refusals.get('c')).toMatch(/already goes to writer/);
    expect(handoffDecision(agent(), message, values(), 0).to).toBeUndefined();
  });
});

async function runTurn(
  graph: ReturnType<typeof createSwarm>,
  thread: string,
  text: string,
  turn: number,
) {
  const config = { configurable: { thread_id: thread }, recursionLimit: swarmRecursionLimit(4, 3) };
  const path: string[] = [];
  const updates = graph.stream(
    { messages: [{ role: 'user', content: text }], turn },
    { ...config, streamMode: ['updates'] },
  ) as AsyncIterable<[string, unknown]>;
  for await (const [, chunk] of updates) {
    path.push(...Object.keys(chunk as object));
  }
  const state = await graph.getState(config);
  return { path, values: state.values as SwarmValues };
}

describe('the swarm demo with scripted models', () => {
  it('hands off by tool, keeps the active agent, and the next turn starts with it', async () => {
    const researcher = new ScriptedModel('r', [
      { call: 'search', args: { query: 'KV cache' } },
      { call: 'transfer_to_writer' },
    ]);
    const writer = new ScriptedModel('w', ['The KV cache keeps keys.', 'Shorter: it caches keys.']);
    const demo = swarmDemo(passages);
    const graph = demo.build({
      models: { researcher, writer },
      checkpointer: new MemorySaver(),
      endpoints: { weatherMode: 'offline' },
      seed: 0,
    }) as ReturnType<typeof createSwarm>;

    const first = await runTurn(graph, 't', 'Explain the KV cache.', 1);
    expect(first.path).toEqual([
      'researcher',
      'researcher_tools',
      'researcher',
      'researcher_tools',
      'writer',
    ]);
    expect(first.values.active_agent).toBe('writer');
    expect(first.values.handoffs).toEqual([
      { from: 'researcher', to: 'writer', turn: 1, by: 'model' },
    ]);
    expect(sourcesFound(first.values.messages).length).toBeGreaterThanOrEqual(2);
    // with enough sources the writer is told to answer, and is offered the way back
    const writerCall = writer.calls[0];
    expect(writerCall.messages[0].content).toMatch(/Sources found: [2-9]\d*\. Answer the user now/);
    expect(writerCall.options.tools?.map((t) => t.function.name)).toEqual([
      'transfer_to_researcher',
    ]);

    // the demo's turn() counts turns; the follow-up starts with the writer, not the researcher
    const input = demo.turn('Make it shorter.', first.values as unknown as Record<string, unknown>);
    expect((input.input as { turn: number }).turn).toBe(2);
    const second = await runTurn(graph, 't', 'Make it shorter.', 2);
    expect(second.path).toEqual(['writer']);
    expect(second.values.active_agent).toBe('writer');
    expect(researcher.calls).toHaveLength(2);
  });

  it('the writer sends the work back when sources are thin', async () => {
    const researcher = new ScriptedModel('r', [
      { call: 'transfer_to_writer' },
      { call: 'search', args: { query: 'prefill' } },
      { call: 'search', args: { query: 'KV cache' } },
      { call: 'transfer_to_writer' },
    ]);
    const writer = new ScriptedModel('w', (messages) =>
      /thin/.test(messages[0].content) ? { call: 'transfer_to_researcher' } : 'Done.',
    );
    const graph = swarmDemo(passages).build({
      models: { researcher, writer },
      checkpointer: new MemorySaver(),
      endpoints: { weatherMode: 'offline' },
      seed: 0,
    }) as ReturnType<typeof createSwarm>;
    const { values: end } = await runTurn(graph, 't', 'Explain prefill.', 1);
    expect(end.handoffs.map((h) => `${h.from}>${h.to}`)).toEqual([
      'researcher>writer',
      'writer>researcher',
      'researcher>writer',
    ]);
    expect(end.active_agent).toBe('writer');
    expect(end.messages.at(-1)?.content).toBe('Done.');
  });

  it('ends when agents only ever hand off: the handoff bound, then an answer', async () => {
    const pingPong = (to: string) =>
      new ScriptedModel(to, (_messages, options) =>
        options.toolChoice === 'none' ? 'I stop here.' : { call: `transfer_to_${to}` },
      );
    const graph = createSwarm({
      defaultAgent: 'a',
      maxHandoffs: 3,
      maxSteps: 3,
      checkpointer: new MemorySaver(),
      agents: ['a', 'b'].map((name) => ({
        name,
        model: pingPong(name === 'a' ? 'b' : 'a'),
        tools: [],
        handoffs: [{ to: name === 'a' ? 'b' : 'a', description: 'the other one' }],
        systemPrompt: () => name,
        toolChoice: 'auto' as const,
      })),
    });
    const { values: end } = await runTurn(graph, 't', 'go', 1);
    expect(end.handoffs).toHaveLength(3);
    expect(end.active_agent).toBe('b');
    expect(end.messages.at(-1)?.content).toBe('I stop here.');
  });

  it('ends when an agent never hands off: its step bound forces the handoff', async () => {
    const researcher = new ScriptedModel('r', (_m, options) =>
      typeof options.toolChoice === 'object'
        ? { call: options.toolChoice.name }
        : { call: 'search', args: { query: 'KV cache' } },
    );
    const writer = new ScriptedModel('w', ['Answer.']);
    const graph = swarmDemo(passages).build({
      models: { researcher, writer },
      checkpointer: new MemorySaver(),
      endpoints: { weatherMode: 'offline' },
      seed: 0,
    }) as ReturnType<typeof createSwarm>;
    const { values: end } = await runTurn(graph, 't', 'q', 1);
    expect(researcher.calls).toHaveLength(3);
    expect(end.handoffs).toEqual([{ from: 'researcher', to: 'writer', turn: 1, by: 'step-limit' }]);
  });

  it('a model that calls tools even when told to answer still ends the turn, its calls dropped', async () => {
    const deaf = new ScriptedModel('deaf', () => ({ call: 'transfer_to_b' }));
    const graph = createSwarm({
      defaultAgent: 'a',
      maxHandoffs: 0,
      checkpointer: new MemorySaver(),
      agents: [
        {
          name: 'a',
          model: deaf,
          tools: [],
          handoffs: [{ to: 'b', description: 'b' }],
          systemPrompt: () => 'a',
          toolChoice: 'auto',
        },
        {
          name: 'b',
          model: deaf,
          tools: [],
          handoffs: [],
          systemPrompt: () => 'b',
          toolChoice: 'auto',
        },
      ],
    });
    const { path, values: end } = await runTurn(graph, 't', 'go', 1);
    expect(path).toEqual(['a']);
    expect(deaf.calls[0].options.toolChoice).toBe('none');
    expect(end.messages.at(-1)).toMatchObject({ role: 'assistant', swarm_move: 'answer' });
    expect(end.messages.at(-1)?.tool_calls).toBeUndefined();
    expect(end.handoffs).toEqual([]);
  });
});
