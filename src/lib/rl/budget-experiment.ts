/**
 * The budget-vs-success experiment the budget lab (`/lab/budget`) runs: every chosen
 * algorithm searches every seeded Countdown task once, for the largest budget B, and the
 * score of each model call is recorded in call order. The curves (`$lib/search/budget-curves`)
 * read the value at every b ≤ B off these runs.
 *
 * Tasks and seeds are those of `scripts/experiment-search.ts` (`generateCountdown(tasks,
 * {seed})`, `experimentSeeds`), so the page and the Node table measure the same searches.
 *
 * Why one run of B calls gives the curve at every b ≤ B: the first b calls of that run are
 * exactly the calls a run with budget b would make, because
 * - `step` is `askBatch(1)`, generate, `tell`: one model call per step, the next step
 *   planned only after the previous one was told, so no trial is pending when an algorithm
 *   chooses;
 * - no algorithm is told the budget; its choice reads only the tree (scores, visits, its
 *   statistics) and the tree's own PRNG state (`tree.rng`), which only earlier steps advanced:
 *   - repeated sampling: always the root, no randomness;
 *   - refinement: always the chain's tip, no randomness;
 *   - MCTS: UCT over told visits and values (N is the visits so far, not the budget), ties by
 *     node id, no randomness;
 *   - AB-MCTS-A: Thompson draws from posteriors of told scores, drawn from `tree.rng`;
 *   - AB-MCTS-M: MCMC with fixed warm-up and draw counts and posterior-predictive draws, all
 *     from `tree.rng`;
 * - call k's prompt is built from the parent node's conversation (in the tree) and sampled
 *   with seed `sampling + k`, whatever the budget.
 * The one assumption outside this code: the model returns the same completion for the same
 * messages and seed. The decode loop samples with a seeded generator; `npm run bench:search`
 * replayed 160 recorded calls with and without the KV prefix cache and got every completion
 * back. `tests/unit/budget-curves.test.ts` checks the prefix property with a seeded fake model.
 */
import type { ChatModel } from '../llm/types.js';
import { countdownShapedReward, generateCountdown, type CountdownProblem } from './countdown.js';
import {
  createAlgorithm,
  experimentSeeds,
  runSearch,
  type AlgorithmName,
} from './countdown-search.js';

/** One search: one algorithm on one task, every call's result in call order. */
export interface BudgetRun {
  algorithm: AlgorithmName;
  /** 0-based task index. */
  task: number;
  problem: CountdownProblem;
  /** The search's score of each call: TinyZero's reward (0, 0.1 in format, 1 correct). */
  rewards: number[];
  /**
   * `countdownShapedReward` of each call's completion (partial credit for using the given
   * numbers), computed on the side: the search itself still follows `rewards`.
   */
  shapedRewards: number[];
  /** Each call's answer (`null` without `<answer>` tags). */
  answers: (string | null)[];
}

export interface BudgetExperimentOptions {
  algorithms: readonly AlgorithmName[];
  tasks: number;
  /** Model calls per search (B). */
  budget: number;
  seed: number;
  signal?: AbortSignal;
  /** After every model call: calls done so far and in all. */
  onProgress?: (done: number, total: number) => void;
  /** After every finished search. */
  onRun?: (run: BudgetRun) => void;
}

/** The tasks of an experiment seeded with `seed` (the Node script's tasks). */
export function budgetTasks(tasks: number, seed: number): CountdownProblem[] {
  return generateCountdown(tasks, { seed });
}

/**
 * Runs every algorithm on every task, task by task (so partial results cover the
 * algorithms evenly). Rejects with an AbortError when `signal` aborts; the runs finished
 * by then were already handed to `onRun`.
 */
export async function runBudgetExperiment(
  model: ChatModel,
  options: BudgetExperimentOptions,
): Promise<BudgetRun[]> {
  const { algorithms, budget, seed, signal } = options;
  if (!Number.isInteger(options.tasks) || options.tasks < 1) {
    throw new RangeError(`tasks must be an integer >= 1, got ${options.tasks}`);
  }
  if (!Number.isInteger(budget) || budget < 1) {
    throw new RangeError(`budget must be an integer >= 1, got ${budget}`);
  }
  const problems = budgetTasks(options.tasks, seed);
  const total = problems.length * algorithms.length * budget;
  let done = 0;
  const runs: BudgetRun[] = [];
  for (const [task, problem] of problems.entries()) {
    const seeds = experimentSeeds(seed, task);
    for (const algorithm of algorithms) {
      const run: BudgetRun = {
        algorithm,
        task,
        problem,
        rewards: [],
        shapedRewards: [],
        answers: [],
      };
      await runSearch(createAlgorithm(algorithm, seeds.algorithm), model, problem, budget, {
        seed: seeds.sampling,
        signal,
        onAttempt: (attempt) => {
          run.rewards.push(attempt.reward);
          run.shapedRewards.push(countdownShapedReward(attempt.completion, problem).reward);
          run.answers.push(attempt.answer);
          options.onProgress?.(++done, total);
        },
      });
      runs.push(run);
      options.onRun?.(run);
    }
  }
  return runs;
}
