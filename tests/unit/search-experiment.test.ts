/**
 * The search experiment's arithmetic (src/lib/search/success-table.ts): Wilson intervals against
 * published values, budget prefixes, the success table read off one run per task, and the
 * refinement prompt's window over earlier attempts (src/lib/rl/countdown-search.ts).
 */
import { describe, expect, it } from 'vitest';
import { refinementMessages, type Attempt } from '../../src/lib/rl/countdown-search.js';
import {
  budgetPrefixes,
  formatCell,
  formatTable,
  successTable,
  wilsonInterval,
} from '../../src/lib/search/success-table.js';

describe('wilsonInterval', () => {
  it('matches known 95 % intervals', () => {
    // 0/10: [0, 0.2775]; 10/10: [0.7225, 1]; 5/10: [0.2366, 0.7634]; 1/30: [0.0059, 0.1667]
    const cases: [number, number, number, number][] = [
      [0, 10, 0, 0.2775],
      [10, 10, 0.7225, 1],
      [5, 10, 0.2366, 0.7634],
      [1, 30, 0.0059, 0.1667],
      [81, 263, 0.2553, 0.3662],
    ];
    for (const [k, n, low, high] of cases) {
      const interval = wilsonInterval(k, n);
      expect(interval.rate).toBeCloseTo(k / n, 10);
      expect(interval.low).toBeCloseTo(low, 4);
      expect(interval.high).toBeCloseTo(high, 4);
    }
  });

  it('is symmetric, contains the estimate and is [0, 1] without data', () => {
    for (let k = 0; k <= 20; k++) {
      const a = wilsonInterval(k, 20);
      const b = wilsonInterval(20 - k, 20);
      expect(a.low).toBeCloseTo(1 - b.high, 12);
      expect(a.low).toBeLessThanOrEqual(a.rate);
      expect(a.high).toBeGreaterThanOrEqual(a.rate);
    }
    expect(wilsonInterval(0, 0)).toEqual({ rate: 0, low: 0, high: 1 });
  });

  it('rejects impossible counts', () => {
    expect(() => wilsonInterval(3, 2)).toThrow(RangeError);
    expect(() => wilsonInterval(-1, 2)).toThrow(RangeError);
    expect(() => wilsonInterval(1, 2.5)).toThrow(RangeError);
  });
});

describe('success table', () => {
  it('reports powers of two from 4, then the budget', () => {
    expect(budgetPrefixes(32)).toEqual([4, 8, 16, 32]);
    expect(budgetPrefixes(20)).toEqual([4, 8, 16, 20]);
    expect(budgetPrefixes(3)).toEqual([3]);
  });

  it('counts a task at budget b when its first success came within b calls', () => {
    const rows = successTable(
      {
        sampling: [{ firstSuccess: 1 }, { firstSuccess: 5 }, { firstSuccess: null }],
        refinement: [{ firstSuccess: 8 }, { firstSuccess: 9 }, { firstSuccess: 16 }],
      },
      [4, 8, 16],
    );
    expect(rows.map((r) => [r.algorithm, r.cells.map((c) => c.successes)])).toEqual([
      ['sampling', [1, 2, 2]],
      ['refinement', [0, 1, 3]],
    ]);
    expect(rows[0].cells[1].interval).toEqual(wilsonInterval(2, 3));
    expect(rows.every((r) => r.cells.every((c) => c.tasks === 3))).toBe(true);
  });

  it('can count another event and formats a Markdown table', () => {
    const rows = successTable(
      {
        mcts: [
          { firstSuccess: null, firstLegal: 2 },
          { firstSuccess: null, firstLegal: null },
        ],
      },
      [4],
      (o) => o.firstLegal,
    );
    expect(rows[0].cells[0].successes).toBe(1);
    expect(formatCell(rows[0].cells[0])).toBe('1/2 50.0 % [9.5, 90.5]');
    expect(formatTable(rows).split('\n')).toEqual([
      '| algorithm | 4 calls                |',
      '|-----------|------------------------|',
      '| mcts      | 1/2 50.0 % [9.5, 90.5] |',
    ]);
  });
});

describe('refinement prompt', () => {
  const problem = { nums: [3, 5, 7], target: 22 };
  const attempt = (messages: Attempt['messages']): Attempt => ({
    messages,
    completion: '<answer>3 * 5 * 7</answer>',
    answer: '3 * 5 * 7',
    verdict: { correct: false, reason: 'wrong value', message: 'wrong value (got 105)' },
    reward: 0.1,
    call: 1,
  });

  it("extends the parent's conversation with the verdict and the task", () => {
    const parent = attempt([
      { role: 'user', content: 'task' },
      { role: 'assistant', content: '<answer>3 * 5 * 7</answer>' },
    ]);
    const messages = refinementMessages(problem, parent, 3);
    expect(messages.slice(0, 2)).toEqual(parent.messages);
    expect(messages[2].content).toMatch(
      /^<answer> 3 \* 5 \* 7 <\/answer> is wrong: wrong value \(got 105\)\. Try again\. Using the numbers \[3, 5, 7\], create an equation that equals 22\./,
    );
  });

  it('keeps the first prompt and the last attempts only', () => {
    const messages: Attempt['messages'] = [{ role: 'user', content: 'u0' }];
    for (let i = 1; i <= 4; i++) {
      messages.push({ role: 'assistant', content: `a${i}` });
      if (i < 4) messages.push({ role: 'user', content: `u${i}` });
    }
    const shown = refinementMessages(problem, attempt(messages), 2).map((m) => m.content);
    expect(shown.slice(0, 4)).toEqual(['u0', 'a3', 'u3', 'a4']);
    expect(shown).toHaveLength(5);
  });
});
