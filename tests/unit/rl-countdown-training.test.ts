/**
 * The Countdown GRPO/GSPO run the RL lab and `train:countdown` share, on the bundled micro
 * model in Node: settings checked, step reports consistent with the losses, evaluation in
 * the book's format, and adapters that cannot fit refused.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TransformersChatModel } from '../../src/lib/llm/engines/transformers.js';
import {
  CountdownTraining,
  DEFAULT_COUNTDOWN_TRAINING,
  countdownPolicyOf,
  defaultEpsilon,
  trainingConfig,
  type CountdownPolicy,
} from '../../src/lib/rl/countdown-training.js';
import { createLoraHead } from '../../src/lib/rl/lora-head.js';

const MODELS = fileURLToPath(new URL('../../static-models/', import.meta.url));
let model: TransformersChatModel;
let policy: CountdownPolicy;

beforeAll(async () => {
  model = await TransformersChatModel.load({
    model: 'micro-agent',
    localModelPath: MODELS,
    allowRemoteModels: false,
    device: 'cpu',
  });
  policy = countdownPolicyOf(model);
}, 60_000);

afterAll(() => model?.dispose());

describe('trainingConfig', () => {
  it('fills defaults, and switching to GSPO brings its own clip range', () => {
    expect(trainingConfig()).toEqual(DEFAULT_COUNTDOWN_TRAINING);
    expect(trainingConfig({ algorithm: 'gspo' }).epsilon).toBe(defaultEpsilon('gspo'));
    expect(trainingConfig({ algorithm: 'gspo', epsilon: 0.01 }).epsilon).toBe(0.01);
  });

  it('refuses settings that cannot train, naming the setting', () => {
    expect(() => trainingConfig({ groupSize: 1 })).toThrow(/groupSize must be a whole number/);
    expect(() => trainingConfig({ lr: Number.NaN })).toThrow(/lr must lie in/);
    expect(() => trainingConfig({ steps: 2.5 })).toThrow(/steps/);
    expect(() => trainingConfig({ algorithm: 'ppo' as 'grpo' })).toThrow(/grpo or gspo/);
    expect(() => trainingConfig({ reward: 'vibes' as 'shaped' })).toThrow(/reward must be/);
  });
});

describe('CountdownTraining on the micro model', () => {
  it('a step reports a group whose numbers agree with each other', async () => {
    const training = new CountdownTraining(policy, { steps: 3, groupSize: 4, evalCount: 2 });
    const report = await training.step();
    expect(report.step).toBe(1);
    expect(report.task).toEqual(training.trainTasks[0]);
    expect(report.rollouts).toHaveLength(4);
    const advantages = report.rollouts.map((r) => r.advantage);
    expect(Math.abs(advantages.reduce((a, b) => a + b, 0))).toBeLessThan(1e-9);
    expect(report.meanReward).toBeCloseTo(
      report.rollouts.reduce((s, r) => s + r.reward, 0) / 4,
      12,
    );
    let tokens = 0;
    for (const r of report.rollouts) {
      tokens += r.tokens.length;
      expect(r.ratios).toHaveLength(r.tokens.length);
      expect(r.kl).toHaveLength(r.tokens.length);
      expect(r.kl.every((k) => k >= 0)).toBe(true);
      // the tokens are the completion (plus the stop token's text)
      expect(r.tokens.join('').startsWith(r.text)).toBe(true);
      expect(r.line).toMatch(/^nums=\[\d, \d, \d\] target=\d+ -> /);
      // the sequence ratio is the geometric mean of the token ratios
      const geometric = Math.exp(r.ratios.reduce((s, x) => s + Math.log(x), 0) / r.ratios.length);
      expect(r.sequenceRatio).toBeCloseTo(geometric, 9);
    }
    expect(report.tokens).toBe(tokens);
    // with two updates per group the second sees an adapter that has moved (unless no signal)
    if (advantages.some((a) => a !== 0))
      expect(report.rollouts.some((r) => r.ratios.some((x) => Math.abs(x - 1) > 1e-6))).toBe(true);
  }, 60_000);

  it('live settings apply to the next step', async () => {
    const training = new CountdownTraining(policy, { steps: 3, groupSize: 4, evalCount: 2 });
    training.reconfigure({ groupSize: 3, algorithm: 'gspo', epsilon: 0.001, beta: 0 });
    const report = await training.step();
    expect(report.rollouts).toHaveLength(3);
    expect(report.config).toEqual({ algorithm: 'gspo', groupSize: 3, epsilon: 0.001, beta: 0 });
    expect(() => training.reconfigure({ beta: -1 })).toThrow(/beta/);
  }, 60_000);

  it('a fresh adapter changes nothing: evaluation with and without it agree, in the book format', async () => {
    const training = new CountdownTraining(policy, { evalCount: 3 });
    const off = await training.evaluate({ adapter: false });
    const on = await training.evaluate({ adapter: true });
    expect(on.lines).toEqual(off.lines);
    expect(on.meanReward).toBe(off.meanReward);
    expect(off.lines).toHaveLength(3);
    for (const line of off.lines)
      expect(line).toMatch(/^nums=\[.*\] target=\d+ -> .* => (CORRECT|WRONG \(.+\))$/);
  }, 60_000);

  it('refuses an adapter made for another head', () => {
    const wrong = createLoraHead({ vocab: policy.vocabSize + 1, dim: policy.hiddenSize });
    expect(() => new CountdownTraining(policy, {}, { head: wrong })).toThrow(/made for a head of/);
    const training = new CountdownTraining(policy, { evalCount: 1 });
    const damaged = { ...training.head, A: new Float32Array(3) };
    expect(() => training.setHead(damaged)).toThrow(/damaged/);
  });
});
