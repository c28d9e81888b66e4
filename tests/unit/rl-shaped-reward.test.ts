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
    expect(reward('3 * 9')).toBeCloseTo(0.1 + 0.5 * 0.3 * 0.5, 12); // one of two numbers given
    expect(reward('3 * 5 * 7')).toBeCloseTo(0.4, 12); // legal, wrong value
    expect(reward('3 * 5 + 7')).toBe(1);
    expect(reward('3 * 3')).toBeCloseTo(0.1 + 0.5 * 0.3 * 0.5, 12); // 3 given once only
  });
});
