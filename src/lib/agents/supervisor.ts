/**
 * A supervisor over workers (LangGraph's multi-agent supervisor): an LLM router answers
 * under a JSON schema, `{"next": "<worker>" | "FINISH"}`, a worker acts and reports, and
 * the router decides again.
 *
 *   START → supervisor ─(next = worker, rounds left)→ worker → supervisor
 *                └─(next = FINISH, or the round bound hit)→ END
 *
 * The router's prompt is the one the micro model was trained on
 * (static-models/recipes/micro_agent/data.py, `SUP_SYS`): the workers as `- name:
 * description` lines, the user's task, then each worker's report as an assistant turn.
 * Grammar-constrained decoding keeps its JSON valid; a reply that still does not name a
 * worker (an endpoint without constraints) ends the run and says why (`route_error`).
 *
 * A worker is any node: a ReAct agent wrapped by `createWorkerNode` (its own tools, role
 * prompt and step budget; it sees the task, not the other workers' tool traffic, and
 * writes back its messages with its name on the report), or a compiled supervisor graph
 * (a team, for hierarchical teams). `maxRounds` bounds the worker visits each router
 * grants per user turn, so a router that never says FINISH still ends; every decision is
 * kept in `decisions`, also the one past the bound.
 */
import {
  Annotation,
  END,
  START,
  StateGraph,
  messagesReducer,
  type CompiledStateGraph,
  type Message,
  type MessageChunk,
  type Runtime,
} from '../graph/index.js';
import type { BaseCheckpointSaver } from '../checkpoint/types.js';
import type { ChatModel, ChatOptions } from '../llm/types.js';
import { streamModelCall } from './model-call.js';
import type { ReactAgentGraph } from './react-agent.js';

export const FINISH = 'FINISH';

/** `true` for a worker's report (named, no tool calls) as opposed to its tool traffic. */
export function isReport(message: Message): boolean {
  return (
    message.role === 'assistant' &&
    typeof message.name === 'string' &&
    !(message.tool_calls?.length ?? 0) &&
    message.report === true
  );
}

/** Messages since the last user message (this turn's work). */
function thisTurn(messages: readonly Message[]): { task: Message | undefined; after: Message[] } {
  for (let i = messages.length - 1; i >= 0; i--)
    if (messages[i].role === 'user') return { task: messages[i], after: messages.slice(i + 1) };
  return { task: undefined, after: [...messages] };
}

/** One routing decision, kept in state so a bound can count them per router and turn. */
export interface RouteDecision {
  id: string;
  router: string;
  next: string;
  /** How many user messages the thread had: decisions of earlier turns do not count. */
  turn: number;
  /** How many messages the thread had when the router decided: where the visit's work starts. */
  at: number;
}

export function userTurns(messages: readonly Message[]): number {
  return messages.filter((m) => m.role === 'user').length;
}

/**
 * Worker visits `router` granted so far: in the current user turn, or (`visit`, for a team
 * used as a subgraph) since the team was entered, i.e. its trailing run of decisions.
 */
export function roundsThisTurn(
  decisions: readonly RouteDecision[],
  router: string,
  messages: readonly Message[],
  scope: 'turn' | 'visit' = 'turn',
): number {
  if (scope === 'visit') {
    let rounds = 0;
    for (let i = decisions.length - 1; i >= 0 && decisions[i].router === router; i--)
      if (decisions[i].next !== FINISH) rounds++;
    return rounds;
  }
  const turn = userTurns(messages);
  return decisions.filter((d) => d.router === router && d.turn === turn && d.next !== FINISH)
    .length;
}

/** Appends decisions, dropping ones already present (a team sends its whole list back). */
export function decisionsReducer(
  current: RouteDecision[],
  update: RouteDecision[],
): RouteDecision[] {
  const seen = new Set(current.map((d) => d.id));
  return [...current, ...update.filter((d) => !seen.has(d.id))];
}

/** A document a worker saved (see lib/tools/documents). */
export interface SavedDocument {
  path: string;
  size: number;
  lastModified: number;
  [key: string]: unknown;
}

/** Merges lists of saved documents by path (the latest entry wins), so re-sent lists never duplicate. */
export function documentsReducer<T extends { path: string }>(current: T[], update: T[]): T[] {
  const byPath = new Map(current.map((d) => [d.path, d]));
  for (const document of update) byPath.set(document.path, document);
  return [...byPath.values()];
}

export const SupervisorState = Annotation.Root({
  messages: Annotation<Message[]>({ reducer: messagesReducer, default: () => [] }),
  /** The router's last decision: a worker name or FINISH. */
  next: Annotation<string>(),
  /** Why the router's reply could not be used (then the run ends). */
  route_error: Annotation<string | null>(),
  /** Every routing decision (all routers, all turns), for the round bound and the page. */
  decisions: Annotation<RouteDecision[]>({ reducer: decisionsReducer, default: () => [] }),
  /** Documents the workers saved (the document tools report them). */
  documents: Annotation<SavedDocument[]>({ reducer: documentsReducer, default: () => [] }),
});

export type SupervisorGraph = CompiledStateGraph<(typeof SupervisorState)['spec']>;

export interface SupervisorWorker {
  /** Node name and the label the router chooses. */
  name: string;
  /** One line in the router's prompt: what this worker does. */
  description: string;
  /** A node function (e.g. `createWorkerNode`) or a compiled graph (a team). */
  node: Parameters<StateGraph<(typeof SupervisorState)['spec']>['addNode']>[1];
}

/** The router's system prompt, as the micro model saw it in training. */
export function supervisorPrompt(
  workers: ReadonlyArray<Pick<SupervisorWorker, 'name' | 'description'>>,
): string {
  return (
    'You are a supervisor managing these workers:\n' +
    workers.map((w) => `- ${w.name}: ${w.description}`).join('\n') +
    '\nGiven the conversation, choose the worker to act next. When the task is done, choose FINISH. ' +
    'Answer with JSON {"next": "<worker>"}.'
  );
}

/** The JSON schema the router answers under: `next` is a worker name or FINISH. */
export function routeSchema(workerNames: readonly string[]) {
  return {
    type: 'object' as const,
    properties: { next: { type: 'string' as const, enum: [...workerNames, FINISH] } },
    required: ['next'],
    additionalProperties: false,
  };
}

/** First sentence of a report, at most `max` characters: what the router reads of it. */
export function reportSummary(content: string, max = 160): string {
  const flat = content.replace(/\s+/g, ' ').trim();
  const sentence = /^.+?[.!?](?=\s|$)/.exec(flat)?.[0] ?? flat;
  return sentence.length > max ? `${sentence.slice(0, max - 1).trimEnd()}…` : sentence;
}

/**
 * The reports a router reads: for each worker visit it granted this turn, the last
 * report written during that visit (for a team, the team's last word, as LangGraph's
 * hierarchical teams pass on only their final message).
 */
export function visitReports(
  messages: readonly Message[],
  decisions: readonly RouteDecision[] = [],
  router?: string,
): Message[] {
  const turn = userTurns(messages);
  const thisTurnDecisions = decisions.filter((d) => d.turn === turn && d.at !== undefined);
  // Without a router (used alone), every report of the turn; a router that has granted
  // no visit yet reads none (a team entered after research starts from the task alone).
  if (router === undefined) return thisTurn(messages).after.filter(isReport);
  const first = thisTurnDecisions.findIndex((d) => d.router === router);
  if (first < 0) return [];
  // A visit ends at this router's next decision, or at a parent's (a router that decided
  // before this one first did): a team's visit is over when its parent routes again.
  const bounding = new Set([router, ...thisTurnDecisions.slice(0, first).map((d) => d.router)]);
  const reports: Message[] = [];
  thisTurnDecisions.forEach((visit, i) => {
    if (visit.router !== router || visit.next === FINISH) return;
    const end =
      thisTurnDecisions.slice(i + 1).find((d) => bounding.has(d.router))?.at ?? messages.length;
    const report = messages.slice(visit.at, end).findLast(isReport);
    if (report) reports.push(report);
  });
  return reports;
}

/**
 * The router's conversation: its prompt, the task, and one assistant turn per visit's
 * report. Reports are cut to their first sentence: the micro model learned routing from
 * short "done" turns, and long worker output pulls it back to the same worker.
 */
export function routerMessages(
  workers: ReadonlyArray<Pick<SupervisorWorker, 'name' | 'description'>>,
  messages: readonly Message[],
  decisions?: readonly RouteDecision[],
  router?: string,
): Message[] {
  const { task } = thisTurn(messages);
  return [
    { role: 'system', content: supervisorPrompt(workers) },
    ...(task ? [{ role: 'user', content: task.content }] : []),
    ...visitReports(messages, decisions, router).map((m) => ({
      role: 'assistant',
      content: reportSummary(m.content),
    })),
  ];
}

/** Reads `{"next": …}`; returns the worker or FINISH, or an error message. */
export function parseRoute(
  raw: string,
  workerNames: readonly string[],
): { next: string } | { error: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.trim());
  } catch {
    return { error: `The supervisor's reply is not JSON: ${raw.slice(0, 200)}` };
  }
  const next = (parsed as { next?: unknown })?.next;
  if (typeof next !== 'string' || (next !== FINISH && !workerNames.includes(next)))
    return { error: `The supervisor chose ${JSON.stringify(next)}, which is no worker here.` };
  return { next };
}

export interface SupervisorOptions {
  model: ChatModel;
  workers: readonly SupervisorWorker[];
  /** Worker visits the router may grant per user turn; the next decision ends the run (default 4). */
  maxRounds?: number;
  /** Sampling options of the router's calls (seed, temperature…). */
  modelOptions?: Omit<ChatOptions, 'tools' | 'toolChoice' | 'signal' | 'responseFormat'>;
  /**
   * What `maxRounds` counts: visits per user turn (default), or per entry into this graph
   * (`visit`: a team a parent supervisor may call several times).
   */
  roundsPer?: 'turn' | 'visit';
  /** Name of the router node (default `supervisor`). */
  supervisorName?: string;
  checkpointer?: BaseCheckpointSaver;
  /** Graph name (shown for a team used as a subgraph). */
  name?: string;
}

/**
 * Supersteps one user turn can take: a router call and a worker per round, plus the
 * last router call (FINISH, or the one past the bound). Subgraph steps count apart.
 */
export function supervisorRecursionLimit(maxRounds: number): number {
  return 2 * maxRounds + 2;
}

export function createSupervisor(options: SupervisorOptions) {
  const { model, workers } = options;
  const maxRounds = options.maxRounds ?? 4;
  const router = options.supervisorName ?? 'supervisor';
  const names = workers.map((w) => w.name);
  if (new Set(names).size !== names.length) throw new Error('Worker names must be unique.');
  if (names.includes(FINISH) || names.includes(router))
    throw new Error(`A worker cannot be named ${FINISH} or ${router}.`);

  const supervisor = async (
    state: { messages: Message[]; decisions: RouteDecision[] },
    runtime: Runtime,
  ) => {
    const result = await streamModelCall(
      model,
      routerMessages(workers, state.messages, state.decisions, router),
      {
        temperature: 0,
        maxTokens: 40,
        ...options.modelOptions,
        thinking: { enabled: false },
        responseFormat: { type: 'json_schema', name: 'route', schema: routeSchema(names) },
      },
      runtime,
    );
    const route = parseRoute(result.message.content, names);
    const next = 'next' in route ? route.next : FINISH;
    const decision: RouteDecision = {
      id: crypto.randomUUID(),
      router,
      next,
      turn: userTurns(state.messages),
      at: state.messages.length,
    };
    return { next, route_error: 'error' in route ? route.error : null, decisions: [decision] };
  };

  let graph = new StateGraph(SupervisorState)
    .addNode(router, supervisor)
    .addEdge(START, router)
    .addConditionalEdges(
      router,
      // The bound is checked before a worker runs: the router's decisions stay its own.
      (state) =>
        state.next === FINISH ||
        !names.includes(state.next) ||
        roundsThisTurn(state.decisions, router, state.messages, options.roundsPer) > maxRounds
          ? END
          : state.next,
      [...names, END],
    );
  for (const worker of workers)
    graph = graph.addNode(worker.name, worker.node).addEdge(worker.name, router);
  return graph.compile({ checkpointer: options.checkpointer, name: options.name });
}

export interface WorkerNodeOptions {
  /** Recursion limit of the agent's own loop (default 12). */
  recursionLimit?: number;
  /**
   * Whether the worker also reads the earlier reports of this turn (a writer needs the
   * research; a searcher does better with the bare task). Default false.
   */
  readsReports?: boolean;
  /** Extra state to write with the worker's messages (e.g. the documents it saved). */
  extraUpdate?: (produced: readonly Message[]) => Record<string, unknown>;
}

/** The worker's input: the task, with the turn's reports appended when it reads them. */
export function workerInput(messages: readonly Message[], readsReports: boolean): Message[] {
  const { task, after } = thisTurn(messages);
  if (!task) return [];
  const reports = readsReports ? after.filter(isReport) : [];
  const content = reports.length
    ? `${task.content}\n\nNotes from the team:\n${reports.map((r) => `- ${r.name}: ${r.content}`).join('\n')}`
    : task.content;
  return [{ role: 'user', content }];
}

/**
 * A ReAct agent as a supervisor's worker: runs the agent on the task (its own role
 * prompt, tools and step budget), streams its tokens into this node, and writes back
 * what it produced, its last answer marked as the report under its name.
 */
export function createWorkerNode(
  name: string,
  agent: ReactAgentGraph,
  options: WorkerNodeOptions = {},
) {
  return async (state: { messages: Message[] }, runtime: Runtime) => {
    const input = workerInput(state.messages, options.readsReports ?? false);
    let values: Message[] = [];
    for await (const event of agent.stream(
      { messages: input },
      {
        streamMode: ['messages', 'values'],
        signal: runtime.signal,
        recursionLimit: options.recursionLimit ?? 12,
      },
    )) {
      const [mode, payload] = event as [string, unknown];
      if (mode === 'messages') {
        // The model's tokens stream on under this node; the agent's tool results (whole
        // messages) arrive with the node's update instead, attached to their calls.
        const chunk = (payload as [MessageChunk, unknown])[0];
        if (chunk.role !== 'tool') runtime.writeMessage(chunk);
      } else values = (payload as { messages: Message[] }).messages;
    }
    const produced: Message[] = values
      .slice(input.length)
      .map((m) => ({ ...m, name: m.name ?? name }));
    const last = produced.at(-1);
    if (last?.role === 'assistant' && !(last.tool_calls?.length ?? 0)) {
      produced[produced.length - 1] = { ...last, name, report: true };
    } else {
      // The loop ended on a tool round (it cannot with the ReAct agent's wrap-up, but a
      // report is what the supervisor reads): say so rather than invent an answer.
      produced.push({
        role: 'assistant',
        name,
        report: true,
        content: `${name} stopped without an answer.`,
      });
    }
    return { messages: produced, ...(options.extraUpdate?.(produced) ?? {}) };
  };
}
