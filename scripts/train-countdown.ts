/**
 * A short GRPO (or GSPO) run in Node: a LoRA adapter on the micro model's output head,
 * trained on seeded Countdown puzzles and evaluated greedily on held-out puzzles before and
 * after, in the book's line format. The browser's RL lab (/lab/grpo) runs the same
 * `CountdownTraining` in a worker.
 *
 * Usage: npm run train:countdown -- [--steps 80] [--group 8] [--algorithm grpo|gspo]
 *        [--lr 0.003] [--rank 8] [--beta 0.02] [--epsilon E] [--eval 40] [--seed 0]
 *        [--numbers 3] [--max-number 9] [--reward shaped|tinyzero|hybrid] [--log FILE]
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { TransformersChatModel } from '../src/lib/llm/engines/transformers.js';
import {
  CountdownTraining,
  countdownPolicyOf,
  type CountdownTrainingConfig,
} from '../src/lib/rl/countdown-training.js';

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const number = (name: string) => (flag(name) === undefined ? undefined : Number(flag(name)));

const overrides: Partial<CountdownTrainingConfig> = {
  steps: number('steps'),
  groupSize: number('group'),
  algorithm: flag('algorithm') as CountdownTrainingConfig['algorithm'] | undefined,
  lr: number('lr'),
  rank: number('rank'),
  beta: number('beta'),
  epsilon: number('epsilon'),
  evalCount: number('eval'),
  seed: number('seed'),
  numbers: number('numbers'),
  maxNumber: number('max-number'),
  reward: flag('reward') as CountdownTrainingConfig['reward'] | undefined,
};
const config = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
const logPath = flag('log');

const MODELS = fileURLToPath(new URL('../static-models/', import.meta.url));
const model = await TransformersChatModel.load({
  model: 'micro-agent',
  localModelPath: MODELS,
  allowRemoteModels: false,
  device: 'cpu',
});
const training = new CountdownTraining(countdownPolicyOf(model), config, { judge: model });
const held = training.heldOut.length;
const summary = (r: { meanReward: number; legal: number; correct: number }) =>
  `held-out reward ${r.meanReward.toFixed(3)}, legal ${r.legal}/${held}, correct ${r.correct}/${held}`;

const t0 = Date.now();
const before = await training.evaluate({ adapter: false });
console.log(`before: ${summary(before)}`);
const curve: Array<Record<string, number>> = [];
for (let i = 0; i < training.config.steps; i++) {
  const step = await training.step();
  curve.push({
    step: step.step,
    reward: step.meanReward,
    kl: step.kl,
    clipFraction: step.clipFraction,
  });
  if (step.judgeError) console.log(`step ${step.step}: ${step.judgeError}`);
  if (step.step % 10 === 0)
    console.log(
      `step ${step.step}: group reward ${step.meanReward.toFixed(3)}, kl ${step.kl.toFixed(4)}, clip ${step.clipFraction.toFixed(3)}, ${((Date.now() - t0) / 1000).toFixed(0)} s`,
    );
}
const after = await training.evaluate({ adapter: true });
console.log(`after:  ${summary(after)}`);
console.log(after.lines.slice(0, 5).join('\n'));
if (logPath)
  writeFileSync(
    logPath,
    JSON.stringify({ config: training.config, before, after, curve }, null, 1),
  );
console.log(
  `held-out reward ${before.meanReward.toFixed(3)} -> ${after.meanReward.toFixed(3)} in ${((Date.now() - t0) / 1000).toFixed(0)} s`,
);
