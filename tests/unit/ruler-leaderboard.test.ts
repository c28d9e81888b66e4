/**
 * The RULER lab's leaderboard: ranks within a round, sorting, round numbering, and the
 * localStorage format (round trip, damaged or foreign values, storage that refuses access).
 */
import { describe, expect, it } from 'vitest';
import {
  competitionRanks,
  LEADERBOARD_STORAGE_KEY,
  loadLeaderboard,
  nextRound,
  parseLeaderboard,
  roundEntries,
  saveLeaderboard,
  serializeLeaderboard,
  sortEntries,
  type LeaderboardEntry,
  type LeaderboardStorage,
} from '../../src/lib/ui/ruler/leaderboard.js';

function round(n: number, scores: number[]): LeaderboardEntry[] {
  return roundEntries({
    round: n,
    prompt: 'Write a short poem about cats.',
    policyModel: 'micro-agent',
    judgeModel: 'judge',
    temperature: 0.9,
    rubric: 'default',
    scoredAt: '2026-01-01T00:00:00.000Z',
    members: scores.map((score, i) => ({
      trajectoryId: String(i + 1),
      text: `poem ${n}.${i + 1}`,
      seed: 10 + i,
      score,
      explanation: `why ${i + 1}`,
    })),
  });
}

class MapStorage implements LeaderboardStorage {
  readonly map = new Map<string, string>();
  getItem(key: string) {
    return this.map.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    this.map.set(key, value);
  }
  removeItem(key: string) {
    this.map.delete(key);
  }
}

describe('leaderboard ranking', () => {
  it('gives competition ranks: equal scores share the better place', () => {
    expect(competitionRanks([0.2, 0.9, 0.5, 0.9])).toEqual([4, 1, 3, 1]);
    expect(competitionRanks([])).toEqual([]);
    expect(competitionRanks([0.5])).toEqual([1]);
  });

  it('builds one row per member with its round rank, seed and settings', () => {
    const rows = round(2, [0.3, 0.8, 0.3]);
    expect(rows.map((r) => [r.id, r.rankInRound, r.seed])).toEqual([
      ['2-1', 2, 10],
      ['2-2', 1, 11],
      ['2-3', 2, 12],
    ]);
    expect(rows[1]).toMatchObject({
      round: 2,
      trajectoryId: '2',
      score: 0.8,
      explanation: 'why 2',
      text: 'poem 2.2',
      policyModel: 'micro-agent',
      judgeModel: 'judge',
      temperature: 0.9,
      rubric: 'default',
    });
  });

  it('numbers rounds after the highest one recorded', () => {
    expect(nextRound([])).toBe(1);
    expect(nextRound([...round(1, [0.1]), ...round(4, [0.2])])).toBe(5);
  });

  it('sorts by score either way, ties by round then trajectory', () => {
    const entries = [...round(1, [0.5, 0.9]), ...round(2, [0.9, 0.1])];
    expect(sortEntries(entries, 'score', 'descending').map((e) => e.id)).toEqual([
      '1-2',
      '2-1',
      '1-1',
      '2-2',
    ]);
    expect(sortEntries(entries, 'score', 'ascending').map((e) => e.id)).toEqual([
      '2-2',
      '1-1',
      '1-2',
      '2-1',
    ]);
    // by round: newest round first, best score first inside it
    expect(sortEntries(entries, 'round', 'descending').map((e) => e.id)).toEqual([
      '2-1',
      '2-2',
      '1-2',
      '1-1',
    ]);
    expect(entries.map((e) => e.id)).toEqual(['1-1', '1-2', '2-1', '2-2']); // not mutated
  });
});

describe('leaderboard storage', () => {
  it('round-trips through storage and removes the key when cleared', () => {
    const storage = new MapStorage();
    const entries = [...round(1, [0.5, 0.9]), ...round(2, [0.7])];
    expect(saveLeaderboard(storage, entries)).toBeUndefined();
    expect(JSON.parse(storage.map.get(LEADERBOARD_STORAGE_KEY)!)).toEqual({
      version: 1,
      entries,
    });
    expect(loadLeaderboard(storage)).toEqual({ entries, dropped: 0 });
    expect(saveLeaderboard(storage, [])).toBeUndefined();
    expect(storage.map.has(LEADERBOARD_STORAGE_KEY)).toBe(false);
    expect(loadLeaderboard(storage)).toEqual({ entries: [], dropped: 0 });
  });

  it('drops malformed or repeated entries and keeps the rest', () => {
    const [good, other] = round(1, [0.5, 0.6]);
    const stored = JSON.stringify({
      version: 1,
      entries: [good, { ...other, score: 1.5 }, { ...other, round: 'one' }, good, null, other],
    });
    expect(parseLeaderboard(stored)).toEqual({ entries: [good, other], dropped: 4 });
  });

  it('reads damaged or foreign values as empty, saying why', () => {
    expect(parseLeaderboard('{not json').problem).toMatch(/not valid JSON/);
    expect(parseLeaderboard('[1, 2]').problem).toMatch(/no entries list/);
    const future = parseLeaderboard(JSON.stringify({ version: 2, entries: [{}] }));
    expect(future).toMatchObject({ entries: [], dropped: 1 });
    expect(future.problem).toMatch(/version 2/);
    expect(serializeLeaderboard([])).toBe('{"version":1,"entries":[]}');
  });

  it('reports a storage that refuses access instead of throwing', () => {
    const refusing: LeaderboardStorage = {
      getItem: () => {
        throw new Error('access denied');
      },
      setItem: () => {
        throw new Error('quota exceeded');
      },
      removeItem: () => {},
    };
    expect(loadLeaderboard(refusing)).toMatchObject({ entries: [], problem: /access denied/ });
    expect(saveLeaderboard(refusing, round(1, [0.5]))).toMatch(/quota exceeded/);
  });
});
