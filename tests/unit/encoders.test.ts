/**
 * Encoders: the pure parts (pooling, score maps, softmax top-k, hybrid fusion, catalog
 * lookups) on hand-made arrays; the cross-encoder path on a stand-in model; and the
 * bundled micro encoder for real through onnxruntime-node. Hub models are never
 * downloaded here. Nothing below depends on the micro encoder's exact weights: the tests
 * assert behaviour (unit vectors, orderings, ranges, errors), not numbers it outputs.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  AutoTokenizer,
  Tensor,
  type PreTrainedModel,
  type PreTrainedTokenizer,
} from '@huggingface/transformers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EncoderInputError,
  EncoderTaskError,
  EncodingAbortedError,
  HYBRID_BM25_WEIGHT,
  HybridIndex,
  TransformersEncoder,
  UnknownEncoderError,
  cosineSimilarity,
  cosineToUnitInterval,
  encoderEntries,
  encoderEntry,
  hybridScores,
  l2Normalize,
  loadEncoder,
  poolTokenStates,
  rankByScore,
  sigmoid,
  topKSoftmax,
  type Encoder,
  type EncoderInfo,
} from '../../src/lib/encoders/index.js';
import { catalogEntry, transformersPlacement } from '../../src/lib/llm/catalog.js';
import { configureTransformersEnvironment } from '../../src/lib/llm/engines/transformers-env.js';
import { ModelLoadError } from '../../src/lib/llm/types.js';
import { parsePassagesJsonl, type Passage } from '../../src/lib/tools/corpus-search.js';

const MODELS = fileURLToPath(new URL('../../static-models/', import.meta.url));
const LOCAL = { localModelPath: MODELS, allowRemoteModels: false, device: 'cpu' as const };
const corpus = parsePassagesJsonl(
  readFileSync(new URL('../../static-models/corpus/passages.jsonl', import.meta.url), 'utf8'),
);

const norm = (v: ArrayLike<number>) => Math.hypot(...Array.from(v));
const firstSentence = (text: string) => text.split(/(?<=[.!?])\s/)[0];

describe('pooling', () => {
  // Two sequences of three tokens, two dimensions; the second has one real token.
  const dims = [2, 3, 2] as const;
  const data = [1, 2, 3, 4, 100, 100, /* second */ 0, 5, 7, 7, 7, 7];
  const mask = [1, 1, 0, 1, 0, 0];

  it('mean-pools over real tokens only, then normalizes', () => {
    const [first, second] = poolTokenStates({ data, dims }, mask, 'mean');
    const mean = [(1 + 3) / 2, (2 + 4) / 2];
    expect(Array.from(first)).toEqual(mean.map((x) => expect.closeTo(x / Math.hypot(...mean), 6)));
    expect(Array.from(second)).toEqual([0, 1]);
    // Padding values never leak in.
    const otherPadding = data.map((x) => (x === 100 || x === 7 ? -50 : x));
    expect(poolTokenStates({ data: otherPadding, dims }, mask, 'mean')).toEqual([first, second]);
  });

  it('accepts the bigint masks tokenizers produce', () => {
    const big = BigInt64Array.from(mask, (m) => BigInt(m));
    expect(poolTokenStates({ data, dims }, big, 'mean')).toEqual(
      poolTokenStates({ data, dims }, mask, 'mean'),
    );
  });

  it('CLS pooling takes the first token', () => {
    const [first, second] = poolTokenStates({ data, dims }, mask, 'cls');
    expect(Array.from(first)).toEqual(
      [1 / Math.hypot(1, 2), 2 / Math.hypot(1, 2)].map((x) => expect.closeTo(x, 6)),
    );
    expect(Array.from(second)).toEqual([0, 1]);
  });

  it('rejects tensors whose data does not match their shape', () => {
    expect(() => poolTokenStates({ data: [1, 2, 3], dims }, mask, 'mean')).toThrow(/not 2×3×2/);
    expect(() => poolTokenStates({ data, dims }, [1, 1], 'mean')).toThrow(/not 2×3/);
  });

  it('l2Normalize gives unit vectors and leaves a zero vector at zero', () => {
    expect(norm(l2Normalize([3, 4]))).toBeCloseTo(1, 6);
    expect(Array.from(l2Normalize([0, 0, 0]))).toEqual([0, 0, 0]);
  });
});

describe('scores', () => {
  it('sigmoid maps logits onto (0, 1), symmetric and finite for huge inputs', () => {
    expect(sigmoid(0)).toBe(0.5);
    expect(sigmoid(2)).toBeCloseTo(1 / (1 + Math.exp(-2)), 12);
    expect(sigmoid(-3) + sigmoid(3)).toBeCloseTo(1, 12);
    expect(sigmoid(1000)).toBe(1);
    expect(sigmoid(-1000)).toBe(0);
    expect(sigmoid(-745)).toBeGreaterThanOrEqual(0);
    expect(sigmoid(1)).toBeGreaterThan(sigmoid(0.5));
  });

  it('maps cosines from [-1, 1] to [0, 1], clamping float error', () => {
    expect(cosineToUnitInterval(-1)).toBe(0);
    expect(cosineToUnitInterval(0)).toBe(0.5);
    expect(cosineToUnitInterval(1)).toBe(1);
    expect(cosineToUnitInterval(1.0000002)).toBe(1);
    expect(cosineToUnitInterval(-1.0000002)).toBe(0);
  });

  it('cosine of unit vectors is their dot product', () => {
    expect(cosineSimilarity([1, 0], [0, 1])).toBe(0);
    expect(cosineSimilarity(l2Normalize([1, 1]), l2Normalize([2, 2]))).toBeCloseTo(1, 6);
    expect(() => cosineSimilarity([1], [1, 2])).toThrow(/lengths 1 and 2/);
  });

  it('topKSoftmax returns the likeliest tokens, sorted, normalized over the whole vocabulary', () => {
    const logits = [1, 3, 2, 3, 0];
    const exps = logits.map(Math.exp);
    const total = exps.reduce((a, b) => a + b, 0);
    const top = topKSoftmax(logits, 3);
    expect(top.map((t) => t.tokenId)).toEqual([1, 3, 2]); // the tie goes to the lower id
    top.forEach((t) => expect(t.probability).toBeCloseTo(exps[t.tokenId] / total, 12));
    // Excluded ids are skipped but still count in the normalization.
    const withoutOne = topKSoftmax(logits, 2, new Set([1]));
    expect(withoutOne.map((t) => t.tokenId)).toEqual([3, 2]);
    expect(withoutOne[0].probability).toBeCloseTo(exps[3] / total, 12);
    expect(topKSoftmax(logits, 10)).toHaveLength(5);
    // Large logits do not overflow.
    const big = topKSoftmax([1000, 999], 2);
    expect(big[0].probability + big[1].probability).toBeCloseTo(1, 12);
  });
});

describe('hybrid fusion', () => {
  it('weights max-normalized BM25 against the cosine mapped to [0, 1]', () => {
    const bm25 = [2, 4, 0];
    const cosines = [0.5, -1, 1];
    const w = 0.4;
    expect(hybridScores(bm25, cosines, w)).toEqual([
      expect.closeTo(w * 0.5 + (1 - w) * 0.75, 12),
      expect.closeTo(w * 1 + (1 - w) * 0, 12),
      expect.closeTo(w * 0 + (1 - w) * 1, 12),
    ]);
  });

  it('gives BM25 no share when no passage matches a query word', () => {
    expect(hybridScores([0, 0], [0, 1], 0.4)).toEqual([0.6 * 0.5, 0.6]);
  });

  it('reduces to one signal at the ends of the weight range', () => {
    expect(hybridScores([1, 3], [1, -1], 1)).toEqual([1 / 3, 1]);
    expect(hybridScores([1, 3], [1, -1], 0)).toEqual([1, 0]);
    expect(() => hybridScores([1], [0], 1.5)).toThrow(EncoderInputError);
    expect(() => hybridScores([1], [0, 1])).toThrow(/1 BM25 scores but 2 cosines/);
  });

  it('uses the weight the recipe chose by default', () => {
    expect(HYBRID_BM25_WEIGHT).toBeGreaterThanOrEqual(0);
    expect(HYBRID_BM25_WEIGHT).toBeLessThanOrEqual(1);
    expect(hybridScores([1, 0], [0, 0])).toEqual(hybridScores([1, 0], [0, 0], HYBRID_BM25_WEIGHT));
  });

  it('ranks best first and breaks ties by corpus order', () => {
    expect(rankByScore([0.2, 0.9, 0.2, 0.9, 0.1])).toEqual([1, 3, 0, 2, 4]);
  });
});

/** An encoder whose embedding of a text is a fixed vector, counting its calls. */
function fakeEncoder(
  vectors: Record<string, number[]>,
  tasks: EncoderInfo['tasks'] = ['embedding'],
) {
  const calls: string[][] = [];
  let failNext = false;
  const encoder: Encoder = {
    info: {
      model: 'fake',
      repo: 'fake',
      device: 'cpu',
      dtype: 'fp32',
      tasks,
      pooling: 'mean',
      dimensions: 2,
      maxTokens: 512,
    },
    async embed(texts) {
      calls.push([...texts]);
      if (failNext) {
        failNext = false;
        throw new Error('embedding failed');
      }
      return texts.map((t) => l2Normalize(vectors[t] ?? [1, 0]));
    },
    rerank: async () => [],
    fillMask: async () => [],
    dispose: async () => {},
  };
  return { encoder, calls, failOnce: () => (failNext = true) };
}

describe('HybridIndex', () => {
  const passages: Passage[] = [
    { id: 'a', title: 'cats', text: 'cats purr' },
    { id: 'b', title: 'dogs', text: 'dogs bark loudly' },
    { id: 'c', title: 'birds', text: 'birds sing' },
  ];
  const vectors = {
    'cats purr': [1, 0],
    'dogs bark loudly': [0, 1],
    'birds sing': [-1, 0],
    'what purrs': [0, 1],
  };

  it('fuses the BM25 index scores with cosines as the recipe does', async () => {
    const { encoder } = fakeEncoder(vectors);
    const index = new HybridIndex(encoder, passages, { bm25Weight: 0.5 });
    const query = 'what purrs';
    const hits = await index.scoreAll(query);
    const bm25 = index.bm25.scores(query);
    expect(hits.map((h) => h.bm25)).toEqual(bm25);
    expect(hits.map((h) => h.cosine)).toEqual([0, 1, 0].map((x) => expect.closeTo(x, 6)));
    expect(hits.map((h) => h.score)).toEqual(
      hybridScores(
        bm25,
        hits.map((h) => h.cosine),
        0.5,
      ).map((x) => expect.closeTo(x, 12)),
    );
    const top = await index.search(query, { k: 2 });
    expect(top.map((h) => h.passage.id)).toEqual(
      rankByScore(hits.map((h) => h.score))
        .slice(0, 2)
        .map((i) => passages[i].id),
    );
  });

  it('embeds the passages (their text) once and reuses them', async () => {
    const { encoder, calls } = fakeEncoder(vectors);
    const index = new HybridIndex(encoder, passages);
    await index.search('cats');
    await index.search('dogs');
    const passageCalls = calls.filter((texts) => texts.length === passages.length);
    expect(passageCalls).toEqual([passages.map((p) => p.text)]);
    expect(await index.passageEmbeddings()).toBe(await index.passageEmbeddings());
  });

  it('does not keep a failed passage embedding', async () => {
    const { encoder, failOnce } = fakeEncoder(vectors);
    const index = new HybridIndex(encoder, passages);
    failOnce();
    await expect(index.search('cats')).rejects.toThrow('embedding failed');
    await expect(index.search('cats')).resolves.toHaveLength(3);
  });

  it('rejects encoders that cannot embed, empty corpora and bad options', async () => {
    expect(() => new HybridIndex(fakeEncoder(vectors, ['rerank']).encoder, passages)).toThrow(
      EncoderTaskError,
    );
    expect(() => new HybridIndex(fakeEncoder(vectors).encoder, [])).toThrow(
      expect.objectContaining({ kind: 'empty_list' }),
    );
    expect(
      () => new HybridIndex(fakeEncoder(vectors).encoder, passages, { bm25Weight: -0.1 }),
    ).toThrow(expect.objectContaining({ kind: 'invalid_option' }));
    const index = new HybridIndex(fakeEncoder(vectors).encoder, passages);
    await expect(index.search('cats', { k: 0 })).rejects.toMatchObject({ kind: 'invalid_option' });
  });
});

describe('encoder catalog', () => {
  it('finds encoders by id or repository', () => {
    expect(encoderEntry('gte-modernbert-base').transformers.repo).toBe(
      'Alibaba-NLP/gte-modernbert-base',
    );
    expect(encoderEntry('Alibaba-NLP/gte-reranker-modernbert-base').id).toBe(
      'gte-reranker-modernbert-base',
    );
    expect(encoderEntry('answerdotai/ModernBERT-base').id).toBe('modernbert-base');
  });

  it('throws UnknownEncoderError for ids that are not encoders, naming the known ones', () => {
    for (const id of ['no-such-model', 'micro-agent', 'Alibaba-NLP/gte-modernbert-large']) {
      let error: unknown;
      try {
        encoderEntry(id);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(UnknownEncoderError);
      expect((error as UnknownEncoderError).model).toBe(id);
      expect((error as Error).message).toContain('micro-encoder');
    }
  });

  it('records pooling and rerank mode per model, consistent with its tasks', () => {
    expect(encoderEntry('micro-encoder').encoder).toMatchObject({
      pooling: 'mean',
      rerank: 'bi-encoder',
    });
    expect(encoderEntry('gte-modernbert-base').encoder).toMatchObject({
      pooling: 'cls',
      rerank: 'bi-encoder',
    });
    expect(encoderEntry('gte-reranker-modernbert-base').encoder).toEqual({
      tasks: ['rerank'],
      rerank: 'cross-encoder',
    });
    for (const entry of encoderEntries()) {
      expect(entry.encoder.tasks.includes('embedding')).toBe(entry.encoder.pooling !== undefined);
      expect(entry.encoder.tasks.includes('rerank')).toBe(entry.encoder.rerank !== undefined);
      expect(entry.encoder.tasks).toContain(entry.task);
      expect(entry.engine).toBe('transformers');
    }
  });

  it('ships the micro encoder: bundled, no download, on WASM even with WebGPU', () => {
    const micro = catalogEntry('micro-encoder');
    expect(micro).toMatchObject({ bundled: true, downloadBytes: 0 });
    const webgpu = {
      available: true,
      features: ['shader-f16'],
      shaderF16: true,
      limits: {},
      software: false,
    };
    expect(micro && transformersPlacement(micro, { webgpu })).toEqual({
      device: 'wasm',
      dtype: 'fp32',
    });
  });

  it('refuses unknown models before loading anything, and reports load failures as ModelLoadError', async () => {
    await expect(loadEncoder({ ...LOCAL, model: 'bert-base-uncased' })).rejects.toBeInstanceOf(
      UnknownEncoderError,
    );
    // A hub model with the hub switched off: a clear load error, no hang.
    const failed = loadEncoder({ ...LOCAL, model: 'gte-modernbert-base' });
    await expect(failed).rejects.toBeInstanceOf(ModelLoadError);
    await expect(failed).rejects.toMatchObject({ model: 'gte-modernbert-base' });
    await expect(
      loadEncoder({ ...LOCAL, model: 'micro-encoder', batchSize: 0 }),
    ).rejects.toMatchObject({ kind: 'invalid_option' });
  });
});

describe('cross-encoder reranking (stand-in model, real tokenizer)', () => {
  let tokenizer: PreTrainedTokenizer;
  const seen: Array<{ batch: number; tokens: number }> = [];
  // One relevance logit per pair: how many tokens the pair has, minus 12. Longer
  // documents get higher logits, which is enough to check order and the sigmoid.
  const model = {
    config: { hidden_size: 8, max_position_embeddings: 64 },
    async forward(inputs: { input_ids: Tensor; attention_mask: Tensor }) {
      const [batch, tokens] = inputs.attention_mask.dims;
      seen.push({ batch, tokens });
      const mask = Array.from(inputs.attention_mask.data as BigInt64Array, Number);
      const logits = Float32Array.from({ length: batch }, (_, b) => {
        const length = mask.slice(b * tokens, (b + 1) * tokens).reduce((s, m) => s + m, 0);
        return length - 12;
      });
      return { logits: new Tensor('float32', logits, [batch, 1]) };
    },
    async dispose() {},
  };

  beforeAll(async () => {
    configureTransformersEnvironment(LOCAL);
    tokenizer = await AutoTokenizer.from_pretrained('micro-encoder', {
      local_files_only: true,
    } as never);
  });

  it('scores each (query, document) pair with the sigmoid of its logit, in document order', async () => {
    const encoder = TransformersEncoder.wrap({
      entry: encoderEntry('gte-reranker-modernbert-base'),
      model: model as unknown as PreTrainedModel,
      tokenizer,
      device: 'cpu',
      dtype: 'fp32',
      batchSize: 2,
    });
    expect(encoder.info).toMatchObject({ rerank: 'cross-encoder', maxTokens: 64 });
    const query = 'which one';
    const documents = [
      'a much longer document with many words in it',
      'short',
      'medium length text',
    ];
    const scores = await encoder.rerank(query, documents);
    const expected = documents.map((doc) => {
      const length = tokenizer(query, { text_pair: doc }).input_ids.dims[1];
      return sigmoid(length - 12);
    });
    expect(scores).toEqual(expected.map((x) => expect.closeTo(x, 6)));
    expect(scores[0]).toBeGreaterThan(scores[2]);
    expect(scores[2]).toBeGreaterThan(scores[1]);
    // Three pairs in batches of two.
    expect(seen.map((s) => s.batch)).toEqual([2, 1]);
    // A reranker has no embedding or fill-mask head.
    await expect(encoder.embed(['x'])).rejects.toBeInstanceOf(EncoderTaskError);
    await expect(encoder.fillMask('a [MASK]')).rejects.toMatchObject({ task: 'fill-mask' });
  });
});

describe('the bundled micro encoder (onnxruntime-node)', () => {
  let encoder: Encoder;

  beforeAll(async () => {
    encoder = await loadEncoder({ ...LOCAL, model: 'micro-encoder' });
  }, 60_000);

  afterAll(() => encoder?.dispose());

  it('describes itself from the catalog and the model config', () => {
    expect(encoder.info).toMatchObject({
      model: 'micro-encoder',
      repo: 'micro-encoder',
      device: 'cpu',
      dtype: 'fp32',
      pooling: 'mean',
      rerank: 'bi-encoder',
      dimensions: 128,
    });
  });

  it('embeds texts as unit vectors of the hidden size, identical texts identically', async () => {
    const texts = ['The capital of Japan is Tokyo.', 'A KV cache stores keys and values.', ''];
    const vectors = await encoder.embed(texts);
    expect(vectors).toHaveLength(3);
    for (const v of vectors) {
      expect(v).toBeInstanceOf(Float32Array);
      expect(v).toHaveLength(128);
      expect(norm(v)).toBeCloseTo(1, 5);
    }
    const [again] = await encoder.embed([texts[0]]);
    expect(cosineSimilarity(vectors[0], again)).toBeCloseTo(1, 5);
    expect(cosineSimilarity(vectors[0], vectors[1])).toBeLessThan(0.9999);
  });

  it('gives the same vectors whatever the batching and input order', async () => {
    const texts = corpus.slice(0, 7).map((p) => p.text);
    const small = await loadEncoder({ ...LOCAL, model: 'micro-encoder', batchSize: 2 });
    const batched = await small.embed(texts);
    const whole = await encoder.embed([...texts].reverse());
    whole.reverse();
    batched.forEach((v, i) => expect(cosineSimilarity(v, whole[i])).toBeCloseTo(1, 5));
    await small.dispose();
  });

  it('reranks by (cos + 1) / 2: a passage ranks first for its own first sentence', async () => {
    const candidates = corpus.filter((_, i) => i % 29 === 0).slice(0, 6);
    for (const target of candidates.slice(0, 3)) {
      const scores = await encoder.rerank(
        firstSentence(target.text),
        candidates.map((p) => p.text),
      );
      expect(scores).toHaveLength(candidates.length);
      for (const s of scores) {
        expect(s).toBeGreaterThanOrEqual(0);
        expect(s).toBeLessThanOrEqual(1);
      }
      const best = rankByScore(scores)[0];
      expect(candidates[best].id).toBe(target.id);
    }
    const query = 'tools and agents';
    const docs = candidates.map((p) => p.text);
    const [q, ...d] = await encoder.embed([query, ...docs]);
    const scores = await encoder.rerank(query, docs);
    expect(scores).toEqual(
      d.map((v) => expect.closeTo(cosineToUnitInterval(cosineSimilarity(q, v)), 5)),
    );
  });

  it('fills a mask: top-k tokens, best first, probabilities summing to at most 1', async () => {
    const text = 'A KV cache stores the attention keys and [MASK] of earlier tokens.';
    const top = await encoder.fillMask(text, { topK: 5 });
    expect(top).toHaveLength(5);
    const total = top.reduce((sum, p) => sum + p.score, 0);
    expect(total).toBeLessThanOrEqual(1 + 1e-6);
    for (let i = 0; i < top.length; i++) {
      expect(top[i].score).toBeGreaterThan(0);
      if (i > 0) expect(top[i].score).toBeLessThanOrEqual(top[i - 1].score);
      expect(top[i].sequence).not.toContain('[MASK]');
      expect(top[i].token).not.toMatch(/^\[(CLS|SEP|PAD|MASK|UNK)\]$/);
    }
    expect(new Set(top.map((p) => p.tokenId)).size).toBe(5);
    const [best] = await encoder.fillMask(text, { topK: 1 });
    expect(best).toEqual(top[0]);
    expect(await encoder.fillMask(text)).toHaveLength(5);
  });

  it('rejects bad input with typed errors', async () => {
    await expect(encoder.embed([])).rejects.toMatchObject({
      name: 'EncoderInputError',
      kind: 'empty_list',
    });
    await expect(encoder.embed(['ok', 3 as unknown as string])).rejects.toMatchObject({
      kind: 'not_a_string',
    });
    await expect(encoder.rerank('query', [])).rejects.toMatchObject({ kind: 'empty_list' });
    await expect(encoder.fillMask('No mask here.')).rejects.toMatchObject({ kind: 'no_mask' });
    await expect(encoder.fillMask('[MASK] and [MASK].')).rejects.toMatchObject({
      kind: 'several_masks',
    });
    await expect(encoder.fillMask('a [MASK]', { topK: 0 })).rejects.toMatchObject({
      kind: 'invalid_option',
    });
    await expect(encoder.fillMask('a [MASK]')).resolves.toHaveLength(5);
  });

  it('aborts: before starting, and between batches', async () => {
    const controller = new AbortController();
    controller.abort();
    const options = { signal: controller.signal };
    await expect(encoder.embed(['x'], options)).rejects.toBeInstanceOf(EncodingAbortedError);
    await expect(encoder.rerank('x', ['y'], options)).rejects.toMatchObject({ name: 'AbortError' });
    await expect(encoder.fillMask('[MASK]', options)).rejects.toMatchObject({ name: 'AbortError' });

    const midway = new AbortController();
    const texts = corpus.slice(0, 40).map((p) => p.text);
    const run = encoder.embed(texts, { signal: midway.signal });
    midway.abort(); // the first batch is already running; the second never starts
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('reproduces the card on held-out questions: the hybrid finds more right passages than BM25', async () => {
    // The 204 held-out questions the recipe's eval.py scored (never seen in training).
    const questions = readFileSync(
      fileURLToPath(
        new URL(
          '../../static-models/recipes/micro_encoder/heldout_questions.jsonl',
          import.meta.url,
        ),
      ),
      'utf8',
    )
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { query: string; passage: string });
    const index = new HybridIndex(encoder, corpus);
    let bm25Hits = 0;
    let hybridHits = 0;
    for (const q of questions) {
      const all = await index.scoreAll(q.query);
      const bestBm25 = rankByScore(all.map((h) => h.bm25))[0];
      const bestHybrid = rankByScore(all.map((h) => h.score))[0];
      if (corpus[bestBm25].id === q.passage) bm25Hits++;
      if (corpus[bestHybrid].id === q.passage) hybridHits++;
    }
    const bm25Recall = (100 * bm25Hits) / questions.length;
    const hybridRecall = (100 * hybridHits) / questions.length;
    // eval.py measured 91.7 % and 94.1 %; ONNX vs PyTorch float noise may move a tie or two
    expect(bm25Recall).toBeCloseTo(91.7, 0);
    expect(Math.abs(hybridRecall - 94.1)).toBeLessThan(1.5);
    expect(hybridRecall).toBeGreaterThan(bm25Recall);
  }, 120_000);

  it('searches the corpus hybrid: fused scores, best first, the named passage on top', async () => {
    const index = new HybridIndex(encoder, corpus);
    const kv = corpus.find((p) => p.title === 'KV cache');
    expect(kv).toBeDefined();
    const hits = await index.search('What is a KV cache?', { k: 3 });
    expect(hits).toHaveLength(3);
    for (let i = 1; i < hits.length; i++)
      expect(hits[i].score).toBeLessThanOrEqual(hits[i - 1].score);
    expect(hits.map((h) => h.passage.id)).toContain(kv?.id);
    const all = await index.scoreAll('What is a KV cache?');
    const fused = hybridScores(
      all.map((h) => h.bm25),
      all.map((h) => h.cosine),
    );
    expect(hits.map((h) => h.index)).toEqual(rankByScore(fused).slice(0, 3));
  }, 60_000);
});
