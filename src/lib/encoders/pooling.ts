/**
 * From token states to sentence vectors: pooling over a padded batch, then L2
 * normalization, on plain arrays (the ONNX tensors' data), so the math is testable
 * without a model.
 */

export type Pooling = 'mean' | 'cls';

/** A [batch, tokens, dimensions] tensor as flat row-major data. */
export interface TokenStates {
  data: ArrayLike<number>;
  dims: readonly [number, number, number];
}

/**
 * Scales `vector` to unit length. A zero vector stays zero (the 1e-12 floor, as in
 * PyTorch's `F.normalize`, avoids dividing by zero).
 */
export function l2Normalize(vector: ArrayLike<number>): Float32Array {
  let sumOfSquares = 0;
  for (let i = 0; i < vector.length; i++) sumOfSquares += vector[i] * vector[i];
  const norm = Math.max(Math.sqrt(sumOfSquares), 1e-12);
  const out = new Float32Array(vector.length);
  for (let i = 0; i < vector.length; i++) out[i] = vector[i] / norm;
  return out;
}

/**
 * One L2-normalized vector per sequence of the batch. `attentionMask` ([batch, tokens],
 * 1 for real tokens, 0 for padding; numbers or bigints) decides which states `mean`
 * averages; `cls` takes the first token's state, which is real in every sequence.
 */
export function poolTokenStates(
  states: TokenStates,
  attentionMask: ArrayLike<number | bigint>,
  pooling: Pooling,
): Float32Array[] {
  const [batch, tokens, dimensions] = states.dims;
  if (states.data.length !== batch * tokens * dimensions) {
    throw new Error(
      `Token states hold ${states.data.length} values, not ${batch}×${tokens}×${dimensions}.`,
    );
  }
  if (attentionMask.length !== batch * tokens) {
    throw new Error(
      `The attention mask has ${attentionMask.length} entries, not ${batch}×${tokens}.`,
    );
  }
  const vectors: Float32Array[] = [];
  for (let b = 0; b < batch; b++) {
    // Accumulate in float64: a mean over hundreds of tokens loses digits in float32.
    const pooled = new Float64Array(dimensions);
    if (pooling === 'cls') {
      const offset = b * tokens * dimensions;
      for (let d = 0; d < dimensions; d++) pooled[d] = states.data[offset + d];
    } else {
      let count = 0;
      for (let t = 0; t < tokens; t++) {
        if (Number(attentionMask[b * tokens + t]) === 0) continue;
        count++;
        const offset = (b * tokens + t) * dimensions;
        for (let d = 0; d < dimensions; d++) pooled[d] += states.data[offset + d];
      }
      for (let d = 0; d < dimensions; d++) pooled[d] /= Math.max(count, 1);
    }
    vectors.push(l2Normalize(pooled));
  }
  return vectors;
}
