/**
 * The Game of 24: make 24 from four numbers, each used exactly once, with + - * / and
 * parentheses. Fractions are allowed on the way (`8 / (3 - 8 / 3)` for [3, 3, 8, 8]).
 *
 * The judge is the Countdown judge with target 24 and every number used exactly once; the
 * solver searches every expression tree with exact fractions, so "no solution" is a proof.
 */
import { judgeCountdown, type CountdownJudgeOptions, type CountdownVerdict } from './countdown.js';
import { solveArithmetic, type Solution } from './solver.js';

export const GAME24_TARGET = 24;

/** One solution for `nums` (usually four numbers), or null when 24 cannot be made. */
export function solve24(
  nums: readonly number[],
  options: Pick<CountdownJudgeOptions, 'integerIntermediates'> = {},
): Solution | null {
  return solveArithmetic(nums, GAME24_TARGET, { ...options, useAll: true });
}

/** Whether 24 can be made from `nums`. */
export function isSolvable24(nums: readonly number[]): boolean {
  return solve24(nums) !== null;
}

/**
 * Judges an expression for a Game-of-24 hand. Reasons are the Countdown judge's; leaving a
 * number out or using one twice is `illegal number usage`.
 */
export function judge24(
  expression: string,
  nums: readonly number[],
  options: Pick<CountdownJudgeOptions, 'integerIntermediates'> = {},
): CountdownVerdict {
  return judgeCountdown(
    expression,
    { nums: [...nums], target: GAME24_TARGET },
    { ...options, useAllNumbers: true },
  );
}
