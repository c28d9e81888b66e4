/**
 * The graph engine's semantics, one describe block per bullet of the runtime-core issue.
 * Every test asserts on resulting state (or on what the stream carried), with the real
 * MemorySaver behind checkpoints.
 */
import { describe, expect, it } from 'vitest';
import { MemorySaver } from '../../src/lib/checkpoint/memory.js';
import {
  Annotation,
  Command,
  END,
  GraphRecursionError,
  GraphValidationError,
  InvalidUpdateError,
  REMOVE_ALL_MESSAGES,
  RemoveMessage,
  START,
  Send,
  StateGraph,
  ThreadBusyError,
  addMessages,
  messagesReducer,
  type Message,
  type Runtime,
} from '../../src/lib/graph/index.js';

const thread = (id: string, extra: Record<string, unknown> = {}) => ({
  configurable: { thread_id: id, ...extra },
});

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('messagesReducer', () => {
  it('gives ids to messages without one and does not mutate its inputs', () => {
    const incoming: Message = { role: 'user', content: 'hi' };
    const out = messagesReducer([], [incoming]);
    expect(out).toHaveLength(1);
    expect(typeof out[0].id).toBe('string');
    expect(incoming.id).toBeUndefined();
    expect(addMessages).toBe(messagesReducer);
  });

  it('replaces a message with the same id in place and appends new ones', () => {
    const left: Message[] = [
      { id: 'a', role: 'user', content: 'one' },
      { id: 'b', role: 'assistant', content: 'two' },
    ];
    const out = messagesReducer(left, [
      { id: 'a', role: 'user', content: 'ONE' },
      { id: 'c', role: 'user', content: 'three' },
    ]);
    expect(out.map((m) => [m.id, m.content])).toEqual([
      ['a', 'ONE'],
      ['b', 'two'],
      ['c', 'three'],
    ]);
    expect(left[0].content).toBe('one');
  });

  it('removes on RemoveMessage, also after a JSON round trip, and rejects unknown ids', () => {
    const left: Message[] = [
      { id: 'a', role: 'user', content: 'one' },
      { id: 'b', role: 'assistant', content: 'two' },
    ];
    expect(messagesReducer(left, new RemoveMessage('a')).map((m) => m.id)).toEqual(['b']);
    const revived = JSON.parse(JSON.stringify(new RemoveMessage('b')));
    expect(messagesReducer(left, [revived]).map((m) => m.id)).toEqual(['a']);
    expect(() => messagesReducer(left, new RemoveMessage('zzz'))).toThrow(/zzz/);
    const cleared = messagesReducer(left, [
      new RemoveMessage(REMOVE_ALL_MESSAGES),
      { id: 'n', role: 'user', content: 'fresh' },
    ]);
    expect(cleared.map((m) => m.id)).toEqual(['n']);
  });

  it('works as a channel reducer in a graph', async () => {
    const State = Annotation.Root({
      messages: Annotation<Message[]>({ reducer: messagesReducer, default: () => [] }),
    });
    const app = new StateGraph(State)
      .addNode('reply', (s) => ({
        messages: [{ role: 'assistant', content: `echo ${s.messages.at(-1)?.content}` }],
      }))
      .addEdge(START, 'reply')
      .addEdge('reply', END)
      .compile();
    const out = await app.invoke({ messages: [{ role: 'user', content: 'hello' }] });
    expect(out.messages.map((m) => m.content)).toEqual(['hello', 'echo hello']);
    expect(out.messages.every((m) => typeof m.id === 'string')).toBe(true);
  });
});

describe('supersteps', () => {
  const State = Annotation.Root({
    log: Annotation<string[]>({ reducer: (a, b) => a.concat(b), default: () => [] }),
    seen: Annotation<string[]>({ reducer: (a, b) => a.concat(b), default: () => [] }),
    last: Annotation<string | null>(),
  });

  it('runs triggered nodes concurrently on one snapshot and applies writes together in task order', async () => {
    let concurrent = 0;
    let maxConcurrent = 0;
    const slowFirst = (name: string, ms: number) => async (s: typeof State.State) => {
      concurrent++;
      maxConcurrent = Math.max(maxConcurrent, concurrent);
      await delay(ms);
      concurrent--;
      // Each parallel node sees the state before any of them wrote.
      return { log: [name], seen: [`${name} saw ${s.log.join(',') || 'nothing'}`] };
    };
    const app = new StateGraph(State)
      .addNode('a', slowFirst('a', 30))
      .addNode('b', slowFirst('b', 1))
      .addNode('c', slowFirst('c', 10))
      .addNode('after', (s) => ({ seen: [`after saw ${s.log.join(',')}`] }))
      .addEdge(START, 'a')
      .addEdge(START, 'b')
      .addEdge(START, 'c')
      .addEdge(['a', 'b', 'c'], 'after')
      .addEdge('after', END)
      .compile();
    const out = await app.invoke({});
    expect(maxConcurrent).toBe(3);
    // b finished first, but writes are applied in definition order, not completion order.
    expect(out.log).toEqual(['a', 'b', 'c']);
    expect(out.seen).toEqual([
      'a saw nothing',
      'b saw nothing',
      'c saw nothing',
      'after saw a,b,c',
    ]);
  });

  it('calls a reducer for every write of a step, in task order, once per step per channel update', async () => {
    const calls: Array<[string[], string[]]> = [];
    const S = Annotation.Root({
      log: Annotation<string[]>({
        reducer: (a, b) => {
          calls.push([a, b]);
          return a.concat(b);
        },
        default: () => [],
      }),
    });
    const app = new StateGraph(S)
      .addNode('x', () => ({ log: ['x'] }))
      .addNode('y', () => ({ log: ['y'] }))
      .addEdge(START, 'x')
      .addEdge(START, 'y')
      .addEdge('x', END)
      .addEdge('y', END)
      .compile();
    await app.invoke({});
    expect(calls).toEqual([
      [[], ['x']],
      [['x'], ['y']],
    ]);
  });

  it('throws InvalidUpdateError naming the channel when two nodes write a key without reducer', async () => {
    const app = new StateGraph(State)
      .addNode('a', () => ({ last: 'a' }))
      .addNode('b', () => ({ last: 'b' }))
      .addEdge(START, 'a')
      .addEdge(START, 'b')
      .addEdge('a', END)
      .addEdge('b', END)
      .compile();
    const error = await app.invoke({}).catch((e) => e);
    expect(error).toBeInstanceOf(InvalidUpdateError);
    expect(error.message).toContain("'last'");
    expect(error.channel).toBe('last');
  });

  it('a key without reducer keeps the last value across steps', async () => {
    const app = new StateGraph(State)
      .addNode('a', () => ({ last: 'a' }))
      .addNode('b', () => ({ last: 'b' }))
      .addEdge(START, 'a')
      .addEdge('a', 'b')
      .addEdge('b', END)
      .compile();
    expect((await app.invoke({ last: 'input' })).last).toBe('b');
  });

  it('rejects a node update with keys that are not in the state', async () => {
    const app = new StateGraph(State)
      .addNode('bad', () => ({ nope: 1 }) as never)
      .addEdge(START, 'bad')
      .addEdge('bad', END)
      .compile();
    await expect(app.invoke({})).rejects.toThrow(/'bad' returned key 'nope'/);
  });
});

describe('node results: update, Command, nothing, Send', () => {
  const State = Annotation.Root({
    visited: Annotation<string[]>({ reducer: (a, b) => a.concat(b), default: () => [] }),
    results: Annotation<number[]>({ reducer: (a, b) => a.concat(b), default: () => [] }),
    n: Annotation<number>(),
  });

  it('accepts a partial update, a Command with update and goto, or nothing', async () => {
    const app = new StateGraph(State)
      .addNode('first', () => ({ visited: ['first'] }))
      .addNode('router', () => new Command({ update: { visited: ['router'] }, goto: 'silent' }), {
        ends: ['silent', 'other'],
      })
      .addNode('other', () => ({ visited: ['other'] }))
      .addNode('silent', () => undefined)
      .addEdge(START, 'first')
      .addEdge('first', 'router')
      .addEdge('other', END)
      .addEdge('silent', END)
      .compile();
    const out = await app.invoke({});
    expect(out.visited).toEqual(['first', 'router']);
    const steps = await collect(app.stream({}, { streamMode: 'updates' }));
    expect(steps).toEqual([
      { first: { visited: ['first'] } },
      { router: { visited: ['router'] } },
      { silent: null },
    ]);
  });

  it('fans out one task per Send from a conditional edge, each with its own input', async () => {
    const app = new StateGraph(State)
      .addNode('plan', () => ({ visited: ['plan'] }))
      .addNode('square', (arg: unknown) => {
        const { n } = arg as { n: number };
        return { results: [n * n] };
      })
      .addEdge(START, 'plan')
      .addConditionalEdges('plan', () => [1, 2, 3, 4].map((n) => new Send('square', { n })), [
        'square',
      ])
      .addEdge('square', END)
      .compile();
    const out = await app.invoke({});
    expect(out.results).toEqual([1, 4, 9, 16]);
  });

  it('fans out from Command.goto with Send', async () => {
    const app = new StateGraph(State)
      .addNode(
        'plan',
        () => new Command({ goto: [new Send('work', { n: 5 }), new Send('work', { n: 6 })] }),
        {
          ends: ['work'],
        },
      )
      .addNode('work', (arg: unknown) => ({ results: [(arg as { n: number }).n] }))
      .addEdge(START, 'plan')
      .addEdge('work', END)
      .compile();
    expect((await app.invoke({})).results).toEqual([5, 6]);
  });

  it('rejects routes to unknown nodes and router results outside the path map', async () => {
    const app = new StateGraph(State)
      .addNode('a', () => new Command({ goto: 'ghost' }), { ends: [END] })
      .addEdge(START, 'a')
      .compile();
    await expect(app.invoke({})).rejects.toThrow(/unknown node 'ghost'/);
    const app2 = new StateGraph(State)
      .addNode('a', () => ({}))
      .addNode('b', () => ({}))
      .addEdge(START, 'a')
      .addConditionalEdges('a', () => 'c', { b: 'b', end: END })
      .addEdge('b', END)
      .compile();
    await expect(app2.invoke({})).rejects.toThrow(/returned 'c', which is not in its path map/);
  });

  it('conditional edges see the node’s own writes', async () => {
    const app = new StateGraph(State)
      .addNode('count', (s) => ({ n: (s.n ?? 0) + 1 }))
      .addEdge(START, 'count')
      .addConditionalEdges('count', (s) => (s.n < 3 ? 'count' : END), ['count', END])
      .compile();
    expect((await app.invoke({ n: 0 })).n).toBe(3);
  });
});

describe('subgraphs', () => {
  const State = Annotation.Root({
    topic: Annotation<string>(),
    notes: Annotation<string[]>({ reducer: (a, b) => a.concat(b), default: () => [] }),
    route: Annotation<string>(),
  });
  const Inner = Annotation.Root({
    topic: Annotation<string>(),
    notes: Annotation<string[]>({ reducer: (a, b) => a.concat(b), default: () => [] }),
    scratch: Annotation<string>(),
  });

  it('runs a compiled graph as a node; same-named keys are the shared bus', async () => {
    const inner = new StateGraph(Inner)
      .addNode('research', (s) => ({ scratch: `about ${s.topic}`, notes: [`research ${s.topic}`] }))
      .addEdge(START, 'research')
      .addEdge('research', END)
      .compile();
    const app = new StateGraph(State)
      .addNode('team', inner)
      .addNode('wrap', (s) => ({ notes: [`wrap ${s.notes.length}`] }))
      .addEdge(START, 'team')
      .addEdge('team', 'wrap')
      .addEdge('wrap', END)
      .compile();
    const out = await app.invoke({ topic: 'cats' });
    expect(out.notes).toEqual(['research cats', 'wrap 1']);
    expect(out).not.toHaveProperty('scratch');
  });

  it('surfaces a subgraph interrupt in the parent and resumes inside the subgraph', async () => {
    const innerRuns: string[] = [];
    const inner = new StateGraph(Inner)
      .addNode('draft', () => {
        innerRuns.push('draft');
        return { notes: ['draft'] };
      })
      .addNode('review', (_s, runtime) => {
        innerRuns.push('review');
        const verdict = runtime.interrupt<string>({ question: 'approve the draft?' });
        return { notes: [`review: ${verdict}`] };
      })
      .addEdge(START, 'draft')
      .addEdge('draft', 'review')
      .addEdge('review', END)
      .compile();
    const app = new StateGraph(State)
      .addNode('team', inner)
      .addEdge(START, 'team')
      .addEdge('team', END)
      .compile({ checkpointer: new MemorySaver() });
    const config = thread('sub-hitl');
    const paused = await app.invoke({ topic: 'dogs' }, config);
    expect(paused.__interrupt__).toHaveLength(1);
    expect(paused.__interrupt__?.[0].value).toEqual({ question: 'approve the draft?' });
    const state = await app.getState(config, { subgraphs: true });
    expect(state.next).toEqual(['team']);
    expect(state.interrupts.map((i) => i.id)).toEqual([paused.__interrupt__?.[0].id]);
    expect(state.tasks[0].state?.next).toEqual(['review']);

    const done = await app.invoke(new Command({ resume: 'yes' }), config);
    expect(done.notes).toEqual(['draft', 'review: yes']);
    // draft ran once; review ran once before the pause and once on resume.
    expect(innerRuns).toEqual(['draft', 'review', 'review']);
    expect((await app.getState(config)).next).toEqual([]);
  });

  it('Command.PARENT from inside a subgraph routes in the parent (handoff)', async () => {
    const inner = new StateGraph(Inner)
      .addNode(
        'agent',
        () =>
          new Command({
            graph: Command.PARENT,
            goto: 'writer',
            update: { notes: ['handoff to writer'] },
          }),
        { ends: [END] },
      )
      .addEdge(START, 'agent')
      .compile();
    const app = new StateGraph(State)
      .addNode('researcher', inner, { ends: ['writer'] })
      .addNode('writer', (s) => ({ notes: [`writer got ${s.notes.length} note(s)`] }))
      .addEdge(START, 'researcher')
      .addEdge('writer', END)
      .compile();
    const out = await app.invoke({ topic: 'x' });
    expect(out.notes).toEqual(['handoff to writer', 'writer got 1 note(s)']);
  });

  it('Command.PARENT in a root graph is a clear error', async () => {
    const app = new StateGraph(State)
      .addNode('a', () => new Command({ graph: Command.PARENT, goto: 'x' }), { ends: [END] })
      .addEdge(START, 'a')
      .compile();
    await expect(app.invoke({})).rejects.toThrow(/has no parent graph/);
  });
});

describe('human in the loop', () => {
  const State = Annotation.Root({
    draft: Annotation<string>(),
    answers: Annotation<string[]>({ reducer: (a, b) => a.concat(b), default: () => [] }),
  });

  it('interrupt pauses, resume re-runs the node from its start and interrupt returns the value', async () => {
    let starts = 0;
    const app = new StateGraph(State)
      .addNode('ask', (s, runtime) => {
        starts++;
        const name = runtime.interrupt<string>({ prompt: 'name?' });
        const color = runtime.interrupt<string>({ prompt: 'color?' });
        return { answers: [name, color] };
      })
      .addEdge(START, 'ask')
      .addEdge('ask', END)
      .compile({ checkpointer: new MemorySaver() });
    const config = thread('hitl-order');
    const first = await app.invoke({ draft: 'd' }, config);
    expect(first.__interrupt__?.map((i) => i.value)).toEqual([{ prompt: 'name?' }]);
    const pending = await app.getState(config);
    expect(pending.interrupts).toEqual(first.__interrupt__);
    expect(pending.tasks[0].interrupts[0].value).toEqual({ prompt: 'name?' });

    const second = await app.invoke(new Command({ resume: 'Ada' }), config);
    expect(second.__interrupt__?.map((i) => i.value)).toEqual([{ prompt: 'color?' }]);
    expect(second.__interrupt__?.[0].id).not.toBe(first.__interrupt__?.[0].id);

    const done = await app.invoke(new Command({ resume: 'teal' }), config);
    expect(done.answers).toEqual(['Ada', 'teal']);
    expect(done.__interrupt__).toBeUndefined();
    expect(starts).toBe(3);
  });

  it('several pending interrupts (parallel nodes) resume together with a map of id -> value', async () => {
    const app = new StateGraph(State)
      .addNode('left', (_s, rt) => ({ answers: [`left:${rt.interrupt<string>('left?')}`] }))
      .addNode('right', (_s, rt) => ({ answers: [`right:${rt.interrupt<string>('right?')}`] }))
      .addEdge(START, 'left')
      .addEdge(START, 'right')
      .addEdge('left', END)
      .addEdge('right', END)
      .compile({ checkpointer: new MemorySaver() });
    const config = thread('hitl-map');
    const paused = await app.invoke({}, config);
    const interrupts = paused.__interrupt__ ?? [];
    expect(interrupts.map((i) => i.value).sort()).toEqual(['left?', 'right?']);
    await expect(app.invoke(new Command({ resume: 'same' }), config)).rejects.toThrow(
      /2 interrupts are pending/,
    );
    const resume = Object.fromEntries(interrupts.map((i) => [i.id, String(i.value).toUpperCase()]));
    const done = await app.invoke(new Command({ resume }), config);
    expect(done.answers).toEqual(['left:LEFT?', 'right:RIGHT?']);
  });

  it('a parallel sibling that finished is not re-run when the step resumes', async () => {
    const runs: string[] = [];
    const app = new StateGraph(State)
      .addNode('fast', () => {
        runs.push('fast');
        return { answers: ['fast'] };
      })
      .addNode('gate', (_s, rt) => {
        runs.push('gate');
        return { answers: [rt.interrupt<string>('ok?')] };
      })
      .addEdge(START, 'fast')
      .addEdge(START, 'gate')
      .addEdge('fast', END)
      .addEdge('gate', END)
      .compile({ checkpointer: new MemorySaver() });
    const config = thread('pending-writes');
    await app.invoke({}, config);
    expect((await app.getState(config)).next).toEqual(['gate']);
    const done = await app.invoke(new Command({ resume: 'ok' }), config);
    expect(done.answers).toEqual(['fast', 'ok']);
    expect(runs).toEqual(['fast', 'gate', 'gate']);
  });

  it('interruptBefore and interruptAfter pause; invoke(null) continues', async () => {
    const ran: string[] = [];
    const make = (name: string) => () => {
      ran.push(name);
      return { answers: [name] };
    };
    const app = new StateGraph(State)
      .addNode('plan', make('plan'))
      .addNode('act', make('act'))
      .addNode('report', make('report'))
      .addEdge(START, 'plan')
      .addEdge('plan', 'act')
      .addEdge('act', 'report')
      .addEdge('report', END)
      .compile({
        checkpointer: new MemorySaver(),
        interruptBefore: ['act'],
        interruptAfter: ['act'],
      });
    const config = thread('static');
    const r1 = await app.invoke({}, config);
    expect(r1.answers).toEqual(['plan']);
    expect(r1.__interrupt__).toEqual([]);
    expect((await app.getState(config)).next).toEqual(['act']);
    const r2 = await app.invoke(null, config);
    expect(r2.answers).toEqual(['plan', 'act']);
    expect((await app.getState(config)).next).toEqual(['report']);
    const r3 = await app.invoke(null, config);
    expect(r3.answers).toEqual(['plan', 'act', 'report']);
    expect(ran).toEqual(['plan', 'act', 'report']);
  });

  it("interruptBefore '*' pauses before every step", async () => {
    const app = new StateGraph(State)
      .addNode('a', () => ({ answers: ['a'] }))
      .addNode('b', () => ({ answers: ['b'] }))
      .addEdge(START, 'a')
      .addEdge('a', 'b')
      .addEdge('b', END)
      .compile({ checkpointer: new MemorySaver(), interruptBefore: '*' });
    const config = thread('star');
    expect((await app.invoke({}, config)).answers).toEqual([]);
    expect((await app.invoke(null, config)).answers).toEqual(['a']);
    expect((await app.invoke(null, config)).answers).toEqual(['a', 'b']);
  });

  it('runtime offers config, signal, custom writes and identifies the task', async () => {
    let seen: Partial<Runtime> = {};
    const app = new StateGraph(State)
      .addNode('n', (_s, rt) => {
        seen = { node: rt.node, step: rt.step, config: rt.config };
        expect(rt.signal).toBeInstanceOf(AbortSignal);
        rt.write({ progress: 0.5 });
        rt.write({ progress: 1 });
        return {};
      })
      .addEdge(START, 'n')
      .addEdge('n', END)
      .compile();
    const events = await collect(
      app.stream({}, { streamMode: 'custom', configurable: { user: 'u1' } }),
    );
    expect(events).toEqual([{ progress: 0.5 }, { progress: 1 }]);
    expect(seen.node).toBe('n');
    expect(seen.step).toBe(0);
    expect(seen.config?.configurable?.user).toBe('u1');
  });
});

describe('limits and cancellation', () => {
  const State = Annotation.Root({ n: Annotation<number>() });
  const loop = () =>
    new StateGraph(State)
      .addNode('inc', (s) => ({ n: s.n + 1 }))
      .addEdge(START, 'inc')
      .addConditionalEdges('inc', (s) => (s.n >= 1000 ? END : 'inc'), ['inc', END]);

  it('recursionLimit defaults to 25 supersteps and throws GraphRecursionError', async () => {
    const app = loop().compile();
    const error = await app.invoke({ n: 0 }).catch((e) => e);
    expect(error).toBeInstanceOf(GraphRecursionError);
    expect(error.limit).toBe(25);
    const ok = new StateGraph(State)
      .addNode('inc', (s) => ({ n: s.n + 1 }))
      .addEdge(START, 'inc')
      .addConditionalEdges('inc', (s) => (s.n >= 25 ? END : 'inc'), ['inc', END])
      .compile();
    expect((await ok.invoke({ n: 0 })).n).toBe(25);
    expect((await app.invoke({ n: 990 }, { recursionLimit: 10 })).n).toBe(1000);
    await expect(app.invoke({ n: 0 }, { recursionLimit: 5 })).rejects.toBeInstanceOf(
      GraphRecursionError,
    );
  });

  it('the recursion limit counts supersteps per call, and the checkpoint survives the error', async () => {
    const app = loop().compile({ checkpointer: new MemorySaver() });
    const config = { ...thread('limit'), recursionLimit: 5 };
    await expect(app.invoke({ n: 0 }, config)).rejects.toBeInstanceOf(GraphRecursionError);
    expect((await app.getState(config)).values.n).toBe(5);
    await expect(app.invoke(null, config)).rejects.toBeInstanceOf(GraphRecursionError);
    expect((await app.getState(config)).values.n).toBe(10);
  });

  it('an aborted signal stops the run at once with an AbortError and keeps the last completed step', async () => {
    const controller = new AbortController();
    let started = 0;
    const app = new StateGraph(State)
      .addNode('slow', async (s, rt) => {
        started++;
        if (s.n === 3) {
          controller.abort();
          // A well-behaved node would stop on rt.signal; this one ignores it for a while.
          await delay(200);
        }
        expect(rt.signal).toBe(rt.signal);
        return { n: s.n + 1 };
      })
      .addEdge(START, 'slow')
      .addConditionalEdges('slow', (s) => (s.n >= 10 ? END : 'slow'), ['slow', END])
      .compile({ checkpointer: new MemorySaver() });
    const config = { ...thread('abort'), signal: controller.signal };
    const t0 = performance.now();
    const error = await app.invoke({ n: 0 }, config).catch((e) => e);
    const elapsed = performance.now() - t0;
    expect(error.name).toBe('AbortError');
    expect(elapsed).toBeLessThan(150);
    expect(started).toBe(4);
    const state = await app.getState(thread('abort'));
    expect(state.values.n).toBe(3);
    expect(state.next).toEqual(['slow']);
    // Continue later without the aborted signal: it resumes from the last completed step.
    expect((await app.invoke(null, thread('abort'))).n).toBe(10);
  });

  it('retries a node by its retry policy and gives up on errors the policy rejects', async () => {
    let attempts = 0;
    const app = new StateGraph(State)
      .addNode(
        'flaky',
        () => {
          attempts++;
          if (attempts < 3) throw new Error(`network hiccup ${attempts}`);
          return { n: attempts };
        },
        { retry: { maxAttempts: 3, initialInterval: 1, jitter: false } },
      )
      .addEdge(START, 'flaky')
      .addEdge('flaky', END)
      .compile();
    expect((await app.invoke({ n: 0 })).n).toBe(3);

    let bad = 0;
    const app2 = new StateGraph(State)
      .addNode(
        'broken',
        () => {
          bad++;
          throw new Error('permanent');
        },
        {
          retry: {
            maxAttempts: 4,
            initialInterval: 1,
            retryOn: (e) => !String(e).includes('permanent'),
          },
        },
      )
      .addEdge(START, 'broken')
      .addEdge('broken', END)
      .compile();
    await expect(app2.invoke({ n: 0 })).rejects.toThrow('permanent');
    expect(bad).toBe(1);
  });

  it('a failed parallel step resumes without re-running the sibling that finished', async () => {
    const S = Annotation.Root({
      log: Annotation<string[]>({ reducer: (a, b) => a.concat(b), default: () => [] }),
    });
    const runs: string[] = [];
    let failOnce = true;
    const app = new StateGraph(S)
      .addNode('ok', () => {
        runs.push('ok');
        return { log: ['ok'] };
      })
      .addNode('fails', async () => {
        runs.push('fails');
        await delay(5);
        if (failOnce) {
          failOnce = false;
          throw new Error('transient');
        }
        return { log: ['fails'] };
      })
      .addEdge(START, 'ok')
      .addEdge(START, 'fails')
      .addEdge('ok', END)
      .addEdge('fails', END)
      .compile({ checkpointer: new MemorySaver() });
    const config = thread('failed-step');
    await expect(app.invoke({}, config)).rejects.toThrow('transient');
    const state = await app.getState(config);
    expect(state.next).toEqual(['fails']);
    expect(state.tasks.find((t) => t.name === 'fails')?.error?.message).toBe('transient');
    expect((await app.invoke(null, config)).log).toEqual(['ok', 'fails']);
    expect(runs).toEqual(['ok', 'fails', 'fails']);
  });
});

describe('stream modes', () => {
  const State = Annotation.Root({
    messages: Annotation<Message[]>({ reducer: messagesReducer, default: () => [] }),
    n: Annotation<number>(),
  });
  const build = (checkpointer?: MemorySaver) =>
    new StateGraph(State)
      .addNode('llm', async (_s, rt) => {
        for (const piece of ['Hel', 'lo'])
          rt.writeMessage({ id: 'm1', role: 'assistant', content: piece });
        rt.write('custom-event');
        return { messages: [{ id: 'm1', role: 'assistant', content: 'Hello' }], n: 1 };
      })
      .addNode('tool', () => ({
        messages: [{ id: 't1', role: 'tool', content: '42', tool_call_id: 'c1' }],
      }))
      .addEdge(START, 'llm')
      .addEdge('llm', 'tool')
      .addEdge('tool', END)
      .compile({ checkpointer });

  it('values yields the state after the input and after every step', async () => {
    const values = (await collect(build().stream({ n: 0 }, { streamMode: 'values' }))) as Array<{
      n: number;
    }>;
    expect(values.map((v) => v.n)).toEqual([0, 1, 1]);
  });

  it('updates yields {node: update}; several modes yield [mode, payload] tuples', async () => {
    const chunks = (await collect(
      build().stream({ n: 0 }, { streamMode: ['updates', 'messages', 'custom'] }),
    )) as Array<[string, unknown]>;
    const modes = chunks.map(([mode]) => mode);
    expect(modes).toEqual(['messages', 'messages', 'custom', 'updates', 'messages', 'updates']);
    const messages = chunks.filter(([m]) => m === 'messages').map(([, p]) => p) as Array<
      [{ content: string }, { langgraph_node: string; langgraph_step: number }]
    >;
    expect(
      messages.map(([c, meta]) => [c.content, meta.langgraph_node, meta.langgraph_step]),
    ).toEqual([
      ['Hel', 'llm', 0],
      ['lo', 'llm', 0],
      // Not streamed by the node: the whole message is emitted once it is returned.
      ['42', 'tool', 1],
    ]);
    expect(
      chunks.filter(([m]) => m === 'updates').map(([, p]) => Object.keys(p as object)),
    ).toEqual([['llm'], ['tool']]);
  });

  it('updates carry interrupts as {__interrupt__: [...]}', async () => {
    const app = new StateGraph(State)
      .addNode('ask', (_s, rt) => ({ n: rt.interrupt<number>('how many?') }))
      .addEdge(START, 'ask')
      .addEdge('ask', END)
      .compile({ checkpointer: new MemorySaver() });
    const chunks = (await collect(
      app.stream({ n: 0 }, { ...thread('s-int'), streamMode: 'updates' }),
    )) as Array<Record<string, unknown>>;
    const last = chunks.at(-1) as { __interrupt__: Array<{ id: string; value: unknown }> };
    expect(last.__interrupt__[0].value).toBe('how many?');
    expect(typeof last.__interrupt__[0].id).toBe('string');
  });

  it('checkpoints, tasks and debug describe each step', async () => {
    const chunks = (await collect(
      build(new MemorySaver()).stream(
        { n: 0 },
        { ...thread('s-cp'), streamMode: ['checkpoints', 'tasks', 'debug'] },
      ),
    )) as Array<[string, Record<string, unknown>]>;
    const checkpoints = chunks.filter(([m]) => m === 'checkpoints').map(([, p]) => p);
    expect(checkpoints.map((c) => (c.metadata as { step: number }).step)).toEqual([-1, 0, 1]);
    expect(checkpoints.map((c) => c.next)).toEqual([['llm'], ['tool'], []]);
    const tasks = chunks.filter(([m]) => m === 'tasks').map(([, p]) => p);
    expect(tasks.map((t) => [t.name, 'result' in t ? 'result' : 'start'])).toEqual([
      ['llm', 'start'],
      ['llm', 'result'],
      ['tool', 'start'],
      ['tool', 'result'],
    ]);
    const debug = chunks.filter(([m]) => m === 'debug').map(([, p]) => p.type);
    expect(debug).toEqual([
      'checkpoint',
      'task',
      'task_result',
      'checkpoint',
      'task',
      'task_result',
      'checkpoint',
    ]);
  });

  it('subgraphs: true tags events with the subgraph namespace', async () => {
    const inner = new StateGraph(State)
      .addNode('inner_node', () => ({ n: 7 }))
      .addEdge(START, 'inner_node')
      .addEdge('inner_node', END)
      .compile();
    const app = new StateGraph(State)
      .addNode('outer', inner)
      .addEdge(START, 'outer')
      .addEdge('outer', END)
      .compile();
    const chunks = (await collect(
      app.stream({ n: 0 }, { streamMode: 'updates', subgraphs: true }),
    )) as Array<[string[], Record<string, unknown>]>;
    expect(
      chunks.map(([ns, update]) => [ns.map((s) => s.split(':')[0]), Object.keys(update)]),
    ).toEqual([
      [['outer'], ['inner_node']],
      [[], ['outer']],
    ]);
  });

  it('breaking out of a stream cancels the run', async () => {
    let steps = 0;
    const app = new StateGraph(State)
      .addNode('inc', async (s) => {
        steps++;
        await delay(1);
        return { n: s.n + 1 };
      })
      .addEdge(START, 'inc')
      .addConditionalEdges('inc', (s) => (s.n > 50 ? END : 'inc'), ['inc', END])
      .compile();
    for await (const chunk of app.stream(
      { n: 0 },
      { streamMode: 'updates', recursionLimit: 100 },
    )) {
      if ((chunk as { inc: { n: number } }).inc.n === 3) break;
    }
    await delay(20);
    expect(steps).toBeLessThanOrEqual(4);
  });
});

describe('state, history, updateState, forks', () => {
  const State = Annotation.Root({
    messages: Annotation<Message[]>({ reducer: messagesReducer, default: () => [] }),
    temperature: Annotation<number | null>(),
  });
  const build = () => {
    const saver = new MemorySaver();
    const app = new StateGraph(State)
      .addNode('agent', (s) => ({
        messages: [{ role: 'assistant', content: `temperature is ${s.temperature}` }],
      }))
      .addNode('act', (s) => ({ temperature: (s.temperature ?? 0) + 1 }))
      .addEdge(START, 'act')
      .addEdge('act', 'agent')
      .addEdge('agent', END)
      .compile({ checkpointer: saver });
    return { app, saver };
  };

  it('getState returns values, next, metadata and parent; history is newest first', async () => {
    const { app } = build();
    const config = thread('h1');
    await app.invoke({ temperature: 20 }, config);
    const state = await app.getState(config);
    expect(state.values.temperature).toBe(21);
    expect(state.next).toEqual([]);
    expect(state.metadata?.source).toBe('loop');
    const history = await collect(app.getStateHistory(config));
    expect(history.map((h) => [h.metadata?.source, h.metadata?.step, h.next])).toEqual([
      ['loop', 1, []],
      ['loop', 0, ['agent']],
      ['input', -1, ['act']],
    ]);
    expect(history[0].parentConfig?.configurable.checkpoint_id).toBe(
      history[1].config.configurable.checkpoint_id,
    );
    const limited = await collect(app.getStateHistory(config, { limit: 1 }));
    expect(limited).toHaveLength(1);
  });

  it('updateState with asNode writes a new checkpoint (source update) whose parent is the addressed one', async () => {
    const { app } = build();
    const config = thread('h2');
    await app.invoke({ temperature: 20 }, config);
    const history = await collect(app.getStateHistory(config));
    const afterAct = history[1]; // paused-like point: next = agent
    const forked = await app.updateState(afterAct.config, { temperature: 100 }, 'act');
    const forkedState = await app.getState({ configurable: { ...forked.configurable } });
    expect(forkedState.metadata?.source).toBe('update');
    expect(forkedState.parentConfig?.configurable.checkpoint_id).toBe(
      afterAct.config.configurable.checkpoint_id,
    );
    expect(forkedState.values.temperature).toBe(100);
    expect(forkedState.next).toEqual(['agent']);

    // Re-run from the edited checkpoint: a new branch; the old branch stays intact.
    const rerun = await app.invoke(null, { configurable: { ...forked.configurable } });
    expect(rerun.messages.at(-1)?.content).toBe('temperature is 100');
    const oldTip = await app.getState(history[0].config);
    expect(oldTip.values.messages.at(-1)?.content).toBe('temperature is 21');
    const all = await collect(app.getStateHistory(config));
    expect(all).toHaveLength(5);
    expect((await app.getState(config)).values.temperature).toBe(100);
  });

  it('updateState without asNode changes values and keeps the pending nodes', async () => {
    const saver = new MemorySaver();
    const app = new StateGraph(State)
      .addNode('act', (s) => ({ temperature: (s.temperature ?? 0) + 1 }))
      .addEdge(START, 'act')
      .addEdge('act', END)
      .compile({ checkpointer: saver, interruptBefore: ['act'] });
    const config = thread('h3');
    await app.invoke({ temperature: 1 }, config);
    await app.updateState(config, { temperature: 41 });
    const state = await app.getState(config);
    expect(state.next).toEqual(['act']);
    expect(state.values.temperature).toBe(41);
    expect((await app.invoke(null, config)).temperature).toBe(42);
  });

  it('invoking with checkpoint_id replays from there on a new branch', async () => {
    const { app } = build();
    const config = thread('h4');
    await app.invoke({ temperature: 5 }, config);
    const [tip, , input] = await collect(app.getStateHistory(config));
    const replay = await app.invoke(null, { configurable: { ...input.config.configurable } });
    expect(replay.temperature).toBe(6);
    const history = await collect(app.getStateHistory(config));
    expect(history).toHaveLength(5);
    // The original tip is still there, unchanged.
    const old = await app.getState(tip.config);
    expect(old.values.temperature).toBe(6);
    expect(old.config.configurable.checkpoint_id).toBe(tip.config.configurable.checkpoint_id);
    // The new branch descends from the replayed checkpoint.
    const newestParents = history
      .slice(0, 2)
      .map((h) => h.parentConfig?.configurable.checkpoint_id);
    expect(newestParents[1]).toBe(input.config.configurable.checkpoint_id);
  });

  it('a second turn on the same thread builds on the first', async () => {
    const { app } = build();
    const config = thread('h5');
    await app.invoke(
      { messages: [{ role: 'user', content: 'what is the temperature?' }], temperature: 10 },
      config,
    );
    const second = await app.invoke({ messages: [{ role: 'user', content: 'and now?' }] }, config);
    expect(second.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
    expect(second.temperature).toBe(12);
  });
});

describe('compile() validation', () => {
  const State = Annotation.Root({ x: Annotation<number>() });
  const node = () => ({});

  it('rejects unknown node names in edges', () => {
    const g = new StateGraph(State).addNode('a', node).addEdge(START, 'a').addEdge('a', 'b');
    expect(() => g.compile()).toThrow(GraphValidationError);
    expect(() => g.compile()).toThrow(/Unknown node 'b'/);
    const g2 = new StateGraph(State)
      .addNode('a', node)
      .addEdge(START, 'a')
      .addConditionalEdges('a', () => 'z', {
        z: 'zz',
      });
    expect(() => g2.compile()).toThrow(/maps 'z' to unknown node 'zz'/);
  });

  it('rejects nodes unreachable from START', () => {
    const g = new StateGraph(State)
      .addNode('a', node)
      .addNode('island', node)
      .addEdge(START, 'a')
      .addEdge('a', END)
      .addEdge('island', END);
    expect(() => g.compile()).toThrow(/Node 'island' is unreachable from START/);
  });

  it('rejects a node with no way out', () => {
    const g = new StateGraph(State)
      .addNode('a', node)
      .addNode('b', node)
      .addEdge(START, 'a')
      .addEdge('a', 'b');
    expect(() => g.compile()).toThrow(/Node 'b' has no way out/);
  });

  it('rejects duplicate and reserved names, and a missing entry point', () => {
    const g = new StateGraph(State).addNode('a', node);
    expect(() => g.addNode('a', node)).toThrow(/already defined/);
    expect(() => new StateGraph(State).addNode(START, node)).toThrow(/reserved/);
    expect(() => new StateGraph(State).addNode('__secret', node)).toThrow(/reserved/);
    expect(() => new StateGraph(State).addNode('x', node)).toThrow(/same name as a state key/);
    expect(() => new StateGraph(State).addNode('a|b', node)).toThrow(/namespaces/);
    expect(() => new StateGraph(State).addNode('a', node).addEdge('a', END).compile()).toThrow(
      /no entry point/,
    );
  });

  it('rejects unknown interrupt node names', () => {
    const g = new StateGraph(State).addNode('a', node).addEdge(START, 'a').addEdge('a', END);
    expect(() => g.compile({ interruptBefore: ['nope'] })).toThrow(
      /interruptBefore names unknown node 'nope'/,
    );
  });

  it('accepts conditional edges without a path map (targets unknown)', () => {
    const g = new StateGraph(State)
      .addNode('a', node)
      .addNode('b', node)
      .addEdge(START, 'a')
      .addConditionalEdges('a', () => 'b')
      .addEdge('b', END);
    expect(() => g.compile()).not.toThrow();
  });
});

describe('getGraph and toMermaid', () => {
  const State = Annotation.Root({ x: Annotation<number>() });
  const inner = new StateGraph(State)
    .addNode('plan', () => ({}))
    .addNode('act', () => ({}))
    .addEdge(START, 'plan')
    .addEdge('plan', 'act')
    .addEdge('act', END)
    .compile();
  const app = new StateGraph(State)
    .addNode('route', () => ({}))
    .addNode('working', inner)
    .addNode('done', () => ({}), { ends: ['route'] })
    .addEdge(START, 'route')
    .addConditionalEdges('route', () => 'go', { go: 'working', stop: END })
    .addEdge('working', 'done')
    .addEdge('done', END)
    .compile();

  it('lists nodes and edges, conditional ones with their labels', () => {
    const g = app.getGraph();
    expect(g.nodes.map((n) => [n.id, n.type])).toEqual([
      [START, 'start'],
      ['route', 'node'],
      ['working', 'subgraph'],
      ['done', 'node'],
      [END, 'end'],
    ]);
    expect(g.nodes.find((n) => n.id === 'working')?.subgraph).toBeUndefined();
    expect(g.edges).toContainEqual({
      source: 'route',
      target: 'working',
      conditional: true,
      label: 'go',
    });
    expect(g.edges).toContainEqual({
      source: 'route',
      target: END,
      conditional: true,
      label: 'stop',
    });
    expect(g.edges).toContainEqual({ source: 'done', target: 'route', conditional: true });
    expect(g.edges).toContainEqual({ source: 'working', target: 'done', conditional: false });
  });

  it('expands subgraphs with xray and exports Mermaid', () => {
    const g = app.getGraph({ xray: true });
    const working = g.nodes.find((n) => n.id === 'working');
    expect(working?.subgraph?.nodes.map((n) => n.id)).toEqual([START, 'plan', 'act', END]);
    const mermaid = app.toMermaid({ xray: 1 });
    expect(mermaid.startsWith('flowchart TD')).toBe(true);
    expect(mermaid).toContain('subgraph working["working"]');
    expect(mermaid).toContain('route -.->|go| working;');
    expect(mermaid).toContain('working__plan --> working__act;');
  });
});

describe('deeper paths', () => {
  const State = Annotation.Root({
    log: Annotation<string[]>({ reducer: (a, b) => a.concat(b), default: () => [] }),
    topic: Annotation<string>(),
  });

  it('invoke(new Command({update, goto})) applies the update and routes from the current checkpoint', async () => {
    const app = new StateGraph(State)
      .addNode('a', () => ({ log: ['a'] }), { ends: ['b'] })
      .addNode('b', (s) => ({ log: [`b sees ${s.topic}`] }))
      .addEdge(START, 'a')
      .addEdge('a', END)
      .addEdge('b', END)
      .compile({ checkpointer: new MemorySaver() });
    const config = thread('cmd-input');
    await app.invoke({ topic: 'first' }, config);
    const out = await app.invoke(new Command({ update: { topic: 'second' }, goto: 'b' }), config);
    expect(out.log).toEqual(['a', 'b sees second']);
  });

  it('interrupts two subgraph levels deep surface at the top and resume at the bottom', async () => {
    // The leaf shares only `answer` with the middle graph: a subgraph returns its whole
    // state for shared keys, so sharing a concat-reduced list would append it twice.
    const Leaf = Annotation.Root({ answer: Annotation<string>() });
    const Middle = Annotation.Root({
      log: Annotation<string[]>({ reducer: (a, b) => a.concat(b), default: () => [] }),
      answer: Annotation<string>(),
    });
    const leaf = new StateGraph(Leaf)
      .addNode('ask', (_s, rt) => ({ answer: `leaf got ${rt.interrupt<string>('deep question')}` }))
      .addEdge(START, 'ask')
      .addEdge('ask', END)
      .compile();
    const middle = new StateGraph(Middle)
      .addNode('before', () => ({ log: ['middle before'] }))
      .addNode('leaf', leaf)
      .addEdge(START, 'before')
      .addEdge('before', 'leaf')
      .addEdge('leaf', END)
      .compile();
    const app = new StateGraph(Middle)
      .addNode('middle', middle)
      .addEdge(START, 'middle')
      .addEdge('middle', END)
      .compile({ checkpointer: new MemorySaver() });
    const config = thread('nested');
    const paused = await app.invoke({}, config);
    expect(paused.__interrupt__?.map((i) => i.value)).toEqual(['deep question']);
    const snapshot = await app.getState(config, { subgraphs: true });
    expect(snapshot.tasks[0].state?.tasks[0].state?.next).toEqual(['ask']);
    const done = await app.invoke(new Command({ resume: 'an answer' }), config);
    expect(done).toEqual({ log: ['middle before'], answer: 'leaf got an answer' });
  });

  it('Send can start several runs of a subgraph, each in its own namespace', async () => {
    // The worker's input key is not in the parent: two parallel runs returning the same
    // last-value key would be two writes in one step.
    const Worker = Annotation.Root({
      item: Annotation<string>(),
      log: Annotation<string[]>({ reducer: (a, b) => a.concat(b), default: () => [] }),
    });
    const worker = new StateGraph(Worker)
      .addNode('work', (s) => ({ log: [`worked on ${s.item}`] }))
      .addEdge(START, 'work')
      .addEdge('work', END)
      .compile();
    const app = new StateGraph(State)
      .addNode('plan', () => ({}))
      .addNode('worker', worker)
      .addEdge(START, 'plan')
      .addConditionalEdges('plan', () => ['x', 'y'].map((item) => new Send('worker', { item })), [
        'worker',
      ])
      .addEdge('worker', END)
      .compile({ checkpointer: new MemorySaver() });
    const chunks = (await collect(
      app.stream({}, { ...thread('send-sub'), streamMode: 'updates', subgraphs: true }),
    )) as Array<[string[], Record<string, unknown>]>;
    const inner = chunks.filter(([ns]) => ns.length === 1);
    expect(new Set(inner.map(([ns]) => ns[0])).size).toBe(2);
    const out = await app.getState(thread('send-sub'));
    expect(out.values.log).toEqual(['worked on x', 'worked on y']);
  });

  it('messages streamed inside a subgraph reach the parent stream without subgraphs: true', async () => {
    const inner = new StateGraph(State)
      .addNode('speaker', (_s, rt) => {
        rt.writeMessage({ id: 'inner-1', role: 'assistant', content: 'from inside' });
        return {};
      })
      .addEdge(START, 'speaker')
      .addEdge('speaker', END)
      .compile();
    const app = new StateGraph(State)
      .addNode('team', inner)
      .addEdge(START, 'team')
      .addEdge('team', END)
      .compile();
    const messages = (await collect(app.stream({}, { streamMode: 'messages' }))) as Array<
      [{ content: string }, { langgraph_node: string; langgraph_checkpoint_ns: string }]
    >;
    expect(messages).toHaveLength(1);
    expect(messages[0][0].content).toBe('from inside');
    expect(messages[0][1].langgraph_node).toBe('speaker');
    expect(messages[0][1].langgraph_checkpoint_ns.startsWith('team:')).toBe(true);
  });

  it('a waiting edge is drawn from each source and the join runs once', async () => {
    let joins = 0;
    const app = new StateGraph(State)
      .addNode('a', () => ({ log: ['a'] }))
      .addNode('b1', () => ({ log: ['b1'] }))
      .addNode('b2', () => ({ log: ['b2'] }))
      .addNode('join', () => {
        joins++;
        return { log: ['join'] };
      })
      .addEdge(START, 'a')
      .addEdge(START, 'b1')
      .addEdge('b1', 'b2')
      .addEdge(['a', 'b2'], 'join')
      .addEdge('join', END)
      .compile();
    const out = await app.invoke({});
    // `a` finished two steps before `b2`; the join waited for both.
    expect(out.log).toEqual(['a', 'b1', 'b2', 'join']);
    expect(joins).toBe(1);
    expect(app.getGraph().edges).toContainEqual({
      source: 'a',
      target: 'join',
      conditional: false,
      waiting: true,
    });
  });

  it('bad input gets a clear error', async () => {
    const app = new StateGraph(State)
      .addNode('a', () => ({}))
      .addEdge(START, 'a')
      .addEdge('a', END)
      .compile({ checkpointer: new MemorySaver() });
    await expect(app.invoke('hello' as never, thread('bad'))).rejects.toThrow(
      /input must be an object/,
    );
    await expect(app.invoke({ nope: 1 } as never, thread('bad'))).rejects.toThrow(
      /returned key 'nope'/,
    );
    await expect(app.invoke({})).rejects.toThrow(/thread_id/);
    await expect(app.invoke(null, thread('never-started'))).rejects.toThrow(/no checkpoint yet/);
    await expect(app.invoke({}, thread('x', { checkpoint_id: 'missing' }))).rejects.toThrow(
      /no checkpoint 'missing'/,
    );
  });

  it('refuses a second concurrent run of the same thread, not of other threads', async () => {
    const app = new StateGraph(State)
      .addNode('slow', async () => {
        await delay(30);
        return { log: ['slow'] };
      })
      .addEdge(START, 'slow')
      .addEdge('slow', END)
      .compile({ checkpointer: new MemorySaver() });
    const first = app.invoke({}, thread('busy'));
    const other = app.invoke({}, thread('other'));
    const second = await app.invoke({}, thread('busy')).catch((e) => e);
    expect(second).toBeInstanceOf(ThreadBusyError);
    expect(second.message).toContain("'busy' is already running");
    expect((await first).log).toEqual(['slow']);
    expect((await other).log).toEqual(['slow']);
    // Once the first run is over, the thread accepts the next one.
    expect((await app.invoke({}, thread('busy'))).log).toEqual(['slow', 'slow']);
  });
});
