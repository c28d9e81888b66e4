import { describe, expect, it } from 'vitest';
import { advantages, grpoLoss, gspoLoss } from '../../src/lib/rl/grpo.js';
import {
  LoraAdamW,
  adaptedLogits,
  createLoraHead,
  loraGradients,
  sequenceLogProbs,
  softmaxAndLogProb,
  type LoraHead,
  type TokenStep,
} from '../../src/lib/rl/lora-head.js';

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

const randomVector = (n: number, r: () => number) =>
  Float32Array.from({ length: n }, () => r() * 2 - 1);

/** A loss that is a fixed weighted sum of token log-probabilities: L = Σ wₜ log pₜ. */
function weightedLoss(head: LoraHead, seqs: TokenStep[][], weights: number[][]): number {
  return sequenceLogProbs(head, seqs).reduce(
    (sum, row, i) => sum + row.reduce((s, lp, t) => s + weights[i][t] * lp, 0),
    0,
  );
}

describe('LoRA output head', () => {
  it('starts as the identity: B = 0 leaves the logits unchanged', () => {
    const head = createLoraHead({ vocab: 5, dim: 3, rank: 2, seed: 1 });
    const base = [0.1, -0.3, 2, 0, 1];
    expect(Array.from(adaptedLogits(head, base, [1, 2, 3]))).toEqual(base);
  });

  it('computes base + (alpha/rank)·B(Ah) for one position, by hand', () => {
    const head = createLoraHead({ vocab: 2, dim: 2, rank: 1, alpha: 2 });
    head.A.set([1, 2]); // A h = 1·3 + 2·(-1) = 1
    head.B.set([0.5, -1]); // B(Ah) = [0.5, -1]; scale 2 → [1, -2]
    expect(Array.from(adaptedLogits(head, [10, 20], [3, -1]))).toEqual([11, 18]);
  });

  it('matches finite differences for A and B', () => {
    const r = rng(7);
    const head = createLoraHead({ vocab: 7, dim: 5, rank: 2, seed: 3 });
    for (let i = 0; i < head.B.length; i++) head.B[i] = (r() - 0.5) * 0.4;
    const seqs: TokenStep[][] = [0, 1].map(() =>
      [0, 1, 2].map(() => ({
        hidden: randomVector(5, r),
        baseLogits: randomVector(7, r),
        tokenId: Math.floor(r() * 7),
      })),
    );
    const weights = [
      [0.3, -1.2, 0.7],
      [1.1, 0.4, -0.5],
    ];
    const grads = loraGradients(head, seqs, weights);
    const h = 1e-3;
    for (const key of ['A', 'B'] as const) {
      for (let i = 0; i < head[key].length; i++) {
        const saved = head[key][i];
        head[key][i] = saved + h;
        const up = weightedLoss(head, seqs, weights);
        head[key][i] = saved - h;
        const down = weightedLoss(head, seqs, weights);
        head[key][i] = saved;
        expect(grads[key][i]).toBeCloseTo((up - down) / (2 * h), 3);
      }
    }
  });

  it('softmax log-probability is stable for large logits', () => {
    const { logp, probs } = softmaxAndLogProb([1000, 1000, -1000], 0);
    expect(logp).toBeCloseTo(Math.log(0.5), 12);
    expect(probs[2]).toBe(0);
  });

  for (const [name, loss] of [
    ['GRPO', grpoLoss],
    ['GSPO', gspoLoss],
  ] as const) {
    it(`${name} updates of the adapter raise the reward of a toy task`, () => {
      // Every position has the same hidden state; the reward is 1 when the sampled token is 2.
      const vocab = 6;
      const r = rng(11);
      const h = randomVector(8, r);
      const base = new Float32Array(vocab); // uniform policy to start
      const head = createLoraHead({ vocab, dim: 8, rank: 4, seed: 5 });
      const optimizer = new LoraAdamW(head, { lr: 0.05 });
      const probabilityOfTarget = () => softmaxAndLogProb(adaptedLogits(head, base, h), 2).probs[2];
      const before = probabilityOfTarget();
      for (let iteration = 0; iteration < 40; iteration++) {
        // sample a group of 8 one-token completions from the current policy
        const { probs } = softmaxAndLogProb(adaptedLogits(head, base, h), 0);
        const group: TokenStep[][] = Array.from({ length: 8 }, () => {
          let u = r();
          let token = 0;
          while (token < vocab - 1 && (u -= probs[token]) > 0) token++;
          return [{ hidden: h, baseLogits: base, tokenId: token }];
        });
        const rewards = group.map(([s]) => (s.tokenId === 2 ? 1 : 0));
        const logp = sequenceLogProbs(head, group);
        const result = loss({ logpNew: logp, logpOld: logp, advantages: advantages(rewards) });
        optimizer.step(loraGradients(head, group, result.gradLogpNew));
      }
      expect(before).toBeCloseTo(1 / vocab, 6);
      expect(probabilityOfTarget()).toBeGreaterThan(0.8);
    });
  }
});
