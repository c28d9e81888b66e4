/**
 * A GRPO / GSPO training run on Countdown for a low-rank adapter on a model's output head:
 * the puzzles, the reward, one step at a time with every number a learner wants to see, and
 * the held-out evaluation in the book's line format. `scripts/train-countdown.ts` (Node) and
 * the RL lab's training worker (browser) both drive this class, so they run the same recipe.
 *
 * The default puzzles are easy ones (three numbers from 1 to 9): the bundled micro model
 * almost never solves a full-size puzzle, and on those a head-only adapter finds no signal.
 * On small numbers it measurably learns to write the given numbers (see docs/rl-lab.md).
 */
import type { ChatModel } from '../llm/types.js';
import type { DecodeOptions, DecodeResult } from '../llm/decode-loop.js';
import {
  countdownReward,
  countdownShapedReward,
  formatEvalLine,
  generateCountdown,
  type CountdownProblem,
  type CountdownPuzzle,
} from './countdown.js';
import { countdownPrompt } from './countdown-search.js';
import { GRPO_CLIP, GSPO_CLIP, gspoSequenceRatio, isClipped, k3KL, tokenRatios } from './grpo.js';
import { headTrainingStep } from './head-trainer.js';
import { hybridRewards } from './hybrid.js';
import { createLoraHead, headAdapterOf, LoraAdamW, type LoraHead } from './lora-head.js';
import { rulerScore, RulerError } from './ruler.js';

/** What the trainer needs from a model: token-level decoding with a head adapter. */
export interface CountdownPolicy {
  readonly vocabSize: number;
  /** Width of the final hidden state the adapter reads. */
  readonly hiddenSize: number;
  /** Token ids of the chat prompt that poses `problem`. */
  promptIds(problem: CountdownProblem): number[];
  generate(prompt: readonly number[], options: DecodeOptions): Promise<DecodeResult>;
  tokenText(tokenId: number): string;
}

/**
 * `shaped`: `countdownShapedReward` (format, share of given numbers, correct).
 * `tinyzero`: 0 / 0.1 / 1. `hybrid`: the shaped reward as a graded gate times
 * (α + β · the RULER judge's min-max normalized score for the group).
 */
export type TrainingRewardKind = 'shaped' | 'tinyzero' | 'hybrid';

export interface CountdownTrainingConfig {
  algorithm: 'grpo' | 'gspo';
  /** Completions per prompt (G). */
  groupSize: number;
  /** Clip range, both sides: [1 − ε, 1 + ε]. GRPO's scale is ~0.2, GSPO's ~3e-4. */
  epsilon: number;
  /** Weight of the k3 KL to the model without the adapter. */
  beta: number;
  /** AdamW learning rate of the adapter. */
  lr: number;
  rank: number;
  /** Training steps (one prompt and its group each). */
  steps: number;
  /** Updates per sampled group; above 1 the importance ratios leave 1 and clipping can act. */
  epochs: number;
  temperature: number;
  maxTokens: number;
  seed: number;
  /** Held-out puzzles in an evaluation. */
  evalCount: number;
  /** Numbers per puzzle. */
  numbers: number;
  /** Largest given number. */
  maxNumber: number;
  reward: TrainingRewardKind;
  /** α and β of the hybrid reward. */
  hybridAlpha: number;
  hybridBeta: number;
}

export const DEFAULT_COUNTDOWN_TRAINING: Readonly<CountdownTrainingConfig> = Object.freeze({
  algorithm: 'grpo',
  groupSize: 8,
  epsilon: GRPO_CLIP.epsilon,
  beta: 0.02,
  lr: 0.003,
  rank: 8,
  steps: 80,
  epochs: 2,
  temperature: 1,
  maxTokens: 96,
  seed: 0,
  evalCount: 40,
  numbers: 3,
  maxNumber: 9,
  reward: 'shaped',
  hybridAlpha: 0.5,
  hybridBeta: 0.5,
});

/** Each algorithm's usual clip ε (GSPO's sequence ratios live on a far narrower band). */
export function defaultEpsilon(algorithm: CountdownTrainingConfig['algorithm']): number {
  return algorithm === 'gspo' ? GSPO_CLIP.epsilon : GRPO_CLIP.epsilon;
}

/** Fills defaults and rejects values that cannot train, with the reason. */
export function trainingConfig(
  partial: Partial<CountdownTrainingConfig> = {},
): CountdownTrainingConfig {
  const config = { ...DEFAULT_COUNTDOWN_TRAINING, ...partial };
  if (partial.algorithm && partial.epsilon === undefined)
    config.epsilon = defaultEpsilon(partial.algorithm);
  const integer = (key: keyof CountdownTrainingConfig, min: number, max: number) => {
    const v = config[key] as number;
    if (!Number.isInteger(v) || v < min || v > max)
      throw new RangeError(`${key} must be a whole number from ${min} to ${max}, got ${v}`);
  };
  const real = (key: keyof CountdownTrainingConfig, min: number, max: number) => {
    const v = config[key] as number;
    if (!Number.isFinite(v) || v < min || v > max)
      throw new RangeError(`${key} must lie in [${min}, ${max}], got ${v}`);
  };
  if (config.algorithm !== 'grpo' && config.algorithm !== 'gspo')
    throw new RangeError(`algorithm must be grpo or gspo, got ${String(config.algorithm)}`);
  if (!['shaped', 'tinyzero', 'hybrid'].includes(config.reward))
    throw new RangeError(`reward must be shaped, tinyzero or hybrid, got ${config.reward}`);
  integer('groupSize', 2, 64);
  integer('rank', 1, 64);
  integer('steps', 1, 100_000);
  integer('epochs', 1, 16);
  integer('maxTokens', 8, 512);
  integer('seed', 0, 2 ** 31 - 1);
  integer('evalCount', 1, 10_000);
  integer('numbers', 2, 6);
  integer('maxNumber', 1, 1000);
  real('epsilon', 0, 1);
  real('beta', 0, 10);
  real('lr', 0, 1);
  real('temperature', 0, 5);
  real('hybridAlpha', 0, 10);
  real('hybridBeta', 0, 10);
  return config;
}

export interface EvaluationReport {
  adapter: boolean;
  count: number;
  meanReward: number;
  /** Answers that use only given numbers, each at most as often as given. */
  legal: number;
  correct: number;
  /** `nums=[…] target=… -> expr => CORRECT/WRONG (reason)`, one per puzzle. */
  lines: string[];
}

export interface RolloutReport {
  text: string;
  line: string;
  reward: number;
  advantage: number;
  /** The sampled tokens as text, the stop token included. */
  tokens: string[];
  /** π_new / π_old per token in the last update. */
  ratios: number[];
  /** Per token, whether clipping removed its gradient (GRPO's token-level region). */
  clipped: boolean[];
  /** k3 estimate of the KL to the reference, per token. */
  kl: number[];
  /** GSPO's length-normalized sequence ratio (shown for both algorithms). */
  sequenceRatio: number;
  /** Whether the sequence ratio fell outside GSPO's band (the unit GSPO clips). */
  sequenceClipped: boolean;
}

export interface TrainingStepReport {
  /** 1-based. */
  step: number;
  task: CountdownPuzzle;
  meanReward: number;
  kl: number;
  clipFraction: number;
  loss: number;
  policyLoss: number;
  tokens: number;
  ms: number;
  config: Pick<CountdownTrainingConfig, 'algorithm' | 'groupSize' | 'epsilon' | 'beta'>;
  rollouts: RolloutReport[];
  /** Set when the hybrid reward's judge failed: the step then used the gate alone. */
  judgeError?: string;
}

export interface CountdownTrainingOptions {
  /** Judge for the hybrid reward (any chat model; the policy's own model works). */
  judge?: ChatModel;
  /** Continue from an existing adapter instead of a fresh one. */
  head?: LoraHead;
}

export class CountdownTraining {
  config: CountdownTrainingConfig;
  head: LoraHead;
  private optimizer: LoraAdamW;
  readonly trainTasks: CountdownPuzzle[];
  readonly heldOut: CountdownPuzzle[];
  stepsDone = 0;

  constructor(
    private readonly policy: CountdownPolicy,
    config: Partial<CountdownTrainingConfig> = {},
    private readonly options: CountdownTrainingOptions = {},
  ) {
    this.config = trainingConfig(config);
    const { seed, numbers, maxNumber } = this.config;
    const puzzles = { count: numbers, maxNumber };
    this.trainTasks = generateCountdown(this.config.steps, { ...puzzles, seed: 1000 + seed });
    // one fixed held-out set per puzzle size, whatever the training seed
    this.heldOut = generateCountdown(this.config.evalCount, { ...puzzles, seed: 999_999 });
    this.head = options.head ?? this.freshHead();
    checkHead(this.head, policy);
    this.optimizer = new LoraAdamW(this.head, { lr: this.config.lr });
  }

  private freshHead(): LoraHead {
    return createLoraHead({
      vocab: this.policy.vocabSize,
      dim: this.policy.hiddenSize,
      rank: this.config.rank,
      seed: this.config.seed,
    });
  }

  /** Changes what the next steps use (G, ε, β, learning rate…); puzzles stay as they are. */
  reconfigure(partial: Partial<CountdownTrainingConfig>): void {
    const next = trainingConfig({ ...this.config, ...partial });
    if (next.lr !== this.config.lr) this.optimizer.options.lr = next.lr;
    this.config = next;
  }

  /** Greedy answers to the held-out puzzles, with or without the adapter. */
  async evaluate(
    options: {
      adapter?: boolean;
      signal?: AbortSignal;
      onProgress?: (done: number, total: number) => void;
    } = {},
  ): Promise<EvaluationReport> {
    const adapter = options.adapter ?? true;
    let total = 0;
    let legal = 0;
    let correct = 0;
    const lines: string[] = [];
    for (const [i, task] of this.heldOut.entries()) {
      options.signal?.throwIfAborted();
      const result = await this.policy.generate(this.policy.promptIds(task), {
        maxTokens: this.config.maxTokens,
        temperature: 0,
        signal: options.signal,
        ...(adapter ? { headAdapter: headAdapterOf(this.head) } : {}),
      });
      const scored = countdownShapedReward(result.text, task);
      total += this.rewardOf(result.text, task);
      // a shaped reward of 0.4 = format + every written number a given one
      if (scored.reward >= 0.4) legal++;
      if (scored.verdict.correct) correct++;
      lines.push(formatEvalLine(task, scored.answer, scored.verdict));
      options.onProgress?.(i + 1, this.heldOut.length);
    }
    const count = this.heldOut.length;
    return { adapter, count, meanReward: total / count, legal, correct, lines };
  }

  /** The per-completion reward (the hybrid reward's gate is the shaped reward). */
  private rewardOf(text: string, task: CountdownProblem): number {
    return this.config.reward === 'tinyzero'
      ? countdownReward(text, task).reward
      : countdownShapedReward(text, task).reward;
  }

  /** One GRPO/GSPO step on the next training puzzle. */
  async step(signal?: AbortSignal): Promise<TrainingStepReport> {
    const started = performance.now();
    const index = this.stepsDone % this.trainTasks.length;
    const task = this.trainTasks[index];
    const config = this.config;
    const prompt = this.policy.promptIds(task);
    let judgeError: string | undefined;
    const result = await headTrainingStep({
      head: this.head,
      optimizer: this.optimizer,
      groupSize: config.groupSize,
      algorithm: config.algorithm,
      epochs: config.epochs,
      beta: config.beta,
      epsilon: config.epsilon,
      groupReward: async (texts) => {
        const gates = texts.map((text) => this.rewardOf(text, task));
        if (config.reward !== 'hybrid') return gates;
        if (!this.options.judge) throw new Error('The hybrid reward needs a judge model.');
        try {
          const question = { role: 'user' as const, content: countdownPrompt(task) };
          const judged = await rulerScore(
            this.options.judge,
            texts.map((text) => [question, { role: 'assistant' as const, content: text }]),
            { signal },
          );
          return hybridRewards(
            gates,
            judged.scores.map((s) => s.score),
            { alpha: config.hybridAlpha, beta: config.hybridBeta },
          );
        } catch (error) {
          if (!(error instanceof RulerError)) throw error;
          judgeError = `${error.message} The step used the shaped reward alone.`;
          return gates;
        }
      },
      sample: async (n) => {
        const rollouts = [];
        for (let k = 0; k < n; k++) {
          const decoded = await this.policy.generate(prompt, {
            maxTokens: config.maxTokens,
            temperature: config.temperature,
            seed: config.seed * 1_000_003 + this.stepsDone * 97 + k,
            recordSteps: true,
            headAdapter: headAdapterOf(this.head),
            signal,
          });
          rollouts.push({ text: decoded.text, steps: decoded.steps! });
        }
        return rollouts;
      },
    });
    this.stepsDone++;
    const band = { epsilon: config.epsilon, epsilonHigh: config.epsilon };
    const sequenceRatios = gspoSequenceRatio(result.logpNew, result.logpOld);
    const rollouts = result.rollouts.map((rollout, i): RolloutReport => {
      const ratios = tokenRatios(result.logpNew[i], result.logpOld[i]);
      const scored = countdownShapedReward(rollout.text, task);
      return {
        text: rollout.text,
        line: formatEvalLine(task, scored.answer, scored.verdict),
        reward: result.rewards[i],
        advantage: result.advantages[i],
        tokens: rollout.steps.map((s) => this.policy.tokenText(s.tokenId)),
        ratios,
        clipped: ratios.map((r) => isClipped(r, result.advantages[i], band)),
        kl: k3KL(result.logpNew[i], result.logpRef[i]),
        sequenceRatio: sequenceRatios[i],
        sequenceClipped: isClipped(sequenceRatios[i], result.advantages[i], band),
      };
    });
    return {
      step: this.stepsDone,
      task,
      meanReward: result.meanReward,
      kl: result.loss.kl,
      clipFraction: result.loss.clipFraction,
      loss: result.loss.loss,
      policyLoss: result.loss.policyLoss,
      tokens: result.tokens,
      ms: performance.now() - started,
      config: {
        algorithm: config.algorithm,
        groupSize: config.groupSize,
        epsilon: config.epsilon,
        beta: config.beta,
      },
      rollouts,
      ...(judgeError ? { judgeError } : {}),
    };
  }

  /** Replaces the adapter (e.g. one loaded from storage) and restarts the optimizer on it. */
  setHead(head: LoraHead): void {
    checkHead(head, this.policy);
    this.head = head;
    this.optimizer = new LoraAdamW(head, { lr: this.config.lr });
  }

  /** A fresh adapter (B = 0: the model's own behaviour) and a fresh optimizer. */
  reset(): void {
    this.setHead(this.freshHead());
    this.stepsDone = 0;
  }
}

/** An adapter must match the model it adapts. */
export function checkHead(
  head: LoraHead,
  policy: Pick<CountdownPolicy, 'vocabSize' | 'hiddenSize'>,
) {
  if (head.vocab !== policy.vocabSize || head.dim !== policy.hiddenSize) {
    throw new RangeError(
      `This adapter was made for a head of ${head.vocab} tokens × ${head.dim} dimensions; the model has ${policy.vocabSize} × ${policy.hiddenSize}.`,
    );
  }
  if (head.A.length !== head.rank * head.dim || head.B.length !== head.vocab * head.rank)
    throw new RangeError('The adapter is damaged: its matrices do not match its rank.');
}

/** The training view of a loaded Transformers.js chat model. */
export function countdownPolicyOf(model: {
  lm: {
    vocabSize: number;
    hiddenSize: number;
    encode(text: string): number[];
    decode(ids: readonly number[]): string;
  };
  loop: { generate(prompt: readonly number[], options: DecodeOptions): Promise<DecodeResult> };
  renderPrompt(messages: { role: 'user'; content: string }[], options: object): string;
}): CountdownPolicy {
  return {
    vocabSize: model.lm.vocabSize,
    hiddenSize: model.lm.hiddenSize,
    promptIds: (problem) =>
      model.lm.encode(
        model.renderPrompt([{ role: 'user', content: countdownPrompt(problem) }], {}),
      ),
    generate: (prompt, options) => model.loop.generate(prompt, options),
    tokenText: (id) => model.lm.decode([id]),
  };
}
