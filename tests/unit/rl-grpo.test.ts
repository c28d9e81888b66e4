/**
 * GRPO/GSPO math against hand computations (each shown in the comments), and the
 * gradients the losses report against finite differences of the losses themselves.
 */
import { describe, expect, it } from 'vitest';
import {
  advantages,
  clipFraction,
  clippedSurrogate,
  clippedSurrogatePerSequence,
  clippedSurrogatePerToken,
  groupedAdvantages,
  grpoLoss,
  GSPO_CLIP,
  gspoLoss,
  gspoSequenceRatio,
  isClipped,
  k3KL,
  sampleStd,
  tokenRatios,
  type PolicyBatch,
} from '../../src/lib/rl/index.js';

const close = (actual: number[], expected: number[], digits = 10) => {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((a, i) => expect(a, `[${i}]`).toBeCloseTo(expected[i], digits));
};

describe('advantages', () => {
  it('normalizes by the group mean and sample std plus eps', () => {
    // rewards [1, 0, 0, 1]: mean 0.5, deviations ±0.5,
    // sample variance (4 · 0.25) / (4 − 1) = 1/3, std = 0.5773502692,
    // A = ±0.5 / (0.5773502692 + 0.0001) = ±0.8658753…
    expect(sampleStd([1, 0, 0, 1])).toBeCloseTo(Math.sqrt(1 / 3), 12);
    const a = 0.5 / (Math.sqrt(1 / 3) + 1e-4);
    expect(a).toBeCloseTo(0.86588, 5);
    close(advantages([1, 0, 0, 1]), [a, -a, -a, a]);
  });

  it('handles uneven rewards, eps and no std scaling', () => {
    // [1, 0.1, 0.1]: mean 0.4, deviations [0.6, −0.3, −0.3],
    // variance (0.36 + 0.09 + 0.09) / 2 = 0.27, std = 0.5196152423
    const std = Math.sqrt(0.27);
    close(advantages([1, 0.1, 0.1], { eps: 0 }), [0.6 / std, -0.3 / std, -0.3 / std]);
    // Dr. GRPO: centred only.
    close(advantages([2, 0, 1], { normalizeStd: false }), [1, -1, 0]);
  });

  it('gives zeros for a group with one reward or all-equal rewards', () => {
    expect(advantages([1, 1, 1])).toEqual([0, 0, 0]);
    expect(advantages([0.7])).toEqual([0]);
    expect(advantages([])).toEqual([]);
    expect(() => advantages([1, NaN])).toThrow(RangeError);
  });

  it('normalizes each group of a batch on its own', () => {
    const a = 0.5 / (Math.SQRT1_2 + 1e-4); // [1, 0]: std = sqrt(0.5)
    close(groupedAdvantages([1, 0, 5, 5], 2), [a, -a, 0, 0]);
    expect(() => groupedAdvantages([1, 2, 3], 2)).toThrow(RangeError);
  });
});

describe('ratios, clipping and KL', () => {
  it('tokenRatios = exp(logpNew − logpOld)', () => {
    // [−1 − (−1.5), −2 − (−2)] = [0.5, 0] → [e^0.5, 1] = [1.6487212707, 1]
    close(tokenRatios([-1, -2], [-1.5, -2]), [Math.exp(0.5), 1]);
    expect(() => tokenRatios([-1], [-1, -2])).toThrow(RangeError);
  });

  it('clippedSurrogate = min(r·A, clip(r, 0.8, 1.2)·A)', () => {
    expect(clippedSurrogate(1.5, 1)).toBeCloseTo(1.2, 12); // min(1.5, 1.2): clipped
    expect(clippedSurrogate(1.5, -1)).toBe(-1.5); // min(−1.5, −1.2): pessimistic side
    expect(clippedSurrogate(0.5, -1)).toBeCloseTo(-0.8, 12); // min(−0.5, −0.8): clipped
    expect(clippedSurrogate(0.5, 1)).toBe(0.5); // min(0.5, 0.8)
    expect(clippedSurrogate(1.1, 2)).toBeCloseTo(2.2, 12); // inside the band: r·A
    // DAPO-style asymmetric band [0.8, 1.28]: min(1.5·1, 1.28·1)
    expect(clippedSurrogate(1.5, 1, { epsilon: 0.2, epsilonHigh: 0.28 })).toBeCloseTo(1.28, 12);
  });

  it('isClipped marks only ratios whose gradient the clip removes', () => {
    expect(isClipped(1.5, 1)).toBe(true);
    expect(isClipped(1.5, -1)).toBe(false);
    expect(isClipped(0.5, -1)).toBe(true);
    expect(isClipped(0.5, 1)).toBe(false);
    expect(isClipped(1.2, 1)).toBe(false); // on the boundary: not past it
  });

  it('clippedSurrogatePerToken applies the clip token by token', () => {
    // ratios [e^0.5 = 1.6487, e^−0.5 = 0.6065], A = 1: [min(1.6487, 1.2), min(0.6065, 0.8)]
    close(clippedSurrogatePerToken([0.5, -0.5], [0, 0], 1), [1.2, Math.exp(-0.5)]);
  });

  it('k3KL = e^d − d − 1 with d = logpRef − logpPolicy', () => {
    // d = −1.5 − (−1) = −0.5: e^−0.5 + 0.5 − 1 = 0.6065306597 − 0.5 = 0.1065306597
    // d = 0: 1 − 0 − 1 = 0
    // d = −1 − (−2) = 1: e − 1 − 1 = 0.7182818285
    close(k3KL([-1, -2, -2], [-1.5, -2, -1]), [Math.exp(-0.5) - 0.5, 0, Math.E - 2]);
    for (const v of k3KL([-3, -0.1, -7], [-0.2, -5, -7])) expect(v).toBeGreaterThanOrEqual(0);
  });

  it('gspoSequenceRatio = exp(mean over tokens of logpNew − logpOld)', () => {
    // deltas [0.5, 0, −0.5]: mean 0 → 1; first two only: mean 0.25 → e^0.25 = 1.2840254167
    close(
      gspoSequenceRatio(
        [
          [-1, -2, -3],
          [-1, -2, -3],
        ],
        [
          [-1.5, -2, -2.5],
          [-1.5, -2, -2.5],
        ],
        [3, 2],
      ),
      [1, Math.exp(0.25)],
    );
    // Length normalization: the same per-token drift gives the same ratio at any length,
    // where the unnormalized product would grow as e^(0.1 · n).
    const drift = (n: number) => gspoSequenceRatio([Array(n).fill(-0.9)], [Array(n).fill(-1)])[0];
    expect(drift(2)).toBeCloseTo(Math.exp(0.1), 12);
    expect(drift(50)).toBeCloseTo(Math.exp(0.1), 12);
    expect(() => gspoSequenceRatio([[-1]], [[-1]], [2])).toThrow(RangeError);
  });

  it('clippedSurrogatePerSequence uses the GSPO band by default', () => {
    // s = e^0.001 = 1.0010005 > 1 + 4e−4: clipped to 1.0004 for A = 1
    expect(clippedSurrogatePerSequence([0.001], [0], 1)).toBeCloseTo(1.0004, 12);
    // with GRPO's band it stays s·A
    expect(clippedSurrogatePerSequence([0.001], [0], 1, { epsilon: 0.2 })).toBeCloseTo(
      Math.exp(0.001),
      12,
    );
  });

  it('clipFraction counts masked tokens or sequences', () => {
    // tokens: [1.5 (A=1, clipped), 1.0, 9 (masked out)], [0.5 (A=−1, clipped), 0.9] → 2 of 4
    expect(
      clipFraction(
        [
          [1.5, 1.0, 9],
          [0.5, 0.9],
        ],
        [1, -1],
        {},
        [
          [1, 1, 0],
          [1, 1],
        ],
      ),
    ).toBe(0.5);
    // sequences with GSPO's band: 1.001 > 1.0004 with A > 0 is clipped, 1.0001 is not
    expect(clipFraction([1.001, 1.0001], [1, 1], GSPO_CLIP)).toBe(0.5);
  });
});

describe('GRPO and GSPO losses', () => {
  it('GRPO: masked mean per sequence, mean over sequences, β·k3 per token', () => {
    const batch: PolicyBatch = {
      logpNew: [
        [-1, -1],
        [-2, -0.5, 9],
      ],
      logpOld: [
        [-1, -1],
        [-2, -0.5, 0],
      ],
      logpRef: [
        [-1, -2],
        [-2, -0.5, 0],
      ],
      advantages: [1, -1],
      mask: [
        [1, 1],
        [1, 1, 0], // the third token is padding: its e^9 ratio must not count
      ],
    };
    const out = grpoLoss(batch, { beta: 0.1 });
    // seq 0: ratios 1, 1 → surrogate 1 each → policy loss −1 per token;
    //        k3 = [0, e^−1 + 1 − 1 = 0.3678794412] (d = −2 − (−1) = −1)
    //        per-token loss [−1, −1 + 0.1 · 0.3678794412], mean = −0.9816060279
    // seq 1: ratios 1, 1 with A = −1 → +1 per token, k3 0 → mean 1
    const k = Math.exp(-1);
    const seq0 = (-1 + (-1 + 0.1 * k)) / 2;
    close(out.perSequence, [seq0, 1]);
    expect(out.loss).toBeCloseTo((seq0 + 1) / 2, 12); // 0.0091969860
    expect(out.policyLoss).toBeCloseTo(0, 12); // (−1 + 1) / 2
    expect(out.kl).toBeCloseTo(k / 4, 12); // masked mean over 4 tokens
    expect(out.clipFraction).toBe(0);
    // On-policy (ratios 1), the gradient is the policy gradient −A/(|o|·B) per token,
    // plus β·(1 − e^(ref − new))/(|o|·B): seq 0 token 1: 0.1 · (1 − e^−1) / 4
    close(out.gradLogpNew[0], [-1 / 4, -1 / 4 + (0.1 * (1 - k)) / 4]);
    close(out.gradLogpNew[1], [1 / 4, 1 / 4, 0]);
  });

  it('needs logpRef only when beta > 0', () => {
    const batch = { logpNew: [[-1]], logpOld: [[-1]], advantages: [1] };
    expect(grpoLoss(batch).kl).toBe(0);
    expect(() => grpoLoss(batch, { beta: 0.1 })).toThrow(RangeError);
    expect(() => grpoLoss({ ...batch, advantages: [1, 2] })).toThrow(RangeError);
  });

  it('GSPO and GRPO differ: token clipping vs one length-normalized sequence ratio', () => {
    // One completion, A = +1, token log-ratios [+0.5, −0.5], band [0.8, 1.2] for both.
    const batch: PolicyBatch = { logpNew: [[0.5, -0.5]], logpOld: [[0, 0]], advantages: [1] };
    const clip = { epsilon: 0.2 };
    const grpo = grpoLoss(batch, clip);
    // GRPO: ratios [e^0.5 = 1.6487, e^−0.5 = 0.6065];
    //   token 1: min(1.6487, 1.2) = 1.2 (clipped), token 2: min(0.6065, 0.8) = 0.6065
    //   loss = −(1.2 + 0.6065) / 2 = −0.9032653299, clip fraction 1/2
    expect(grpo.loss).toBeCloseTo(-(1.2 + Math.exp(-0.5)) / 2, 12);
    expect(grpo.clipFraction).toBe(0.5);
    // The clipped token gets no gradient; the other gets −A·r/(|o|·B) = −0.6065/2
    close(grpo.gradLogpNew[0], [0, -Math.exp(-0.5) / 2]);

    const gspo = gspoLoss(batch, clip);
    // GSPO: s = exp((0.5 − 0.5) / 2) = 1: the sequence as a whole is unchanged,
    //   loss = −min(1·1, 1·1) = −1, nothing clipped, and both tokens share the gradient
    //   −A·s/|o| / B = −0.5.
    expect(gspo.ratios).toEqual([[1]]);
    expect(gspo.loss).toBe(-1);
    expect(gspo.clipFraction).toBe(0);
    close(gspo.gradLogpNew[0], [-0.5, -0.5]);
  });

  it('GSPO clips whole sequences with its narrow default band', () => {
    // s = exp(mean(0.002, 0)) = e^0.001 = 1.0010005 > 1.0004 with A = 2 → clipped:
    //   loss = −1.0004 · 2 = −2.0008, gradient 0 for the sequence
    const out = gspoLoss({ logpNew: [[0.002, 0]], logpOld: [[0, 0]], advantages: [2] });
    expect(out.loss).toBeCloseTo(-2.0008, 12);
    expect(out.clipFraction).toBe(1);
    expect(out.gradLogpNew).toEqual([[0, 0]]);
  });

  // Finite-difference check of gradLogpNew, away from the clip kinks.
  const batch: PolicyBatch = {
    logpNew: [
      [-0.7, -1.9, -0.2],
      [-2.5, -0.4, -1.0, -3.0],
      [-1.2, -0.6],
    ],
    logpOld: [
      [-0.9, -1.5, -0.25],
      [-2.4, -0.45, -1.3, -3.0],
      [-1.1, -0.62],
    ],
    logpRef: [
      [-1.0, -1.7, -0.3],
      [-2.0, -0.5, -1.1, -2.0],
      [-1.0, -0.7],
    ],
    advantages: [1.2, -0.8, 0.3],
    mask: [
      [1, 1, 1],
      [1, 1, 1, 0],
      [1, 1],
    ],
  };

  for (const [name, lossFn, options] of [
    ['grpoLoss', grpoLoss, { beta: 0.05 }],
    ['gspoLoss', gspoLoss, { beta: 0.05, epsilon: 0.2 }],
  ] as const) {
    it(`${name} reports ∂loss/∂logpNew (finite differences)`, () => {
      const out = lossFn(batch, options);
      const h = 1e-6;
      batch.logpNew.forEach((row, i) =>
        row.forEach((_, t) => {
          const shifted = (delta: number) =>
            lossFn(
              {
                ...batch,
                logpNew: batch.logpNew.map((r, j) =>
                  r.map((v, u) => (j === i && u === t ? v + delta : v)),
                ),
              },
              options,
            ).loss;
          const numeric = (shifted(h) - shifted(-h)) / (2 * h);
          expect(out.gradLogpNew[i][t], `${name} [${i}][${t}]`).toBeCloseTo(numeric, 6);
        }),
      );
    });
  }
});
