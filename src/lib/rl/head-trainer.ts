/**
 * GRPO / GSPO on a LoRA output head: one training step on one prompt's group.
 *
 * The caller supplies `sample` (a model that decodes with the adapter and records, for every
 * sampled token, its hidden state and base logits; see the decode loop's `headAdapter` and
 * `recordSteps`) and a reward. A step samples a group, normalizes the rewards within it,
 * keeps the sampling-time log-probabilities as the old policy, and runs `epochs` updates
 * of the adapter on the clipped surrogate (plus β·k3 to the reference policy = the model
 * without the adapter). Gradients are exact (`lora-head.ts`).
 */
import { advantages as groupAdvantages, grpoLoss, gspoLoss, type PolicyLoss } from './grpo.js';
import {
  loraGradients,
  sequenceLogProbs,
  softmaxAndLogProb,
  type LoraAdamW,
  type LoraHead,
  type TokenStep,
} from './lora-head.js';

export interface Rollout {
  text: string;
  steps: TokenStep[];
}

export interface HeadStepOptions {
  head: LoraHead;
  optimizer: LoraAdamW;
  /** Samples `n` completions with the current adapter. */
  sample: (n: number) => Promise<Rollout[]>;
  /** The reward of one completion; or use `groupReward` when rewards need the whole group. */
  reward?: (text: string) => number;
  /** Rewards for the whole group at once (e.g. a RULER judge that ranks it). */
  groupReward?: (texts: string[]) => number[] | Promise<number[]>;
  groupSize?: number;
  algorithm?: 'grpo' | 'gspo';
  /** Updates per sampled group (> 1 makes ratios and clipping matter). */
  epochs?: number;
  epsilon?: number;
  epsilonHigh?: number;
  /** Weight of the k3 KL to the model without the adapter. */
  beta?: number;
}

export interface HeadStepResult {
  rewards: number[];
  meanReward: number;
  advantages: number[];
  /** The loss of the last update. */
  loss: PolicyLoss;
  tokens: number;
  /** The sampled completions, in group order. */
  rollouts: Rollout[];
  /**
   * Per completion and token: log-probabilities under the policy that sampled them, under
   * the adapter the last update saw (their difference gives the importance ratios shown),
   * and under the model alone (the reference of the KL).
   */
  logpOld: number[][];
  logpNew: number[][];
  logpRef: number[][];
}

/** Log-probabilities of each sequence's tokens under the model alone (no adapter). */
export function referenceLogProbs(sequences: readonly (readonly TokenStep[])[]): number[][] {
  return sequences.map((steps) =>
    steps.map((s) => softmaxAndLogProb(s.baseLogits, s.tokenId).logp),
  );
}

export async function headTrainingStep(options: HeadStepOptions): Promise<HeadStepResult> {
  const { head, optimizer } = options;
  const rollouts = await options.sample(options.groupSize ?? 8);
  let rewards: number[];
  if (options.groupReward) rewards = await options.groupReward(rollouts.map((r) => r.text));
  else if (options.reward) rewards = rollouts.map((r) => options.reward!(r.text));
  else throw new TypeError('headTrainingStep needs reward or groupReward');
  if (rewards.length !== rollouts.length || !rewards.every(Number.isFinite))
    throw new RangeError(`expected ${rollouts.length} finite rewards, got ${rewards}`);
  const adv = groupAdvantages(rewards);
  const sequences = rollouts.map((r) => r.steps);
  const logpOld = sequenceLogProbs(head, sequences);
  const beta = options.beta ?? 0;
  // computed even at beta = 0: the KL to the reference is reported either way
  const logpRef = referenceLogProbs(sequences);
  const lossOf = options.algorithm === 'gspo' ? gspoLoss : grpoLoss;
  const clip = {
    ...(options.epsilon !== undefined ? { epsilon: options.epsilon } : {}),
    ...(options.epsilonHigh !== undefined ? { epsilonHigh: options.epsilonHigh } : {}),
  };
  let loss: PolicyLoss | undefined;
  let logpNew = logpOld;
  const epochs = options.epochs ?? 1;
  for (let epoch = 0; epoch < epochs; epoch++) {
    logpNew = epoch === 0 ? logpOld : sequenceLogProbs(head, sequences);
    loss = lossOf({ logpNew, logpOld, logpRef, advantages: adv }, { ...clip, beta });
    // a group whose rewards are all equal has zero advantages: nothing to learn from it
    if (adv.every((a) => a === 0) && beta === 0) break;
    optimizer.step(loraGradients(head, sequences, loss.gradLogpNew));
  }
  return {
    rewards,
    meanReward: rewards.reduce((a, b) => a + b, 0) / rewards.length,
    advantages: adv,
    loss: loss!,
    tokens: sequences.reduce((n, s) => n + s.length, 0),
    rollouts,
    logpOld,
    logpNew,
    logpRef,
  };
}
