/**
 * Reasoning traces: `<think>…</think>` at the start of a thinking model's output goes to a
 * separate `reasoning` field, and a token budget can cut the trace short.
 *
 * - `ThinkingStreamParser` / `splitThinking`: text in, reasoning and answer text out, with
 *   tags split across deltas handled and no partial tag shown. Only a `<think>` block at the
 *   very start (after optional whitespace) counts, as Qwen3 and DeepSeek-R1 write it; a
 *   `<think>` later in the answer is ordinary text. When the chat template pre-filled
 *   `<think>` in the prompt, pass `startsInThinking`.
 * - `ThinkingBudget`: budget forcing, the recipe from the Qwen documentation. After N
 *   reasoning tokens the decode loop appends a hand-off sentence and `</think>` and keeps
 *   decoding, so the model answers from the thinking it has done.
 */

export const THINK_OPEN = '<think>';
export const THINK_CLOSE = '</think>';

/** The hand-off the Qwen documentation uses for budget forcing. */
export const DEFAULT_THINKING_HANDOFF =
  '\n\nConsidering the limited time, I have to give the solution based on the thinking directly now.\n</think>\n\n';

export type ThinkingStreamEvent =
  { type: 'reasoning'; text: string } | { type: 'text'; text: string };

export interface ThinkingSplit {
  /** Trimmed reasoning; undefined when the output had no (or an empty) thinking block. */
  reasoning?: string;
  /** Trimmed answer text after `</think>` (or the whole output when there was no block). */
  content: string;
  /** The output ended before `</think>`. */
  unclosed: boolean;
}

export interface ThinkingParseOptions {
  startsInThinking?: boolean;
}

type ParsePhase = 'start' | 'reasoning' | 'content';

export class ThinkingStreamParser {
  private phase: ParsePhase;
  private pending = '';
  private reasoning = '';
  private content = '';
  private sawBlock: boolean;
  private finished = false;

  constructor(options: ThinkingParseOptions = {}) {
    this.phase = options.startsInThinking ? 'reasoning' : 'start';
    this.sawBlock = Boolean(options.startsInThinking);
  }

  push(delta: string): ThinkingStreamEvent[] {
    const events: ThinkingStreamEvent[] = [];
    if (this.finished || typeof delta !== 'string' || delta === '') return events;
    let rest = this.pending + delta;
    this.pending = '';
    while (rest !== '') rest = this.step(rest, events);
    return events;
  }

  finish(): { events: ThinkingStreamEvent[]; result: ThinkingSplit } {
    const events: ThinkingStreamEvent[] = [];
    if (!this.finished) {
      if (this.pending) {
        // Whatever was held back never became a tag: it is plain text of its phase.
        if (this.phase === 'reasoning') this.emitReasoning(this.pending, events);
        else this.emitText(this.pending, events);
        this.pending = '';
      }
      this.finished = true;
    }
    const reasoning = this.reasoning.trim();
    return {
      events,
      result: {
        reasoning: this.sawBlock && reasoning !== '' ? reasoning : undefined,
        content: this.content.trim(),
        unclosed: this.phase === 'reasoning',
      },
    };
  }

  /** Handles `text` in the current phase; returns what is left for the next phase. */
  private step(text: string, events: ThinkingStreamEvent[]): string {
    switch (this.phase) {
      case 'start': {
        const head = text.trimStart();
        if (head.startsWith(THINK_OPEN)) {
          this.phase = 'reasoning';
          this.sawBlock = true;
          return head.slice(THINK_OPEN.length);
        }
        if (head === '' || THINK_OPEN.startsWith(head)) {
          this.pending = text; // Not decided yet: whitespace or a partial `<think>`.
          return '';
        }
        this.phase = 'content';
        return text;
      }
      case 'reasoning': {
        const close = text.indexOf(THINK_CLOSE);
        if (close >= 0) {
          this.emitReasoning(text.slice(0, close), events);
          this.phase = 'content';
          return text.slice(close + THINK_CLOSE.length);
        }
        const hold = partialSuffixLength(text, THINK_CLOSE);
        this.emitReasoning(text.slice(0, text.length - hold), events);
        this.pending = text.slice(text.length - hold);
        return '';
      }
      case 'content':
        this.emitText(text, events);
        return '';
    }
  }

  private emitReasoning(text: string, events: ThinkingStreamEvent[]): void {
    if (!text) return;
    this.reasoning += text;
    events.push({ type: 'reasoning', text });
  }

  private emitText(text: string, events: ThinkingStreamEvent[]): void {
    if (!text) return;
    this.content += text;
    events.push({ type: 'text', text });
  }
}

/** Batch form of `ThinkingStreamParser`. Never throws. */
export function splitThinking(text: string, options: ThinkingParseOptions = {}): ThinkingSplit {
  const parser = new ThinkingStreamParser(options);
  parser.push(text);
  return parser.finish().result;
}

/** Length of the longest suffix of `text` that is a proper prefix of `tag`. */
function partialSuffixLength(text: string, tag: string): number {
  for (let k = Math.min(text.length, tag.length - 1); k > 0; k--) {
    if (tag.startsWith(text.slice(text.length - k))) return k;
  }
  return 0;
}

// ---------------------------------------------------------------------------------------
// Budget forcing
// ---------------------------------------------------------------------------------------

export type BudgetAction = { action: 'continue' } | { action: 'force'; text: string };

export interface ThinkingBudgetOptions {
  /** Reasoning tokens allowed; the N-th one triggers the hand-off. 0 = hand off at once. */
  budgetTokens: number;
  handoffText?: string;
  /** The prompt ends with `<think>` (template pre-fill): the first token is already reasoning. */
  startsInThinking?: boolean;
}

export type BudgetPhase = 'before' | 'thinking' | 'answer';

const CONTINUE: BudgetAction = Object.freeze({ action: 'continue' });

/**
 * The decode loop asks this after every sampled token. On `{action: 'force', text}` it
 * appends `text` to the sequence (tokenize it, feed those tokens to the model as a prefill,
 * and pass the text through the output parser so the `</think>` is seen there too), then
 * keeps sampling the answer. Tokens of the hand-off need not be passed to `onToken`.
 *
 * Counted as reasoning: every token after `<think>` (or from the first token with
 * `startsInThinking`) that does not contain `</think>`. Tags split across tokens are
 * recognised; the model closing the trace itself means no forcing.
 */
export class ThinkingBudget {
  readonly budgetTokens: number;
  readonly handoffText: string;
  private currentPhase: BudgetPhase;
  private count = 0;
  private wasForced = false;
  /** Recent text, long enough to see a tag split across tokens. */
  private tail = '';

  constructor(options: ThinkingBudgetOptions) {
    const budget = options.budgetTokens;
    if (!Number.isInteger(budget) || budget < 0) {
      throw new RangeError(`budgetTokens must be a non-negative integer, got ${budget}`);
    }
    this.budgetTokens = budget;
    this.handoffText = options.handoffText ?? DEFAULT_THINKING_HANDOFF;
    this.currentPhase = options.startsInThinking ? 'thinking' : 'before';
  }

  get phase(): BudgetPhase {
    return this.currentPhase;
  }

  /** Reasoning tokens counted so far. */
  get reasoningTokens(): number {
    return this.count;
  }

  /** The hand-off was appended (the model did not close the trace itself). */
  get forced(): boolean {
    return this.wasForced;
  }

  /**
   * Call once before the first token: with a zero budget and a pre-filled `<think>`, the
   * hand-off goes in before the model writes anything.
   */
  start(): BudgetAction {
    return this.currentPhase === 'thinking' && this.budgetTokens === 0 && this.count === 0
      ? this.force()
      : CONTINUE;
  }

  onToken(tokenText: string): BudgetAction {
    switch (this.currentPhase) {
      case 'answer':
        return CONTINUE;
      case 'before': {
        this.tail += tokenText;
        const open = this.tail.indexOf(THINK_OPEN);
        if (open >= 0) {
          this.currentPhase = 'thinking';
          this.tail = this.tail.slice(open + THINK_OPEN.length);
          if (this.tail.includes(THINK_CLOSE)) {
            this.currentPhase = 'answer';
            return CONTINUE;
          }
          return this.budgetTokens === 0 ? this.force() : CONTINUE;
        }
        const head = this.tail.trimStart();
        if (head !== '' && !THINK_OPEN.startsWith(head)) this.currentPhase = 'answer';
        return CONTINUE;
      }
      case 'thinking': {
        this.tail = (this.tail + tokenText).slice(-(THINK_CLOSE.length + tokenText.length));
        if (this.tail.includes(THINK_CLOSE)) {
          this.currentPhase = 'answer';
          return CONTINUE;
        }
        this.count++;
        return this.count >= this.budgetTokens ? this.force() : CONTINUE;
      }
    }
  }

  private force(): BudgetAction {
    this.currentPhase = 'answer';
    this.wasForced = true;
    return { action: 'force', text: this.handoffText };
  }
}
