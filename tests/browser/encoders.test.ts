/**
 * The bundled micro encoder in real Chromium on WASM: it loads from the files the app
 * serves (`/static-models/`, `/ort/`, no other host), embeds, reranks, fills a mask,
 * aborts, and drives hybrid search over the corpus the app serves. Assertions are about
 * behaviour, not about the current weights' exact outputs.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  EncodingAbortedError,
  HybridIndex,
  UnknownEncoderError,
  cosineSimilarity,
  loadEncoder,
  rankByScore,
  type Encoder,
} from '../../src/lib/encoders';
import { parsePassagesJsonl, type Passage } from '../../src/lib/tools/corpus-search';

const LOCAL = {
  localModelPath: '/static-models/',
  allowRemoteModels: false,
  wasmPaths: '/ort/',
  device: 'wasm' as const,
};

let encoder: Encoder;
let corpus: Passage[];
const progress: string[] = [];

beforeAll(async () => {
  encoder = await loadEncoder({
    ...LOCAL,
    model: 'micro-encoder',
    onProgress: (p) => progress.push(p.status),
  });
  const response = await fetch('/static-models/corpus/passages.jsonl');
  corpus = parsePassagesJsonl(await response.text());
}, 120_000);

afterAll(() => encoder?.dispose());

it('loads the bundled encoder on WASM from the app’s own files', () => {
  expect(encoder.info).toMatchObject({
    model: 'micro-encoder',
    device: 'wasm',
    dtype: 'fp32',
    pooling: 'mean',
    dimensions: 128,
  });
  expect(progress).toContain('done');
  const hosts = performance
    .getEntriesByType('resource')
    .map((entry) => new URL(entry.name).host)
    .filter((host) => host !== location.host);
  expect(hosts).toEqual([]);
});

it('embeds as unit vectors; identical texts get cosine 1', async () => {
  const texts = [
    'The capital of Japan is Tokyo.',
    'Tools let agents act.',
    'The capital of Japan is Tokyo.',
  ];
  const vectors = await encoder.embed(texts);
  expect(vectors).toHaveLength(3);
  for (const v of vectors) {
    expect(v).toHaveLength(128);
    expect(Math.hypot(...v)).toBeCloseTo(1, 5);
  }
  expect(cosineSimilarity(vectors[0], vectors[2])).toBeCloseTo(1, 5);
});

it('reranks a passage first for its own first sentence, scores in [0, 1]', async () => {
  const candidates = corpus.filter((_, i) => i % 29 === 0).slice(0, 6);
  const target = candidates[1];
  const query = target.text.split(/(?<=[.!?])\s/)[0];
  const scores = await encoder.rerank(
    query,
    candidates.map((p) => p.text),
  );
  expect(scores.every((s) => s >= 0 && s <= 1)).toBe(true);
  expect(candidates[rankByScore(scores)[0]].id).toBe(target.id);
});

it('fills a mask with sorted top-k probabilities', async () => {
  const top = await encoder.fillMask('An agent calls a [MASK] to act.', { topK: 4 });
  expect(top).toHaveLength(4);
  expect(top.reduce((sum, p) => sum + p.score, 0)).toBeLessThanOrEqual(1 + 1e-6);
  for (let i = 1; i < top.length; i++) expect(top[i].score).toBeLessThanOrEqual(top[i - 1].score);
  await expect(encoder.fillMask('no mask')).rejects.toMatchObject({ kind: 'no_mask' });
});

it('aborts between batches', async () => {
  const controller = new AbortController();
  const run = encoder.embed(
    corpus.slice(0, 40).map((p) => p.text),
    { signal: controller.signal },
  );
  controller.abort();
  await expect(run).rejects.toBeInstanceOf(EncodingAbortedError);
});

it('searches the served corpus hybrid, embedding the passages once', async () => {
  let textsEmbedded = 0;
  const counting: Encoder = {
    info: encoder.info,
    embed: (texts, options) => {
      textsEmbedded += texts.length;
      return encoder.embed(texts, options);
    },
    rerank: (query, documents, options) => encoder.rerank(query, documents, options),
    fillMask: (text, options) => encoder.fillMask(text, options),
    dispose: () => encoder.dispose(),
  };
  const index = new HybridIndex(counting, corpus);
  const first = await index.search('What is a KV cache?', { k: 3 });
  const kv = corpus.find((p) => p.title === 'KV cache');
  expect(first.map((h) => h.passage.id)).toContain(kv?.id);
  expect(textsEmbedded).toBe(corpus.length + 1);
  await index.search('What does a checkpoint save?', { k: 3 });
  expect(textsEmbedded).toBe(corpus.length + 2);
}, 60_000);

it('refuses a model that is not in the catalog', async () => {
  await expect(loadEncoder({ ...LOCAL, model: 'someone/unknown-bert' })).rejects.toBeInstanceOf(
    UnknownEncoderError,
  );
});
