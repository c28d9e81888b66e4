/** The interface every algorithm shares: determinism, ask/tell, errors, topK, checkpoints. */
import { describe, expect, it } from 'vitest';
import {
  InvalidScoreError,
  SearchError,
  UnknownTrialError,
  createAbMctsA,
  createAbMctsM,
  createMcts,
  createRefinement,
  createRepeatedSampling,
  createTotBfs,
  topK,
  type SearchAlgorithm,
} from '../../src/lib/search/index.js';
import { grow, hashGenerators } from './search-helpers.js';

const FAST_MCMC = { warmup: 50, draws: 100 };

const algorithms: [string, (seed: number) => SearchAlgorithm<string, unknown, unknown>][] = [
  ['repeated-sampling', (seed) => createRepeatedSampling({ seed })],
  ['refinement', (seed) => createRefinement({ seed })],
  ['mcts', (seed) => createMcts({ seed })],
  ['ab-mcts-a', (seed) => createAbMctsA({ seed })],
  [
    'ab-mcts-a beta stack',
    (seed) => createAbMctsA({ seed, distribution: 'beta', modelSelection: 'stack' }),
  ],
  ['ab-mcts-m', (seed) => createAbMctsM({ seed, mcmc: FAST_MCMC })],
  ['tot-bfs', (seed) => createTotBfs({ seed, breadthLimit: 2, sizeLimit: 3 })],
];

async function run(algo: SearchAlgorithm<string, unknown, unknown>, steps: number) {
  const tree = algo.init();
  const generators = hashGenerators({ a: [0, 1], b: [0.2, 0.9] });
  for (let i = 0; i < steps; i++) await algo.step(tree, generators);
  return tree;
}

describe.each(algorithms)('%s', (_name, make) => {
  it('same seed → same tree; the tree is plain JSON', async () => {
    const first = await run(make(11), 14);
    const second = await run(make(11), 14);
    expect(second).toEqual(first);
    expect(JSON.parse(JSON.stringify(first))).toEqual(first);
    expect(first.nodes).toHaveLength(15);
  });

  it('resumes from a JSON checkpoint exactly where it stopped', async () => {
    const algo = make(5);
    const generators = hashGenerators({ a: [0, 1], b: [0.2, 0.9] });
    const tree = algo.init();
    for (let i = 0; i < 6; i++) await algo.step(tree, generators);
    const checkpoint = JSON.parse(JSON.stringify(tree));
    // Same generator call count on both sides: a copy of the generators' counter.
    const g1 = hashGenerators({ a: [0, 1], b: [0.2, 0.9] });
    const g2 = hashGenerators({ a: [0, 1], b: [0.2, 0.9] });
    for (let i = 0; i < 6; i++) {
      await algo.step(tree, g1);
      await algo.step(checkpoint, g2);
    }
    expect(checkpoint).toEqual(tree);
  });

  it('invalid scores (NaN, outside [0, 1], not numbers) get a clear error and change nothing', async () => {
    const algo = make(1);
    const tree = algo.init(['gen']);
    for (const bad of [NaN, -0.1, 1.5, Infinity, '0.5', undefined]) {
      const [trial] = algo.askBatch(tree, 1);
      const before = JSON.stringify(tree);
      const tell = () => algo.tell(tree, trial.id, { state: 'x', score: bad as number });
      expect(tell).toThrow(InvalidScoreError);
      expect(tell).toThrow(
        /Generator "gen" \(trial t\d+\) returned score .*finite numbers in \[0, 1\]/,
      );
      expect(JSON.stringify(tree)).toBe(before); // still pending, nothing added
      algo.cancel(tree, trial.id);
    }
    await expect(
      algo.step(tree, { gen: async () => ({ state: 's', score: NaN }) }),
    ).rejects.toThrow(/returned score NaN/);
    expect(tree.nodes).toHaveLength(1);
    expect(tree.trials).toEqual({});
    expect(tree.nodes[0].pending).toBe(0);
  });

  it('a failing or aborted generator releases its reservation', async () => {
    const algo = make(1);
    const tree = algo.init();
    const controller = new AbortController();
    controller.abort();
    const aborting = async (_parent: string | null, ctx: { signal?: AbortSignal }) => {
      ctx.signal?.throwIfAborted();
      return { state: 'never', score: 1 };
    };
    await expect(algo.step(tree, aborting, { signal: controller.signal })).rejects.toThrow();
    expect(tree.trials).toEqual({});
    expect(tree.nodes[0].pending).toBe(0);
    const node = await algo.step(tree, async () => ({ state: 'ok', score: 0.5 }));
    expect(node.id).toBe(1);
  });

  it('unknown or already-told trial ids throw UnknownTrialError', () => {
    const algo = make(1);
    const tree = algo.init(['gen']);
    const [trial] = algo.askBatch(tree, 1);
    expect(() => algo.tell(tree, 't99', { state: 'x', score: 0.5 })).toThrow(UnknownTrialError);
    algo.tell(tree, trial.id, { state: 'x', score: 0.5 });
    expect(() => algo.tell(tree, trial.id, { state: 'y', score: 0.5 })).toThrow(
      /No pending trial "t0"/,
    );
    expect(() => algo.cancel(tree, trial.id)).toThrow(UnknownTrialError);
  });

  it('a result without a state is rejected; so is a tree of another algorithm', () => {
    const algo = make(1);
    const tree = algo.init(['gen']);
    const [trial] = algo.askBatch(tree, 1);
    expect(() => algo.tell(tree, trial.id, { state: null as unknown as string, score: 1 })).toThrow(
      /no state/,
    );
    const other = createRepeatedSampling<string>({}).init();
    other.algorithm = 'something-else';
    expect(() => algo.askBatch(other, 1, ['gen'])).toThrow(/made by something-else/);
    expect(() => algo.askBatch(algo.init(), 1)).toThrow(/No actions/);
  });
});

describe('askBatch / tell', () => {
  it('tells in any order; node ids follow the tell order; bookkeeping returns to zero', () => {
    const algos: SearchAlgorithm<string, unknown, unknown>[] = [
      createMcts<string>(),
      createAbMctsA<string>({ seed: 3 }),
      createRepeatedSampling<string>(),
      createTotBfs<string>({ breadthLimit: 1, sizeLimit: 4 }),
    ];
    for (const algo of algos) {
      const tree = algo.init(['a', 'b']);
      const trials = algo.askBatch(tree, 4);
      expect(trials).toHaveLength(4);
      expect(new Set(trials.map((t) => t.id)).size).toBe(4);
      expect(tree.nodes[0].pending).toBe(4);
      const order = [2, 0, 3, 1];
      for (const [k, i] of order.entries()) {
        const node = algo.tell(tree, trials[i].id, { state: `s${i}`, score: i / 4 });
        expect(node.id).toBe(k + 1);
        expect(node.action).toBe(trials[i].action);
        expect(node.parentId).toBe(trials[i].parentId);
      }
      expect(tree.trials).toEqual({});
      expect(tree.nodes.every((n) => n.pending === 0)).toBe(true);
      expect(tree.nodes[0].visits).toBe(4);
      expect(tree.nodes[0].value).toBeCloseTo(0 + 0.25 + 0.5 + 0.75);
    }
  });

  it('rejects a negative or fractional batch size; 0 asks nothing', () => {
    const algo = createRepeatedSampling<string>();
    const tree = algo.init(['a']);
    expect(() => algo.askBatch(tree, -1)).toThrow(RangeError);
    expect(() => algo.askBatch(tree, 1.5)).toThrow(RangeError);
    expect(algo.askBatch(tree, 0)).toEqual([]);
  });

  it('rejects duplicate or missing action names', () => {
    const algo = createRepeatedSampling<string>();
    expect(() => algo.init(['a', 'a'])).toThrow(SearchError);
    expect(() => algo.init([])).toThrow(/At least one action/);
  });
});

describe('topK', () => {
  it('orders by score, ties to the node told first; k larger than the tree gives all', () => {
    const tree = createRepeatedSampling<string>().init(['g']);
    for (const [state, score] of [
      ['a', 0.2],
      ['b', 0.9],
      ['c', 0.5],
      ['d', 0.9],
      ['e', 0],
    ] as const) {
      grow(tree, 0, 'g', { state, score });
    }
    expect(topK(tree, 3)).toEqual([
      { nodeId: 2, state: 'b', score: 0.9 },
      { nodeId: 4, state: 'd', score: 0.9 },
      { nodeId: 3, state: 'c', score: 0.5 },
    ]);
    expect(topK(tree, 10).map((r) => r.state)).toEqual(['b', 'd', 'c', 'a', 'e']);
    expect(topK(tree, 0)).toEqual([]);
    expect(() => topK(tree, -1)).toThrow(RangeError);
    expect(createMcts<string>().topK(tree, 1)[0].state).toBe('b');
  });

  it('never returns the root', () => {
    const tree = createMcts<string>().init();
    expect(topK(tree, 5)).toEqual([]);
  });
});
