/**
 * The solver–judge workflow on the Game of 24: a puzzle node (`deal`) deals a hand the exact solver
 * can solve; N solvers (parallel branches, one model role each) propose an expression in
 * the Countdown `<answer> … </answer>` format; a judge (its own role) sees the proposals
 * and picks one, or none, under a JSON schema; a reward node scores the whole episode
 * (each solver's 24 verdict, the judge's pick, per-role advantages) into state. The page
 * shows the episode as a table (`view: 'episode'`).
 */
import { streamModelCall } from '../agents/model-call.js';
import { Annotation, END, START, StateGraph } from '../graph/index.js';
import {
  buildEpisode,
  deal24,
  judgeMessages,
  judgeResponseSchema,
  JUDGE_REASON_MAX_LENGTH,
  proposalsOf,
  puzzleFromHand,
  solverPrompt,
  type Episode,
  type JudgeRun,
  type Puzzle24,
  type SolverRun,
} from '../rl/solver-judge.js';
import { MICRO_AGENT } from './shared.js';
import type { DemoBuildContext, DemoDefinition, ModelRole } from './types.js';

export const DEFAULT_SOLVERS = 3;

export const SolverJudgeState = Annotation.Root({
  /** The user's message: a seed, four numbers, or anything else (the page's seed). */
  request: Annotation<string>({ default: () => '' }),
  puzzle: Annotation<Puzzle24 | null>({ default: () => null }),
  /** One per solver; parallel writes are concatenated, the judge orders them. */
  proposals: Annotation<SolverRun[], SolverRun[]>({
    reducer: (all, more) => all.concat(more),
    default: () => [],
  }),
  judgement: Annotation<JudgeRun | null>({ default: () => null }),
  episode: Annotation<Episode | null>({ default: () => null }),
});

export const solverRoleName = (index: number) => `solver_${index}`;

/**
 * The puzzle a message asks for: four numbers are the hand itself; one number is the
 * seed to deal from; no number deals from the page's seed.
 */
export function puzzleForRequest(request: string, pageSeed: number): Puzzle24 {
  const numbers = (request.match(/\d+/g) ?? []).map(Number);
  if (numbers.length === 4) return puzzleFromHand(numbers);
  if (numbers.length === 1) return deal24(numbers[0]);
  if (numbers.length === 0) return deal24(pageSeed);
  throw new RangeError(
    `Give four numbers (a hand), one number (a seed) or none, not ${numbers.length} numbers.`,
  );
}

/** The completion budget of a solver: an answer the length of a 24 expression, with room. */
const SOLVER_MAX_TOKENS = 64;
/** The JSON reply: its keys and a choice, plus the reason at its longest (byte-level tokens). */
const JUDGE_MAX_TOKENS = JUDGE_REASON_MAX_LENGTH + 60;

const byProposal = (runs: readonly SolverRun[]) =>
  [...runs].sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true }));

export function solverJudge24(options: { solvers?: number } = {}): DemoDefinition {
  const solverCount = options.solvers ?? DEFAULT_SOLVERS;
  if (!Number.isInteger(solverCount) || solverCount < 1) {
    throw new RangeError(`solverJudge24: solvers must be a positive integer, got ${solverCount}`);
  }
  const solverIds = Array.from({ length: solverCount }, (_, i) => solverRoleName(i + 1));
  const roles: ModelRole[] = [
    ...solverIds.map((id, i) => ({
      name: id,
      description: `Solver ${i + 1}: proposes an expression in <answer> tags.`,
      defaultModel: MICRO_AGENT,
    })),
    {
      name: 'judge',
      description: 'Sees every proposal and picks the correct one, or none (JSON schema).',
      defaultModel: MICRO_AGENT,
    },
  ];

  function build(context: DemoBuildContext) {
    let graph = new StateGraph(SolverJudgeState).addNode('deal', (state) => ({
      puzzle: puzzleForRequest(state.request, context.seed),
    }));
    solverIds.forEach((id, i) => {
      graph = graph.addNode(id, async (state, runtime) => {
        const model = context.models[id];
        const nums = state.puzzle!.nums;
        const messages = [{ role: 'user' as const, content: solverPrompt(nums) }];
        // Sampled (temperature 1, TinyZero's rollouts), each solver with its own seed: with
        // the same model for every role, greedy solvers would all write the same answer.
        const result = await streamModelCall(
          model,
          messages,
          {
            temperature: 1,
            seed: context.seed + i + 1,
            maxTokens: SOLVER_MAX_TOKENS,
            thinking: { enabled: false },
          },
          runtime,
        );
        const completion = result.message.content;
        const run: SolverRun = {
          id,
          model: model.info.model,
          messages: [...messages, { role: 'assistant', content: completion }],
          completion,
        };
        return { proposals: [run] };
      });
    });
    graph = graph
      .addNode('judge', async (state, runtime) => {
        const model = context.models.judge;
        const proposals = byProposal(state.proposals);
        const messages = judgeMessages(state.puzzle!.nums, proposalsOf(proposals));
        const result = await streamModelCall(
          model,
          messages,
          {
            temperature: 0,
            seed: context.seed,
            maxTokens: JUDGE_MAX_TOKENS,
            thinking: { enabled: false },
            responseFormat: {
              type: 'json_schema',
              name: 'judge_pick',
              schema: judgeResponseSchema(proposals.length),
            },
          },
          runtime,
        );
        const raw = result.message.content;
        const run: JudgeRun = {
          id: 'judge',
          model: model.info.model,
          messages: [...messages, { role: 'assistant', content: raw }],
          raw,
          finishReason: result.finishReason,
        };
        return { judgement: run };
      })
      // Pure scoring: an unreadable judge reply is recorded in the episode, not thrown.
      .addNode('reward', (state) => ({
        episode: buildEpisode(
          state.puzzle!,
          byProposal(state.proposals),
          state.judgement ? [state.judgement] : [],
        ),
      }))
      .addEdge(START, 'deal')
      .addEdge(solverIds, 'judge')
      .addEdge('judge', 'reward')
      .addEdge('reward', END);
    for (const id of solverIds) graph = graph.addEdge('deal', id);
    return graph.compile({ checkpointer: context.checkpointer, name: 'solver-judge-24' });
  }

  return {
    id: 'solver-judge-24',
    title: 'Solver–judge on the Game of 24',
    summary: `${solverCount} solvers propose in parallel, a judge picks one under a JSON schema, and each gets its own reward and advantage in one episode.`,
    chapter: 4,
    bookExamples: [],
    guide:
      'Run deals a solvable hand from the page seed (a message with one number deals from that seed, four numbers are the hand). The solvers answer in parallel in the Countdown <answer> format, sampled with their own seeds; the judge sees the proposals and replies {"choice": <number> or "none", "reason": …}. The Episode table shows every trajectory: the 24 verdict and reward of each solver (1 correct, 0.1 wrong, 0 no answer), the judge\'s pick and its reward (1 for a correct pick, or for "none" when nothing was correct), and advantages normalized within each role. Give a role a bigger model under Models to see correct answers.',
    roles,
    defaultMessage: 'Deal a puzzle',
    suggestions: ['seed 7', '3 3 8 8'],
    view: 'episode',
    conversational: false,
    build,
    turn: (message) => ({ input: { request: message } }),
    answer: (values) => {
      const episode = values.episode as Episode | null | undefined;
      if (!episode) return undefined;
      const judge = episode.judges[0];
      const pick = !judge
        ? 'no judge'
        : judge.error
          ? `judge error (${judge.error.message})`
          : judge.pick!.choice === 'none'
            ? 'the judge said none is correct'
            : `the judge picked proposal ${judge.pick!.choice}`;
      const correct = episode.correctProposals.length
        ? `correct: ${episode.correctProposals.join(', ')}`
        : 'no proposal was correct';
      return `[${episode.puzzle.nums.join(', ')}]: ${pick}; ${correct}.`;
    },
  };
}
