/** Errors thrown by the search algorithms. All extend `SearchError`. */

export class SearchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SearchError';
  }
}

/** A generator returned a score that is not a finite number in [0, 1]. */
export class InvalidScoreError extends SearchError {
  readonly score: unknown;
  constructor(score: unknown, where: string) {
    super(
      `${where} returned score ${describe(score)}; scores must be finite numbers in [0, 1] ` +
        '(scale or clamp your scorer).',
    );
    this.name = 'InvalidScoreError';
    this.score = score;
  }
}

/** `tell`/`cancel` with a trial id that was never asked, or was already told or cancelled. */
export class UnknownTrialError extends SearchError {
  readonly trialId: string;
  constructor(trialId: string) {
    super(`No pending trial "${trialId}": it was never asked, or was already told or cancelled.`);
    this.name = 'UnknownTrialError';
    this.trialId = trialId;
  }
}

/** The algorithm has nothing left to expand (e.g. ToT BFS reached its maximum depth). */
export class SearchExhaustedError extends SearchError {
  constructor(message: string) {
    super(message);
    this.name = 'SearchExhaustedError';
  }
}

function describe(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return `"${value}" (a string)`;
  return `${String(value)} (${value === null ? 'null' : typeof value})`;
}
