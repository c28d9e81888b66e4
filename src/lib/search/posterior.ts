/**
 * Conjugate posteriors over scores in [0, 1], as AB-MCTS-A uses them for Thompson
 * sampling, and the bandit choices built on them.
 *
 * - Gaussian with unknown mean and variance, Normal-Inverse-Gamma prior NIG(m, κ, ν, τ²)
 *   (Murphy, "Probabilistic Machine Learning: Advanced Topics", §3.4.3.3; TreeQuest's
 *   `ProbabilisticDist`). After n scores with mean x̄ and S = Σ(x − x̄)²:
 *     κₙ = κ + n,  νₙ = ν + n,  mₙ = (κ·m + n·x̄) / κₙ,
 *     τ²ₙ = (ν·τ² + S + n·κ·(m − x̄)² / κₙ) / νₙ.
 *   A draw: σ² ~ InvGamma(νₙ/2, νₙ·τ²ₙ/2), then μ ~ N(mₙ, σ²/κₙ); μ is the sample.
 * - Beta(a, b) with fractional successes: a += x, b += 1 − x for each score x.
 *
 * Defaults are TreeQuest's (`ab_mcts_a/prob_state.py`): Gaussian m = 0, κ = 1, ν = 1,
 * τ² = 0.1; Beta a = b = 0.5 (Jeffreys).
 */
import type { Random } from './random.js';
import type { PosteriorSummary, ScoreStats } from './types.js';

export interface GaussianPrior {
  kind: 'gaussian';
  m: number;
  kappa: number;
  nu: number;
  tau2: number;
}

export interface BetaPrior {
  kind: 'beta';
  a: number;
  b: number;
}

export type Prior = GaussianPrior | BetaPrior;

export const DEFAULT_GAUSSIAN_PRIOR: Readonly<GaussianPrior> = Object.freeze({
  kind: 'gaussian',
  m: 0,
  kappa: 1,
  nu: 1,
  tau2: 0.1,
});

export const DEFAULT_BETA_PRIOR: Readonly<BetaPrior> = Object.freeze({
  kind: 'beta',
  a: 0.5,
  b: 0.5,
});

/**
 * A prior with its mean moved to `average` (TreeQuest's `reward_average_priors`):
 * Gaussian m = average; Beta a = average, b = 1 − average.
 */
export function withAverage(prior: Prior, average: number): Prior {
  return prior.kind === 'gaussian'
    ? { ...prior, m: average }
    : { ...prior, a: average, b: 1 - average };
}

export function emptyStats(): ScoreStats {
  return { n: 0, mean: 0, m2: 0 };
}

/** Adds one score to `stats` in place (Welford) and returns it. */
export function observe(stats: ScoreStats, x: number): ScoreStats {
  stats.n += 1;
  const delta = x - stats.mean;
  stats.mean += delta / stats.n;
  stats.m2 += delta * (x - stats.mean);
  return stats;
}

export function statsOf(scores: readonly number[]): ScoreStats {
  const stats = emptyStats();
  for (const x of scores) observe(stats, x);
  return stats;
}

/** The posterior after the scores summarised by `stats`, as a prior of the same kind. */
export function posterior(prior: Prior, stats: ScoreStats | undefined): Prior {
  if (!stats || stats.n === 0) return { ...prior };
  const { n, mean, m2 } = stats;
  if (prior.kind === 'beta') {
    const sum = n * mean;
    return { kind: 'beta', a: prior.a + sum, b: prior.b + n - sum };
  }
  const { m, kappa, nu, tau2 } = prior;
  const kappaN = kappa + n;
  const nuN = nu + n;
  return {
    kind: 'gaussian',
    m: (kappa * m + n * mean) / kappaN,
    kappa: kappaN,
    nu: nuN,
    tau2: (nu * tau2 + m2 + (n * kappa * (m - mean) ** 2) / kappaN) / nuN,
  };
}

/**
 * The posterior's parameters with the number of scores behind it and the mean score it
 * implies (Gaussian: mₙ; Beta: a / (a + b)), for views.
 */
export function summarizePosterior(prior: Prior, stats: ScoreStats | undefined): PosteriorSummary {
  const post = posterior(prior, stats);
  const n = stats?.n ?? 0;
  return post.kind === 'beta'
    ? { kind: 'beta', a: post.a, b: post.b, n, mean: post.a / (post.a + post.b) }
    : {
        kind: 'gaussian',
        m: post.m,
        kappa: post.kappa,
        nu: post.nu,
        tau2: post.tau2,
        n,
        mean: post.m,
      };
}

/**
 * One Thompson draw of the mean score from a distribution's parameters. Gaussian: one
 * gamma draw (shape ν/2, scale 1; σ² = (ν·τ²/2) / g), then one normal draw. Beta: one
 * beta draw.
 */
export function drawMean(dist: Prior, random: Random): number {
  if (dist.kind === 'beta') return random.beta(dist.a, dist.b);
  const g = random.gamma(dist.nu / 2, 1);
  const sigma2 = (dist.nu * dist.tau2) / 2 / g;
  return random.normal(dist.m, Math.sqrt(sigma2 / dist.kappa));
}

/**
 * Thompson sampling: one posterior draw per option, in order; the largest wins (ties go
 * to the first). Returns the winning key and every draw.
 */
export function thompson<K>(
  options: readonly { key: K; prior: Prior; stats: ScoreStats | undefined }[],
  random: Random,
): { key: K; draws: number[] } {
  if (options.length === 0) throw new Error('thompson: no options');
  const draws = options.map((o) => drawMean(posterior(o.prior, o.stats), random));
  let best = 0;
  for (let i = 1; i < draws.length; i++) if (draws[i] > draws[best]) best = i;
  return { key: options[best].key, draws };
}

/**
 * UCB1 as TreeQuest chooses models: mean + √2·sqrt(ln total / n), +∞ for an action with no
 * score yet; the largest wins (ties go to the first).
 */
export function ucbChoice<K>(options: readonly { key: K; scores: readonly number[] }[]): K {
  if (options.length === 0) throw new Error('ucbChoice: no options');
  const total = options.reduce((t, o) => t + o.scores.length, 0);
  const values = options.map(({ scores }) =>
    scores.length === 0
      ? Infinity
      : scores.reduce((a, b) => a + b, 0) / scores.length +
        Math.SQRT2 * Math.sqrt(Math.log(total) / scores.length),
  );
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return options[best].key;
}
