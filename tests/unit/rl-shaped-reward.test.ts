import { describe, expect, it } from 'vitest';
import { countdownShapedReward } from '../../src/lib/rl/countdown.js';

const problem = { nums: [3, 5, 7], target: 22 };
const reward = (answer: string | null) =>
  countdownShapedReward(answer === null ? 'no tags here' : `<answer>${answer}</answer>`, problem)
    .reward;

describe('shaped Countdown reward', () => {
  it('grades: nothing, format, partly given numbers, legal, correct', () => {
    expect(reward(null)).toBe(0);
    expect(reward('8 * 9')).toBeCloseTo(0.1, 12); // no given number
    // illegal: half the bonus × coverage (1 of 3 given numbers) × precision (1 of 2 written)
    expect(reward('3 * 9')).toBeCloseTo(0.1 + 0.5 * 0.3 * (1 / 3) * 0.5, 12);
    expect(reward('3 * 5 * 7')).toBeCloseTo(0.4, 12); // legal, every number used, wrong value
    expect(reward('3 * 5 + 7')).toBe(1);
    expect(reward('3 * 3')).toBeCloseTo(0.1 + 0.5 * 0.3 * (1 / 3) * 0.5, 12); // 3 given once only
  });

  it('pays the legal bonus by coverage, so a lone given number is not a shortcut', () => {
    expect(reward('5')).toBeCloseTo(0.1 + 0.3 / 3, 12);
    expect(reward('5 + 7')).toBeCloseTo(0.1 + (0.3 * 2) / 3, 12);
    // using all the numbers beats every partial legal answer
    expect(reward('7 - 5 - 3')).toBeGreaterThan(reward('5 + 7'));
    // 0 is not a given number: illegal, so half the bonus × coverage 1/3 × precision 1/2
    expect(reward('5 / 0')).toBeCloseTo(0.1 + 0.5 * 0.3 * (1 / 3) * 0.5, 12);
  });
});
