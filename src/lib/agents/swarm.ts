/**
 * A swarm on our graph engine (after LangGraph's `langgraph-swarm`): agents that hand the
 * conversation to each other with handoff tools named `transfer_to_<agent>`. The agent in
 * control is kept in state (`active_agent`), so a follow-up turn in the same thread starts
 * with the agent that had control when the last turn ended.
 *
 *   START ─(active_agent)→ <agent> ─(tool calls)→ <agent>_tools ─(handoff)→ <other agent>
 *                              │                         └─(no handoff)→ <agent>
 *                              └─(plain answer)→ END
 *
 * Every loop is bounded, so a model that never decides still ends: `maxHandoffs` per user
 * turn (then handoff tools are withdrawn and agents must answer), and `maxSteps` model
 * calls per agent each time it gets control (then it hands off to `whenOutOfSteps` or
 * answers without tools).
 */
import {
  Annotation,
  Command,
  END,
  START,
  StateGraph,
  messagesReducer,
  type CompiledStateGraph,
  type Message,
  type Runtime,
} from '../graph/index.js';
import type { BaseCheckpointSaver } from '../checkpoint/types.js';
import type { ChatModel, ChatOptions, ToolChoice, ToolSpec } from '../llm/types.js';
import type { Tool } from '../tools/types.js';
import { assistantTurn } from './model-call.js';
import { runToolCalls, toolCallErrorsOf } from './tool-node.js';

export const HANDOFF_PREFIX = 'transfer_to_';

export function handoffToolName(agent: string): string {
  return `${HANDOFF_PREFIX}${agent}`;
}

/** The agent a tool name hands off to, or undefined for an ordinary tool. */
export function handoffTarget(toolName: string): string | undefined {
  return toolName.startsWith(HANDOFF_PREFIX) ? toolName.slice(HANDOFF_PREFIX.length) : undefined;
}

/** A handoff tool takes no arguments: the shared messages carry the work. */
export function handoffToolSpec(agent: string, description: string): ToolSpec {
  return {
    type: 'function',
    function: {
      name: handoffToolName(agent),
      description,
      parameters: { type: 'object', properties: {}, additionalProperties: false },
    },
  };
}

/** One handoff as the swarm recorded it. */
export interface HandoffRecord {
  from: string;
  to: string;
  /** The user turn it happened in (1 = the thread's first). */
  turn: number;
  /** `model`: the agent called the tool; `step-limit`: the swarm handed off for it. */
  by: 'model' | 'step-limit';
}

export const SwarmState = Annotation.Root({
  messages: Annotation<Message[]>({ reducer: messagesReducer, default: () => [] }),
  /** The agent in control; the next turn starts here. */
  active_agent: Annotation<string | null>({ default: () => null }),
  /** Every handoff of the thread, in order. */
  handoffs: Annotation<HandoffRecord[], HandoffRecord[]>({
    reducer: (all, more) => all.concat(more),
    default: () => [],
  }),
  /** User turns so far (the demo's turn() counts them). */
  turn: Annotation<number>({ default: () => 0 }),
});

export type SwarmValues = {
  messages: Message[];
  active_agent: string | null;
  handoffs: HandoffRecord[];
  turn: number;
};

export type SwarmGraph = CompiledStateGraph<(typeof SwarmState)['spec']>;

export interface SwarmAgent {
  name: string;
  model: ChatModel;
  /** Its own tools (the handoff tools are added by the swarm). */
  tools: readonly Tool[];
  /** Agents it may hand off to, each with the tool description the model reads. */
  handoffs: Array<{ to: string; description: string }>;
  /** Built per call, from the current state (e.g. how many sources were found). */
  systemPrompt: (state: SwarmValues) => string;
  /** `required`: every step is a tool call (work or handoff); `auto`: it may answer. */
  toolChoice: 'auto' | 'required';
  /** When its steps run out: hand off to this agent, or (absent) answer without tools. */
  whenOutOfSteps?: string;
}

export interface SwarmOptions {
  agents: readonly SwarmAgent[];
  defaultAgent: string;
  /** Handoffs per user turn (default 4). */
  maxHandoffs?: number;
  /** Model calls per agent each time it has control (default 3). */
  maxSteps?: number;
  modelOptions?: Omit<ChatOptions, 'tools' | 'toolChoice' | 'signal'>;
  checkpointer?: BaseCheckpointSaver;
}

/** Handoffs made in the current user turn. */
export function handoffsThisTurn(state: Pick<SwarmValues, 'handoffs' | 'turn'>): number {
  return state.handoffs.filter((h) => h.turn === state.turn).length;
}

/**
 * Model calls `agent` made since it last got control: its assistant messages after the
 * last user message or the last handoff to it, whichever is later.
 */
export function stepsSinceControl(messages: readonly Message[], agent: string): number {
  let steps = 0;
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (m.role === 'user') break;
    if (m.role === 'tool' && m.name && handoffTarget(m.name) === agent) break;
    if (m.role === 'assistant' && m.name === agent) steps++;
  }
  return steps;
}

/** How the swarm let an agent choose: freely, forced to hand off, or made to answer. */
export type SwarmMove = 'free' | 'forced_handoff' | 'answer';

/** What the agent may do on its next call: the tools offered and the tool choice. */
export interface AgentMove {
  tools: ToolSpec[];
  toolChoice: ToolChoice;
  /** Why the usual offer was narrowed, for the trace. */
  note?: string;
}

/**
 * The bounds, in one pure function: out of handoffs → answer without tools; out of steps
 * → the forced handoff (if the agent has one) or an answer; otherwise its own tools plus
 * its handoff tools under its usual tool choice.
 */
export function nextMove(
  agent: Pick<SwarmAgent, 'name' | 'tools' | 'handoffs' | 'toolChoice' | 'whenOutOfSteps'>,
  state: Pick<SwarmValues, 'messages' | 'handoffs' | 'turn'>,
  limits: { maxHandoffs: number; maxSteps: number },
): AgentMove {
  const handoffsLeft = handoffsThisTurn(state) < limits.maxHandoffs;
  const own = agent.tools.map((tool) => tool.spec);
  const transfers = agent.handoffs.map((h) => handoffToolSpec(h.to, h.description));
  const steps = stepsSinceControl(state.messages, agent.name);
  if (!handoffsLeft) {
    return {
      tools: own,
      toolChoice: 'none',
      note: `No handoffs left this turn (${limits.maxHandoffs}); ${agent.name} answers.`,
    };
  }
  if (steps >= limits.maxSteps - 1) {
    // the last call it gets: hand off if it has somewhere to go, else answer
    if (agent.whenOutOfSteps) {
      return {
        tools: [...own, ...transfers],
        toolChoice: { name: handoffToolName(agent.whenOutOfSteps) },
        note: `${agent.name} used its ${limits.maxSteps - 1} steps; it hands off to ${agent.whenOutOfSteps}.`,
      };
    }
    return {
      tools: [...own, ...transfers],
      toolChoice: 'none',
      note: `${agent.name} used its ${limits.maxSteps - 1} steps; it answers.`,
    };
  }
  return { tools: [...own, ...transfers], toolChoice: agent.toolChoice };
}

/**
 * Where the tools node goes after answering a call: the first valid handoff's target, or
 * back to the agent. A handoff to an agent it may not reach, or beyond the turn's limit,
 * is refused with an observation the model reads.
 */
export function handoffDecision(
  agent: Pick<SwarmAgent, 'name' | 'handoffs'>,
  message: Message | undefined,
  state: Pick<SwarmValues, 'handoffs' | 'turn'>,
  maxHandoffs: number,
): { to?: string; refusals: Map<string, string> } {
  const refusals = new Map<string, string>();
  let to: string | undefined;
  for (const call of message?.tool_calls ?? []) {
    const target = handoffTarget(call.function.name);
    if (target === undefined) continue;
    if (to !== undefined) {
      refusals.set(call.id, `Ignored: control already goes to ${to}.`);
    } else if (!agent.handoffs.some((h) => h.to === target)) {
      refusals.set(call.id, `Error: ${agent.name} cannot hand off to ${target}.`);
    } else if (handoffsThisTurn(state) >= maxHandoffs) {
      refusals.set(call.id, `Error: no handoffs left this turn (${maxHandoffs}). Answer now.`);
    } else {
      to = target;
    }
  }
  return { to, refusals };
}

export function toolsNodeName(agent: string): string {
  return `${agent}_tools`;
}

export function createSwarm(options: SwarmOptions): SwarmGraph {
  const maxHandoffs = options.maxHandoffs ?? 4;
  const maxSteps = options.maxSteps ?? 3;
  if (!Number.isInteger(maxHandoffs) || maxHandoffs < 0)
    throw new RangeError(`maxHandoffs must be a non-negative integer, got ${maxHandoffs}`);
  if (!Number.isInteger(maxSteps) || maxSteps < 1)
    throw new RangeError(`maxSteps must be a positive integer, got ${maxSteps}`);
  const names = options.agents.map((a) => a.name);
  if (!names.includes(options.defaultAgent))
    throw new Error(`defaultAgent ${options.defaultAgent} is not one of ${names.join(', ')}`);
  for (const agent of options.agents)
    for (const h of agent.handoffs)
      if (!names.includes(h.to)) throw new Error(`${agent.name} hands off to unknown ${h.to}`);

  let graph = new StateGraph(SwarmState);
  for (const agent of options.agents) {
    const call = async (state: SwarmValues, runtime: Runtime) => {
      const move = nextMove(agent, state, { maxHandoffs, maxSteps });
      const system: Message = { role: 'system', content: agent.systemPrompt(state) };
      const { message, result } = await assistantTurn(
        agent.model,
        [system, ...state.messages.filter((m) => m.role !== 'system')],
        {
          ...options.modelOptions,
          ...(move.tools.length ? { tools: move.tools } : {}),
          toolChoice: move.tools.length ? move.toolChoice : 'none',
        },
        runtime,
      );
      if (result.toolCallErrors?.length) {
        message.tool_call_errors = result.toolCallErrors.map((error) => error.toJSON());
      }
      // `name` says which agent spoke (the bounds count an agent's steps by it); `swarm_move`
      // says whether the swarm narrowed its choice, so the routers can tell
      const bound: SwarmMove =
        typeof move.toolChoice === 'object'
          ? 'forced_handoff'
          : move.toolChoice === 'none'
            ? 'answer'
            : 'free';
      // made to answer: whatever an engine that ignored `toolChoice` tried, the turn ends
      // here, so drop its calls (unanswered calls would break the thread's next turn)
      const { tool_calls: calls, ...text } = message;
      const kept = bound === 'answer' ? text : { ...text, ...(calls ? { tool_calls: calls } : {}) };
      return {
        messages: [
          {
            ...kept,
            name: agent.name,
            swarm_move: bound,
            ...(move.note ? { note: move.note } : {}),
          },
        ],
      };
    };

    const tools = async (state: SwarmValues, runtime: Runtime) => {
      const last = state.messages.at(-1);
      const { to, refusals } = handoffDecision(agent, last, state, maxHandoffs);
      const handoffCalls = new Set(
        (last?.tool_calls ?? []).filter((c) => handoffTarget(c.function.name)).map((c) => c.id),
      );
      // ordinary calls (and malformed blocks) run as tools; handoff calls are answered here
      const ordinary = last
        ? { ...last, tool_calls: (last.tool_calls ?? []).filter((c) => !handoffCalls.has(c.id)) }
        : last;
      const observations = ordinary
        ? await runToolCalls(agent.tools, [ordinary], runtime.signal)
        : [];
      const handoffAnswers: Message[] = (last?.tool_calls ?? [])
        .filter((c) => handoffCalls.has(c.id))
        .map((c) => ({
          role: 'tool',
          tool_call_id: c.id,
          name: c.function.name,
          content: refusals.get(c.id) ?? `Transferred to ${handoffTarget(c.function.name)}.`,
        }));
      const messages = [...observations, ...handoffAnswers];
      if (to === undefined) return new Command({ goto: agent.name, update: { messages } });
      const forced = last?.swarm_move === 'forced_handoff';
      const record: HandoffRecord = {
        from: agent.name,
        to,
        turn: state.turn,
        by: forced ? 'step-limit' : 'model',
      };
      return new Command({
        goto: to,
        update: { messages, active_agent: to, handoffs: [record] },
      });
    };

    graph = graph
      .addNode(agent.name, call)
      .addNode(toolsNodeName(agent.name), tools, { ends: names })
      .addConditionalEdges(
        agent.name,
        (state: SwarmValues) => {
          const last = state.messages.at(-1);
          const acts = (last?.tool_calls?.length ?? 0) > 0 || toolCallErrorsOf(last).length > 0;
          // a call made under `toolChoice: 'none'` ends the turn (its calls were dropped)
          return acts && last?.swarm_move !== 'answer' ? toolsNodeName(agent.name) : END;
        },
        [toolsNodeName(agent.name), END],
      );
  }
  graph = graph.addConditionalEdges(
    START,
    (state: SwarmValues) =>
      state.active_agent && names.includes(state.active_agent)
        ? state.active_agent
        : options.defaultAgent,
    names,
  );
  return graph.compile({ checkpointer: options.checkpointer, name: 'swarm' });
}

/**
 * Supersteps one user turn can take at most: each agent visit is up to `maxSteps` calls
 * with a tools step after each, and there are at most `maxHandoffs + 1` visits.
 */
export function swarmRecursionLimit(maxHandoffs = 4, maxSteps = 3): number {
  return (maxHandoffs + 1) * 2 * maxSteps + 2;
}
