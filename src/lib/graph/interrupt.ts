/**
 * Human-in-the-loop plumbing. Browsers have no AsyncLocalStorage, so `interrupt` is a
 * method on the node's `runtime` rather than a free function: the runtime knows which
 * task is asking and which resume values that task has been given.
 */

/** A pending interrupt as users see it (in `getState().interrupts` and streams). */
export interface Interrupt<V = unknown> {
  /** Stable id; use it as a key in `Command({resume: {[id]: value}})`. */
  id: string;
  value: V;
}

/** Thrown inside a run to pause it. Not an error the user should ever catch. */
export class GraphInterrupt extends Error {
  readonly interrupts: Interrupt[];
  constructor(interrupts: Interrupt[]) {
    super(
      interrupts.length
        ? `Graph interrupted: ${interrupts.map((i) => i.id).join(', ')}`
        : 'Graph interrupted',
    );
    this.name = 'GraphInterrupt';
    this.interrupts = interrupts;
  }
}

export function isGraphInterrupt(error: unknown): error is GraphInterrupt {
  return error instanceof GraphInterrupt;
}
