/**
 * Hybrid reward: correctness gate × (α + β · normalized RULER score).
 */
import { describe, expect, it } from 'vitest';
import { hybridReward, hybridRewards, normalizeScores } from '../../src/lib/rl/index.js';

describe('hybrid reward', () => {
  it('gates: a wrong answer earns 0 whatever the judge thinks of it', () => {
    expect(hybridReward(false, 1)).toBe(0);
    expect(hybridReward(0, 1, { alpha: 2, beta: 3 })).toBe(0);
    // correct: α + β · s = 0.5 + 0.5 · 0.4 = 0.7
    expect(hybridReward(true, 0.4)).toBeCloseTo(0.7, 12);
    // adjustable: 0.2 + 0.8 · 0.4 = 0.52
    expect(hybridReward(true, 0.4, { alpha: 0.2, beta: 0.8 })).toBeCloseTo(0.52, 12);
    // a partial gate scales the whole reward: 0.5 · (0.5 + 0.5 · 1) = 0.5
    expect(hybridReward(0.5, 1)).toBe(0.5);
    expect(() => hybridReward(2, 1)).toThrow(RangeError);
  });

  it('normalizes judge scores min-max over the group', () => {
    // [0.2, 0.6, 1.0]: min 0.2, max 1.0 → [(0.2−0.2)/0.8, (0.6−0.2)/0.8, 1] = [0, 0.5, 1]
    const n = normalizeScores([0.2, 0.6, 1.0]);
    expect(n[0]).toBe(0);
    expect(n[1]).toBeCloseTo(0.5, 12);
    expect(n[2]).toBe(1);
    // no spread: kept as given
    expect(normalizeScores([0.7, 0.7])).toEqual([0.7, 0.7]);
    expect(normalizeScores([0.2, 0.6], 'none')).toEqual([0.2, 0.6]);
    expect(() => normalizeScores([1.5])).toThrow(RangeError);
  });

  it('combines gate and normalized score for a group', () => {
    // scores [0.2, 0.6, 1.0] → normalized [0, 0.5, 1]; gates [true, true, false]
    // rewards [0.5 + 0, 0.5 + 0.25, 0] = [0.5, 0.75, 0]: the judge's favourite is wrong,
    // so it gets nothing, and every correct answer beats it.
    const r = hybridRewards([true, true, false], [0.2, 0.6, 1.0]);
    expect(r[0]).toBe(0.5);
    expect(r[1]).toBeCloseTo(0.75, 12);
    expect(r[2]).toBe(0);
    // α = 1, β = 0: plain correctness reward
    expect(hybridRewards([true, false], [0.1, 0.9], { alpha: 1, beta: 0 })).toEqual([1, 0]);
    expect(() => hybridRewards([true], [0.1, 0.2])).toThrow(RangeError);
  });
});
