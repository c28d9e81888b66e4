/**
 * Chapter 1, the starting point: one prompt in, one answer out. The graph has a single
 * node; nothing from an earlier run reaches the model, so a follow-up question ("what did I
 * just ask?") has nothing to go on. Every later demo adds one thing to this.
 */
import { streamModelCall } from '../agents/model-call.js';
import { Annotation, END, START, StateGraph } from '../graph/index.js';
import { agentRole, modelOptions } from './shared.js';
import type { DemoDefinition } from './types.js';

export const StatelessCallState = Annotation.Root({
  question: Annotation<string>({ default: () => '' }),
  answer: Annotation<string>({ default: () => '' }),
});

export const statelessCall: DemoDefinition = {
  id: 'stateless-call',
  title: 'Stateless call',
  summary: 'One prompt, one answer, nothing remembered: a language model on its own.',
  chapter: 1,
  bookExamples: ['1.1'],
  guide:
    'Ask something, then ask "What did I just ask you?". Each run starts from an empty state: the model only ever sees the one question, which is the limit the next demos remove.',
  roles: [agentRole('Answers the question.')],
  defaultMessage: 'Who are you?',
  suggestions: ['Which is larger, 17 or 71?', 'What did I just ask you?'],
  conversational: false,
  build(context) {
    const model = context.models.agent;
    return new StateGraph(StatelessCallState)
      .addNode('llm', async (state, runtime) => {
        const result = await streamModelCall(
          model,
          [{ role: 'user', content: state.question }],
          { ...modelOptions(context), thinking: { enabled: false } },
          runtime,
        );
        return { answer: result.message.content };
      })
      .addEdge(START, 'llm')
      .addEdge('llm', END)
      .compile({ checkpointer: context.checkpointer, name: 'stateless-call' });
  },
  turn: (message) => ({ input: { question: message, answer: '' } }),
  answer: (values) => (typeof values.answer === 'string' ? values.answer : undefined),
};
