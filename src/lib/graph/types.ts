/**
 * Types shared by the builder and the executor.
 */
import type {
  BaseCheckpointSaver,
  CheckpointConfig,
  CheckpointMetadata,
} from '../checkpoint/types.js';
import type { Command } from './command.js';
import type { Interrupt } from './interrupt.js';

export type StreamMode =
  'values' | 'updates' | 'messages' | 'custom' | 'checkpoints' | 'tasks' | 'debug';

export interface RunConfig {
  configurable?: {
    thread_id?: string;
    checkpoint_id?: string;
    checkpoint_ns?: string;
    [key: string]: unknown;
  };
  /** Most supersteps one call may run (default 25). */
  recursionLimit?: number;
  /** Aborting stops the run at once; state stays at the last completed superstep. */
  signal?: AbortSignal;
  streamMode?: StreamMode | StreamMode[];
  /** Also stream events from inside subgraphs, tagged with their namespace. */
  subgraphs?: boolean;
  /** Per-call overrides of the compiled interrupt points. */
  interruptBefore?: string[] | '*';
  interruptAfter?: string[] | '*';
}

/** A piece of a model's output streamed while a node runs (the `messages` mode). */
export interface MessageChunk {
  /** Id of the message being produced; chunks with the same id belong together. */
  id: string;
  role?: string;
  /** Text delta. */
  content?: string;
  /** Reasoning delta from a thinking model. */
  reasoning?: string;
  tool_call_chunks?: Array<{ index: number; id?: string; name?: string; args?: string }>;
  [key: string]: unknown;
}

/** Metadata sent with each `messages` chunk: which node and step produced it. */
export interface MessageMetadata {
  langgraph_node: string;
  langgraph_step: number;
  langgraph_task_id: string;
  langgraph_checkpoint_ns: string;
  thread_id?: string;
}

/** What a node gets as its second argument. */
export interface Runtime {
  /** The call's config (thread id, user `configurable` values, recursion limit…). */
  readonly config: RunConfig;
  /** Aborted when the run is cancelled; pass it to fetches and model calls. */
  readonly signal: AbortSignal;
  /** Name of the running node, the superstep, the task id and checkpoint namespace. */
  readonly node: string;
  readonly step: number;
  readonly taskId: string;
  readonly namespace: string;
  /**
   * Pause the run and surface `value` to the caller. When the run is resumed with
   * `Command({resume})`, the node re-runs from its start and this call returns the resume
   * value. Several calls in one node are matched by order.
   */
  interrupt<R = unknown>(value: unknown): R;
  /** Emit a `custom` stream event. */
  write(event: unknown): void;
  /** Emit a `messages` stream chunk (the model layer calls this while tokens arrive). */
  writeMessage(chunk: MessageChunk): void;
}

export type NodeResult<U> = U | Command | null | undefined | void;
export type NodeFunction<S, U> = (
  state: S,
  runtime: Runtime,
) => NodeResult<U> | Promise<NodeResult<U>>;

export interface RetryPolicy {
  /** Attempts in total, including the first (default 3). */
  maxAttempts?: number;
  /** Milliseconds before the first retry (default 500). */
  initialInterval?: number;
  backoffFactor?: number;
  maxInterval?: number;
  /** Randomise each wait by up to ±25% so parallel retries spread out (default true). */
  jitter?: boolean;
  /** Which errors to retry (default: all but aborts, interrupts and graph errors). */
  retryOn?: (error: unknown) => boolean;
}

export interface NodeOptions {
  retry?: RetryPolicy;
  /** Nodes this node may route to with `Command({goto})`; used for validation and drawing. */
  ends?: string[];
  metadata?: Record<string, unknown>;
}

export type RouterResult =
  string | import('./command.js').Send | Array<string | import('./command.js').Send>;
export type Router<S> = (state: S, runtime: Runtime) => RouterResult | Promise<RouterResult>;

export interface CompileOptions {
  checkpointer?: BaseCheckpointSaver;
  interruptBefore?: string[] | '*';
  interruptAfter?: string[] | '*';
  name?: string;
}

export interface PregelTaskDescription {
  id: string;
  name: string;
  /** Pending interrupts this task raised. */
  interrupts: Interrupt[];
  /** The error this task failed with last time, if any. */
  error?: { name: string; message: string };
  /** Whether the task already finished inside a step that did not complete. */
  done?: boolean;
  /** The subgraph's own snapshot, for tasks that run a subgraph (getState subgraphs). */
  state?: StateSnapshot;
}

export interface StateSnapshot<S = Record<string, unknown>> {
  values: S;
  /** Nodes that run next when the thread continues. */
  next: string[];
  tasks: PregelTaskDescription[];
  /** All pending interrupts of the thread (from every task). */
  interrupts: Interrupt[];
  config: CheckpointConfig;
  metadata?: CheckpointMetadata;
  createdAt?: string;
  parentConfig?: CheckpointConfig;
}
