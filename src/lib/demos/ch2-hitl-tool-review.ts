/**
 * Human in the loop, pattern 5: tool-call review in a small ReAct loop. Before any tool
 * runs, the run pauses with the model's call: accept it, edit its arguments, or respond
 * instead of calling (the response becomes the observation the model reads). Edits
 * replace the assistant message by id, so the conversation records what actually ran.
 */
import { assistantTurn } from '../agents/model-call.js';
import { runToolCalls, toolCallErrorsOf } from '../agents/tool-node.js';
import { reactAgentRecursionLimit, stepsThisTurn } from '../agents/react-agent.js';
import {
  Annotation,
  END,
  START,
  StateGraph,
  messagesReducer,
  type Message,
} from '../graph/index.js';
import { checkedAnswer } from './hitl-schemas.js';
import {
  agentRole,
  lastAssistantText,
  modelOptions,
  temperatureTools,
  userMessage,
} from './shared.js';
import type { DemoDefinition, InterruptRequest } from './types.js';

const MAX_STEPS = 4;

export const ToolReviewState = Annotation.Root({
  messages: Annotation<Message[]>({ reducer: messagesReducer, default: () => [] }),
});

export const TOOL_REVIEW_SCHEMA = {
  type: 'object',
  anyOf: [
    {
      type: 'object',
      title: 'Accept the call',
      properties: { action: { const: 'accept' } },
      required: ['action'],
    },
    {
      type: 'object',
      title: 'Edit the arguments',
      properties: {
        action: { const: 'edit' },
        arguments: { type: 'string', title: 'Arguments (JSON)', minLength: 2, format: 'textarea' },
      },
      required: ['action', 'arguments'],
    },
    {
      type: 'object',
      title: 'Respond instead of calling',
      properties: {
        action: { const: 'respond' },
        response: {
          type: 'string',
          title: 'Your response (the model reads it as the result)',
          minLength: 1,
        },
      },
      required: ['action', 'response'],
    },
  ],
};

/** The review schema with the edit box prefilled with the call's own arguments. */
function withArgumentsDefault(args: string): Record<string, unknown> {
  const [accept, edit, respond] = TOOL_REVIEW_SCHEMA.anyOf;
  const editWithDefault = {
    ...edit,
    properties: { ...edit.properties, arguments: { ...edit.properties.arguments, default: args } },
  };
  return { ...TOOL_REVIEW_SCHEMA, anyOf: [accept, editWithDefault, respond] };
}

type Review =
  | { action: 'accept' }
  | { action: 'edit'; arguments: string }
  | { action: 'respond'; response: string };

export const hitlToolReview: DemoDefinition = {
  id: 'hitl-tool-review',
  title: 'Tool-call review',
  summary: 'Every tool call waits for you: accept it, edit its arguments, or answer in its place.',
  chapter: 2,
  bookExamples: ['2.6'],
  guide:
    'The model proposes a tool call and the run pauses in review_tool_call. Accept runs it as written; Edit lets you fix the arguments (JSON) before it runs; Respond skips the tool and gives the model your text as the observation. The trace shows which path each call took.',
  roles: [agentRole('Proposes tool calls and answers.')],
  defaultMessage: 'What is the current temperature in Oslo?',
  conversational: false,
  build(context) {
    const model = context.models.agent;
    const tools = temperatureTools(context.endpoints);
    const specs = tools.map((t) => t.spec);
    return new StateGraph(ToolReviewState)
      .addNode('agent', async (state, runtime) => {
        const wrapUp = stepsThisTurn(state.messages) >= MAX_STEPS;
        const { message } = await assistantTurn(
          model,
          state.messages,
          {
            ...modelOptions(context),
            ...(wrapUp ? { toolChoice: 'none' as const } : { tools: specs }),
          },
          runtime,
        );
        return { messages: [message] };
      })
      .addNode('review_tool_call', (state, runtime) => {
        const last = state.messages.at(-1) as Message;
        const call = last.tool_calls![0];
        const request: InterruptRequest = {
          question: `The model wants to call ${call.function.name}. Accept, edit or respond?`,
          schema: withArgumentsDefault(call.function.arguments),
          context: { name: call.function.name, arguments: call.function.arguments },
        };
        const review = checkedAnswer<Review>(request, runtime.interrupt(request));
        if (review.action === 'accept') return { messages: [{ ...last, tool_calls: [call] }] };
        if (review.action === 'edit') {
          try {
            JSON.parse(review.arguments);
          } catch {
            throw new Error('The edited arguments are not valid JSON; nothing was changed.');
          }
          const edited = { ...call, function: { ...call.function, arguments: review.arguments } };
          return { messages: [{ ...last, tool_calls: [edited], reviewed: 'edited' }] };
        }
        return {
          messages: [
            { ...last, tool_calls: [call], reviewed: 'responded' },
            { role: 'tool', tool_call_id: call.id, content: review.response, human: true },
          ],
        };
      })
      .addNode('tools', async (state, runtime) => ({
        messages: await runToolCalls(tools, state.messages, runtime.signal),
      }))
      .addEdge(START, 'agent')
      .addConditionalEdges(
        'agent',
        (state) => {
          const last = state.messages.at(-1);
          if ((last?.tool_calls?.length ?? 0) > 0) return 'review_tool_call';
          // a malformed call goes straight to the tools node, which answers with the parse error
          return toolCallErrorsOf(last).length > 0 ? 'tools' : END;
        },
        ['review_tool_call', 'tools', END],
      )
      .addConditionalEdges(
        'review_tool_call',
        (state) => (state.messages.at(-1)?.role === 'tool' ? 'responded' : 'accepted'),
        { responded: 'agent', accepted: 'tools' },
      )
      .addEdge('tools', 'agent')
      .compile({ checkpointer: context.checkpointer, name: 'hitl-tool-review' });
  },
  turn: (message) => ({
    input: userMessage(message),
    recursionLimit: reactAgentRecursionLimit(MAX_STEPS) + MAX_STEPS,
  }),
  answer: lastAssistantText,
};
