/**
 * Chapter 3: a Tree-of-Thoughts blog planner. A small proposer writes three approaches to
 * a blog post as structured output (a JSON schema, grammar-constrained where the engine
 * allows); a stronger judge critiques and scores each under its own schema and picks one;
 * a researcher searches the bundled corpus for the chosen approach; a writer drafts the
 * post from what was found. The page draws the tree: the topic, the three options with
 * the judge's scores, and the chosen path down to research and draft
 * (`view: 'thought-tree'`).
 *
 *   START → propose → judge → research → draft → END
 *
 * The schemas give every approach fixed keys (`approach_1`…) rather than an array, so
 * "exactly three, each scored once" is part of the grammar and never a parsing question.
 * Strings have a `maxLength`: a small model would otherwise ramble until its token limit
 * and leave the JSON unclosed.
 */
import { streamModelCall } from '../agents/model-call.js';
import { Annotation, END, START, StateGraph, type Message } from '../graph/index.js';
import type { JsonSchema } from '../llm/json-schema.js';
import { SEARCH_SPEC, createCorpusSearchTool, type Passage } from '../tools/index.js';
import { MICRO_AGENT } from './shared.js';
import type { DemoBuildContext, DemoDefinition } from './types.js';

export const APPROACHES = 3;
const TITLE_MAX = 40;
const ANGLE_MAX = 90;
const CRITIQUE_MAX = 80;
/** Scores are whole numbers from 1 to 10 (an enum, which every grammar engine handles). */
const SCORES = Array.from({ length: 10 }, (_, i) => i + 1);

export interface Approach {
  id: number;
  title: string;
  angle: string;
}

export interface ApproachScore {
  approach: number;
  score: number;
  critique: string;
}

export interface Judgement {
  scores: ApproachScore[];
  /** The approach the judge picked (1-based). */
  choice: number;
}

export interface Research {
  query: string;
  hits: Array<{ id: string; title: string; text: string }>;
}

/** A reply that did not parse, kept with the raw text so the page can show it. */
export interface StepError {
  step: 'propose' | 'judge' | 'draft';
  message: string;
  raw: string;
}

const approachKey = (i: number) => `approach_${i}`;
const keys = Array.from({ length: APPROACHES }, (_, i) => approachKey(i + 1));

export function proposalSchema(): JsonSchema {
  const approach: JsonSchema = {
    type: 'object',
    properties: {
      title: { type: 'string', minLength: 1, maxLength: TITLE_MAX },
      angle: { type: 'string', minLength: 1, maxLength: ANGLE_MAX },
    },
    required: ['title', 'angle'],
    additionalProperties: false,
  };
  return {
    type: 'object',
    properties: Object.fromEntries(keys.map((key) => [key, approach])),
    required: keys,
    additionalProperties: false,
  };
}

export function judgementSchema(): JsonSchema {
  const scored: JsonSchema = {
    type: 'object',
    // the critique first: a model that explains before it scores scores better
    properties: {
      critique: { type: 'string', minLength: 1, maxLength: CRITIQUE_MAX },
      score: { enum: SCORES },
    },
    required: ['critique', 'score'],
    additionalProperties: false,
  };
  return {
    type: 'object',
    properties: {
      ...Object.fromEntries(keys.map((key) => [key, scored])),
      choice: { enum: Array.from({ length: APPROACHES }, (_, i) => i + 1) },
    },
    required: [...keys, 'choice'],
    additionalProperties: false,
  };
}

/**
 * Most tokens a reply under the schema can take: every string at its longest, plus the
 * keys and punctuation, one token per byte at worst (byte-level vocabularies), with room.
 */
const PROPOSAL_MAX_TOKENS = APPROACHES * (TITLE_MAX + ANGLE_MAX + 50) + 20;
const JUDGEMENT_MAX_TOKENS = APPROACHES * (CRITIQUE_MAX + 50) + 30;
const QUERY_MAX_TOKENS = 48;
const DRAFT_MAX_TOKENS = 200;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The three approaches from the proposer's JSON; throws with a reason the page shows. */
export function parseProposal(raw: string): Approach[] {
  const value: unknown = JSON.parse(raw);
  if (!isRecord(value)) throw new Error('the reply is not a JSON object');
  return keys.map((key, i) => {
    const entry = value[key];
    if (!isRecord(entry) || typeof entry.title !== 'string' || typeof entry.angle !== 'string')
      throw new Error(`${key} needs a title and an angle`);
    return { id: i + 1, title: entry.title.trim(), angle: entry.angle.trim() };
  });
}

export function parseJudgement(raw: string): Judgement {
  const value: unknown = JSON.parse(raw);
  if (!isRecord(value)) throw new Error('the reply is not a JSON object');
  const scores = keys.map((key, i): ApproachScore => {
    const entry = value[key];
    if (!isRecord(entry) || typeof entry.critique !== 'string' || typeof entry.score !== 'number')
      throw new Error(`${key} needs a critique and a score`);
    if (!SCORES.includes(entry.score)) throw new Error(`${key}: score ${entry.score} is not 1–10`);
    return { approach: i + 1, score: entry.score, critique: entry.critique.trim() };
  });
  const choice = value.choice;
  if (typeof choice !== 'number' || !Number.isInteger(choice) || choice < 1 || choice > APPROACHES)
    throw new Error(`choice must be 1–${APPROACHES}, got ${JSON.stringify(choice)}`);
  return { scores, choice };
}

/** When the judge's reply is unreadable: the first approach, so the run still finishes. */
export const FALLBACK_CHOICE = 1;

export const TotPlannerState = Annotation.Root({
  topic: Annotation<string>({ default: () => '' }),
  approaches: Annotation<Approach[]>({ default: () => [] }),
  judgement: Annotation<Judgement | null>({ default: () => null }),
  /** The approach followed: the judge's choice, or the fallback when it was unreadable. */
  chosen: Annotation<number | null>({ default: () => null }),
  /** What the research step found (named apart from the `research` node). */
  sources: Annotation<Research | null>({ default: () => null }),
  post: Annotation<string>({ default: () => '' }),
  errors: Annotation<StepError[], StepError[]>({
    reducer: (all, more) => all.concat(more),
    default: () => [],
  }),
});

type PlannerValues = {
  topic: string;
  approaches: Approach[];
  judgement: Judgement | null;
  chosen: number | null;
  sources: Research | null;
  post: string;
  errors: StepError[];
};

function listApproaches(approaches: readonly Approach[]): string {
  return approaches.map((a) => `${a.id}. ${a.title}: ${a.angle}`).join('\n');
}

/** The approach the run follows. */
export function chosenApproach(values: {
  approaches?: Approach[];
  chosen?: number | null;
}): Approach | undefined {
  return values.approaches?.find((a) => a.id === values.chosen);
}

export function totBlogPlanner(passages: readonly Passage[]): DemoDefinition {
  function build(context: DemoBuildContext) {
    const search = passages.length ? createCorpusSearchTool({ passages, topK: 3 }) : undefined;
    const json = (name: string, schema: JsonSchema) => ({
      type: 'json_schema' as const,
      name,
      schema,
    });

    return new StateGraph(TotPlannerState)
      .addNode('propose', async (state: PlannerValues, runtime) => {
        const messages: Message[] = [
          {
            role: 'system',
            content:
              'You plan blog posts. Propose three different approaches to the topic, each with a short title and the angle it takes. Reply with JSON only.',
          },
          { role: 'user', content: `Topic: ${state.topic}` },
        ];
        const result = await streamModelCall(
          context.models.proposer,
          messages,
          {
            temperature: 0,
            seed: context.seed,
            maxTokens: PROPOSAL_MAX_TOKENS,
            responseFormat: json('approaches', proposalSchema()),
          },
          runtime,
        );
        const raw = result.message.content;
        try {
          return { approaches: parseProposal(raw) };
        } catch (error) {
          // nothing to judge: the run ends after the judge sees no approaches
          return {
            approaches: [],
            errors: [{ step: 'propose' as const, message: (error as Error).message, raw }],
          };
        }
      })
      .addNode('judge', async (state: PlannerValues, runtime) => {
        if (state.approaches.length === 0) return {};
        const messages: Message[] = [
          {
            role: 'system',
            content:
              'You are a demanding editor. Critique each approach in one short sentence, score it from 1 (weak) to 10 (excellent) for a clear, useful blog post, and choose the best one. Reply with JSON only.',
          },
          {
            role: 'user',
            content: `Topic: ${state.topic}\nApproaches:\n${listApproaches(state.approaches)}`,
          },
        ];
        const result = await streamModelCall(
          context.models.judge,
          messages,
          {
            temperature: 0,
            seed: context.seed,
            maxTokens: JUDGEMENT_MAX_TOKENS,
            responseFormat: json('judgement', judgementSchema()),
          },
          runtime,
        );
        const raw = result.message.content;
        try {
          const judgement = parseJudgement(raw);
          return { judgement, chosen: judgement.choice };
        } catch (error) {
          return {
            chosen: FALLBACK_CHOICE,
            errors: [{ step: 'judge' as const, message: (error as Error).message, raw }],
          };
        }
      })
      .addNode('research', async (state: PlannerValues, runtime) => {
        const approach = chosenApproach(state);
        if (!approach || !search) return {};
        // the researcher writes the query as a search call (its trained format); the
        // call is forced, so the step always searches
        const result = await streamModelCall(
          context.models.researcher,
          [
            {
              role: 'user',
              content: `Find facts for a blog post about ${state.topic}, taking this approach: ${approach.title}.`,
            },
          ],
          {
            temperature: 0,
            seed: context.seed,
            maxTokens: QUERY_MAX_TOKENS,
            tools: [SEARCH_SPEC],
            toolChoice: { name: SEARCH_SPEC.function.name },
          },
          runtime,
        );
        const call = result.message.tool_calls?.[0];
        let query = state.topic;
        if (call) {
          try {
            const args = JSON.parse(call.function.arguments) as { query?: unknown };
            if (typeof args.query === 'string' && args.query.trim()) query = args.query;
          } catch {
            // a call that is not JSON (an engine without constraints): search the topic
          }
        }
        const observation = await search.run({ query }, { signal: runtime.signal });
        const hits = JSON.parse(observation) as Research['hits'];
        return { sources: { query, hits: Array.isArray(hits) ? hits : [] } };
      })
      .addNode('draft', async (state: PlannerValues, runtime) => {
        const approach = chosenApproach(state);
        if (!approach) return {};
        const notes = (state.sources?.hits ?? [])
          .map((hit) => `- ${hit.title}: ${hit.text}`)
          .join('\n');
        const result = await streamModelCall(
          context.models.writer,
          [
            {
              role: 'system',
              content: 'You write short, clear blog posts from the notes you are given.',
            },
            {
              role: 'user',
              content: `Write a short blog post about ${state.topic}.\nApproach: ${approach.title} (${approach.angle})\nNotes:\n${notes || '(no notes found)'}`,
            },
          ],
          {
            temperature: 0,
            seed: context.seed,
            maxTokens: DRAFT_MAX_TOKENS,
            thinking: { enabled: false },
          },
          runtime,
        );
        const post = result.message.content.trim();
        if (post) return { post };
        // The writer has no tools, yet a small model may answer with a tool call (or
        // nothing): say so instead of leaving the draft looking unfinished.
        const call = result.message.tool_calls?.[0];
        return {
          post: '',
          errors: [
            {
              step: 'draft' as const,
              message: call
                ? `the writer answered with a ${call.function.name} call instead of text`
                : 'the writer wrote nothing',
              raw: call ? JSON.stringify(call.function) : result.message.content,
            },
          ],
        };
      })
      .addEdge(START, 'propose')
      .addEdge('propose', 'judge')
      .addEdge('judge', 'research')
      .addEdge('research', 'draft')
      .addEdge('draft', END)
      .compile({ checkpointer: context.checkpointer, name: 'tot-blog-planner' });
  }

  return {
    id: 'tot-blog-planner',
    title: 'Tree of Thoughts: blog planner',
    summary:
      'A small model proposes three approaches as structured output, a stronger judge scores them and picks one, then research and drafting follow the chosen branch.',
    chapter: 3,
    bookExamples: [],
    guide:
      'Give a topic. The proposer answers under a JSON schema with exactly three approaches (title and angle); the judge critiques and scores each from 1 to 10 under its own schema and chooses one; the researcher searches the bundled corpus for the chosen approach and the writer drafts the post from the hits. The Thought tree shows the options with their scores, the chosen path and the pruned branches. Put a bigger model on the judge under Models to see the "small proposer, strong judge" split pay off; with the bundled micro model the JSON is always valid (constrained decoding) but the words are simple.',
    roles: [
      {
        name: 'proposer',
        description: 'Proposes three approaches (JSON schema).',
        defaultModel: MICRO_AGENT,
      },
      {
        name: 'judge',
        description:
          'Critiques, scores 1–10 and picks one (JSON schema); give it the stronger model.',
        defaultModel: MICRO_AGENT,
      },
      {
        name: 'researcher',
        description: 'Writes the corpus search for the chosen approach.',
        defaultModel: MICRO_AGENT,
      },
      {
        name: 'writer',
        description: 'Drafts the post from the research notes.',
        defaultModel: MICRO_AGENT,
      },
    ],
    agents: { propose: 'proposer', judge: 'judge', research: 'researcher', draft: 'writer' },
    defaultMessage: 'ReAct agents',
    suggestions: ['KV cache', 'Tree search with MCTS'],
    view: 'thought-tree',
    conversational: false,
    build,
    turn: (message) => ({ input: { topic: message.trim() } }),
    answer: (values) => {
      const post = values.post;
      return typeof post === 'string' && post ? post : undefined;
    },
  };
}
