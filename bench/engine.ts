/**
 * Engine benchmark: the same three graphs through our engine and through
 * @langchain/langgraph in one Node process, each with its in-memory saver, then
 * IndexedDB checkpoint writes per second measured in Debian's Chromium.
 *
 *   npm run bench:engine            (add --skip-browser to measure Node only)
 *
 * Prints one ratio per graph (LangGraph time / our time, higher is better) and, last,
 * `engine speedup vs langgraph: N.NNx`, the geometric mean of the ratios.
 */
import {
  Annotation as LGAnnotation,
  END as LG_END,
  MemorySaver as LGMemorySaver,
  messagesStateReducer,
  Send as LGSend,
  START as LG_START,
  StateGraph as LGStateGraph,
} from '@langchain/langgraph';
import { setMaxListeners } from 'node:events';
import { MemorySaver } from '../src/lib/checkpoint/memory.js';
import {
  Annotation,
  END,
  START,
  Send,
  StateGraph,
  messagesReducer,
  type Message,
} from '../src/lib/graph/index.js';
import { measureIndexedDBWrites } from './indexeddb-writes.js';

interface Case {
  name: string;
  ours: () => Promise<unknown>;
  langgraph: () => Promise<unknown>;
  check: (ours: unknown, theirs: unknown) => void;
}

let threadCounter = 0;
const nextThread = () => ({ configurable: { thread_id: `bench-${threadCounter++}` } });

function counterLoop(steps: number): Case {
  const State = Annotation.Root({ count: Annotation<number>() });
  const ours = new StateGraph(State)
    .addNode('inc', (s) => ({ count: s.count + 1 }))
    .addEdge(START, 'inc')
    .addConditionalEdges('inc', (s) => (s.count >= steps ? END : 'inc'), ['inc', END])
    .compile({ checkpointer: new MemorySaver() });

  const LGState = LGAnnotation.Root({ count: LGAnnotation<number>() });
  const theirs = new LGStateGraph(LGState)
    .addNode('inc', (s: { count: number }) => ({ count: s.count + 1 }))
    .addEdge(LG_START, 'inc')
    .addConditionalEdges('inc', (s: { count: number }) => (s.count >= steps ? LG_END : 'inc'), [
      'inc',
      LG_END,
    ])
    .compile({ checkpointer: new LGMemorySaver() });

  return {
    name: `${steps}-step counter loop`,
    ours: () => ours.invoke({ count: 0 }, { ...nextThread(), recursionLimit: steps + 10 }),
    langgraph: () => theirs.invoke({ count: 0 }, { ...nextThread(), recursionLimit: steps + 10 }),
    check: (a, b) => {
      if ((a as { count: number }).count !== steps || (b as { count: number }).count !== steps) {
        throw new Error('counter loop: wrong result');
      }
    },
  };
}

function sendFanOut(width: number): Case {
  const State = Annotation.Root({
    results: Annotation<number[]>({ reducer: (a, b) => a.concat(b), default: () => [] }),
  });
  const ours = new StateGraph(State)
    .addNode('plan', () => ({}))
    .addNode('work', (arg: unknown) => ({ results: [(arg as { i: number }).i * 2] }))
    .addNode('join', () => ({}))
    .addEdge(START, 'plan')
    .addConditionalEdges(
      'plan',
      () => Array.from({ length: width }, (_, i) => new Send('work', { i })),
      ['work'],
    )
    .addEdge('work', 'join')
    .addEdge('join', END)
    .compile({ checkpointer: new MemorySaver() });

  const LGState = LGAnnotation.Root({
    results: LGAnnotation<number[]>({ reducer: (a, b) => a.concat(b), default: () => [] }),
  });
  const theirs = new LGStateGraph(LGState)
    .addNode('plan', () => ({}))
    .addNode('work', (arg: { i: number }) => ({ results: [arg.i * 2] }))
    .addNode('join', () => ({}))
    .addEdge(LG_START, 'plan')
    .addConditionalEdges(
      'plan',
      () => Array.from({ length: width }, (_, i) => new LGSend('work', { i })),
      ['work'],
    )
    .addEdge('work', 'join')
    .addEdge('join', LG_END)
    .compile({ checkpointer: new LGMemorySaver() });

  return {
    name: `fan-out of ${width} Send tasks into a reducer`,
    ours: () => ours.invoke({}, nextThread()),
    langgraph: () => theirs.invoke({}, nextThread()),
    check: (a, b) => {
      const x = (a as { results: number[] }).results;
      const y = (b as { results: number[] }).results;
      if (x.length !== width || y.length !== width) throw new Error('fan-out: wrong result');
    },
  };
}

function growingChat(messages: number): Case {
  const State = Annotation.Root({
    messages: Annotation<Message[]>({ reducer: messagesReducer, default: () => [] }),
  });
  const ours = new StateGraph(State)
    .addNode('say', (s) => ({
      messages: [
        {
          role: s.messages.length % 2 ? 'assistant' : 'user',
          content: `message ${s.messages.length}`,
        },
      ],
    }))
    .addEdge(START, 'say')
    .addConditionalEdges('say', (s) => (s.messages.length >= messages ? END : 'say'), ['say', END])
    .compile({ checkpointer: new MemorySaver() });

  const LGState = LGAnnotation.Root({
    messages: LGAnnotation<unknown[]>({
      reducer: messagesStateReducer as never,
      default: () => [],
    }),
  });
  const theirs = new LGStateGraph(LGState)
    .addNode('say', (s: { messages: unknown[] }) => ({
      messages: [
        {
          role: s.messages.length % 2 ? 'assistant' : 'user',
          content: `message ${s.messages.length}`,
        },
      ],
    }))
    .addEdge(LG_START, 'say')
    .addConditionalEdges(
      'say',
      (s: { messages: unknown[] }) => (s.messages.length >= messages ? LG_END : 'say'),
      ['say', LG_END],
    )
    .compile({ checkpointer: new LGMemorySaver() });

  return {
    name: `chat state growing to ${messages} messages`,
    ours: () => ours.invoke({}, { ...nextThread(), recursionLimit: messages + 10 }),
    langgraph: () => theirs.invoke({}, { ...nextThread(), recursionLimit: messages + 10 }),
    check: (a, b) => {
      const x = (a as { messages: unknown[] }).messages;
      const y = (b as { messages: unknown[] }).messages;
      if (x.length !== messages || y.length !== messages) throw new Error('chat: wrong result');
    },
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function time(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

async function runCase(c: Case, rounds: number): Promise<{ ours: number; theirs: number }> {
  c.check(await c.ours(), await c.langgraph());
  // Warm both up so the JIT has seen every path before measuring.
  for (let i = 0; i < 3; i++) {
    await c.ours();
    await c.langgraph();
  }
  const ours: number[] = [];
  const theirs: number[] = [];
  // Alternate so drift in machine load hits both sides alike.
  for (let i = 0; i < rounds; i++) {
    ours.push(await time(c.ours));
    theirs.push(await time(c.langgraph));
  }
  return { ours: median(ours), theirs: median(theirs) };
}

// LangGraph adds an abort listener per task; its fan-out case trips Node's leak warning.
setMaxListeners(0);

async function main() {
  const skipBrowser = process.argv.includes('--skip-browser');
  const rounds = Number(process.env.BENCH_ROUNDS ?? 9);
  const cases = [counterLoop(500), sendFanOut(64), growingChat(200)];
  const ratios: number[] = [];
  console.log(
    `engine benchmark (median of ${rounds} rounds, in-memory savers, Node ${process.version})`,
  );
  for (const c of cases) {
    const { ours, theirs } = await runCase(c, rounds);
    const ratio = theirs / ours;
    ratios.push(ratio);
    console.log(
      `  ${c.name.padEnd(44)} ours ${ours.toFixed(1).padStart(8)} ms   langgraph ${theirs
        .toFixed(1)
        .padStart(8)} ms   ratio ${ratio.toFixed(2)}x`,
    );
  }
  if (!skipBrowser) {
    try {
      const idb = await measureIndexedDBWrites();
      console.log(
        `  IndexedDB checkpoint writes (Chromium ${idb.browserVersion}): ${idb.writesPerSecond.toFixed(0)} per second ` +
          `(${idb.checkpoints} checkpoints of a ${idb.steps}-step run in ${idb.milliseconds.toFixed(0)} ms)`,
      );
    } catch (error) {
      console.log(`  IndexedDB checkpoint writes: not measured (${(error as Error).message})`);
    }
  }
  const geomean = Math.exp(ratios.reduce((s, r) => s + Math.log(r), 0) / ratios.length);
  console.log(`engine speedup vs langgraph: ${geomean.toFixed(2)}x`);
}

await main();
