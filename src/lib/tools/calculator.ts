/**
 * The calculator tool: a recursive-descent parser and evaluator for arithmetic, no `eval`.
 *
 * Grammar (lowest precedence first):
 *   sum     := product (('+' | '-') product)*
 *   product := unary (('*' | '/' | '%') unary)*
 *   unary   := ('+' | '-') unary | power
 *   power   := primary (('^' | '**') unary)?        right-associative, binds tighter than unary minus
 *   primary := number | name | name '(' sum (',' sum)* ')' | '(' sum ')'
 *
 * Numbers follow Python's semantics because the micro model was trained on tools.py, which
 * evaluates with Python's `ast`: integers are exact (bigint), `/` is true division whose
 * whole results become integers again, and results are printed with `fmt_num`. For every
 * expression tools.py accepts (numbers, + - * /, unary signs, parentheses) the output here
 * is the same string; `^`, `%`, constants and functions are extensions.
 */
import { CALCULATOR_SPEC } from './specs.js';
import { fmtNum, pythonRound, pythonRoundToInteger, type PythonNumber } from './python-format.js';
import { argumentsObject, type Tool } from './types.js';

/** An expression the calculator rejects; `message` is what the model reads after "Error: ". */
export class CalculatorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CalculatorError';
  }
}

type TokenKind = 'number' | 'name' | 'operator' | '(' | ')' | ',' | 'end';

interface Token {
  kind: TokenKind;
  text: string;
  /** 0-based offset in the expression, for error messages. */
  position: number;
}

// Python number literals: decimal, hex/octal/binary integers, floats with optional
// exponent; single underscores between digits.
const DIGITS = String.raw`\d(?:_?\d)*`;
const NUMBER = new RegExp(
  String.raw`^(?:0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+|` +
    String.raw`(?:${DIGITS}\.(?:${DIGITS})?|\.${DIGITS}|${DIGITS})(?:[eE][+-]?${DIGITS})?)`,
);
const NAME = /^[A-Za-z_][A-Za-z_0-9]*/;

function tokenize(expression: string): Token[] {
  const tokens: Token[] = [];
  let position = 0;
  while (position < expression.length) {
    const rest = expression.slice(position);
    const whitespace = /^\s+/.exec(rest);
    if (whitespace) {
      position += whitespace[0].length;
      continue;
    }
    const number = NUMBER.exec(rest);
    if (number) {
      tokens.push({ kind: 'number', text: number[0], position });
      position += number[0].length;
      continue;
    }
    const name = NAME.exec(rest);
    if (name) {
      tokens.push({ kind: 'name', text: name[0], position });
      position += name[0].length;
      continue;
    }
    if (rest.startsWith('**')) {
      tokens.push({ kind: 'operator', text: '**', position });
      position += 2;
      continue;
    }
    const ch = rest[0];
    if ('+-*/%^'.includes(ch)) tokens.push({ kind: 'operator', text: ch, position });
    else if (ch === '(' || ch === ')' || ch === ',') tokens.push({ kind: ch, text: ch, position });
    else throw new CalculatorError(`unexpected character '${ch}' at ${position}`);
    position += 1;
  }
  tokens.push({ kind: 'end', text: '', position });
  return tokens;
}

// ------------------------------------------------------------------ Python number semantics

const MAX_FLOAT_AS_INT = BigInt(Number.MAX_VALUE);
/** Integers beyond this many bits are refused, so `9^9^9` cannot hang the tab. */
const MAX_INTEGER_BITS = 100_000;

function toFloat(x: PythonNumber): number {
  if (typeof x === 'number') return x;
  // Python raises here rather than returning inf; the rounding of Number(bigint) is
  // round-half-even like Python's int.__float__.
  const magnitude = x < 0n ? -x : x;
  if (magnitude > MAX_FLOAT_AS_INT + (MAX_FLOAT_AS_INT >> 53n)) {
    throw new CalculatorError('int too large to convert to float');
  }
  return Number(x);
}

function floatToInt(x: number): bigint {
  if (Number.isNaN(x)) throw new CalculatorError('cannot convert float NaN to integer');
  if (!Number.isFinite(x)) throw new CalculatorError('cannot convert float infinity to integer');
  return BigInt(Math.trunc(x));
}

function checkIntegerSize(x: bigint): bigint {
  const magnitude = x < 0n ? -x : x;
  if (magnitude.toString(16).length * 4 > MAX_INTEGER_BITS) {
    throw new CalculatorError('result too large');
  }
  return x;
}

const TWO_POW_53 = 1n << 53n;

/** int / int as Python does it: the exact quotient rounded once to the nearest double. */
function divideIntegers(a: bigint, b: bigint): number {
  const negative = a < 0n !== b < 0n;
  const p = a < 0n ? -a : a;
  const q = b < 0n ? -b : b;
  let result: number;
  if (p <= TWO_POW_53 && q <= TWO_POW_53) {
    result = Number(p) / Number(q); // both exact, so one IEEE rounding
  } else {
    // Scale so the integer quotient has well over 53 bits, keep a sticky bit for the
    // remainder, round once in Number(), then undo the power-of-two scale (exact unless
    // the result is subnormal).
    const shift = Math.max(0, q.toString(2).length - p.toString(2).length + 66);
    const scaled = p << BigInt(shift);
    const quotient = ((scaled / q) << 1n) | (scaled % q === 0n ? 0n : 1n);
    let remainingShift = shift + 1;
    result = Number(quotient);
    while (remainingShift > 0) {
      const step = Math.min(remainingShift, 1000);
      result /= 2 ** step;
      remainingShift -= step;
    }
    if (!Number.isFinite(result)) {
      throw new CalculatorError('integer division result too large for a float');
    }
  }
  return negative ? -result : result;
}

function isZero(x: PythonNumber): boolean {
  return typeof x === 'bigint' ? x === 0n : x === 0;
}

function add(a: PythonNumber, b: PythonNumber): PythonNumber {
  if (typeof a === 'bigint' && typeof b === 'bigint') return checkIntegerSize(a + b);
  return toFloat(a) + toFloat(b);
}

function subtract(a: PythonNumber, b: PythonNumber): PythonNumber {
  if (typeof a === 'bigint' && typeof b === 'bigint') return checkIntegerSize(a - b);
  return toFloat(a) - toFloat(b);
}

function multiply(a: PythonNumber, b: PythonNumber): PythonNumber {
  if (typeof a === 'bigint' && typeof b === 'bigint') return checkIntegerSize(a * b);
  return toFloat(a) * toFloat(b);
}

/** tools.py: true division, and a whole quotient becomes an int (`6 / 3` prints `2`). */
function divide(a: PythonNumber, b: PythonNumber): PythonNumber {
  if (isZero(b)) throw new CalculatorError('division by zero');
  const quotient =
    typeof a === 'bigint' && typeof b === 'bigint' ? divideIntegers(a, b) : toFloat(a) / toFloat(b);
  if (Number.isNaN(quotient) || !Number.isFinite(quotient)) floatToInt(quotient); // throws like int(r)
  return Number.isInteger(quotient) ? floatToInt(quotient) : quotient;
}

/** Python's `%`: the result has the sign of the divisor. */
function modulo(a: PythonNumber, b: PythonNumber): PythonNumber {
  if (isZero(b)) throw new CalculatorError('modulo by zero');
  if (typeof a === 'bigint' && typeof b === 'bigint') {
    const r = a % b;
    return r !== 0n && r < 0n !== b < 0n ? r + b : r;
  }
  const x = toFloat(a);
  const y = toFloat(b);
  const r = x % y;
  return r !== 0 && r < 0 !== y < 0 ? r + y : r;
}

function power(a: PythonNumber, b: PythonNumber): PythonNumber {
  if (typeof a === 'bigint' && typeof b === 'bigint' && b >= 0n) {
    const bits = a === 0n || a === 1n || a === -1n ? 1 : (a < 0n ? -a : a).toString(2).length;
    if (bits * Number(b) > MAX_INTEGER_BITS) throw new CalculatorError('result too large');
    return a ** b;
  }
  const base = toFloat(a);
  const exponent = toFloat(b);
  if (base === 0 && exponent < 0) throw new CalculatorError('division by zero');
  if (base < 0 && !Number.isInteger(exponent)) throw new CalculatorError('math domain error');
  const result = base ** exponent;
  if (!Number.isFinite(result) && Number.isFinite(base) && Number.isFinite(exponent)) {
    throw new CalculatorError('math range error');
  }
  return result;
}

function compare(a: PythonNumber, b: PythonNumber): number {
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  const x = toFloat(a);
  const y = toFloat(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** A float-valued math function: domain errors and overflow are reported like Python's `math`. */
function mathFunction(f: (x: number) => number, domain?: (x: number) => boolean) {
  return (args: PythonNumber[]): PythonNumber => {
    const x = toFloat(args[0]);
    if (domain && !domain(x)) throw new CalculatorError('math domain error');
    const result = f(x);
    if (!Number.isFinite(result) && Number.isFinite(x)) {
      throw new CalculatorError('math range error');
    }
    return result;
  };
}

interface FunctionDefinition {
  minArgs: number;
  maxArgs: number;
  apply(args: PythonNumber[]): PythonNumber;
}

const FUNCTIONS: Record<string, FunctionDefinition> = {
  sqrt: { minArgs: 1, maxArgs: 1, apply: mathFunction(Math.sqrt, (x) => x >= 0) },
  abs: {
    minArgs: 1,
    maxArgs: 1,
    apply: ([x]) => (typeof x === 'bigint' ? (x < 0n ? -x : x) : Math.abs(x)),
  },
  sin: { minArgs: 1, maxArgs: 1, apply: mathFunction(Math.sin, Number.isFinite) },
  cos: { minArgs: 1, maxArgs: 1, apply: mathFunction(Math.cos, Number.isFinite) },
  tan: { minArgs: 1, maxArgs: 1, apply: mathFunction(Math.tan, Number.isFinite) },
  exp: { minArgs: 1, maxArgs: 1, apply: mathFunction(Math.exp) },
  ln: { minArgs: 1, maxArgs: 1, apply: mathFunction(Math.log, (x) => x > 0) },
  /** `log(x)` is base 10 (`ln` is the natural log); `log(x, base)` any base. */
  log: {
    minArgs: 1,
    maxArgs: 2,
    apply: (args) => {
      const x = toFloat(args[0]);
      const base = args.length > 1 ? toFloat(args[1]) : 10;
      if (x <= 0 || base <= 0 || base === 1) throw new CalculatorError('math domain error');
      return base === 10 ? Math.log10(x) : Math.log(x) / Math.log(base);
    },
  },
  /** Python's `round`: to an int, ties to even; with digits, a float. */
  round: {
    minArgs: 1,
    maxArgs: 2,
    apply: (args) => {
      const [x, digits] = args;
      if (digits === undefined) {
        return typeof x === 'bigint' ? x : floatToInt(pythonRoundToInteger(x));
      }
      if (typeof digits !== 'bigint') {
        throw new CalculatorError('round() digits must be an integer');
      }
      if (typeof x === 'bigint') return x;
      const places = Number(digits);
      if (places >= 0) return pythonRound(x, Math.min(places, 308));
      const unit = 10 ** -places;
      return pythonRoundToInteger(x / unit) * unit;
    },
  },
  floor: {
    minArgs: 1,
    maxArgs: 1,
    apply: ([x]) => (typeof x === 'bigint' ? x : floatToInt(Math.floor(x))),
  },
  ceil: {
    minArgs: 1,
    maxArgs: 1,
    apply: ([x]) => (typeof x === 'bigint' ? x : floatToInt(Math.ceil(x))),
  },
  min: {
    minArgs: 1,
    maxArgs: Infinity,
    apply: (args) => args.reduce((best, x) => (compare(x, best) < 0 ? x : best)),
  },
  max: {
    minArgs: 1,
    maxArgs: Infinity,
    apply: (args) => args.reduce((best, x) => (compare(x, best) > 0 ? x : best)),
  },
};

const CONSTANTS: Record<string, number> = { pi: Math.PI, e: Math.E };

function parseNumberLiteral(text: string): PythonNumber {
  const digits = text.replaceAll('_', '');
  if (/^0[xXoObB]/.test(digits) || /^\d+$/.test(digits)) return BigInt(digits);
  return Number(digits);
}

// ------------------------------------------------------------------ parser + evaluator

class Parser {
  private index = 0;

  constructor(private readonly tokens: Token[]) {}

  parseExpression(): PythonNumber {
    const value = this.parseSum();
    this.expectEnd();
    return value;
  }

  private peek(): Token {
    return this.tokens[this.index];
  }

  private next(): Token {
    return this.tokens[this.index++];
  }

  private unexpected(token: Token): CalculatorError {
    return token.kind === 'end'
      ? new CalculatorError('unexpected end of expression')
      : new CalculatorError(`unexpected '${token.text}' at ${token.position}`);
  }

  private expectEnd(): void {
    const token = this.peek();
    if (token.kind !== 'end') throw this.unexpected(token);
  }

  private isOperator(...operators: string[]): boolean {
    const token = this.peek();
    return token.kind === 'operator' && operators.includes(token.text);
  }

  private parseSum(): PythonNumber {
    let value = this.parseProduct();
    while (this.isOperator('+', '-')) {
      const operator = this.next().text;
      const right = this.parseProduct();
      value = operator === '+' ? add(value, right) : subtract(value, right);
    }
    return value;
  }

  private parseProduct(): PythonNumber {
    let value = this.parseUnary();
    while (this.isOperator('*', '/', '%')) {
      const operator = this.next().text;
      const right = this.parseUnary();
      value =
        operator === '*'
          ? multiply(value, right)
          : operator === '/'
            ? divide(value, right)
            : modulo(value, right);
    }
    return value;
  }

  private parseUnary(): PythonNumber {
    if (this.isOperator('+', '-')) {
      const operator = this.next().text;
      const operand = this.parseUnary();
      if (operator === '+') return operand;
      return typeof operand === 'bigint' ? -operand : -operand; // same operator, two types
    }
    return this.parsePower();
  }

  private parsePower(): PythonNumber {
    const base = this.parsePrimary();
    if (this.isOperator('^', '**')) {
      this.next();
      return power(base, this.parseUnary());
    }
    return base;
  }

  private parsePrimary(): PythonNumber {
    const token = this.next();
    if (token.kind === 'number') return parseNumberLiteral(token.text);
    if (token.kind === '(') {
      const value = this.parseSum();
      const close = this.next();
      if (close.kind !== ')') throw this.unexpected(close);
      return value;
    }
    if (token.kind === 'name') {
      if (this.peek().kind === '(') return this.parseCall(token);
      if (Object.hasOwn(CONSTANTS, token.text)) return CONSTANTS[token.text];
      if (Object.hasOwn(FUNCTIONS, token.text)) {
        throw new CalculatorError(`function ${token.text} needs arguments in parentheses`);
      }
      throw new CalculatorError(`unknown name ${token.text}`);
    }
    throw this.unexpected(token);
  }

  private parseCall(name: Token): PythonNumber {
    const definition = Object.hasOwn(FUNCTIONS, name.text) ? FUNCTIONS[name.text] : undefined;
    if (!definition) throw new CalculatorError(`unknown function ${name.text}`);
    this.next(); // '('
    const args: PythonNumber[] = [];
    if (this.peek().kind !== ')') {
      args.push(this.parseSum());
      while (this.peek().kind === ',') {
        this.next();
        args.push(this.parseSum());
      }
    }
    const close = this.next();
    if (close.kind !== ')') throw this.unexpected(close);
    if (args.length < definition.minArgs || args.length > definition.maxArgs) {
      const expected =
        definition.minArgs === definition.maxArgs
          ? `${definition.minArgs}`
          : definition.maxArgs === Infinity
            ? `at least ${definition.minArgs}`
            : `${definition.minArgs} or ${definition.maxArgs}`;
      throw new CalculatorError(
        `${name.text}() takes ${expected} argument${expected === '1' ? '' : 's'}, got ${args.length}`,
      );
    }
    return definition.apply(args);
  }
}

/** Evaluates an expression; throws `CalculatorError` for anything it cannot compute. */
export function evaluateExpression(expression: string): PythonNumber {
  if (expression.trim() === '') throw new CalculatorError('empty expression');
  return new Parser(tokenize(expression)).parseExpression();
}

/** The observation tools.py's `calculator(expression)` writes: the formatted result or `Error: …`. */
export function calculate(expression: unknown): string {
  try {
    return fmtNum(evaluateExpression(String(expression ?? '')));
  } catch (error) {
    if (error instanceof CalculatorError) return `Error: ${error.message}`;
    throw error;
  }
}

export function createCalculatorTool(): Tool {
  return {
    spec: CALCULATOR_SPEC,
    async run(args) {
      const { expression } = argumentsObject(args);
      if (expression === undefined) return 'Error: missing argument expression';
      return calculate(expression);
    },
  };
}
