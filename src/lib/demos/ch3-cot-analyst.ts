/**
 * Chapter 3: a chain-of-thought data analyst. The system prompt lays the analysis out step
 * by step (load, describe, group, chart, conclude); the model works through it one tool
 * call at a time, each step running its JavaScript in the code sandbox on the bundled CSV.
 * The page's audit trail lists every sandbox step (code, stdout, result, error, time) and
 * draws the chart the code asked for.
 */
import { END, START, StateGraph } from '../graph/index.js';
import { ReactAgentState } from '../agents/index.js';
import {
  ANALYST_TOOLS_NOTE,
  DATASET_NOTE,
  analystNodes,
  analystRecursionLimit,
  analystTool,
} from './analyst-agent.js';
import { agentRole, lastAssistantText, modelOptions, userMessage } from './shared.js';
import type { DemoDefinition } from './types.js';

const MAX_STEPS = 4;

export const COT_ANALYST_PROMPT =
  'You are a careful data analyst. Think step by step and do one step per turn:\n' +
  '1. Load the data and print its columns and number of rows.\n' +
  '2. Print descriptive statistics of the numeric columns.\n' +
  '3. Compute the mean of cups grouped by store.\n' +
  "4. Draw one bar chart of that grouped mean with chart({type: 'bar', data, x: 'store', y: 'mean_cups', title}).\n" +
  '5. Answer in two or three sentences with what you found.\n' +
  `Data: ${DATASET_NOTE}\n${ANALYST_TOOLS_NOTE}`;

export const cotAnalyst: DemoDefinition = {
  id: 'cot-data-analyst',
  title: 'Chain-of-thought data analyst',
  summary:
    'A step-by-step system prompt, JavaScript in the code sandbox on a bundled CSV, descriptive statistics and a bar chart of a grouped mean, with every tool step in an audit trail.',
  chapter: 3,
  bookExamples: [],
  guide:
    'The analyst follows the numbered steps of its system prompt, one sandbox run per step. The Audit trail shows each run: the code the model wrote, what it printed, its result or error and how long it took, and the chart it asked for. The bundled micro model writes code that is not JavaScript, so its trail shows the sandbox errors; pick a real model for the agent role to see the statistics and the chart.',
  roles: [agentRole('Plans the analysis and writes the code.')],
  defaultMessage: 'Which store sells the most cups on average? Summarize the data and chart it.',
  suggestions: ['Does the temperature change what people drink?'],
  view: 'audit-trail',
  conversational: false,
  build(context) {
    const nodes = analystNodes({
      model: context.models.agent,
      tool: analystTool(),
      systemPrompt: COT_ANALYST_PROMPT,
      maxSteps: MAX_STEPS,
      modelOptions: { ...modelOptions(context, 400), thinking: { enabled: true } },
    });
    return new StateGraph(ReactAgentState)
      .addNode('analyst', nodes.analyst)
      .addNode('sandbox', nodes.sandbox)
      .addNode('wrap_up', nodes.wrapUp)
      .addEdge(START, 'analyst')
      .addConditionalEdges('analyst', nodes.afterAnalyst, { sandbox: 'sandbox', done: END })
      .addConditionalEdges('sandbox', nodes.afterSandbox, {
        analyst: 'analyst',
        wrap_up: 'wrap_up',
      })
      .addEdge('wrap_up', END)
      .compile({ checkpointer: context.checkpointer, name: 'cot-data-analyst' });
  },
  turn: (message) => ({
    input: userMessage(message),
    recursionLimit: analystRecursionLimit(MAX_STEPS),
  }),
  answer: lastAssistantText,
};
