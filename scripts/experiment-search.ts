/**
 * Search algorithms compared on seeded Countdown tasks with the bundled micro model, in
 * Node: repeated sampling, sequential refinement, MCTS, AB-MCTS-A and AB-MCTS-M, each
 * given the same tasks and the same number of model calls. One run per algorithm and task;
 * success at each budget prefix (4, 8, 16, … calls) is read off that run: a task counts
 * once any answer within the first b calls is correct. 95 % Wilson intervals.
 *
 *   npm run experiment:search -- --tasks 100 --budget 32
 *   flags: --seed N (1) --tasks N (10) --budget N (16) --algorithms a,b,… (all)
 *
 * Prompts and scoring: `src/lib/rl/countdown-search.ts`. Results: docs/search-experiment.md.
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { TransformersChatModel } from '../src/lib/llm/engines/transformers.js';
import { generateCountdown } from '../src/lib/rl/index.js';
import {
  ALGORITHMS,
  createAlgorithm,
  experimentSeeds,
  runSearch,
  type AlgorithmName,
} from '../src/lib/rl/countdown-search.js';
import {
  budgetPrefixes,
  formatTable,
  successTable,
  type TaskOutcome,
} from '../src/lib/search/success-table.js';

const STATIC_MODELS = fileURLToPath(new URL('../static-models/', import.meta.url));

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '1' },
    tasks: { type: 'string', default: '10' },
    budget: { type: 'string', default: '16' },
    algorithms: { type: 'string', default: ALGORITHMS.join(',') },
  },
});
const int = (name: string, text: string, min: number) => {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min)
    throw new RangeError(`--${name} must be an integer >= ${min}`);
  return n;
};
const seed = int('seed', values.seed, 0);
const taskCount = int('tasks', values.tasks, 1);
const budget = int('budget', values.budget, 1);
const algorithms = values.algorithms.split(',').map((a) => a.trim()) as AlgorithmName[];
for (const a of algorithms) {
  if (!ALGORITHMS.includes(a)) {
    throw new RangeError(`unknown algorithm '${a}'; choose from ${ALGORITHMS.join(', ')}`);
  }
}

const model = await TransformersChatModel.load({
  model: 'micro-agent',
  localModelPath: STATIC_MODELS,
  allowRemoteModels: false,
  device: 'cpu',
});
const puzzles = generateCountdown(taskCount, { seed });
console.log(
  `Countdown search: ${taskCount} tasks (seed ${seed}), ${budget} model calls per task, micro-agent on CPU`,
);

const outcomes: Record<string, TaskOutcome[]> = {};
const extras: string[] = [];
const started = performance.now();
for (const name of algorithms) {
  const t0 = performance.now();
  let wellFormed = 0;
  let attempts = 0;
  let depth = 0;
  let prompt = 0;
  let cached = 0;
  outcomes[name] = [];
  for (const [i, puzzle] of puzzles.entries()) {
    // Each search starts cold: the cache statistic then measures reuse within one tree.
    model.loop.cache.clear();
    const seeds = experimentSeeds(seed, i);
    const run = await runSearch(createAlgorithm(name, seeds.algorithm), model, puzzle, budget, {
      // The same sampling seeds for every algorithm: call k of task i draws with seed s + k.
      seed: seeds.sampling,
      onCall: (_, usage) => {
        prompt += usage.promptTokens;
        cached += usage.cachedPromptTokens;
      },
    });
    outcomes[name].push({ firstSuccess: run.firstSuccess, firstLegal: run.firstLegal });
    wellFormed += run.attempts.filter((a) => a.answer !== null).length;
    attempts += run.attempts.length;
    depth = Math.max(depth, run.maxDepth);
  }
  const seconds = (performance.now() - t0) / 1000;
  const line =
    `  ${name.padEnd(10)} ${seconds.toFixed(0)} s, answers in tags ${((100 * wellFormed) / attempts).toFixed(1)} %, ` +
    `deepest node ${depth}, prompt tokens from the KV cache within a search ${((100 * cached) / Math.max(1, prompt)).toFixed(0)} %`;
  extras.push(line);
  console.error(line);
}

const budgets = budgetPrefixes(budget);
console.log('\nTasks solved (a correct answer within b calls), 95 % Wilson interval in %:\n');
console.log(formatTable(successTable(outcomes, budgets)));
console.log(
  '\nTasks with a legal answer (allowed numbers, each at most once; correct or wrong value):\n',
);
console.log(formatTable(successTable(outcomes, budgets, (o) => o.firstLegal)));
console.log(`\n${extras.join('\n')}`);
console.log(`total ${((performance.now() - started) / 1000).toFixed(0)} s`);
await model.dispose();
