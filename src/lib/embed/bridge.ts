/**
 * The embedded demo's end of the `postMessage` protocol (see `protocol.ts`): checks where a
 * message comes from, validates it, hands it to the page, and posts the page's events to
 * the host. DOM-free: the route passes in `window.parent` and its `message` events, so the
 * unit tests drive it with plain objects.
 */
import {
  isAllowedOrigin,
  isProtocolMessage,
  parseHostMessage,
  type Allowlist,
  type EmbedEvent,
  type EventMessage,
  type HostMessage,
  type JsonValue,
  type RunProgress,
} from './protocol';

/** `window.parent`, or anything with its `postMessage(message, targetOrigin)`. */
export interface MessageTarget {
  postMessage(message: unknown, targetOrigin: string): void;
}

/** What the bridge needs from a `MessageEvent`. */
export interface IncomingMessage {
  data: unknown;
  origin: string;
  source: unknown;
}

/** The page's side. Each returns a reason when it cannot act now (sent back as `rejected`). */
export interface EmbedHandlers {
  run(message: string): string | undefined;
  resume(answers: Record<string, JsonValue>): string | undefined;
  cancel(): string | undefined;
}

export interface EmbedBridgeOptions {
  /** The embedding window; null when the page is not in a frame (then nothing is posted). */
  parent: MessageTarget | null;
  allowlist: Allowlist;
  /** The host's origin if the browser told it (see `initialHostOrigin`); must be allowed. */
  hostOrigin?: string;
  handlers: EmbedHandlers;
  /** Least time between two `update` events with the same status (ms). */
  updateInterval?: number;
  warn?: (message: string) => void;
}

/** Structured clone fails on functions and the like; a JSON copy keeps what a host can use. */
function cloneable(message: EventMessage): unknown {
  try {
    structuredClone(message);
    return message;
  } catch {
    return JSON.parse(JSON.stringify(message)) as unknown;
  }
}

export class EmbedBridge {
  /** Protocol messages dropped because of their origin or source window. */
  ignored = 0;
  /** Protocol messages from the host that failed validation. */
  malformed = 0;

  private hostOrigin: string | undefined;
  private ready: Extract<EmbedEvent, { type: 'ready' }> | undefined;
  private warnedIgnored = false;
  private readonly warn: (message: string) => void;
  private readonly interval: number;
  private lastUpdate: RunProgress | undefined;
  private lastUpdateKey: string | undefined;
  private lastUpdateStatus: string | undefined;
  private lastUpdateAt = -Infinity;
  private pendingUpdate: RunProgress | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly options: EmbedBridgeOptions) {
    this.warn = options.warn ?? ((message) => console.warn(message));
    this.interval = options.updateInterval ?? 200;
    const hint = options.hostOrigin;
    this.hostOrigin = hint && isAllowedOrigin(hint, options.allowlist) ? hint : undefined;
  }

  /** The origin events go to, once known. */
  get target(): string | undefined {
    return this.hostOrigin;
  }

  /**
   * Handles one `message` event. Returns the host message acted on, or null when the
   * message was ignored (not ours, wrong origin or window, malformed).
   */
  handle(event: IncomingMessage): HostMessage | null {
    if (!isProtocolMessage(event.data)) return null; // other scripts' messages
    const { parent, allowlist } = this.options;
    if (!parent || event.source !== parent || !isAllowedOrigin(event.origin, allowlist)) {
      this.ignored++;
      if (!this.warnedIgnored) {
        this.warnedIgnored = true;
        this.warn(
          `agent-playground embed: ignored a message from ${event.origin}` +
            (event.source !== parent ? ' (not the embedding window)' : ' (origin not allowed)') +
            `; allowed origins: ${[...allowlist.origins].join(', ')}. Further ones are counted, not logged.`,
        );
      }
      return null;
    }
    // a message from the parent tells its current origin exactly
    this.hostOrigin = event.origin;
    const parsed = parseHostMessage(event.data);
    if (!parsed.ok) {
      this.malformed++;
      this.warn(`agent-playground embed: malformed message (${parsed.reason})`);
      this.emit({
        type: 'rejected',
        request: String((event.data as { type: string }).type),
        reason: `malformed: ${parsed.reason}`,
      });
      return null;
    }
    const message = parsed.message;
    let refusal: string | undefined;
    switch (message.type) {
      case 'agent-playground:hello':
        // otherwise `ready` follows once loaded
        if (this.ready) this.emit(this.ready);
        if (this.lastUpdate) this.emit({ type: 'update', ...this.lastUpdate });
        break;
      case 'agent-playground:run':
        refusal = this.options.handlers.run(message.message);
        break;
      case 'agent-playground:resume':
        refusal = this.options.handlers.resume(message.answers);
        break;
      case 'agent-playground:cancel':
        refusal = this.options.handlers.cancel();
        break;
    }
    if (refusal !== undefined) {
      this.emit({ type: 'rejected', request: message.type, reason: refusal });
      return null;
    }
    return message;
  }

  /** Posts an event to the host (only to its exact, allowed origin; dropped while unknown). */
  emit(event: EmbedEvent): void {
    if (event.type === 'ready') this.ready = event;
    const { parent } = this.options;
    if (!parent || !this.hostOrigin) return;
    parent.postMessage(cloneable({ type: 'agent-playground:event', event }), this.hostOrigin);
  }

  /**
   * Reports the page's progress as `update` events: unchanged progress is not sent again,
   * a status change goes out at once, other changes at most once per interval (the last
   * one always arrives).
   */
  progress(progress: RunProgress): void {
    const key = JSON.stringify(progress);
    if (key === this.lastUpdateKey && !this.pendingUpdate) return;
    this.pendingUpdate = progress;
    const due = this.lastUpdateAt + this.interval;
    const now = Date.now();
    if (progress.status !== this.lastUpdateStatus || now >= due) {
      this.flush();
    } else if (this.timer === undefined) {
      this.timer = setTimeout(() => this.flush(), due - now);
    }
  }

  private flush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const progress = this.pendingUpdate;
    this.pendingUpdate = undefined;
    if (!progress) return;
    const key = JSON.stringify(progress);
    if (key === this.lastUpdateKey) return;
    this.lastUpdate = progress;
    this.lastUpdateKey = key;
    this.lastUpdateStatus = progress.status;
    this.lastUpdateAt = Date.now();
    this.emit({ type: 'update', ...progress });
  }

  dispose(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.pendingUpdate = undefined;
  }
}
