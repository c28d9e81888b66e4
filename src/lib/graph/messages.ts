/**
 * Chat messages as plain OpenAI-style objects, and the reducer that merges them by id.
 * Plain objects (not classes) so they survive checkpoints, exports and worker messages.
 */

export interface ToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface Message {
  id?: string;
  role: 'system' | 'user' | 'assistant' | 'tool' | (string & {});
  content: string;
  name?: string;
  tool_calls?: ToolCall[];
  tool_call_id?: string;
  /** Reasoning text a thinking model produced before its answer. */
  reasoning?: string;
  [key: string]: unknown;
}

/** Removes everything before it when written as a RemoveMessage id. */
export const REMOVE_ALL_MESSAGES = '__remove_all__';

/**
 * Asks `messagesReducer` to delete the message with this id. It is plain data
 * (`{type: 'remove', id}`), so it stays recognisable after a JSON round trip.
 */
export class RemoveMessage {
  readonly type = 'remove' as const;
  constructor(readonly id: string) {}
}

export type MessageUpdate = Message | RemoveMessage | Array<Message | RemoveMessage>;

function isRemoval(m: unknown): m is { type: 'remove'; id: string } {
  return (
    typeof m === 'object' &&
    m !== null &&
    (m as { type?: unknown }).type === 'remove' &&
    typeof (m as { id?: unknown }).id === 'string'
  );
}

function newMessageId(): string {
  return crypto.randomUUID();
}

function asList(value: MessageUpdate | null | undefined): Array<Message | RemoveMessage> {
  if (value === null || value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function checkMessage(m: unknown): asserts m is Message {
  if (typeof m !== 'object' || m === null || typeof (m as Message).role !== 'string') {
    throw new TypeError(
      `messagesReducer: expected messages like {role, content}, got ${JSON.stringify(m)?.slice(0, 80)}`,
    );
  }
}

/**
 * Merge `right` into `left`:
 * - messages without an id get a fresh one (the inputs are not mutated);
 * - a message whose id is already present replaces that message in place;
 * - `new RemoveMessage(id)` deletes the message with that id (an unknown id is an error);
 * - `new RemoveMessage(REMOVE_ALL_MESSAGES)` drops everything before it.
 */
export function messagesReducer(
  left: MessageUpdate | null | undefined,
  right: MessageUpdate | null | undefined,
): Message[] {
  const base = asList(left).map((m) => {
    checkMessage(m);
    return m.id === undefined ? { ...m, id: newMessageId() } : m;
  });
  let incoming = asList(right);

  const removeAllAt = incoming.findLastIndex((m) => isRemoval(m) && m.id === REMOVE_ALL_MESSAGES);
  let merged: Message[];
  if (removeAllAt >= 0) {
    merged = [];
    incoming = incoming.slice(removeAllAt + 1);
  } else {
    merged = base.slice();
  }

  const indexById = new Map<string, number>();
  merged.forEach((m, i) => indexById.set(m.id as string, i));
  const removed = new Set<string>();

  for (const m of incoming) {
    if (isRemoval(m)) {
      if (!indexById.has(m.id)) {
        throw new Error(
          `messagesReducer: cannot remove message '${m.id}': no message has that id.`,
        );
      }
      removed.add(m.id);
      continue;
    }
    checkMessage(m);
    const withId = m.id === undefined ? { ...m, id: newMessageId() } : m;
    const at = indexById.get(withId.id as string);
    if (at !== undefined) {
      merged[at] = withId;
      removed.delete(withId.id as string);
    } else {
      indexById.set(withId.id as string, merged.length);
      merged.push(withId);
    }
  }
  return removed.size ? merged.filter((m) => !removed.has(m.id as string)) : merged;
}

/** LangGraph's name for the same reducer. */
export const addMessages = messagesReducer;

/** True for a value shaped like a chat message (used by the `messages` stream mode). */
export function looksLikeMessage(value: unknown): value is Message {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Message).role === 'string' &&
    'content' in (value as object)
  );
}
