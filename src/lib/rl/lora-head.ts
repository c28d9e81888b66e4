/**
 * A low-rank adapter on a decoder's output head, trained with exact gradients.
 *
 * The micro model exports its final hidden state `h` (after the last norm) next to the
 * logits, and its logits are `h · Eᵀ` (tied embeddings). An adapter adds
 * `ΔW = (alpha / rank) · B · A` (B: vocab × rank, A: rank × dim) to the head, so the
 * adapted logits are `base + scale · B (A h)`. Because nothing below the head changes,
 * `h` does not depend on the adapter and the gradient of a token's log-probability is
 * exact and cheap:
 *
 *   ∂ log p(y) / ∂ logits = onehot(y) − softmax(logits)           (g, one vector per token)
 *   ∂L/∂B = scale · Σₜ (∂L/∂logp)ₜ · gₜ (A hₜ)ᵀ
 *   ∂L/∂A = scale · Σₜ (∂L/∂logp)ₜ · (Bᵀ gₜ) hₜᵀ
 *
 * `∂L/∂logp` comes from the GRPO or GSPO loss (`grpo.ts`, `gradLogpNew`). B starts at zero
 * (as LoRA does), so a fresh adapter leaves the model unchanged.
 */
import { logSoftmax } from '../llm/sampler.js';
import { createSeededRandom } from './random.js';

export interface LoraHead {
  vocab: number;
  dim: number;
  rank: number;
  alpha: number;
  /** rank × dim, row-major. */
  A: Float32Array;
  /** vocab × rank, row-major. */
  B: Float32Array;
}

export interface LoraHeadOptions {
  vocab: number;
  dim: number;
  rank?: number;
  alpha?: number;
  /** Seed of A's initialization. */
  seed?: number;
}

export function createLoraHead(options: LoraHeadOptions): LoraHead {
  const rank = options.rank ?? 8;
  const { vocab, dim } = options;
  if (![vocab, dim, rank].every((n) => Number.isInteger(n) && n > 0))
    throw new RangeError('vocab, dim and rank must be positive integers');
  const random = createSeededRandom(options.seed ?? 0);
  const A = new Float32Array(rank * dim);
  // Kaiming-uniform-like range, as LoRA initializes A; B = 0 keeps the model unchanged
  const bound = 1 / Math.sqrt(dim);
  for (let i = 0; i < A.length; i++) A[i] = (random.next() * 2 - 1) * bound;
  return { vocab, dim, rank, alpha: options.alpha ?? rank, A, B: new Float32Array(vocab * rank) };
}

function scaleOf(head: LoraHead): number {
  return head.alpha / head.rank;
}

/** A·h (rank values). */
function project(head: LoraHead, h: ArrayLike<number>): Float64Array {
  const out = new Float64Array(head.rank);
  for (let r = 0; r < head.rank; r++) {
    let sum = 0;
    const row = r * head.dim;
    for (let d = 0; d < head.dim; d++) sum += head.A[row + d] * h[d];
    out[r] = sum;
  }
  return out;
}

/** The adapted logits for one position: base + scale · B (A h). */
export function adaptedLogits(
  head: LoraHead,
  baseLogits: ArrayLike<number>,
  h: ArrayLike<number>,
): Float64Array {
  if (baseLogits.length !== head.vocab || h.length !== head.dim)
    throw new RangeError(
      `expected ${head.vocab} logits and a ${head.dim}-dim hidden state, got ${baseLogits.length} and ${h.length}`,
    );
  const ah = project(head, h);
  const scale = scaleOf(head);
  const out = new Float64Array(head.vocab);
  for (let v = 0; v < head.vocab; v++) {
    let delta = 0;
    const row = v * head.rank;
    for (let r = 0; r < head.rank; r++) delta += head.B[row + r] * ah[r];
    out[v] = baseLogits[v] + scale * delta;
  }
  return out;
}

/** Softmax probabilities and the log-probability of `token`, computed stably. */
export function softmaxAndLogProb(
  logits: ArrayLike<number>,
  token: number,
): { probs: Float64Array; logp: number } {
  const logProbs = logSoftmax(Float64Array.from(logits));
  return { probs: logProbs.map(Math.exp), logp: logProbs[token] };
}

/**
 * The adapter as the decode loop's `headAdapter` (structurally its `HeadAdapter`): sampling
 * then follows the adapted policy.
 */
export function headAdapterOf(head: LoraHead): {
  adapt(logits: Float32Array, hidden: Float32Array): Float32Array;
} {
  return { adapt: (logits, hidden) => Float32Array.from(adaptedLogits(head, logits, hidden)) };
}

/**
 * One generated token: the hidden state and base logits it was sampled from, and the token.
 * The same shape as the decode loop's recorded steps (`DecodeStep`), so they pass as is.
 */
export interface TokenStep {
  tokenId: number;
  hidden: ArrayLike<number>;
  baseLogits: ArrayLike<number>;
}

/** Log-probabilities of each sequence's tokens under the adapted head. */
export function sequenceLogProbs(
  head: LoraHead,
  sequences: readonly (readonly TokenStep[])[],
): number[][] {
  return sequences.map((steps) =>
    steps.map(
      (s) => softmaxAndLogProb(adaptedLogits(head, s.baseLogits, s.hidden), s.tokenId).logp,
    ),
  );
}

export interface LoraGradients {
  A: Float64Array;
  B: Float64Array;
}

/**
 * Exact gradients of a loss with respect to A and B, given ∂L/∂logp for every token
 * (rows aligned with `sequences`).
 */
export function loraGradients(
  head: LoraHead,
  sequences: readonly (readonly TokenStep[])[],
  gradLogp: readonly (readonly number[])[],
): LoraGradients {
  const gA = new Float64Array(head.A.length);
  const gB = new Float64Array(head.B.length);
  const scale = scaleOf(head);
  sequences.forEach((steps, i) => {
    steps.forEach((step, t) => {
      const weight = gradLogp[i]?.[t] ?? 0;
      if (weight === 0) return;
      const ah = project(head, step.hidden);
      const logits = adaptedLogits(head, step.baseLogits, step.hidden);
      const { probs } = softmaxAndLogProb(logits, step.tokenId);
      // g = weight · (onehot(y) − p): the gradient of weight · log p(y) wrt the logits
      const btg = new Float64Array(head.rank);
      for (let v = 0; v < head.vocab; v++) {
        const g = weight * ((v === step.tokenId ? 1 : 0) - probs[v]);
        if (g === 0) continue;
        const row = v * head.rank;
        for (let r = 0; r < head.rank; r++) {
          gB[row + r] += scale * g * ah[r];
          btg[r] += head.B[row + r] * g;
        }
      }
      for (let r = 0; r < head.rank; r++) {
        const coefficient = scale * btg[r];
        if (coefficient === 0) continue;
        const row = r * head.dim;
        for (let d = 0; d < head.dim; d++) gA[row + d] += coefficient * step.hidden[d];
      }
    });
  });
  return { A: gA, B: gB };
}

/** AdamW over the adapter's two matrices. */
export class LoraAdamW {
  private readonly m: { A: Float64Array; B: Float64Array };
  private readonly v: { A: Float64Array; B: Float64Array };
  private t = 0;

  constructor(
    private readonly head: LoraHead,
    readonly options: {
      lr?: number;
      beta1?: number;
      beta2?: number;
      eps?: number;
      weightDecay?: number;
    } = {},
  ) {
    this.m = { A: new Float64Array(head.A.length), B: new Float64Array(head.B.length) };
    this.v = { A: new Float64Array(head.A.length), B: new Float64Array(head.B.length) };
  }

  step(grads: LoraGradients): void {
    const { lr = 1e-2, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weightDecay = 0 } = this.options;
    this.t++;
    const c1 = 1 - beta1 ** this.t;
    const c2 = 1 - beta2 ** this.t;
    for (const key of ['A', 'B'] as const) {
      const p = this.head[key];
      const g = grads[key];
      const m = this.m[key];
      const v = this.v[key];
      for (let i = 0; i < p.length; i++) {
        m[i] = beta1 * m[i] + (1 - beta1) * g[i];
        v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
        p[i] -= lr * (m[i] / c1 / (Math.sqrt(v[i] / c2) + eps) + weightDecay * p[i]);
      }
    }
  }
}
