/**
 * Human in the loop, pattern 4: parallel interrupts resumed with one map. The model drafts
 * an announcement; three reviewers (facts, tone, legal) run in parallel and each pauses
 * with its own question. The page shows one form per pending interrupt and resumes them
 * together with `Command({resume: {[interruptId]: answer}})`; the join waits for all three.
 */
import { streamModelCall } from '../agents/model-call.js';
import { Annotation, END, START, StateGraph } from '../graph/index.js';
import { APPROVE_OR_REVISE, checkedAnswer } from './hitl-schemas.js';
import { agentRole, modelOptions } from './shared.js';
import type { DemoDefinition, InterruptRequest } from './types.js';

export const REVIEWERS = ['facts', 'tone', 'legal'] as const;

export interface ReviewVerdict {
  reviewer: string;
  approved: boolean;
  feedback?: string;
}

export const ParallelReviewState = Annotation.Root({
  topic: Annotation<string>({ default: () => '' }),
  draft: Annotation<string>({ default: () => '' }),
  verdicts: Annotation<ReviewVerdict[], ReviewVerdict[]>({
    reducer: (all, more) => all.concat(more),
    default: () => [],
  }),
  outcome: Annotation<string>({ default: () => '' }),
});

type Decision = { decision: 'approve' } | { decision: 'revise'; feedback: string };

export const hitlParallelInterrupts: DemoDefinition = {
  id: 'hitl-parallel-interrupts',
  title: 'Parallel interrupts, one resume',
  summary: 'Three reviewers pause at once; you answer all three forms and resume them together.',
  chapter: 2,
  bookExamples: ['2.5'],
  guide:
    'After the draft, the facts, tone and legal reviewers run in the same superstep and each raises an interrupt. Interrupts shows three forms; Resume sends one map of answers keyed by interrupt id, and join runs once all three have answered.',
  roles: [agentRole('Drafts the announcement.')],
  defaultMessage: 'Announce that the playground now works offline.',
  conversational: false,
  build(context) {
    const model = context.models.agent;
    let graph = new StateGraph(ParallelReviewState).addNode(
      'write_draft',
      async (state, runtime) => {
        const result = await streamModelCall(
          model,
          [{ role: 'user', content: `Write a short announcement: ${state.topic}` }],
          { ...modelOptions(context, 120), thinking: { enabled: false } },
          runtime,
        );
        return { draft: result.message.content.trim() };
      },
    );
    for (const reviewer of REVIEWERS) {
      graph = graph.addNode(`review_${reviewer}`, (state, runtime) => {
        const request: InterruptRequest = {
          question: `${reviewer[0].toUpperCase()}${reviewer.slice(1)} review: approve the draft or ask for a change?`,
          schema: APPROVE_OR_REVISE as unknown as Record<string, unknown>,
          context: { reviewer, draft: state.draft },
        };
        const answer = checkedAnswer<Decision>(request, runtime.interrupt(request));
        const verdict: ReviewVerdict =
          answer.decision === 'approve'
            ? { reviewer, approved: true }
            : { reviewer, approved: false, feedback: answer.feedback };
        return { verdicts: [verdict] };
      });
    }
    graph = graph
      .addNode('join', (state) => {
        const rejected = state.verdicts.filter((v) => !v.approved);
        return {
          outcome: rejected.length
            ? `Changes requested by ${rejected.map((v) => `${v.reviewer} (${v.feedback})`).join(', ')}.`
            : 'Approved by all three reviewers.',
        };
      })
      .addEdge(START, 'write_draft')
      .addEdge('join', END);
    for (const reviewer of REVIEWERS) graph = graph.addEdge('write_draft', `review_${reviewer}`);
    return graph
      .addEdge(
        REVIEWERS.map((r) => `review_${r}`),
        'join',
      )
      .compile({ checkpointer: context.checkpointer, name: 'hitl-parallel-interrupts' });
  },
  turn: (message) => ({ input: { topic: message } }),
  answer: (values) =>
    typeof values.outcome === 'string' && values.outcome ? values.outcome : undefined,
};
