/** Shared fixtures for the search tests (not a test file itself). */
import type { GenerateResult, Generator, Random } from '../../src/lib/search/index.js';
import { resolveTrial, reserveTrial } from '../../src/lib/search/tree.js';
import type { SearchTree } from '../../src/lib/search/types.js';

/** FNV-1a of a string, as a number in [0, 1). */
export function hash01(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) / 4294967296;
}

/**
 * Deterministic generators: each call appends `<action><call number>` to the parent's
 * state; the score is a hash of the new state, optionally squeezed into [lo, hi].
 */
export function hashGenerators(
  actions: Record<string, [lo: number, hi: number]> = { gen: [0, 1] },
): Record<string, Generator<string>> {
  let calls = 0;
  const out: Record<string, Generator<string>> = {};
  for (const [action, [lo, hi]] of Object.entries(actions)) {
    out[action] = async (parent) => {
      const state = `${parent ?? ''}/${action}${calls++}`;
      return { state, score: lo + (hi - lo) * hash01(state) };
    };
  }
  return out;
}

/** Adds a child by hand (bypassing the algorithm's choice), for building test trees. */
export function grow<S>(
  tree: SearchTree<S, unknown, unknown>,
  parentId: number,
  action: string,
  result: GenerateResult<S>,
  stats: unknown = null,
) {
  const trial = reserveTrial(tree, parentId, action);
  return resolveTrial(tree, trial.id, result, stats).node;
}

/**
 * A `Random` that records every call and answers with the distribution's centre:
 * uniform 0.5, normal its mean plus the next scripted z (default 0), gamma 1, beta 0.5.
 */
export function recordingRandom(zs: number[] = []) {
  const calls: { kind: string; args: number[] }[] = [];
  const random: Random = {
    uniform: () => (calls.push({ kind: 'uniform', args: [] }), 0.5),
    normal: (mean = 0, sd = 1) => {
      calls.push({ kind: 'normal', args: [mean, sd] });
      return mean + sd * (zs.shift() ?? 0);
    },
    gamma: (shape, scale = 1) => (calls.push({ kind: 'gamma', args: [shape, scale] }), 1),
    beta: (a, b) => (calls.push({ kind: 'beta', args: [a, b] }), 0.5),
  };
  return { random, calls };
}
