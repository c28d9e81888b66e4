/**
 * Chapter 1: agents as state machines.
 *
 * `fsmToolUse`: a finite state machine for tool use. Its states are the graph's nodes
 * (DECIDE, ACT, FINISH); the model's output is the event (tool_call or answer); a guard
 * (steps left) decides whether tool_call may move to ACT; ACT's action runs the tool;
 * FINISH terminates. Every transition is logged in state as (from, event, guard, to).
 *
 * `hierarchicalMachine`: a WORKING superstate (a subgraph) with PLAN, ACT and REFLECT
 * substates, advanced one transition per message. A history marker remembers the last
 * active substate so re-entering WORKING resumes there rather than at PLAN; a global guard
 * moves to STOPPED from any substate when the user says "stop"; ACT is a parallel region
 * (calculate and search fan out, join waits for both).
 */
import { assistantTurn, streamModelCall } from '../agents/model-call.js';
import { runToolCalls } from '../agents/tool-node.js';
import {
  Annotation,
  END,
  START,
  StateGraph,
  messagesReducer,
  type Message,
  type Runtime,
} from '../graph/index.js';
import { Bm25Index, calculate, searchResponse, type Passage } from '../tools/index.js';
import {
  agentRole,
  lastAssistantText,
  modelOptions,
  temperatureTools,
  userMessage,
} from './shared.js';
import type { DemoDefinition } from './types.js';

export interface Transition {
  from: string;
  event: string;
  guard?: string;
  to: string;
}

const appendList = <T>() =>
  Annotation<T[], T[]>({ reducer: (all, more) => all.concat(more), default: () => [] });

// ---------------------------------------------------------------------------------------
// FSM for tool use

export const FSM_MAX_TOOL_STEPS = 3;

export const FsmState = Annotation.Root({
  messages: Annotation<Message[]>({ reducer: messagesReducer, default: () => [] }),
  fsm_state: Annotation<string>({ default: () => 'IDLE' }),
  tool_steps: Annotation<number>({ default: () => 0 }),
  transitions: appendList<Transition>(),
});

export const fsmToolUse: DemoDefinition = {
  id: 'fsm-tool-use',
  title: 'Finite state machine for tool use',
  summary:
    'States, events, guards, actions and termination, drawn on the graph and logged in state.',
  chapter: 1,
  bookExamples: ['1.6'],
  guide:
    'DECIDE asks the model; its output is the event: tool_call or answer. The guard "steps left" lets tool_call move to ACT, whose action runs the tool and returns to DECIDE; when the guard fails, or on answer, the machine moves to FINISH and terminates. State → transitions lists every (from, event, guard, to).',
  roles: [agentRole('Produces the events (tool calls or an answer).')],
  defaultMessage: 'What is the current temperature in Madrid, and what is its square?',
  conversational: false,
  build(context) {
    const model = context.models.agent;
    const tools = temperatureTools(context.endpoints);
    const specs = tools.map((t) => t.spec);
    return new StateGraph(FsmState)
      .addNode('decide', async (state, runtime) => {
        const { message } = await assistantTurn(
          model,
          state.messages,
          { ...modelOptions(context), tools: specs },
          runtime,
        );
        const event = message.tool_calls?.length ? 'tool_call' : 'answer';
        const guardOk = state.tool_steps < FSM_MAX_TOOL_STEPS;
        const to = event === 'tool_call' && guardOk ? 'ACT' : 'FINISH';
        return {
          messages: [message],
          fsm_state: to,
          transitions: [
            {
              from: 'DECIDE',
              event,
              ...(event === 'tool_call' ? { guard: guardOk ? 'steps left' : 'no steps left' } : {}),
              to,
            },
          ],
        };
      })
      .addNode('act', async (state, runtime) => ({
        messages: await runToolCalls(tools, state.messages, runtime.signal),
        tool_steps: state.tool_steps + 1,
        fsm_state: 'DECIDE',
        transitions: [{ from: 'ACT', event: 'observation', to: 'DECIDE' }],
      }))
      .addNode('finish', (state) => {
        const last = state.messages.at(-1);
        // Terminating on a tool_call whose guard failed: say so instead of leaving a dangling call.
        const note =
          last?.tool_calls?.length && !last.content
            ? [
                {
                  role: 'assistant' as const,
                  content: `Stopped after ${FSM_MAX_TOOL_STEPS} tool steps.`,
                  id: crypto.randomUUID(),
                },
              ]
            : [];
        return {
          messages: note,
          fsm_state: 'DONE',
          transitions: [{ from: 'FINISH', event: 'terminate', to: 'DONE' }],
        };
      })
      .addEdge(START, 'decide')
      .addConditionalEdges(
        'decide',
        (state) =>
          state.fsm_state === 'ACT' ? 'tool_call [steps left]' : 'answer | no steps left',
        {
          'tool_call [steps left]': 'act',
          'answer | no steps left': 'finish',
        },
      )
      .addEdge('act', 'decide')
      .addEdge('finish', END)
      .compile({ checkpointer: context.checkpointer, name: 'fsm-tool-use' });
  },
  turn: (message) => ({
    input: { ...userMessage(message), fsm_state: 'DECIDE' },
    recursionLimit: 20,
  }),
  answer: lastAssistantText,
};

// ---------------------------------------------------------------------------------------
// Hierarchical state machine

export type Substate = 'PLAN' | 'ACT' | 'REFLECT';

const hsmKeys = {
  goal: Annotation<string>({ default: () => '' }),
  /** The latest user message: the event this turn delivers. */
  event: Annotation<string>({ default: () => '' }),
  /** Top-level state: IDLE, WORKING, STOPPED or DONE. */
  machine: Annotation<string>({ default: () => 'IDLE' }),
  /** History marker: the last active substate of WORKING. */
  history: Annotation<Substate | null>({ default: () => null }),
  plan: Annotation<string>({ default: () => '' }),
  summary: Annotation<string>({ default: () => '' }),
};

/**
 * The machine's state. The lists are last-value channels here: the WORKING subgraph hands
 * back its whole final list, and an appending reducer would add the old entries a second
 * time. Top-level nodes write the list with their entry appended.
 */
export const HsmState = Annotation.Root({
  ...hsmKeys,
  results: Annotation<string[]>({ default: () => [] }),
  transitions: Annotation<Transition[]>({ default: () => [] }),
});

/** WORKING's state: the same keys; inside it the lists append (ACT's parallel nodes both add). */
export const WorkingState = Annotation.Root({
  ...hsmKeys,
  results: appendList<string>(),
  transitions: appendList<Transition>(),
});

const STOP_WORDS = /\b(stop|halt|abort)\b/i;

/** The first arithmetic expression in a text (digits, operators, parentheses), or undefined. */
export function arithmeticIn(text: string): string | undefined {
  const match = text.match(/[\d(][\d\s+\-*/().]*[\d)]/);
  const candidate = match?.[0].trim();
  return candidate && /[+\-*/]/.test(candidate) ? candidate : undefined;
}

export function hierarchicalMachine(passages: readonly Passage[]): DemoDefinition {
  return {
    id: 'hierarchical-state-machine',
    title: 'Hierarchical state machine',
    summary:
      'A WORKING superstate with PLAN, ACT and REFLECT, a history marker, a global stop guard and a parallel region.',
    chapter: 1,
    bookExamples: ['1.7'],
    guide:
      'Send a goal, then "continue" to advance WORKING one substate per message: PLAN (the model writes a plan), ACT (a parallel region: calculate and search run side by side, join waits for both), REFLECT (the model summarizes). The history marker stores the last substate, so each re-entry continues there. Say "stop" at any time: the global guard leaves WORKING for STOPPED from whichever substate is active.',
    roles: [agentRole('Plans and reflects.')],
    defaultMessage: 'Goal: explain RoPE and compute 12 * 12.',
    suggestions: ['continue', 'stop'],
    conversational: true,
    build(context) {
      const model = context.models.agent;
      const index = new Bm25Index(passages);
      const say = async (prompt: string, runtime: Runtime) =>
        (
          await streamModelCall(
            model,
            [{ role: 'user', content: prompt }],
            { ...modelOptions(context, 120), thinking: { enabled: false } },
            runtime,
          )
        ).message.content.trim();

      // WORKING: each entry runs one substate (ACT: its whole parallel region), then exits.
      const working = new StateGraph(WorkingState)
        .addNode('enter', (state) => ({
          transitions: [
            {
              from: 'WORKING',
              event: 'enter',
              guard: `history = ${state.history ?? 'none'}`,
              to: nextSubstate(state.history),
            },
          ],
        }))
        // not 'plan': a node may not share its name with a state key
        .addNode('write_plan', async (state, runtime) => ({
          plan: await say(`Write a short plan for this goal: ${state.goal}`, runtime),
          history: 'PLAN' as const,
        }))
        .addNode('act_calculate', (state) => {
          const expression = arithmeticIn(state.goal);
          return {
            results: [
              expression
                ? `calculator(${expression}) = ${calculate(expression)}`
                : 'calculator: no arithmetic in the goal',
            ],
          };
        })
        .addNode('act_search', (state) => {
          // the calculator's part of the goal would only pull in passages about numbers
          const expression = arithmeticIn(state.goal);
          const query = expression ? state.goal.replace(expression, ' ') : state.goal;
          const hits = JSON.parse(searchResponse(index, query, 1)) as Passage[];
          return {
            results: [
              hits[0] ? `search: ${hits[0].title}: ${hits[0].text}` : 'search: nothing found',
            ],
          };
        })
        .addNode('act_join', () => ({ history: 'ACT' as const }))
        .addNode('reflect', async (state, runtime) => ({
          summary: await say(
            `Goal: ${state.goal}\nResults:\n${state.results.join('\n')}\nSummarize the answer in one sentence.`,
            runtime,
          ),
          history: 'REFLECT' as const,
        }))
        .addEdge(START, 'enter')
        .addConditionalEdges(
          'enter',
          (state) => {
            const next = nextSubstate(state.history);
            return next === 'ACT' ? ['ACT: calculate', 'ACT: search'] : next;
          },
          {
            PLAN: 'write_plan',
            'ACT: calculate': 'act_calculate',
            'ACT: search': 'act_search',
            REFLECT: 'reflect',
          },
        )
        .addEdge(['act_calculate', 'act_search'], 'act_join')
        .addEdge('write_plan', END)
        .addEdge('act_join', END)
        .addEdge('reflect', END)
        .compile({ name: 'WORKING' });

      return new StateGraph(HsmState)
        .addNode('guard', (state) => {
          const stop = STOP_WORDS.test(state.event);
          const from =
            state.machine === 'IDLE'
              ? 'IDLE'
              : state.history
                ? `WORKING.${state.history}`
                : 'WORKING';
          const to = stop ? 'STOPPED' : 'WORKING';
          return {
            machine: to,
            transitions: [
              ...state.transitions,
              {
                from,
                event: JSON.stringify(state.event),
                guard: stop ? 'says stop' : 'not stop',
                to,
              },
            ],
          };
        })
        .addNode('working', working)
        .addNode('stopped', () => ({ machine: 'STOPPED' }))
        .addNode('finish', (state) => ({
          machine: 'DONE',
          transitions: [
            ...state.transitions,
            { from: 'WORKING.REFLECT', event: 'reflected', to: 'DONE' },
          ],
        }))
        .addEdge(START, 'guard')
        .addConditionalEdges('guard', (state) => (state.machine === 'STOPPED' ? 'stop' : 'work'), {
          stop: 'stopped',
          work: 'working',
        })
        .addConditionalEdges(
          'working',
          (state) => (state.history === 'REFLECT' ? 'done' : 'wait for next message'),
          {
            done: 'finish',
            'wait for next message': END,
          },
        )
        .addEdge('stopped', END)
        .addEdge('finish', END)
        .compile({ checkpointer: context.checkpointer, name: 'hierarchical-state-machine' });
    },
    turn: (message, current) => ({
      input: current ? { event: message } : { goal: message, event: message },
      recursionLimit: 30,
    }),
    answer: (values) =>
      typeof values.summary === 'string' && values.summary ? values.summary : undefined,
  };
}

/** The substate WORKING enters: the one after the history marker (PLAN when there is none). */
export function nextSubstate(history: Substate | null): Substate {
  return history === 'PLAN' ? 'ACT' : history === 'ACT' ? 'REFLECT' : 'PLAN';
}
