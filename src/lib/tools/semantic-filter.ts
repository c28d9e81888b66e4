/**
 * `semantic_filter(query, passages?)`: an encoder scores each gathered passage for
 * relevance to the query and the tool returns them ranked, with their scores, dropping
 * those below a threshold; the book's analyst filters its research notes this way before
 * writing. Offline the encoder is the bundled micro encoder (bi-encoder: (cos + 1) / 2);
 * a cross-encoder reranker gives sharper scores.
 *
 * Passages come from the call's `passages` argument, or, when the model gives none, from
 * `gathered()`: what the run collected so far (e.g. every search hit), so a small model
 * does not have to copy passages into its call.
 */
import { pythonJsonDumps, PythonFloat } from './python-format.js';
import { argumentsObject, type Tool, type ToolSpec } from './types.js';
import type { Reranker } from './web-search.js';

export const SEMANTIC_FILTER_SPEC: ToolSpec = {
  type: 'function',
  function: {
    name: 'semantic_filter',
    description:
      'Score passages for relevance to a query and return them ranked, best first (the gathered passages when none are given).',
    parameters: {
      type: 'object',
      properties: {
        query: { type: 'string', maxLength: 200 },
        passages: { type: 'array', items: { type: 'string', maxLength: 1000 }, maxItems: 20 },
      },
      required: ['query'],
    },
  },
};

export interface ScoredPassage {
  text: string;
  /** Relevance in [0, 1]. */
  score: number;
  /** Position in the input. */
  index: number;
}

export interface SemanticFilterOptions {
  /** Passages scoring below this are dropped (default 0: keep all). */
  minScore?: number;
  /** At most this many are returned (default all). */
  topK?: number;
  signal?: AbortSignal;
}

/** Scores every passage and returns them best first (ties in input order), filtered. */
export async function semanticFilter(
  rerank: Reranker,
  query: string,
  passages: readonly string[],
  options: SemanticFilterOptions = {},
): Promise<ScoredPassage[]> {
  if (passages.length === 0) return [];
  const scores = await rerank(query, passages, { signal: options.signal });
  return passages
    .map((text, index) => ({ text, index, score: scores[index] }))
    .filter(({ score }) => score >= (options.minScore ?? 0))
    .sort((a, b) => b.score - a.score || a.index - b.index)
    .slice(0, options.topK ?? passages.length);
}

export interface SemanticFilterToolOptions extends Omit<SemanticFilterOptions, 'signal'> {
  rerank: Reranker;
  /** Passages the run gathered, used when the call names none. */
  gathered?: () => readonly string[];
}

export function createSemanticFilterTool(options: SemanticFilterToolOptions): Tool {
  return {
    spec: SEMANTIC_FILTER_SPEC,
    async run(args, ctx = {}) {
      const { query, passages } = argumentsObject(args);
      if (typeof query !== 'string' || query.trim() === '')
        return pythonJsonDumps({ error: 'query must be a non-empty string' });
      const given = Array.isArray(passages)
        ? passages.filter((p): p is string => typeof p === 'string' && p.trim() !== '')
        : [];
      const texts = given.length ? given : [...(options.gathered?.() ?? [])];
      if (texts.length === 0)
        return pythonJsonDumps({ error: 'no passages to filter: give passages, or search first' });
      const ranked = await semanticFilter(options.rerank, query, texts, {
        ...options,
        signal: ctx.signal,
      });
      return pythonJsonDumps(
        ranked.map(({ text, score }) => ({
          score: new PythonFloat(Math.round(score * 1000) / 1000),
          text,
        })),
        { ensureAscii: false },
      );
    },
  };
}
