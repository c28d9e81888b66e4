/**
 * Control-flow values a node or router can return: `Send` starts a task with its own
 * input; `Command` combines a state update with routing (and can route in the parent).
 */

/** Start one task of `node` with `arg` as its input instead of the shared state. */
export class Send<A = unknown> {
  readonly lg_name = 'Send';
  constructor(
    readonly node: string,
    readonly arg: A,
  ) {}
}

export type Goto = string | Send | Array<string | Send>;

export interface CommandParams<U = Record<string, unknown>, R = unknown> {
  /** Values to resume pending interrupts with: one value, or a map of interrupt id -> value. */
  resume?: R;
  /** A state update applied as this node's writes. */
  update?: U | Array<[string, unknown]>;
  /** Where to go next, in addition to the node's edges. */
  goto?: Goto;
  /** `Command.PARENT` to apply `update` and `goto` in the graph that contains this one. */
  graph?: string;
}

export class Command<U = Record<string, unknown>, R = unknown> {
  static readonly PARENT = '__parent__';
  readonly lg_name = 'Command';
  readonly resume?: R;
  readonly update?: U | Array<[string, unknown]>;
  readonly goto: Array<string | Send>;
  readonly graph?: string;

  constructor(params: CommandParams<U, R>) {
    this.resume = params.resume;
    this.update = params.update;
    this.graph = params.graph;
    const goto = params.goto;
    this.goto = goto === undefined ? [] : Array.isArray(goto) ? [...goto] : [goto];
  }
}

export function isCommand(value: unknown): value is Command {
  return value instanceof Command;
}

export function isSend(value: unknown): value is Send {
  return value instanceof Send;
}
