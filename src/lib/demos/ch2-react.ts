/**
 * Chapter 2: ReAct. The agent ⇄ tools loop with every built-in tool, rendered as the
 * paper's transcript: the model's reasoning is the Thought, its tool call the Action, the
 * tool's result the Observation, and the last plain answer the Final Answer.
 */
import { createReactAgent, reactAgentRecursionLimit } from '../agents/react-agent.js';
import {
  createCalculatorTool,
  createCorpusSearchTool,
  createUnitConversionTool,
  type Passage,
} from '../tools/index.js';
import { agentRole, lastAssistantText, modelOptions, userMessage, weatherTool } from './shared.js';
import type { DemoDefinition } from './types.js';

const MAX_STEPS = 5;

export function reactDemo(passages: readonly Passage[]): DemoDefinition {
  return {
    id: 'react',
    title: 'ReAct: reason, act, observe',
    summary:
      'Thought / Action / Observation / Final Answer over calculator, weather, units and corpus search.',
    chapter: 2,
    bookExamples: ['2.1'],
    guide:
      'Each model turn thinks (Thought), calls one tool (Action) and reads its result (Observation) until it can answer (Final Answer). Try a search question, a unit conversion or a two-step calculation.',
    roles: [agentRole('Reasons and calls tools.')],
    defaultMessage: 'What is ReAct?',
    suggestions: ['Convert 12 km to mi.', 'What is (17 + 25) * 3?'],
    view: 'react-transcript',
    conversational: false,
    build(context) {
      return createReactAgent({
        model: context.models.agent,
        tools: [
          createCalculatorTool(),
          weatherTool(context.endpoints),
          createUnitConversionTool(),
          createCorpusSearchTool({ passages }),
        ],
        maxSteps: MAX_STEPS,
        modelOptions: { ...modelOptions(context), thinking: { enabled: true } },
        checkpointer: context.checkpointer,
      });
    },
    turn: (message) => ({
      input: userMessage(message),
      recursionLimit: reactAgentRecursionLimit(MAX_STEPS),
    }),
    answer: lastAssistantText,
  };
}
