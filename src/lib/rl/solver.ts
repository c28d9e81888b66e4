/**
 * Exhaustive search for an arithmetic expression over given numbers that hits a target,
 * with exact fractions: the Game-of-24 solver, and a way to know that a Countdown puzzle
 * can be solved.
 *
 * The search repeatedly replaces two of the remaining values by one of their combinations
 * (`a + b`, `a * b`, `a - b`, `b - a`, `a / b`, `b / a`) until the target appears; every
 * expression tree over the numbers is reachable this way. Multisets of values already
 * known to fail are remembered, so repeated numbers and commuted orders cost nothing twice.
 */
import { formatExpression, type Expr, type Operator } from './expression.js';
import { Fraction } from './fraction.js';

export interface SolveOptions {
  /** Each number exactly once (Game of 24, TinyZero's Countdown). Default false: at most once. */
  useAll?: boolean;
  /** Skip combinations whose result is not an integer (the target is an integer). */
  integerIntermediates?: boolean;
}

export interface Solution {
  /** e.g. `8 / (3 - 8 / 3)`; parses back to the tree that was found. */
  expression: string;
  tree: Expr;
}

interface Item {
  value: Fraction;
  expr: Expr;
}

function combine(a: Item, b: Item, op: Operator): Item | undefined {
  let value: Fraction;
  if (op === '+') value = a.value.add(b.value);
  else if (op === '-') value = a.value.sub(b.value);
  else if (op === '*') value = a.value.mul(b.value);
  else if (b.value.isZero()) return undefined;
  else value = a.value.div(b.value);
  return { value, expr: { kind: 'binary', op, left: a.expr, right: b.expr } };
}

function checkNumbers(nums: readonly number[], target: number): void {
  for (const n of [...nums, target]) {
    if (!Number.isSafeInteger(n)) throw new TypeError(`solve: ${n} is not an integer`);
  }
  if (nums.some((n) => n < 0)) throw new RangeError('solve: numbers must be non-negative');
}

/** One expression over `nums` equal to `target`, or `null` if there is none. */
export function solveArithmetic(
  nums: readonly number[],
  target: number,
  options: SolveOptions = {},
): Solution | null {
  checkNumbers(nums, target);
  const useAll = options.useAll ?? false;
  const integerOnly = options.integerIntermediates ?? false;
  const goal = Fraction.of(target);
  const failed = new Set<string>();

  const search = (items: Item[]): Item | null => {
    if (!useAll || items.length === 1) {
      const hit = items.find((item) => item.value.equals(goal));
      if (hit) return hit;
    }
    if (items.length === 1) return null;
    const key = items
      .map((item) => item.value.toString())
      .sort()
      .join(',');
    if (failed.has(key)) return null;
    for (let i = 0; i < items.length; i++) {
      for (let j = i + 1; j < items.length; j++) {
        const a = items[i];
        const b = items[j];
        const rest = items.filter((_, k) => k !== i && k !== j);
        const candidates = [
          combine(a, b, '+'),
          combine(a, b, '*'),
          combine(a, b, '-'),
          combine(b, a, '-'),
          combine(a, b, '/'),
          combine(b, a, '/'),
        ];
        for (const next of candidates) {
          if (!next || (integerOnly && !next.value.isInteger())) continue;
          const found = search([...rest, next]);
          if (found) return found;
        }
      }
    }
    failed.add(key);
    return null;
  };

  const items: Item[] = nums.map((n) => ({
    value: Fraction.of(n),
    expr: { kind: 'number', value: BigInt(n), position: -1 },
  }));
  if (items.length === 0) return null;
  const found = search(items);
  return found ? { expression: formatExpression(found.expr), tree: found.expr } : null;
}
