/**
 * Stop strings over decoded text. Stop strings rarely align with token boundaries
 * ("\n\nUser:" may arrive as "\n", "\nUs", "er:"), so the matcher works on text: it
 * holds back any tail that could still become a stop string, so the user never sees a
 * partial stop string, and reports the first complete match. The stop string itself is
 * not part of the output (OpenAI semantics).
 *
 * In a decode loop it sits first, on the raw decoded text; its `text` output then goes to
 * the thinking / tool-call parser.
 */

export interface StopStringResult {
  /** Text that is safe to show now. */
  text: string;
  /** A stop string was found: generation should end; later pushes return nothing. */
  stopped: boolean;
  /** Which stop string matched. */
  stop?: string;
}

export class StopStringMatcher {
  private readonly stops: readonly string[];
  private readonly longest: number;
  private held = '';
  private done = false;
  private matched: string | undefined;

  constructor(stops: readonly string[] = []) {
    // Empty strings would match everywhere; they are ignored rather than stopping at once.
    this.stops = [...new Set(stops.filter((s) => typeof s === 'string' && s.length > 0))];
    this.longest = this.stops.reduce((m, s) => Math.max(m, s.length), 0);
  }

  /** True once a stop string matched. */
  get stopped(): boolean {
    return this.done;
  }

  /** The stop string that matched, if any. */
  get matchedStop(): string | undefined {
    return this.matched;
  }

  /** Characters currently held back (a possible start of a stop string). */
  get heldText(): string {
    return this.held;
  }

  push(delta: string): StopStringResult {
    if (this.done) return { text: '', stopped: true, stop: this.matched };
    if (this.stops.length === 0) return { text: delta, stopped: false };
    const buffer = this.held + delta;
    // The earliest match wins; at the same position, the longer stop string.
    let at = -1;
    let which: string | undefined;
    for (const stop of this.stops) {
      const i = buffer.indexOf(stop);
      if (i >= 0 && (at < 0 || i < at || (i === at && stop.length > (which as string).length))) {
        at = i;
        which = stop;
      }
    }
    if (at >= 0) {
      this.done = true;
      this.matched = which;
      this.held = '';
      return { text: buffer.slice(0, at), stopped: true, stop: which };
    }
    const hold = this.holdLength(buffer);
    this.held = buffer.slice(buffer.length - hold);
    return { text: buffer.slice(0, buffer.length - hold), stopped: false };
  }

  /** At the end of generation: whatever was held back was not a stop string after all. */
  flush(): string {
    if (this.done) return '';
    const text = this.held;
    this.held = '';
    return text;
  }

  /** Longest suffix of `buffer` that is a proper prefix of some stop string. */
  private holdLength(buffer: string): number {
    for (let k = Math.min(buffer.length, this.longest - 1); k > 0; k--) {
      const suffix = buffer.slice(buffer.length - k);
      if (this.stops.some((s) => s.length > k && s.startsWith(suffix))) return k;
    }
    return 0;
  }
}
