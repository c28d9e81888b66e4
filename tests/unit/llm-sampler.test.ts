import { describe, expect, it } from 'vitest';
import {
  Xoshiro128StarStar,
  argmax,
  createRng,
  logSoftmax,
  logSumExp,
  sample,
  selectTop,
  type SampleOptions,
} from '../../src/lib/llm/sampler.js';

const logitsOf = (probs: number[]) => Float32Array.from(probs, (p) => Math.log(p));

/** Counts of each id over `draws` samples with a fixed seed. */
function histogram(logits: Float32Array, options: SampleOptions, draws: number, seed = 7) {
  const rng = createRng(seed);
  const counts = new Array<number>(logits.length).fill(0);
  for (let i = 0; i < draws; i++) counts[sample(logits, { ...options, rng }).tokenId]++;
  return counts;
}

/** Pearson's chi-square statistic of counts against expected probabilities. */
function chiSquare(counts: number[], expected: number[]): number {
  const total = counts.reduce((a, b) => a + b, 0);
  return counts.reduce((sum, c, i) => {
    const e = expected[i] * total;
    return e === 0 ? sum + (c === 0 ? 0 : Infinity) : sum + (c - e) ** 2 / e;
  }, 0);
}

describe('xoshiro128**', () => {
  it('matches the reference sequence for state (1, 2, 3, 4)', () => {
    const rng = Xoshiro128StarStar.fromState([1, 2, 3, 4]);
    expect([rng.nextUint32(), rng.nextUint32(), rng.nextUint32()]).toEqual([11520, 0, 5927040]);
  });

  it('matches a BigInt reference implementation for 1000 draws', () => {
    const mask = 0xffffffffn;
    const rotl = (x: bigint, k: bigint) => ((x << k) | (x >> (32n - k))) & mask;
    const s = [0x9e3779b9n, 0x243f6a88n, 0xb7e15162n, 0x12345678n];
    const rng = Xoshiro128StarStar.fromState(s.map(Number));
    for (let i = 0; i < 1000; i++) {
      const expected = (rotl((s[1] * 5n) & mask, 7n) * 9n) & mask;
      const t = (s[1] << 9n) & mask;
      s[2] ^= s[0];
      s[3] ^= s[1];
      s[1] ^= s[2];
      s[0] ^= s[3];
      s[2] ^= t;
      s[3] = rotl(s[3], 11n);
      expect(rng.nextUint32()).toBe(Number(expected));
    }
  });

  it('is reproducible by seed, and seeds differ, including above 2^32', () => {
    const draw = (seed: number) => {
      const rng = createRng(seed);
      return Array.from({ length: 8 }, () => rng.nextUint32());
    };
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
    expect(draw(2 ** 40 + 1)).not.toEqual(draw(1));
    expect(
      createRng(0)
        .getState()
        .some((w) => w !== 0),
    ).toBe(true);
  });

  it('checkpoints and clones its state', () => {
    const rng = createRng(5);
    rng.nextUint32();
    const copy = Xoshiro128StarStar.fromState(rng.getState());
    const clone = rng.clone();
    const next = rng.nextUint32();
    expect(copy.nextUint32()).toBe(next);
    expect(clone.nextUint32()).toBe(next);
    expect(() => Xoshiro128StarStar.fromState([0, 0, 0, 0])).toThrow(RangeError);
  });

  it('draws uniform floats in [0, 1)', () => {
    const rng = createRng(99);
    const buckets = new Array<number>(10).fill(0);
    for (let i = 0; i < 50_000; i++) {
      const x = rng.nextFloat();
      expect(x >= 0 && x < 1).toBe(true);
      buckets[Math.floor(x * 10)]++;
    }
    // df = 9: the 0.999 quantile is 27.9.
    expect(chiSquare(buckets, new Array(10).fill(0.1))).toBeLessThan(27.9);
  });
});

describe('sample', () => {
  it('is greedy at temperature 0, ties to the lowest id', () => {
    const logits = Float32Array.from([1, 3, 3, 2]);
    const token = sample(logits, { temperature: 0 });
    expect(token.tokenId).toBe(1);
    expect(token.samplingLogprob).toBe(0);
    expect(token.logprob).toBeCloseTo(3 - logSumExp(logits), 6);
    expect(argmax(Float32Array.from([NaN, -Infinity, -5]))).toBe(2);
  });

  it('reproduces the same tokens with the same seed', () => {
    const logits = Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i) * 3);
    const run = (seed: number) => {
      const rng = createRng(seed);
      return Array.from({ length: 200 }, () => sample(logits, { rng, topP: 0.9 }).tokenId);
    };
    expect(run(1)).toEqual(run(1));
    expect(run(1)).not.toEqual(run(2));
  });

  it('follows the distribution (chi-square, fixed seed)', () => {
    const probs = [0.5, 0.25, 0.125, 0.125];
    const counts = histogram(logitsOf(probs), {}, 20_000);
    expect(chiSquare(counts, probs)).toBeLessThan(16.27); // df = 3, p = 0.001
  });

  it('applies temperature to the logits', () => {
    const probs = [0.64, 0.32, 0.04];
    // At T = 2 the sampling distribution is proportional to sqrt(p).
    const roots = probs.map(Math.sqrt);
    const z = roots.reduce((a, b) => a + b, 0);
    const counts = histogram(logitsOf(probs), { temperature: 2 }, 20_000);
    expect(
      chiSquare(
        counts,
        roots.map((r) => r / z),
      ),
    ).toBeLessThan(13.82); // df = 2
  });

  it('reports logprob under the model distribution, samplingLogprob under the sampled one', () => {
    const probs = [0.5, 0.3, 0.2];
    const rng = createRng(3);
    for (let i = 0; i < 50; i++) {
      const t = sample(logitsOf(probs), { rng, temperature: 0.5, topK: 2 });
      expect(t.logprob).toBeCloseTo(Math.log(probs[t.tokenId]), 5);
      const sharpened = [0.25, 0.09]; // p^2 for the top two
      expect(t.samplingLogprob).toBeCloseTo(Math.log(sharpened[t.tokenId] / 0.34), 5);
    }
  });

  it('keeps only the top k', () => {
    const counts = histogram(logitsOf([0.4, 0.1, 0.3, 0.2]), { topK: 2 }, 12_000);
    expect(counts[1]).toBe(0);
    expect(counts[3]).toBe(0);
    expect(chiSquare([counts[0], counts[2]], [4 / 7, 3 / 7])).toBeLessThan(10.83);
  });

  describe('top-p boundaries', () => {
    const logits = logitsOf([0.5, 0.3, 0.2]);
    const support = (topP: number, topK?: number) =>
      histogram(logits, { topP, topK }, 3000)
        .map((c, id) => (c > 0 ? id : -1))
        .filter((id) => id >= 0);

    it('keeps the token that reaches topP exactly, and no more', () => {
      expect(support(0.8)).toEqual([0, 1]);
      expect(support(0.5)).toEqual([0]);
    });
    it('keeps the token that crosses topP', () => {
      expect(support(0.80001)).toEqual([0, 1, 2]);
      expect(support(0.50001)).toEqual([0, 1]);
    });
    it('keeps the most likely token at topP 0, everything at 1', () => {
      expect(support(0)).toEqual([0]);
      expect(support(1)).toEqual([0, 1, 2]);
    });
    it('applies top-p after top-k, over the renormalised top k', () => {
      const four = logitsOf([0.4, 0.3, 0.2, 0.1]);
      const ids = (o: SampleOptions) =>
        histogram(four, o, 3000)
          .map((c, id) => (c > 0 ? id : -1))
          .filter((id) => id >= 0);
      expect(ids({ topP: 0.75 })).toEqual([0, 1, 2]); // 0.7 < 0.75
      expect(ids({ topP: 0.75, topK: 3 })).toEqual([0, 1]); // 0.7/0.9 = 0.78 ≥ 0.75
    });
    it('renormalises within the nucleus', () => {
      const counts = histogram(logits, { topP: 0.8 }, 16_000);
      expect(chiSquare(counts.slice(0, 2), [0.625, 0.375])).toBeLessThan(10.83);
    });
  });

  it('finds a large nucleus in a 152k vocabulary (flat distribution, ties by id)', () => {
    const logits = new Float32Array(152_000); // All equal: the nucleus of 0.5 is ids < 76000.
    const rng = createRng(11);
    let maxId = 0;
    for (let i = 0; i < 40; i++)
      maxId = Math.max(maxId, sample(logits, { rng, topP: 0.5 }).tokenId);
    expect(maxId).toBeLessThan(76_000);
    expect(maxId).toBeGreaterThan(60_000);
  });

  it('samples a 152k vocabulary with top-k exactly like a brute-force reference', () => {
    const rng = createRng(8);
    const logits = Float32Array.from({ length: 152_000 }, () => rng.nextFloat() * 20 - 10);
    const order = Array.from(logits.keys()).sort((a, b) => logits[b] - logits[a] || a - b);
    const top = order.slice(0, 40);
    const draws = createRng(9);
    const replay = createRng(9);
    for (let i = 0; i < 100; i++) {
      const t = sample(logits, { rng: draws, topK: 40, temperature: 0.8 });
      // Reference: inverse CDF over the sorted top 40 with the same uniform draw.
      const weights = top.map((id) => Math.exp((logits[id] - logits[top[0]]) / 0.8));
      const total = weights.reduce((a, b) => a + b, 0);
      const u = replay.nextFloat() * total;
      let acc = 0;
      let expected = top[top.length - 1];
      for (let j = 0; j < top.length; j++) {
        acc += weights[j];
        if (acc > u) {
          expected = top[j];
          break;
        }
      }
      expect(t.tokenId).toBe(expected);
    }
  });

  it('respects a grammar mask given as a bitmask or a predicate', () => {
    const logits = logitsOf([0.7, 0.1, 0.1, 0.1]);
    const bitmask = new Uint32Array([0b1010]); // ids 1 and 3
    const rng = createRng(4);
    for (let i = 0; i < 200; i++) {
      const t = sample(logits, { rng, mask: bitmask });
      expect([1, 3]).toContain(t.tokenId);
      expect(t.samplingLogprob).toBeCloseTo(Math.log(0.5), 6);
      expect(t.logprob).toBeCloseTo(Math.log(0.1), 5); // The model's view ignores the mask.
    }
    expect(sample(logits, { temperature: 0, mask: (id) => id >= 2 }).tokenId).toBe(2);
    expect(sample(logits, { rng, topK: 1, mask: (id) => id === 3 }).tokenId).toBe(3);
    expect(sample(logits, { rng, topP: 0.1, mask: bitmask }).tokenId).toBe(1);
    // Ids beyond the bitmask are not allowed.
    expect(() => sample(new Float32Array(64), { rng, mask: new Uint32Array(1).fill(0) })).toThrow(
      RangeError,
    );
    expect(
      sample(new Float32Array(64), { temperature: 0, mask: new Uint32Array([0, 1]) }).tokenId,
    ).toBe(32);
  });

  it('never picks NaN or -Infinity logits', () => {
    const logits = Float32Array.from([NaN, -Infinity, 0, 0]);
    const counts = histogram(logits, {}, 500);
    expect(counts[0] + counts[1]).toBe(0);
    expect(histogram(logits, { topP: 0.9 }, 200).slice(0, 2)).toEqual([0, 0]);
    expect(histogram(logits, { topK: 3 }, 200).slice(0, 2)).toEqual([0, 0]);
  });

  it('returns top alternatives from the model distribution', () => {
    const probs = [0.1, 0.6, 0.3];
    const t = sample(logitsOf(probs), { temperature: 0, topLogprobs: 2 });
    expect(t.topLogprobs?.map((a) => a.tokenId)).toEqual([1, 2]);
    expect(t.topLogprobs?.[1].logprob).toBeCloseTo(Math.log(0.3), 5);
    expect(sample(logitsOf(probs), { temperature: 0, topLogprobs: 10 }).topLogprobs).toHaveLength(
      3,
    );
  });

  it('rejects bad arguments', () => {
    const logits = new Float32Array(4);
    expect(() => sample(logits, { temperature: 1 })).toThrow(TypeError);
    expect(() => sample(logits, { temperature: -1 })).toThrow(RangeError);
    expect(() => sample(new Float32Array(0), { temperature: 0 })).toThrow(RangeError);
    expect(() => sample(logits, { temperature: 0, mask: () => false })).toThrow(RangeError);
  });
});

describe('numerics', () => {
  it('log-softmax is stable for huge logits', () => {
    expect(logSumExp(Float64Array.from([1000, 1000]))).toBeCloseTo(1000 + Math.LN2, 10);
    const ls = logSoftmax(Float32Array.from([1000, 0, -1000]));
    expect(ls[0]).toBeCloseTo(0, 10);
    expect(ls[1]).toBeCloseTo(-1000, 6);
    expect(Number.isFinite(ls[2])).toBe(true);
    expect(logSumExp(Float32Array.from([-Infinity, -Infinity]))).toBe(-Infinity);
  });

  it('selectTop matches a full sort, ties by id', () => {
    const rng = createRng(21);
    const logits = Float32Array.from({ length: 5000 }, () => Math.round(rng.nextFloat() * 50));
    const sorted = Array.from(logits.keys()).sort((a, b) => logits[b] - logits[a] || a - b);
    for (const k of [1, 2, 10, 100, 4999, 5000, 6000]) {
      expect(Array.from(selectTop(logits, k))).toEqual(sorted.slice(0, k));
    }
    expect(selectTop(logits, 0)).toHaveLength(0);
  });
});
