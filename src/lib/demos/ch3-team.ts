/**
 * Chapter 3: a team of experts. A deliberate supervisor routes with `{"next": "<worker>"}`
 * (a JSON schema whose enum is the workers ready to work, and FINISH once the analyst has
 * reviewed a draft; see `supervisorOptions`) between fast decoders for search,
 * notes and writing, and an analyst that thinks under a thinking budget; an encoder
 * scores the relevance of every search hit, and only relevant ones reach the notes. The
 * page's Accounting panel (`view: 'agent-accounting'`) shows, per agent, the model, the
 * tokens, the time and the estimated cost, adding up to the run's total.
 *
 *   START → supervisor ─(next)→ searcher → scorer ─┐
 *               ▲      ├──────→ note_taker ────────┤
 *               │      ├──────→ analyst ───────────┤
 *               │      ├──────→ writer ────────────┤
 *               │      └─(FINISH)→ END             │
 *               └──────────────────────────────────┘
 *
 * The supervisor decides at most `MAX_ROUNDS` times; after that the run is steered to an
 * end (the writer if nothing is drafted yet, then FINISH), and the route says so.
 */
import { streamModelCall } from '../agents/model-call.js';
import { Annotation, END, START, StateGraph, type Message } from '../graph/index.js';
import { createCorpusSearchTool, SEARCH_SPEC, type Passage } from '../tools/index.js';
import { MICRO_AGENT } from './shared.js';
import type { DemoBuildContext, DemoDefinition } from './types.js';

export const WORKERS = ['searcher', 'note_taker', 'analyst', 'writer'] as const;
export type Worker = (typeof WORKERS)[number];
export const FINISH = 'FINISH';
export const MAX_ROUNDS = 6;
/** Hits the searcher fetches, and how many the scorer keeps at most. */
const SEARCH_HITS = 4;
const KEEP_AT_MOST = 2;
/** Relevance (0–1) a hit needs to be kept; the best hit is always kept. */
export const RELEVANCE_THRESHOLD = 0.5;
/** Reasoning tokens the analyst may spend before it must answer. */
export const ANALYST_THINKING_BUDGET = 48;

const WORKER_DESCRIPTIONS: Record<Worker, string> = {
  searcher: 'finds facts and information in the knowledge corpus',
  note_taker: 'writes short notes from the relevant passages',
  analyst: 'thinks about the notes and says what the answer needs',
  writer: 'writes and edits text such as the final answer',
};

export interface ScoredHit {
  id: string;
  title: string;
  text: string;
  /** The encoder's relevance to the task, 0–1. */
  relevance: number;
  kept: boolean;
}

export interface Route {
  round: number;
  next: Worker | typeof FINISH;
  /** `supervisor`: its decision; `bound`: the round limit steered the run. */
  by: 'supervisor' | 'bound';
}

export interface Report {
  agent: Worker;
  content: string;
}

export const TeamState = Annotation.Root({
  task: Annotation<string>({ default: () => '' }),
  query: Annotation<string>({ default: () => '' }),
  /** The searcher's own call (an assistant message with its search), shown to later workers. */
  search_call: Annotation<Message | null>({ default: () => null }),
  hits: Annotation<ScoredHit[]>({ default: () => [] }),
  notes: Annotation<string>({ default: () => '' }),
  analysis: Annotation<string>({ default: () => '' }),
  draft: Annotation<string>({ default: () => '' }),
  reports: Annotation<Report[], Report[]>({
    reducer: (all, more) => all.concat(more),
    default: () => [],
  }),
  routes: Annotation<Route[], Route[]>({
    reducer: (all, more) => all.concat(more),
    default: () => [],
  }),
});

type TeamValues = {
  task: string;
  query: string;
  search_call: Message | null;
  hits: ScoredHit[];
  notes: string;
  analysis: string;
  draft: string;
  reports: Report[];
  routes: Route[];
};

/** The supervisor's prompt, in the format the micro model learned for routing, listing the workers it may pick now. */
export function supervisorSystemPrompt(options: readonly string[] = WORKERS): string {
  const workers = WORKERS.filter((w) => options.includes(w))
    .map((w) => `- ${w}: ${WORKER_DESCRIPTIONS[w]}`)
    .join('\n');
  return `You are a supervisor managing these workers:\n${workers}\nGiven the conversation, choose the worker to act next. When the task is done, choose FINISH. Answer with JSON {"next": "<worker>"}.`;
}

/**
 * Where the run goes once the supervisor has used its rounds: to the writer if nothing is
 * drafted yet (once: a writer that writes nothing does not get a second chance), else stop.
 */
export function routeAtBound(values: Pick<TeamValues, 'draft' | 'routes'>): Worker | typeof FINISH {
  const writerSent = values.routes.some((r) => r.by === 'bound' && r.next === 'writer');
  return values.draft.trim() || writerSent ? FINISH : 'writer';
}

/** The reports a worker works from (the searcher works from the task alone). */
const WORKS_FROM: Record<Worker, Worker[]> = {
  searcher: [],
  note_taker: ['searcher'],
  // the analyst reviews the notes, or the draft once there is one
  analyst: ['note_taker', 'writer'],
  // the writer drafts from the notes, and revises after the analyst's review
  writer: ['note_taker', 'analyst'],
};

/**
 * What the supervisor may choose from, as the schema's enum. These are rules of the
 * workflow, not the model's decision: a worker is ready when a report it works from is
 * newer than its own last report (on the same input it would repeat its work; the
 * searcher, working from the task alone, runs once), and FINISH needs a draft the analyst
 * has reviewed, so the thinking analyst controls when the team is done. The supervisor
 * decides among what is ready: analyse the notes first or draft at once, revise after the
 * review or finish. If nothing is ready, the writer (no draft yet) or FINISH remains.
 */
export function supervisorOptions(
  values: Pick<TeamValues, 'reports'>,
): Array<Worker | typeof FINISH> {
  const lastReport = (agent: Worker) => values.reports.findLastIndex((r) => r.agent === agent);
  const ready = WORKERS.filter((w) => {
    const own = lastReport(w);
    if (WORKS_FROM[w].length === 0) return own < 0;
    return WORKS_FROM[w].some((input) => lastReport(input) > own);
  });
  const drafted = lastReport('writer') >= 0;
  const reviewed = drafted && lastReport('analyst') > lastReport('writer');
  if (!ready.length) return drafted ? [FINISH] : ['writer'];
  return reviewed ? [...ready, FINISH] : ready;
}

/** The next worker from the supervisor's JSON reply, or undefined when unreadable. */
export function parseNext(raw: string): Worker | typeof FINISH | undefined {
  try {
    const value = JSON.parse(raw) as { next?: unknown };
    const next = value?.next;
    return next === FINISH || (WORKERS as readonly unknown[]).includes(next)
      ? (next as Worker | typeof FINISH)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Keeps the relevant hits: at most `KEEP_AT_MOST` above the threshold, always the best one. */
export function keepRelevant(
  hits: ReadonlyArray<Omit<ScoredHit, 'kept'>>,
  threshold = RELEVANCE_THRESHOLD,
  keepAtMost = KEEP_AT_MOST,
): ScoredHit[] {
  const order = hits
    .map((hit, index) => ({ hit, index }))
    .sort((a, b) => b.hit.relevance - a.hit.relevance || a.index - b.index);
  const kept = new Set(
    order
      .filter(({ hit }, rank) => rank === 0 || hit.relevance >= threshold)
      .slice(0, keepAtMost)
      .map(({ index }) => index),
  );
  return hits.map((hit, index) => ({ ...hit, kept: kept.has(index) }));
}

function clip(text: string, max = 240): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export function teamOfExperts(passages: readonly Passage[]): DemoDefinition {
  function build(context: DemoBuildContext) {
    const search = createCorpusSearchTool({ passages, topK: SEARCH_HITS });
    const fast = (maxTokens: number) => ({
      temperature: 0,
      seed: context.seed,
      maxTokens,
      thinking: { enabled: false },
    });
    /**
     * What a worker after the search is shown: the task, the searcher's call and, as its
     * observation, only the hits the scorer kept (the format models learn for search).
     */
    const withSources = (state: TeamValues, system: string): Message[] => {
      const messages: Message[] = [
        { role: 'system', content: system },
        { role: 'user', content: state.task },
      ];
      const call = state.search_call?.tool_calls?.[0];
      if (call) {
        const kept = state.hits
          .filter((hit) => hit.kept)
          .map(({ id, title, text }) => ({ id, title, text }));
        messages.push(
          { role: 'assistant', content: '', tool_calls: [call] },
          { role: 'tool', tool_call_id: call.id, name: 'search', content: JSON.stringify(kept) },
        );
      }
      return messages;
    };

    return new StateGraph(TeamState)
      .addNode('supervisor', async (state: TeamValues, runtime) => {
        const round = state.routes.length + 1;
        if (round > MAX_ROUNDS) {
          return { routes: [{ round, next: routeAtBound(state), by: 'bound' as const }] };
        }
        const options = supervisorOptions(state);
        // the team's reports so far are the conversation it decides on, as it learned
        const messages: Message[] = [
          { role: 'system', content: supervisorSystemPrompt(options) },
          { role: 'user', content: state.task },
          ...state.reports.map((r): Message => ({
            role: 'assistant',
            name: r.agent,
            content: r.content,
          })),
        ];
        const result = await streamModelCall(
          context.models.supervisor,
          messages,
          {
            temperature: 0,
            seed: context.seed,
            maxTokens: 24,
            responseFormat: {
              type: 'json_schema',
              name: 'route',
              schema: {
                type: 'object',
                properties: { next: { enum: options } },
                required: ['next'],
                additionalProperties: false,
              },
            },
          },
          runtime,
        );
        const parsed = parseNext(result.message.content);
        const next = parsed && options.includes(parsed) ? parsed : undefined;
        // an unreadable reply (an engine without constraints) counts as a used round
        return {
          routes: [
            next
              ? { round, next, by: 'supervisor' as const }
              : { round, next: routeAtBound(state), by: 'bound' as const },
          ],
        };
      })
      .addNode('searcher', async (state: TeamValues, runtime) => {
        const result = await streamModelCall(
          context.models.searcher,
          [{ role: 'user', content: state.task }],
          {
            ...fast(48),
            tools: [SEARCH_SPEC],
            toolChoice: { name: SEARCH_SPEC.function.name },
          },
          runtime,
        );
        let query = state.task;
        try {
          const args = JSON.parse(result.message.tool_calls?.[0]?.function.arguments ?? '{}');
          if (typeof args?.query === 'string' && args.query.trim()) query = args.query;
        } catch {
          // not JSON: search the task itself
        }
        const found = JSON.parse(await search.run({ query }, { signal: runtime.signal }));
        const hits = (Array.isArray(found) ? found : []) as Array<
          Omit<ScoredHit, 'relevance' | 'kept'>
        >;
        const { usage: _usage, ...call } = result.message;
        // relevance comes from the scorer next; until then nothing is kept
        return {
          query,
          search_call: call,
          hits: hits.map((hit) => ({ ...hit, relevance: 0, kept: false })),
        };
      })
      .addNode('scorer', async (state: TeamValues, runtime) => {
        const encoder = context.encoders?.scorer;
        if (!encoder) throw new Error('The scorer role needs an encoder.');
        const scores = state.hits.length
          ? await encoder.rerank(
              state.task,
              state.hits.map((hit) => `${hit.title}. ${hit.text}`),
              { signal: runtime.signal },
            )
          : [];
        const hits = keepRelevant(state.hits.map((hit, i) => ({ ...hit, relevance: scores[i] })));
        const kept = hits.filter((hit) => hit.kept);
        const content = kept.length
          ? `Here is what I found: ${kept.map((hit) => hit.title).join(', ')}. The answer is in my notes above.`
          : 'I found nothing relevant.';
        return { hits, reports: [{ agent: 'searcher' as const, content }] };
      })
      .addNode('note_taker', async (state: TeamValues, runtime) => {
        const result = await streamModelCall(
          context.models.note_taker,
          withSources(
            state,
            'You are the note taker. Write the facts from the search results that answer the task.',
          ),
          fast(96),
          runtime,
        );
        const notes = result.message.content.trim();
        return { notes, reports: [{ agent: 'note_taker' as const, content: clip(notes) }] };
      })
      .addNode('analyst', async (state: TeamValues, runtime) => {
        const result = await streamModelCall(
          context.models.analyst,
          [
            {
              role: 'system',
              content:
                'You are the analyst. Think about whether the notes (and the draft, if there is one) answer the task, then say in one or two sentences what the answer must stress or what is missing.',
            },
            {
              role: 'user',
              content: `Task: ${state.task}\nNotes: ${state.notes || '(no notes yet)'}${state.draft ? `\nDraft: ${state.draft}` : ''}`,
            },
          ],
          {
            temperature: 0,
            seed: context.seed,
            maxTokens: ANALYST_THINKING_BUDGET + 112,
            thinking: { enabled: true, budgetTokens: ANALYST_THINKING_BUDGET },
          },
          runtime,
        );
        const analysis = result.message.content.trim();
        return { analysis, reports: [{ agent: 'analyst' as const, content: clip(analysis) }] };
      })
      .addNode('writer', async (state: TeamValues, runtime) => {
        const guidance = [
          state.notes && `Notes: ${state.notes}`,
          state.analysis && `The analyst says: ${state.analysis}`,
        ].filter(Boolean);
        const result = await streamModelCall(
          context.models.writer,
          withSources(
            state,
            [
              'You are the writer. Answer the task in a short, clear text from the search results.',
              ...guidance,
            ].join('\n'),
          ),
          fast(160),
          runtime,
        );
        const draft = result.message.content.trim();
        return {
          draft,
          reports: [{ agent: 'writer' as const, content: 'Here is the text you asked for.' }],
        };
      })
      .addEdge(START, 'supervisor')
      .addConditionalEdges(
        'supervisor',
        (state: TeamValues) => {
          const next = state.routes.at(-1)?.next ?? FINISH;
          return next === FINISH ? END : next;
        },
        [...WORKERS, END],
      )
      .addEdge('searcher', 'scorer')
      .addEdge('scorer', 'supervisor')
      .addEdge('note_taker', 'supervisor')
      .addEdge('analyst', 'supervisor')
      .addEdge('writer', 'supervisor')
      .compile({ checkpointer: context.checkpointer, name: 'team-of-experts' });
  }

  return {
    id: 'team-of-experts',
    title: 'Team of experts with a budget table',
    summary:
      'A supervisor routes between fast search, notes and writing models, a thinking analyst and an encoder that scores relevance; a table shows where the tokens, time and money went.',
    chapter: 3,
    bookExamples: [],
    guide:
      'The supervisor answers {"next": <worker>} under a JSON schema whose choices are the workers that are ready: the note taker once there is a search, the analyst once there are notes or a draft, the writer once there are notes or an analysis; FINISH only once the analyst has reviewed the draft (at most 6 decisions, then the run is steered to a draft and an end). The searcher writes a corpus search, the scorer (an encoder) rates each hit 0–1 for relevance and keeps the relevant ones, the note taker summarizes them, the analyst thinks within a budget of 48 reasoning tokens, and the writer drafts the answer. The Accounting panel adds up each agent\'s tokens and time (from the run\'s trace) and prices them: local models cost nothing; the "if it were an API" column uses example prices per million tokens, not quotes. Swap models per role under Models.',
    roles: [
      {
        name: 'supervisor',
        description: 'Deliberate router: picks the next worker or FINISH (JSON schema).',
        defaultModel: MICRO_AGENT,
      },
      {
        name: 'searcher',
        description: 'Fast decoder: writes the corpus search.',
        defaultModel: MICRO_AGENT,
      },
      {
        name: 'scorer',
        description: "Encoder: scores each hit's relevance to the task (0–1).",
        defaultModel: 'micro-encoder',
        kind: 'encoder',
      },
      {
        name: 'note_taker',
        description: 'Fast decoder: notes from the relevant passages.',
        defaultModel: MICRO_AGENT,
      },
      {
        name: 'analyst',
        description: `Thinking model, budget ${ANALYST_THINKING_BUDGET} reasoning tokens: what the answer needs.`,
        defaultModel: MICRO_AGENT,
      },
      {
        name: 'writer',
        description: 'Fast decoder: writes the final answer.',
        defaultModel: MICRO_AGENT,
      },
    ],
    agents: {
      supervisor: 'supervisor',
      searcher: 'searcher',
      scorer: 'scorer',
      note_taker: 'note_taker',
      analyst: 'analyst',
      writer: 'writer',
    },
    defaultMessage: 'What is a KV cache?',
    suggestions: ['What is GRPO?', 'Compare BM25 and embeddings for search.'],
    view: 'agent-accounting',
    conversational: false,
    build,
    turn: (message) => ({ input: { task: message.trim() }, recursionLimit: 4 * MAX_ROUNDS + 8 }),
    answer: (values) => {
      const draft = values.draft;
      if (typeof draft === 'string' && draft) return draft;
      return Array.isArray(values.routes) && values.routes.length
        ? 'The supervisor finished without a draft.'
        : undefined;
    },
  };
}
