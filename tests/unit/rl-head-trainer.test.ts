import { describe, expect, it } from 'vitest';
import { headTrainingStep, referenceLogProbs } from '../../src/lib/rl/head-trainer.js';
import {
  LoraAdamW,
  adaptedLogits,
  createLoraHead,
  softmaxAndLogProb,
  type TokenStep,
} from '../../src/lib/rl/lora-head.js';

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

describe('headTrainingStep', () => {
  for (const algorithm of ['grpo', 'gspo'] as const) {
    it(`${algorithm}: two-token completions learn to say "1 2" (reward = tokens right), with KL to the reference`, async () => {
      const vocab = 5;
      const r = rng(3);
      const hs = [0, 1].map(() => Float32Array.from({ length: 6 }, () => r() * 2 - 1));
      const base = new Float32Array(vocab);
      const head = createLoraHead({ vocab, dim: 6, rank: 3, seed: 9 });
      const optimizer = new LoraAdamW(head, { lr: 0.05 });
      const target = [1, 2];
      const drawn = (position: number) => {
        const { probs } = softmaxAndLogProb(adaptedLogits(head, base, hs[position]), 0);
        let u = r();
        let token = 0;
        while (token < vocab - 1 && (u -= probs[token]) > 0) token++;
        return token;
      };
      const sample = async (n: number) =>
        Array.from({ length: n }, () => {
          const steps: TokenStep[] = [0, 1].map((p) => ({
            hidden: hs[p],
            baseLogits: base,
            tokenId: drawn(p),
          }));
          return { text: steps.map((s) => s.tokenId).join(' '), steps };
        });
      const reward = (text: string) =>
        text.split(' ').filter((t, i) => Number(t) === target[i]).length / 2;
      const rewards: number[] = [];
      for (let i = 0; i < 60; i++) {
        const step = await headTrainingStep({
          head,
          optimizer,
          sample,
          reward,
          groupSize: 8,
          algorithm,
          epochs: 2,
          beta: 0.01,
        });
        rewards.push(step.meanReward);
        expect(step.tokens).toBe(16);
        expect(step.loss.kl).toBeGreaterThanOrEqual(0);
      }
      // a uniform policy over 5 tokens gets each position right 1 time in 5: 0.2 expected
      const early = rewards.slice(0, 3).reduce((a, b) => a + b) / 3;
      const late = rewards.slice(-10).reduce((a, b) => a + b) / 10;
      expect(early).toBeLessThan(0.45);
      expect(late).toBeGreaterThan(0.8);
    });
  }

  it('the reference policy is the model without the adapter', () => {
    const [row] = referenceLogProbs([[{ hidden: [0], baseLogits: [0, Math.log(3)], tokenId: 1 }]]);
    expect(row[0]).toBeCloseTo(Math.log(0.75), 12);
  });
});
