/**
 * Chapter 1: a stateful agent. The same llm ⇄ tools loop, now with an IndexedDB
 * checkpointer and a thread: turn 2 ("square it") sees turn 1's temperature in the
 * conversation and does not fetch it again. A branch copies the thread at a checkpoint
 * into a new thread, where a different follow-up (Fahrenheit) continues; both threads stay
 * and can be compared side by side.
 */
import { createReactAgent, reactAgentRecursionLimit } from '../agents/react-agent.js';
import { createUnitConversionTool } from '../tools/index.js';
import {
  agentRole,
  lastAssistantText,
  modelOptions,
  temperatureTools,
  userMessage,
} from './shared.js';
import type { DemoDefinition } from './types.js';

const MAX_STEPS = 4;

export const statefulAgent: DemoDefinition = {
  id: 'stateful-agent',
  title: 'Stateful agent with memory and branches',
  summary:
    'An llm ⇄ tools graph with an IndexedDB checkpointer: follow-ups use earlier turns, branches keep both futures.',
  chapter: 1,
  bookExamples: ['1.4', '1.5'],
  guide:
    'Turn 1: ask for the temperature. Turn 2 in the same thread: "Square it." — the model reads the temperature from the conversation instead of calling the weather tool again. Then open the checkpoint after turn 1 in Threads and choose "Branch to new thread" and ask to convert it to Fahrenheit: the two threads now hold different futures of one past. Reload the page: both are still there.',
  roles: [agentRole('Chooses tools and writes the answer.')],
  defaultMessage: 'What is the current temperature in Paris?',
  suggestions: ['Square it.', 'Convert it to Fahrenheit.'],
  conversational: true,
  build(context) {
    return createReactAgent({
      model: context.models.agent,
      tools: [...temperatureTools(context.endpoints), createUnitConversionTool()],
      maxSteps: MAX_STEPS,
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
