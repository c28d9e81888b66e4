/**
 * The two pieces of d3-scale the budget chart needs, written out because d3-scale is not a
 * dependency: a linear map from a domain to a range, and "nice" tick values (1, 2 or 5
 * times a power of ten, as d3's `ticks`).
 */

export interface LinearScale {
  (value: number): number;
  /** The domain value at a range position. */
  invert(position: number): number;
  domain: readonly [number, number];
  range: readonly [number, number];
}

export function linearScale(
  domain: readonly [number, number],
  range: readonly [number, number],
): LinearScale {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  // A zero-width domain maps everything to the middle of the range instead of to NaN.
  const span = d1 - d0;
  const scale = ((value: number) =>
    span === 0 ? (r0 + r1) / 2 : r0 + ((value - d0) / span) * (r1 - r0)) as LinearScale;
  scale.invert = (position: number) => (r1 === r0 ? d0 : d0 + ((position - r0) / (r1 - r0)) * span);
  scale.domain = [d0, d1];
  scale.range = [r0, r1];
  return scale;
}

/** Tick step for about `count` ticks over [lo, hi]: 1, 2 or 5 × 10^k. */
export function tickStep(lo: number, hi: number, count: number): number {
  const raw = Math.abs(hi - lo) / Math.max(1, count);
  if (raw === 0 || !Number.isFinite(raw)) return 1;
  const power = 10 ** Math.floor(Math.log10(raw));
  const error = raw / power;
  const factor = error >= 7.5 ? 10 : error >= 3.5 ? 5 : error >= 1.5 ? 2 : 1;
  return factor * power;
}

/** Multiples of the tick step inside [lo, hi], rounded so 0.1 + 0.2 prints as 0.3. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  const step = tickStep(lo, hi, count);
  const digits = Math.max(0, -Math.floor(Math.log10(step)));
  const out: number[] = [];
  for (let i = Math.ceil(lo / step - 1e-9); i * step <= hi + step * 1e-9; i++) {
    out.push(Number((i * step).toFixed(digits)));
  }
  return out;
}

/** The smallest tick-step multiple at or above `value` (a y axis's top). */
export function niceCeil(value: number, count = 5): number {
  const step = tickStep(0, value, count);
  return Math.ceil(value / step - 1e-9) * step;
}

/** Integer ticks for budgets 1…max: every budget when few, else nice steps (at least 1). */
export function budgetTicks(max: number, count = 8): number[] {
  if (max <= count) return Array.from({ length: max }, (_, i) => i + 1);
  const step = Math.max(1, Math.round(tickStep(0, max, count)));
  const ticks = [1];
  for (let b = step; b <= max; b += step) if (b > 1) ticks.push(b);
  return ticks;
}
