/**
 * Countdown: reach a target by combining given numbers with + - * / and parentheses.
 *
 * - `judgeCountdown`: the deterministic judge. It never evaluates text as code: the
 *   expression is tokenized (digits, + - * / ( ) and spaces only), parsed, checked for
 *   number usage, then evaluated with exact fractions. A wrong answer always carries one
 *   reason, checked in this order: `illegal characters`, `malformed expression`,
 *   `illegal number usage`, `division by zero` / `non-integer intermediate` (whichever the
 *   left-to-right evaluation meets first), `wrong value (got X)`.
 * - `countdownReward`: the TinyZero-style outcome reward over a model's completion: the
 *   last `<answer>…</answer>` is judged; 1 if correct, 0.1 (the format score) if an answer
 *   was given but is wrong for any reason, 0 if there is no answer.
 * - `CountdownGenerator`: seeded puzzles of 3–4 numbers whose target is built from a random
 *   expression over all of them, so every puzzle is solvable (with integer intermediates).
 * - `formatEvalLine`: one line of a held-out evaluation log,
 *   `nums=[3, 5, 7] target=22 -> 3 * 5 + 7 => CORRECT`.
 */
import {
  ExpressionSyntaxError,
  evaluateExpression,
  formatExpression,
  numbersIn,
  parseExpression,
  type Expr,
  type Operator,
} from './expression.js';
import { Fraction } from './fraction.js';
import { createSeededRandom, type SeededRandom } from './random.js';

export interface CountdownProblem {
  /** The numbers that may be used (non-negative integers; repeats allowed). */
  nums: number[];
  target: number;
}

/** A generated puzzle with one known solution. */
export interface CountdownPuzzle extends CountdownProblem {
  solution: string;
}

export type CountdownReason =
  | 'no answer'
  | 'illegal characters'
  | 'malformed expression'
  | 'illegal number usage'
  | 'division by zero'
  | 'non-integer intermediate'
  | 'wrong value';

export interface CountdownVerdict {
  correct: boolean;
  /** Why the answer is wrong; absent when correct. */
  reason?: CountdownReason;
  /** `correct`, the reason, or `wrong value (got 7/2)`: the text the evaluation line shows. */
  message: string;
  /** What exactly was wrong, e.g. `uses 25, which is not one of [2, 5]`. */
  detail?: string;
  /** The exact value (`"24"`, `"7/2"`) when the expression could be evaluated. */
  value?: string;
}

export interface CountdownJudgeOptions {
  /** Refuse answers whose intermediate results are not integers (the TV game's rule). */
  integerIntermediates?: boolean;
  /**
   * Each given number exactly once (TinyZero's rule, and the Game of 24's). Default false:
   * each number at most as often as it is given.
   */
  useAllNumbers?: boolean;
}

function checkProblem(problem: CountdownProblem): void {
  for (const n of problem.nums) {
    if (!Number.isSafeInteger(n) || n < 0) {
      throw new TypeError(`Countdown numbers must be non-negative integers, got ${n}`);
    }
  }
  if (!Number.isSafeInteger(problem.target)) {
    throw new TypeError(`The Countdown target must be an integer, got ${problem.target}`);
  }
}

/** `[3, 5, 7]`, as the evaluation lines and the prompts write a list. */
export function formatNumbers(nums: readonly number[]): string {
  return `[${nums.join(', ')}]`;
}

function wrong(reason: CountdownReason, detail?: string): CountdownVerdict {
  return detail === undefined
    ? { correct: false, reason, message: reason }
    : { correct: false, reason, message: reason, detail };
}

function times(n: number): string {
  return n === 1 ? 'once' : n === 2 ? 'twice' : `${n} times`;
}

/** Why the numbers in the expression are not allowed, or undefined if they are. */
function numberUsageProblem(
  used: readonly bigint[],
  given: readonly number[],
  useAll: boolean,
): string | undefined {
  const available = new Map<string, number>();
  for (const n of given) available.set(String(n), (available.get(String(n)) ?? 0) + 1);
  const counts = new Map<string, number>();
  for (const n of used) counts.set(n.toString(), (counts.get(n.toString()) ?? 0) + 1);
  for (const [n, count] of counts) {
    const allowed = available.get(n) ?? 0;
    if (allowed === 0) return `uses ${n}, which is not one of ${formatNumbers(given)}`;
    if (count > allowed) return `uses ${n} ${times(count)} but it is given ${times(allowed)}`;
  }
  if (useAll) {
    for (const [n, allowed] of available) {
      const count = counts.get(n) ?? 0;
      if (count < allowed) {
        return `uses ${n} ${count === 0 ? 'not at all' : times(count)} but each number must be used exactly once (it is given ${times(allowed)})`;
      }
    }
  }
  return undefined;
}

/** Judges one expression (the text inside `<answer>`, without the tags). */
export function judgeCountdown(
  expression: string,
  problem: CountdownProblem,
  options: CountdownJudgeOptions = {},
): CountdownVerdict {
  checkProblem(problem);
  let tree: Expr;
  try {
    tree = parseExpression(expression.trim());
  } catch (error) {
    if (error instanceof ExpressionSyntaxError) return wrong(error.reason, error.message);
    throw error;
  }
  const usage = numberUsageProblem(numbersIn(tree), problem.nums, options.useAllNumbers ?? false);
  if (usage) return wrong('illegal number usage', usage);
  const result = evaluateExpression(tree, { integerIntermediates: options.integerIntermediates });
  if (!result.ok) return wrong(result.reason, result.detail);
  const value = result.value.toString();
  if (!result.value.equals(Fraction.of(problem.target))) {
    return { correct: false, reason: 'wrong value', message: `wrong value (got ${value})`, value };
  }
  return { correct: true, message: 'correct', value };
}

// ---------------------------------------------------------------------------------------
// TinyZero-style reward
// ---------------------------------------------------------------------------------------

const ANSWER = /<answer>([\s\S]*?)<\/answer>/g;

/** The trimmed text of the last `<answer>…</answer>` in `completion`, or null if none. */
export function extractAnswer(completion: string): string | null {
  let last: string | null = null;
  for (const match of completion.matchAll(ANSWER)) last = match[1].trim();
  return last;
}

export interface CountdownRewardOptions extends CountdownJudgeOptions {
  /** Reward for an answer in tags that is wrong for any reason. Default 0.1 (TinyZero). */
  formatScore?: number;
  /** Reward for a correct answer. Default 1. */
  correctScore?: number;
}

export interface CountdownReward {
  reward: number;
  /** The extracted expression, or null when the completion has no `<answer>` tags. */
  answer: string | null;
  verdict: CountdownVerdict;
}

/**
 * TinyZero's Countdown reward: 0 without `<answer>…</answer>`, `formatScore` (0.1) for an
 * answer that is not correct (illegal, malformed or wrong: the format was still followed),
 * `correctScore` (1) for a correct one. The last answer in the completion counts.
 */
export function countdownReward(
  completion: string,
  problem: CountdownProblem,
  options: CountdownRewardOptions = {},
): CountdownReward {
  const formatScore = options.formatScore ?? 0.1;
  const correctScore = options.correctScore ?? 1;
  const answer = extractAnswer(completion);
  if (answer === null) {
    checkProblem(problem);
    return { reward: 0, answer, verdict: wrong('no answer') };
  }
  const verdict = judgeCountdown(answer, problem, options);
  return { reward: verdict.correct ? correctScore : formatScore, answer, verdict };
}

/**
 * One line of a held-out evaluation log:
 * `nums=[3, 5, 7] target=22 -> 3 * 5 + 7 => CORRECT`, or
 * `nums=[3, 5, 7] target=22 -> 3 * 5 * 7 => WRONG (wrong value (got 105))`.
 * A missing answer prints as `(none)`; runs of whitespace in the answer become one space
 * so the line stays one line.
 */
export function formatEvalLine(
  problem: CountdownProblem,
  answer: string | null,
  verdict: CountdownVerdict,
): string {
  const shown = answer === null ? '(none)' : answer.replace(/\s+/g, ' ').trim();
  const outcome = verdict.correct ? 'CORRECT' : `WRONG (${verdict.message})`;
  return `nums=${formatNumbers(problem.nums)} target=${problem.target} -> ${shown} => ${outcome}`;
}

// ---------------------------------------------------------------------------------------
// Seeded generator
// ---------------------------------------------------------------------------------------

export interface CountdownGeneratorOptions {
  seed?: number;
  /** How many numbers a puzzle has: drawn uniformly from [min, max]. Default [3, 4]. */
  count?: number | [number, number];
  /** Range of the given numbers, inclusive. Default 1–100 (TinyZero's range). */
  minNumber?: number;
  maxNumber?: number;
  /** Range of targets, inclusive. Default 1–1000. */
  minTarget?: number;
  maxTarget?: number;
}

const OPERATORS: Operator[] = ['+', '-', '*', '/'];

/**
 * Puzzles from a seed: the same seed and options always give the same sequence. Each
 * target is the value of a random expression that uses every number once with positive
 * integer intermediates (so it is solvable under every judge option), lies in the target
 * range and is not itself one of the numbers.
 */
export class CountdownGenerator {
  private readonly rng: SeededRandom;
  private readonly options: Required<Omit<CountdownGeneratorOptions, 'seed' | 'count'>> & {
    count: [number, number];
  };

  constructor(options: CountdownGeneratorOptions = {}) {
    const count: [number, number] =
      typeof options.count === 'number'
        ? [options.count, options.count]
        : (options.count ?? [3, 4]);
    this.options = {
      count,
      minNumber: options.minNumber ?? 1,
      maxNumber: options.maxNumber ?? 100,
      minTarget: options.minTarget ?? 1,
      maxTarget: options.maxTarget ?? 1000,
    };
    const { minNumber, maxNumber, minTarget, maxTarget } = this.options;
    if (!(
      Number.isInteger(count[0]) &&
      Number.isInteger(count[1]) &&
      count[0] >= 2 &&
      count[1] >= count[0]
    )) {
      throw new RangeError(`count must be integers with 2 <= min <= max, got ${count}`);
    }
    if (!(minNumber >= 1 && maxNumber >= minNumber)) {
      throw new RangeError('need 1 <= minNumber <= maxNumber');
    }
    if (!(maxTarget >= minTarget)) throw new RangeError('need minTarget <= maxTarget');
    this.rng = createSeededRandom(options.seed ?? 0);
  }

  next(): CountdownPuzzle {
    const { count, minNumber, maxNumber, minTarget, maxTarget } = this.options;
    for (let attempt = 0; attempt < 10_000; attempt++) {
      const size = this.rng.int(count[0], count[1]);
      const nums = Array.from({ length: size }, () => this.rng.int(minNumber, maxNumber));
      for (let tries = 0; tries < 20; tries++) {
        const built = this.randomExpression(nums);
        if (!built) continue;
        const target = Number(built.value);
        if (target < minTarget || target > maxTarget || nums.includes(target)) continue;
        return { nums, target, solution: formatExpression(built.expr) };
      }
    }
    throw new RangeError('CountdownGenerator: no puzzle fits these ranges');
  }

  /** Combines random pairs with random operators whose result is a positive integer. */
  private randomExpression(nums: readonly number[]): { value: bigint; expr: Expr } | undefined {
    const items = nums.map((n) => ({
      value: BigInt(n),
      expr: { kind: 'number', value: BigInt(n), position: -1 } as Expr,
    }));
    while (items.length > 1) {
      const i = this.rng.int(0, items.length - 1);
      let j = this.rng.int(0, items.length - 2);
      if (j >= i) j += 1;
      // Larger value on the left, so `-` stays positive and `/` can divide evenly.
      const [a, b] = items[i].value >= items[j].value ? [items[i], items[j]] : [items[j], items[i]];
      const choices = OPERATORS.filter(
        (op) => (op !== '-' || a.value > b.value) && (op !== '/' || a.value % b.value === 0n),
      );
      const op = choices[this.rng.int(0, choices.length - 1)];
      const value =
        op === '+'
          ? a.value + b.value
          : op === '-'
            ? a.value - b.value
            : op === '*'
              ? a.value * b.value
              : a.value / b.value;
      const merged = { value, expr: { kind: 'binary', op, left: a.expr, right: b.expr } as Expr };
      items.splice(Math.max(i, j), 1);
      items.splice(Math.min(i, j), 1, merged);
    }
    return items[0].value > 0n ? items[0] : undefined;
  }
}

/** The first `n` puzzles of `new CountdownGenerator(options)`. */
export function generateCountdown(
  n: number,
  options: CountdownGeneratorOptions = {},
): CountdownPuzzle[] {
  const generator = new CountdownGenerator(options);
  return Array.from({ length: n }, () => generator.next());
}

/**
 * A denser Countdown reward for small models, which almost never hit the target: 0 with no
 * answer; `formatScore` (0.1) for an answer in tags; up to `legalScore` (0.3) more for using
 * the puzzle's numbers; 1 in all when it is correct. The bonus is `legalScore × coverage` for a
 * legal, well-formed expression (coverage = the share of the given numbers it uses, each at
 * most as often as given) and half of `legalScore × coverage × precision` otherwise (precision
 * = the share of the numbers written that are given ones). With the TinyZero reward a model
 * that never solves a puzzle sees the same 0.1 for every sample, so a group gives no learning
 * signal; the graded middle does. Coverage, not precision alone, decides the legal bonus: a
 * first version paid the full bonus for any legal answer, and GSPO promptly learned to answer
 * a single given number (`<answer> 5 </answer>`) for 0.4 on every puzzle (docs/rl-lab.md).
 */
export function countdownShapedReward(
  completion: string,
  problem: CountdownProblem,
  options: CountdownRewardOptions & { legalScore?: number } = {},
): CountdownReward {
  const base = countdownReward(completion, problem, options);
  if (base.answer === null || base.verdict.correct) return base;
  const legalScore = options.legalScore ?? 0.3;
  const written = (base.answer.match(/\d+/g) ?? []).map(Number);
  if (written.length === 0) return base;
  const available = [...problem.nums];
  let given = 0;
  for (const n of written) {
    const at = available.indexOf(n);
    if (at >= 0) {
      given++;
      available.splice(at, 1);
    }
  }
  const coverage = given / problem.nums.length;
  const reason = base.verdict.reason;
  const legal =
    reason === 'wrong value' ||
    reason === 'non-integer intermediate' ||
    reason === 'division by zero';
  const bonus = legal
    ? legalScore * coverage
    : (0.5 * legalScore * coverage * given) / written.length;
  return { ...base, reward: base.reward + bonus };
}
