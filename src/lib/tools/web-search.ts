/**
 * `search(query)` for agents that research: two back ends behind the spec the micro model
 * was trained with (`search`, one `query` string), both answering in its observation
 * format, a JSON list of `{id, title, text}`, best first.
 *
 * - Offline: BM25 over the bundled corpus picks candidates, then an encoder reranks them.
 *   The final score fuses both as the micro encoder's evaluation does (BM25's weight `w`
 *   = 0.4, `HYBRID_BM25_WEIGHT` in lib/encoders): `w · bm25 / max bm25 + (1 − w) · rerank`.
 *   For the micro encoder `rerank` is (cos + 1) / 2, so this is the hybrid search over
 *   BM25's candidates. Without a reranker it is plain BM25.
 * - Online: Wikipedia's MediaWiki API, keyless and CORS-enabled with `origin=*`. One
 *   request: `generator=search` finds the pages and `prop=extracts` (TextExtracts, plain
 *   text, intro only) returns their leading text; `index` is the search rank.
 *
 * The encoder is passed in as a function (`Reranker`): lib/encoders imports this layer's
 * BM25, so the tools never import the encoders back.
 */
import { Bm25Index, type Passage } from './corpus-search.js';
import { pythonJsonDumps } from './python-format.js';
import { SEARCH_SPEC } from './specs.js';
import { argumentsObject, type Tool, type ToolContext } from './types.js';

/** Relevance of each document to the query, in [0, 1], in the documents' order (`Encoder.rerank`). */
export type Reranker = (
  query: string,
  documents: readonly string[],
  options?: { signal?: AbortSignal },
) => Promise<number[]>;

/** A hit as the observation shows it (the corpus and Wikipedia alike). */
export interface SearchHit {
  id: string;
  title: string;
  text: string;
}

export const WIKIPEDIA_API_URL = 'https://en.wikipedia.org/w/api.php';

/** BM25's weight in the fused offline score (the encoders' `HYBRID_BM25_WEIGHT`). */
export const DEFAULT_BM25_WEIGHT = 0.4;

export interface WebSearchToolOptions {
  /** `offline` (default): the corpus, reranked. `online`: Wikipedia (or `searchUrl`). */
  mode?: 'offline' | 'online';
  /** The bundled corpus (offline). */
  passages: readonly Passage[];
  /** Offline: reranks BM25's candidates (the micro encoder's `rerank`). */
  rerank?: Reranker;
  /** Offline: BM25 candidates handed to the reranker (default 8). */
  candidates?: number;
  bm25Weight?: number;
  /** Hits per observation (default 2, as the micro model was trained). */
  topK?: number;
  /** Online: a MediaWiki `api.php` (default English Wikipedia; tests use the replay server). */
  searchUrl?: string;
  /** Online: each extract is cut to this many characters (default 600). */
  maxExtractChars?: number;
  fetch?: typeof fetch;
  /** Called with every observation's hits (a semantic filter can rank what was gathered). */
  onHits?: (hits: readonly SearchHit[]) => void;
}

function errorObservation(message: string): string {
  return pythonJsonDumps({ error: message });
}

function observation(hits: readonly SearchHit[]): string {
  return pythonJsonDumps(
    hits.map((hit) => ({ id: hit.id, title: hit.title, text: hit.text })),
    { ensureAscii: false },
  );
}

/** Offline search: BM25 candidates, reranked and fused; best first, ties in corpus order. */
export async function searchCorpus(
  index: Bm25Index,
  query: string,
  options: Pick<WebSearchToolOptions, 'rerank' | 'candidates' | 'bm25Weight' | 'topK'> & {
    signal?: AbortSignal;
  } = {},
): Promise<Array<SearchHit & { score: number }>> {
  const topK = options.topK ?? 2;
  const bm25 = index.scores(query);
  const candidates = bm25
    .map((score, position) => ({ score, position }))
    .filter(({ score }) => score > 0)
    .sort((a, b) => b.score - a.score || a.position - b.position)
    .slice(0, options.candidates ?? 8);
  if (candidates.length === 0) return [];
  const best = candidates[0].score;
  let fused = candidates.map(({ score }) => score / best);
  if (options.rerank) {
    const weight = options.bm25Weight ?? DEFAULT_BM25_WEIGHT;
    const relevance = await options.rerank(
      query,
      candidates.map(({ position }) => index.passages[position].text),
      { signal: options.signal },
    );
    fused = fused.map((normalized, i) => weight * normalized + (1 - weight) * relevance[i]);
  }
  return candidates
    .map((candidate, i) => ({ ...candidate, fused: fused[i] }))
    .sort((a, b) => b.fused - a.fused || a.position - b.position)
    .slice(0, topK)
    .map(({ position, fused: score }) => {
      const passage = index.passages[position];
      return { id: passage.id, title: passage.title, text: passage.text, score };
    });
}

/** The MediaWiki request: search and intro extracts in one call (`formatversion=2`). */
export function wikipediaSearchUrl(base: string, query: string, limit: number): URL {
  const url = new URL(base);
  const params: Record<string, string> = {
    action: 'query',
    format: 'json',
    formatversion: '2',
    // Anonymous CORS: Wikipedia answers with Access-Control-Allow-Origin: * only with this.
    origin: '*',
    generator: 'search',
    gsrsearch: query,
    gsrlimit: String(limit),
    gsrnamespace: '0',
    prop: 'extracts',
    exintro: '1',
    explaintext: '1',
    // Several extracts in one answer need exintro; exlimit caps them at 20.
    exlimit: 'max',
  };
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  return url;
}

interface MediaWikiPage {
  pageid?: number;
  title?: string;
  index?: number;
  extract?: string;
  missing?: boolean;
}

/** The hits of a `generator=search&prop=extracts` answer, in search rank order. */
export function parseWikipediaSearch(body: unknown, maxChars = 600): SearchHit[] {
  const answer = body as { query?: { pages?: MediaWikiPage[] }; error?: { info?: string } };
  if (answer?.error) throw new Error(answer.error.info ?? 'the search service reported an error');
  // No `query` at all is how MediaWiki says "no results".
  const pages = answer?.query?.pages ?? [];
  if (!Array.isArray(pages)) throw new Error('unexpected answer (pages is not a list)');
  return pages
    .filter((page) => !page.missing && typeof page.title === 'string')
    .sort((a, b) => (a.index ?? Infinity) - (b.index ?? Infinity))
    .map((page) => {
      const text = (page.extract ?? '').replace(/\s+/g, ' ').trim();
      return {
        id: `wikipedia:${page.pageid ?? page.title}`,
        title: page.title!,
        text: text.length > maxChars ? `${text.slice(0, maxChars).trimEnd()}…` : text,
      };
    });
}

async function searchOnline(
  query: string,
  options: WebSearchToolOptions,
  ctx: ToolContext,
): Promise<string> {
  const fetchFn = options.fetch ?? globalThis.fetch;
  const url = wikipediaSearchUrl(options.searchUrl ?? WIKIPEDIA_API_URL, query, options.topK ?? 2);
  try {
    const response = await fetchFn(url, { signal: ctx.signal });
    if (!response.ok) return errorObservation(`search failed with HTTP ${response.status}`);
    const hits = parseWikipediaSearch(await response.json(), options.maxExtractChars);
    options.onHits?.(hits);
    return observation(hits);
  } catch (error) {
    if (ctx.signal?.aborted) throw error;
    return errorObservation(`search service unreachable: ${(error as Error)?.message ?? error}`);
  }
}

export function createWebSearchTool(options: WebSearchToolOptions): Tool {
  const mode = options.mode ?? 'offline';
  // Built lazily: an online-only tool over an empty corpus must still construct.
  let index: Bm25Index | undefined;
  return {
    spec: SEARCH_SPEC,
    async run(args, ctx = {}) {
      const { query } = argumentsObject(args);
      if (typeof query !== 'string' || query.trim() === '')
        return errorObservation('query must be a non-empty string');
      if (mode === 'online') return searchOnline(query, options, ctx);
      if (options.passages.length === 0) return errorObservation('the corpus is not loaded');
      index ??= new Bm25Index(options.passages);
      const hits = await searchCorpus(index, query, { ...options, signal: ctx.signal });
      options.onHits?.(hits);
      return observation(hits);
    },
  };
}
