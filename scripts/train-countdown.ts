/**
 * A short GRPO (or GSPO) run in Node: a LoRA adapter on the micro model's output head,
 * trained on seeded Countdown puzzles with the shaped reward (format, legal numbers,
 * correct), and evaluated greedily on held-out puzzles before and after, in the book's
 * line format. The same trainer runs in the browser lab.
 *
 * Usage: npm run train:countdown -- [--steps 60] [--group 8] [--algorithm grpo|gspo]
 *        [--lr 0.02] [--rank 8] [--eval 40] [--seed 0] [--log FILE]
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { TransformersChatModel } from '../src/lib/llm/engines/transformers.js';
import {
  LoraAdamW,
  countdownShapedReward,
  createLoraHead,
  formatEvalLine,
  generateCountdown,
  headAdapterOf,
  type CountdownProblem,
  type LoraHead,
} from '../src/lib/rl/index.js';
import { countdownPrompt } from '../src/lib/rl/countdown-search.js';
import { headTrainingStep } from '../src/lib/rl/head-trainer.js';

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const steps = Number(flag('steps', '60'));
const groupSize = Number(flag('group', '8'));
const algorithm = flag('algorithm', 'grpo') as 'grpo' | 'gspo';
const lr = Number(flag('lr', '0.02'));
const rank = Number(flag('rank', '8'));
const evalCount = Number(flag('eval', '40'));
const seed = Number(flag('seed', '0'));
const logPath = flag('log', '');

const MODELS = fileURLToPath(new URL('../static-models/', import.meta.url));
const model = await TransformersChatModel.load({
  model: 'micro-agent',
  localModelPath: MODELS,
  allowRemoteModels: false,
  device: 'cpu',
});

function promptFor(task: CountdownProblem): number[] {
  return model.lm.encode(
    model.renderPrompt([{ role: 'user', content: countdownPrompt(task) }], {}),
  );
}

const puzzle = { count: [3, 4] as [number, number], maxNumber: 30 };
const train = generateCountdown(steps, { ...puzzle, seed: 1000 + seed });
const heldOut = generateCountdown(evalCount, { ...puzzle, seed: 999_999 });

async function evaluate(head: LoraHead) {
  let total = 0;
  let legal = 0;
  let correct = 0;
  const lines: string[] = [];
  for (const task of heldOut) {
    const result = await model.loop.generate(promptFor(task), {
      maxTokens: 96,
      headAdapter: headAdapterOf(head),
    });
    const scored = countdownShapedReward(result.text, task);
    total += scored.reward;
    if (scored.reward >= 0.4) legal++;
    if (scored.verdict.correct) correct++;
    lines.push(formatEvalLine(task, scored.answer, scored.verdict));
  }
  return { meanReward: total / heldOut.length, legal, correct, lines };
}

const head = createLoraHead({ vocab: model.lm.vocabSize, dim: 256, rank, seed });
const optimizer = new LoraAdamW(head, { lr });
const t0 = Date.now();
const before = await evaluate(head);
console.log(
  `before: held-out shaped reward ${before.meanReward.toFixed(3)}, legal ${before.legal}/${heldOut.length}, correct ${before.correct}/${heldOut.length}`,
);
const curve: Array<Record<string, number>> = [];
for (let i = 0; i < train.length; i++) {
  const task = train[i];
  const prompt = promptFor(task);
  const result = await headTrainingStep({
    head,
    optimizer,
    groupSize,
    algorithm,
    epochs: 2,
    beta: 0.02,
    reward: (text) => countdownShapedReward(text, task).reward,
    sample: async (n) => {
      const rollouts = [];
      for (let k = 0; k < n; k++) {
        const r = await model.loop.generate(prompt, {
          maxTokens: 96,
          temperature: 1,
          seed: seed * 1_000_003 + i * 97 + k,
          recordSteps: true,
          headAdapter: headAdapterOf(head),
        });
        rollouts.push({
          text: r.text,
          steps: r.steps!,
        });
      }
      return rollouts;
    },
  });
  curve.push({
    step: i + 1,
    reward: result.meanReward,
    kl: result.loss.kl,
    clipFraction: result.loss.clipFraction,
  });
  if ((i + 1) % 10 === 0)
    console.log(
      `step ${i + 1}: group reward ${result.meanReward.toFixed(3)}, kl ${result.loss.kl.toFixed(4)}, clip ${result.loss.clipFraction.toFixed(3)}, ${((Date.now() - t0) / 1000).toFixed(0)} s`,
    );
}
const after = await evaluate(head);
console.log(
  `after:  held-out shaped reward ${after.meanReward.toFixed(3)}, legal ${after.legal}/${heldOut.length}, correct ${after.correct}/${heldOut.length}`,
);
console.log(after.lines.slice(0, 5).join('\n'));
if (logPath) writeFileSync(logPath, JSON.stringify({ before, after, curve }, null, 1));
console.log(
  `held-out reward ${before.meanReward.toFixed(3)} -> ${after.meanReward.toFixed(3)} in ${((Date.now() - t0) / 1000).toFixed(0)} s`,
);
