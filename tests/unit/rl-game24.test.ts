/**
 * Game of 24: the exhaustive solver on known hands (and the classic count of solvable
 * hands), and the judge's each-number-exactly-once rule.
 */
import { describe, expect, it } from 'vitest';
import { isSolvable24, judge24, solve24, solveArithmetic } from '../../src/lib/rl/index.js';

describe('solve24', () => {
  it('finds the fraction-only solution of [3, 3, 8, 8]', () => {
    // The only way: 8 / (3 - 8/3) = 8 / (1/3) = 24.
    expect(solve24([3, 3, 8, 8])?.expression).toBe('8 / (3 - 8 / 3)');
    // With integer intermediates there is none.
    expect(solve24([3, 3, 8, 8], { integerIntermediates: true })).toBeNull();
  });

  it('knows unsolvable hands', () => {
    for (const hand of [
      [1, 1, 1, 1],
      [1, 1, 1, 2],
      [1, 1, 2, 2],
      [13, 13, 13, 13],
      [1, 7, 7, 7],
    ]) {
      expect(solve24(hand), String(hand)).toBeNull();
      expect(isSolvable24(hand)).toBe(false);
    }
  });

  it('solves known hands, and every solution passes the judge', () => {
    for (const hand of [
      [1, 5, 5, 5], // 5 * (5 - 1/5)
      [4, 4, 10, 10], // (10 * 10 - 4) / 4
      [1, 3, 4, 6], // 6 / (1 - 3/4)
      [1, 2, 3, 4],
      [1, 1, 1, 8], // (1 + 1 + 1) * 8
    ]) {
      const solution = solve24(hand);
      expect(solution, String(hand)).not.toBeNull();
      expect(judge24(solution!.expression, hand), solution!.expression).toMatchObject({
        correct: true,
      });
    }
  });

  it('finds 1362 solvable hands among the 1820 hands of four cards 1–13', () => {
    // The well-known count for the card game (numbers 1–13, fractions allowed).
    let solvable = 0;
    let hands = 0;
    for (let a = 1; a <= 13; a++)
      for (let b = a; b <= 13; b++)
        for (let c = b; c <= 13; c++)
          for (let d = c; d <= 13; d++) {
            hands += 1;
            const solution = solve24([a, b, c, d]);
            if (!solution) continue;
            solvable += 1;
            expect(judge24(solution.expression, [a, b, c, d]).correct).toBe(true);
          }
    expect(hands).toBe(1820);
    expect(solvable).toBe(1362);
  });

  it('solveArithmetic may leave numbers out unless useAll', () => {
    expect(solveArithmetic([5, 2, 100], 7)?.expression).toBe('5 + 2');
    // All three: 100 with 5 and 2 cannot make 7 (the solver tried every tree).
    expect(solveArithmetic([5, 2, 100], 7, { useAll: true })).toBeNull();
    expect(solveArithmetic([5, 2, 100], 10, { useAll: true })?.expression).toBe('100 / (5 * 2)');
    expect(solveArithmetic([7], 7)?.expression).toBe('7');
    expect(solveArithmetic([], 7)).toBeNull();
  });
});

describe('judge24', () => {
  it('accepts each number exactly once with value 24', () => {
    expect(judge24('(10 * 10 - 4) / 4', [4, 4, 10, 10])).toEqual({
      correct: true,
      message: 'correct',
      value: '24',
    });
  });

  it('refuses a number left out, a number used twice, and other numbers', () => {
    expect(judge24('8 * 3', [3, 3, 8, 8])).toMatchObject({
      reason: 'illegal number usage',
      detail: 'uses 3 once but each number must be used exactly once (it is given twice)',
    });
    expect(judge24('8 * 3 * 1', [1, 3, 4, 6]).detail).toBe(
      'uses 8, which is not one of [1, 3, 4, 6]',
    );
    expect(judge24('6 * 4 * 1 * 1', [1, 3, 4, 6]).detail).toBe('uses 1 twice but it is given once');
  });

  it('reports the other reasons like the Countdown judge', () => {
    expect(judge24('1 + 3 + 4 + 6', [1, 3, 4, 6]).message).toBe('wrong value (got 14)');
    expect(judge24('6 / (4 - 4) + 3 * 1', [1, 3, 4, 6]).reason).toBe('illegal number usage');
    expect(judge24('6 / (1 - 1 * 1) * 4', [1, 1, 6, 4]).reason).toBe('illegal number usage');
    expect(judge24('(6 + 6) / (4 - 4)', [4, 4, 6, 6]).reason).toBe('division by zero');
    expect(judge24('6 / (1 - 3 / 4)', [1, 3, 4, 6], { integerIntermediates: true }).reason).toBe(
      'non-integer intermediate',
    );
    expect(judge24('6 ÷ (1 - 3 / 4)', [1, 3, 4, 6]).reason).toBe('illegal characters');
    expect(judge24('6 / (1 - 3 / 4', [1, 3, 4, 6]).reason).toBe('malformed expression');
  });
});
