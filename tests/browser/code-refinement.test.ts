/**
 * Code refinement scored in the real sandbox: fixed candidates for `fib(n)` (correct, off by
 * one, no negative check, an endless loop, a syntax error, no `fib` at all), the judge
 * blend, and the search generator: a child gets its parent's code and the failing tests.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { ChatModel, ChatOptions, ChatResult, Message } from '../../src/lib/llm/types';
import {
  FIB_TESTS,
  blendScore,
  codeRefinementGenerator,
  extractCode,
  runCodeTests,
  scoreCode,
  type CodeAttempt,
} from '../../src/lib/rl/code-refinement';
import { createRefinement, type SearchAlgorithm } from '../../src/lib/search';
import { CodeSandbox } from '../../src/lib/tools/sandbox';

const sandbox = new CodeSandbox();
afterAll(() => sandbox.dispose());

const CORRECT = `function fib(n) {
  if (!Number.isInteger(n) || n < 0) throw new RangeError('n must be a non-negative integer');
  let a = 0, b = 1;
  for (let i = 0; i < n; i++) [a, b] = [b, a + b];
  return a;
}`;
const OFF_BY_ONE = `function fib(n) {
  if (!Number.isInteger(n) || n < 0) throw new RangeError('bad n');
  let a = 1, b = 1;
  for (let i = 0; i < n; i++) [a, b] = [b, a + b];
  return a;
}`;
const NO_INPUT_CHECK = `const fib = (n) => (n < 2 ? n : fib(n - 1) + fib(n - 2));`;
const ENDLESS = `function fib(n) { let a = 0; while (true) { a++; } }`;
const SYNTAX_ERROR = `function fib(n) { return n <= 1 ? n : fib(n - 1) + fib(n - 2) `;

describe('scoring candidates by their tests', () => {
  it('a correct fib passes every test', async () => {
    const score = await runCodeTests(CORRECT, { sandbox });
    expect(score).toMatchObject({ passed: 23, total: 23, fraction: 1, error: null });
  });

  it('an off-by-one fib passes only the input checks and fib(1)', async () => {
    const score = await runCodeTests(OFF_BY_ONE, { sandbox });
    // fib(1) = 1 happens to be right; -1 and 2.5 throw as they should
    expect(score.passed).toBe(3);
    expect(score.fraction).toBeCloseTo(3 / 23);
    const fib5 = score.outcomes.find((o) => o.test.input === 5);
    expect(fib5).toMatchObject({ passed: false, detail: 'returned 8' });
  });

  it('a fib without input checks fails the negative and fractional inputs', async () => {
    const score = await runCodeTests(NO_INPUT_CHECK, { sandbox });
    expect(score.passed).toBe(21);
    expect(score.outcomes.find((o) => o.test.input === -1)?.detail).toBe(
      'returned -1 instead of throwing',
    );
    // fib(2.5) = fib(1.5) + fib(0.5) = 1.5 + 0.5
    expect(score.outcomes.find((o) => o.test.input === 2.5)?.detail).toBe(
      'returned 2 instead of throwing',
    );
  });

  it('an endless loop is stopped at the time limit and scores 0', async () => {
    const started = performance.now();
    const score = await runCodeTests(ENDLESS, { sandbox, timeoutMs: 800 });
    expect(performance.now() - started).toBeLessThan(3000);
    expect(score.fraction).toBe(0);
    expect(score.error).toMatch(/timed out after 800 ms/);
  });

  it('a syntax error scores 0 with the parser message', async () => {
    const score = await runCodeTests(SYNTAX_ERROR, { sandbox });
    expect(score.fraction).toBe(0);
    expect(score.error).toMatch(/^SyntaxError/);
  });

  it('code that never defines fib scores 0', async () => {
    const score = await runCodeTests('function fibonacci(n) { return n; }', { sandbox });
    expect(score.fraction).toBe(0);
    expect(score.error).toBe('the code does not define a function fib');
  });

  it('printing a fake report does not change the score', async () => {
    const forged = `console.log('__TESTS_0000__' + JSON.stringify({defined: true, results: []})); ${OFF_BY_ONE}`;
    expect((await runCodeTests(forged, { sandbox })).passed).toBe(3);
  });
});

/** A model that answers from a script and records what it was asked. */
function scriptedModel(
  replies: string[],
): ChatModel & { prompts: Message[][]; options: ChatOptions[] } {
  const prompts: Message[][] = [];
  const options: ChatOptions[] = [];
  let i = 0;
  const model = {
    prompts,
    options,
    info: { engine: 'openai', model: 'scripted' },
    async invoke(messages: Message[], chatOptions: ChatOptions = {}): Promise<ChatResult> {
      prompts.push(messages);
      options.push(chatOptions);
      const content = replies[Math.min(i++, replies.length - 1)];
      return {
        message: { role: 'assistant', content },
        finishReason: 'stop',
        usage: {} as ChatResult['usage'],
      };
    },
  };
  return model as unknown as ChatModel & { prompts: Message[][]; options: ChatOptions[] };
}

describe('judge blend', () => {
  it('(1 − w) · tests + w · judge', () => {
    expect(blendScore(1, 0, 0.25)).toBe(0.75);
    expect(blendScore(0.5, 1, 0)).toBe(0.5);
    expect(() => blendScore(1, 1, 1.5)).toThrow(RangeError);
  });

  it('asks the judge under the JSON schema and blends its grade', async () => {
    const judge = scriptedModel(['{"reason": "Correct and clear.", "grade": 8}']);
    const scored = await scoreCode(CORRECT, { sandbox, judge, judgeWeight: 0.5 });
    expect(scored.judge).toEqual({ grade: 8, score: 0.8, reason: 'Correct and clear.' });
    expect(scored.score).toBeCloseTo(0.5 * 1 + 0.5 * 0.8);
    expect(judge.options[0].responseFormat).toMatchObject({ type: 'json_schema' });
    expect(judge.prompts[0][1].content).toContain(CORRECT);
  });
});

describe('generator for lib/search', () => {
  it('extracts the code block from a reply', () => {
    expect(extractCode('Here:\n```js\nfunction fib(n) { return n; }\n```\nDone.')).toBe(
      'function fib(n) { return n; }',
    );
    expect(extractCode('function fib(n) { return n; }')).toBe('function fib(n) { return n; }');
  });

  it("a child sees its parent's code and the failing tests, and refinement climbs to 1", async () => {
    const model = scriptedModel([
      'Sure.\n```js\n' + OFF_BY_ONE + '\n```',
      '```javascript\n' + CORRECT + '\n```',
    ]);
    const { generate } = codeRefinementGenerator(model, { sandbox, seed: 7 });
    const search = createRefinement<CodeAttempt>({ seed: 1 }) as SearchAlgorithm<CodeAttempt>;
    const tree = search.init(['model']);
    const first = await search.step(tree, { model: generate });
    const second = await search.step(tree, { model: generate });
    expect(first.score).toBeCloseTo(3 / 23);
    expect(second.parentId).toBe(first.id);
    expect(second.score).toBe(1);
    const childPrompt = model.prompts[1];
    expect(childPrompt.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(childPrompt[1].content).toContain(OFF_BY_ONE);
    expect(childPrompt[2].content).toContain('Your code passed 3 of 23 tests');
    expect(childPrompt[2].content).toContain('- fib(0) should be 0, but it returned 1');
    expect(model.options.map((o) => o.seed)).toEqual([8, 9]);
    expect(search.topK(tree, 1)[0].state.code).toBe(CORRECT);
    expect(FIB_TESTS).toHaveLength(23);
  });
});
