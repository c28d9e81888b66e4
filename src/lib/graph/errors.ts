/**
 * Errors the graph engine raises. Each says what went wrong and where, so a user can
 * fix the graph or the input without reading the engine's source.
 */

/** The graph definition is invalid; raised by `compile()`. */
export class GraphValidationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GraphValidationError';
  }
}

/** More supersteps ran in one call than `recursionLimit` allows. */
export class GraphRecursionError extends Error {
  readonly limit: number;
  constructor(limit: number) {
    super(
      `Recursion limit of ${limit} supersteps reached without hitting a stop condition. ` +
        'Raise `recursionLimit` in the call config if the graph is meant to run longer, ' +
        'or check the routing for a loop that never reaches END.',
    );
    this.name = 'GraphRecursionError';
    this.limit = limit;
  }
}

/** A node or edge wrote something the state cannot accept. */
export class InvalidUpdateError extends Error {
  readonly channel?: string;
  constructor(message: string, channel?: string) {
    super(message);
    this.name = 'InvalidUpdateError';
    this.channel = channel;
  }
}

/** Raised when the run's `signal` aborts. `name` is 'AbortError' like the platform's. */
export class GraphAbortError extends Error {
  constructor(
    message = 'The graph run was aborted; state was kept at the last completed superstep.',
  ) {
    super(message);
    this.name = 'AbortError';
  }
}

/** Resuming needs something that is not there (no checkpointer, no pending interrupt…). */
export class GraphResumeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GraphResumeError';
  }
}

/** A thread already has a run in progress; wait for it or cancel it first. */
export class ThreadBusyError extends Error {
  readonly threadId: string;
  constructor(threadId: string) {
    super(
      `Thread '${threadId}' is already running. Wait for that run to finish or cancel it ` +
        'before starting another; two runs at once would fork the thread.',
    );
    this.name = 'ThreadBusyError';
    this.threadId = threadId;
  }
}

export function isAbortError(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { name?: unknown }).name === 'AbortError'
  );
}
