/**
 * Checkpoint data model and the saver interface every backend implements.
 *
 * Modelled on LangGraph's BaseCheckpointSaver: a checkpoint is an immutable snapshot of
 * every channel after one superstep, plus the bookkeeping (channel versions and the
 * versions each node has seen) that decides which nodes run next. Pending writes are
 * the outputs of tasks that finished inside a step that did not complete (an error, an
 * interrupt, an abort), kept so that resuming does not re-run them.
 *
 * This module is plain data: no UI, no model code, no classes revived from storage.
 */

/** Addresses a thread, a namespace inside it (subgraphs) and optionally one checkpoint. */
export interface CheckpointConfig {
  configurable: {
    thread_id: string;
    /** '' for the root graph; `node:taskId` segments joined by '|' for subgraphs. */
    checkpoint_ns?: string;
    checkpoint_id?: string;
    [key: string]: unknown;
  };
}

export type ChannelVersions = Record<string, number>;

export interface Checkpoint {
  /** Format version of this record; bumped when the shape changes. */
  v: number;
  /** Time-ordered, unique id: sorting ids sorts checkpoints by creation. */
  id: string;
  /** ISO timestamp of creation. */
  ts: string;
  channel_values: Record<string, unknown>;
  channel_versions: ChannelVersions;
  /** node name -> channel -> the version of that channel the node last consumed. */
  versions_seen: Record<string, ChannelVersions>;
}

export type CheckpointSource = 'input' | 'loop' | 'update' | 'fork';

export interface CheckpointMetadata {
  source: CheckpointSource;
  /** -1 for the input checkpoint, then 0, 1, 2 … for each superstep. */
  step: number;
  /** namespace -> parent checkpoint id (the checkpoint this one was derived from). */
  parents: Record<string, string>;
  /** What each node wrote in the step that produced this checkpoint. */
  writes?: Record<string, unknown> | null;
  [key: string]: unknown;
}

/** One write of a task: [channel, value]. */
export type PendingWrite = [channel: string, value: unknown];

/**
 * Where a write sits among its task's writes. Ordinary writes use their position
 * (0, 1, 2 …); the engine's bookkeeping channels get fixed negative slots so that a
 * task's error, interrupt and resume records replace only their own previous record.
 */
export const SPECIAL_WRITE_INDEX: Readonly<Record<string, number>> = {
  __error__: -1,
  __interrupt__: -3,
  __resume__: -4,
};

export function writeIndex(channel: string, position: number): number {
  return SPECIAL_WRITE_INDEX[channel] ?? position;
}

/** A write as stored: [taskId, channel, value]. */
export type CheckpointPendingWrite = [taskId: string, channel: string, value: unknown];

export interface CheckpointTuple {
  config: CheckpointConfig;
  checkpoint: Checkpoint;
  metadata: CheckpointMetadata;
  parentConfig?: CheckpointConfig;
  pendingWrites: CheckpointPendingWrite[];
}

export interface CheckpointListOptions {
  /** At most this many, newest first. */
  limit?: number;
  /** Only checkpoints created before this one (exclusive). */
  before?: CheckpointConfig;
  /** Only checkpoints whose metadata has these exact top-level values. */
  filter?: Record<string, unknown>;
}

/** Everything stored for one thread, in a form that survives JSON. */
export interface ThreadExport {
  format: 'agent-playground/thread';
  version: 1;
  thread_id: string;
  exported_at: string;
  checkpoints: Array<{
    checkpoint_ns: string;
    checkpoint: Checkpoint;
    metadata: CheckpointMetadata;
    parent_checkpoint_id: string | null;
    pending_writes: CheckpointPendingWrite[];
  }>;
}

export abstract class BaseCheckpointSaver {
  /**
   * The checkpoint addressed by `config`: the given `checkpoint_id`, or the newest of the
   * thread and namespace when none is given. Undefined when there is none. Treat what it
   * returns as read-only: MemorySaver returns its stored objects, not copies.
   */
  abstract getTuple(config: CheckpointConfig): Promise<CheckpointTuple | undefined>;

  /** Checkpoints of a thread and namespace, newest first. */
  abstract list(
    config: CheckpointConfig,
    options?: CheckpointListOptions,
  ): AsyncGenerator<CheckpointTuple>;

  /**
   * Store a checkpoint. `config` addresses its parent (its `checkpoint_id` becomes the
   * parent id). `newVersions` names the channels whose values changed since the parent,
   * so a saver may store only those. Returns the config addressing the new checkpoint.
   */
  abstract put(
    config: CheckpointConfig,
    checkpoint: Checkpoint,
    metadata: CheckpointMetadata,
    newVersions: ChannelVersions,
  ): Promise<CheckpointConfig>;

  /**
   * Store the writes of one task against the checkpoint `config` addresses. Calling again
   * for the same task replaces its writes position by position; a write to `__error__`,
   * `__scheduled__`, `__interrupt__` or `__resume__` replaces only the task's earlier write
   * to that same channel (see SPECIAL_WRITE_INDEX), so they accumulate side by side.
   */
  abstract putWrites(
    config: CheckpointConfig,
    writes: PendingWrite[],
    taskId: string,
  ): Promise<void>;

  /** Remove every checkpoint and write of a thread, in all namespaces. */
  abstract deleteThread(threadId: string): Promise<void>;

  /** Every thread id this saver holds. */
  abstract listThreads(): Promise<string[]>;

  /** All of a thread as JSON-safe data, for sharing a run. */
  abstract exportThread(threadId: string): Promise<ThreadExport>;

  /**
   * Import a thread exported by `exportThread`. The whole file is validated before
   * anything is written; a corrupt, truncated or foreign file is rejected with a
   * `CheckpointImportError` and existing data is left untouched.
   */
  abstract importThread(data: unknown, options?: { threadId?: string }): Promise<string>;
}

/** Thrown when an imported file is not a valid thread export. */
export class CheckpointImportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckpointImportError';
  }
}

/** Thrown when the storage layer fails (quota exhausted, blocked upgrade, closed DB). */
export class CheckpointStorageError extends Error {
  readonly kind: 'quota' | 'blocked' | 'version' | 'unknown';
  constructor(
    message: string,
    kind: CheckpointStorageError['kind'],
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CheckpointStorageError';
    this.kind = kind;
  }
}

export const CHECKPOINT_FORMAT_VERSION = 1;

let lastMillis = 0;
let sequence = 0;

/**
 * A time-ordered unique id shaped like a UUIDv7: 48 bits of milliseconds, a 12-bit
 * sequence that keeps ids created in the same millisecond in creation order, then
 * random bits. Lexicographic order equals creation order within one page.
 */
export function newCheckpointId(): string {
  let now = Date.now();
  if (now <= lastMillis) {
    sequence += 1;
    if (sequence > 0xfff) {
      // More than 4096 ids in one millisecond: borrow the next millisecond.
      lastMillis += 1;
      sequence = 0;
    }
    now = lastMillis;
  } else {
    lastMillis = now;
    sequence = 0;
  }
  const time = now.toString(16).padStart(12, '0');
  const seq = sequence.toString(16).padStart(3, '0');
  const rand = new Uint8Array(8);
  crypto.getRandomValues(rand);
  const r = Array.from(rand, (b) => b.toString(16).padStart(2, '0')).join('');
  const variant = ((parseInt(r.slice(0, 1), 16) & 0x3) | 0x8).toString(16);
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${seq}-${variant}${r.slice(1, 4)}-${r.slice(4, 16)}`;
}

export function emptyCheckpoint(): Checkpoint {
  return {
    v: CHECKPOINT_FORMAT_VERSION,
    id: newCheckpointId(),
    ts: new Date().toISOString(),
    channel_values: {},
    channel_versions: {},
    versions_seen: {},
  };
}

export function threadIdOf(config: CheckpointConfig): string {
  const id = config?.configurable?.thread_id;
  if (typeof id !== 'string' || id === '') {
    throw new TypeError('A checkpointer needs `configurable.thread_id` (a non-empty string).');
  }
  return id;
}

export function namespaceOf(config: CheckpointConfig): string {
  return config.configurable.checkpoint_ns ?? '';
}
