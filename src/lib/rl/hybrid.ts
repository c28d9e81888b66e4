/**
 * The hybrid reward: a verifiable correctness gate times a judged quality bonus,
 *
 *   reward_i = gate_i × (α + β · normalized RULER score_i)
 *
 * A wrong answer earns nothing however well it reads; among correct answers the judge's
 * preference adds up to β on top of the base α. With the defaults (α = β = 0.5) rewards
 * lie in [0, 1] and every correct answer beats every wrong one.
 */

export type ScoreNormalization = 'minmax' | 'none';

export interface HybridRewardOptions {
  /** Base reward of a correct answer. Default 0.5. */
  alpha?: number;
  /** Weight of the normalized judge score. Default 0.5. */
  beta?: number;
  /**
   * `minmax` (default): (s − min) / (max − min) over the group, so the judge's best gets 1
   * and its worst 0; when all scores are equal they are kept as given (already in [0, 1]).
   * `none`: the judge's scores as they are.
   */
  normalize?: ScoreNormalization;
}

/** RULER scores rescaled over their group (see `HybridRewardOptions.normalize`). */
export function normalizeScores(
  scores: readonly number[],
  mode: ScoreNormalization = 'minmax',
): number[] {
  for (const s of scores) {
    if (!(s >= 0 && s <= 1)) throw new RangeError(`judge scores must lie in [0, 1], got ${s}`);
  }
  if (mode === 'none' || scores.length === 0) return [...scores];
  const lo = Math.min(...scores);
  const hi = Math.max(...scores);
  return hi > lo ? scores.map((s) => (s - lo) / (hi - lo)) : [...scores];
}

function gateValue(gate: boolean | number): number {
  if (typeof gate === 'boolean') return gate ? 1 : 0;
  if (!(gate >= 0 && gate <= 1))
    throw new RangeError(`a correctness gate must lie in [0, 1], got ${gate}`);
  return gate;
}

/** One trajectory's reward from its gate and its already normalized judge score. */
export function hybridReward(
  gate: boolean | number,
  normalizedScore: number,
  options: Pick<HybridRewardOptions, 'alpha' | 'beta'> = {},
): number {
  const alpha = options.alpha ?? 0.5;
  const beta = options.beta ?? 0.5;
  if (!Number.isFinite(alpha) || !Number.isFinite(beta))
    throw new RangeError('alpha and beta must be finite');
  return gateValue(gate) * (alpha + beta * normalizedScore);
}

/**
 * Rewards for a group: `gates[i]` is the verifier's verdict (true/false, or a value in
 * [0, 1]), `rulerScores[i]` the judge's score for the same trajectory.
 */
export function hybridRewards(
  gates: readonly (boolean | number)[],
  rulerScores: readonly number[],
  options: HybridRewardOptions = {},
): number[] {
  if (gates.length !== rulerScores.length) {
    throw new RangeError(`hybridRewards: ${gates.length} gates for ${rulerScores.length} scores`);
  }
  const normalized = normalizeScores(rulerScores, options.normalize);
  return gates.map((gate, i) => hybridReward(gate, normalized[i], options));
}
