import { describe, expect, it } from 'vitest';
import {
  DEFAULT_THINKING_HANDOFF,
  ThinkingBudget,
  ThinkingStreamParser,
  splitThinking,
  type ThinkingStreamEvent,
} from '../../src/lib/llm/thinking.js';

function stream(chunks: string[], startsInThinking = false) {
  const parser = new ThinkingStreamParser({ startsInThinking });
  const events: ThinkingStreamEvent[] = chunks.flatMap((c) => parser.push(c));
  const end = parser.finish();
  events.push(...end.events);
  const join = (type: string) =>
    events
      .filter((e) => e.type === type)
      .map((e) => e.text)
      .join('');
  return { events, result: end.result, reasoning: join('reasoning'), text: join('text') };
}

describe('splitThinking', () => {
  it('splits a leading think block from the answer', () => {
    expect(splitThinking('\n<think>\nstep 1\nstep 2\n</think>\n\nThe answer is 4.')).toEqual({
      reasoning: 'step 1\nstep 2',
      content: 'The answer is 4.',
      unclosed: false,
    });
  });

  it('leaves output without a think block alone, including a later <think>', () => {
    expect(splitThinking('Hello <think>not reasoning</think>')).toEqual({
      reasoning: undefined,
      content: 'Hello <think>not reasoning</think>',
      unclosed: false,
    });
  });

  it('reports an unclosed trace (maxTokens hit while thinking)', () => {
    expect(splitThinking('<think>still going')).toEqual({
      reasoning: 'still going',
      content: '',
      unclosed: true,
    });
  });

  it('treats an empty block as no reasoning', () => {
    expect(splitThinking('<think>\n\n</think>\n\nHi')).toEqual({
      reasoning: undefined,
      content: 'Hi',
      unclosed: false,
    });
  });

  it('starts inside thinking when the template pre-filled <think>', () => {
    expect(splitThinking('weigh options</think>Go left.', { startsInThinking: true })).toEqual({
      reasoning: 'weigh options',
      content: 'Go left.',
      unclosed: false,
    });
  });

  it('keeps a partial tag at the end as text of its phase', () => {
    expect(splitThinking('<thi')).toMatchObject({ content: '<thi', reasoning: undefined });
    expect(splitThinking('<think>a</thi')).toMatchObject({ reasoning: 'a</thi', unclosed: true });
  });
});

describe('ThinkingStreamParser', () => {
  const samples: Array<[string, boolean]> = [
    ['  <think>Let me think: 2 < 3 and </thin is not a tag.</think>\n\nYes, 2 < 3.', false],
    ['pre-filled reasoning</think>answer', true],
    ['no thinking at all <think>', false],
    ['<think>unclosed to the end </th', false],
  ];

  it.each(samples)('gives the batch result for every split of %j', (text, prefilled) => {
    const batch = splitThinking(text, { startsInThinking: prefilled });
    for (let i = 0; i <= text.length; i++) {
      for (const j of [i, Math.min(text.length, i + 3)]) {
        const s = stream([text.slice(0, i), text.slice(i, j), text.slice(j)], prefilled);
        expect(s.result).toEqual(batch);
        expect(s.reasoning.trim()).toBe(batch.reasoning ?? '');
        expect(s.text.trim()).toBe(batch.content);
      }
    }
  });

  it('never emits partial tags while streaming one character at a time', () => {
    const text = '<think>abc</think>def';
    const s = stream([...text]);
    expect(s.events.map((e) => e.text).join('')).toBe('abcdef');
    for (const e of s.events) expect(e.text).not.toMatch(/[<>]/);
  });
});

describe('ThinkingBudget', () => {
  it('forces the hand-off on exactly the N-th reasoning token', () => {
    const budget = new ThinkingBudget({ budgetTokens: 5 });
    expect(budget.onToken('<think>')).toEqual({ action: 'continue' });
    expect(budget.phase).toBe('thinking');
    for (let i = 1; i < 5; i++) {
      expect(budget.onToken(` t${i}`)).toEqual({ action: 'continue' });
      expect(budget.reasoningTokens).toBe(i);
    }
    expect(budget.onToken(' t5')).toEqual({ action: 'force', text: DEFAULT_THINKING_HANDOFF });
    expect(budget.reasoningTokens).toBe(5);
    expect(budget.forced).toBe(true);
    expect(budget.phase).toBe('answer');
    expect(budget.onToken('answer')).toEqual({ action: 'continue' });
  });

  it('uses the Qwen hand-off text, ending the trace', () => {
    expect(DEFAULT_THINKING_HANDOFF).toBe(
      '\n\nConsidering the limited time, I have to give the solution based on the thinking directly now.\n</think>\n\n',
    );
    const budget = new ThinkingBudget({ budgetTokens: 1, handoffText: '</think>' });
    budget.onToken('<think>');
    expect(budget.onToken('x')).toEqual({ action: 'force', text: '</think>' });
  });

  it('does not force when the model closes the trace itself', () => {
    const budget = new ThinkingBudget({ budgetTokens: 3 });
    for (const t of ['<think>', 'a', 'b', '</think>', 'c', 'd', 'e']) {
      expect(budget.onToken(t)).toEqual({ action: 'continue' });
    }
    expect(budget.reasoningTokens).toBe(2);
    expect(budget.forced).toBe(false);
  });

  it('recognises tags split across tokens', () => {
    const budget = new ThinkingBudget({ budgetTokens: 10 });
    for (const t of ['<th', 'ink', '>', 'a', 'b', '</', 'think>']) budget.onToken(t);
    expect(budget.phase).toBe('answer');
    // `</` was counted before it turned out to be a tag: a known, harmless over-count.
    expect(budget.reasoningTokens).toBe(3);
  });

  it('counts from the first token when the template pre-filled <think>', () => {
    const budget = new ThinkingBudget({ budgetTokens: 2, startsInThinking: true });
    expect(budget.start()).toEqual({ action: 'continue' });
    expect(budget.onToken('a').action).toBe('continue');
    expect(budget.onToken('b').action).toBe('force');
  });

  it('never forces when the model answers without thinking', () => {
    const budget = new ThinkingBudget({ budgetTokens: 1 });
    expect(budget.onToken('  ')).toEqual({ action: 'continue' });
    expect(budget.onToken('Hello')).toEqual({ action: 'continue' });
    expect(budget.onToken('<think>')).toEqual({ action: 'continue' });
    expect(budget.phase).toBe('answer');
  });

  it('with a zero budget, hands off at once', () => {
    const prefilled = new ThinkingBudget({ budgetTokens: 0, startsInThinking: true });
    expect(prefilled.start().action).toBe('force');
    expect(prefilled.start().action).toBe('continue');
    const open = new ThinkingBudget({ budgetTokens: 0 });
    expect(open.start().action).toBe('continue');
    expect(open.onToken('<think>').action).toBe('force');
  });

  it('rejects a bad budget', () => {
    expect(() => new ThinkingBudget({ budgetTokens: -1 })).toThrow(RangeError);
    expect(() => new ThinkingBudget({ budgetTokens: 1.5 })).toThrow(RangeError);
  });

  it('drives a simulated decode loop: trace cut at N, answer continues, parser sees it', () => {
    const budget = new ThinkingBudget({ budgetTokens: 4 });
    const modelTokens = ['<think>', 'a', 'b', 'c', 'd', 'e', 'f', 'Answer', '.'];
    let output = '';
    let i = 0;
    while (i < modelTokens.length) {
      const token = modelTokens[i++];
      output += token;
      const action = budget.onToken(token);
      if (action.action === 'force') {
        output += action.text;
        i = modelTokens.indexOf('Answer'); // The model now writes its answer.
      }
    }
    expect(splitThinking(output)).toMatchObject({
      reasoning:
        'abcd\n\nConsidering the limited time, I have to give the solution based on the thinking directly now.',
      content: 'Answer.',
    });
  });
});
