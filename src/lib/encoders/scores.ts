/**
 * The small maths that turns model outputs into the scores encoders return: cosine
 * similarity, the maps of cosines and logits onto [0, 1], and top-k of a softmax.
 */

/** Dot product; the cosine similarity when both vectors have unit length (as `embed` returns). */
export function cosineSimilarity(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) {
    throw new Error(`Cannot compare vectors of lengths ${a.length} and ${b.length}.`);
  }
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i] * b[i];
  return dot;
}

/**
 * A cosine from [-1, 1] to a relevance in [0, 1]: (cos + 1) / 2. Clamped, because two
 * float32 unit vectors can have a dot product a hair outside [-1, 1].
 */
export function cosineToUnitInterval(cosine: number): number {
  return Math.min(1, Math.max(0, (cosine + 1) / 2));
}

/** The logistic function, written so that large |x| neither overflows nor loses precision. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

export interface TokenProbability {
  tokenId: number;
  probability: number;
}

/**
 * The `k` likeliest tokens under softmax(`logits`), best first; ties go to the lower id.
 * Probabilities are normalized over the whole vocabulary, `excluded` ids included, so the
 * returned ones sum to at most 1; excluded ids are never returned.
 */
export function topKSoftmax(
  logits: ArrayLike<number>,
  k: number,
  excluded: ReadonlySet<number> = new Set(),
): TokenProbability[] {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) if (logits[i] > max) max = logits[i];
  let total = 0;
  for (let i = 0; i < logits.length; i++) total += Math.exp(logits[i] - max);
  const candidates: number[] = [];
  for (let i = 0; i < logits.length; i++) if (!excluded.has(i)) candidates.push(i);
  candidates.sort((x, y) => logits[y] - logits[x] || x - y);
  return candidates.slice(0, Math.max(0, k)).map((tokenId) => ({
    tokenId,
    probability: Math.exp(logits[tokenId] - max) / total,
  }));
}
