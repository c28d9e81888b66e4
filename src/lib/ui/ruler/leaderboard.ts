/**
 * The RULER lab's leaderboard: every scored trajectory of every round (one round = one
 * group sampled and judged together), kept in localStorage so it survives a reload.
 *
 * RULER scores are relative to the group they were judged in, so a score compares best
 * within its round; across rounds the leaderboard is a record of what the judge said, not a
 * calibrated scale. Each row therefore keeps its round and its rank within that round.
 *
 * Storage format (`agent-playground:ruler-leaderboard`): `{"version": 1, "entries": [...]}`.
 * A stored value that is not that shape, or entries that are not well formed, are dropped
 * rather than crashing the page.
 */

export const LEADERBOARD_STORAGE_KEY = 'agent-playground:ruler-leaderboard';
export const LEADERBOARD_VERSION = 1;

export interface LeaderboardEntry {
  /** `<round>-<trajectoryId>`, unique within a leaderboard. */
  id: string;
  /** 1, 2, … in the order rounds were scored. */
  round: number;
  /** The label the judge saw in its round (`"1"`…`"G"`). */
  trajectoryId: string;
  /** 1 = best of its round; equal scores share a rank (1, 2, 2, 4). */
  rankInRound: number;
  /** In [0, 1]. */
  score: number;
  explanation: string;
  /** The trajectory's reply (the poem). */
  text: string;
  /** The task every member of the round was given. */
  prompt: string;
  policyModel: string;
  judgeModel: string;
  /** The seed this member was sampled with. */
  seed: number;
  temperature: number;
  /** Whether the judge graded with the default rubric or an edited one. */
  rubric: 'default' | 'custom';
  /** ISO time the round was scored. */
  scoredAt: string;
}

export type SortKey = 'score' | 'round';
export type SortDirection = 'ascending' | 'descending';

/**
 * Competition ranks ("1224"): 1 for the highest score; equal scores share the better rank
 * and the next distinct score skips the shared places.
 */
export function competitionRanks(scores: readonly number[]): number[] {
  return scores.map((score) => 1 + scores.filter((other) => other > score).length);
}

/** The number of the next round: one more than the highest recorded. */
export function nextRound(entries: readonly LeaderboardEntry[]): number {
  return entries.reduce((highest, entry) => Math.max(highest, entry.round), 0) + 1;
}

export interface RoundInput {
  round: number;
  prompt: string;
  policyModel: string;
  judgeModel: string;
  temperature: number;
  rubric: 'default' | 'custom';
  scoredAt: string;
  /** One per trajectory, in group order. */
  members: ReadonlyArray<{
    trajectoryId: string;
    text: string;
    seed: number;
    score: number;
    explanation: string;
  }>;
}

/** The leaderboard rows for one scored group, ranked within the group. */
export function roundEntries(input: RoundInput): LeaderboardEntry[] {
  const ranks = competitionRanks(input.members.map((m) => m.score));
  return input.members.map((member, i) => ({
    id: `${input.round}-${member.trajectoryId}`,
    round: input.round,
    trajectoryId: member.trajectoryId,
    rankInRound: ranks[i],
    score: member.score,
    explanation: member.explanation,
    text: member.text,
    prompt: input.prompt,
    policyModel: input.policyModel,
    judgeModel: input.judgeModel,
    seed: member.seed,
    temperature: input.temperature,
    rubric: input.rubric,
    scoredAt: input.scoredAt,
  }));
}

/**
 * The entries ordered by `key`. Ties keep a stable, meaningful order: by score the earlier
 * round and then the lower trajectory id first; by round the higher score first.
 */
export function sortEntries(
  entries: readonly LeaderboardEntry[],
  key: SortKey,
  direction: SortDirection,
): LeaderboardEntry[] {
  const sign = direction === 'ascending' ? 1 : -1;
  const byId = (a: LeaderboardEntry, b: LeaderboardEntry) =>
    Number(a.trajectoryId) - Number(b.trajectoryId) || a.id.localeCompare(b.id);
  return [...entries].sort((a, b) => {
    if (key === 'score') return sign * (a.score - b.score) || a.round - b.round || byId(a, b);
    return sign * (a.round - b.round) || b.score - a.score || byId(a, b);
  });
}

// ---------------------------------------------------------------------------------------
// Persistence
// ---------------------------------------------------------------------------------------

function isEntry(x: unknown): x is LeaderboardEntry {
  if (typeof x !== 'object' || x === null) return false;
  const e = x as Record<string, unknown>;
  const finite = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
  const text = (v: unknown) => typeof v === 'string';
  return (
    text(e.id) &&
    Number.isInteger(e.round) &&
    (e.round as number) >= 1 &&
    text(e.trajectoryId) &&
    Number.isInteger(e.rankInRound) &&
    finite(e.score) &&
    (e.score as number) >= 0 &&
    (e.score as number) <= 1 &&
    text(e.explanation) &&
    text(e.text) &&
    text(e.prompt) &&
    text(e.policyModel) &&
    text(e.judgeModel) &&
    finite(e.seed) &&
    finite(e.temperature) &&
    (e.rubric === 'default' || e.rubric === 'custom') &&
    text(e.scoredAt)
  );
}

export interface ParsedLeaderboard {
  entries: LeaderboardEntry[];
  /** Stored entries that were not well formed and were left out. */
  dropped: number;
  /** Set when the stored value as a whole was unusable. */
  problem?: string;
}

/** Reads a stored leaderboard; `null` (nothing stored) is an empty one. */
export function parseLeaderboard(stored: string | null): ParsedLeaderboard {
  if (stored === null) return { entries: [], dropped: 0 };
  let value: unknown;
  try {
    value = JSON.parse(stored);
  } catch {
    return { entries: [], dropped: 0, problem: 'The saved leaderboard is not valid JSON.' };
  }
  const record = value as { version?: unknown; entries?: unknown } | null;
  if (typeof record !== 'object' || record === null || !Array.isArray(record.entries)) {
    return { entries: [], dropped: 0, problem: 'The saved leaderboard has no entries list.' };
  }
  if (record.version !== LEADERBOARD_VERSION) {
    return {
      entries: [],
      dropped: record.entries.length,
      problem: `The saved leaderboard has format version ${String(record.version)}; this page reads version ${LEADERBOARD_VERSION}.`,
    };
  }
  const seen = new Set<string>();
  const entries = record.entries.filter((e): e is LeaderboardEntry => {
    if (!isEntry(e) || seen.has(e.id)) return false;
    seen.add(e.id);
    return true;
  });
  return { entries, dropped: record.entries.length - entries.length };
}

export function serializeLeaderboard(entries: readonly LeaderboardEntry[]): string {
  return JSON.stringify({ version: LEADERBOARD_VERSION, entries });
}

/** The part of `Storage` the leaderboard uses (localStorage in the page, a map in tests). */
export type LeaderboardStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

/** Loads the leaderboard; a storage that refuses access (blocked, sandboxed) reads as empty with a problem. */
export function loadLeaderboard(storage: LeaderboardStorage): ParsedLeaderboard {
  try {
    return parseLeaderboard(storage.getItem(LEADERBOARD_STORAGE_KEY));
  } catch (error) {
    return {
      entries: [],
      dropped: 0,
      problem: `The leaderboard could not be read: ${(error as Error).message}`,
    };
  }
}

/** Saves the leaderboard (an empty one removes the key). Returns a problem, or undefined when saved. */
export function saveLeaderboard(
  storage: LeaderboardStorage,
  entries: readonly LeaderboardEntry[],
): string | undefined {
  try {
    if (entries.length === 0) storage.removeItem(LEADERBOARD_STORAGE_KEY);
    else storage.setItem(LEADERBOARD_STORAGE_KEY, serializeLeaderboard(entries));
    return undefined;
  } catch (error) {
    // quota exceeded or storage blocked: the leaderboard still works for this visit
    return `The leaderboard could not be saved: ${(error as Error).message}`;
  }
}
