import { IndexedDBSaver } from '../../src/lib/checkpoint/indexeddb.js';
import { Annotation, END, START, StateGraph } from '../../src/lib/graph/index.js';

async function run() {
  const steps = Number(new URLSearchParams(location.search).get('steps') ?? 300);
  const saver = await IndexedDBSaver.open({ dbName: `bench-${Date.now()}` });
  const State = Annotation.Root({ count: Annotation<number>(), log: Annotation<string>() });
  const app = new StateGraph(State)
    .addNode('inc', (s) => ({ count: s.count + 1, log: `step ${s.count}` }))
    .addEdge(START, 'inc')
    .addConditionalEdges('inc', (s) => (s.count >= steps ? END : 'inc'), ['inc', END])
    .compile({ checkpointer: saver });
  // Warm up the database and the JIT.
  await app.invoke(
    { count: steps - 20 },
    { configurable: { thread_id: 'warmup' }, recursionLimit: steps + 10 },
  );
  const t0 = performance.now();
  await app.invoke(
    { count: 0 },
    { configurable: { thread_id: 'measured' }, recursionLimit: steps + 10 },
  );
  const milliseconds = performance.now() - t0;
  const checkpoints = steps + 1; // one per superstep plus the input checkpoint
  (window as unknown as { __bench: unknown }).__bench = {
    steps,
    checkpoints,
    milliseconds,
    writesPerSecond: (checkpoints / milliseconds) * 1000,
  };
  document.getElementById('status')!.textContent = 'done';
}

run().catch((error) => {
  (window as unknown as { __bench: unknown }).__bench = { error: String(error?.stack ?? error) };
});
