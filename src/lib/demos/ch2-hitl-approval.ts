/**
 * Human in the loop, pattern 2: an approval gate before a side effect. The agent prepares
 * an HTTP request; the gate pauses with it; the human approves, revises it (and the gate
 * asks again about the revised request), or rejects. The call itself runs in its own node
 * after the gate: resuming re-runs the gate node from its start, so a side effect inside
 * the gate would happen twice, while `http_call` runs exactly once, and never after a
 * rejection.
 */
import { streamModelCall } from '../agents/model-call.js';
import { Annotation, END, START, StateGraph } from '../graph/index.js';
import { checkedAnswer } from './hitl-schemas.js';
import { agentRole, modelOptions } from './shared.js';
import type { DemoDefinition, InterruptRequest } from './types.js';

export interface HttpRequestDraft {
  url: string;
  body: string;
}

export interface HttpOutcome {
  status: number;
  body: string;
}

export const ApprovalGateState = Annotation.Root({
  message: Annotation<string>({ default: () => '' }),
  request: Annotation<HttpRequestDraft | null>({ default: () => null }),
  decision: Annotation<'pending' | 'approve' | 'revise' | 'reject'>({ default: () => 'pending' }),
  revisions: Annotation<number>({ default: () => 0 }),
  response: Annotation<HttpOutcome | null>({ default: () => null }),
  error: Annotation<string | null>({ default: () => null }),
});

export const DEFAULT_HTTP_URL = 'https://httpbin.org/post';

const GATE_SCHEMA = {
  type: 'object',
  anyOf: [
    {
      type: 'object',
      title: 'Approve and send',
      properties: { decision: { const: 'approve' } },
      required: ['decision'],
    },
    {
      type: 'object',
      title: 'Revise the request',
      properties: {
        decision: { const: 'revise' },
        url: { type: 'string', title: 'URL', minLength: 1 },
        body: { type: 'string', title: 'Body', format: 'textarea' },
      },
      required: ['decision', 'url', 'body'],
    },
    {
      type: 'object',
      title: 'Reject (send nothing)',
      properties: { decision: { const: 'reject' } },
      required: ['decision'],
    },
  ],
};

type GateAnswer =
  | { decision: 'approve' }
  | { decision: 'revise'; url: string; body: string }
  | { decision: 'reject' };

export const hitlApprovalGate: DemoDefinition = {
  id: 'hitl-approval-gate',
  title: 'Approval gate before an HTTP call',
  summary:
    'Nothing leaves the browser until you approve the exact request; revise loops back to the gate.',
  chapter: 2,
  bookExamples: ['2.3'],
  guide:
    'The agent writes a short note and prepares a POST request; the run pauses at approval_gate showing the request. Approve to send it (http_call runs once, in its own node), revise it (the gate asks again about the new request) or reject (nothing is sent). Resume after approval never sends twice: the gate re-runs, the call does not.',
  roles: [agentRole('Writes the note to send.')],
  defaultMessage: 'Tell the team that the nightly build passed.',
  conversational: false,
  build(context) {
    const model = context.models.agent;
    const url = context.endpoints.httpUrl ?? DEFAULT_HTTP_URL;
    return new StateGraph(ApprovalGateState)
      .addNode('prepare', async (state, runtime) => {
        const result = await streamModelCall(
          model,
          [{ role: 'user', content: `Write a one-sentence message for this: ${state.message}` }],
          { ...modelOptions(context, 80), thinking: { enabled: false } },
          runtime,
        );
        const note = result.message.content.trim() || state.message;
        return {
          request: { url, body: JSON.stringify({ text: note }) },
          decision: 'pending' as const,
        };
      })
      .addNode('approval_gate', (state, runtime) => {
        const request: InterruptRequest = {
          question: `Send this POST request to ${state.request?.url}?`,
          schema: GATE_SCHEMA,
          context: state.request,
        };
        const answer = checkedAnswer<GateAnswer>(request, runtime.interrupt(request));
        if (answer.decision === 'revise')
          return {
            decision: 'revise' as const,
            request: { url: answer.url, body: answer.body },
            revisions: state.revisions + 1,
          };
        return { decision: answer.decision };
      })
      .addNode('http_call', async (state, runtime) => {
        const draft = state.request;
        if (!draft) return { error: 'No request to send.' };
        try {
          const response = await fetch(draft.url, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: draft.body,
            signal: runtime.signal,
          });
          const text = await response.text();
          return { response: { status: response.status, body: text.slice(0, 2000) } };
        } catch (error) {
          if (runtime.signal.aborted) throw error;
          return { error: `The request failed: ${(error as Error).message}` };
        }
      })
      .addEdge(START, 'prepare')
      .addEdge('prepare', 'approval_gate')
      .addConditionalEdges('approval_gate', (state) => state.decision, {
        approve: 'http_call',
        revise: 'approval_gate',
        reject: END,
      })
      .addEdge('http_call', END)
      .compile({ checkpointer: context.checkpointer, name: 'hitl-approval-gate' });
  },
  turn: (message) => ({ input: { message }, recursionLimit: 40 }),
  answer(values) {
    if (values.decision === 'reject') return 'Rejected: nothing was sent.';
    const response = values.response as HttpOutcome | null;
    if (response) return `Sent. The server answered HTTP ${response.status}.`;
    return typeof values.error === 'string' ? values.error : undefined;
  },
};
