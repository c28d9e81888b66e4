/**
 * Hybrid retrieval over the bundled corpus: BM25 (the search tool's index) and encoder
 * similarity, fused exactly as the micro-encoder recipe's evaluation fuses them
 * (static-models/recipes/micro_encoder/eval.py, `hybrid` and `rank_of`):
 *
 *   score = w · bm25 / max(bm25 over the corpus for this query)   (0 when that max is 0)
 *         + (1 − w) · (cos + 1) / 2
 *
 * ranked best first, ties in corpus order. Passages are embedded by their `text` alone,
 * as the evaluation embeds them; BM25 reads title and text as the search tool does.
 */
import { Bm25Index, type Passage } from '../tools/corpus-search.js';
import { cosineSimilarity, cosineToUnitInterval } from './scores.js';
import {
  EncoderInputError,
  EncoderTaskError,
  throwIfEncodingAborted,
  type EncodeOptions,
  type Encoder,
} from './types.js';

/**
 * BM25's weight `w` in the hybrid score. Chosen on dev-passage questions (never the
 * held-out ones) by static-models/recipes/micro_encoder/eval.py, which writes it to its
 * eval.json as `hybrid_weight_bm25`; when the encoder is retrained, copy the new value here.
 */
export const HYBRID_BM25_WEIGHT = 0.4;

function requireWeight(weight: number): void {
  if (!(weight >= 0 && weight <= 1)) {
    throw new EncoderInputError(
      'invalid_option',
      `The BM25 weight must be in [0, 1], not ${weight}.`,
    );
  }
}

/**
 * The hybrid score of every passage from its BM25 score and its cosine similarity to the
 * query (both in corpus order).
 */
export function hybridScores(
  bm25: readonly number[],
  cosines: readonly number[],
  bm25Weight: number = HYBRID_BM25_WEIGHT,
): number[] {
  requireWeight(bm25Weight);
  if (bm25.length !== cosines.length) {
    throw new Error(`${bm25.length} BM25 scores but ${cosines.length} cosines.`);
  }
  const best = bm25.reduce((max, score) => Math.max(max, score), 0);
  return bm25.map(
    (score, i) =>
      bm25Weight * (best > 0 ? score / best : 0) +
      (1 - bm25Weight) * cosineToUnitInterval(cosines[i]),
  );
}

/** Indices of `scores`, best first; equal scores keep corpus order. */
export function rankByScore(scores: readonly number[]): number[] {
  return scores.map((_, index) => index).sort((a, b) => scores[b] - scores[a] || a - b);
}

export interface HybridHit {
  passage: Passage;
  /** Position in the corpus. */
  index: number;
  /** The fused score in [0, 1]. */
  score: number;
  bm25: number;
  cosine: number;
}

export interface HybridSearchOptions extends EncodeOptions {
  /** Passages to return (default 5). */
  k?: number;
}

export interface HybridIndexOptions {
  /** BM25's weight `w` (default `HYBRID_BM25_WEIGHT`). */
  bm25Weight?: number;
  /** Reuse an index already built over the same passages (e.g. the search tool's). */
  bm25?: Bm25Index;
}

export class HybridIndex {
  readonly bm25: Bm25Index;
  readonly bm25Weight: number;
  private embeddings?: Promise<Float32Array[]>;

  constructor(
    readonly encoder: Encoder,
    readonly passages: readonly Passage[],
    options: HybridIndexOptions = {},
  ) {
    if (!encoder.info.tasks.includes('embedding')) {
      throw new EncoderTaskError(encoder.info.model, 'embedding', encoder.info.tasks);
    }
    if (passages.length === 0) {
      throw new EncoderInputError('empty_list', 'A hybrid index needs at least one passage.');
    }
    if (options.bm25 && options.bm25.passages !== passages) {
      throw new Error('The BM25 index given was built over other passages.');
    }
    this.bm25Weight = options.bm25Weight ?? HYBRID_BM25_WEIGHT;
    requireWeight(this.bm25Weight);
    this.bm25 = options.bm25 ?? new Bm25Index(passages);
  }

  /**
   * The passages' embeddings, computed on first use and kept. A failed or aborted run
   * is not kept, so the next call starts again.
   */
  passageEmbeddings(options: EncodeOptions = {}): Promise<Float32Array[]> {
    if (!this.embeddings) {
      const running = this.encoder.embed(
        this.passages.map((passage) => passage.text),
        options,
      );
      this.embeddings = running;
      running.catch(() => {
        if (this.embeddings === running) this.embeddings = undefined;
      });
    }
    return this.embeddings;
  }

  /** Every passage scored against `query`, in corpus order. */
  async scoreAll(query: string, options: EncodeOptions = {}): Promise<HybridHit[]> {
    const passageVectors = await this.passageEmbeddings(options);
    const [queryVector] = await this.encoder.embed([query], options);
    throwIfEncodingAborted(options.signal);
    const bm25 = this.bm25.scores(query);
    const cosines = passageVectors.map((vector) => cosineSimilarity(queryVector, vector));
    const fused = hybridScores(bm25, cosines, this.bm25Weight);
    return this.passages.map((passage, index) => ({
      passage,
      index,
      score: fused[index],
      bm25: bm25[index],
      cosine: cosines[index],
    }));
  }

  /** The best `k` passages for `query`, best first, ties in corpus order. */
  async search(query: string, options: HybridSearchOptions = {}): Promise<HybridHit[]> {
    const k = options.k ?? 5;
    if (!Number.isInteger(k) || k < 1) {
      throw new EncoderInputError('invalid_option', `k must be a positive integer, not ${k}.`);
    }
    const hits = await this.scoreAll(query, options);
    return rankByScore(hits.map((hit) => hit.score))
      .slice(0, k)
      .map((index) => hits[index]);
  }
}
