/**
 * AB-MCTS-A on Countdown with the bundled micro model in Node: KV forking (the engine's
 * prefix cache) against re-prefilling every prompt, on the same tree.
 *
 * 1. Record: AB-MCTS-A runs `--budget` model calls on each of `--tasks` seeded Countdown
 *    tasks (prompts and seeds as in `npm run experiment:search`), recording every
 *    generation request (the conversation of the node's path and the sampling options).
 * 2. Replay: the recorded requests, task by task, on a model whose prefix cache starts
 *    empty (forked) and on one whose cache budget is 0 bytes, so nothing is ever reused
 *    (re-prefilled). Both do the same calls with the same seeds; only prefix reuse differs.
 *
 * Prints both runs' wall time and prefilled prompt tokens, how many completions came out
 * identical, and last `search fork speedup N.NNx, prefill tokens saved N.NNx`.
 *
 *   npm run bench:search            flags: --tasks N (5) --budget N (32) --seed N (1)
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { TransformersChatModel } from '../src/lib/llm/engines/transformers.js';
import { generateCountdown } from '../src/lib/rl/index.js';
import {
  createAlgorithm,
  runSearch,
  type GenerationRequest,
} from '../src/lib/rl/countdown-search.js';

const STATIC_MODELS = fileURLToPath(new URL('../static-models/', import.meta.url));

const { values } = parseArgs({
  options: {
    tasks: { type: 'string', default: '5' },
    budget: { type: 'string', default: '32' },
    seed: { type: 'string', default: '1' },
  },
});
const tasks = Number(values.tasks);
const budget = Number(values.budget);
const seed = Number(values.seed);

const load = (kvBudgetBytes?: number) =>
  TransformersChatModel.load({
    model: 'micro-agent',
    localModelPath: STATIC_MODELS,
    allowRemoteModels: false,
    device: 'cpu',
    kvBudgetBytes,
  });
const recorder = await load();
const forked = await load();
const refilled = await load(0);

// 1. Record the trees.
const recorded: GenerationRequest[][] = [];
const completions: string[][] = [];
let maxDepth = 0;
let nodes = 0;
for (const [i, puzzle] of generateCountdown(tasks, { seed }).entries()) {
  const requests: GenerationRequest[] = [];
  const run = await runSearch(
    createAlgorithm('ab-mcts-a', seed * 1000 + i),
    recorder,
    puzzle,
    budget,
    { seed: seed * 1_000_000 + i * 1000, onCall: (request) => requests.push(request) },
  );
  recorded.push(requests);
  completions.push(run.attempts.map((a) => a.completion));
  maxDepth = Math.max(maxDepth, run.maxDepth);
  nodes += run.attempts.length;
}
await recorder.dispose();

// 2. Replay, task by task, forked then re-prefilled (interleaved, so a busy machine
// slows both alike).
interface Totals {
  ms: number;
  prefilled: number;
  prompt: number;
  same: number;
}
const totals = (): Totals => ({ ms: 0, prefilled: 0, prompt: 0, same: 0 });
const fork = totals();
const refill = totals();
const replay = async (
  model: TransformersChatModel,
  requests: GenerationRequest[],
  expected: string[],
  into: Totals,
) => {
  for (const [k, request] of requests.entries()) {
    const t0 = performance.now();
    const result = await model.invoke(request.messages, request.options);
    into.ms += performance.now() - t0;
    into.prompt += result.usage.promptTokens;
    into.prefilled += result.usage.promptTokens - result.usage.cachedPromptTokens;
    if (result.message.content === expected[k]) into.same++;
  }
};
forked.loop.cache.clear();
for (const [i, requests] of recorded.entries()) {
  await replay(forked, requests, completions[i], fork);
  await replay(refilled, requests, completions[i], refill);
}
await forked.dispose();
await refilled.dispose();

const speedup = refill.ms / fork.ms;
const saved = refill.prefilled / Math.max(1, fork.prefilled);
console.log(
  `AB-MCTS-A on ${tasks} Countdown tasks (seed ${seed}), ${budget} calls each: ${nodes} nodes, deepest ${maxDepth}, micro-agent on CPU`,
);
for (const [name, t] of [
  ['forked', fork],
  ['re-prefilled', refill],
] as const) {
  console.log(
    `  ${name.padEnd(12)} ${(t.ms / 1000).toFixed(2)} s, ${t.prefilled} of ${t.prompt} prompt tokens prefilled, ` +
      `${t.same}/${nodes} completions as recorded`,
  );
}
console.log(
  `search fork speedup ${speedup.toFixed(2)}x, prefill tokens saved ${saved.toFixed(2)}x`,
);
