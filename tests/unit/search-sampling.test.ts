/** The baselines: repeated sampling (breadth only), refinement (depth only), ToT BFS. */
import { describe, expect, it } from 'vitest';
import {
  SearchError,
  SearchExhaustedError,
  createRefinement,
  createRepeatedSampling,
  createTotBfs,
} from '../../src/lib/search/index.js';
import { hash01, hashGenerators } from './search-helpers.js';

describe('repeated sampling', () => {
  it('is breadth only: every node is a child of the root; actions take turns', async () => {
    const algo = createRepeatedSampling<string>();
    const tree = algo.init();
    const gens = hashGenerators({ a: [0, 1], b: [0, 1] });
    for (let i = 0; i < 5; i++) await algo.step(tree, gens);
    expect(tree.nodes.slice(1).every((n) => n.parentId === 0 && n.depth === 1)).toBe(true);
    expect(tree.nodes.slice(1).map((n) => n.action)).toEqual(['a', 'b', 'a', 'b', 'a']);
    // Every trial gets a null parent state: answers are independent.
    const trials = algo.askBatch(tree, 4);
    expect(trials.map((t) => [t.parentId, t.parentState, t.action])).toEqual([
      [0, null, 'b'],
      [0, null, 'a'],
      [0, null, 'b'],
      [0, null, 'a'],
    ]);
  });
});

describe('sequential refinement', () => {
  it('is depth only: each node refines the previous one', async () => {
    const algo = createRefinement<string>();
    const tree = algo.init();
    const parents: (string | null)[] = [];
    const gen = async (parent: string | null) => {
      parents.push(parent);
      const state = `${parent ?? 'draft'}+`;
      return { state, score: hash01(state) };
    };
    for (let i = 0; i < 4; i++) await algo.step(tree, gen);
    expect(tree.nodes.map((n) => n.parentId)).toEqual([null, 0, 1, 2, 3]);
    expect(tree.nodes.map((n) => n.depth)).toEqual([0, 1, 2, 3, 4]);
    expect(parents).toEqual([null, 'draft+', 'draft++', 'draft+++']);
  });

  it('has at most one trial pending; generators alternate by depth; maxDepth ends it', async () => {
    const algo = createRefinement<string>({ maxDepth: 3 });
    const tree = algo.init(['write', 'critique']);
    const batch = algo.askBatch(tree, 3);
    expect(batch).toHaveLength(1);
    expect(algo.askBatch(tree, 3)).toEqual([]);
    await expect(algo.step(tree, hashGenerators({ write: [0, 1] }))).rejects.toThrow(
      /until its pending trials are told/,
    );
    algo.tell(tree, batch[0].id, { state: 'v1', score: 0.5 });
    const gens = hashGenerators({ write: [0, 1], critique: [0, 1] });
    await algo.step(tree, gens);
    await algo.step(tree, gens);
    expect(tree.nodes.slice(1).map((n) => n.action)).toEqual(['write', 'critique', 'write']);
    await expect(algo.step(tree, gens)).rejects.toThrow(SearchExhaustedError);
  });
});

describe('Tree of Thoughts BFS', () => {
  it('keeps the best b nodes of each level and gives each k children', async () => {
    const algo = createTotBfs<string>({ breadthLimit: 2, sizeLimit: 3 });
    const tree = algo.init();
    const gens = hashGenerators();
    // Level 1: 3 children of the root; levels 2 and 3: 2 × 3 = 6 each.
    for (let i = 0; i < 3 + 6 + 6; i++) await algo.step(tree, gens);
    const byDepth = (d: number) => tree.nodes.filter((n) => n.depth === d);
    expect([1, 2, 3].map((d) => byDepth(d).length)).toEqual([3, 6, 6]);
    for (const depth of [1, 2]) {
      const level = byDepth(depth);
      const best = [...level]
        .sort((a, b) => (b.score as number) - (a.score as number) || a.id - b.id)
        .slice(0, 2)
        .map((n) => n.id)
        .sort((a, b) => a - b);
      const expanded = level.filter((n) => n.children.length > 0).map((n) => n.id);
      expect(expanded).toEqual(best);
      expect(level.filter((n) => n.children.length > 0).every((n) => n.children.length === 3)).toBe(
        true,
      );
    }
    expect(tree.data.frontiers).toEqual([[0], expect.any(Array), expect.any(Array)]);
  });

  it('splits k over the actions and waits for a whole level before planning the next', () => {
    const algo = createTotBfs<string>({ breadthLimit: 1, sizeLimit: 5 });
    const tree = algo.init(['a', 'b']);
    // k = 5 over 2 actions: ⌊5 / 2⌋ = 2 per action, 4 children per frontier node.
    const level1 = algo.askBatch(tree, 10);
    expect(level1.map((t) => t.action)).toEqual(['a', 'a', 'b', 'b']);
    expect(algo.askBatch(tree, 10)).toEqual([]);
    level1.slice(0, 3).forEach((t, i) => algo.tell(tree, t.id, { state: `n${i}`, score: i / 10 }));
    expect(algo.askBatch(tree, 10)).toEqual([]); // one still pending
    algo.tell(tree, level1[3].id, { state: 'n3', score: 0.9 });
    const level2 = algo.askBatch(tree, 10);
    expect(level2).toHaveLength(4);
    expect(new Set(level2.map((t) => t.parentId))).toEqual(new Set([4])); // the 0.9 node
  });

  it('a cancelled expansion is asked again; maxDepth ends the search', async () => {
    const algo = createTotBfs<string>({ breadthLimit: 1, sizeLimit: 1, maxDepth: 2 });
    const tree = algo.init(['g']);
    const [first] = algo.askBatch(tree, 1);
    algo.cancel(tree, first.id);
    const [again] = algo.askBatch(tree, 1);
    expect(again).toMatchObject({ parentId: 0, action: 'g' });
    algo.tell(tree, again.id, { state: 'x', score: 0.5 });
    await algo.step(tree, hashGenerators({ g: [0, 1] }));
    await expect(algo.step(tree, hashGenerators({ g: [0, 1] }))).rejects.toThrow(/maxDepth 2/);
  });

  it('checks b ≤ k as TreeQuest does', () => {
    expect(() => createTotBfs({ breadthLimit: 3, sizeLimit: 2 })).toThrow(RangeError);
    expect(() => createTotBfs({ breadthLimit: 0 })).toThrow(RangeError);
    expect(SearchExhaustedError.prototype).toBeInstanceOf(SearchError);
  });
});
