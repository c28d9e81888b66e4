/**
 * Countdown: exact fractions, the expression parser, every reason the judge gives, the
 * TinyZero-style format reward, the evaluation line and the seeded generator.
 */
import { describe, expect, it } from 'vitest';
import {
  countdownReward,
  CountdownGenerator,
  evaluateExpression,
  extractAnswer,
  formatEvalLine,
  formatExpression,
  Fraction,
  generateCountdown,
  judgeCountdown,
  parseExpression,
  solveArithmetic,
} from '../../src/lib/rl/index.js';

describe('Fraction', () => {
  it('keeps lowest terms with a positive denominator', () => {
    const f = Fraction.of(6n, -8n);
    expect([f.num, f.den]).toEqual([-3n, 4n]);
    expect(f.toString()).toBe('-3/4');
    expect(Fraction.of(10, 5).toString()).toBe('2');
    expect(Fraction.of(10, 5).isInteger()).toBe(true);
  });

  it('does exact arithmetic where doubles drift', () => {
    // 1/10 + 2/10 = 3/10 exactly (0.1 + 0.2 = 0.30000000000000004 in doubles)
    expect(Fraction.of(1, 10).add(Fraction.of(2, 10)).equals(Fraction.of(3, 10))).toBe(true);
    // 6 / (1 - 3/4) = 6 / (1/4) = 24
    const quarter = Fraction.ONE.sub(Fraction.of(3, 4));
    expect(quarter.toString()).toBe('1/4');
    expect(Fraction.of(6).div(quarter).toString()).toBe('24');
    expect(() => Fraction.ONE.div(Fraction.ZERO)).toThrow(RangeError);
    expect(() => Fraction.of(1, 0)).toThrow(RangeError);
  });
});

describe('expression parser and evaluator', () => {
  const value = (source: string, integerIntermediates = false) => {
    const result = evaluateExpression(parseExpression(source), { integerIntermediates });
    return result.ok ? result.value.toString() : result.reason;
  };

  it('follows precedence and left associativity', () => {
    expect(value('2 + 3 * 4')).toBe('14');
    expect(value('(2 + 3) * 4')).toBe('20');
    expect(value('10 - 4 - 3')).toBe('3'); // (10 - 4) - 3, not 10 - (4 - 3)
    expect(value('48 / 4 / 2')).toBe('6');
    expect(value('7 / 2')).toBe('7/2');
    expect(value('1 - 3')).toBe('-2'); // negative intermediates are fine (binary minus)
  });

  it('evaluates with fractions: 6/(1-3/4) = 24 and 8/(3-8/3) = 24', () => {
    expect(value('6/(1-3/4)')).toBe('24');
    expect(value('8 / (3 - 8 / 3)')).toBe('24');
    // Integer-intermediates mode refuses 3/4 on the way, but a non-integer final value is a
    // value (judged against the target), not an intermediate.
    expect(value('6/(1-3/4)', true)).toBe('non-integer intermediate');
    expect(value('7 / 2', true)).toBe('7/2');
  });

  it('prints trees back with the parentheses they need', () => {
    for (const source of [
      '8 / (3 - 8 / 3)',
      '(1 + 2) * 3',
      '10 - (4 - 3)',
      '2 * (3 * 4)',
      '1 + 2 + 3',
    ]) {
      expect(formatExpression(parseExpression(source))).toBe(source);
    }
    expect(formatExpression(parseExpression('((1+2))*(3)'))).toBe('(1 + 2) * 3');
  });
});

describe('judgeCountdown', () => {
  const problem = { nums: [3, 5, 7], target: 22 };

  it('accepts a correct expression (spaces optional, numbers may be left out)', () => {
    expect(judgeCountdown('3*5+7', problem)).toEqual({
      correct: true,
      message: 'correct',
      value: '22',
    });
    expect(judgeCountdown(' 3 * 5 + 7 ', problem).correct).toBe(true);
    expect(judgeCountdown('3 * 7 + 1', { nums: [3, 7, 1, 9], target: 22 }).correct).toBe(true);
  });

  it('reason: illegal characters (anything outside digits, + - * / ( ) and spaces)', () => {
    for (const expr of ['3×5+7', '3*5+7 = 22', '3.0*5+7', '3**5', 'x+1', '3*5\t+7', '2^3']) {
      const verdict = judgeCountdown(expr, problem);
      if (expr === '3**5') {
        // `**` is two legal characters in a row: the parser refuses it instead.
        expect(verdict.reason).toBe('malformed expression');
        continue;
      }
      expect(verdict, expr).toMatchObject({ correct: false, reason: 'illegal characters' });
    }
    expect(judgeCountdown('3×5+7', problem).detail).toBe(
      '"×" at 1 is not allowed (only digits, + - * / ( ) and spaces)',
    );
  });

  it('reason: malformed expression', () => {
    for (const expr of ['', '3 +', '(3 + 5', '3 + 5)', '3 5', '-3 + 25', '()', '3 * / 5']) {
      expect(judgeCountdown(expr, problem), JSON.stringify(expr)).toMatchObject({
        correct: false,
        reason: 'malformed expression',
        message: 'malformed expression',
      });
    }
    expect(judgeCountdown('', problem).detail).toBe('the expression is empty');
    expect(judgeCountdown('-3 + 25', problem).detail).toBe(
      "a sign before a number or '(' (unary minus) at 0 is not allowed",
    );
    expect(judgeCountdown('(3 + 5', problem).detail).toBe(
      "expected ')' to close '(' at 0 but found the end of the expression",
    );
  });

  it('reason: illegal number usage (a number not given, or used more often than given)', () => {
    expect(judgeCountdown('3 * 5 + 7 + 3', { nums: [3, 5, 7], target: 25 })).toEqual({
      correct: false,
      reason: 'illegal number usage',
      message: 'illegal number usage',
      detail: 'uses 3 twice but it is given once',
    });
    expect(judgeCountdown('2 + 20', problem).detail).toBe('uses 2, which is not one of [3, 5, 7]');
    // Concatenating digits makes a new number: 35 was not given.
    expect(judgeCountdown('35 - 13', problem).reason).toBe('illegal number usage');
    // Repeated numbers may be used as often as they are given.
    expect(judgeCountdown('8 / (3 - 8 / 3)', { nums: [3, 3, 8, 8], target: 24 }).correct).toBe(
      true,
    );
    // useAllNumbers (TinyZero's rule): leaving one out is illegal too.
    expect(
      judgeCountdown('3 * 7 + 1', { nums: [3, 7, 1, 9], target: 22 }, { useAllNumbers: true })
        .detail,
    ).toBe('uses 9 not at all but each number must be used exactly once (it is given once)');
  });

  it('checks number usage before arithmetic', () => {
    expect(judgeCountdown('3 / (5 - 5)', problem).reason).toBe('illegal number usage');
  });

  it('reason: division by zero', () => {
    expect(judgeCountdown('7 / (5 - 5)', { nums: [7, 5, 5], target: 1 })).toEqual({
      correct: false,
      reason: 'division by zero',
      message: 'division by zero',
      detail: '7 / 0',
    });
  });

  it('reason: non-integer intermediate (only in integer-intermediates mode)', () => {
    const p = { nums: [6, 1, 3, 4], target: 24 };
    expect(judgeCountdown('6/(1-3/4)', p).correct).toBe(true);
    expect(judgeCountdown('6/(1-3/4)', p, { integerIntermediates: true })).toEqual({
      correct: false,
      reason: 'non-integer intermediate',
      message: 'non-integer intermediate',
      detail: '3 / 4 = 3/4',
    });
  });

  it('reason: wrong value (got X), exact', () => {
    expect(judgeCountdown('3 * 5 * 7', problem)).toEqual({
      correct: false,
      reason: 'wrong value',
      message: 'wrong value (got 105)',
      value: '105',
    });
    expect(judgeCountdown('7 / 5 + 3', problem).message).toBe('wrong value (got 22/5)');
  });

  it('rejects a malformed problem as a programming error', () => {
    expect(() => judgeCountdown('1', { nums: [1.5], target: 1 })).toThrow(TypeError);
  });
});

describe('countdownReward (TinyZero-style)', () => {
  const problem = { nums: [3, 5, 7], target: 22 };

  it('extracts the last <answer>, trimmed', () => {
    expect(extractAnswer('<think>try <answer>1</answer></think> <answer> 3*5+7 </answer>')).toBe(
      '3*5+7',
    );
    expect(extractAnswer('no tags here')).toBeNull();
    expect(extractAnswer('<answer>\n3 * 5 + 7\n</answer>')).toBe('3 * 5 + 7');
  });

  it('gives 1 for a correct answer, 0.1 for any wrong answer in tags, 0 without tags', () => {
    const reward = (text: string) => countdownReward(text, problem).reward;
    expect(reward('<think>3*5=15, +7</think><answer>3*5+7</answer>')).toBe(1);
    expect(reward('<answer>3*5*7</answer>')).toBe(0.1); // wrong value
    expect(reward('<answer>3*5+7+3</answer>')).toBe(0.1); // illegal number usage
    expect(reward('<answer>3×5+7</answer>')).toBe(0.1); // illegal characters
    expect(reward('<answer></answer>')).toBe(0.1); // malformed, but the format was followed
    expect(reward('The answer is 3*5+7')).toBe(0);
    expect(countdownReward('The answer is 3*5+7', problem)).toEqual({
      reward: 0,
      answer: null,
      verdict: { correct: false, reason: 'no answer', message: 'no answer' },
    });
  });

  it('takes custom scores and judge options', () => {
    const text = '<answer>6/(1-3/4)</answer>';
    const p = { nums: [6, 1, 3, 4], target: 24 };
    expect(countdownReward(text, p, { formatScore: 0, correctScore: 2 }).reward).toBe(2);
    expect(countdownReward(text, p, { integerIntermediates: true }).reward).toBe(0.1);
  });
});

describe('formatEvalLine', () => {
  it('writes one line per held-out puzzle', () => {
    const problem = { nums: [3, 5, 7], target: 22 };
    const line = (text: string) => {
      const { answer, verdict } = countdownReward(text, problem);
      return formatEvalLine(problem, answer, verdict);
    };
    expect(line('<answer>3 * 5 + 7</answer>')).toBe(
      'nums=[3, 5, 7] target=22 -> 3 * 5 + 7 => CORRECT',
    );
    expect(line('<answer>3*5*7</answer>')).toBe(
      'nums=[3, 5, 7] target=22 -> 3*5*7 => WRONG (wrong value (got 105))',
    );
    const zero = { nums: [7, 5, 5], target: 1 };
    const { answer, verdict } = countdownReward('<answer>7/(5-5)</answer>', zero);
    expect(formatEvalLine(zero, answer, verdict)).toBe(
      'nums=[7, 5, 5] target=1 -> 7/(5-5) => WRONG (division by zero)',
    );
    // A newline inside the answer is an illegal character; the line still stays one line.
    expect(line('<answer>3 +\n 5</answer>')).toBe(
      'nums=[3, 5, 7] target=22 -> 3 + 5 => WRONG (illegal characters)',
    );
    expect(line('I give up')).toBe('nums=[3, 5, 7] target=22 -> (none) => WRONG (no answer)');
  });
});

describe('CountdownGenerator', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    const a = generateCountdown(20, { seed: 42 });
    expect(generateCountdown(20, { seed: 42 })).toEqual(a);
    expect(generateCountdown(20, { seed: 43 })).not.toEqual(a);
    const g = new CountdownGenerator({ seed: 42 });
    expect([g.next(), g.next()]).toEqual(a.slice(0, 2));
  });

  it('makes 3–4 numbers in range and a solvable target that is not one of them', () => {
    const puzzles = generateCountdown(300, { seed: 7 });
    const sizes = new Set(puzzles.map((p) => p.nums.length));
    expect([...sizes].sort()).toEqual([3, 4]);
    for (const p of puzzles) {
      expect(p.nums.every((n) => Number.isInteger(n) && n >= 1 && n <= 100)).toBe(true);
      expect(p.target >= 1 && p.target <= 1000).toBe(true);
      expect(p.nums).not.toContain(p.target);
      // Its own solution uses every number once with integer intermediates…
      const strict = { integerIntermediates: true, useAllNumbers: true };
      expect(judgeCountdown(p.solution, p, strict), p.solution).toMatchObject({ correct: true });
      // …and the independent exhaustive solver agrees that it is solvable.
      expect(
        solveArithmetic(p.nums, p.target, { useAll: true, integerIntermediates: true }),
      ).not.toBeNull();
    }
  });

  it('respects count and ranges', () => {
    const puzzles = generateCountdown(50, { seed: 1, count: 4, maxNumber: 10, maxTarget: 50 });
    for (const p of puzzles) {
      expect(p.nums).toHaveLength(4);
      expect(Math.max(...p.nums)).toBeLessThanOrEqual(10);
      expect(p.target).toBeLessThanOrEqual(50);
    }
    expect(() => new CountdownGenerator({ count: 1 })).toThrow(RangeError);
  });
});
