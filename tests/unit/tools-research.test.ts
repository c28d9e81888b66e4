/**
 * The research and writing tools in Node: search over the corpus (BM25, reranked by the
 * real micro encoder) and over the MediaWiki replay (the e2e replay server, real HTTP),
 * the semantic filter, and the documents' pure text editing. Scraping and OPFS need a
 * browser: tests/browser/tools-browser.test.ts.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEncoder, type Encoder } from '../../src/lib/encoders/index.js';
import {
  Bm25Index,
  createSemanticFilterTool,
  createWebSearchTool,
  DocumentError,
  formatOutline,
  normalizeDocumentName,
  numberLines,
  parsePassagesJsonl,
  parseWikipediaSearch,
  replaceLines,
  replaceString,
  searchCorpus,
  semanticFilter,
  splitDocumentPath,
  wikipediaSearchUrl,
  type Reranker,
} from '../../src/lib/tools/index.js';
import { startReplayServer, type ReplayServer } from '../e2e/replay-server.js';

const MODELS = new URL('../../static-models/', import.meta.url).pathname;
const passages = parsePassagesJsonl(readFileSync(`${MODELS}corpus/passages.jsonl`, 'utf8'));

describe('search over the corpus (offline)', () => {
  const index = new Bm25Index(passages);

  it('without a reranker is BM25, best first, in the observation format of training', async () => {
    const tool = createWebSearchTool({ passages });
    const hits = JSON.parse(await tool.run({ query: 'What is ReAct?' }));
    expect(hits.map((h: { id: string }) => h.id)).toEqual(
      index.search('What is ReAct?', 2).map((p) => p.id),
    );
    expect(Object.keys(hits[0])).toEqual(['id', 'title', 'text']);
    expect(tool.spec.function.name).toBe('search');
  });

  it('fuses BM25 with the reranker: w · bm25/max + (1 − w) · relevance', async () => {
    // A reranker that prefers the *last* candidate: the fused order follows the formula.
    const seen: string[][] = [];
    const rerank: Reranker = async (_query, documents) => {
      seen.push([...documents]);
      return documents.map((_, i) => (i === documents.length - 1 ? 1 : 0));
    };
    const query = 'beam search keeps the best partial sequences';
    const bm25 = index.scores(query);
    const candidates = bm25
      .map((score, i) => ({ score, i }))
      .filter((c) => c.score > 0)
      .sort((a, b) => b.score - a.score || a.i - b.i)
      .slice(0, 4);
    const hits = await searchCorpus(index, query, { rerank, candidates: 4, topK: 4 });
    expect(seen[0]).toEqual(candidates.map((c) => passages[c.i].text));
    const best = candidates[0].score;
    const expected = candidates
      .map((c, k) => ({
        id: passages[c.i].id,
        score: 0.4 * (c.score / best) + 0.6 * (k === 3 ? 1 : 0),
      }))
      .sort((a, b) => b.score - a.score);
    expect(hits.map((h) => h.id)).toEqual(expected.map((e) => e.id));
    for (const [k, hit] of hits.entries()) expect(hit.score).toBeCloseTo(expected[k].score, 12);
  });

  it('answers bad input and an unloaded corpus with observations, not exceptions', async () => {
    expect(JSON.parse(await createWebSearchTool({ passages }).run({}))).toEqual({
      error: 'query must be a non-empty string',
    });
    expect(JSON.parse(await createWebSearchTool({ passages: [] }).run({ query: 'x' }))).toEqual({
      error: 'the corpus is not loaded',
    });
    expect(await createWebSearchTool({ passages }).run({ query: 'zzzz qqqq' })).toBe('[]');
  });
});

describe('with the micro encoder (real model)', () => {
  let encoder: Encoder;
  beforeAll(async () => {
    encoder = await loadEncoder({
      model: 'micro-encoder',
      localModelPath: MODELS,
      allowRemoteModels: false,
      device: 'cpu',
    });
  }, 60_000);
  afterAll(() => encoder?.dispose());
  const rerank: Reranker = (q, d, o) => encoder.rerank(q, d, o);

  it('offline search reranks BM25 candidates and still finds the passage', async () => {
    const gathered: string[] = [];
    const tool = createWebSearchTool({
      passages,
      rerank,
      onHits: (hits) => gathered.push(...hits.map((h) => h.text)),
    });
    const hits = JSON.parse(await tool.run({ query: 'What is ReAct?' }));
    expect(hits[0].title).toBe('ReAct');
    expect(gathered).toEqual(hits.map((h: { text: string }) => h.text));
  });

  it('the semantic filter ranks the relevant passage first, with scores in [0, 1]', async () => {
    const texts = [
      'The angles of a triangle always add up to 180 degrees.',
      passages.find((p) => p.title === 'ReAct')!.text,
      'Oxygen has the chemical symbol O.',
    ];
    const ranked = await semanticFilter(rerank, 'an agent that reasons and acts with tools', texts);
    expect(ranked[0].index).toBe(1);
    for (const r of ranked) expect(r.score).toBeGreaterThanOrEqual(0);
    for (const r of ranked) expect(r.score).toBeLessThanOrEqual(1);
    expect([...ranked].sort((a, b) => b.score - a.score)).toEqual(ranked);

    // As a tool: ranks the gathered passages when the call names none.
    const tool = createSemanticFilterTool({ rerank, gathered: () => texts, topK: 2 });
    const out = JSON.parse(await tool.run({ query: 'an agent that reasons and acts with tools' }));
    expect(out).toHaveLength(2);
    expect(out[0].text).toBe(texts[1]);
    expect(out[0].score).toBeCloseTo(ranked[0].score, 3);
  });
});

describe('semantic filter (stub encoder)', () => {
  const rerank: Reranker = async (_q, docs) => docs.map((d) => d.length / 100);

  it('sorts by score, keeps input order on ties, drops those under minScore', async () => {
    const ranked = await semanticFilter(rerank, 'q', ['aaaa', 'bb', 'cccc', 'd'], {
      minScore: 0.02,
    });
    expect(ranked.map((r) => r.text)).toEqual(['aaaa', 'cccc', 'bb']);
  });

  it('says so when there is nothing to filter', async () => {
    const tool = createSemanticFilterTool({ rerank });
    expect(JSON.parse(await tool.run({ query: 'q' })).error).toMatch(/no passages/);
    expect(JSON.parse(await tool.run({ passages: ['x'] })).error).toMatch(/query/);
    expect(JSON.parse(await tool.run({ query: 'q', passages: ['abc'] }))).toEqual([
      { score: 0.03, text: 'abc' },
    ]);
  });
});

describe('search online (MediaWiki replay over real HTTP)', () => {
  let replay: ReplayServer;
  beforeAll(async () => {
    replay = await startReplayServer();
  });
  afterAll(() => replay?.close());

  it('sends the documented keyless CORS request and returns hits in search rank order', async () => {
    const tool = createWebSearchTool({
      mode: 'online',
      passages: [],
      searchUrl: `${replay.url}/w/api.php`,
      topK: 3,
    });
    const hits = JSON.parse(await tool.run({ query: 'moons of Jupiter' }));
    expect(hits.map((h: { title: string }) => h.title)).toEqual(['Moons of Jupiter', 'Jupiter']);
    expect(hits[0]).toMatchObject({ id: 'wikipedia:16534' });
    expect(hits[0].text).toMatch(/^There are 95 moons of Jupiter/);
    const sent = replay.requests.at(-1)!;
    expect(sent.path).toBe('/w/api.php');
    expect(sent.query).toMatchObject({
      action: 'query',
      format: 'json',
      formatversion: '2',
      origin: '*',
      generator: 'search',
      gsrsearch: 'moons of Jupiter',
      gsrlimit: '3',
      prop: 'extracts',
      exintro: '1',
      explaintext: '1',
    });
  });

  it('reads the real answer shape: pages in pageid order, `index` is the rank; no `query` = no hits', () => {
    const answer = {
      batchcomplete: true,
      continue: { gsroffset: 2, continue: 'gsroffset||' },
      query: {
        pages: [
          { pageid: 5, ns: 0, title: 'B', index: 2, extract: 'bee  text\n' },
          { pageid: 9, ns: 0, title: 'A', index: 1, extract: 'a'.repeat(20) },
        ],
      },
    };
    expect(parseWikipediaSearch(answer, 10)).toEqual([
      { id: 'wikipedia:9', title: 'A', text: `${'a'.repeat(10)}…` },
      { id: 'wikipedia:5', title: 'B', text: 'bee text' },
    ]);
    expect(parseWikipediaSearch({ batchcomplete: true })).toEqual([]);
    expect(() => parseWikipediaSearch({ error: { code: 'x', info: 'bad' } })).toThrow('bad');
    const url = wikipediaSearchUrl('https://en.wikipedia.org/w/api.php', 'a b', 2);
    expect(url.searchParams.get('origin')).toBe('*');
  });

  it('turns HTTP errors and a dead server into observations; a cancelled run still rejects', async () => {
    const failing = createWebSearchTool({
      mode: 'online',
      passages: [],
      fetch: async () => new Response('busy', { status: 503 }),
    });
    expect(JSON.parse(await failing.run({ query: 'x' }))).toEqual({
      error: 'search failed with HTTP 503',
    });
    const port = await freePort();
    const dead = createWebSearchTool({
      mode: 'online',
      passages: [],
      searchUrl: `http://127.0.0.1:${port}/w/api.php`,
    });
    expect(JSON.parse(await dead.run({ query: 'x' })).error).toMatch(/unreachable/);
    const controller = new AbortController();
    controller.abort();
    const live = createWebSearchTool({
      mode: 'online',
      passages: [],
      searchUrl: `${replay.url}/w/api.php`,
    });
    await expect(live.run({ query: 'x' }, { signal: controller.signal })).rejects.toThrow();
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe('document text editing (pure)', () => {
  const doc = 'one\ntwo\nthree\n';

  it('makes model file names safe', () => {
    expect(normalizeDocumentName('report')).toBe('report.md');
    expect(normalizeDocumentName(' notes/final report.txt ')).toBe('final report.txt');
    expect(normalizeDocumentName('../../etc/passwd')).toBe('passwd.md');
    expect(normalizeDocumentName('editer<think>. Now')).toBe('editer-think-. Now.md');
    expect(() => normalizeDocumentName('///')).toThrow(DocumentError);
    expect(splitDocumentPath('a/b.md')).toEqual({ folder: 'a', name: 'b.md' });
    expect(() => splitDocumentPath('a/b/c.md')).toThrow(/not a valid document path/);
    expect(() => splitDocumentPath('..')).toThrow(DocumentError);
  });

  it('numbers lines and writes outlines', () => {
    expect(numberLines(doc)).toBe('1 | one\n2 | two\n3 | three');
    expect(numberLines(doc, 2, 2)).toBe('2 | two');
    expect(formatOutline([' Intro ', 'Moons'])).toBe('1. Intro\n2. Moons\n');
  });

  it('replaces a line range, and refuses ranges that do not fit', () => {
    expect(replaceLines(doc, 2, 2, 'TWO')).toBe('one\nTWO\nthree\n');
    expect(replaceLines(doc, 1, 2, 'a\nb\nc')).toBe('a\nb\nc\nthree\n');
    expect(replaceLines(doc, 1, 3, '')).toBe('');
    expect(() => replaceLines(doc, 3, 4, 'x')).toThrow(
      'The document has 3 lines; the range 3–4 goes past its end.',
    );
    expect(() => replaceLines(doc, 0, 1, 'x')).toThrow(/numbered from 1/);
    expect(() => replaceLines(doc, 3, 2, 'x')).toThrow(/must not be before/);
  });

  it('replaces one exact string; missing or repeated text is an error', () => {
    expect(replaceString(doc, 'two', '2')).toBe('one\n2\nthree\n');
    expect(() => replaceString(doc, 'four', 'x')).toThrow(
      'The text "four" is not in the document.',
    );
    expect(() => replaceString('a a', 'a', 'b')).toThrow(/occurs more than once/);
    expect(() => replaceString(doc, '', 'b')).toThrow(/must not be empty/);
  });
});
