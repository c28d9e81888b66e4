/**
 * Exact rational numbers over bigint, for the arithmetic judges: `6 / (1 - 3/4)` is exactly
 * 24 here, where floating point would give 23.999999999999996 and need a tolerance.
 *
 * A `Fraction` is immutable and always in lowest terms with a positive denominator, so two
 * equal values have equal fields and `equals` is a field comparison.
 */

function abs(x: bigint): bigint {
  return x < 0n ? -x : x;
}

function gcd(a: bigint, b: bigint): bigint {
  a = abs(a);
  b = abs(b);
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

export class Fraction {
  /** Numerator; carries the sign. */
  readonly num: bigint;
  /** Denominator; always > 0. */
  readonly den: bigint;

  private constructor(num: bigint, den: bigint) {
    this.num = num;
    this.den = den;
  }

  /** `num / den` in lowest terms. Throws `RangeError` for a zero denominator. */
  static of(num: bigint | number, den: bigint | number = 1n): Fraction {
    let n = BigInt(num);
    let d = BigInt(den);
    if (d === 0n) throw new RangeError('Fraction: zero denominator');
    if (d < 0n) {
      n = -n;
      d = -d;
    }
    const g = gcd(n, d);
    return g > 1n ? new Fraction(n / g, d / g) : new Fraction(n, d);
  }

  static readonly ZERO = Fraction.of(0n);
  static readonly ONE = Fraction.of(1n);

  add(o: Fraction): Fraction {
    return Fraction.of(this.num * o.den + o.num * this.den, this.den * o.den);
  }

  sub(o: Fraction): Fraction {
    return Fraction.of(this.num * o.den - o.num * this.den, this.den * o.den);
  }

  mul(o: Fraction): Fraction {
    return Fraction.of(this.num * o.num, this.den * o.den);
  }

  /** Throws `RangeError` when `o` is zero; callers that judge check `isZero()` first. */
  div(o: Fraction): Fraction {
    if (o.num === 0n) throw new RangeError('Fraction: division by zero');
    return Fraction.of(this.num * o.den, this.den * o.num);
  }

  isZero(): boolean {
    return this.num === 0n;
  }

  isInteger(): boolean {
    return this.den === 1n;
  }

  equals(o: Fraction): boolean {
    return this.num === o.num && this.den === o.den;
  }

  /** `"24"`, `"-3"`, `"7/2"`. */
  toString(): string {
    return this.den === 1n ? this.num.toString() : `${this.num}/${this.den}`;
  }

  /** Nearest double, for display and plots only (never for judging). */
  toNumber(): number {
    return Number(this.num) / Number(this.den);
  }
}
