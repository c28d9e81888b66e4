/**
 * `explain(tree, nodeId)`: the numbers behind each algorithm's choices at a node, as the
 * search lab's tooltips show them, checked by hand on small trees.
 */
import { describe, expect, it } from 'vitest';
import {
  branchChoiceOf,
  createAbMctsA,
  createAbMctsM,
  createMcts,
  createRepeatedSampling,
  predictiveSummary,
  type AbMctsAExplanation,
  type AbMctsMExplanation,
  type SearchAlgorithm,
  type SearchTree,
  type UctExplanation,
} from '../../src/lib/search/index.js';
import { reserveTrial } from '../../src/lib/search/tree.js';

/** Adds a child through the algorithm's own `tell`, so its statistics are updated. */
function tellChild<S>(
  algorithm: SearchAlgorithm<S, unknown, unknown>,
  tree: SearchTree<S, unknown, unknown>,
  parentId: number,
  state: S,
  score: number,
) {
  const trial = reserveTrial(tree, parentId, 'model');
  return algorithm.tell(tree, trial.id, { state, score }).id;
}

describe('branchChoiceOf', () => {
  it('GEN for a new sibling or a root answer, CONT for the first refinement of a leaf', () => {
    const mcts = createMcts<string>();
    const tree = mcts.init(['model']);
    const n1 = tellChild(mcts, tree, 0, 'a', 0.5); // the root's first child
    const n2 = tellChild(mcts, tree, 0, 'b', 0.5); // the root already had n1
    const n3 = tellChild(mcts, tree, n1, 'c', 0.5); // n1 was a leaf: CONT into it
    const n4 = tellChild(mcts, tree, n1, 'd', 0.5); // n1 had n3: GEN at n1
    expect([n1, n2, n3, n4].map((id) => branchChoiceOf(tree, id))).toEqual([
      'GEN',
      'GEN',
      'CONT',
      'GEN',
    ]);
    expect(branchChoiceOf(tree, 0)).toBeNull();
  });
});

describe('MCTS explain', () => {
  it("gives V/N and c·sqrt(ln N_parent / N) with the algorithm's own c", () => {
    const mcts = createMcts<string>({ c: 0.5 });
    const tree = mcts.init(['model']);
    const n1 = tellChild(mcts, tree, 0, 'a', 1);
    const n2 = tellChild(mcts, tree, 0, 'b', 0);
    tellChild(mcts, tree, n1, 'c', 0.5);
    // n1: V = 1.5, N = 2, N_parent = 3; mean 0.75, exploration 0.5·sqrt(ln 3 / 2) = 0.370576
    const e1 = mcts.explain?.(tree, n1) as UctExplanation;
    expect(e1).toMatchObject({ kind: 'uct', value: 1.5, visits: 2, parentVisits: 3, c: 0.5 });
    expect(e1.mean).toBeCloseTo(0.75, 12);
    expect(e1.exploration).toBeCloseTo(0.370576, 6);
    expect(e1.uct).toBeCloseTo(1.120576, 6);
    // n2: V = 0, N = 1; 0 + 0.5·sqrt(ln 3) = 0.524074
    expect((mcts.explain?.(tree, n2) as UctExplanation).uct).toBeCloseTo(0.524074, 6);
    expect((mcts.explain?.(tree, 0) as UctExplanation).uct).toBeNull();
  });

  it('algorithms without a per-node rule have no explain', () => {
    expect(createRepeatedSampling().explain).toBeUndefined();
  });
});

describe('AB-MCTS-A explain', () => {
  // root → n1 (0.6), root → n2 (0.8), n1 → n3 (0.2); default Gaussian prior m 0, κ 1, ν 1, τ² 0.1.
  function smallTree() {
    const algorithm = createAbMctsA<string>();
    const tree = algorithm.init(['model']);
    const n1 = tellChild(algorithm, tree, 0, 'a', 0.6);
    const n2 = tellChild(algorithm, tree, 0, 'b', 0.8);
    const n3 = tellChild(algorithm, tree, n1, 'c', 0.2);
    return { algorithm, tree, n1, n2, n3 };
  }

  it('GEN and CONT posteriors at the root', () => {
    const { algorithm, tree } = smallTree();
    const root = algorithm.explain?.(tree, 0) as AbMctsAExplanation;
    // GEN: the children generated at the root, 0.6 and 0.8: n 2, x̄ 0.7, S 0.02
    // κ 3, ν 3, m = 1.4 / 3 = 0.466667, τ² = (0.1 + 0.02 + 2·0.49/3) / 3 = 0.148889
    const gen = root.gen.shared;
    expect(gen).toMatchObject({ kind: 'gaussian', kappa: 3, nu: 3, n: 2 });
    if (gen.kind !== 'gaussian') return;
    expect(gen.m).toBeCloseTo(0.466667, 6);
    expect(gen.tau2).toBeCloseTo(0.148889, 6);
    expect(gen.mean).toBe(gen.m);
    // CONT: the score that came through an existing child, 0.2: n 1, x̄ 0.2, S 0
    // κ 2, ν 2, m = 0.2 / 2 = 0.1, τ² = (0.1 + 0 + 1·1·0.04/2) / 2 = 0.06
    const cont = root.cont.shared;
    expect(cont).toMatchObject({ kind: 'gaussian', kappa: 2, nu: 2, n: 1 });
    if (cont.kind !== 'gaussian') return;
    expect(cont.m).toBeCloseTo(0.1, 12);
    expect(cont.tau2).toBeCloseTo(0.06, 12);
    expect(root.choice).toBeNull();
  });

  it("a child's own posterior aggregates its subtree; a leaf's GEN/CONT are the prior", () => {
    const { algorithm, tree, n1, n3 } = smallTree();
    const e1 = algorithm.explain?.(tree, n1) as AbMctsAExplanation;
    // self: 0.6 and 0.2: n 2, x̄ 0.4, S 0.08; κ 3, ν 3, m = 0.8/3 = 0.266667,
    // τ² = (0.1 + 0.08 + 2·0.16/3) / 3 = 0.095556
    expect(e1.self).toMatchObject({ kappa: 3, nu: 3, n: 2 });
    if (e1.self.kind !== 'gaussian') return;
    expect(e1.self.m).toBeCloseTo(0.266667, 6);
    expect(e1.self.tau2).toBeCloseTo(0.095556, 6);
    expect(e1.gen.shared).toMatchObject({ kappa: 2, nu: 2, n: 1 });
    expect(e1.cont.shared).toEqual({
      kind: 'gaussian',
      m: 0,
      kappa: 1,
      nu: 1,
      tau2: 0.1,
      n: 0,
      mean: 0,
    });
    expect(e1.choice).toBe('GEN');
    expect((algorithm.explain?.(tree, n3) as AbMctsAExplanation).choice).toBe('CONT');
  });

  it('Beta posteriors: a + Σx, b + Σ(1 − x); mean a / (a + b)', () => {
    const algorithm = createAbMctsA<string>({ distribution: 'beta' });
    const tree = algorithm.init(['model']);
    tellChild(algorithm, tree, 0, 'a', 0.6);
    tellChild(algorithm, tree, 0, 'b', 0.8);
    const gen = (algorithm.explain?.(tree, 0) as AbMctsAExplanation).gen.shared;
    // Beta(0.5, 0.5) after 0.6 and 0.8: a 1.9, b 1.1, mean 1.9 / 3
    expect(gen.kind).toBe('beta');
    if (gen.kind !== 'beta') return;
    expect(gen.a).toBeCloseTo(1.9, 12);
    expect(gen.b).toBeCloseTo(1.1, 12);
    expect(gen.mean).toBeCloseTo(1.9 / 3, 12);
  });

  it('is read only: the tree and its PRNG state do not change', () => {
    const { algorithm, tree, n1 } = smallTree();
    const before = JSON.stringify(tree);
    algorithm.explain?.(tree, 0);
    algorithm.explain?.(tree, n1);
    expect(JSON.stringify(tree)).toBe(before);
  });
});

describe('AB-MCTS-M explain', () => {
  it('posterior predictive of one group and of a new one, by the law of total variance', () => {
    const samples = {
      mu: [0.4, 0.6],
      sigmaAlpha: [0.1, 0.3],
      sigmaY: [0.2, 0.2],
      alpha: [
        [0.5, 0.1],
        [0.7, 0.3],
      ],
    };
    // group 0: mean (0.5 + 0.7)/2 = 0.6; var(α) = 0.01, E[σ_y²] = 0.04 → sd sqrt(0.05)
    const g = predictiveSummary(samples, 0, 3);
    expect(g.mean).toBeCloseTo(0.6, 12);
    expect(g.sd).toBeCloseTo(Math.sqrt(0.05), 12);
    expect(g.n).toBe(3);
    // new group: mean 0.5; var(μ) 0.01 + E[σ_α²] (0.01 + 0.09)/2 + E[σ_y²] 0.04 = 0.1
    const fresh = predictiveSummary(samples, null, 0);
    expect(fresh.mean).toBeCloseTo(0.5, 12);
    expect(fresh.sd).toBeCloseTo(Math.sqrt(0.1), 12);
  });

  it('ranks a child whose subtree keeps scoring 1 above one that scores 0, GEN between', () => {
    const algorithm = createAbMctsM<string>();
    const tree = algorithm.init(['model']);
    const a = tellChild(algorithm, tree, 0, 'a', 1);
    const b = tellChild(algorithm, tree, 0, 'b', 0);
    tellChild(algorithm, tree, a, 'c', 1);
    tellChild(algorithm, tree, a, 'd', 1);
    tellChild(algorithm, tree, b, 'e', 0);
    const leaf = tellChild(algorithm, tree, b, 'f', 0);
    const before = JSON.stringify(tree);
    const root = algorithm.explain?.(tree, 0) as AbMctsMExplanation;
    expect(JSON.stringify(tree)).toBe(before);
    expect(root.cont.map((c) => [c.childId, c.predictive.n])).toEqual([
      [a, 3],
      [b, 3],
    ]);
    const [contA, contB] = root.cont.map((c) => c.predictive);
    expect(contA.mean).toBeGreaterThan(0.7);
    expect(contB.mean).toBeLessThan(0.3);
    const gen = root.gen as NonNullable<AbMctsMExplanation['gen']>;
    expect(gen.mean).toBeGreaterThan(contB.mean);
    expect(gen.mean).toBeLessThan(contA.mean);
    // a new group is less certain than a group with three scores
    expect(gen.sd).toBeGreaterThan(contA.sd);
    expect(root.self).toBeNull();
    expect(root.fit?.mu).toBeGreaterThan(0.2);

    // A leaf always GENs: no model at it, only its standing in its parent's model.
    const e = algorithm.explain?.(tree, leaf) as AbMctsMExplanation;
    expect(e.gen).toBeNull();
    expect(e.cont).toEqual([]);
    expect(e.self?.n).toBe(1);
    expect(e.choice).toBe('GEN');
    // The same tree explains the same way (a copy of its PRNG state seeds the chain).
    expect(algorithm.explain?.(tree, 0)).toEqual(root);
  });
});
