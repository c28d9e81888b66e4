/**
 * The engine with the IndexedDB saver in real Chromium: state that outlives the saver
 * instance (as if the tab had been closed), human-in-the-loop resume, forks and
 * pending writes, all through the real database.
 */
import { describe, expect, it } from 'vitest';
import { IndexedDBSaver } from '../../src/lib/checkpoint';
import {
  Annotation,
  Command,
  END,
  START,
  StateGraph,
  messagesReducer,
  type Message,
} from '../../src/lib/graph';

let counter = 0;
const uniqueDbName = () =>
  `graph-idb-${Date.now()}-${counter++}-${Math.random().toString(36).slice(2)}`;

const State = Annotation.Root({
  messages: Annotation<Message[]>({ reducer: messagesReducer, default: () => [] }),
  temperature: Annotation<number | null>(),
  approvals: Annotation<string[]>({ reducer: (a, b) => a.concat(b), default: () => [] }),
});

function buildAgent(saver: IndexedDBSaver, interruptBefore?: string[]) {
  return new StateGraph(State)
    .addNode('weather', (s) => ({ temperature: (s.temperature ?? 20) + 1 }))
    .addNode('approve', (_s, rt) => ({
      approvals: [rt.interrupt<string>({ question: 'send the report?' })],
    }))
    .addNode('report', (s) => ({
      messages: [
        { role: 'assistant', content: `It is ${s.temperature} °C (${s.approvals.join(', ')})` },
      ],
    }))
    .addEdge(START, 'weather')
    .addEdge('weather', 'approve')
    .addEdge('approve', 'report')
    .addEdge('report', END)
    .compile({ checkpointer: saver, interruptBefore });
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

describe('graph engine on IndexedDB', () => {
  it('an interrupted thread resumes through a new saver instance on the same database', async () => {
    const dbName = uniqueDbName();
    const config = { configurable: { thread_id: 'reopen' } };
    const first = await IndexedDBSaver.open({ dbName });
    const paused = await buildAgent(first).invoke(
      { messages: [{ role: 'user', content: 'weather?' }], temperature: 10 },
      config,
    );
    expect(paused.__interrupt__?.[0].value).toEqual({ question: 'send the report?' });
    first.close();

    // A new page would open a new connection and compile the graph again.
    const second = await IndexedDBSaver.open({ dbName });
    const app = buildAgent(second);
    const state = await app.getState(config);
    expect(state.next).toEqual(['approve']);
    expect(state.values.temperature).toBe(11);
    expect(state.interrupts).toHaveLength(1);

    const done = await app.invoke(new Command({ resume: 'approved by Ada' }), config);
    expect(done.messages.at(-1)?.content).toBe('It is 11 °C (approved by Ada)');
    const history = await collect(app.getStateHistory(config));
    expect(history.map((h) => h.metadata?.step)).toEqual([2, 1, 0, -1]);
    second.close();
  });

  it('forks with updateState and replays from a checkpoint without touching the old branch', async () => {
    const saver = await IndexedDBSaver.open({ dbName: uniqueDbName() });
    const app = buildAgent(saver);
    const config = { configurable: { thread_id: 'fork' } };
    await app.invoke({ temperature: 0 }, config);
    await app.invoke(new Command({ resume: 'yes' }), config);
    const original = await app.getState(config);
    expect(original.values.messages.at(-1)?.content).toBe('It is 1 °C (yes)');

    const history = await collect(app.getStateHistory(config));
    const beforeApprove = history.find((h) => h.next[0] === 'approve');
    expect(beforeApprove).toBeDefined();
    const edited = await app.updateState(beforeApprove!.config, { temperature: 99 }, 'weather');
    const paused = await app.invoke(null, { configurable: { ...edited.configurable } });
    expect(paused.__interrupt__).toHaveLength(1);
    const done = await app.invoke(new Command({ resume: 'edited' }), config);
    expect(done.messages.at(-1)?.content).toBe('It is 99 °C (edited)');

    // The original branch is still readable, unchanged.
    const oldTip = await app.getState(original.config);
    expect(oldTip.values.messages.at(-1)?.content).toBe('It is 1 °C (yes)');
    expect(oldTip.values.temperature).toBe(1);
    saver.close();
  });

  it('keeps the writes of a finished parallel task when its sibling fails, across a reopen', async () => {
    const dbName = uniqueDbName();
    const runs: string[] = [];
    let failing = true;
    const build = (saver: IndexedDBSaver) =>
      new StateGraph(State)
        .addNode('fetch', () => {
          runs.push('fetch');
          return { temperature: 30 };
        })
        .addNode('flaky', () => {
          runs.push('flaky');
          if (failing) throw new Error('service unavailable');
          return { approvals: ['flaky ok'] };
        })
        .addEdge(START, 'fetch')
        .addEdge(START, 'flaky')
        .addEdge('fetch', END)
        .addEdge('flaky', END)
        .compile({ checkpointer: saver });
    const config = { configurable: { thread_id: 'pending' } };
    const first = await IndexedDBSaver.open({ dbName });
    await expect(build(first).invoke({}, config)).rejects.toThrow('service unavailable');
    first.close();

    failing = false;
    const second = await IndexedDBSaver.open({ dbName });
    const app = build(second);
    const state = await app.getState(config);
    expect(state.next).toEqual(['flaky']);
    const done = await app.invoke(null, config);
    expect(done).toMatchObject({ temperature: 30, approvals: ['flaky ok'] });
    expect(runs).toEqual(['fetch', 'flaky', 'flaky']);
    second.close();
  });

  it('an exported thread imports under a new id and continues there', async () => {
    const saver = await IndexedDBSaver.open({ dbName: uniqueDbName() });
    const app = buildAgent(saver);
    await app.invoke({ temperature: 5 }, { configurable: { thread_id: 'source' } });
    const file = JSON.parse(JSON.stringify(await saver.exportThread('source')));
    const imported = await saver.importThread(file, { threadId: 'copy' });
    expect(imported).toBe('copy');
    const done = await app.invoke(new Command({ resume: 'from the copy' }), {
      configurable: { thread_id: 'copy' },
    });
    expect(done.messages.at(-1)?.content).toBe('It is 6 °C (from the copy)');
    // The source thread is still paused where it was.
    expect((await app.getState({ configurable: { thread_id: 'source' } })).next).toEqual([
      'approve',
    ]);
    saver.close();
  });
});
