/**
 * The hierarchical (mixed) model AB-MCTS-M fits at each node, and a small MCMC for it.
 *
 * Model (TreeQuest's PyMC model in `ab_mcts_m/pymc_interface.py`): scores y_ij of group j
 * (a child's subtree, or an action) are
 *   μ ~ N(μ₀, 0.2²)           overall goodness; μ₀ = 0.5 unless a reward-average prior is set
 *   σ_α ~ HalfNormal(0.2)     spread between groups
 *   σ_y ~ HalfNormal(0.3)     spread inside a group
 *   α_j ~ N(μ, σ_α²)          (TreeQuest writes α_j = μ + z_j·σ_α, z_j ~ N(0, 1))
 *   y_ij ~ N(α_j, σ_y²)
 * A Thompson draw for group j is one posterior-predictive y ~ N(α_j, σ_y²) at a random
 * retained iteration; for a new group (GEN) α_new ~ N(μ, σ_α²) first.
 *
 * Sampler (TreeQuest runs NUTS through numpyro, 4 chains × 1000 draws after 1000 tuning
 * steps; here one chain of Gibbs-within-slice, cheap enough for the browser):
 * 1. α_j | μ, σ_α, σ_y, y: conjugate normal.
 * 2. μ | α, σ_α: conjugate normal.
 * 3. σ_α | α, μ: slice sampling (Neal 2003, stepping out) on log σ_α.
 * 4. Non-centred moves with z_j = (α_j − μ)/σ_α held fixed: μ | z, σ_α, σ_y, y (conjugate)
 *    and σ_α | z, μ, σ_y, y (slice), then α_j = μ + z_j·σ_α. Alternating the centred and
 *    non-centred updates (ancillarity–sufficiency interweaving) keeps the chain moving when
 *    σ_α is near 0, the funnel NUTS avoids with its non-centred parameterisation.
 * 5. σ_y | α, y: slice sampling on log σ_y.
 * Simplification: σ_α and σ_y are truncated below at `minSigma` (default 0.001). With
 * identical scores (e.g. all 0) the untruncated posterior has unbounded density at σ_y = 0;
 * NUTS only copes by diverging. No convergence diagnostics are computed.
 */
import { randomInt, type Random } from './random.js';

export interface MixedModelPrior {
  /** Prior mean of μ (default 0.5). */
  muMean: number;
  /** Prior standard deviation of μ (default 0.2). */
  muSd: number;
  /** HalfNormal scale of σ_α (default 0.2). */
  sigmaAlphaScale: number;
  /** HalfNormal scale of σ_y (default 0.3). */
  sigmaYScale: number;
}

export const DEFAULT_MIXED_MODEL_PRIOR: Readonly<MixedModelPrior> = Object.freeze({
  muMean: 0.5,
  muSd: 0.2,
  sigmaAlphaScale: 0.2,
  sigmaYScale: 0.3,
});

export interface McmcOptions {
  /** Iterations discarded first (default 500). */
  warmup?: number;
  /** Iterations kept (default 1000). */
  draws?: number;
  /** Lower bound of σ_α and σ_y (default 0.001). */
  minSigma?: number;
}

export interface MixedModelSamples {
  mu: number[];
  sigmaAlpha: number[];
  sigmaY: number[];
  /** alpha[draw][group]. */
  alpha: number[][];
}

/** Samples the posterior of the model above given the scores of each group. */
export function sampleMixedModel(
  groups: readonly (readonly number[])[],
  random: Random,
  prior: MixedModelPrior = DEFAULT_MIXED_MODEL_PRIOR,
  options: McmcOptions = {},
): MixedModelSamples {
  const warmup = options.warmup ?? 500;
  const draws = options.draws ?? 1000;
  const logMin = Math.log(options.minSigma ?? 1e-3);
  if (!Number.isInteger(draws) || draws < 1) throw new RangeError('draws must be >= 1');
  const J = groups.length;
  const n = groups.map((g) => g.length);
  const sum = groups.map((g) => g.reduce((a, b) => a + b, 0));
  const sumSq = groups.map((g) => g.reduce((a, b) => a + b * b, 0));
  const N = n.reduce((a, b) => a + b, 0);
  const { muMean, muSd, sigmaAlphaScale: sA, sigmaYScale: sY } = prior;
  const muPrec = 1 / (muSd * muSd);

  // Start at the data: group means, the grand mean, moderate spreads.
  let mu = N > 0 ? sum.reduce((a, b) => a + b, 0) / N : muMean;
  const alpha = groups.map((_, j) => (n[j] > 0 ? sum[j] / n[j] : mu));
  let sa = 0.1;
  let sy = 0.1;
  const out: MixedModelSamples = { mu: [], sigmaAlpha: [], sigmaY: [], alpha: [] };

  // Σ_i (y_ij − a)² for group j.
  const groupSsr = (j: number, a: number) => sumSq[j] - 2 * a * sum[j] + n[j] * a * a;
  // Log HalfNormal(scale) density of σ = e^u plus the Jacobian u, truncated below.
  const logSigmaPrior = (u: number, scale: number) =>
    u < logMin ? -Infinity : -Math.exp(2 * u) / (2 * scale * scale) + u;

  for (let iter = 0; iter < warmup + draws; iter++) {
    // 1. α_j | μ, σ_α, σ_y
    for (let j = 0; j < J; j++) {
      const prec = 1 / (sa * sa) + n[j] / (sy * sy);
      const mean = (mu / (sa * sa) + sum[j] / (sy * sy)) / prec;
      alpha[j] = random.normal(mean, 1 / Math.sqrt(prec));
    }
    // 2. μ | α, σ_α
    {
      const prec = muPrec + J / (sa * sa);
      const mean = (muMean * muPrec + alpha.reduce((a, b) => a + b, 0) / (sa * sa)) / prec;
      mu = random.normal(mean, 1 / Math.sqrt(prec));
    }
    // 3. σ_α | α, μ (centred)
    {
      const d = alpha.reduce((acc, a) => acc + (a - mu) ** 2, 0);
      const logp = (u: number) => logSigmaPrior(u, sA) - J * u - d / (2 * Math.exp(2 * u));
      sa = Math.exp(sliceSample(Math.log(sa), logp, random, logMin));
    }
    // 4. non-centred μ and σ_α with z fixed
    if (N > 0) {
      const z = alpha.map((a) => (a - mu) / sa);
      const prec = muPrec + N / (sy * sy);
      let shifted = 0;
      for (let j = 0; j < J; j++) shifted += sum[j] - n[j] * z[j] * sa;
      mu = random.normal((muMean * muPrec + shifted / (sy * sy)) / prec, 1 / Math.sqrt(prec));
      const logp = (u: number) => {
        const s = Math.exp(u);
        let ssr = 0;
        for (let j = 0; j < J; j++) ssr += groupSsr(j, mu + z[j] * s);
        return logSigmaPrior(u, sA) - ssr / (2 * sy * sy);
      };
      sa = Math.exp(sliceSample(Math.log(sa), logp, random, logMin));
      for (let j = 0; j < J; j++) alpha[j] = mu + z[j] * sa;
    }
    // 5. σ_y | α, y
    {
      let ssr = 0;
      for (let j = 0; j < J; j++) ssr += groupSsr(j, alpha[j]);
      ssr = Math.max(0, ssr);
      const logp = (u: number) => logSigmaPrior(u, sY) - N * u - ssr / (2 * Math.exp(2 * u));
      sy = Math.exp(sliceSample(Math.log(sy), logp, random, logMin));
    }
    if (iter >= warmup) {
      out.mu.push(mu);
      out.sigmaAlpha.push(sa);
      out.sigmaY.push(sy);
      out.alpha.push([...alpha]);
    }
  }
  return out;
}

/** One posterior-predictive score of group `j`, at a random retained iteration. */
export function predictGroup(samples: MixedModelSamples, j: number, random: Random): number {
  const i = randomInt(random, samples.mu.length);
  return random.normal(samples.alpha[i][j], samples.sigmaY[i]);
}

/** One posterior-predictive score of a group with no data yet (GEN). */
export function predictNewGroup(samples: MixedModelSamples, random: Random): number {
  const i = randomInt(random, samples.mu.length);
  const alphaNew = random.normal(samples.mu[i], samples.sigmaAlpha[i]);
  return random.normal(alphaNew, samples.sigmaY[i]);
}

/** One prior-predictive score (no data at all). */
export function priorPredictive(prior: MixedModelPrior, random: Random): number {
  const mu = random.normal(prior.muMean, prior.muSd);
  const sa = Math.abs(random.normal(0, prior.sigmaAlphaScale));
  const sy = Math.abs(random.normal(0, prior.sigmaYScale));
  return random.normal(random.normal(mu, sa), sy);
}

/**
 * Univariate slice sampling with stepping out and shrinkage (Neal 2003), for a log density
 * that is −∞ below `lower`. Returns the current point if shrinking does not finish.
 */
export function sliceSample(
  x0: number,
  logp: (x: number) => number,
  random: Random,
  lower = -Infinity,
  width = 1,
  maxSteps = 32,
): number {
  const y = logp(x0) + Math.log(1 - random.uniform());
  let left = x0 - width * random.uniform();
  let right = left + width;
  let j = Math.floor(maxSteps * random.uniform());
  let k = maxSteps - 1 - j;
  while (j-- > 0 && left > lower && logp(left) > y) left -= width;
  while (k-- > 0 && logp(right) > y) right += width;
  left = Math.max(left, lower);
  for (let i = 0; i < 200; i++) {
    const x1 = left + random.uniform() * (right - left);
    if (logp(x1) >= y) return x1;
    if (x1 < x0) left = x1;
    else right = x1;
  }
  return x0;
}
