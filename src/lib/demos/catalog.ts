/**
 * Every graph demo the demo page can open, in book order. Some demos need the bundled
 * corpus (search tools); the page loads it once and passes it in, so this module never
 * fetches anything itself.
 */
import type { Passage } from '../tools/index.js';
import { hierarchicalMachine, fsmToolUse } from './ch1-state-machines.js';
import { statefulAgent } from './ch1-stateful-agent.js';
import { statelessCall } from './ch1-stateless-call.js';
import { statelessToolLoop } from './ch1-tool-loop.js';
import { hitlApprovalGate } from './ch2-hitl-approval.js';
import { hitlBreakpoints } from './ch2-hitl-breakpoints.js';
import { hitlEditState } from './ch2-hitl-edit-state.js';
import { hitlFeedbackLoop } from './ch2-hitl-feedback.js';
import { hitlParallelInterrupts } from './ch2-hitl-parallel.js';
import { hitlToolReview } from './ch2-hitl-tool-review.js';
import { reactDemo } from './ch2-react.js';
import { cotAnalyst } from './ch3-cot-analyst.js';
import { singleVsReact } from './ch3-single-vs-react.js';
import { swarmDemo } from './ch3-swarm.js';
import { teamOfExperts } from './ch3-team.js';
import { totBlogPlanner } from './ch3-tot-planner.js';
import { hierarchicalTeamsDemo } from './ch3-hierarchical-teams.js';
import { supervisorDemo } from './ch3-supervisor.js';
import { solverJudge24 } from './solver-judge-24.js';
import type { DemoDefinition } from './types.js';

export interface DemoResources {
  passages: readonly Passage[];
}

export interface GraphDemoEntry {
  id: string;
  /** Source file under src/lib/demos, shown in the page's Code view. */
  module: string;
  needsCorpus: boolean;
  create(resources: DemoResources): DemoDefinition;
}

const fixed = (definition: DemoDefinition, module: string): GraphDemoEntry => ({
  id: definition.id,
  module,
  needsCorpus: false,
  create: () => definition,
});

export const GRAPH_DEMOS: readonly GraphDemoEntry[] = [
  fixed(statelessCall, 'ch1-stateless-call.ts'),
  fixed(statelessToolLoop, 'ch1-tool-loop.ts'),
  fixed(statefulAgent, 'ch1-stateful-agent.ts'),
  fixed(fsmToolUse, 'ch1-state-machines.ts'),
  {
    id: 'hierarchical-state-machine',
    module: 'ch1-state-machines.ts',
    needsCorpus: true,
    create: (r) => hierarchicalMachine(r.passages),
  },
  { id: 'react', module: 'ch2-react.ts', needsCorpus: true, create: (r) => reactDemo(r.passages) },
  fixed(hitlFeedbackLoop, 'ch2-hitl-feedback.ts'),
  fixed(hitlApprovalGate, 'ch2-hitl-approval.ts'),
  fixed(hitlEditState, 'ch2-hitl-edit-state.ts'),
  fixed(hitlParallelInterrupts, 'ch2-hitl-parallel.ts'),
  fixed(hitlToolReview, 'ch2-hitl-tool-review.ts'),
  fixed(hitlBreakpoints, 'ch2-hitl-breakpoints.ts'),
  fixed(singleVsReact, 'ch3-single-vs-react.ts'),
  fixed(cotAnalyst, 'ch3-cot-analyst.ts'),
  {
    id: 'tot-blog-planner',
    module: 'ch3-tot-planner.ts',
    needsCorpus: true,
    create: (r) => totBlogPlanner(r.passages),
  },
  {
    id: 'swarm-handoffs',
    module: 'ch3-swarm.ts',
    needsCorpus: true,
    create: (r) => swarmDemo(r.passages),
  },
  {
    id: 'team-of-experts',
    module: 'ch3-team.ts',
    needsCorpus: true,
    create: (r) => teamOfExperts(r.passages),
  },
  {
    id: 'supervisor-team',
    module: 'ch3-supervisor.ts',
    needsCorpus: true,
    create: (r) => supervisorDemo(r.passages),
  },
  {
    id: 'hierarchical-teams',
    module: 'ch3-hierarchical-teams.ts',
    needsCorpus: true,
    create: (r) => hierarchicalTeamsDemo(r.passages),
  },
  fixed(solverJudge24(), 'solver-judge-24.ts'),
];

export function graphDemo(id: string): GraphDemoEntry | undefined {
  return GRAPH_DEMOS.find((entry) => entry.id === id);
}

/** Metadata without building anything (the landing page's cards). */
export function demoCards(): DemoDefinition[] {
  return GRAPH_DEMOS.map((entry) => entry.create({ passages: [] }));
}
