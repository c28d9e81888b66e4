/**
 * Chapter 3: hierarchical teams. A top supervisor routes between two teams, each itself
 * a supervisor graph used as a subgraph: a research team (searcher, web scraper) and a
 * writing team (note taker, writer). The writing team saves its work with the document
 * tools into the browser's file system (OPFS); the Team panel links each saved document
 * to the documents page, where it opens and downloads.
 *
 * Every agent is its own model role. With the bundled micro model the routers' JSON is
 * always valid (constrained decoding) and the writer must save exactly once (its one step
 * is a required `write_document` call), but the words are simple. Each supervisor grants
 * a bounded number of worker visits per question, so poor routing still ends.
 */
import {
  createSupervisor,
  FINISH,
  supervisorRecursionLimit,
  type SavedDocument,
} from '../agents/supervisor.js';
import { createDocumentTools, type DocumentInfo, type Passage } from '../tools/index.js';
import { lastReport } from './ch3-supervisor.js';
import { modelOptions, userMessage } from './shared.js';
import { reactWorker, researchSearchTool, scrapeTool, teamRole } from './team-parts.js';
import type { DemoBuildContext, DemoDefinition } from './types.js';

export const TOP_MAX_ROUNDS = 3;
export const TEAM_MAX_ROUNDS = 2;

function researchTeam(passages: readonly Passage[], context: DemoBuildContext) {
  return createSupervisor({
    model: context.models.research_supervisor,
    supervisorName: 'research_supervisor',
    workers: [
      reactWorker(
        {
          name: 'searcher',
          description: 'finds facts and information on the web',
          rolePrompt: 'You are a searcher. Use tools when they help.',
          tools: [researchSearchTool(passages, context)],
          maxSteps: 2,
        },
        context,
      ),
      reactWorker(
        {
          name: 'web_scraper',
          description: 'reads web pages and extracts their text',
          rolePrompt: 'You read web pages. Use scrape on a URL, then report what it says.',
          tools: [scrapeTool(context)],
          maxSteps: 2,
        },
        context,
      ),
    ],
    maxRounds: TEAM_MAX_ROUNDS,
    roundsPer: 'visit',
    modelOptions: modelOptions(context, 40),
    name: 'research_team',
  });
}

function writingTeam(context: DemoBuildContext) {
  // What the document tools saved since a worker last reported; the worker that
  // finishes writes it into state (`documents`), so the page can link it.
  const saved: DocumentInfo[] = [];
  // Bounded so the micro model's constrained calls end within their token budgets
  // (under 2 characters per token): 600 characters of report, 5 short outline points.
  const tools = createDocumentTools({
    onWrite: (info) => saved.push(info),
    limits: { contentChars: 600, outlinePoints: 5, pointChars: 80 },
  });
  const byName = (name: string) => tools.filter((tool) => tool.spec.function.name === name);
  const drainSaved = () => ({
    documents: saved.splice(0).map((info): SavedDocument => ({
      path: info.path,
      size: info.size,
      lastModified: info.lastModified,
    })),
  });
  return createSupervisor({
    model: context.models.writing_supervisor,
    supervisorName: 'writing_supervisor',
    workers: [
      reactWorker(
        {
          name: 'note_taker',
          description: 'writes an outline of notes for a document',
          rolePrompt:
            'You are a note taker. Save an outline of the main points with create_outline, then say which file you saved.',
          tools: [...byName('create_outline'), ...byName('read_document')],
          maxSteps: 1,
          toolChoice: { name: 'create_outline' },
          maxTokens: 400,
          worker: { readsReports: true, extraUpdate: drainSaved },
        },
        context,
      ),
      reactWorker(
        {
          name: 'copywriter',
          description: 'writes and edits text such as emails and poems',
          rolePrompt:
            'You are a writer. Write a short report from the notes and save it with write_document, then say which file you saved.',
          tools: [
            ...byName('write_document'),
            ...byName('read_document'),
            ...byName('edit_document'),
          ],
          // One step, and it must save: a small model would otherwise just talk.
          maxSteps: 1,
          toolChoice: { name: 'write_document' },
          maxTokens: 800,
          worker: { readsReports: true, extraUpdate: drainSaved },
        },
        context,
      ),
    ],
    maxRounds: TEAM_MAX_ROUNDS,
    roundsPer: 'visit',
    modelOptions: modelOptions(context, 40),
    name: 'writing_team',
  });
}

export function hierarchicalTeamsDemo(passages: readonly Passage[]): DemoDefinition {
  return {
    id: 'hierarchical-teams',
    title: 'Hierarchical teams: research and writing',
    summary:
      'A top supervisor over a research team and a writing team (note taker, writer); the report is saved as a document you can open.',
    chapter: 3,
    bookExamples: [],
    guide:
      'The top supervisor picks a team or FINISH; each team is a subgraph with its own supervisor and ReAct workers (expand them in the Graph). The research team searches (Wikipedia online, the corpus offline) and scrapes; the writing team outlines and writes, saving files in this browser (OPFS). The Team panel lists every routing decision, inner ones included, and links the saved documents; all documents are on the Documents page. Each supervisor sends work out at most ' +
      `${TOP_MAX_ROUNDS} (top) or ${TEAM_MAX_ROUNDS} (teams) times per question before its next decision ends the run, whatever it says; ${FINISH} ends it sooner.`,
    roles: [
      teamRole('supervisor', 'Top supervisor: research team, writing team or FINISH.'),
      teamRole('research_supervisor', 'Routes within the research team.'),
      teamRole('searcher', 'Searches.'),
      teamRole('web_scraper', 'Reads web pages.'),
      teamRole('writing_supervisor', 'Routes within the writing team.'),
      teamRole('note_taker', 'Outlines the notes into a document.'),
      teamRole('copywriter', 'Writes the report and saves it.'),
    ],
    defaultMessage: 'Find facts about the moons of Jupiter, then write a report about them.',
    suggestions: [
      'Find facts about ReAct, then write a report about it.',
      'Research the history of Paris, then write a report.',
    ],
    view: 'team',
    conversational: false,
    build(context) {
      return createSupervisor({
        model: context.models.supervisor,
        workers: [
          // The teams go by worker names the micro model learned to route between
          // (recipes/micro_agent/data.py, WORKERS): it never picks names it has not seen.
          {
            name: 'researcher',
            description: 'finds facts and information on the web',
            node: researchTeam(passages, context),
          },
          {
            name: 'writer',
            description: 'writes and edits text such as emails and poems',
            node: writingTeam(context),
          },
        ],
        maxRounds: TOP_MAX_ROUNDS,
        modelOptions: modelOptions(context, 40),
        checkpointer: context.checkpointer,
        name: 'hierarchical-teams',
      });
    },
    turn: (message) => ({
      input: userMessage(message),
      recursionLimit: supervisorRecursionLimit(TOP_MAX_ROUNDS),
    }),
    answer: lastReport,
  };
}
