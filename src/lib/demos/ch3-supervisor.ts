/**
 * Chapter 3: a supervisor and its research team. An LLM router answers under a JSON
 * schema, `{"next": "researcher" | "math_expert" | "FINISH"}`; the workers are ReAct
 * agents with their own role prompts and tools (search and scrape for the researcher, the
 * calculator for the math expert). Each agent is its own model role, so any of them can
 * run on a bigger model. The trace shows each decision as the supervisor's update,
 * `{supervisor: {next: "researcher"}}`, and the Team panel lists them all.
 *
 * Worker names and descriptions are the ones the micro model saw in its supervisor
 * training data (recipes/micro_agent/data.py, `WORKERS`), so it routes sensibly offline.
 */
import { createSupervisor, FINISH, supervisorRecursionLimit } from '../agents/supervisor.js';
import type { Message } from '../graph/index.js';
import { createCalculatorTool, type Passage } from '../tools/index.js';
import { modelOptions, userMessage } from './shared.js';
import { reactWorker, researchSearchTool, scrapeTool, teamRole } from './team-parts.js';
import type { DemoDefinition } from './types.js';

/** Worker visits the supervisor may grant per question. */
export const SUPERVISOR_MAX_ROUNDS = 3;

/** The last worker report of the run: the team's answer. */
export function lastReport(values: Record<string, unknown>): string | undefined {
  const messages = Array.isArray(values.messages) ? (values.messages as Message[]) : [];
  return messages.findLast((m) => m.role === 'assistant' && m.report === true)?.content;
}

export function supervisorDemo(passages: readonly Passage[]): DemoDefinition {
  return {
    id: 'supervisor-team',
    title: 'Supervisor and a research team',
    summary:
      'An LLM router with structured output picks the next worker or FINISH; the workers are ReAct agents with their own tools and prompts.',
    chapter: 3,
    bookExamples: [],
    guide:
      'The supervisor reads the task and the workers\' reports and answers {"next": "<worker>"} under a JSON schema (grammar-constrained, so always valid). The researcher searches (Wikipedia online, the bundled corpus reranked by the micro encoder offline) and can scrape a page; the math expert calculates. Watch the decisions in the Trace and the Team panel; give any role a bigger model under Models. The supervisor may send work out at most ' +
      `${SUPERVISOR_MAX_ROUNDS} times per question, so a router that never says ${FINISH} still ends.`,
    roles: [
      teamRole('supervisor', 'Routes the work: the next worker, or FINISH.'),
      teamRole('researcher', 'Searches and reads pages.'),
      teamRole('math_expert', 'Calculates.'),
    ],
    defaultMessage: 'Find out who invented the telephone.',
    suggestions: ['Compute 12 times 7.', 'What is ReAct?'],
    view: 'team',
    conversational: false,
    build(context) {
      const researcher = reactWorker(
        {
          name: 'researcher',
          description: 'finds facts and information on the web',
          rolePrompt:
            'You are a researcher. Use search to find facts (and scrape to read a page), then answer briefly.',
          tools: [researchSearchTool(passages, context), scrapeTool(context)],
          maxSteps: 3,
        },
        context,
      );
      const mathExpert = reactWorker(
        {
          name: 'math_expert',
          description: 'solves arithmetic and math problems',
          rolePrompt: 'You are a math expert. Use the calculator, then give the result.',
          tools: [createCalculatorTool()],
          maxSteps: 3,
        },
        context,
      );
      return createSupervisor({
        model: context.models.supervisor,
        workers: [researcher, mathExpert],
        maxRounds: SUPERVISOR_MAX_ROUNDS,
        modelOptions: modelOptions(context, 40),
        checkpointer: context.checkpointer,
        name: 'supervisor-team',
      });
    },
    turn: (message) => ({
      input: userMessage(message),
      recursionLimit: supervisorRecursionLimit(SUPERVISOR_MAX_ROUNDS),
    }),
    answer: lastReport,
  };
}
