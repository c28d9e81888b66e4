import { describe, expect, it } from 'vitest';
import { SeededRandom, randomInt, scriptedRandom, seedState } from '../../src/lib/search/index.js';

function moments(draw: () => number, count = 20000) {
  let sum = 0;
  let sumSq = 0;
  for (let i = 0; i < count; i++) {
    const x = draw();
    sum += x;
    sumSq += x * x;
  }
  const mean = sum / count;
  return { mean, variance: sumSq / count - mean * mean };
}

describe('SeededRandom', () => {
  it('is xoshiro128**: the reference sequence for state (1, 2, 3, 4)', () => {
    const rng = new SeededRandom([1, 2, 3, 4]);
    expect([rng.nextUint32(), rng.nextUint32(), rng.nextUint32()]).toEqual([11520, 0, 5927040]);
  });

  it('same seed, same draws; another seed, other draws', () => {
    const draw = (seed: number) => {
      const r = new SeededRandom(seed);
      return [r.uniform(), r.normal(), r.gamma(2.5), r.beta(2, 3)];
    };
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
  });

  it('keeps its whole state in a plain array advanced in place (JSON checkpoints)', () => {
    const state = seedState(7);
    const r = new SeededRandom(state);
    r.uniform();
    expect(r.state).toBe(state);
    const restored = new SeededRandom(JSON.parse(JSON.stringify(state)));
    expect(Array.from({ length: 5 }, () => restored.normal())).toEqual(
      Array.from({ length: 5 }, () => r.normal()),
    );
    expect(state.every((w) => Number.isInteger(w) && w >= 0 && w < 2 ** 32)).toBe(true);
  });

  it('rejects a state that is not four words or is all zero', () => {
    expect(() => new SeededRandom([0, 0, 0, 0])).toThrow(RangeError);
    expect(() => new SeededRandom([1, 2])).toThrow(RangeError);
  });

  it('uniform is in [0, 1) with mean 1/2 and variance 1/12', () => {
    const r = new SeededRandom(1);
    const { mean, variance } = moments(() => {
      const x = r.uniform();
      expect(x >= 0 && x < 1).toBe(true);
      return x;
    });
    expect(mean).toBeCloseTo(0.5, 2);
    expect(variance).toBeCloseTo(1 / 12, 2);
  });

  it('normal(mean, sd) has that mean and variance (Box–Muller)', () => {
    const r = new SeededRandom(2);
    const { mean, variance } = moments(() => r.normal(3, 2));
    expect(mean).toBeCloseTo(3, 1);
    expect(Math.abs(variance - 4)).toBeLessThan(0.12);
  });

  it('gamma (Marsaglia–Tsang): mean shape·scale, variance shape·scale², shape < 1 too', () => {
    const r = new SeededRandom(3);
    const big = moments(() => r.gamma(3, 2)); // mean 6, variance 12
    expect(Math.abs(big.mean - 6)).toBeLessThan(0.08);
    expect(Math.abs(big.variance - 12)).toBeLessThan(0.5);
    const small = moments(() => r.gamma(0.5)); // mean 0.5, variance 0.5
    expect(Math.abs(small.mean - 0.5)).toBeLessThan(0.02);
    expect(Math.abs(small.variance - 0.5)).toBeLessThan(0.04);
    expect(() => r.gamma(0)).toThrow(RangeError);
    expect(() => r.gamma(1, -1)).toThrow(RangeError);
  });

  it('beta via two gammas: Beta(2, 5) has mean 2/7 and variance 10/392', () => {
    const r = new SeededRandom(4);
    const { mean, variance } = moments(() => r.beta(2, 5));
    expect(mean).toBeCloseTo(2 / 7, 2);
    expect(variance).toBeCloseTo(10 / 392, 3);
  });

  it('randomInt covers [0, n)', () => {
    const r = new SeededRandom(5);
    const seen = new Set(Array.from({ length: 200 }, () => randomInt(r, 4)));
    expect([...seen].sort()).toEqual([0, 1, 2, 3]);
  });
});

describe('scriptedRandom', () => {
  it('returns the scripted draws in order per kind, ignoring the arguments', () => {
    const r = scriptedRandom({ normal: [0.9, -1], gamma: [2], beta: [0.25], uniform: [0.5] });
    expect(r.normal(100, 5)).toBe(0.9);
    expect(r.gamma(3)).toBe(2);
    expect(r.normal()).toBe(-1);
    expect(r.beta(1, 1)).toBe(0.25);
    expect(r.uniform()).toBe(0.5);
    expect(r.remaining()).toEqual({ uniform: [], normal: [], gamma: [], beta: [] });
  });

  it('throws when a draw was not scripted, unless it has a fallback', () => {
    expect(() => scriptedRandom({}).normal()).toThrow(/no normal draw left/);
    const fallback = new SeededRandom(9);
    const expected = new SeededRandom(9).uniform();
    expect(scriptedRandom({}, fallback).uniform()).toBe(expected);
  });
});
