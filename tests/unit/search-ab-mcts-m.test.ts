import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MIXED_MODEL_PRIOR,
  SeededRandom,
  createAbMctsM,
  predictGroup,
  predictNewGroup,
  priorPredictive,
  sampleMixedModel,
  scriptedRandom,
  sliceSample,
} from '../../src/lib/search/index.js';
import { grow, hashGenerators } from './search-helpers.js';

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('mixed-model MCMC', () => {
  it("uses TreeQuest's priors: μ ~ N(0.5, 0.2²), σ_α ~ HN(0.2), σ_y ~ HN(0.3)", () => {
    expect(DEFAULT_MIXED_MODEL_PRIOR).toEqual({
      muMean: 0.5,
      muSd: 0.2,
      sigmaAlphaScale: 0.2,
      sigmaYScale: 0.3,
    });
  });

  it('recovers known group means and the noise level on synthetic data', () => {
    const data = new SeededRandom(3);
    const truth = [0.2, 0.5, 0.8];
    const groups = truth.map((mu) => Array.from({ length: 30 }, () => data.normal(mu, 0.1)));
    const samples = sampleMixedModel(groups, new SeededRandom(4));
    expect(samples.alpha).toHaveLength(1000);
    truth.forEach((mu, j) => {
      const posteriorMean = mean(samples.alpha.map((a) => a[j]));
      // 30 scores with sd 0.1: the sample mean's standard error is 0.018.
      expect(Math.abs(posteriorMean - mean(groups[j]))).toBeLessThan(0.01);
      expect(Math.abs(posteriorMean - mu)).toBeLessThan(0.05);
    });
    expect(Math.abs(mean(samples.sigmaY) - 0.1)).toBeLessThan(0.02);
    expect(Math.abs(mean(samples.mu) - 0.5)).toBeLessThan(0.1);
    expect(mean(samples.sigmaAlpha)).toBeGreaterThan(0.15); // groups really differ
  });

  it('pools: a group with one score is pulled toward its siblings', () => {
    // Five groups of 20 noisy scores (sd 0.2) that share one mean, 0.4, and a sixth group
    // with a single 0.9: little spread between groups and much inside them, so the lone
    // group's mean is shrunk more than halfway back toward the others.
    const data = new SeededRandom(5);
    const crowd = Array.from({ length: 5 }, () =>
      Array.from({ length: 20 }, () => data.normal(0.4, 0.2)),
    );
    const samples = sampleMixedModel([...crowd, [0.9]], new SeededRandom(6));
    const lone = mean(samples.alpha.map((a) => a[5]));
    const crowdMean = mean(crowd.flat());
    expect(lone).toBeLessThan(crowdMean + 0.5 * (0.9 - crowdMean)); // more than halfway back
    expect(lone).toBeGreaterThan(crowdMean - 0.05);
  });

  it('identical scores (all 0) stay finite: the σ floor', () => {
    const samples = sampleMixedModel(
      [
        [0, 0, 0],
        [0, 0],
      ],
      new SeededRandom(7),
      undefined,
      {
        warmup: 100,
        draws: 200,
      },
    );
    expect(Math.min(...samples.sigmaY)).toBeGreaterThanOrEqual(0.001);
    expect(samples.alpha.flat().every(Number.isFinite)).toBe(true);
    expect(Math.abs(mean(samples.alpha.map((a) => a[0])))).toBeLessThan(0.05);
  });

  it('predictive draws: a known group near its mean, a new group wider', () => {
    const data = new SeededRandom(8);
    const groups = [0.3, 0.7].map((mu) => Array.from({ length: 20 }, () => data.normal(mu, 0.05)));
    const samples = sampleMixedModel(groups, new SeededRandom(9));
    const random = new SeededRandom(10);
    const known = Array.from({ length: 2000 }, () => predictGroup(samples, 1, random));
    const fresh = Array.from({ length: 2000 }, () => predictNewGroup(samples, random));
    const sd = (xs: number[]) => Math.sqrt(mean(xs.map((x) => (x - mean(xs)) ** 2)));
    expect(Math.abs(mean(known) - 0.7)).toBeLessThan(0.02);
    expect(sd(fresh)).toBeGreaterThan(2 * sd(known));
    const prior = Array.from({ length: 4000 }, () =>
      priorPredictive(DEFAULT_MIXED_MODEL_PRIOR, random),
    );
    expect(Math.abs(mean(prior) - 0.5)).toBeLessThan(0.03);
  });

  it('slice sampling draws from the density it is given', () => {
    const random = new SeededRandom(11);
    let x = 0;
    const xs: number[] = [];
    for (let i = 0; i < 5000; i++) xs.push((x = sliceSample(x, (v) => -0.5 * v * v, random)));
    expect(Math.abs(mean(xs))).toBeLessThan(0.08);
    expect(Math.abs(mean(xs.map((v) => v * v)) - 1)).toBeLessThan(0.08);
    // A lower bound is respected.
    const bounded = Array.from({ length: 200 }, () => sliceSample(1, () => 0, random, 0.5));
    expect(Math.min(...bounded)).toBeGreaterThanOrEqual(0.5);
  });
});

describe('AB-MCTS-M', () => {
  const mcmc = { warmup: 100, draws: 200 };

  it('with no score yet, the first action is a uniform choice', () => {
    const algo = createAbMctsM<string>({ random: scriptedRandom({ uniform: [0.75] }) });
    const [trial] = algo.askBatch(algo.init(['a', 'b']), 1);
    expect(trial).toMatchObject({ parentId: 0, action: 'b' });
  });

  it('prunes a child whose subtree keeps repeating one score', () => {
    const build = () => {
      const tree = createAbMctsM<string>().init(['g']);
      const best = grow(tree, 0, 'g', { state: 'c1', score: 0.9 });
      for (let i = 0; i < 3; i++) grow(tree, best.id, 'g', { state: `c1.${i}`, score: 0.9 });
      grow(tree, 0, 'g', { state: 'c2', score: 0.2 });
      return tree; // nodes 1–4 are c1's subtree: 4 scores, all 0.9
    };
    const parents = (pruning: boolean) => {
      const algo = createAbMctsM<string>({ seed: 1, pruning, mcmc });
      const tree = build();
      return algo.askBatch(tree, 20).map((t) => t.parentId);
    };
    const inC1 = (ids: number[]) => ids.filter((id) => id >= 1 && id <= 4).length;
    expect(inC1(parents(false))).toBeGreaterThan(5);
    expect(inC1(parents(true))).toBe(0);
  });

  it('with two generators, the better one gets most of the budget', async () => {
    for (const modelSelection of ['thompson', 'ucb', 'stack'] as const) {
      const algo = createAbMctsM<string>({ seed: 2, modelSelection, mcmc });
      const tree = algo.init();
      const gens = hashGenerators({ strong: [0.6, 0.9], weak: [0, 0.3] });
      for (let i = 0; i < 25; i++) await algo.step(tree, gens);
      const strong = tree.nodes.filter((n) => n.action === 'strong').length;
      expect(strong, modelSelection).toBeGreaterThan(15);
    }
  });

  it('goes deeper and wider on its own, and different seeds differ', async () => {
    const run = async (seed: number) => {
      const algo = createAbMctsM<string>({ seed, mcmc });
      const tree = algo.init();
      const gens = hashGenerators();
      for (let i = 0; i < 20; i++) await algo.step(tree, gens);
      return tree;
    };
    const tree = await run(3);
    expect(tree.nodes[0].children.length).toBeGreaterThan(1);
    expect(Math.max(...tree.nodes.map((n) => n.depth))).toBeGreaterThan(1);
    expect((await run(4)).nodes.map((n) => n.parentId)).not.toEqual(
      tree.nodes.map((n) => n.parentId),
    );
  });
});
