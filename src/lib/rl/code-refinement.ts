/**
 * Code refinement, the book's Fibonacci example: a model writes `fib(n)` in JavaScript, the
 * candidate is scored by running hidden tests on it in the code sandbox, optionally blended
 * with an LLM judge, and a refinement search (refinement, MCTS, AB-MCTS from `lib/search`)
 * improves it: a child gets its parent's code plus the failing tests as feedback.
 *
 * score = (1 − w) · tests + w · judge, where `tests` is the fraction of hidden tests passed
 * and `judge` a 0–10 grade from any `ChatModel` under a JSON schema, divided by 10 (w = 0:
 * tests only). A candidate that does not parse, never defines `fib`, or runs past the time
 * limit (an infinite loop) passes no test.
 *
 * The tests run in the sandbox, never in the app: the candidate code and a small harness
 * are one program there. The harness prints its report on one stdout line behind a random
 * marker, so the report is found whether the candidate's code ends in an expression, a
 * `return` or top-level `await`, and a candidate cannot forge it by printing.
 */
import type { ChatModel, ChatOptions, JsonSchema, Message } from '../llm/types.js';
import type { Generator } from '../search/types.js';
import type { CodeSandbox } from '../tools/sandbox/code-sandbox.js';

// ------------------------------------------------------------------ the task and its tests

export const FIB_TASK =
  'Write a JavaScript function fib(n) that returns the n-th Fibonacci number, with fib(0) = 0 and ' +
  'fib(1) = 1. If n is negative or not an integer, throw a RangeError. ' +
  'Reply with the whole function in one ```js code block.';

/** One hidden test: `fib(input)` must return `expected`, or throw when `expected` is 'throws'. */
export interface CodeTest {
  input: number;
  expected: number | 'throws';
}

function fibonacci(n: number): number {
  let [a, b] = [0, 1];
  for (let i = 0; i < n; i++) [a, b] = [b, a + b];
  return a;
}

/** fib(0) … fib(20), and a negative and a fractional input that must throw. */
export const FIB_TESTS: readonly CodeTest[] = [
  ...Array.from({ length: 21 }, (_, n) => ({ input: n, expected: fibonacci(n) })),
  { input: -1, expected: 'throws' },
  { input: 2.5, expected: 'throws' },
];

export function describeTest(test: CodeTest): string {
  return test.expected === 'throws'
    ? `fib(${test.input}) should throw a RangeError`
    : `fib(${test.input}) should be ${test.expected}`;
}

// ------------------------------------------------------------------ running the tests

export interface TestOutcome {
  test: CodeTest;
  passed: boolean;
  /** What happened instead, for feedback: "returned 8", "threw TypeError: …", "returned 3 instead of throwing". */
  detail: string;
}

export interface TestScore {
  passed: number;
  total: number;
  /** passed / total, in [0, 1]. */
  fraction: number;
  outcomes: TestOutcome[];
  /** Why no test could run (syntax error, timeout, no `fib`), or null. */
  error: string | null;
  /** The sandbox run's time, in ms. */
  ms: number;
}

function randomMarker(): string {
  const bytes = new Uint8Array(8);
  crypto.getRandomValues(bytes);
  return `__TESTS_${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}__`;
}

/** The harness appended to a candidate: runs every test, prints one marked JSON line. */
export function testHarness(tests: readonly CodeTest[], marker: string): string {
  return `
;(() => {
  const tests = ${JSON.stringify(tests)};
  const show = (v) => typeof v === 'bigint' ? v + 'n' : typeof v === 'string' ? JSON.stringify(v) : String(v);
  const report = typeof fib !== 'function'
    ? { defined: false, results: [] }
    : { defined: true, results: tests.map((t) => {
        try {
          const got = fib(t.input);
          if (t.expected === 'throws') return { passed: false, detail: 'returned ' + show(got) + ' instead of throwing' };
          const equal = got === t.expected || (typeof got === 'bigint' && got === BigInt(t.expected));
          return { passed: equal, detail: 'returned ' + show(got) };
        } catch (e) {
          const what = (e && e.name ? e.name + ': ' + e.message : String(e)).slice(0, 200);
          return t.expected === 'throws' ? { passed: true, detail: 'threw ' + what } : { passed: false, detail: 'threw ' + what };
        }
      }) };
  console.log(${JSON.stringify(marker)} + JSON.stringify(report));
})();
`;
}

export interface RunTestsOptions {
  sandbox: CodeSandbox;
  tests?: readonly CodeTest[];
  /** Time limit for the whole test run (default 2000 ms). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

function failedAll(tests: readonly CodeTest[], error: string, ms: number): TestScore {
  return {
    passed: 0,
    total: tests.length,
    fraction: 0,
    outcomes: tests.map((test) => ({ test, passed: false, detail: error })),
    error,
    ms,
  };
}

/** Runs the hidden tests on `code` in the sandbox; the score is the fraction passed. */
export async function runCodeTests(code: string, options: RunTestsOptions): Promise<TestScore> {
  const tests = options.tests ?? FIB_TESTS;
  const marker = randomMarker();
  const outcome = await options.sandbox.run(`${code}\n${testHarness(tests, marker)}`, {
    timeoutMs: options.timeoutMs ?? 2000,
    signal: options.signal,
  });
  const line = outcome.stdout
    .split('\n')
    .reverse()
    .find((l) => l.startsWith(marker));
  if (!line) {
    const why =
      outcome.errorKind === 'timeout'
        ? `timed out after ${outcome.ms} ms (an endless loop?)`
        : (outcome.error ?? 'the tests produced no report');
    return failedAll(tests, why, outcome.ms);
  }
  const report = JSON.parse(line.slice(marker.length)) as {
    defined: boolean;
    results: { passed: boolean; detail: string }[];
  };
  if (!report.defined)
    return failedAll(tests, 'the code does not define a function fib', outcome.ms);
  const outcomes = tests.map((test, i) => ({
    test,
    passed: report.results[i]?.passed === true,
    detail: String(report.results[i]?.detail ?? 'no result'),
  }));
  const passed = outcomes.filter((o) => o.passed).length;
  return {
    passed,
    total: tests.length,
    fraction: passed / tests.length,
    outcomes,
    error: null,
    ms: outcome.ms,
  };
}

// ------------------------------------------------------------------ the judge and the blend

export interface JudgeVerdict {
  /** 0–10 as the judge wrote it, and /10 for the blend. */
  grade: number;
  score: number;
  reason: string;
}

export const JUDGE_SCHEMA: JsonSchema = {
  type: 'object',
  properties: {
    reason: { type: 'string', maxLength: 400 },
    grade: { type: 'integer', enum: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10] },
  },
  required: ['reason', 'grade'],
  additionalProperties: false,
};

export function judgePrompt(task: string, code: string): Message[] {
  return [
    {
      role: 'system',
      content:
        'You review code. Grade how well it solves the task: correctness, edge cases, clarity. ' +
        'Answer in JSON: {"reason": "<one or two sentences>", "grade": <0 to 10>}.',
    },
    { role: 'user', content: `Task: ${task}\n\nCode:\n\`\`\`js\n${code}\n\`\`\`` },
  ];
}

/** A judge's grade of `code`, from any ChatModel, constrained to `JUDGE_SCHEMA`. */
export async function judgeCode(
  judge: ChatModel,
  task: string,
  code: string,
  options: { seed?: number; signal?: AbortSignal } = {},
): Promise<JudgeVerdict> {
  const result = await judge.invoke(judgePrompt(task, code), {
    responseFormat: { type: 'json_schema', name: 'code_review', schema: JUDGE_SCHEMA },
    temperature: 0,
    maxTokens: 160,
    seed: options.seed,
    signal: options.signal,
  });
  let parsed: { reason?: unknown; grade?: unknown };
  try {
    parsed = JSON.parse(result.message.content) as typeof parsed;
  } catch {
    throw new Error(`The judge's reply is not JSON: ${result.message.content.slice(0, 200)}`);
  }
  const grade = parsed.grade;
  if (typeof grade !== 'number' || !Number.isInteger(grade) || grade < 0 || grade > 10) {
    throw new Error(`The judge's grade is not an integer from 0 to 10: ${JSON.stringify(grade)}`);
  }
  return {
    grade,
    score: grade / 10,
    reason: typeof parsed.reason === 'string' ? parsed.reason : '',
  };
}

/** (1 − w) · tests + w · judge; w in [0, 1]. */
export function blendScore(tests: number, judge: number, judgeWeight: number): number {
  if (!(judgeWeight >= 0 && judgeWeight <= 1)) {
    throw new RangeError(`judgeWeight must be in [0, 1], got ${judgeWeight}`);
  }
  return (1 - judgeWeight) * tests + judgeWeight * judge;
}

// ------------------------------------------------------------------ candidates from a model

/** The code in a reply: the last ```js / ```javascript block, else any fenced block, else the whole text. */
export function extractCode(completion: string): string {
  const blocks = [...completion.matchAll(/```([a-zA-Z]*)[^\n]*\n([\s\S]*?)```/g)];
  const js = blocks.filter((b) => /^(js|javascript|)$/i.test(b[1]));
  const chosen = js.at(-1) ?? blocks.at(-1);
  return (chosen ? chosen[2] : completion).trim();
}

/** The feedback a child is generated from: what failed, at most `maxShown` tests. */
export function feedbackMessage(score: TestScore, maxShown = 5): string {
  if (score.error && score.passed === 0 && score.outcomes.every((o) => o.detail === score.error)) {
    return `Your code could not be tested: ${score.error}. Fix it. ${FIB_TASK}`;
  }
  const failing = score.outcomes.filter((o) => !o.passed);
  const lines = failing
    .slice(0, maxShown)
    .map((o) => `- ${describeTest(o.test)}, but it ${o.detail}`);
  const more = failing.length > maxShown ? `\n(and ${failing.length - maxShown} more)` : '';
  return (
    `Your code passed ${score.passed} of ${score.total} tests. Failing tests:\n${lines.join('\n')}${more}\n` +
    `Fix the code. ${FIB_TASK}`
  );
}

/** A node of the search: one candidate, how it scored, and the conversation behind it. */
export interface CodeAttempt {
  messages: Message[];
  completion: string;
  code: string;
  tests: TestScore;
  judge: JudgeVerdict | null;
  /** The blended score the search sees. */
  score: number;
  /** 1-based model call that wrote it. */
  call: number;
}

export interface CodeRefinementOptions {
  sandbox: CodeSandbox;
  tests?: readonly CodeTest[];
  task?: string;
  /** Optional judge; its weight w (default 0.2 when a judge is given). */
  judge?: ChatModel;
  judgeWeight?: number;
  /** Call i samples with `seed + i`. */
  seed: number;
  temperature?: number;
  maxTokens?: number;
  timeoutMs?: number;
  /** Earlier attempts a prompt keeps at most (the first prompt always stays); default 2. */
  maxAttemptsShown?: number;
}

/** Scores one candidate: tests in the sandbox, then the judge if there is one. */
export async function scoreCode(
  code: string,
  options: Pick<
    CodeRefinementOptions,
    'sandbox' | 'tests' | 'task' | 'judge' | 'judgeWeight' | 'timeoutMs'
  > & {
    seed?: number;
    signal?: AbortSignal;
  },
): Promise<{ tests: TestScore; judge: JudgeVerdict | null; score: number }> {
  const tests = await runCodeTests(code, options);
  if (!options.judge) return { tests, judge: null, score: tests.fraction };
  const judge = await judgeCode(options.judge, options.task ?? FIB_TASK, code, {
    seed: options.seed,
    signal: options.signal,
  });
  return {
    tests,
    judge,
    score: blendScore(tests.fraction, judge.score, options.judgeWeight ?? 0.2),
  };
}

/**
 * The generator for `lib/search`: the root asks for the function; a child continues its
 * parent's conversation with the parent's reply and a user turn listing the failing tests.
 */
export function codeRefinementGenerator(
  model: ChatModel,
  options: CodeRefinementOptions,
): { generate: Generator<CodeAttempt>; calls: () => number } {
  let calls = 0;
  const task = options.task ?? FIB_TASK;
  const maxShown = options.maxAttemptsShown ?? 2;
  const generate: Generator<CodeAttempt> = async (parent, { signal }) => {
    const call = ++calls;
    let messages: Message[];
    if (!parent) messages = [{ role: 'user', content: task }];
    else {
      messages = [...parent.messages, { role: 'user', content: feedbackMessage(parent.tests) }];
      // [user, (assistant, user) × k]: keep the task and the last maxShown exchanges
      const pairs = (messages.length - 1) / 2;
      if (pairs > maxShown) messages = [messages[0], ...messages.slice(1 + 2 * (pairs - maxShown))];
    }
    const chatOptions: ChatOptions = {
      temperature: options.temperature ?? 0.8,
      maxTokens: options.maxTokens ?? 256,
      seed: options.seed + call,
      signal,
    };
    const result = await model.invoke(messages, chatOptions);
    const completion = result.message.content;
    const code = extractCode(completion);
    const scored = await scoreCode(code, { ...options, task, seed: options.seed + call, signal });
    const state: CodeAttempt = {
      messages: [...messages, { role: 'assistant', content: completion }],
      completion,
      code,
      tests: scored.tests,
      judge: scored.judge,
      score: scored.score,
      call,
    };
    return { state, score: scored.score };
  };
  return { generate, calls: () => calls };
}
