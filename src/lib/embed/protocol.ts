/**
 * The embed route's `postMessage` protocol: what a host page may send to an embedded demo,
 * what the demo sends back, the validator for incoming messages and the origin allowlist.
 *
 * Pure TypeScript over plain values (no DOM, no Svelte): the bridge in `bridge.ts` wires
 * it to `window`, and the unit tests run it in Node.
 *
 * Security model:
 * - A message is acted on only when it comes from the window that embeds the demo
 *   (`event.source === window.parent`) and its `event.origin` is on the allowlist: the
 *   origins in the `?allow=` query parameter plus the app's own origin. Nothing else
 *   (no wildcards, no `*`, no opaque `null` origin) can be allowed.
 * - Replies go to `window.parent` with the host's exact origin as the target origin, never
 *   `*`, so the browser drops them if the parent is (or has become) another origin.
 */

export const MESSAGE_PREFIX = 'agent-playground:';

/** Longest `run` message accepted (characters). */
export const MAX_MESSAGE_LENGTH = 10_000;
/** Deepest nesting accepted in `resume` answers. */
const MAX_ANSWER_DEPTH = 32;

// ---------------------------------------------------------------- host → demo

/** Starts a run with `message` as the user's input (like typing it and pressing Run). */
export interface RunMessage {
  type: 'agent-playground:run';
  message: string;
}

/** Answers the pending interrupts: a map of interrupt id to answer (JSON values). */
export interface ResumeMessage {
  type: 'agent-playground:resume';
  answers: Record<string, JsonValue>;
}

/** Cancels the run in progress (the state stays at the last completed step). */
export interface CancelMessage {
  type: 'agent-playground:cancel';
}

/**
 * Asks the demo to (re)send `ready` once it is loaded, and tells it the host's origin
 * when the browser did not (no `ancestorOrigins`, no referrer).
 */
export interface HelloMessage {
  type: 'agent-playground:hello';
}

export type HostMessage = RunMessage | ResumeMessage | CancelMessage | HelloMessage;
export type HostMessageType = HostMessage['type'];

// ---------------------------------------------------------------- demo → host

export type JsonValue = string | number | boolean | null | JsonValue[] | { [k: string]: JsonValue };

/** What the demo is doing, sent (throttled) whenever it changes while the page lives. */
export interface RunProgress {
  /** The session's status: idle, running, interrupted, paused, done, cancelled or error. */
  status: string;
  thread: string;
  /** The newest superstep of the current run, or null before the first one. */
  step: number | null;
  /** Nodes running right now. */
  active: string[];
  /** Nodes in the order the current run started them. */
  visited: string[];
  /** Interrupts waiting for a `resume`. */
  interrupts: number;
}

export type EmbedEvent =
  /** The demo and its models are loaded; it accepts `run`. */
  | { type: 'ready'; demo: string; thread: string }
  /** A run started (from the host or from the embedded page's own Run button). */
  | { type: 'run'; message: string; thread: string }
  | ({ type: 'update' } & RunProgress)
  /** The run stopped at interrupts; answer them with `resume`. */
  | { type: 'interrupt'; interrupts: unknown[] }
  /** The run finished: the demo's answer (if it has one) and the final state. */
  | { type: 'final'; answer?: string; values: Record<string, unknown> }
  | { type: 'error'; message: string }
  /** A host request was not acted on: malformed, or not possible now (loading, busy…). */
  | { type: 'rejected'; request: string; reason: string };

export interface EventMessage {
  type: 'agent-playground:event';
  event: EmbedEvent;
}

// ---------------------------------------------------------------- validation

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** JSON values only (what a form produces): no functions, dates, maps, cycles or NaN. */
export function isJsonValue(value: unknown, depth = 0): value is JsonValue {
  if (depth > MAX_ANSWER_DEPTH) return false;
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every((v) => isJsonValue(v, depth + 1));
  if (isPlainObject(value)) return Object.values(value).every((v) => isJsonValue(v, depth + 1));
  return false;
}

/** Whether `data` claims to belong to this protocol (other scripts post messages too). */
export function isProtocolMessage(data: unknown): boolean {
  return (
    isPlainObject(data) && typeof data.type === 'string' && data.type.startsWith(MESSAGE_PREFIX)
  );
}

export type ParseResult = { ok: true; message: HostMessage } | { ok: false; reason: string };

/** Validates a host message. Extra fields are ignored; anything malformed is rejected. */
export function parseHostMessage(data: unknown): ParseResult {
  if (!isPlainObject(data)) return { ok: false, reason: 'not an object' };
  switch (data.type) {
    case 'agent-playground:run': {
      const { message } = data;
      if (typeof message !== 'string') return { ok: false, reason: 'run: message is not a string' };
      if (!message.trim()) return { ok: false, reason: 'run: message is empty' };
      if (message.length > MAX_MESSAGE_LENGTH)
        return { ok: false, reason: `run: message is longer than ${MAX_MESSAGE_LENGTH}` };
      return { ok: true, message: { type: data.type, message } };
    }
    case 'agent-playground:resume': {
      const { answers } = data;
      if (!isPlainObject(answers) || !isJsonValue(answers))
        return { ok: false, reason: 'resume: answers is not an object of JSON values' };
      if (!Object.keys(answers).length) return { ok: false, reason: 'resume: answers is empty' };
      return {
        ok: true,
        message: { type: data.type, answers: answers as Record<string, JsonValue> },
      };
    }
    case 'agent-playground:cancel':
    case 'agent-playground:hello':
      return { ok: true, message: { type: data.type } };
    default:
      return { ok: false, reason: `unknown type ${JSON.stringify(data.type)}` };
  }
}

// ---------------------------------------------------------------- allowlist

export interface Allowlist {
  /** Exact origins (scheme://host[:port]) allowed to drive the demo, the app's own included. */
  origins: ReadonlySet<string>;
  /** Entries of `?allow=` that are not a plain http(s) origin, so were dropped. */
  rejected: string[];
}

/**
 * The origin an allowlist entry names, or null. Only `http:`/`https:` origins are
 * accepted, written as an origin (a trailing `/` is tolerated); a path, query, fragment,
 * credentials, `*` or `null` make the entry invalid rather than silently widened.
 */
export function normalizeOrigin(entry: string): string | null {
  const text = entry.trim();
  if (!text || text === '*' || text === 'null' || text.includes('*')) return null;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  if (url.username || url.password || url.search || url.hash) return null;
  if (url.pathname !== '/') return null;
  // nothing after the authority, not even an empty `?` or `#`
  if (/[/?#@\\]/.test(text.replace(/^[a-z]+:\/\//i, '').replace(/\/$/, ''))) return null;
  return url.origin;
}

/** The allowlist from `?allow=` (comma-separated origins); `selfOrigin` is always on it. */
export function parseAllowlist(param: string | null | undefined, selfOrigin: string): Allowlist {
  const origins = new Set<string>([selfOrigin]);
  const rejected: string[] = [];
  for (const entry of (param ?? '').split(',')) {
    if (!entry.trim()) continue;
    const origin = normalizeOrigin(entry);
    if (origin) origins.add(origin);
    else rejected.push(entry.trim());
  }
  return { origins, rejected };
}

export function isAllowedOrigin(origin: string, allowlist: Allowlist): boolean {
  return origin !== 'null' && allowlist.origins.has(origin);
}

/**
 * The embedding page's origin as far as the browser tells before it says anything:
 * `location.ancestorOrigins[0]` (Chromium, Safari), else the referrer's origin. Returned
 * only when allowed, so unprompted events (`ready`, updates) never go anywhere else.
 */
export function initialHostOrigin(
  hints: { ancestorOrigin?: string | null; referrer?: string | null },
  allowlist: Allowlist,
): string | undefined {
  let origin = hints.ancestorOrigin ?? undefined;
  if (!origin && hints.referrer) {
    try {
      origin = new URL(hints.referrer).origin;
    } catch {
      origin = undefined;
    }
  }
  return origin && isAllowedOrigin(origin, allowlist) ? origin : undefined;
}
