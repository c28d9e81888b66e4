/**
 * The arithmetic the Countdown and Game-of-24 judges accept, parsed and evaluated exactly:
 * a recursive-descent parser (no `eval`) over non-negative integers, `+ - * /` and
 * parentheses, evaluated with bigint fractions.
 *
 * Grammar (lowest precedence first; both levels left-associative):
 *   sum     := product (('+' | '-') product)*
 *   product := primary (('*' | '/') primary)*
 *   primary := integer | '(' sum ')'
 *
 * There is no unary minus or plus: the puzzles combine the given numbers with binary
 * operations, and a sign in front of a number would invent a value that was not given.
 * Spaces may appear between tokens; any other character is refused before parsing.
 */
import { Fraction } from './fraction.js';

export type Operator = '+' | '-' | '*' | '/';

/** A parsed expression: plain data, so a solver can build one and the printer show it. */
export type Expr =
  | {
      kind: 'number';
      value: bigint;
      /** 0-based offset in the source, -1 if built */ position: number;
    }
  | { kind: 'binary'; op: Operator; left: Expr; right: Expr };

/** Why an expression could not be read (before any arithmetic happens). */
export type SyntaxFailure = 'illegal characters' | 'malformed expression';

export class ExpressionSyntaxError extends Error {
  readonly reason: SyntaxFailure;
  readonly position: number;
  constructor(reason: SyntaxFailure, detail: string, position: number) {
    super(detail);
    this.name = 'ExpressionSyntaxError';
    this.reason = reason;
    this.position = position;
  }
}

interface Token {
  kind: 'number' | 'op' | '(' | ')' | 'end';
  text: string;
  position: number;
}

/** Parentheses nested deeper than this are refused rather than recursed into. */
const MAX_DEPTH = 64;

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const ch = source[i];
    if (ch === ' ') {
      i += 1;
    } else if (ch >= '0' && ch <= '9') {
      let j = i + 1;
      while (j < source.length && source[j] >= '0' && source[j] <= '9') j += 1;
      tokens.push({ kind: 'number', text: source.slice(i, j), position: i });
      i = j;
    } else if (ch === '+' || ch === '-' || ch === '*' || ch === '/') {
      tokens.push({ kind: 'op', text: ch, position: i });
      i += 1;
    } else if (ch === '(' || ch === ')') {
      tokens.push({ kind: ch, text: ch, position: i });
      i += 1;
    } else {
      const shown = JSON.stringify(String.fromCodePoint(source.codePointAt(i) ?? 0));
      throw new ExpressionSyntaxError(
        'illegal characters',
        `${shown} at ${i} is not allowed (only digits, + - * / ( ) and spaces)`,
        i,
      );
    }
  }
  tokens.push({ kind: 'end', text: '', position: source.length });
  return tokens;
}

function describe(token: Token): string {
  return token.kind === 'end'
    ? 'the end of the expression'
    : `'${token.text}' at ${token.position}`;
}

/**
 * Parses `source`. Throws `ExpressionSyntaxError` with reason `illegal characters` (a
 * character outside the alphabet) or `malformed expression` (with what was expected where).
 */
export function parseExpression(source: string): Expr {
  const tokens = tokenize(source);
  let index = 0;
  const peek = (): Token => tokens[index];
  const malformed = (detail: string, token: Token): never => {
    throw new ExpressionSyntaxError('malformed expression', detail, token.position);
  };

  const sum = (depth: number): Expr => {
    let left = product(depth);
    while (peek().kind === 'op' && (peek().text === '+' || peek().text === '-')) {
      const op = tokens[index++].text as Operator;
      left = { kind: 'binary', op, left, right: product(depth) };
    }
    return left;
  };

  const product = (depth: number): Expr => {
    let left = primary(depth);
    while (peek().kind === 'op' && (peek().text === '*' || peek().text === '/')) {
      const op = tokens[index++].text as Operator;
      left = { kind: 'binary', op, left, right: primary(depth) };
    }
    return left;
  };

  const primary = (depth: number): Expr => {
    const token = peek();
    if (token.kind === 'number') {
      index += 1;
      return { kind: 'number', value: BigInt(token.text), position: token.position };
    }
    if (token.kind === '(') {
      if (depth >= MAX_DEPTH) malformed(`parentheses nested deeper than ${MAX_DEPTH}`, token);
      index += 1;
      const inner = sum(depth + 1);
      if (peek().kind !== ')')
        malformed(
          `expected ')' to close '(' at ${token.position} but found ${describe(peek())}`,
          peek(),
        );
      index += 1;
      return inner;
    }
    if (token.kind === 'op' && (token.text === '-' || token.text === '+')) {
      return malformed(
        `a sign before a number or '(' (unary ${token.text === '-' ? 'minus' : 'plus'}) at ${token.position} is not allowed`,
        token,
      );
    }
    if (token.kind === 'end' && index === 0) return malformed('the expression is empty', token);
    return malformed(`expected a number or '(' but found ${describe(token)}`, token);
  };

  const expr = sum(0);
  if (peek().kind !== 'end') malformed(`unexpected ${describe(peek())}`, peek());
  return expr;
}

/** The number literals in the order they appear, e.g. `[8n, 3n, 8n, 3n]` for `8/(3-8/3)`. */
export function numbersIn(expr: Expr): bigint[] {
  if (expr.kind === 'number') return [expr.value];
  return [...numbersIn(expr.left), ...numbersIn(expr.right)];
}

/** Why arithmetic on a well-formed expression failed. */
export type EvaluationFailure = 'division by zero' | 'non-integer intermediate';

export type Evaluation =
  { ok: true; value: Fraction } | { ok: false; reason: EvaluationFailure; detail: string };

export interface EvaluateOptions {
  /**
   * Every intermediate result (each operation except the last) must be an integer, as in
   * the TV game. The final value is not an intermediate: `7 / 2` is a wrong value, not a
   * non-integer intermediate.
   */
  integerIntermediates?: boolean;
}

/** Evaluates exactly, left operand first; the first failure met in that order is reported. */
export function evaluateExpression(expr: Expr, options: EvaluateOptions = {}): Evaluation {
  const integerOnly = options.integerIntermediates ?? false;
  class Failure {
    constructor(
      readonly reason: EvaluationFailure,
      readonly detail: string,
    ) {}
  }
  const walk = (node: Expr, isRoot: boolean): Fraction => {
    if (node.kind === 'number') return Fraction.of(node.value);
    const a = walk(node.left, false);
    const b = walk(node.right, false);
    let value: Fraction;
    switch (node.op) {
      case '+':
        value = a.add(b);
        break;
      case '-':
        value = a.sub(b);
        break;
      case '*':
        value = a.mul(b);
        break;
      case '/':
        if (b.isZero()) throw new Failure('division by zero', `${a} / ${b}`);
        value = a.div(b);
        break;
    }
    if (integerOnly && !isRoot && !value.isInteger()) {
      throw new Failure('non-integer intermediate', `${a} ${node.op} ${b} = ${value}`);
    }
    return value;
  };
  try {
    return { ok: true, value: walk(expr, true) };
  } catch (error) {
    if (error instanceof Failure) return { ok: false, reason: error.reason, detail: error.detail };
    throw error;
  }
}

const PRECEDENCE: Record<Operator, number> = { '+': 1, '-': 1, '*': 2, '/': 2 };

/**
 * Prints an expression with spaces around operators and only the parentheses it needs to
 * keep its tree: a right operand of equal precedence keeps its parentheses, so the printed
 * text parses back to the same tree (which matters for integer-intermediate judging).
 */
export function formatExpression(expr: Expr): string {
  if (expr.kind === 'number') return expr.value.toString();
  const prec = PRECEDENCE[expr.op];
  const side = (child: Expr, right: boolean): string => {
    const text = formatExpression(child);
    if (child.kind === 'number') return text;
    const childPrec = PRECEDENCE[child.op];
    return childPrec < prec || (right && childPrec === prec) ? `(${text})` : text;
  };
  return `${side(expr.left, false)} ${expr.op} ${side(expr.right, true)}`;
}
