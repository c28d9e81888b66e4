/**
 * A ReAct agent on our graph engine: `agent` ⇄ `tools`, then END when the model answers
 * without calling a tool.
 *
 *   START → agent ─(tool calls or malformed calls)→ tools ─(steps left)→ agent
 *             │                                       └─(step bound hit)→ final_answer → END
 *             └─(plain answer)→ END
 *
 * `maxSteps` bounds the model turns that may call tools within one user turn (counted
 * from the last user message, so a checkpointed thread gets a fresh budget per turn).
 * When the bound is hit after a tool round, `final_answer` calls the model once more
 * without tools and asks it to answer from the observations, instead of failing.
 */
import {
  Annotation,
  END,
  START,
  StateGraph,
  messagesReducer,
  type CompiledStateGraph,
  type Message,
  type Runtime,
} from '../graph/index.js';
import type { BaseCheckpointSaver } from '../checkpoint/types.js';
import type { ChatModel, ChatOptions, ToolChoice } from '../llm/types.js';
import {
  assistantTurn,
  newMessageId,
  streamModelCall as callModel,
  usageOf,
} from './model-call.js';
import type { Tool } from '../tools/types.js';
import { createToolNode, toolCallErrorsOf } from './tool-node.js';

export const ReactAgentState = Annotation.Root({
  messages: Annotation<Message[]>({ reducer: messagesReducer, default: () => [] }),
});

export type ReactAgentGraph = CompiledStateGraph<(typeof ReactAgentState)['spec']>;

export const DEFAULT_WRAP_UP_PROMPT =
  'You have used all your tool steps. Answer the question now from the tool results above, without calling any tool.';

export interface ReactAgentOptions {
  model: ChatModel;
  tools: readonly Tool[];
  /** Most model turns that may call tools per user turn (default 6). */
  maxSteps?: number;
  /** Prepended to every model call when the conversation has no system message; not stored in state. */
  systemPrompt?: string;
  /** Sent (not stored) as the last user message of the forced wrap-up turn. */
  wrapUpPrompt?: string;
  /**
   * Tool choice of the agent turns (default `auto`; the wrap-up never calls tools). With
   * `required` or `{name}` and a budget of one step, a worker must act exactly once: how
   * a writer that has to save its document is built on a small model.
   */
  toolChoice?: ToolChoice;
  /** Sampling options for every model call (temperature, maxTokens, seed, thinking…). */
  modelOptions?: Omit<ChatOptions, 'tools' | 'toolChoice' | 'signal'>;
  checkpointer?: BaseCheckpointSaver;
}

/**
 * Supersteps one user turn can take: agent + tools per step, then the wrap-up. Pass it as
 * `recursionLimit` when `maxSteps` exceeds 11 (the engine's default limit is 25).
 */
export function reactAgentRecursionLimit(maxSteps: number): number {
  return 2 * maxSteps + 2;
}

/** Assistant turns since the last user message: the steps taken in this user turn. */
export function stepsThisTurn(messages: readonly Message[]): number {
  let steps = 0;
  for (let i = messages.length - 1; i >= 0 && messages[i].role !== 'user'; i--) {
    if (messages[i].role === 'assistant') steps++;
  }
  return steps;
}

export function createReactAgent(options: ReactAgentOptions): ReactAgentGraph {
  const { model, tools } = options;
  const maxSteps = options.maxSteps ?? 6;
  if (!Number.isInteger(maxSteps) || maxSteps < 1) {
    throw new RangeError(`maxSteps must be a positive integer, got ${maxSteps}`);
  }
  const specs = tools.map((tool) => tool.spec);
  const names = new Set<string>();
  for (const spec of specs) {
    if (names.has(spec.function.name)) {
      throw new Error(`Two tools are named ${spec.function.name}; tool names must be unique.`);
    }
    names.add(spec.function.name);
  }

  const withSystemPrompt = (messages: readonly Message[]): Message[] =>
    options.systemPrompt && messages[0]?.role !== 'system'
      ? [{ role: 'system', content: options.systemPrompt }, ...messages]
      : [...messages];

  const agent = async (state: { messages: Message[] }, runtime: Runtime) => {
    const { message, result } = await assistantTurn(
      model,
      withSystemPrompt(state.messages),
      {
        ...options.modelOptions,
        ...(specs.length ? { tools: specs } : {}),
        ...(specs.length && options.toolChoice ? { toolChoice: options.toolChoice } : {}),
      },
      runtime,
    );
    // Kept on the message as plain data so the tools node (and a checkpoint) can see
    // what the model got wrong and answer it.
    if (result.toolCallErrors?.length) {
      message.tool_call_errors = result.toolCallErrors.map((error) => error.toJSON());
    }
    return { messages: [message] };
  };

  const finalAnswer = async (state: { messages: Message[] }, runtime: Runtime) => {
    const id = newMessageId();
    const prompt: Message = {
      role: 'user',
      content: options.wrapUpPrompt ?? DEFAULT_WRAP_UP_PROMPT,
    };
    const result = await callModel(
      model,
      [...withSystemPrompt(state.messages), prompt],
      { ...options.modelOptions, toolChoice: 'none' },
      runtime,
      id,
    );
    // Whatever the model tries here, the run ends: drop calls, keep the text.
    const { tool_calls: _calls, ...answer } = result.message;
    const lastObservation = state.messages.findLast((m) => m.role === 'tool')?.content;
    const content =
      answer.content.trim() !== ''
        ? answer.content
        : `I stopped after ${maxSteps} steps without a final answer.` +
          (lastObservation ? ` The last tool result was: ${lastObservation}` : '');
    return {
      messages: [{ ...answer, content, id, usage: usageOf(result), wrap_up: true }],
    };
  };

  return new StateGraph(ReactAgentState)
    .addNode('agent', agent)
    .addNode('tools', createToolNode(tools))
    .addNode('final_answer', finalAnswer)
    .addEdge(START, 'agent')
    .addConditionalEdges(
      'agent',
      (state) => {
        const last = state.messages.at(-1);
        const wantsTools = (last?.tool_calls?.length ?? 0) > 0 || toolCallErrorsOf(last).length > 0;
        return wantsTools ? 'tools' : END;
      },
      ['tools', END],
    )
    .addConditionalEdges(
      'tools',
      (state) => (stepsThisTurn(state.messages) >= maxSteps ? 'final_answer' : 'agent'),
      ['agent', 'final_answer'],
    )
    .addEdge('final_answer', END)
    .compile({ checkpointer: options.checkpointer });
}
