/**
 * Budget-vs-success curves (src/lib/search/budget-curves.ts), the chart's scales
 * (src/lib/ui/budget/scale.ts) and the experiment the budget lab runs
 * (src/lib/rl/budget-experiment.ts): the curve arithmetic, the intervals against published
 * values, and the prefix property that lets one run of B calls stand for every
 * budget b ≤ B, checked for each algorithm with a seeded fake model.
 */
import { describe, expect, it } from 'vitest';
import {
  bestSoFar,
  curvesToCsv,
  firstSuccessCall,
  meanBestCurve,
  meanInterval,
  successCurve,
  tQuantile975,
} from '../../src/lib/search/budget-curves.js';
import { wilsonInterval } from '../../src/lib/search/success-table.js';
import { budgetTicks, linearScale, niceCeil, niceTicks } from '../../src/lib/ui/budget/scale.js';
import {
  budgetTasks,
  runBudgetExperiment,
  type BudgetRun,
} from '../../src/lib/rl/budget-experiment.js';
import {
  ALGORITHMS,
  createAlgorithm,
  experimentSeeds,
  runSearch,
} from '../../src/lib/rl/countdown-search.js';
import { solveArithmetic } from '../../src/lib/rl/solver.js';
import {
  GenerationAbortedError,
  type ChatModel,
  type ChatOptions,
  type Message,
} from '../../src/lib/llm/types.js';
import { hash01 } from './search-helpers.js';
import { oneTokenUsage } from './scripted-model.js';

describe('curves from call-by-call scores', () => {
  it('keeps the best score so far and finds the first success', () => {
    expect(bestSoFar([0, 0.1, 0, 1, 0.1])).toEqual([0, 0.1, 0.1, 1, 1]);
    expect(bestSoFar([])).toEqual([]);
    expect(() => bestSoFar([0, NaN])).toThrow(RangeError);
    expect(firstSuccessCall([0, 0.1, 1, 1])).toBe(3);
    expect(firstSuccessCall([0, 0.1])).toBeNull();
    expect(firstSuccessCall([0, 0.4], (s) => s > 0.3)).toBe(2);
  });

  it('gives the success rate at every budget with Wilson intervals', () => {
    const runs = [
      [0, 1, 0, 0],
      [0.1, 0.1, 0.1, 1],
      [0, 0, 0, 0],
    ];
    const curve = successCurve(runs, 4);
    expect(curve.map((p) => p.budget)).toEqual([1, 2, 3, 4]);
    expect(curve.map((p) => p.value)).toEqual([0, 1 / 3, 1 / 3, 2 / 3]);
    expect(curve.every((p) => p.n === 3)).toBe(true);
    const w = wilsonInterval(2, 3);
    expect([curve[3].low, curve[3].high]).toEqual([w.low, w.high]);
    // a shorter budget reads the same prefix
    expect(successCurve(runs, 2)).toEqual(curve.slice(0, 2));
  });

  it('refuses runs shorter than the budget (a cancelled run is not a failure)', () => {
    expect(() => successCurve([[0, 0], [0]], 2)).toThrow(/run 1 has 1 calls/);
    expect(() => meanBestCurve([[0]], 2)).toThrow(RangeError);
    expect(() => successCurve([[0]], 0)).toThrow(RangeError);
  });

  it('gives the mean best score at every budget with t intervals', () => {
    const runs = [
      [0, 0.1, 0.1],
      [0.1, 0, 1],
      [0, 0, 0.4],
      [0.1, 0.4, 0],
    ];
    const curve = meanBestCurve(runs, 3);
    // best so far: [0, .1, .1], [.1, .1, 1], [0, 0, .4], [.1, .4, .4]
    expect(curve.map((p) => p.value)).toEqual([
      expect.closeTo(0.05, 12),
      expect.closeTo(0.15, 12),
      expect.closeTo(0.475, 12),
    ]);
    // budget 1: values 0, .1, 0, .1 → s = 0.057735, t(3) = 3.1824 → margin 0.091868
    expect(curve[0].low).toBe(0); // 0.05 − 0.0919 clipped at 0
    expect(curve[0].high).toBeCloseTo(0.05 + (3.1824 * 0.0577350269) / 2, 6);
    expect(curve[2].high).toBeLessThanOrEqual(1);
  });
});

describe('meanInterval and t quantiles', () => {
  it('matches Student-t tables', () => {
    expect(tQuantile975(1)).toBeCloseTo(12.7062, 4);
    expect(tQuantile975(10)).toBeCloseTo(2.2281, 4);
    expect(tQuantile975(30)).toBeCloseTo(2.0423, 4);
    // beyond the table: Cornish–Fisher
    expect(tQuantile975(31)).toBeCloseTo(2.0395, 3);
    expect(tQuantile975(40)).toBeCloseTo(2.0211, 3);
    expect(tQuantile975(60)).toBeCloseTo(2.0003, 3);
    expect(tQuantile975(120)).toBeCloseTo(1.9799, 3);
    expect(tQuantile975(Infinity)).toBeCloseTo(1.96, 3);
    expect(() => tQuantile975(0)).toThrow(RangeError);
    expect(() => tQuantile975(2.5)).toThrow(RangeError);
  });

  it('is the t interval, clipped, and honest about too little data', () => {
    const values = [0.2, 0.4, 0.6, 0.8];
    const interval = meanInterval(values);
    const sd = Math.sqrt(((0.3 ** 2 + 0.1 ** 2) * 2) / 3);
    expect(interval.mean).toBeCloseTo(0.5, 12);
    expect(interval.sd).toBeCloseTo(sd, 12);
    expect(interval.low).toBeCloseTo(0.5 - (3.1824 * sd) / 2, 4);
    expect(interval.high).toBeCloseTo(0.5 + (3.1824 * sd) / 2, 4);
    expect(meanInterval([])).toEqual({ n: 0, mean: 0, sd: 0, low: 0, high: 1 });
    expect(meanInterval([0.3])).toMatchObject({ mean: 0.3, low: 0, high: 1 });
    // every run agreed: no spread to show
    expect(meanInterval([0.1, 0.1, 0.1])).toMatchObject({ low: 0.1, high: 0.1 });
    expect(meanInterval([1, 1, 0.9]).high).toBe(1);
    expect(() => meanInterval([1.5])).toThrow(RangeError);
  });
});

describe('chart scales', () => {
  it('maps linearly and back', () => {
    const x = linearScale([1, 5], [0, 400]);
    expect(x(1)).toBe(0);
    expect(x(3)).toBe(200);
    expect(x.invert(300)).toBe(4);
    const y = linearScale([0, 1], [300, 10]); // SVG y grows downwards
    expect(y(1)).toBe(10);
    expect(y.invert(155)).toBeCloseTo(0.5, 12);
    expect(linearScale([2, 2], [0, 100])(2)).toBe(50);
  });

  it('picks 1-2-5 ticks, a nice top and integer budget ticks', () => {
    expect(niceTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(0, 0.3)).toEqual([0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3]);
    expect(niceCeil(0.37)).toBeCloseTo(0.4, 12);
    expect(niceCeil(0.1)).toBeCloseTo(0.1, 12);
    expect(budgetTicks(4)).toEqual([1, 2, 3, 4]);
    expect(budgetTicks(32)).toEqual([1, 5, 10, 15, 20, 25, 30]);
    expect(budgetTicks(64)).toEqual([1, 10, 20, 30, 40, 50, 60]);
  });
});

describe('curvesToCsv', () => {
  it('writes one row per metric, algorithm and budget', () => {
    const point = { budget: 1, n: 2, value: 0.5, low: 0.1, high: 0.9 };
    const csv = curvesToCsv([
      {
        metric: 'success',
        curves: [
          { algorithm: 'mcts', points: [point, { ...point, budget: 2 }] },
          { algorithm: 'a,"b"', points: [{ budget: 1, n: 2, value: 0, low: 0, high: 0.8 }] },
        ],
      },
      { metric: 'reward', curves: [{ algorithm: 'mcts', points: [point] }] },
    ]);
    expect(csv).toBe(
      'metric,algorithm,budget,n,value,low,high\n' +
        'success,mcts,1,2,0.5,0.1,0.9\n' +
        'success,mcts,2,2,0.5,0.1,0.9\n' +
        'success,"a,""b""",1,2,0,0,0.8\n' +
        'reward,mcts,1,2,0.5,0.1,0.9\n',
    );
  });
});

/**
 * A model whose completion depends only on the messages and the seed, as the real decode
 * loop's does: about a third correct answers (from the solver), a third wrong answers in
 * tags (some with illegal numbers), a third without tags. Aborts like the worker does.
 */
function seededFakeModel(): ChatModel & { calls: number } {
  const fake = {
    calls: 0,
    info: { engine: 'transformers' as const, model: 'fake' },
    async invoke(messages: readonly Message[], options: ChatOptions = {}) {
      if (options.signal?.aborted) throw new GenerationAbortedError();
      fake.calls++;
      const [, nums, target] = messages[0].content.match(
        /numbers \[([\d, ]+)\], create an equation that equals (\d+)/,
      ) as RegExpMatchArray;
      const given = nums.split(', ').map(Number);
      const u = hash01(`${options.seed}|${messages.map((m) => m.content).join('|')}`);
      let content: string;
      if (u < 0.3) {
        content = `<answer> ${solveArithmetic(given, Number(target))?.expression} </answer>`;
      } else if (u < 0.5) content = `<answer> ${given.join(' + ')} </answer>`;
      else if (u < 0.65) content = `<answer> ${given[0]} * 99 </answer>`;
      else content = 'I do not know';
      const usage = oneTokenUsage();
      return { message: { role: 'assistant' as const, content }, finishReason: 'stop', usage };
    },
    stream(): never {
      throw new Error('not used');
    },
  };
  return fake as unknown as ChatModel & { calls: number };
}

describe('one run of B calls stands for every budget b ≤ B', () => {
  for (const name of ALGORITHMS) {
    it(`${name}: the first b calls of a budget-8 run are a budget-b run`, async () => {
      const [problem] = budgetTasks(1, 3);
      const seeds = experimentSeeds(3, 0);
      const search = (budget: number) =>
        runSearch(createAlgorithm(name, seeds.algorithm), seededFakeModel(), problem, budget, {
          seed: seeds.sampling,
        });
      const long = await search(8);
      // the fake gives every kind of answer, so equal prefixes are not equal by accident
      expect(new Set(long.attempts.map((a) => a.reward)).size).toBeGreaterThan(1);
      for (const b of [1, 3, 5]) {
        const short = await search(b);
        // messages hold each attempt's whole conversation, so equal messages mean equal parents
        expect(short.attempts).toEqual(long.attempts.slice(0, b));
      }
    });
  }

  it('the experiment records every call of every search, task by task', async () => {
    const model = seededFakeModel();
    const progress: number[] = [];
    const options = { algorithms: ['sampling', 'ab-mcts-a'] as const, tasks: 3, seed: 5 };
    const runs = await runBudgetExperiment(model, {
      ...options,
      budget: 6,
      onProgress: (done, total) => progress.push(done / total),
    });
    expect(runs.map((r) => `${r.task}:${r.algorithm}`)).toEqual([
      '0:sampling',
      '0:ab-mcts-a',
      '1:sampling',
      '1:ab-mcts-a',
      '2:sampling',
      '2:ab-mcts-a',
    ]);
    expect(model.calls).toBe(36);
    expect(progress.at(-1)).toBe(1);
    for (const run of runs) {
      expect(run.rewards).toHaveLength(6);
      // partial credit never ranks an answer below its TinyZero reward
      run.rewards.forEach((r, i) => expect(run.shapedRewards[i]).toBeGreaterThanOrEqual(r));
    }
    const short = await runBudgetExperiment(seededFakeModel(), { ...options, budget: 2 });
    expect(short.map((r) => r.rewards)).toEqual(runs.map((r) => r.rewards.slice(0, 2)));
  });

  it('stops on abort and keeps the searches finished before it', async () => {
    const controller = new AbortController();
    const finished: BudgetRun[] = [];
    const run = runBudgetExperiment(seededFakeModel(), {
      algorithms: ['mcts', 'refinement'],
      tasks: 2,
      budget: 4,
      seed: 1,
      signal: controller.signal,
      onProgress: (done) => {
        if (done === 6) controller.abort();
      },
      onRun: (r) => finished.push(r),
    });
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(finished.map((r) => r.algorithm)).toEqual(['mcts']);
  });
});
