import { describe, expect, it } from 'vitest';
import {
  DEFAULT_BETA_PRIOR,
  DEFAULT_GAUSSIAN_PRIOR,
  createAbMctsA,
  drawMean,
  observe,
  posterior,
  scriptedRandom,
  statsOf,
  thompson,
  ucbChoice,
  withAverage,
  type AbMctsANodeStats,
  type GaussianPrior,
} from '../../src/lib/search/index.js';
import { hashGenerators, recordingRandom } from './search-helpers.js';

describe('posterior updates', () => {
  it("uses TreeQuest's default priors", () => {
    expect(DEFAULT_GAUSSIAN_PRIOR).toEqual({ kind: 'gaussian', m: 0, kappa: 1, nu: 1, tau2: 0.1 });
    expect(DEFAULT_BETA_PRIOR).toEqual({ kind: 'beta', a: 0.5, b: 0.5 });
  });

  it('Normal-Inverse-Gamma, default prior, scores 0.6 and 0.8', () => {
    // n = 2, x̄ = 0.7, S = (0.6 − 0.7)² + (0.8 − 0.7)² = 0.02; prior m 0, κ 1, ν 1, τ² 0.1.
    // κₙ = 1 + 2 = 3; νₙ = 1 + 2 = 3; mₙ = (1·0 + 2·0.7) / 3 = 0.466667
    // τ²ₙ = (1·0.1 + 0.02 + 2·1·(0 − 0.7)² / 3) / 3 = (0.1 + 0.02 + 0.326667) / 3 = 0.148889
    const post = posterior(DEFAULT_GAUSSIAN_PRIOR, statsOf([0.6, 0.8])) as GaussianPrior;
    expect(post.kappa).toBe(3);
    expect(post.nu).toBe(3);
    expect(post.m).toBeCloseTo(0.466667, 6);
    expect(post.tau2).toBeCloseTo(0.148889, 6);
  });

  it('Normal-Inverse-Gamma, prior m 0.5, κ 2, ν 3, τ² 0.2, scores 0.2, 0.4, 0.9', () => {
    // n = 3, x̄ = 0.5, S = 0.09 + 0.01 + 0.16 = 0.26.
    // κₙ = 5; νₙ = 6; mₙ = (2·0.5 + 3·0.5) / 5 = 0.5
    // τ²ₙ = (3·0.2 + 0.26 + 3·2·(0.5 − 0.5)² / 5) / 6 = 0.86 / 6 = 0.143333
    const prior: GaussianPrior = { kind: 'gaussian', m: 0.5, kappa: 2, nu: 3, tau2: 0.2 };
    const post = posterior(prior, statsOf([0.2, 0.4, 0.9])) as GaussianPrior;
    expect(post).toMatchObject({ kappa: 5, nu: 6 });
    expect(post.m).toBeCloseTo(0.5, 10);
    expect(post.tau2).toBeCloseTo(0.143333, 6);
  });

  it('one score at a time gives the same statistics as all at once (Welford)', () => {
    const stats = statsOf([]);
    for (const x of [0.2, 0.4, 0.9]) observe(stats, x);
    expect(stats.n).toBe(3);
    expect(stats.mean).toBeCloseTo(0.5, 12);
    expect(stats.m2).toBeCloseTo(0.26, 12);
    expect(posterior(DEFAULT_GAUSSIAN_PRIOR, undefined)).toEqual(DEFAULT_GAUSSIAN_PRIOR);
  });

  it('Beta with fractional successes: a += x, b += 1 − x', () => {
    // Jeffreys Beta(0.5, 0.5) after 0.6 and 0.8: a = 0.5 + 1.4 = 1.9, b = 0.5 + 0.4 + 0.2 = 1.1
    const post = posterior(DEFAULT_BETA_PRIOR, statsOf([0.6, 0.8]));
    expect(post.kind).toBe('beta');
    if (post.kind !== 'beta') return;
    expect(post.a).toBeCloseTo(1.9, 12);
    expect(post.b).toBeCloseTo(1.1, 12);
    // After 1, 0, 1: a = 2.5, b = 1.5.
    expect(posterior(DEFAULT_BETA_PRIOR, statsOf([1, 0, 1]))).toMatchObject({ a: 2.5, b: 1.5 });
  });

  it('reward-average priors move the prior mean as TreeQuest does', () => {
    expect(withAverage(DEFAULT_GAUSSIAN_PRIOR, 0.7)).toMatchObject({ m: 0.7, kappa: 1 });
    expect(withAverage(DEFAULT_BETA_PRIOR, 0.7)).toMatchObject({ a: 0.7 });
    expect((withAverage(DEFAULT_BETA_PRIOR, 0.7) as { b: number }).b).toBeCloseTo(0.3, 12);
  });

  it('a Gaussian draw: σ² = (ν·τ²/2) / gamma(ν/2), then μ ~ N(m, σ²/κ)', () => {
    // Posterior above: m 0.466667, κ 3, ν 3, τ² 0.148889. The recording random returns
    // gamma = 1: σ² = 3·0.148889/2 = 0.223333; sd = sqrt(0.223333 / 3) = 0.272845.
    const { random, calls } = recordingRandom([1]); // the normal draw is mean + 1·sd
    const draw = drawMean(posterior(DEFAULT_GAUSSIAN_PRIOR, statsOf([0.6, 0.8])), random);
    expect(calls.map((c) => c.kind)).toEqual(['gamma', 'normal']);
    expect(calls[0].args).toEqual([1.5, 1]);
    expect(calls[1].args[0]).toBeCloseTo(0.466667, 6);
    expect(calls[1].args[1]).toBeCloseTo(0.272845, 6);
    expect(draw).toBeCloseTo(0.466667 + 0.272845, 5);
  });
});

describe('Thompson sampling and UCB', () => {
  const option = (key: string) => ({ key, prior: DEFAULT_GAUSSIAN_PRIOR, stats: undefined });

  it('Thompson picks the largest draw: the injected draws decide', () => {
    const random = scriptedRandom({ gamma: [1, 1, 1], normal: [0.2, 0.9, 0.5] });
    expect(thompson([option('a'), option('b'), option('c')], random)).toEqual({
      key: 'b',
      draws: [0.2, 0.9, 0.5],
    });
    const beta = scriptedRandom({ beta: [0.7, 0.3] });
    const betaOption = (key: string) => ({ key, prior: DEFAULT_BETA_PRIOR, stats: undefined });
    expect(thompson([betaOption('x'), betaOption('y')], beta).key).toBe('x');
    // Ties go to the first option.
    expect(
      thompson([option('a'), option('b')], scriptedRandom({ gamma: [1, 1], normal: [0.5, 0.5] }))
        .key,
    ).toBe('a');
  });

  it('UCB1 = mean + √2·sqrt(ln total / n); an action with no score goes first', () => {
    // total 3. a: 0.9 + √2·sqrt(ln 3 / 2) = 0.9 + 1.048147 = 1.948147
    //          b: 0.5 + √2·sqrt(ln 3 / 1) = 0.5 + 1.482304 = 1.982304 → b
    expect(
      ucbChoice([
        { key: 'a', scores: [0.9, 0.9] },
        { key: 'b', scores: [0.5] },
      ]),
    ).toBe('b');
    expect(
      ucbChoice([
        { key: 'a', scores: [1] },
        { key: 'b', scores: [] },
      ]),
    ).toBe('b');
  });
});

describe('AB-MCTS-A', () => {
  it('GEN vs CONT and the child to continue into go the way the draws say', () => {
    // One action, so choosing it costs no draw. Every Thompson option draws a gamma and
    // then a normal; the scripted normals are the draws themselves:
    // - ask 2: GEN 0.9 > CONT 0.1 → generate at the root;
    // - ask 3: GEN 0.1 < CONT 0.8 → continue; child 1 draws 0.2, child 2 draws 0.7 → into
    //   node 2, which has no children, so GEN there.
    const ask2 = [0.9, 0.1];
    const ask3 = [0.1, 0.8, 0.2, 0.7];
    const random = scriptedRandom({ gamma: [1, 1, 1, 1, 1, 1], normal: [...ask2, ...ask3] });
    const algo = createAbMctsA<string>({ random });
    const tree = algo.init(['gen']);
    const [t1] = algo.askBatch(tree, 1); // root has no children: GEN, no draw
    expect(t1.parentId).toBe(0);
    algo.tell(tree, t1.id, { state: 'one', score: 0.3 });
    const [t2] = algo.askBatch(tree, 1);
    expect(t2.parentId).toBe(0);
    algo.tell(tree, t2.id, { state: 'two', score: 0.6 });
    const [t3] = algo.askBatch(tree, 1);
    expect(t3.parentId).toBe(2);
    expect(random.remaining()).toEqual({ uniform: [], normal: [], gamma: [], beta: [] });
  });

  it('aggregates every score up the tree into GEN, CONT, action and child statistics', () => {
    const algo = createAbMctsA<string>({
      random: scriptedRandom({ gamma: [1, 1, 1, 1, 1, 1], normal: [0.9, 0.1, 0.1, 0.8, 0.2, 0.7] }),
    });
    const tree = algo.init(['gen']);
    for (const [i, score] of [0.3, 0.6, 0.9].entries()) {
      const [t] = algo.askBatch(tree, 1);
      algo.tell(tree, t.id, { state: `s${i}`, score });
    }
    // Tree: root → 1 (0.3), root → 2 (0.6) → 3 (0.9).
    const stats = (id: number) => tree.nodes[id].stats as AbMctsANodeStats;
    const close = (
      s: { n: number; mean: number; m2: number },
      n: number,
      mean: number,
      m2: number,
    ) => {
      expect(s.n).toBe(n);
      expect(s.mean).toBeCloseTo(mean, 12);
      expect(s.m2).toBeCloseTo(m2, 12);
    };
    close(stats(3).agg, 1, 0.9, 0);
    close(stats(2).agg, 2, 0.75, 0.045); // 0.6 and 0.9: S = 2·0.15² = 0.045
    close(stats(1).agg, 1, 0.3, 0);
    close(stats(2).gen.shared, 1, 0.9, 0); // node 3 was generated at node 2
    close(stats(0).gen.shared, 2, 0.45, 0.045); // nodes 1 and 2 at the root
    close(stats(0).cont.shared, 1, 0.9, 0); // node 3's score came through child 2
    close(stats(0).actions.gen, 3, 0.6, 0.18);
    // Root GEN posterior from 0.3, 0.6: n 2, x̄ 0.45, S 0.045 →
    //   m = 0.9 / 3 = 0.3, τ² = (0.1 + 0.045 + 2·0.45²/3) / 3 = (0.1 + 0.045 + 0.135) / 3 = 0.093333
    const gen = posterior(DEFAULT_GAUSSIAN_PRIOR, stats(0).gen.shared) as GaussianPrior;
    expect(gen.m).toBeCloseTo(0.3, 12);
    expect(gen.tau2).toBeCloseTo(0.093333, 6);
    // Child 2's posterior from 0.6, 0.9: m = 1.5 / 3 = 0.5,
    //   τ² = (0.1 + 0.045 + 2·0.75²/3) / 3 = (0.1 + 0.045 + 0.375) / 3 = 0.173333
    const child = posterior(DEFAULT_GAUSSIAN_PRIOR, stats(2).agg) as GaussianPrior;
    expect(child.m).toBeCloseTo(0.5, 12);
    expect(child.tau2).toBeCloseTo(0.173333, 6);
  });

  it("after GEN, the action comes from each action's posterior over all its scores", () => {
    // Root without children: no GEN/CONT draw, one draw per action: a 0.1, b 0.7 → b.
    const random = scriptedRandom({ gamma: [1, 1], normal: [0.1, 0.7] });
    const algo = createAbMctsA<string>({ random });
    const [trial] = algo.askBatch(algo.init(['a', 'b']), 1);
    expect(trial.action).toBe('b');
  });

  it('model selection by UCB needs no draws', () => {
    const algo = createAbMctsA<string>({ modelSelection: 'ucb', random: scriptedRandom({}) });
    const tree = algo.init(['a', 'b']);
    const [t1] = algo.askBatch(tree, 1); // neither has a score: both +∞, the first wins
    expect(t1.action).toBe('a');
  });

  it("'stack' draws the action at the node first, then GEN/CONT for that action", () => {
    const { random, calls } = recordingRandom([0, 1]); // a's draw at its mean, b's one sd above
    const algo = createAbMctsA<string>({ modelSelection: 'stack', random });
    const tree = algo.init(['a', 'b']);
    const [trial] = algo.askBatch(tree, 1);
    expect(trial.action).toBe('b');
    // Two action draws only: neither action has children here, so GEN without a draw.
    expect(calls.map((c) => c.kind)).toEqual(['gamma', 'normal', 'gamma', 'normal']);
  });

  it('virtual loss: a pending GEN counts as a score of 0 in the next ask of the batch', () => {
    // Root with one child scored 0.3: GEN posterior m = 0.3 / 2 = 0.15; CONT is the prior
    // (m 0). The recording random draws every mean exactly, so GEN wins both asks. With
    // virtual loss the second ask sees GEN scores 0.3 and 0: m = (0 + 0.3) / 3 = 0.1.
    const genMeans = (virtualLoss: boolean) => {
      const { random, calls } = recordingRandom();
      const algo = createAbMctsA<string>({ random, virtualLoss });
      const tree = algo.init(['gen']);
      const [first] = algo.askBatch(tree, 1);
      algo.tell(tree, first.id, { state: 'x', score: 0.3 });
      calls.length = 0;
      algo.askBatch(tree, 2);
      return calls.filter((c) => c.kind === 'normal').map((c) => c.args[0]);
    };
    const off = genMeans(false);
    expect(off[0]).toBeCloseTo(0.15, 12);
    expect(off[2]).toBeCloseTo(0.15, 12);
    const on = genMeans(true);
    expect(on[0]).toBeCloseTo(0.15, 12);
    expect(on[2]).toBeCloseTo(0.1, 12);
  });

  it('different seeds give different trees; Beta posteriors work end to end', async () => {
    const run = async (seed: number) => {
      const algo = createAbMctsA<string>({ seed, distribution: 'beta' });
      const tree = algo.init();
      const gens = hashGenerators({ a: [0, 1] });
      for (let i = 0; i < 20; i++) await algo.step(tree, gens);
      return tree.nodes.map((n) => n.parentId);
    };
    expect(await run(1)).not.toEqual(await run(2));
  });

  it('with two generators, the better one gets most of the budget', async () => {
    for (const modelSelection of ['thompson', 'ucb', 'stack'] as const) {
      const algo = createAbMctsA<string>({ seed: 3, modelSelection });
      const tree = algo.init();
      const gens = hashGenerators({ strong: [0.6, 0.9], weak: [0, 0.3] });
      for (let i = 0; i < 40; i++) await algo.step(tree, gens);
      const strong = tree.nodes.filter((n) => n.action === 'strong').length;
      expect(strong, modelSelection).toBeGreaterThan(25);
      expect(algo.topK(tree, 1)[0].score).toBeGreaterThan(0.85);
    }
  });

  it('a batch with Thompson draws is spread over several parents', async () => {
    const algo = createAbMctsA<string>({ seed: 4 });
    const tree = algo.init();
    const gens = hashGenerators();
    for (let i = 0; i < 10; i++) await algo.step(tree, gens);
    const parents = new Set(algo.askBatch(tree, 8).map((t) => t.parentId));
    expect(parents.size).toBeGreaterThan(1);
  });
});
