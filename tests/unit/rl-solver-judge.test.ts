/**
 * The solver–judge episode on the Game of 24: solver rewards from the 24 judge, the
 * judge's reward rule, per-role advantages (hand-computed), strict reading of the judge's
 * JSON reply (malformed replies become recorded errors), and the seeded deal.
 */
import { describe, expect, it } from 'vitest';
import { validateJsonSchema } from '../../src/lib/llm/json-schema.js';
import { isSolvable24 } from '../../src/lib/rl/index.js';
import {
  buildEpisode,
  deal24,
  episodeSummary,
  judgeMessages,
  JudgeReplyError,
  judgeResponseSchema,
  judgeReward,
  parseJudgeReply,
  proposalsOf,
  puzzleFromHand,
  solverPrompt,
  type JudgeRun,
  type SolverRun,
} from '../../src/lib/rl/solver-judge.js';

const puzzle = puzzleFromHand([1, 2, 3, 4]);

const solver = (id: string, completion: string): SolverRun => ({
  id,
  model: 'test-model',
  messages: [{ role: 'user', content: solverPrompt(puzzle.nums) }],
  completion,
});
const judge = (raw: string, id = 'judge', finishReason = 'stop'): JudgeRun => ({
  id,
  model: 'test-judge',
  messages: [],
  raw,
  finishReason,
});

// (1 + 2 + 3) * 4 = 24; 1 + 2 + 3 + 4 = 10; no tags at all.
const RIGHT = solver('solver_1', '<answer> (1 + 2 + 3) * 4 </answer>');
const WRONG = solver('solver_2', '<answer> 1 + 2 + 3 + 4 </answer>');
const SILENT = solver('solver_3', 'I think it is twenty-four.');

describe('solver rewards and per-role advantages', () => {
  it('rewards each solver with the 24 verdict and normalizes among solvers (hand-computed)', () => {
    const episode = buildEpisode(
      puzzle,
      [RIGHT, WRONG, SILENT],
      [judge('{"choice": 1, "reason": "6 times 4"}')],
    );
    expect(episode.solvers.map((s) => s.reward)).toEqual([1, 0.1, 0]);
    expect(episode.solvers.map((s) => s.answer)).toEqual([
      '(1 + 2 + 3) * 4',
      '1 + 2 + 3 + 4',
      null,
    ]);
    expect(episode.solvers.map((s) => s.verdict.message)).toEqual([
      'correct',
      'wrong value (got 10)',
      'no answer',
    ]);
    expect(episode.solvers.map((s) => s.proposal)).toEqual([1, 2, 3]);
    expect(episode.correctProposals).toEqual([1]);
    // mean 11/30; deviations 19/30, -8/30, -11/30; sample variance (361+64+121)/900/2,
    // std 0.5507571; divided by std + 1e-4 = 0.5508571
    const [a1, a2, a3] = episode.solvers.map((s) => s.advantage);
    expect(a1).toBeCloseTo(1.149723, 5);
    expect(a2).toBeCloseTo(-0.484094, 5);
    expect(a3).toBeCloseTo(-0.66563, 5);
    // the judge picked the correct proposal: 1; alone in its group, advantage 0
    expect(episode.judges).toHaveLength(1);
    expect(episode.judges[0]).toMatchObject({
      role: 'judge',
      pick: { choice: 1, reason: '6 times 4' },
      error: null,
      reward: 1,
      advantage: 0,
    });
    expect(episode.errors).toEqual([]);
    const summary = episodeSummary(episode);
    expect(summary.solver.rewardSum).toBeCloseTo(1.1, 10);
    expect(summary.solver.advantageSum).toBeCloseTo(0, 10);
    expect(summary.judge).toMatchObject({ count: 1, rewardSum: 1, meanReward: 1 });
  });

  it('counts illegal number usage as a well-formed wrong answer (0.1)', () => {
    const episode = buildEpisode(puzzle, [solver('s', '<answer> 6 * 4 </answer>')], []);
    expect(episode.solvers[0].reward).toBe(0.1);
    expect(episode.solvers[0].verdict.reason).toBe('illegal number usage');
    // a group of one: no relative signal
    expect(episode.solvers[0].advantage).toBe(0);
    expect(episode.judges).toEqual([]);
  });

  it('normalizes judges among judges, not with the solvers', () => {
    const episode = buildEpisode(
      puzzle,
      [RIGHT, WRONG, SILENT],
      [
        judge('{"choice": 1, "reason": "right"}', 'judge_a'),
        judge('{"choice": "none", "reason": "all wrong"}', 'judge_b'),
      ],
    );
    expect(episode.judges.map((j) => j.reward)).toEqual([1, 0]);
    // rewards [1, 0]: deviations ±0.5, sample std √0.5 = 0.7071068; 0.5 / 0.7072068
    expect(episode.judges[0].advantage).toBeCloseTo(0.707007, 5);
    expect(episode.judges[1].advantage).toBeCloseTo(-0.707007, 5);
    // the solvers' advantages are the same as with one judge
    expect(episode.solvers[0].advantage).toBeCloseTo(1.149723, 5);
  });

  it('an all-equal solver group gets advantage 0 everywhere', () => {
    const episode = buildEpisode(
      puzzle,
      [WRONG, WRONG, WRONG],
      [judge('{"choice":"none","reason":""}')],
    );
    // zero up to the rounding of 0.1 + 0.1 + 0.1
    for (const s of episode.solvers) expect(s.advantage).toBeCloseTo(0, 10);
    expect(episode.judges[0].reward).toBe(1);
  });
});

describe('judge reward', () => {
  const pick = (choice: number | 'none') => ({ choice, reason: '' });

  it('with a correct proposal: 1 for any correct pick, 0 for a wrong pick or "none"', () => {
    const correct = [false, true, true];
    expect(judgeReward(pick(2), correct)).toBe(1);
    expect(judgeReward(pick(3), correct)).toBe(1);
    expect(judgeReward(pick(1), correct)).toBe(0);
    expect(judgeReward(pick('none'), correct)).toBe(0);
  });

  it('without one: 1 for "none", 0 for endorsing a wrong answer', () => {
    expect(judgeReward(pick('none'), [false, false])).toBe(1);
    expect(judgeReward(pick(1), [false, false])).toBe(0);
  });

  it('an unreadable reply earns 0', () => {
    expect(judgeReward(null, [true])).toBe(0);
    expect(judgeReward(null, [false])).toBe(0);
  });
});

describe('reading the judge reply', () => {
  const kindOf = (raw: string, finishReason?: string): string => {
    try {
      parseJudgeReply(raw, 3, finishReason);
    } catch (error) {
      expect(error).toBeInstanceOf(JudgeReplyError);
      return (error as JudgeReplyError).kind;
    }
    return 'parsed';
  };

  it('accepts exactly {choice: 1..n | "none", reason}', () => {
    expect(parseJudgeReply('{"choice": 3, "reason": "ok"}', 3)).toEqual({
      choice: 3,
      reason: 'ok',
    });
    expect(parseJudgeReply(' {"reason": "", "choice": "none"} ', 3)).toEqual({
      choice: 'none',
      reason: '',
    });
  });

  it('refuses everything else with a kind', () => {
    expect(kindOf('')).toBe('empty_reply');
    expect(kindOf('Proposal 1 is right')).toBe('invalid_json');
    expect(kindOf('{"choice": 1, "reason": "cut')).toBe('invalid_json');
    expect(kindOf('[1]')).toBe('bad_shape');
    expect(kindOf('{"choice": "2", "reason": "a numeric string"}')).toBe('bad_shape');
    expect(kindOf('{"choice": 1.5, "reason": "half"}')).toBe('bad_shape');
    expect(kindOf('{"choice": "None", "reason": "case matters"}')).toBe('bad_shape');
    expect(kindOf('{"choice": 1}')).toBe('bad_shape');
    expect(kindOf('{"choice": 1, "reason": "x", "confidence": 0.9}')).toBe('bad_shape');
    expect(kindOf('{"choice": 0, "reason": "zero-based"}')).toBe('choice_out_of_range');
    expect(kindOf('{"choice": 4, "reason": "too far"}')).toBe('choice_out_of_range');
    // cut off by the token limit, even when the text happens to parse
    expect(kindOf('{"choice": 1, "reason": ""}', 'length')).toBe('truncated_reply');
  });

  it('a malformed reply becomes an error in the episode, not an exception', () => {
    const episode = buildEpisode(puzzle, [RIGHT, WRONG, SILENT], [judge('Proposal 1 is right')]);
    expect(episode.judges[0]).toMatchObject({
      pick: null,
      reward: 0,
      advantage: 0,
      error: { kind: 'invalid_json' },
    });
    expect(episode.errors).toHaveLength(1);
    expect(episode.errors[0]).toMatch(/^judge: The judge's reply is not JSON/);
    // the solvers are scored as usual
    expect(episode.solvers.map((s) => s.reward)).toEqual([1, 0.1, 0]);
  });

  it('the schema the judge decodes under accepts what the parser accepts, and no more', () => {
    const schema = judgeResponseSchema(3);
    const valid = (value: unknown) => validateJsonSchema(value, schema).length === 0;
    expect(valid({ choice: 2, reason: 'x' })).toBe(true);
    expect(valid({ choice: 'none', reason: 'x' })).toBe(true);
    expect(valid({ choice: 4, reason: 'x' })).toBe(false);
    expect(valid({ choice: '2', reason: 'x' })).toBe(false);
    expect(valid({ choice: 2 })).toBe(false);
    expect(valid({ choice: 2, reason: 'x', extra: 1 })).toBe(false);
  });
});

describe('puzzle and prompts', () => {
  it('deals the same solvable hand from the same seed', () => {
    for (const seed of [0, 1, 2, 42]) {
      const hand = deal24(seed);
      expect(hand).toEqual(deal24(seed));
      expect(hand.nums).toHaveLength(4);
      expect(hand.nums.every((n) => n >= 1 && n <= 13)).toBe(true);
      expect(isSolvable24(hand.nums)).toBe(true);
      expect(hand.seed).toBe(seed);
    }
    expect(deal24(1).nums).not.toEqual(deal24(2).nums);
  });

  it('refuses a hand that cannot make 24', () => {
    expect(() => puzzleFromHand([1, 1, 1, 1])).toThrow(/cannot make 24/);
    expect(() => puzzleFromHand([1, 2, 3])).toThrow(/4 numbers/);
  });

  it('asks the solver in the Countdown format and shows the judge numbered proposals', () => {
    expect(solverPrompt([1, 2, 3, 4])).toMatch(
      /^Using the numbers \[1, 2, 3, 4\], create an equation that equals 24\..*<answer> <\/answer> tags/,
    );
    const messages = judgeMessages(puzzle.nums, proposalsOf([RIGHT, WRONG, SILENT]));
    expect(messages.at(-1)?.content).toContain(
      'Proposals:\n1. (1 + 2 + 3) * 4\n2. 1 + 2 + 3 + 4\n3. (no answer)\n',
    );
  });
});
