/**
 * What a demo module provides to the demo page (and to the embed route, which renders the
 * same demo with less chrome). A demo is declarative: metadata, the model roles it needs,
 * and a `build()` that returns a compiled graph from the parts the page hands it (models per
 * role, a checkpointer, tool endpoints). The page owns running, streaming, threads,
 * interrupts and pictures; the demo owns the graph and how a message becomes its input.
 */
import type { BaseCheckpointSaver } from '../checkpoint/types.js';
import type { CompiledStateGraph } from '../graph/index.js';
import type { StateSpec } from '../graph/annotation.js';
import type { Encoder } from '../encoders/types.js';
import type { ChatModel } from '../llm/types.js';
import type { Reranker } from '../tools/web-search.js';

/** Any compiled graph (demos have different state shapes). */
export type AnyCompiledGraph = CompiledStateGraph<StateSpec>;

/** A model slot of a demo ("agent", "judge"…), filled by a model picker on the page. */
export interface ModelRole {
  name: string;
  description: string;
  /** Catalog id used when the user has not picked another (the bundled micro model runs offline). */
  defaultModel: string;
  /** `chat` (default): a `ChatModel` in `models`; `encoder`: an `Encoder` in `encoders`. */
  kind?: 'chat' | 'encoder';
}

/** Where tools that reach the internet go: the real services, or a local replay server in tests. */
export interface ToolEndpoints {
  /**
   * `online`: Open-Meteo (or the URLs below, e.g. a local replay server in tests);
   * `offline`: the deterministic fake the micro model was trained with.
   */
  weatherMode: 'online' | 'offline';
  geocodingUrl?: string;
  forecastUrl?: string;
  /** Where the HTTP-call demos send their request (a real API in a user's browser). */
  httpUrl?: string;
  /**
   * Search and scrape: `online` (Wikipedia's API, real pages) or `offline` (the bundled
   * corpus, reranked; no scraping). Defaults to `weatherMode`.
   */
  webMode?: 'online' | 'offline';
  /** A MediaWiki `api.php` for online search (default English Wikipedia; tests: the replay server). */
  searchUrl?: string;
  /** Scrape through this proxy (`?url=<page>`) instead of fetching pages directly (tests: the replay server). */
  scrapeProxyUrl?: string;
}

export interface DemoBuildContext {
  /** One model per declared role, already loaded. */
  models: Record<string, ChatModel>;
  /** One encoder per role of kind `encoder`, already loaded. */
  encoders?: Record<string, Encoder>;
  checkpointer: BaseCheckpointSaver;
  endpoints: ToolEndpoints;
  /** Seed for every model call, so a run can be repeated exactly. */
  seed: number;
  /**
   * Relevance scores from an encoder (the bundled micro encoder on the demo page, loaded on
   * first use): offline search reranks with it, the semantic filter ranks with it.
   */
  rerank?: Reranker;
}

/** How the page should start a turn: the graph input, and call options. */
export interface DemoTurn {
  input: unknown;
  recursionLimit?: number;
  interruptBefore?: string[];
  interruptAfter?: string[];
}

/** An interrupt value the page can render as a form (see lib/ui/interrupts). */
export interface InterruptRequest {
  question: string;
  /** JSON schema of the answer the graph expects. */
  schema: Record<string, unknown>;
  /** What the human is asked about (a draft, a request, a tool call), shown above the form. */
  context?: unknown;
}

export interface DemoDefinition {
  id: string;
  title: string;
  summary: string;
  /** Book chapter (1, 2…) and the book examples the demo realizes. */
  chapter: number;
  bookExamples: string[];
  /** Longer explanation shown on the page: what to try and what to look at. */
  guide: string;
  roles: ModelRole[];
  /** Message prefilled in the input box. */
  defaultMessage: string;
  /** Suggested follow-up messages (e.g. "Square it" after the temperature). */
  suggestions?: string[];
  /** Static breakpoints the demo offers (node names), for the breakpoints demo. */
  breakpointNodes?: string[];
  /** Breakpoints set when the page opens. */
  defaultBreakpoints?: { before: string[]; after: string[] };
  /**
   * Extra view the page shows for this demo: the ReAct transcript of `messages`, the
   * table of an RL episode's trajectories (`episode` in state, see lib/rl/solver-judge),
   * the code sandbox's audit trail of `messages` (each run_javascript step and its charts),
   * the single-step and ReAct conversations side by side (`single_messages` and `messages`),
   * the tree of a Tree-of-Thoughts plan (`approaches`, `judgement`, `chosen`…), the
   * swarm's active agent and handoffs, the per-agent token, time and cost table,
   * or a team's routing decisions and saved documents (`decisions`, `documents` in state,
   * see lib/agents/supervisor).
   */
  view?:
    | 'react-transcript'
    | 'episode'
    | 'audit-trail'
    | 'side-by-side'
    | 'thought-tree'
    | 'swarm'
    | 'agent-accounting'
    | 'team';
  /**
   * Multi-agent demos: which role each agent node runs as (node name → role name), so the
   * page can say which model an agent used and account tokens and time per agent.
   */
  agents?: Record<string, string>;
  /** Whether a turn continues the thread (a chat) or starts over each time. */
  conversational: boolean;
  build(context: DemoBuildContext): AnyCompiledGraph;
  /** Turns the user's message (and the thread's current values, if any) into a turn. */
  turn(message: string, current: Record<string, unknown> | undefined): DemoTurn;
  /** The answer to show for a finished run, from the final values. */
  answer?(values: Record<string, unknown>): string | undefined;
}
