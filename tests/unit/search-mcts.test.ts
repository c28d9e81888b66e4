import { describe, expect, it } from 'vitest';
import { SearchError, createMcts, nodeUct, uct } from '../../src/lib/search/index.js';
import { grow } from './search-helpers.js';

describe('UCT = V/N + c·sqrt(ln N_parent / N)', () => {
  it('matches hand-computed values', () => {
    // V = 1.5, N = 3, N_parent = 10, c = √2:
    //   0.5 + 1.414214 · sqrt(ln 10 / 3) = 0.5 + 1.414214 · sqrt(2.302585 / 3)
    //   = 0.5 + 1.414214 · 0.876087 = 0.5 + 1.238974 = 1.738974
    expect(uct(1.5, 3, 10)).toBeCloseTo(1.738974, 6);
    // V = 2, N = 4, N_parent = 8, c = 1: 0.5 + sqrt(2.079442 / 4) = 0.5 + 0.721013 = 1.221013
    expect(uct(2, 4, 8, 1)).toBeCloseTo(1.221013, 6);
    // c = 0 is pure exploitation.
    expect(uct(2, 4, 8, 0)).toBe(0.5);
  });

  it('is +∞ for an unvisited node', () => {
    expect(uct(0, 0, 5)).toBe(Infinity);
    expect(uct(0, 0, 0, 1)).toBe(Infinity);
  });

  it('is an error for the root; for a node it uses its told visits and value', () => {
    const tree = createMcts<string>().init(['g']);
    expect(() => nodeUct(tree, 0)).toThrow(SearchError);
    expect(() => nodeUct(tree, 0)).toThrow(/undefined for the root/);
    const a = grow(tree, 0, 'g', { state: 'a', score: 0.4 });
    grow(tree, a.id, 'g', { state: 'aa', score: 0.8 });
    grow(tree, 0, 'g', { state: 'b', score: 0.1 });
    // a: V = 0.4 + 0.8 = 1.2, N = 2; root N = 3.
    //   0.6 + √2 · sqrt(ln 3 / 2) = 0.6 + 1.414214 · 0.741153 = 0.6 + 1.048147 = 1.648147
    expect(nodeUct(tree, a.id)).toBeCloseTo(1.648147, 6);
    expect(() => nodeUct(tree, 99)).toThrow(/No node 99/);
  });
});

describe('MCTS', () => {
  it('expands a node up to samplesPerAction × actions children before descending', async () => {
    const algo = createMcts<string>({ samplesPerAction: 2 });
    const tree = algo.init();
    const gens = {
      a: async (p: string | null) => ({ state: `${p ?? ''}a`, score: 0.5 }),
      b: async (p: string | null) => ({ state: `${p ?? ''}b`, score: 0.5 }),
    };
    for (let i = 0; i < 4; i++) await algo.step(tree, gens);
    expect(tree.nodes[0].children).toHaveLength(4);
    // Actions alternate at a node: least used first, ties to the first.
    expect(tree.nodes.slice(1).map((n) => n.action)).toEqual(['a', 'b', 'a', 'b']);
    const fifth = await algo.step(tree, gens);
    expect(fifth.depth).toBe(2);
    expect(fifth.parentId).toBe(1); // equal UCT everywhere: the child told first
  });

  it('selection, expansion, simulation, backpropagation on a toy problem finds the best leaf', async () => {
    // Strings of 4 bits; the score is the share of positions matching 1011 (partial
    // answers score their matches so far). Two generators append 0 or 1. With one sample
    // per action the full tree has 2 + 4 + 8 + 16 = 30 nodes; UCT reaches 1011 sooner.
    const target = '1011';
    const score = (s: string) => [...s].filter((c, i) => c === target[i]).length / target.length;
    const append = (bit: string) => async (parent: string | null) => {
      const state = (parent ?? '') + bit;
      return { state, score: score(state) };
    };
    const algo = createMcts<string>({ samplesPerAction: 1, maxDepth: 4 });
    const tree = algo.init();
    for (let i = 0; i < 20; i++) await algo.step(tree, { '0': append('0'), '1': append('1') });
    expect(algo.topK(tree, 1)[0]).toMatchObject({ state: '1011', score: 1 });
    expect(Math.max(...tree.nodes.map((n) => n.depth))).toBe(4);
    // Backpropagation: every node's N and V are its subtree's count and score sum.
    for (const node of tree.nodes) {
      const below = (id: number): number[] => [
        id,
        ...tree.nodes[id].children.flatMap((c) => below(c)),
      ];
      const told = below(node.id).filter((id) => id !== 0);
      expect(node.visits).toBe(told.length);
      expect(node.value).toBeCloseTo(told.reduce((s, id) => s + (tree.nodes[id].score ?? 0), 0));
    }
  });

  it('virtual loss: pending trials count as visits of value 0, so a batch spreads', () => {
    const algo = createMcts<string>({ samplesPerAction: 1 });
    const tree = algo.init(['a', 'b']);
    const x = grow(tree, 0, 'a', { state: 'x', score: 0.9 });
    const y = grow(tree, 0, 'b', { state: 'y', score: 0.1 });
    // Root full (width 2). Ask 1: UCT x = 0.9 + √2·sqrt(ln 2 / 1) = 2.077, y = 1.277 → x (a).
    // Ask 2: root N = 2 + 1 pending = 3; x N = 1 + 1 pending = 2, V = 0.9:
    //   x = 0.45 + √2·sqrt(ln 3 / 2) = 1.498; y = 0.1 + √2·sqrt(ln 3) = 1.582 → y (a).
    // Ask 3: root N = 4; x = 0.45 + √2·sqrt(ln 4 / 2) = 1.627; y = 0.05 + 1.177 = 1.227 → x (b).
    const trials = algo.askBatch(tree, 3);
    expect(trials.map((t) => [t.parentId, t.action])).toEqual([
      [x.id, 'a'],
      [y.id, 'a'],
      [x.id, 'b'],
    ]);
    expect(tree.nodes[0].pending).toBe(3);
    expect(tree.nodes[x.id].pending).toBe(2);
  });

  it('a batch larger than the free slots widens the node at the end of the UCT path', () => {
    const algo = createMcts<string>({ samplesPerAction: 2 });
    const tree = algo.init(['g']);
    // The root has 2 slots; both reserved and nothing told yet, so the third goes there too.
    const trials = algo.askBatch(tree, 3);
    expect(trials.map((t) => t.parentId)).toEqual([0, 0, 0]);
    trials.forEach((t, i) => algo.tell(tree, t.id, { state: `s${i}`, score: 0.5 }));
    expect(tree.nodes[0].children).toHaveLength(3);
  });

  it('keeps going past a fully expanded tree by widening along the UCT path', async () => {
    const algo = createMcts<string>({ samplesPerAction: 1, maxDepth: 1 });
    const tree = algo.init();
    for (let i = 0; i < 3; i++) {
      await algo.step(tree, async (p) => ({ state: `${p ?? ''}x${i}`, score: 0.5 }));
    }
    expect(tree.nodes.map((n) => n.depth)).toEqual([0, 1, 1, 1]);
  });

  it('checks its options', () => {
    expect(() => createMcts({ samplesPerAction: 0 })).toThrow(RangeError);
    expect(() => createMcts({ maxDepth: 0 })).toThrow(RangeError);
  });
});
