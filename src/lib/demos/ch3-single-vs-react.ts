/**
 * Chapter 3: single-step vs ReAct on the same task, side by side in one graph. START fans
 * out to two branches that run in parallel on the same question:
 *
 * - `single_step`: one model call, no tools. It sees the data's shape and first rows in its
 *   prompt and must answer at once; it cannot compute anything or draw.
 * - `analyst` ⇄ `sandbox`: a ReAct loop whose actions run JavaScript in the code sandbox on
 *   the whole CSV, observe the result and continue, up to a step bound.
 *
 * The Side by side view lines their steps up: one answer on the left, Thought / Action /
 * Observation turns (and any chart) on the right, with the count of model calls and code
 * runs of each.
 */
import {
  Annotation,
  END,
  START,
  StateGraph,
  messagesReducer,
  type Message,
  type Runtime,
} from '../graph/index.js';
import { streamModelCall, usageOf } from '../agents/index.js';
import { BUNDLED_CSV_FILES, csvPreview } from '../tools/sandbox/index.js';
import {
  ANALYST_TOOLS_NOTE,
  DATASET,
  DATASET_NOTE,
  analystNodes,
  analystRecursionLimit,
  analystTool,
} from './analyst-agent.js';
import { agentRole, lastAssistantText, modelOptions } from './shared.js';
import type { DemoDefinition } from './types.js';

const MAX_STEPS = 3;

const State = Annotation.Root({
  /** The ReAct branch's conversation. */
  messages: Annotation<Message[]>({ reducer: messagesReducer, default: () => [] }),
  /** The single-step branch's conversation: the question and its one answer. */
  single_messages: Annotation<Message[]>({ reducer: messagesReducer, default: () => [] }),
});

export const SINGLE_STEP_PROMPT =
  'You are a data analyst. Answer in one step, without tools: summarize the data and say which ' +
  'chart of its key statistics you would draw.\n' +
  `Data: ${DATASET_NOTE}\nFirst rows:\n${csvPreview(BUNDLED_CSV_FILES[DATASET], 6)}`;

export const REACT_PROMPT =
  'You are a data analyst who reasons and acts: think, call run_javascript, read its result, ' +
  'and repeat until you can answer; then answer in two or three sentences.\n' +
  `Data: ${DATASET_NOTE}\n${ANALYST_TOOLS_NOTE}`;

export const singleVsReact: DemoDefinition = {
  id: 'single-step-vs-react',
  title: 'Single-step vs ReAct, side by side',
  summary:
    'The same data task answered in one model call and by a ReAct loop that runs code in the sandbox, in parallel, step by step.',
  chapter: 3,
  bookExamples: [],
  guide:
    'Both branches start from the same question. The single step answers from the first rows in its prompt, in one call. ReAct runs JavaScript on the whole file, reads the result and goes on, up to three steps, and can draw a chart. Compare the columns of the Side by side view: calls, code runs, what each one could know. The bundled micro model writes code that is not JavaScript, so its ReAct column shows sandbox errors; pick a real model to see the statistics.',
  roles: [agentRole('Answers in the single step and drives the ReAct loop.')],
  defaultMessage: 'Summarize the data and chart its key statistics.',
  view: 'side-by-side',
  conversational: false,
  build(context) {
    const model = context.models.agent;
    const options = { ...modelOptions(context, 400), thinking: { enabled: true } };
    const nodes = analystNodes({
      model,
      tool: analystTool(),
      systemPrompt: REACT_PROMPT,
      maxSteps: MAX_STEPS,
      modelOptions: options,
    });
    const singleStep = async (state: { single_messages: Message[] }, runtime: Runtime) => {
      const result = await streamModelCall(
        model,
        [{ role: 'system', content: SINGLE_STEP_PROMPT }, ...state.single_messages],
        options,
        runtime,
      );
      return { single_messages: [{ ...result.message, usage: usageOf(result) }] };
    };
    return new StateGraph(State)
      .addNode('single_step', singleStep)
      .addNode('analyst', nodes.analyst)
      .addNode('sandbox', nodes.sandbox)
      .addNode('wrap_up', nodes.wrapUp)
      .addEdge(START, 'single_step')
      .addEdge(START, 'analyst')
      .addEdge('single_step', END)
      .addConditionalEdges('analyst', nodes.afterAnalyst, { sandbox: 'sandbox', done: END })
      .addConditionalEdges('sandbox', nodes.afterSandbox, {
        analyst: 'analyst',
        wrap_up: 'wrap_up',
      })
      .addEdge('wrap_up', END)
      .compile({ checkpointer: context.checkpointer, name: 'single-step-vs-react' });
  },
  turn: (message) => {
    const question: Message = { role: 'user', content: message };
    return {
      input: { messages: [question], single_messages: [question] },
      recursionLimit: analystRecursionLimit(MAX_STEPS),
    };
  },
  answer: (values) => {
    const single = lastAssistantText({ messages: values.single_messages });
    const react = lastAssistantText(values);
    if (!single && !react) return undefined;
    return `Single step: ${single ?? '(no answer)'}\nReAct: ${react ?? '(no answer)'}`;
  },
};
