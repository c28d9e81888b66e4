/**
 * Chapter 3: a swarm. A researcher and a writer share one conversation and pass control
 * with handoff tools (`transfer_to_writer`, `transfer_to_researcher`); the agent in
 * control is kept in state, so a follow-up turn in the same thread starts with it. The
 * writer is told how many sources the researcher found, and may send the work back when
 * they are thin. Bounds (see lib/agents/swarm): 4 handoffs per turn, 3 model calls per
 * agent each time it has control; the researcher's last call hands off to the writer.
 */
import { createSwarm, swarmRecursionLimit, type SwarmValues } from '../agents/swarm.js';
import { createCorpusSearchTool, type Passage } from '../tools/index.js';
import { MICRO_AGENT, lastAssistantText, modelOptions } from './shared.js';
import type { DemoDefinition } from './types.js';

export const MAX_HANDOFFS = 4;
export const MAX_STEPS = 3;
/** Fewer distinct passages than this and the writer is told its sources are thin. */
export const ENOUGH_SOURCES = 2;

/** Distinct corpus passages in the search results of the conversation. */
export function sourcesFound(messages: SwarmValues['messages']): string[] {
  const ids = new Set<string>();
  for (const m of messages) {
    if (m.role !== 'tool' || m.name !== 'search') continue;
    try {
      const hits = JSON.parse(m.content) as Array<{ id?: unknown }>;
      if (Array.isArray(hits))
        for (const hit of hits) if (typeof hit?.id === 'string') ids.add(hit.id);
    } catch {
      // an error observation, not results
    }
  }
  return [...ids];
}

export function swarmDemo(passages: readonly Passage[]): DemoDefinition {
  return {
    id: 'swarm-handoffs',
    title: 'Swarm: agents hand off to each other',
    summary:
      'A researcher and a writer pass control with transfer_to_<agent> tools; the active agent is kept in state, so a follow-up turn continues with it.',
    chapter: 3,
    bookExamples: [],
    guide:
      'The researcher must act on every call: search the corpus or call transfer_to_writer (its third call always hands off). The writer sees how many sources were found; with fewer than two it is told they are thin and may call transfer_to_researcher, otherwise it answers. The Swarm panel shows who has control and every handoff; after a turn, send a follow-up in the same thread (e.g. "Make it shorter"): it starts with the agent that had control. At most 4 handoffs per turn, then agents must answer.',
    roles: [
      {
        name: 'researcher',
        description: 'Searches the corpus; hands off to the writer.',
        defaultModel: MICRO_AGENT,
      },
      {
        name: 'writer',
        description: 'Writes the answer; can send the work back to the researcher.',
        defaultModel: MICRO_AGENT,
      },
    ],
    agents: {
      researcher: 'researcher',
      researcher_tools: 'researcher',
      writer: 'writer',
      writer_tools: 'writer',
    },
    defaultMessage: 'Explain the KV cache.',
    suggestions: ['Make it shorter.', 'What is BM25?'],
    view: 'swarm',
    conversational: true,
    build(context) {
      const search = createCorpusSearchTool({ passages });
      return createSwarm({
        defaultAgent: 'researcher',
        maxHandoffs: MAX_HANDOFFS,
        maxSteps: MAX_STEPS,
        modelOptions: { ...modelOptions(context), thinking: { enabled: false } },
        checkpointer: context.checkpointer,
        agents: [
          {
            name: 'researcher',
            model: context.models.researcher,
            tools: [search],
            toolChoice: 'required',
            whenOutOfSteps: 'writer',
            handoffs: [
              {
                to: 'writer',
                description: 'Give the sources to the writer, who answers the user.',
              },
            ],
            systemPrompt: () =>
              'You are the researcher of a team. Search the knowledge corpus for facts on the request. When you have found sources, call transfer_to_writer.',
          },
          {
            name: 'writer',
            model: context.models.writer,
            tools: [],
            toolChoice: 'auto',
            handoffs: [
              {
                to: 'researcher',
                description: 'Send the work back to the researcher for more sources.',
              },
            ],
            systemPrompt: (state) => {
              const found = sourcesFound(state.messages).length;
              const verdict =
                found < ENOUGH_SOURCES
                  ? 'The sources are thin: call transfer_to_researcher to get more.'
                  : 'Answer the user now from the sources above.';
              return `You are the writer of a team. Write a short, clear answer from the sources in the conversation. Sources found: ${found}. ${verdict}`;
            },
          },
        ],
      });
    },
    turn: (message, current) => ({
      input: {
        messages: [{ role: 'user', content: message }],
        turn: (typeof current?.turn === 'number' ? current.turn : 0) + 1,
      },
      recursionLimit: swarmRecursionLimit(MAX_HANDOFFS, MAX_STEPS),
    }),
    answer: lastAssistantText,
  };
}
