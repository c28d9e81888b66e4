/**
 * GRPO and GSPO as pure functions over numbers: group-normalized advantages, importance
 * ratios against the old policy, PPO-style clipping, the k3 KL estimate against a reference
 * policy, and the two losses with their gradients with respect to the new policy's token
 * log-probabilities (what a trainer back-propagates into the model).
 *
 * Shapes: a batch holds B completions (sequences); token arrays are `number[][]`, one row
 * per sequence, rows may differ in length; a `mask` row marks the tokens that count (1)
 * and padding or tool output (0). Advantages are one number per sequence.
 *
 * Conventions follow TRL's `GRPOTrainer` (loss_type "grpo"): advantages are
 * (r − mean) / (std + eps) with the sample standard deviation and eps = 1e-4; each
 * sequence's loss is the masked mean of its per-token losses and the batch loss is the mean
 * over sequences; the KL term β·k3 is added per token; GSPO (`importance_sampling_level =
 * "sequence"`) replaces the per-token ratio by exp(masked mean of the log-ratio).
 */

// ---------------------------------------------------------------------------------------
// Advantages
// ---------------------------------------------------------------------------------------

export interface AdvantageOptions {
  /** Divide by the group's standard deviation (Dr. GRPO turns this off). Default true. */
  normalizeStd?: boolean;
  /** Added to the standard deviation so an all-equal group gives 0, not NaN. Default 1e-4. */
  eps?: number;
}

function mean(xs: readonly number[]): number {
  return xs.reduce((s, x) => s + x, 0) / xs.length;
}

/** Sample (Bessel-corrected) standard deviation; 0 for fewer than two values. */
export function sampleStd(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1));
}

/** Advantages of one group of completions of the same prompt: (r − mean) / (std + eps). */
export function advantages(rewards: readonly number[], options: AdvantageOptions = {}): number[] {
  if (rewards.length === 0) return [];
  for (const r of rewards) {
    if (!Number.isFinite(r)) throw new RangeError(`advantages: reward ${r} is not finite`);
  }
  const m = mean(rewards);
  const centered = rewards.map((r) => r - m);
  if (options.normalizeStd === false) return centered;
  const scale = sampleStd(rewards) + (options.eps ?? 1e-4);
  return centered.map((c) => c / scale);
}

/** `advantages` for consecutive groups of `groupSize` rewards (a batch of G per prompt). */
export function groupedAdvantages(
  rewards: readonly number[],
  groupSize: number,
  options: AdvantageOptions = {},
): number[] {
  if (!Number.isInteger(groupSize) || groupSize < 1 || rewards.length % groupSize !== 0) {
    throw new RangeError(
      `groupedAdvantages: ${rewards.length} rewards are not groups of ${groupSize}`,
    );
  }
  const out: number[] = [];
  for (let i = 0; i < rewards.length; i += groupSize) {
    out.push(...advantages(rewards.slice(i, i + groupSize), options));
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Ratios, clipping, KL
// ---------------------------------------------------------------------------------------

function sameLength(a: readonly unknown[], b: readonly unknown[], what: string): void {
  if (a.length !== b.length)
    throw new RangeError(`${what}: lengths differ (${a.length} vs ${b.length})`);
}

/** π_new / π_old per token: exp(logpNew − logpOld). */
export function tokenRatios(logpNew: readonly number[], logpOld: readonly number[]): number[] {
  sameLength(logpNew, logpOld, 'tokenRatios');
  return logpNew.map((lp, t) => Math.exp(lp - logpOld[t]));
}

/**
 * The clipping range [1 − epsilon, 1 + epsilonHigh]. GRPO's default is 0.2 on both sides;
 * DAPO raises the upper side (0.28); GSPO's sequence ratios need a far narrower band.
 */
export interface ClipRange {
  epsilon?: number;
  /** Defaults to `epsilon`. */
  epsilonHigh?: number;
}

/** Token-level defaults (TRL, DeepSeekMath). */
export const GRPO_CLIP = { epsilon: 0.2, epsilonHigh: 0.2 } as const;
/** Sequence-level defaults from the GSPO paper (v2, §5.1), as TRL's paper index sets them. */
export const GSPO_CLIP = { epsilon: 3e-4, epsilonHigh: 4e-4 } as const;

function bounds(clip: ClipRange | undefined, defaults: Required<ClipRange>): [number, number] {
  const low = clip?.epsilon ?? defaults.epsilon;
  const high = clip?.epsilonHigh ?? clip?.epsilon ?? defaults.epsilonHigh;
  if (!(low >= 0 && high >= 0)) throw new RangeError('clip epsilons must be >= 0');
  return [1 - low, 1 + high];
}

function surrogate(ratio: number, advantage: number, lo: number, hi: number): number {
  return Math.min(ratio * advantage, Math.min(Math.max(ratio, lo), hi) * advantage);
}

/**
 * The PPO objective for one ratio (to maximize): min(r·A, clip(r, 1 − ε, 1 + ε_high)·A).
 * Default range `GRPO_CLIP`; works for a token ratio or a GSPO sequence ratio alike.
 */
export function clippedSurrogate(ratio: number, advantage: number, clip: ClipRange = {}): number {
  const [lo, hi] = bounds(clip, GRPO_CLIP);
  return surrogate(ratio, advantage, lo, hi);
}

/**
 * Whether clipping removed this ratio's gradient: above the band with A > 0, or below it
 * with A < 0 (TRL's "region" clip ratio). Default range `GRPO_CLIP`.
 */
export function isClipped(ratio: number, advantage: number, clip: ClipRange = {}): boolean {
  const [lo, hi] = bounds(clip, GRPO_CLIP);
  return (ratio > hi && advantage > 0) || (ratio < lo && advantage < 0);
}

/** GRPO: the clipped objective of every token of one completion (all tokens share A). */
export function clippedSurrogatePerToken(
  logpNew: readonly number[],
  logpOld: readonly number[],
  advantage: number,
  clip: ClipRange = {},
): number[] {
  return tokenRatios(logpNew, logpOld).map((r) => clippedSurrogate(r, advantage, clip));
}

/**
 * GSPO: the clipped objective of one completion from its length-normalized sequence ratio
 * (`length`: the first tokens that count; default all). Default range `GSPO_CLIP`.
 */
export function clippedSurrogatePerSequence(
  logpNew: readonly number[],
  logpOld: readonly number[],
  advantage: number,
  clip: ClipRange = {},
  length?: number,
): number {
  const [ratio] = gspoSequenceRatio(
    [logpNew],
    [logpOld],
    length === undefined ? undefined : [length],
  );
  const [lo, hi] = bounds(clip, GSPO_CLIP);
  return surrogate(ratio, advantage, lo, hi);
}

/**
 * k3 estimate of KL(π‖π_ref) per token (Schulman, "Approximating KL divergence"), with
 * d = logpRef − logpPolicy: e^d − d − 1. Never negative, 0 where the policies agree.
 */
export function k3KL(logpPolicy: readonly number[], logpRef: readonly number[]): number[] {
  sameLength(logpPolicy, logpRef, 'k3KL');
  return logpPolicy.map((lp, t) => {
    const d = logpRef[t] - lp;
    return Math.exp(d) - d - 1;
  });
}

/**
 * GSPO's sequence-level ratio per completion, length-normalized:
 * s_i = (π_new(y_i) / π_old(y_i))^(1/|y_i|) = exp(mean over tokens of (logpNew − logpOld)).
 * `lengths[i]` counts the first tokens of row i (the rest is padding); default: the row.
 */
export function gspoSequenceRatio(
  logpNew: readonly (readonly number[])[],
  logpOld: readonly (readonly number[])[],
  lengths?: readonly number[],
): number[] {
  sameLength(logpNew, logpOld, 'gspoSequenceRatio');
  if (lengths) sameLength(logpNew, lengths, 'gspoSequenceRatio (lengths)');
  return logpNew.map((row, i) => {
    sameLength(row, logpOld[i], `gspoSequenceRatio row ${i}`);
    const n = lengths ? lengths[i] : row.length;
    if (!Number.isInteger(n) || n < 0 || n > row.length) {
      throw new RangeError(`gspoSequenceRatio: length ${n} for a row of ${row.length} tokens`);
    }
    if (n === 0) return 1;
    let sum = 0;
    for (let t = 0; t < n; t++) sum += row[t] - logpOld[i][t];
    return Math.exp(sum / n);
  });
}

// ---------------------------------------------------------------------------------------
// Losses
// ---------------------------------------------------------------------------------------

export interface PolicyBatch {
  /** Log-probabilities of the sampled tokens under the policy being trained. */
  logpNew: readonly (readonly number[])[];
  /** The same tokens under the policy that sampled them (equal to `logpNew` on the first step). */
  logpOld: readonly (readonly number[])[];
  /** Under the frozen reference policy; needed only when `beta` > 0. */
  logpRef?: readonly (readonly number[])[];
  /** One per sequence (see `advantages`). */
  advantages: readonly number[];
  /** 1 for tokens that count, 0 for padding; default all ones. */
  mask?: readonly (readonly number[])[];
}

export interface LossOptions extends ClipRange {
  /** Weight of the k3 KL penalty. Default 0 (TRL's default; GSPO also trains without it). */
  beta?: number;
}

export interface PolicyLoss {
  /** Mean over sequences of each sequence's masked mean per-token loss (KL included). */
  loss: number;
  /** `loss` without the KL term. */
  policyLoss: number;
  /** Masked mean of k3 over all tokens (0 without `logpRef`). */
  kl: number;
  /** Share of clipped ratios: over masked tokens (GRPO) or over sequences (GSPO). */
  clipFraction: number;
  /** Each sequence's loss. */
  perSequence: number[];
  /** Per-token ratios (GRPO) or one ratio per sequence in a one-element row (GSPO). */
  ratios: number[][];
  /** ∂loss/∂logpNew per token (0 at masked positions): what a trainer back-propagates. */
  gradLogpNew: number[][];
}

interface Checked {
  mask: number[][];
  beta: number;
  count: number[];
}

function checkBatch(batch: PolicyBatch, options: LossOptions, what: string): Checked {
  const { logpNew, logpOld, logpRef, advantages: adv } = batch;
  const B = logpNew.length;
  sameLength(logpNew, logpOld, `${what} (logpOld)`);
  sameLength(logpNew, adv, `${what} (advantages)`);
  const beta = options.beta ?? 0;
  if (beta !== 0 && !logpRef) throw new RangeError(`${what}: beta > 0 needs logpRef`);
  if (logpRef) sameLength(logpNew, logpRef, `${what} (logpRef)`);
  if (batch.mask) sameLength(logpNew, batch.mask, `${what} (mask)`);
  const mask: number[][] = [];
  for (let i = 0; i < B; i++) {
    sameLength(logpNew[i], logpOld[i], `${what} row ${i} (logpOld)`);
    if (logpRef) sameLength(logpNew[i], logpRef[i], `${what} row ${i} (logpRef)`);
    const row = batch.mask ? [...batch.mask[i]] : logpNew[i].map(() => 1);
    sameLength(logpNew[i], row, `${what} row ${i} (mask)`);
    mask.push(row);
  }
  // TRL clamps the token count at 1 so an all-padding row contributes 0, not NaN.
  return {
    mask,
    beta,
    count: mask.map((row) =>
      Math.max(
        1,
        row.reduce((s, m) => s + m, 0),
      ),
    ),
  };
}

function klTerms(batch: PolicyBatch, mask: number[][]): { k3: number[][]; mean: number } {
  if (!batch.logpRef) return { k3: batch.logpNew.map((row) => row.map(() => 0)), mean: 0 };
  const k3 = batch.logpNew.map((row, i) => k3KL(row, batch.logpRef![i]));
  let sum = 0;
  let n = 0;
  k3.forEach((row, i) =>
    row.forEach((v, t) => {
      sum += v * mask[i][t];
      n += mask[i][t];
    }),
  );
  return { k3, mean: n > 0 ? sum / n : 0 };
}

/** dk3/dlogpPolicy = 1 − e^(logpRef − logpPolicy). */
function klGrad(batch: PolicyBatch, i: number, t: number): number {
  return batch.logpRef ? 1 - Math.exp(batch.logpRef[i][t] - batch.logpNew[i][t]) : 0;
}

/**
 * GRPO loss (to minimize) with per-token ratios r_t = exp(logpNew_t − logpOld_t):
 * per token −min(r_t·A, clip(r_t)·A) + β·k3_t, masked mean per sequence, mean over sequences.
 */
export function grpoLoss(batch: PolicyBatch, options: LossOptions = {}): PolicyLoss {
  const { mask, beta, count } = checkBatch(batch, options, 'grpoLoss');
  const clip = { epsilon: options.epsilon, epsilonHigh: options.epsilonHigh };
  const [lo, hi] = bounds(clip, GRPO_CLIP);
  const B = batch.logpNew.length;
  const { k3, mean: kl } = klTerms(batch, mask);
  const ratios = batch.logpNew.map((row, i) => tokenRatios(row, batch.logpOld[i]));
  const perSequence: number[] = [];
  const perSequencePolicy: number[] = [];
  const gradLogpNew: number[][] = [];
  let clipped = 0;
  let tokens = 0;
  for (let i = 0; i < B; i++) {
    const A = batch.advantages[i];
    let policy = 0;
    let penalty = 0;
    const grad: number[] = [];
    ratios[i].forEach((r, t) => {
      const m = mask[i][t];
      const unclipped = r * A;
      const bounded = Math.min(Math.max(r, lo), hi) * A;
      policy += -Math.min(unclipped, bounded) * m;
      penalty += beta * k3[i][t] * m;
      // The unclipped branch is the minimum: its gradient r·A flows (−, since we minimize).
      const active = unclipped <= bounded ? 1 : 0;
      grad.push(((-A * r * active + beta * klGrad(batch, i, t)) * m) / (count[i] * B));
      if (m) {
        tokens += m;
        if ((r > hi && A > 0) || (r < lo && A < 0)) clipped += m;
      }
    });
    perSequencePolicy.push(policy / count[i]);
    perSequence.push((policy + penalty) / count[i]);
    gradLogpNew.push(grad);
  }
  return {
    loss: B ? mean(perSequence) : 0,
    policyLoss: B ? mean(perSequencePolicy) : 0,
    kl,
    clipFraction: tokens ? clipped / tokens : 0,
    perSequence,
    ratios,
    gradLogpNew,
  };
}

/**
 * GSPO loss (to minimize) with one ratio per sequence, s_i = exp(masked mean of
 * logpNew − logpOld): per sequence −min(s_i·A_i, clip(s_i)·A_i) + β·(masked mean of k3),
 * mean over sequences. Default clip range `GSPO_CLIP`.
 */
export function gspoLoss(batch: PolicyBatch, options: LossOptions = {}): PolicyLoss {
  const { mask, beta, count } = checkBatch(batch, options, 'gspoLoss');
  const clip = { epsilon: options.epsilon, epsilonHigh: options.epsilonHigh };
  const [lo, hi] = bounds(clip, GSPO_CLIP);
  const B = batch.logpNew.length;
  const { k3, mean: kl } = klTerms(batch, mask);
  const perSequence: number[] = [];
  const perSequencePolicy: number[] = [];
  const ratios: number[][] = [];
  const gradLogpNew: number[][] = [];
  let clipped = 0;
  for (let i = 0; i < B; i++) {
    const A = batch.advantages[i];
    let logRatio = 0;
    batch.logpNew[i].forEach((lp, t) => (logRatio += (lp - batch.logpOld[i][t]) * mask[i][t]));
    const s = Math.exp(logRatio / count[i]);
    ratios.push([s]);
    const unclipped = s * A;
    const bounded = Math.min(Math.max(s, lo), hi) * A;
    const policy = -Math.min(unclipped, bounded);
    let penalty = 0;
    k3[i].forEach((v, t) => (penalty += v * mask[i][t]));
    penalty = (beta * penalty) / count[i];
    perSequencePolicy.push(policy);
    perSequence.push(policy + penalty);
    if ((s > hi && A > 0) || (s < lo && A < 0)) clipped += 1;
    // ds/dlogpNew_t = s·m_t / |y|: every token of the sequence moves the shared ratio.
    const active = unclipped <= bounded ? 1 : 0;
    gradLogpNew.push(
      batch.logpNew[i].map(
        (_, t) => ((-A * s * active + beta * klGrad(batch, i, t)) * mask[i][t]) / (count[i] * B),
      ),
    );
  }
  return {
    loss: B ? mean(perSequence) : 0,
    policyLoss: B ? mean(perSequencePolicy) : 0,
    kl,
    clipFraction: B ? clipped / B : 0,
    perSequence,
    ratios,
    gradLogpNew,
  };
}

/**
 * Share of clipped ratios (see `isClipped`). Token level: `ratios` per token, counting the
 * tokens the mask keeps; sequence level: one ratio per sequence. Default range `GRPO_CLIP`:
 * pass `GSPO_CLIP` for sequence ratios from GSPO.
 */
export function clipFraction(
  ratios: readonly number[] | readonly (readonly number[])[],
  advantagesPerSequence: readonly number[],
  clip: ClipRange = {},
  mask?: readonly (readonly number[])[],
): number {
  sameLength(ratios, advantagesPerSequence, 'clipFraction');
  let clipped = 0;
  let total = 0;
  ratios.forEach((entry, i) => {
    const A = advantagesPerSequence[i];
    const row = typeof entry === 'number' ? [entry] : entry;
    row.forEach((r, t) => {
      const m = typeof entry === 'number' ? 1 : (mask?.[i]?.[t] ?? 1);
      total += m;
      if (m && isClipped(r, A, clip)) clipped += m;
    });
  });
  return total ? clipped / total : 0;
}
