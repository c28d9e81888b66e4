/**
 * Parts the chapter 3 team demos share: the research tools wired to the page's endpoints
 * (search over Wikipedia or the corpus, scrape directly or through the replay server) and
 * a ReAct worker built from a role.
 */
import { createReactAgent, reactAgentRecursionLimit } from '../agents/react-agent.js';
import { createWorkerNode, type WorkerNodeOptions } from '../agents/supervisor.js';
import {
  createScrapeTool,
  createWebSearchTool,
  type Passage,
  type SearchHit,
  type Tool,
} from '../tools/index.js';
import { MICRO_AGENT } from './shared.js';
import type { DemoBuildContext, ModelRole } from './types.js';

export function webMode(context: DemoBuildContext): 'online' | 'offline' {
  return context.endpoints.webMode ?? context.endpoints.weatherMode;
}

/** `search`: Wikipedia online, the corpus reranked by the encoder offline. */
export function researchSearchTool(
  passages: readonly Passage[],
  context: DemoBuildContext,
  onHits?: (hits: readonly SearchHit[]) => void,
): Tool {
  return createWebSearchTool({
    mode: webMode(context),
    passages,
    rerank: context.rerank,
    searchUrl: context.endpoints.searchUrl,
    onHits,
  });
}

export function scrapeTool(context: DemoBuildContext): Tool {
  return createScrapeTool({
    mode: webMode(context),
    proxyUrl: context.endpoints.scrapeProxyUrl,
  });
}

export function teamRole(name: string, description: string): ModelRole {
  return { name, description, defaultModel: MICRO_AGENT };
}

export interface WorkerSpec {
  /** Node name, model role and the label the supervisor routes to. */
  name: string;
  /** The line the supervisor reads about this worker. */
  description: string;
  /** The worker's own system prompt. */
  rolePrompt: string;
  tools: Tool[];
  maxSteps: number;
  toolChoice?: 'required' | { name: string };
  maxTokens?: number;
  worker?: WorkerNodeOptions;
}

/** A worker node: a ReAct agent on the role's model with its own prompt, tools and budget. */
export function reactWorker(spec: WorkerSpec, context: DemoBuildContext) {
  const agent = createReactAgent({
    model: context.models[spec.name],
    tools: spec.tools,
    maxSteps: spec.maxSteps,
    toolChoice: spec.toolChoice,
    systemPrompt: spec.rolePrompt,
    modelOptions: {
      temperature: 0,
      seed: context.seed,
      maxTokens: spec.maxTokens ?? 160,
      thinking: { enabled: false },
    },
  });
  return {
    name: spec.name,
    description: spec.description,
    node: createWorkerNode(spec.name, agent, {
      recursionLimit: reactAgentRecursionLimit(spec.maxSteps),
      ...spec.worker,
    }),
  };
}
