/**
 * Channels hold the graph's state between supersteps. Each kind decides how the writes
 * of one step combine: `LastValue` takes one write, `ReducerChannel` folds any number
 * through a reducer, `TriggerChannel` only records that a node was asked to run,
 * `BarrierChannel` waits for a set of named sources, `TopicChannel` collects `Send`s.
 *
 * A channel's `checkpoint()` is plain data and `restore()` rebuilds it, so a run can
 * continue from storage. Channels never keep references to values they did not create
 * except the values written to them (which the engine treats as immutable).
 */
import { InvalidUpdateError } from './errors.js';

/** Marks an empty channel in memory (never stored). */
export const EMPTY: unique symbol = Symbol('empty');
export type Empty = typeof EMPTY;

export interface Channel {
  /** Apply all writes of one step at once. Returns true when the value changed. */
  update(values: unknown[]): boolean;
  /** The current value; throws when empty (callers check `isAvailable`). */
  get(): unknown;
  isAvailable(): boolean;
  /** Plain data to store; `EMPTY` when there is nothing to store. */
  checkpoint(): unknown;
  /** Rebuild from stored data (or EMPTY). */
  restore(stored: unknown): void;
  /** Called when a task that this channel triggered runs. Returns true when it changed. */
  consume(): boolean;
  /** A fresh channel of the same kind and configuration, holding the same value. */
  copy(): Channel;
}

/** Shared by the two kinds of state channel: a value, or its default, or nothing. */
abstract class ValueChannel implements Channel {
  value: unknown = EMPTY;
  constructor(
    readonly key: string,
    protected readonly makeDefault?: () => unknown,
  ) {
    if (makeDefault) this.value = makeDefault();
  }
  abstract update(values: unknown[]): boolean;
  abstract copy(): Channel;
  get(): unknown {
    return this.value === EMPTY ? undefined : this.value;
  }
  isAvailable(): boolean {
    return this.value !== EMPTY;
  }
  checkpoint(): unknown {
    return this.value;
  }
  restore(stored: unknown): void {
    this.value = stored === EMPTY ? (this.makeDefault ? this.makeDefault() : EMPTY) : stored;
  }
  consume(): boolean {
    return false;
  }
}

/** A state key without reducer: one write per step, the last value wins across steps. */
export class LastValue extends ValueChannel {
  update(values: unknown[]): boolean {
    if (values.length === 0) return false;
    if (values.length > 1) {
      throw new InvalidUpdateError(
        `State key '${this.key}' received ${values.length} writes in one superstep, but it ` +
          'keeps only the last value. Give it a reducer in its Annotation (for example ' +
          '`Annotation<T[]>({ reducer: (a, b) => a.concat(b), default: () => [] })`) ' +
          'if several nodes may write it at once.',
        this.key,
      );
    }
    this.value = values[0];
    return true;
  }
  copy(): Channel {
    const c = new LastValue(this.key, this.makeDefault);
    c.value = this.value;
    return c;
  }
}

export type Reducer<V = unknown, U = unknown> = (current: V, update: U) => V;

/** A state key with a reducer: every write of a step is folded in, in task order. */
export class ReducerChannel extends ValueChannel {
  constructor(
    key: string,
    private readonly reducer: Reducer,
    makeDefault?: () => unknown,
  ) {
    super(key, makeDefault);
  }
  update(values: unknown[]): boolean {
    if (values.length === 0) return false;
    let i = 0;
    let acc = this.value;
    if (acc === EMPTY) {
      // No default: the first write becomes the initial value, like LangGraph.
      acc = values[0];
      i = 1;
    }
    for (; i < values.length; i++) acc = this.reducer(acc, values[i]);
    this.value = acc;
    return true;
  }
  copy(): Channel {
    const c = new ReducerChannel(this.key, this.reducer, this.makeDefault);
    c.value = this.value;
    return c;
  }
}

/** Records that a node was routed to. Several writes in a step collapse into one run. */
export class TriggerChannel implements Channel {
  private set = false;
  update(values: unknown[]): boolean {
    if (values.length === 0) return false;
    this.set = true;
    return true;
  }
  get(): unknown {
    return this.set ? true : undefined;
  }
  isAvailable(): boolean {
    return this.set;
  }
  checkpoint(): unknown {
    return this.set ? true : EMPTY;
  }
  restore(stored: unknown): void {
    this.set = stored === true;
  }
  consume(): boolean {
    if (!this.set) return false;
    this.set = false;
    return true;
  }
  copy(): Channel {
    const c = new TriggerChannel();
    c.set = this.set;
    return c;
  }
}

/** `addEdge([a, b], c)`: c runs once every source has finished since c last ran. */
export class BarrierChannel implements Channel {
  private seen = new Set<string>();
  constructor(readonly sources: readonly string[]) {}
  update(values: unknown[]): boolean {
    let changed = false;
    for (const v of values) {
      if (typeof v !== 'string' || !this.sources.includes(v)) {
        throw new InvalidUpdateError(
          `Join barrier got a write from unknown source '${String(v)}'.`,
        );
      }
      if (!this.seen.has(v)) {
        this.seen.add(v);
        changed = true;
      }
    }
    return changed;
  }
  get(): unknown {
    return this.isAvailable() ? true : undefined;
  }
  isAvailable(): boolean {
    return this.seen.size === this.sources.length;
  }
  checkpoint(): unknown {
    return this.seen.size ? [...this.seen].sort() : EMPTY;
  }
  restore(stored: unknown): void {
    this.seen = new Set(Array.isArray(stored) ? (stored as string[]) : []);
  }
  consume(): boolean {
    if (!this.isAvailable()) return false;
    this.seen.clear();
    return true;
  }
  copy(): Channel {
    const c = new BarrierChannel(this.sources);
    c.seen = new Set(this.seen);
    return c;
  }
}

/** A packet that starts one task: `Send(node, arg)` stored as plain data. */
export interface SendPacket {
  node: string;
  arg: unknown;
}

/** Collects `Send` packets written in one step; the next step consumes all of them. */
export class TopicChannel implements Channel {
  private packets: SendPacket[] = [];
  update(values: unknown[]): boolean {
    if (values.length === 0) return false;
    this.packets = this.packets.concat(values as SendPacket[]);
    return true;
  }
  get(): unknown {
    return this.packets;
  }
  isAvailable(): boolean {
    return this.packets.length > 0;
  }
  checkpoint(): unknown {
    return this.packets.length ? this.packets : EMPTY;
  }
  restore(stored: unknown): void {
    this.packets = Array.isArray(stored) ? (stored as SendPacket[]) : [];
  }
  consume(): boolean {
    if (this.packets.length === 0) return false;
    this.packets = [];
    return true;
  }
  copy(): Channel {
    const c = new TopicChannel();
    c.packets = this.packets;
    return c;
  }
}
