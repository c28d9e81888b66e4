/**
 * The chart spec a sandboxed program may request with `chart({...})`. The sandbox has no
 * DOM: it returns this declarative spec, the host checks it here and draws it with D3
 * (`lib/ui/charts/ChartView.svelte`). Everything in a spec came from untrusted code, so
 * this check is strict and its messages say exactly what to fix.
 */

export type ChartType = 'bar' | 'line' | 'scatter';
export const CHART_TYPES: readonly ChartType[] = ['bar', 'line', 'scatter'];

/** One data row: field name → a number, a string, or null (a missing value). */
export type ChartRow = Record<string, number | string | null>;

export interface ChartSpec {
  type: ChartType;
  data: ChartRow[];
  /** Field for the x axis (categories for `bar`). */
  x: string;
  /** Field for the y axis; must hold numbers. */
  y: string;
  title?: string;
}

export const MAX_CHART_POINTS = 500;
const MAX_TITLE_CHARS = 200;
const MAX_FIELD_CHARS = 100;

export class ChartSpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChartSpecError';
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Throws a `ChartSpecError` naming the first problem; returns a clean copy of the spec. */
export function validateChartSpec(spec: unknown, maxPoints = MAX_CHART_POINTS): ChartSpec {
  if (!isPlainObject(spec)) throw new ChartSpecError('a chart spec must be an object');
  const known = new Set(['type', 'data', 'x', 'y', 'title']);
  const unknown = Object.keys(spec).filter((key) => !known.has(key));
  if (unknown.length) {
    throw new ChartSpecError(
      `unknown field${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} (allowed: type, data, x, y, title)`,
    );
  }
  const { type, data, x, y, title } = spec;
  if (typeof type !== 'string' || !CHART_TYPES.includes(type as ChartType)) {
    throw new ChartSpecError(
      `type must be one of ${CHART_TYPES.join(', ')}, got ${JSON.stringify(type)}`,
    );
  }
  for (const [name, field] of [
    ['x', x],
    ['y', y],
  ] as const) {
    if (typeof field !== 'string' || field === '' || field.length > MAX_FIELD_CHARS) {
      throw new ChartSpecError(`${name} must be the name of a field of the data rows`);
    }
  }
  if (title !== undefined && (typeof title !== 'string' || title.length > MAX_TITLE_CHARS)) {
    throw new ChartSpecError(`title must be a string of at most ${MAX_TITLE_CHARS} characters`);
  }
  if (!Array.isArray(data) || data.length === 0) {
    throw new ChartSpecError('data must be a non-empty array of row objects (or a table)');
  }
  if (data.length > maxPoints) {
    throw new ChartSpecError(`data has ${data.length} rows; a chart takes at most ${maxPoints}`);
  }
  const rows: ChartRow[] = [];
  for (const [index, row] of data.entries()) {
    if (!isPlainObject(row)) throw new ChartSpecError(`data[${index}] is not an object`);
    const xValue = row[x as string];
    const yValue = row[y as string];
    if (!((x as string) in row)) {
      throw new ChartSpecError(
        `data[${index}] has no field ${JSON.stringify(x)} (fields: ${Object.keys(row).join(', ')})`,
      );
    }
    if (!((y as string) in row)) {
      throw new ChartSpecError(
        `data[${index}] has no field ${JSON.stringify(y)} (fields: ${Object.keys(row).join(', ')})`,
      );
    }
    if (yValue !== null && (typeof yValue !== 'number' || !Number.isFinite(yValue))) {
      throw new ChartSpecError(
        `y must be numeric: data[${index}].${y} is ${JSON.stringify(yValue)}`,
      );
    }
    if (typeof xValue !== 'string' && typeof xValue !== 'number' && xValue !== null) {
      throw new ChartSpecError(`data[${index}].${x} must be a number or a string`);
    }
    if (
      type !== 'bar' &&
      xValue !== null &&
      (typeof xValue !== 'number' || !Number.isFinite(xValue))
    ) {
      throw new ChartSpecError(
        `a ${type} chart needs a numeric x: data[${index}].${x} is ${JSON.stringify(xValue)}`,
      );
    }
    rows.push({
      [x as string]: xValue as number | string | null,
      [y as string]: yValue as number | null,
    });
  }
  return {
    type: type as ChartType,
    data: rows,
    x: x as string,
    y: y as string,
    ...(title ? { title } : {}),
  };
}
