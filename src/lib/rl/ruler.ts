/**
 * RULER (Relative Universal LLM-Elicited Rewards, OpenPipe ART): a judge model scores a
 * group of trajectories for the same task relative to each other, each in [0, 1]. GRPO
 * only needs scores that rank the group, and ranking side by side is easier for a judge
 * than grading one answer alone.
 *
 * The judge is any `ChatModel`. The prompt sends the messages every trajectory shares
 * (the longest common prefix: system prompt, task) once, inside `<context>`, then each
 * trajectory's own continuation inside `<trajectory id="N">` (ids 1…N in group order). The
 * reply is constrained by a JSON schema to `{scores: [{trajectory_id, explanation, score}]}`
 * (explanation before score, so the judge reasons before it commits to a number).
 *
 * The reply is checked strictly: not JSON, a missing, unknown or repeated id, a score that
 * is not a number in [0, 1], or too many scores is a `RulerError` with a `kind` and a
 * sentence saying what was wrong. Nothing is clamped or guessed; scores are matched to
 * trajectories by id, not by their order in the reply.
 */
import type { ChatModel, ChatResult, JsonSchema, Message } from '../llm/types.js';

/** One trajectory: the chat messages of one rollout, prompt included. */
export type Trajectory = readonly Message[];

export interface RulerScore {
  /** `"1"`…`"N"`: the label the judge saw, in group order. */
  trajectoryId: string;
  explanation: string;
  /** In [0, 1]. */
  score: number;
}

export interface RulerOptions {
  /** Grading standards; default `DEFAULT_RUBRIC`. Shown to the judge as written. */
  rubric?: string;
  signal?: AbortSignal;
  /** Most tokens for the judge's reply. Engine default if absent. */
  maxTokens?: number;
}

export interface RulerResult {
  /** One per trajectory, in group order. */
  scores: RulerScore[];
  /** The messages sent to the judge (for display and debugging). */
  prompt: Message[];
  /** How many leading messages all trajectories share (sent once). */
  commonPrefixLength: number;
  /** The judge's reply text, as received. */
  raw: string;
}

export type RulerErrorKind =
  | 'empty_reply'
  /** The judge hit its token limit (`finishReason: 'length'`). */
  | 'truncated_reply'
  | 'invalid_json'
  /** JSON, but not `{scores: [...]}` with the expected fields and types. */
  | 'bad_shape'
  /** More scores than trajectories. */
  | 'wrong_count'
  /** A score for an id that was not shown. */
  | 'unknown_id'
  | 'duplicate_id'
  /** Fewer scores than trajectories: these ids have none. */
  | 'missing_id'
  /** A score below 0, above 1, or not finite. */
  | 'score_out_of_range';

/** The judge's reply could not be used. `raw` is the reply text. */
export class RulerError extends Error {
  readonly kind: RulerErrorKind;
  readonly raw: string;
  constructor(kind: RulerErrorKind, message: string, raw: string) {
    super(message);
    this.name = 'RulerError';
    this.kind = kind;
    this.raw = raw;
  }
}

/**
 * Our default grading standards. The task itself comes from the trajectories (their system
 * prompt and user message), so the rubric only says how to compare.
 */
export const DEFAULT_RUBRIC = [
  '- A trajectory that reaches its goal must score clearly higher than one that does not.',
  '- Between two that reach the goal, prefer the one that gets there more directly, with fewer wasted steps or failed tool calls.',
  '- Make score gaps proportional: a slightly better trajectory gets a slightly higher score, a much better one a much higher score.',
  '- Partial credit is fine for real progress towards the goal that stops short of it.',
].join('\n');

// ---------------------------------------------------------------------------------------
// Prompt
// ---------------------------------------------------------------------------------------

/** The parts of a message the judge sees: what was said and done, not ids or reasoning. */
function judgeView(message: Message): Record<string, unknown> {
  const view: Record<string, unknown> = { role: message.role, content: message.content };
  if (message.name !== undefined) view.name = message.name;
  if (message.tool_calls?.length) view.tool_calls = message.tool_calls;
  if (message.tool_call_id !== undefined) view.tool_call_id = message.tool_call_id;
  return view;
}

function serialize(messages: readonly Message[]): string {
  return JSON.stringify(messages.map(judgeView));
}

/** How many leading messages every trajectory has in common (compared as the judge sees them). */
export function commonPrefixLength(group: readonly Trajectory[]): number {
  if (group.length === 0) return 0;
  const views = group.map((t) => t.map((m) => JSON.stringify(judgeView(m))));
  let n = 0;
  for (; n < views[0].length; n++) {
    const m = views[0][n];
    if (!views.every((v) => n < v.length && v[n] === m)) break;
  }
  return n;
}

/** The JSON schema the judge's reply must match, for `ids` (`["1", …, "N"]`). */
export function rulerResponseSchema(ids: readonly string[]): JsonSchema {
  return {
    type: 'object',
    properties: {
      scores: {
        type: 'array',
        minItems: ids.length,
        maxItems: ids.length,
        items: {
          type: 'object',
          properties: {
            trajectory_id: { type: 'string', enum: [...ids] },
            explanation: { type: 'string', description: 'A sentence or two on how it did.' },
            score: { type: 'number', minimum: 0, maximum: 1 },
          },
          required: ['trajectory_id', 'explanation', 'score'],
          additionalProperties: false,
        },
      },
    },
    required: ['scores'],
    additionalProperties: false,
  };
}

export interface RulerPrompt {
  messages: Message[];
  /** The ids the judge must score, in group order (one when all trajectories are identical). */
  ids: string[];
  commonPrefixLength: number;
  /** All trajectories are the same: one is shown and its score applies to all. */
  identical: boolean;
}

/** The system prompt: the judge's job, the rubric, the reply format. */
export function rulerSystemPrompt(rubric: string = DEFAULT_RUBRIC): string {
  return [
    'You are grading attempts at one task. Every trajectory below was given the same goal;',
    'work out that goal from the conversation, compare the trajectories with each other, and',
    'give each a score from 0 to 1.',
    '',
    'Grading standards:',
    rubric.trim(),
    '',
    'Reply with JSON only: {"scores": [{"trajectory_id": "1", "explanation": "...", "score": 0.0}, ...]},',
    'one entry per trajectory id, the explanation first.',
  ].join('\n');
}

/**
 * Builds the judge's messages for a group: the shared prefix once in `<context>`, then each
 * trajectory's remaining messages in `<trajectory id="N">`. When every trajectory is the
 * same, one full trajectory is shown (there is nothing to compare).
 */
export function buildRulerPrompt(group: readonly Trajectory[], rubric?: string): RulerPrompt {
  const prefix = commonPrefixLength(group);
  const identical = group.length > 0 && group.every((t) => t.length === prefix);
  const parts: string[] = [];
  let ids: string[];
  if (identical) {
    ids = ['1'];
    parts.push(`<trajectory id="1">\n${serialize(group[0])}\n</trajectory>`);
  } else {
    ids = group.map((_, i) => String(i + 1));
    if (prefix > 0) parts.push(`<context>\n${serialize(group[0].slice(0, prefix))}\n</context>`);
    group.forEach((t, i) =>
      parts.push(`<trajectory id="${ids[i]}">\n${serialize(t.slice(prefix))}\n</trajectory>`),
    );
  }
  return {
    messages: [
      { role: 'system', content: rulerSystemPrompt(rubric) },
      { role: 'user', content: parts.join('\n\n') },
    ],
    ids,
    commonPrefixLength: identical ? 0 : prefix,
    identical,
  };
}

// ---------------------------------------------------------------------------------------
// Reply
// ---------------------------------------------------------------------------------------

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Checks a judge reply against `ids`; returns scores in `ids` order or throws `RulerError`. */
export function parseRulerReply(raw: string, ids: readonly string[]): RulerScore[] {
  if (raw.trim() === '')
    throw new RulerError('empty_reply', 'The judge replied with nothing.', raw);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    throw new RulerError(
      'invalid_json',
      `The judge's reply is not JSON (${(error as Error).message}).`,
      raw,
    );
  }
  if (!isRecord(parsed) || !Array.isArray(parsed.scores)) {
    throw new RulerError('bad_shape', 'The judge\'s reply has no "scores" list.', raw);
  }
  const entries: unknown[] = parsed.scores;
  entries.forEach((entry, index) => {
    if (
      !isRecord(entry) ||
      typeof entry.trajectory_id !== 'string' ||
      typeof entry.explanation !== 'string' ||
      typeof entry.score !== 'number'
    ) {
      throw new RulerError(
        'bad_shape',
        `scores[${index}] is not {trajectory_id: string, explanation: string, score: number}.`,
        raw,
      );
    }
  });
  const plural = (n: number): string => `${n} score${n === 1 ? '' : 's'}`;
  if (entries.length > ids.length) {
    throw new RulerError(
      'wrong_count',
      `The judge gave ${plural(entries.length)} for ${ids.length} trajectories.`,
      raw,
    );
  }
  const byId = new Map<string, RulerScore>();
  (entries as Array<{ trajectory_id: string; explanation: string; score: number }>).forEach(
    ({ trajectory_id: id, explanation, score }, index) => {
      if (!ids.includes(id)) {
        throw new RulerError(
          'unknown_id',
          `scores[${index}] is for trajectory "${id}", which was not shown (ids are ${ids.map((i) => `"${i}"`).join(', ')}).`,
          raw,
        );
      }
      if (byId.has(id)) {
        throw new RulerError('duplicate_id', `Trajectory "${id}" was scored twice.`, raw);
      }
      if (!Number.isFinite(score) || score < 0 || score > 1) {
        throw new RulerError(
          'score_out_of_range',
          `Trajectory "${id}" got score ${score}; scores must lie in [0, 1].`,
          raw,
        );
      }
      byId.set(id, { trajectoryId: id, explanation, score });
    },
  );
  const missing = ids.filter((id) => !byId.has(id));
  if (missing.length > 0) {
    throw new RulerError(
      'missing_id',
      `No score for trajectory ${missing.map((i) => `"${i}"`).join(', ')} (${plural(entries.length)} for ${ids.length} trajectories).`,
      raw,
    );
  }
  return ids.map((id) => byId.get(id)!);
}

/**
 * Scores `group` with `judge`. One judge call (temperature 0, JSON-schema reply); the
 * scores come back in group order. An empty group returns no scores without a call.
 * Throws `RulerError` for an unusable reply; an aborted `signal` rejects as the engine does.
 */
export async function rulerScore(
  judge: ChatModel,
  group: readonly Trajectory[],
  options: RulerOptions = {},
): Promise<RulerResult> {
  if (group.length === 0) return { scores: [], prompt: [], commonPrefixLength: 0, raw: '' };
  const prompt = buildRulerPrompt(group, options.rubric);
  const result: ChatResult = await judge.invoke(prompt.messages, {
    responseFormat: {
      type: 'json_schema',
      name: 'ruler_scores',
      schema: rulerResponseSchema(prompt.ids),
    },
    temperature: 0,
    maxTokens: options.maxTokens,
    signal: options.signal,
  });
  const raw = result.message.content ?? '';
  if (result.finishReason === 'length') {
    throw new RulerError(
      'truncated_reply',
      'The judge ran out of tokens before finishing its reply.',
      raw,
    );
  }
  const parsed = parseRulerReply(raw, prompt.ids);
  const scores = prompt.identical
    ? group.map((_, i) => ({ ...parsed[0], trajectoryId: String(i + 1) }))
    : parsed;
  return { scores, prompt: prompt.messages, commonPrefixLength: prompt.commonPrefixLength, raw };
}
