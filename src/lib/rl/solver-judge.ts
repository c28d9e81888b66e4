/**
 * The solver–judge workflow on the Game of 24, as plain data and pure functions: several
 * solvers each propose an expression for one hand, a judge picks the proposal it believes
 * is correct (or says none is), and every participant gets its own reward. All of them
 * belong to one `Episode`, the unit a trainer would consume.
 *
 * Rewards:
 * - a solver gets the Game-of-24 judge's verdict on its last `<answer>…</answer>`, with
 *   the TinyZero scheme of `countdownReward`: 1 for a correct expression, 0.1 for an
 *   answer that is wrong for any reason (well-formed output, wrong math or numbers), 0 for
 *   no answer at all;
 * - the judge is rewarded for the decision a verifier would have made. When at least one
 *   proposal is correct it gets 1 for picking any correct one and 0 for picking a wrong one
 *   or saying "none" (a correct answer was there to be found). When no proposal is
 *   correct it gets 1 for "none" and 0 for any pick (endorsing a wrong answer is the
 *   failure a judge exists to prevent). A reply that cannot be read gets 0 and the reason
 *   is recorded in the episode. The judge is not graded on its `reason` text.
 *
 * Advantages are group-normalized per role (`groupedAdvantages`): solvers among the
 * episode's solvers, judges among its judges, because the two roles earn rewards on
 * different scales for different tasks. A role with one trajectory (the usual single
 * judge) therefore always has advantage 0: one sample carries no relative signal; the
 * judge learns only when several judges (or several episodes of the same puzzle) are grouped.
 *
 * The judge answers under a JSON schema, `{"choice": <proposal number> | "none",
 * "reason": "…"}`, with proposals numbered from 1 as the prompt shows them. Parsing is
 * strict (no extra keys, no numeric strings, no out-of-range numbers): constrained
 * decoding should make anything else impossible, and a reply from an engine without it
 * that slips through must not be guessed at.
 */
import type { JsonSchema, Message } from '../llm/types.js';
import {
  countdownReward,
  extractAnswer,
  formatNumbers,
  type CountdownVerdict,
} from './countdown.js';
import { countdownPrompt } from './countdown-search.js';
import { GAME24_TARGET, solve24 } from './game24.js';
import { groupedAdvantages, type AdvantageOptions } from './grpo.js';
import { createSeededRandom } from './random.js';

// ---------------------------------------------------------------------------------------
// Puzzle
// ---------------------------------------------------------------------------------------

export interface Puzzle24 {
  nums: number[];
  /** The seed the hand was dealt from, or null when it was given. */
  seed: number | null;
  /** One solution found by the exhaustive solver: the proof that the hand is solvable. */
  solution: string;
}

/** Cards 1–13, as the classic game deals them. */
const CARD_MIN = 1;
const CARD_MAX = 13;

/** A hand of four cards from `seed` that the exact solver can solve (same seed, same hand). */
export function deal24(seed: number): Puzzle24 {
  const random = createSeededRandom(seed);
  // 1362 of the 1820 hands are solvable, so a few draws suffice; the bound only guards.
  for (let draw = 0; draw < 1000; draw++) {
    const nums = Array.from({ length: 4 }, () => random.int(CARD_MIN, CARD_MAX));
    const solution = solve24(nums);
    if (solution) return { nums, seed, solution: solution.expression };
  }
  throw new Error(`deal24: no solvable hand drawn from seed ${seed}`);
}

/** The given hand as a puzzle, or an error saying why it cannot be one. */
export function puzzleFromHand(nums: readonly number[]): Puzzle24 {
  if (nums.length !== 4)
    throw new RangeError(`A Game-of-24 hand has 4 numbers, got ${nums.length}.`);
  const solution = solve24(nums);
  if (!solution) throw new RangeError(`${formatNumbers(nums)} cannot make 24; pick another hand.`);
  return { nums: [...nums], seed: null, solution: solution.expression };
}

// ---------------------------------------------------------------------------------------
// Solvers
// ---------------------------------------------------------------------------------------

/** The Countdown prompt with target 24: the format the micro model was trained on. */
export function solverPrompt(nums: readonly number[]): string {
  return countdownPrompt({ nums: [...nums], target: GAME24_TARGET });
}

/** The solver reward: the Game-of-24 rules (every number exactly once) in TinyZero's scheme. */
export function solverReward(completion: string, nums: readonly number[]) {
  return countdownReward(
    completion,
    { nums: [...nums], target: GAME24_TARGET },
    { useAllNumbers: true },
  );
}

// ---------------------------------------------------------------------------------------
// Judge
// ---------------------------------------------------------------------------------------

/** A proposal number (1-based, as the prompt lists them), or "none". */
export type JudgeChoice = number | 'none';

export interface JudgePick {
  choice: JudgeChoice;
  reason: string;
}

/** Long enough for one sentence, short enough that the reply cannot run out of tokens. */
export const JUDGE_REASON_MAX_LENGTH = 100;

/** The schema the judge answers under, for `responseFormat: {type: 'json_schema'}`. */
export function judgeResponseSchema(proposals: number): JsonSchema {
  return {
    type: 'object',
    properties: {
      choice: { enum: [...Array.from({ length: proposals }, (_, i) => i + 1), 'none'] },
      reason: { type: 'string', maxLength: JUDGE_REASON_MAX_LENGTH },
    },
    required: ['choice', 'reason'],
    additionalProperties: false,
  };
}

/** The judge's prompt: the hand and the proposals, numbered from 1. */
export function judgeMessages(
  nums: readonly number[],
  answers: readonly (string | null)[],
): Message[] {
  const listed = answers
    .map((answer, i) => `${i + 1}. ${answer === null ? '(no answer)' : answer}`)
    .join('\n');
  return [
    {
      role: 'system',
      content:
        'You judge answers to the Game of 24. Reply with JSON only: {"choice": <number of the correct proposal, or "none">, "reason": "<one short sentence>"}.',
    },
    {
      role: 'user',
      content:
        `Make 24 from the numbers ${formatNumbers(nums)}, using every number exactly once with +, -, *, / and parentheses.\n` +
        `Proposals:\n${listed}\n` +
        'Which proposal is a correct solution? If none is, choose "none".',
    },
  ];
}

export type JudgeReplyErrorKind =
  'empty_reply' | 'truncated_reply' | 'invalid_json' | 'bad_shape' | 'choice_out_of_range';

/** Why a judge reply could not be read; `raw` is the reply as the model wrote it. */
export class JudgeReplyError extends Error {
  readonly kind: JudgeReplyErrorKind;
  readonly raw: string;

  constructor(kind: JudgeReplyErrorKind, message: string, raw: string) {
    super(message);
    this.name = 'JudgeReplyError';
    this.kind = kind;
    this.raw = raw;
  }
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/**
 * Reads a judge reply for `proposals` proposals; throws `JudgeReplyError` for anything
 * but exactly `{"choice": 1…proposals | "none", "reason": string}`. `finishReason`
 * 'length' means the reply was cut off, which is reported as such even if it happens to parse.
 */
export function parseJudgeReply(raw: string, proposals: number, finishReason?: string): JudgePick {
  if (finishReason === 'length') {
    throw new JudgeReplyError(
      'truncated_reply',
      'The judge ran out of tokens before finishing its reply.',
      raw,
    );
  }
  if (raw.trim() === '')
    throw new JudgeReplyError('empty_reply', 'The judge replied with nothing.', raw);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    throw new JudgeReplyError(
      'invalid_json',
      `The judge's reply is not JSON (${(error as Error).message}).`,
      raw,
    );
  }
  if (!isRecord(parsed)) {
    throw new JudgeReplyError('bad_shape', "The judge's reply is not a JSON object.", raw);
  }
  const extra = Object.keys(parsed).filter((key) => key !== 'choice' && key !== 'reason');
  if (extra.length > 0) {
    throw new JudgeReplyError(
      'bad_shape',
      `The judge's reply has unexpected keys: ${extra.map((k) => `"${k}"`).join(', ')}.`,
      raw,
    );
  }
  if (typeof parsed.reason !== 'string') {
    throw new JudgeReplyError('bad_shape', 'The judge\'s reply has no "reason" string.', raw);
  }
  const choice = parsed.choice;
  if (choice === 'none') return { choice, reason: parsed.reason };
  if (typeof choice !== 'number' || !Number.isInteger(choice)) {
    throw new JudgeReplyError(
      'bad_shape',
      `"choice" must be a proposal number or "none", got ${JSON.stringify(choice) ?? 'nothing'}.`,
      raw,
    );
  }
  if (choice < 1 || choice > proposals) {
    throw new JudgeReplyError(
      'choice_out_of_range',
      `"choice" is ${choice}, but there are proposals 1 to ${proposals}.`,
      raw,
    );
  }
  return { choice, reason: parsed.reason };
}

/**
 * The judge's reward for `pick` given which proposals are correct (see the module
 * comment): 1 for a correct pick, or for "none" when nothing was correct; else 0. An
 * unreadable reply (`null`) earns 0.
 */
export function judgeReward(pick: JudgePick | null, correct: readonly boolean[]): number {
  if (pick === null) return 0;
  if (!correct.some(Boolean)) return pick.choice === 'none' ? 1 : 0;
  return pick.choice !== 'none' && correct[pick.choice - 1] === true ? 1 : 0;
}

// ---------------------------------------------------------------------------------------
// Episode
// ---------------------------------------------------------------------------------------

/** What one solver did: its conversation and completion, as the graph records it. */
export interface SolverRun {
  /** e.g. `solver_2`: also the model role. */
  id: string;
  /** The model that wrote the completion (its id in the catalog or engine). */
  model: string;
  messages: Message[];
  completion: string;
}

/** What one judge did. `finishReason` 'length' marks a reply cut off by the token limit. */
export interface JudgeRun {
  id: string;
  model: string;
  messages: Message[];
  raw: string;
  finishReason?: string;
}

export interface SolverTrajectory extends SolverRun {
  role: 'solver';
  /** The 1-based number the judge sees this proposal under. */
  proposal: number;
  /** The extracted expression, or null without `<answer>` tags. */
  answer: string | null;
  verdict: CountdownVerdict;
  reward: number;
  advantage: number;
}

export interface JudgeTrajectory extends JudgeRun {
  role: 'judge';
  /** The reply as read, or null when it could not be (see `error`). */
  pick: JudgePick | null;
  error: { kind: JudgeReplyErrorKind; message: string } | null;
  reward: number;
  advantage: number;
}

export interface Episode {
  puzzle: Puzzle24;
  /** In proposal order. */
  solvers: SolverTrajectory[];
  judges: JudgeTrajectory[];
  /** 1-based numbers of the correct proposals. */
  correctProposals: number[];
  /** Readable problems met while scoring (an unreadable judge reply), one line each. */
  errors: string[];
}

/** Per-role advantages; an empty role has none (groupedAdvantages refuses a group of 0). */
function roleAdvantages(rewards: readonly number[], options: AdvantageOptions): number[] {
  return rewards.length === 0 ? [] : groupedAdvantages(rewards, rewards.length, options);
}

/**
 * Scores one episode: judges every solver's answer, reads every judge's reply (an
 * unreadable one becomes an error in `errors`, never an exception), rewards all of
 * them and normalizes advantages per role. Solvers are numbered in the order given,
 * which must be the order their proposals were shown to the judges.
 */
export function buildEpisode(
  puzzle: Puzzle24,
  solverRuns: readonly SolverRun[],
  judgeRuns: readonly JudgeRun[],
  options: AdvantageOptions = {},
): Episode {
  const errors: string[] = [];
  const judged = solverRuns.map((run, i) => ({
    run,
    proposal: i + 1,
    ...solverReward(run.completion, puzzle.nums),
  }));
  const correct = judged.map((s) => s.verdict.correct);
  const solverAdvantages = roleAdvantages(
    judged.map((s) => s.reward),
    options,
  );
  const solvers: SolverTrajectory[] = judged.map((s, i) => ({
    ...s.run,
    role: 'solver',
    proposal: s.proposal,
    answer: s.answer,
    verdict: s.verdict,
    reward: s.reward,
    advantage: solverAdvantages[i],
  }));

  const read = judgeRuns.map((run) => {
    try {
      return {
        run,
        pick: parseJudgeReply(run.raw, solverRuns.length, run.finishReason),
        error: null,
      };
    } catch (error) {
      if (!(error instanceof JudgeReplyError)) throw error;
      errors.push(`${run.id}: ${error.message}`);
      return { run, pick: null, error: { kind: error.kind, message: error.message } };
    }
  });
  const judgeRewards = read.map((j) => judgeReward(j.pick, correct));
  const judgeAdvantages = roleAdvantages(judgeRewards, options);
  const judges: JudgeTrajectory[] = read.map((j, i) => ({
    ...j.run,
    role: 'judge',
    pick: j.pick,
    error: j.error,
    reward: judgeRewards[i],
    advantage: judgeAdvantages[i],
  }));

  return {
    puzzle,
    solvers,
    judges,
    correctProposals: judged.filter((s) => s.verdict.correct).map((s) => s.proposal),
    errors,
  };
}

/** The answers a judge is shown, extracted from the solvers' completions in order. */
export function proposalsOf(solverRuns: readonly SolverRun[]): (string | null)[] {
  return solverRuns.map((run) => extractAnswer(run.completion));
}

export interface RoleSummary {
  count: number;
  rewardSum: number;
  meanReward: number;
  /** Zero up to rounding for a normalized group. */
  advantageSum: number;
}

/** Per-role totals, for the episode table's footer. */
export function episodeSummary(episode: Episode): { solver: RoleSummary; judge: RoleSummary } {
  const summarize = (rows: readonly { reward: number; advantage: number }[]): RoleSummary => {
    const rewardSum = rows.reduce((s, r) => s + r.reward, 0);
    return {
      count: rows.length,
      rewardSum,
      meanReward: rows.length ? rewardSum / rows.length : 0,
      advantageSum: rows.reduce((s, r) => s + r.advantage, 0),
    };
  };
  return { solver: summarize(episode.solvers), judge: summarize(episode.judges) };
}
