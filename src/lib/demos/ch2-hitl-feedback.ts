/**
 * Human in the loop, pattern 1: a feedback loop for writing. The model drafts; the run
 * pauses with the draft and a form (approve, or ask for a revision with feedback); a
 * revision goes back to the writer with every piece of feedback so far, until approved.
 */
import { streamModelCall } from '../agents/model-call.js';
import { Annotation, END, START, StateGraph } from '../graph/index.js';
import { APPROVE_OR_REVISE, checkedAnswer } from './hitl-schemas.js';
import { agentRole, modelOptions } from './shared.js';
import type { DemoDefinition, InterruptRequest } from './types.js';

export const FeedbackLoopState = Annotation.Root({
  task: Annotation<string>({ default: () => '' }),
  draft: Annotation<string>({ default: () => '' }),
  feedback: Annotation<string[], string[]>({
    reducer: (all, more) => all.concat(more),
    default: () => [],
  }),
  revisions: Annotation<number>({ default: () => 0 }),
  approved: Annotation<boolean>({ default: () => false }),
});

type Decision = { decision: 'approve' } | { decision: 'revise'; feedback: string };

export const hitlFeedbackLoop: DemoDefinition = {
  id: 'hitl-feedback-loop',
  title: 'Human feedback loop for writing',
  summary: 'The model drafts, you approve or ask for changes, it revises with your feedback.',
  chapter: 2,
  bookExamples: ['2.2'],
  guide:
    'Run: the writer drafts and the run pauses in review. In Interrupts, approve, or choose "Ask for a revision" and say what should change, then Resume. The feedback list in State grows with each round; the graph shows the write ⇄ review loop.',
  roles: [agentRole('Writes and revises the text.')],
  defaultMessage: 'Write two sentences about checkpoints.',
  conversational: false,
  build(context) {
    const model = context.models.agent;
    return new StateGraph(FeedbackLoopState)
      .addNode('write', async (state, runtime) => {
        const notes = state.feedback.length
          ? `\n\nYour previous draft:\n${state.draft}\n\nRevise it. Feedback:\n${state.feedback.map((f) => `- ${f}`).join('\n')}`
          : '';
        const result = await streamModelCall(
          model,
          [{ role: 'user', content: `${state.task}${notes}` }],
          { ...modelOptions(context, 200), thinking: { enabled: false } },
          runtime,
        );
        return {
          draft: result.message.content.trim(),
          revisions: state.revisions + (notes ? 1 : 0),
        };
      })
      .addNode('review', (state, runtime) => {
        const request: InterruptRequest = {
          question: 'Approve this draft, or ask for a revision?',
          schema: APPROVE_OR_REVISE as unknown as Record<string, unknown>,
          context: { draft: state.draft, revisions: state.revisions },
        };
        const answer = checkedAnswer<Decision>(request, runtime.interrupt(request));
        return answer.decision === 'approve'
          ? { approved: true }
          : { approved: false, feedback: [answer.feedback] };
      })
      .addEdge(START, 'write')
      .addEdge('write', 'review')
      .addConditionalEdges('review', (state) => (state.approved ? 'approved' : 'revise'), {
        approved: END,
        revise: 'write',
      })
      .compile({ checkpointer: context.checkpointer, name: 'hitl-feedback-loop' });
  },
  turn: (message) => ({ input: { task: message }, recursionLimit: 40 }),
  answer: (values) => (values.approved ? String(values.draft ?? '') : undefined),
};
