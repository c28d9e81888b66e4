/**
 * The data analyst both chapter-3 demos run: an agent ⇄ sandbox loop over `messages`,
 * with one tool, `run_javascript`, that runs the model's code in the code sandbox on the
 * bundled CSV.
 *
 *   analyst ─(tool call)→ sandbox ─(steps left)→ analyst
 *      │                     └─(step bound hit)→ wrap_up
 *      └─(plain answer)→ done
 *
 * The first turn of a run must call the tool (`toolChoice: 'required'`): an analyst looks
 * at the data before saying anything about it. Later turns choose freely. With the micro
 * model this is also what makes it run code at all: left to itself it never calls a tool it
 * was not trained on, but grammar-constrained decoding turns a required call into a valid
 * `run_javascript({code})` whose code is whatever the model writes. That code is usually
 * not JavaScript, and the sandbox's error is what the audit trail then shows.
 */
import {
  assistantTurn,
  createToolNode,
  stepsThisTurn,
  streamModelCall,
  toolCallErrorsOf,
} from '../agents/index.js';
import type { Message, Runtime } from '../graph/index.js';
import type { ChatModel, ChatOptions } from '../llm/types.js';
import { BUNDLED_CSV_FILES, CAFE_SALES, createRunJavascriptTool } from '../tools/sandbox/index.js';
import type { Tool } from '../tools/types.js';

export const DATASET = CAFE_SALES;

/** What the prompts say about the data (the sandbox has the file, the prompt has its shape). */
export const DATASET_NOTE =
  `${DATASET}: 120 rows, columns day, store (harbor, market, station, campus), ` +
  'drink (coffee, tea, cocoa), cups, price, temp_c.';

export const ANALYST_TOOLS_NOTE =
  `Call run_javascript to run code. In the code: loadCSV('${DATASET}') gives an arquero table, ` +
  "describe(table) its statistics, aq.op.mean('cups') a mean in rollup, console.log prints, " +
  "chart({type: 'bar', data, x, y, title}) draws a chart.";

/** The sandbox tool with the bundled CSV files. */
export function analystTool(): Tool {
  return createRunJavascriptTool({ files: { ...BUNDLED_CSV_FILES }, timeoutMs: 5000 });
}

export interface AnalystNodesOptions {
  model: ChatModel;
  tool: Tool;
  systemPrompt: string;
  /** Most model turns that may call the tool per run. */
  maxSteps: number;
  modelOptions: Omit<ChatOptions, 'tools' | 'toolChoice' | 'signal'>;
}

export const WRAP_UP_PROMPT =
  'You have used all your steps. Answer now from the results above, without calling any tool.';

type MessagesState = { messages: Message[] };

/** The analyst's nodes and routes, to add to a graph whose state has `messages`. */
export function analystNodes(options: AnalystNodesOptions) {
  const { model, tool, systemPrompt, maxSteps } = options;
  const withSystem = (messages: readonly Message[]): Message[] => [
    { role: 'system', content: systemPrompt },
    ...messages,
  ];

  const analyst = async (state: MessagesState, runtime: Runtime) => {
    const first = stepsThisTurn(state.messages) === 0;
    const { message, result } = await assistantTurn(
      model,
      withSystem(state.messages),
      { ...options.modelOptions, tools: [tool.spec], toolChoice: first ? 'required' : 'auto' },
      runtime,
    );
    if (result.toolCallErrors?.length) {
      message.tool_call_errors = result.toolCallErrors.map((error) => error.toJSON());
    }
    return { messages: [message] };
  };

  const wrapUp = async (state: MessagesState, runtime: Runtime) => {
    const result = await streamModelCall(
      model,
      [...withSystem(state.messages), { role: 'user', content: WRAP_UP_PROMPT }],
      { ...options.modelOptions, toolChoice: 'none' },
      runtime,
    );
    const { tool_calls: _calls, ...answer } = result.message;
    return { messages: [{ ...answer, wrap_up: true }] };
  };

  const wantsTool = (state: MessagesState) => {
    const last = state.messages.at(-1);
    return (last?.tool_calls?.length ?? 0) > 0 || toolCallErrorsOf(last).length > 0;
  };

  return {
    analyst,
    sandbox: createToolNode([tool]),
    wrapUp,
    /** After the analyst: run its code, or stop at a plain answer. */
    afterAnalyst: (state: MessagesState) => (wantsTool(state) ? 'sandbox' : 'done'),
    /** After the sandbox: another analyst turn, or the wrap-up once the steps are used. */
    afterSandbox: (state: MessagesState) =>
      stepsThisTurn(state.messages) >= maxSteps ? 'wrap_up' : 'analyst',
  };
}

/** Supersteps one run can take: analyst + sandbox per step, the wrap-up, and slack for parallel branches. */
export function analystRecursionLimit(maxSteps: number): number {
  return 2 * maxSteps + 4;
}
