/**
 * Budget-vs-success curves read off search runs: for every budget b from 1 to B, what the
 * runs had reached after their first b model calls.
 *
 * A run is the list of its nodes' scores in call order (one model call per node). One run
 * of B calls gives the whole curve because nothing an algorithm does before call b depends
 * on B (see `src/lib/rl/budget-experiment.ts` for why that holds for each algorithm), so
 * its first b scores are the scores a run with budget b would have produced.
 *
 * Two metrics, each with a 95 % interval over the runs (one run per task):
 * - success rate: a run succeeded at b if one of its first b scores counts as a success;
 *   Wilson score interval (`success-table.ts`, the Node experiment's statistic);
 * - mean best score: the mean over runs of the best score among the first b calls;
 *   Student-t interval mean ± t(0.975, n−1)·s/√n (the normal approximation with the small-
 *   sample correction), clipped to the score range. With one run there is no spread to
 *   estimate and the interval is the whole range; when every run has the same best score
 *   s = 0 and the interval has no width, which says only that the runs agreed.
 */
import { successTable, Z95 } from './success-table.js';

/** One point of a curve: an estimate at `budget` model calls and its 95 % interval. */
export interface CurvePoint {
  budget: number;
  /** Runs (tasks) the estimate is over. */
  n: number;
  /** Success rate or mean best score. */
  value: number;
  low: number;
  high: number;
}

/** One curve per algorithm. */
export interface AlgorithmCurve {
  algorithm: string;
  points: CurvePoint[];
}

/** The best score after each call: `out[b − 1]` is the maximum of the first b scores. */
export function bestSoFar(scores: readonly number[]): number[] {
  const out: number[] = [];
  let best = -Infinity;
  for (const score of scores) {
    if (!Number.isFinite(score)) throw new RangeError(`scores must be finite, got ${score}`);
    best = Math.max(best, score);
    out.push(best);
  }
  return out;
}

/** 1-based call of the first score that is a success, or null. */
export function firstSuccessCall(
  scores: readonly number[],
  isSuccess: (score: number) => boolean = (s) => s >= 1,
): number | null {
  const at = scores.findIndex(isSuccess);
  return at < 0 ? null : at + 1;
}

function checkRuns(runs: readonly (readonly number[])[], budget: number) {
  if (!Number.isInteger(budget) || budget < 1) {
    throw new RangeError(`budget must be an integer >= 1, got ${budget}`);
  }
  runs.forEach((run, i) => {
    // A shorter run (a cancelled one) would silently count as "no success" beyond its end.
    if (run.length < budget) {
      throw new RangeError(`run ${i} has ${run.length} calls, fewer than the budget ${budget}`);
    }
  });
}

/** 1, 2, …, budget. */
function budgets(budget: number): number[] {
  return Array.from({ length: budget }, (_, i) => i + 1);
}

/** Success rate at every budget 1…`budget`, with 95 % Wilson intervals. */
export function successCurve(
  runs: readonly (readonly number[])[],
  budget: number,
  isSuccess: (score: number) => boolean = (s) => s >= 1,
): CurvePoint[] {
  checkRuns(runs, budget);
  const outcomes = runs.map((run) => ({ firstSuccess: firstSuccessCall(run, isSuccess) }));
  const [row] = successTable({ curve: outcomes }, budgets(budget));
  return row.cells.map((cell) => ({
    budget: cell.budget,
    n: cell.tasks,
    value: cell.interval.rate,
    low: cell.interval.low,
    high: cell.interval.high,
  }));
}

/** Mean best score at every budget 1…`budget`, with 95 % Student-t intervals. */
export function meanBestCurve(
  runs: readonly (readonly number[])[],
  budget: number,
  range: readonly [number, number] = [0, 1],
): CurvePoint[] {
  checkRuns(runs, budget);
  const best = runs.map(bestSoFar);
  return budgets(budget).map((b) => {
    const interval = meanInterval(
      best.map((run) => run[b - 1]),
      range,
    );
    return {
      budget: b,
      n: interval.n,
      value: interval.mean,
      low: interval.low,
      high: interval.high,
    };
  });
}

export interface MeanInterval {
  n: number;
  mean: number;
  /** Sample standard deviation (n − 1 in the denominator); 0 for fewer than two values. */
  sd: number;
  low: number;
  high: number;
}

/**
 * Mean and 95 % Student-t interval of values known to lie in `range`, the interval clipped
 * to it. No values: mean 0 and the whole range (as `wilsonInterval(0, 0)`); one value: the
 * whole range (one observation says nothing about the spread).
 */
export function meanInterval(
  values: readonly number[],
  range: readonly [number, number] = [0, 1],
): MeanInterval {
  const [lo, hi] = range;
  const n = values.length;
  for (const v of values) {
    if (!(v >= lo && v <= hi)) throw new RangeError(`value ${v} is outside [${lo}, ${hi}]`);
  }
  if (n === 0) return { n, mean: 0, sd: 0, low: lo, high: hi };
  if (n === 1) return { n, mean: values[0], sd: 0, low: lo, high: hi };
  // Equal values exactly: summing 0.1 three times would give a mean of 0.10000000000000002.
  if (values.every((v) => v === values[0])) {
    return { n, mean: values[0], sd: 0, low: values[0], high: values[0] };
  }
  const mean = values.reduce((a, v) => a + v, 0) / n;
  const sd = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1));
  const margin = (tQuantile975(n - 1) * sd) / Math.sqrt(n);
  return { n, mean, sd, low: Math.max(lo, mean - margin), high: Math.min(hi, mean + margin) };
}

/** t(0.975, df) for df = 1…30 (standard tables, 4 significant digits or better). */
const T975 = [
  12.7062, 4.3027, 3.1824, 2.7764, 2.5706, 2.4469, 2.3646, 2.306, 2.2622, 2.2281, 2.201, 2.1788,
  2.1604, 2.1448, 2.1314, 2.1199, 2.1098, 2.1009, 2.093, 2.086, 2.0796, 2.0739, 2.0687, 2.0639,
  2.0595, 2.0555, 2.0518, 2.0484, 2.0452, 2.0423,
];

/**
 * The 97.5 % quantile of Student's t with `df` degrees of freedom: a table up to 30, then
 * the Cornish–Fisher expansion around z (error below 1e-4 from df = 30 on).
 */
export function tQuantile975(df: number): number {
  if (df === Infinity) return Z95;
  if (!Number.isInteger(df) || df < 1)
    throw new RangeError(`df must be an integer >= 1, got ${df}`);
  if (df <= T975.length) return T975[df - 1];
  const z = Z95;
  const g1 = (z ** 3 + z) / 4;
  const g2 = (5 * z ** 5 + 16 * z ** 3 + 3 * z) / 96;
  const g3 = (3 * z ** 7 + 19 * z ** 5 + 17 * z ** 3 - 15 * z) / 384;
  return z + g1 / df + g2 / df ** 2 + g3 / df ** 3;
}

/** Curves of one metric, for export. */
export interface MetricCurves {
  metric: string;
  curves: readonly AlgorithmCurve[];
}

/** Curves as CSV: one row per metric, algorithm and budget. */
export function curvesToCsv(tables: readonly MetricCurves[]): string {
  const rows = ['metric,algorithm,budget,n,value,low,high'];
  const cell = (text: string) => (/[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);
  for (const { metric, curves } of tables) {
    for (const { algorithm, points } of curves) {
      for (const p of points) {
        rows.push([cell(metric), cell(algorithm), p.budget, p.n, p.value, p.low, p.high].join(','));
      }
    }
  }
  return `${rows.join('\n')}\n`;
}
