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
  reward: (text: string) => number;
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
  const rewards = rollouts.map((r) => options.reward(r.text));
  const adv = groupAdvantages(rewards);
  const sequences = rollouts.map((r) => r.steps);
  const logpOld = sequenceLogProbs(head, sequences);
  const beta = options.beta ?? 0;
  const logpRef = beta > 0 ? referenceLogProbs(sequences) : undefined;
  const lossOf = options.algorithm === 'gspo' ? gspoLoss : grpoLoss;
  const clip = {
    ...(options.epsilon !== undefined ? { epsilon: options.epsilon } : {}),
    ...(options.epsilonHigh !== undefined ? { epsilonHigh: options.epsilonHigh } : {}),
  };
  let loss: PolicyLoss | undefined;
  const epochs = options.epochs ?? 1;
  for (let epoch = 0; epoch < epochs; epoch++) {
    const logpNew = epoch === 0 ? logpOld : sequenceLogProbs(head, sequences);
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
  };
}
