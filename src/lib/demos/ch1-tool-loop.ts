/**
 * Chapter 1: a stateless tool loop. The model may call a calculator (a real expression
 * parser, no `eval`) and a current-temperature tool, observe the results and call again,
 * up to a step bound that stops runaway loops. When the bound ends the loop on an
 * observation, a final model call without tools writes the answer in the requested format.
 * Each run is a fresh thread: nothing is remembered between runs.
 */
import { createReactAgent, reactAgentRecursionLimit } from '../agents/react-agent.js';
import {
  TEMPERATURE_FORMAT,
  agentRole,
  lastAssistantText,
  modelOptions,
  temperatureTools,
  userMessage,
} from './shared.js';
import type { DemoDefinition } from './types.js';

export const TOOL_LOOP_MAX_STEPS = 3;

export const statelessToolLoop: DemoDefinition = {
  id: 'tool-loop',
  title: 'Stateless tool loop',
  summary:
    'A calculator and a temperature tool in a bounded loop, with a forced final answer in the requested format.',
  chapter: 1,
  bookExamples: ['1.2', '1.3'],
  guide:
    'The model calls get_current_temperature, then calculator to square the value, then answers. Watch the loop in the graph (agent ⇄ tools) and the tool calls in the trace. After three tool rounds the loop is cut and final_answer writes "Current temperature: / Square of current temperature:" from the observations.',
  roles: [agentRole('Chooses tools and writes the answer.')],
  defaultMessage: 'What is the current temperature in Paris, and what is its square?',
  conversational: false,
  build(context) {
    return createReactAgent({
      model: context.models.agent,
      tools: temperatureTools(context.endpoints),
      maxSteps: TOOL_LOOP_MAX_STEPS,
      wrapUpPrompt: TEMPERATURE_FORMAT,
      modelOptions: modelOptions(context),
      checkpointer: context.checkpointer,
    });
  },
  turn: (message) => ({
    input: userMessage(message),
    recursionLimit: reactAgentRecursionLimit(TOOL_LOOP_MAX_STEPS),
  }),
  answer: lastAssistantText,
};
