/**
 * `convert_units(value, from_unit, to_unit)`, tools.py's `convert_units` line for line:
 * the same factors, the same order of floating-point operations, `round(out, 3)` and
 * `fmt_num`, and the same JSON observation (`{"value": 6.214, "unit": "mi"}` or
 * `{"error": "cannot convert kg to mi"}`).
 */
import { CONVERT_UNITS_SPEC } from './specs.js';
import { fmtNum, PythonFloat, pythonJsonDumps, pythonRound } from './python-format.js';
import { argumentsObject, type Tool } from './types.js';

/** Factor to the SI base unit of each dimension, from tools.py `UNIT_FACTORS`. */
export const UNIT_FACTORS: Readonly<Record<string, readonly [dimension: string, factor: number]>> =
  {
    km: ['length', 1000.0],
    mi: ['length', 1609.344],
    m: ['length', 1.0],
    ft: ['length', 0.3048],
    cm: ['length', 0.01],
    in: ['length', 0.0254],
    kg: ['mass', 1.0],
    lb: ['mass', 0.45359237],
    g: ['mass', 0.001],
    oz: ['mass', 0.028349523125],
    L: ['volume', 1.0],
    gal: ['volume', 3.785411784],
  };

/** Python's `float(value)` for what a model may send: a number, a bool or a numeric string. */
function pythonFloat(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string') {
    const text = value.trim().replaceAll(/(?<=\d)_(?=\d)/g, '');
    if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return Number(text);
  }
  return undefined;
}

/** How Python's f-string shows the unit in the error message (`None`, `True`, `5`). */
function pythonStr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

function isUnit(unit: unknown): unit is string {
  return typeof unit === 'string' && Object.hasOwn(UNIT_FACTORS, unit);
}

export function convertUnits(value: unknown, fromUnit: unknown, toUnit: unknown): string {
  const number = pythonFloat(value);
  if (number === undefined) return pythonJsonDumps({ error: 'value must be a number' });
  let out: number;
  const isTemperature = (unit: unknown) => unit === 'C' || unit === 'F';
  if (isTemperature(fromUnit) && isTemperature(toUnit)) {
    if (fromUnit === toUnit) out = number;
    else if (fromUnit === 'C') out = (number * 9) / 5 + 32;
    else out = ((number - 32) * 5) / 9;
  } else if (
    isUnit(fromUnit) &&
    isUnit(toUnit) &&
    UNIT_FACTORS[fromUnit][0] === UNIT_FACTORS[toUnit][0]
  ) {
    out = (number * UNIT_FACTORS[fromUnit][1]) / UNIT_FACTORS[toUnit][1];
  } else {
    return pythonJsonDumps({
      error: `cannot convert ${pythonStr(fromUnit)} to ${pythonStr(toUnit)}`,
    });
  }
  // Python would crash on int('inf') here; an observation is kinder to the model.
  if (!Number.isFinite(out)) return pythonJsonDumps({ error: 'result is not a finite number' });
  const formatted = fmtNum(pythonRound(out, 3));
  // tools.py: float(fmt_num(out)) if "." in fmt_num(out) else int(fmt_num(out))
  const result = formatted.includes('.')
    ? new PythonFloat(Number(formatted))
    : BigInt(formatted.replace(/^-0$/, '0'));
  return pythonJsonDumps({ value: result, unit: toUnit as string });
}

export function createUnitConversionTool(): Tool {
  return {
    spec: CONVERT_UNITS_SPEC,
    async run(args) {
      const { value, from_unit, to_unit } = argumentsObject(args);
      return convertUnits(value, from_unit, to_unit);
    },
  };
}
