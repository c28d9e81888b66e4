/**
 * Human in the loop, pattern 6: static breakpoints for debugging. The temperature agent
 * with breakpoints the page sets before or after chosen nodes (`interruptBefore` /
 * `interruptAfter` on the call): the run stops there with the state inspectable and
 * editable, and Resume steps on to the next breakpoint.
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

const MAX_STEPS = 3;

export const hitlBreakpoints: DemoDefinition = {
  id: 'hitl-breakpoints',
  title: 'Static breakpoints',
  summary: 'Stop before or after chosen nodes, inspect and edit the state, then step on.',
  chapter: 2,
  bookExamples: ['2.7'],
  guide:
    'Breakpoints are set before tools and after agent. Run stops at each: look at the State (the pending tool call, the observation), edit it if you like (Threads → edit state), and Resume to step to the next one. Toggle breakpoints per node in the list under the graph.',
  roles: [agentRole('Chooses tools and writes the answer.')],
  defaultMessage: 'What is the current temperature in Rome, and what is its square?',
  breakpointNodes: ['agent', 'tools', 'final_answer'],
  defaultBreakpoints: { before: ['tools'], after: ['agent'] },
  conversational: false,
  build(context) {
    return createReactAgent({
      model: context.models.agent,
      tools: temperatureTools(context.endpoints),
      maxSteps: MAX_STEPS,
      wrapUpPrompt: TEMPERATURE_FORMAT,
      modelOptions: modelOptions(context),
      checkpointer: context.checkpointer,
    });
  },
  turn: (message) => ({
    input: userMessage(message),
    recursionLimit: reactAgentRecursionLimit(MAX_STEPS),
  }),
  answer: lastAssistantText,
};
