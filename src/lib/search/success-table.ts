/**
 * The search experiment's arithmetic, kept apart from the model so a unit test can check
 * it: Wilson score intervals and the success table (per algorithm, success within each
 * budget prefix of one run). Shared by `scripts/experiment-search.ts` (Node) and the
 * budget lab's curves (`budget-curves.ts`).
 */

export interface Interval {
  /** Point estimate k / n (0 when n = 0). */
  rate: number;
  low: number;
  high: number;
}

/** z of a two-sided 95 % interval. */
export const Z95 = 1.959963984540054;

/**
 * Wilson score interval for k successes in n trials:
 * (p + z²/2n ± z·sqrt(p(1−p)/n + z²/4n²)) / (1 + z²/n). For n = 0 it is [0, 1].
 */
export function wilsonInterval(k: number, n: number, z = Z95): Interval {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`n must be an integer >= 0, got ${n}`);
  if (!Number.isInteger(k) || k < 0 || k > n) {
    throw new RangeError(`k must be an integer in [0, n], got ${k} of ${n}`);
  }
  if (n === 0) return { rate: 0, low: 0, high: 1 };
  const p = k / n;
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const centre = p + z2 / (2 * n);
  const margin = z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return {
    rate: p,
    // Clamp rounding noise (k = 0 gives exactly 0 in exact arithmetic).
    low: k === 0 ? 0 : Math.max(0, (centre - margin) / denominator),
    high: k === n ? 1 : Math.min(1, (centre + margin) / denominator),
  };
}

/**
 * One task's outcome under one algorithm: the 1-based model call at which each event
 * first happened, or null if it never did within the run.
 */
export interface TaskOutcome {
  /** First call whose answer was correct (reward 1). */
  firstSuccess: number | null;
  /** First call whose answer used the numbers legally (correct or only a wrong value). */
  firstLegal?: number | null;
}

export interface TableCell {
  budget: number;
  successes: number;
  tasks: number;
  interval: Interval;
}

export interface TableRow {
  algorithm: string;
  cells: TableCell[];
}

/** The budgets reported for a run of `budget` calls: powers of two from 4, then `budget`. */
export function budgetPrefixes(budget: number, from = 4): number[] {
  if (!Number.isInteger(budget) || budget < 1) {
    throw new RangeError(`budget must be an integer >= 1, got ${budget}`);
  }
  const out: number[] = [];
  for (let b = from; b < budget; b *= 2) out.push(b);
  out.push(budget);
  return out;
}

/**
 * Success within each budget prefix: a task counts at budget b if its first event came at
 * call ≤ b. `pick` chooses the event (default: a correct answer).
 */
export function successTable(
  outcomes: Readonly<Record<string, readonly TaskOutcome[]>>,
  budgets: readonly number[],
  pick: (o: TaskOutcome) => number | null | undefined = (o) => o.firstSuccess,
): TableRow[] {
  return Object.entries(outcomes).map(([algorithm, tasks]) => ({
    algorithm,
    cells: budgets.map((budget) => {
      const successes = tasks.filter((o) => {
        const at = pick(o);
        return at !== null && at !== undefined && at <= budget;
      }).length;
      return {
        budget,
        successes,
        tasks: tasks.length,
        interval: wilsonInterval(successes, tasks.length),
      };
    }),
  }));
}

const pct = (x: number) => `${(100 * x).toFixed(1)}`;

/** `3/30 10.0 % [3.5, 25.6]`: successes, rate and the 95 % Wilson interval, in percent. */
export function formatCell(cell: TableCell): string {
  const { rate, low, high } = cell.interval;
  return `${cell.successes}/${cell.tasks} ${pct(rate)} % [${pct(low)}, ${pct(high)}]`;
}

/** A Markdown table: one row per algorithm, one column per budget. */
export function formatTable(rows: readonly TableRow[]): string {
  if (rows.length === 0) return '';
  const budgets = rows[0].cells.map((c) => c.budget);
  const header = ['algorithm', ...budgets.map((b) => `${b} calls`)];
  const body = rows.map((r) => [r.algorithm, ...r.cells.map(formatCell)]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((line) => line[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [
    line(header),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...body.map(line),
  ].join('\n');
}
