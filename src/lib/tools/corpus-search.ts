/**
 * `search(query)`: BM25 over the bundled knowledge corpus, exactly as tools.py's `BM25`
 * class: the same tokenizer (`[a-z0-9]+` on lower-cased text), the title counted twice,
 * k1 = 1.2, b = 0.75, the same idf, the same tie-break (corpus order) and the same JSON
 * observation (top 2 passages, `ensure_ascii=False`).
 *
 * The module never reads files: the caller loads `static-models/corpus/passages.jsonl`
 * (fs in Node, fetch in the browser) and passes the passages in, so it runs anywhere.
 */
import { SEARCH_SPEC } from './specs.js';
import { pythonJsonDumps } from './python-format.js';
import { argumentsObject, type Tool } from './types.js';

export interface Passage {
  id: string;
  title: string;
  text: string;
  [key: string]: unknown;
}

/** Parses the corpus JSONL (one passage per non-blank line). */
export function parsePassagesJsonl(text: string): Passage[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, index) => {
      const passage = JSON.parse(line) as Passage;
      if (typeof passage.id !== 'string' || typeof passage.title !== 'string') {
        throw new Error(`corpus line ${index + 1}: expected {"id", "title", "text"}`);
      }
      return passage;
    });
}

function tokenize(text: string): string[] {
  return text.toLowerCase().match(/[a-z0-9]+/g) ?? [];
}

export class Bm25Index {
  private readonly termCounts: Array<Map<string, number>>;
  private readonly lengths: number[];
  private readonly documentFrequency = new Map<string, number>();
  private readonly averageLength: number;

  constructor(
    readonly passages: readonly Passage[],
    readonly k1 = 1.2,
    readonly b = 0.75,
  ) {
    if (passages.length === 0) throw new Error('BM25 needs at least one passage');
    // Title twice: a passage about "ReAct" should win a search for "ReAct".
    const tokenLists = passages.map((p) => tokenize(`${p.title} ${p.title} ${p.text}`));
    this.lengths = tokenLists.map((tokens) => tokens.length);
    this.averageLength = this.lengths.reduce((sum, n) => sum + n, 0) / passages.length;
    this.termCounts = tokenLists.map((tokens) => {
      const counts = new Map<string, number>();
      for (const token of tokens) counts.set(token, (counts.get(token) ?? 0) + 1);
      return counts;
    });
    for (const counts of this.termCounts) {
      for (const term of counts.keys()) {
        this.documentFrequency.set(term, (this.documentFrequency.get(term) ?? 0) + 1);
      }
    }
  }

  /** BM25 score of every passage, in corpus order. Repeated query terms count each time, as in tools.py. */
  scores(query: string): number[] {
    const queryTerms = tokenize(query);
    const n = this.passages.length;
    return this.termCounts.map((counts, i) => {
      let score = 0;
      for (const term of queryTerms) {
        const frequency = counts.get(term);
        if (frequency === undefined) continue;
        const df = this.documentFrequency.get(term)!;
        const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
        score +=
          (idf * frequency * (this.k1 + 1)) /
          (frequency + this.k1 * (1 - this.b + (this.b * this.lengths[i]) / this.averageLength));
      }
      return score;
    });
  }

  /** The best `k` passages with a positive score, best first, ties in corpus order. */
  search(query: string, k = 2): Passage[] {
    return this.scores(query)
      .map((score, index) => ({ score, index }))
      .sort((x, y) => y.score - x.score || x.index - y.index)
      .slice(0, k)
      .filter(({ score }) => score > 0)
      .map(({ index }) => this.passages[index]);
  }
}

/** tools.py `search_response`: the hits as a JSON list of `{id, title, text}`. */
export function searchResponse(index: Bm25Index, query: unknown, k = 2): string {
  const hits = index.search(String(query ?? ''), k);
  return pythonJsonDumps(
    hits.map((hit) => ({ id: hit.id, title: hit.title, text: hit.text })),
    { ensureAscii: false },
  );
}

export interface CorpusSearchToolOptions {
  passages: readonly Passage[];
  /** Passages per observation (tools.py uses 2). */
  topK?: number;
}

export function createCorpusSearchTool(options: CorpusSearchToolOptions): Tool {
  const index = new Bm25Index(options.passages);
  return {
    spec: SEARCH_SPEC,
    async run(args) {
      const { query } = argumentsObject(args);
      if (query === undefined) return pythonJsonDumps({ error: 'missing argument query' });
      return searchResponse(index, query, options.topK ?? 2);
    },
  };
}
