/**
 * Number and JSON formatting that reproduces Python's, byte for byte, for the values the
 * tools produce. The micro model was trained on observations written by the Python tools
 * (`static-models/recipes/micro_agent/tools.py`); at run time it must read the same text,
 * so `3.0`, `0.0312`, `{"a": 1}` have to come out exactly as Python writes them.
 */

/** The exact value of a finite double as `mantissa * 2^exponent` with an integer mantissa. */
function decomposeDouble(x: number): { mantissa: bigint; exponent: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(x));
  const bits = view.getBigUint64(0);
  const biasedExponent = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & ((1n << 52n) - 1n);
  return biasedExponent === 0
    ? { mantissa: fraction, exponent: -1074 }
    : { mantissa: fraction | (1n << 52n), exponent: biasedExponent - 1075 };
}

/**
 * `round(|x| * 10^digits)` computed exactly on the binary value, ties to even: what
 * Python's `f"{x:.Nf}"` and `round(x, N)` do. (JS `toFixed` rounds ties away from zero,
 * so `0.03125.toFixed(4)` is `0.0313` where Python writes `0.0312`.)
 */
function scaledRoundHalfEven(x: number, digits: number): bigint {
  const { mantissa, exponent } = decomposeDouble(x);
  const numerator = mantissa * 10n ** BigInt(digits);
  if (exponent >= 0) return numerator << BigInt(exponent);
  const denominator = 1n << BigInt(-exponent);
  const quotient = numerator / denominator;
  const twiceRemainder = (numerator % denominator) * 2n;
  if (twiceRemainder > denominator) return quotient + 1n;
  if (twiceRemainder === denominator && quotient % 2n === 1n) return quotient + 1n;
  return quotient;
}

/** Python's `f"{x:.{digits}f}"` for any double (`inf`, `nan`, `-0.0000` included). */
export function formatFixed(x: number, digits: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  const negative = x < 0 || Object.is(x, -0);
  const scaled = scaledRoundHalfEven(x, digits)
    .toString()
    .padStart(digits + 1, '0');
  const whole = scaled.slice(0, scaled.length - digits);
  const fraction = digits > 0 ? '.' + scaled.slice(scaled.length - digits) : '';
  return (negative ? '-' : '') + whole + fraction;
}

/** Python's `round(x, digits)` for a float: correctly rounded, ties to even. */
export function pythonRound(x: number, digits: number): number {
  if (!Number.isFinite(x)) return x;
  return Number(formatFixed(x, digits));
}

/** Python's `round(x)` (no digits): the nearest integer, ties to even. */
export function pythonRoundToInteger(x: number): number {
  return Number(formatFixed(x, 0));
}

/** A Python number: `int` (arbitrary precision) or `float` (a double). */
export type PythonNumber = bigint | number;

/**
 * `fmt_num` from tools.py: integers as they are, whole floats below 1e15 without a
 * decimal point, other floats with at most four decimals and no trailing zeros.
 */
export function fmtNum(x: PythonNumber): string {
  if (typeof x === 'bigint') return x.toString();
  if (Number.isFinite(x) && Number.isInteger(x) && Math.abs(x) < 1e15) {
    return Object.is(x, -0) ? '0' : String(x);
  }
  const fixed = formatFixed(x, 4);
  return fixed.includes('.') ? fixed.replace(/0+$/, '').replace(/\.$/, '') : fixed;
}

/** Python's `repr(float)`: shortest round-trip digits, `1e+16` and `1e-05` style exponents. */
export function pythonFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  // Both languages pick the shortest digits that round-trip; Python switches to scientific
  // notation outside 1e-4 <= |x| < 1e16 and pads the exponent to two digits.
  const [digits, exp] = x.toExponential().split('e');
  const decimalExponent = Number(exp);
  if (decimalExponent < -4 || decimalExponent >= 16) {
    const sign = decimalExponent < 0 ? '-' : '+';
    return `${digits}e${sign}${String(Math.abs(decimalExponent)).padStart(2, '0')}`;
  }
  const plain = String(x);
  return plain.includes('.') || plain.includes('e') ? plain : plain + '.0';
}

function escapeJsonString(text: string, ensureAscii: boolean): string {
  let out = '"';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (code < 0x20 || (ensureAscii && code > 0x7e)) {
      // With ensure_ascii Python escapes everything outside ' '..'~' (DEL included) and
      // writes astral characters as a surrogate pair, in lower-case hex.
      for (let i = 0; i < ch.length; i++) {
        out += '\\u' + ch.charCodeAt(i).toString(16).padStart(4, '0');
      }
    } else out += ch;
  }
  return out + '"';
}

/** A value `pythonJsonDumps` can write. Use `pythonFloat` for numbers Python holds as floats. */
export type PythonJsonValue =
  | string
  | number
  | bigint
  | boolean
  | null
  | PythonFloat
  | PythonJsonValue[]
  | { [key: string]: PythonJsonValue };

/** Marks a number as a Python `float`, so a whole value is written `3.0`, not `3`. */
export class PythonFloat {
  constructor(readonly value: number) {}
}

/**
 * Python's `json.dumps(value, ensure_ascii=…)` with its default separators (`", "` and
 * `": "`). Plain JS numbers are written as Python ints when whole, as floats otherwise.
 */
export function pythonJsonDumps(
  value: PythonJsonValue,
  options: { ensureAscii?: boolean } = {},
): string {
  const ensureAscii = options.ensureAscii ?? true;
  const write = (v: PythonJsonValue): string => {
    if (v === null) return 'null';
    if (typeof v === 'boolean') return v ? 'true' : 'false';
    if (typeof v === 'string') return escapeJsonString(v, ensureAscii);
    if (typeof v === 'bigint') return v.toString();
    if (v instanceof PythonFloat) {
      if (Number.isNaN(v.value)) return 'NaN';
      if (!Number.isFinite(v.value)) return v.value > 0 ? 'Infinity' : '-Infinity';
      return pythonFloatRepr(v.value);
    }
    if (typeof v === 'number') {
      return Number.isInteger(v) && !Object.is(v, -0)
        ? BigInt(v).toString()
        : write(new PythonFloat(v));
    }
    if (Array.isArray(v)) return '[' + v.map(write).join(', ') + ']';
    return (
      '{' +
      Object.entries(v)
        .map(([key, item]) => `${escapeJsonString(key, ensureAscii)}: ${write(item)}`)
        .join(', ') +
      '}'
    );
  };
  return write(value);
}
