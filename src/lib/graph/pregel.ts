/**
 * Running a compiled graph: bulk-synchronous supersteps over channels (the Pregel model
 * LangGraph uses). In each step every triggered node runs concurrently on the same
 * snapshot of the state; their writes are applied together when all have finished, one
 * `update` per channel in task order, and the result is saved as one checkpoint.
 *
 * The loop, in words:
 *   load the thread's checkpoint → apply the input (or resume values) →
 *   repeat { prepare tasks from triggered channels → maybe pause (interruptBefore) →
 *            run tasks → apply writes → save checkpoint → maybe pause (interruptAfter) }
 *   until no node is triggered.
 */
import {
  newCheckpointId,
  type BaseCheckpointSaver,
  type Checkpoint,
  type CheckpointConfig,
  type CheckpointMetadata,
  type CheckpointPendingWrite,
  type CheckpointTuple,
  type ChannelVersions,
  type CheckpointListOptions,
  type PendingWrite,
} from '../checkpoint/types.js';
import type { StateOf, StateSpec } from './annotation.js';
import {
  BarrierChannel,
  EMPTY,
  LastValue,
  ReducerChannel,
  TopicChannel,
  TriggerChannel,
  type Channel,
  type SendPacket,
} from './channels.js';
import { Command, Send, isCommand, isSend } from './command.js';
import {
  BRANCH_PREFIX,
  END,
  ERROR,
  INTERRUPT,
  JOIN_PREFIX,
  NO_WRITES,
  NS_END,
  NS_SEP,
  RESUME,
  START,
  TASKS_CHANNEL,
} from './constants.js';
import { drawGraph, toMermaid, type DrawableGraph } from './drawing.js';
import {
  GraphAbortError,
  GraphRecursionError,
  GraphResumeError,
  InvalidUpdateError,
  isAbortError,
  GraphValidationError,
  ThreadBusyError,
} from './errors.js';
import { stableId } from './hash.js';
import { GraphInterrupt, isGraphInterrupt, type Interrupt } from './interrupt.js';
import { looksLikeMessage } from './messages.js';
import type { BranchSpec, GraphDefinition, NodeSpec } from './state-graph.js';
import type {
  CompileOptions,
  MessageChunk,
  MessageMetadata,
  PregelTaskDescription,
  RunConfig,
  Runtime,
  StateSnapshot,
  StreamMode,
} from './types.js';

const DEFAULT_RECURSION_LIMIT = 25;

/** saver -> `thread|namespace` keys with a root run in progress. */
const runningThreads = new WeakMap<BaseCheckpointSaver, Set<string>>();

/** Raised from inside a subgraph to make its parent apply a Command. */
class ParentCommand extends Error {
  constructor(readonly command: Command) {
    super('Command.PARENT raised to the parent graph');
    this.name = 'ParentCommand';
  }
}

/** Where an event came from (subgraph namespace segments) and how the root routes it. */
type Emitter = (namespace: string[], mode: StreamMode, payload: unknown) => void;

interface Task {
  id: string;
  name: string;
  kind: 'pull' | 'push';
  /** The shared state snapshot (pull) or the Send argument (push). */
  input: unknown;
  triggers: string[];
  node: NodeSpec;
}

interface TaskOutcome {
  task: Task;
  status: 'done' | 'interrupted' | 'failed' | 'parent';
  writes: PendingWrite[];
  /** What the node returned, as users see it in `updates` (null when nothing). */
  update: unknown;
  interrupts: Interrupt[];
  error?: unknown;
  parentCommand?: Command;
  /** True when the outcome came from pending writes of an earlier attempt. */
  cached?: boolean;
}

/** What one invocation of the loop knows about where it runs. */
interface RunContext {
  saver?: BaseCheckpointSaver;
  threadId?: string;
  ns: string;
  nsPath: string[];
  emit: Emitter;
  wants: (mode: StreamMode) => boolean;
  signal: AbortSignal;
  config: RunConfig;
  recursionLimit: number;
  isSubgraph: boolean;
  /** For subgraphs: the parent's checkpoint id, recorded in metadata.parents. */
  parentCheckpoint?: { ns: string; id: string };
  interruptBefore?: string[] | '*';
  interruptAfter?: string[] | '*';
}

/** Pending writes of one checkpoint, sorted by task. */
interface PendingByTask {
  done: Map<string, PendingWrite[]>;
  interrupts: Map<string, Interrupt[]>;
  errors: Map<string, { name: string; message: string }>;
  resume: Map<string, Record<string, unknown>>;
}

/** The loop's working state: channels plus the bookkeeping stored in a checkpoint. */
interface LoopState {
  channels: Map<string, Channel>;
  versions: ChannelVersions;
  seen: Record<string, ChannelVersions>;
  /** The last saved (or in-memory) checkpoint. */
  checkpointId: string;
  step: number;
  /** Config addressing the current checkpoint (undefined before the first one). */
  config?: CheckpointConfig;
  pending: PendingByTask;
  newVersions: ChannelVersions;
}

function emptyPending(): PendingByTask {
  return { done: new Map(), interrupts: new Map(), errors: new Map(), resume: new Map() };
}

function organizePendingWrites(writes: CheckpointPendingWrite[]): PendingByTask {
  const out = emptyPending();
  for (const [taskId, channel, value] of writes) {
    if (channel === INTERRUPT) out.interrupts.set(taskId, value as Interrupt[]);
    else if (channel === ERROR) out.errors.set(taskId, value as { name: string; message: string });
    else if (channel === RESUME) out.resume.set(taskId, value as Record<string, unknown>);
    else {
      let list = out.done.get(taskId);
      if (!list) out.done.set(taskId, (list = []));
      if (channel !== NO_WRITES) list.push([channel, value]);
    }
  }
  return out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return `a ${(value as object).constructor?.name ?? 'object'}`;
  return `a ${typeof value}`;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new GraphAbortError());
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new GraphAbortError());
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function defaultRetryOn(error: unknown): boolean {
  if (isAbortError(error) || isGraphInterrupt(error) || error instanceof ParentCommand)
    return false;
  if (
    error instanceof InvalidUpdateError ||
    error instanceof GraphValidationError ||
    error instanceof GraphRecursionError ||
    error instanceof GraphResumeError
  ) {
    return false;
  }
  // Programming mistakes do not fix themselves on a second try.
  if (
    error instanceof TypeError ||
    error instanceof SyntaxError ||
    error instanceof ReferenceError
  ) {
    return false;
  }
  return true;
}

function failedOutcome(task: Task, error: unknown): TaskOutcome {
  return { task, status: 'failed', writes: [], update: null, interrupts: [], error };
}

function matchesInterruptList(list: string[] | '*' | undefined, name: string): boolean {
  if (!list) return false;
  return list === '*' || list.includes(name);
}

function channelPayload(value: unknown): unknown {
  return value === EMPTY ? undefined : value;
}

export class CompiledStateGraph<S extends StateSpec> {
  readonly lg_name = 'CompiledStateGraph';
  readonly name: string;
  readonly checkpointer?: BaseCheckpointSaver;
  private readonly interruptBefore?: string[] | '*';
  private readonly interruptAfter?: string[] | '*';

  private readonly stateKeys: string[];
  private readonly stateKeySet: Set<string>;
  private readonly nodeNames: string[];
  /** node -> channels whose update makes it run */
  private readonly triggersOf = new Map<string, string[]>();
  /** node -> trigger channels its fixed edges write */
  private readonly edgeWritesOf = new Map<string, string[]>();
  private readonly branchesOf = new Map<string, BranchSpec[]>();
  private readonly makeChannel = new Map<string, () => Channel>();

  constructor(
    readonly definition: GraphDefinition,
    options: CompileOptions = {},
  ) {
    this.name = options.name ?? 'LangGraph';
    this.checkpointer = options.checkpointer;
    this.interruptBefore = options.interruptBefore;
    this.interruptAfter = options.interruptAfter;
    this.stateKeys = Object.keys(definition.spec);
    this.stateKeySet = new Set(this.stateKeys);
    this.nodeNames = [...definition.nodes.keys()];

    for (const key of this.stateKeys) {
      const spec = definition.spec[key];
      this.makeChannel.set(key, () =>
        spec.reducer
          ? new ReducerChannel(key, spec.reducer, spec.default)
          : new LastValue(key, spec.default),
      );
    }
    this.makeChannel.set(TASKS_CHANNEL, () => new TopicChannel());
    for (const name of this.nodeNames) {
      const channel = BRANCH_PREFIX + name;
      this.makeChannel.set(channel, () => new TriggerChannel());
      this.triggersOf.set(name, [channel]);
      this.edgeWritesOf.set(name, []);
      this.branchesOf.set(name, []);
    }
    this.edgeWritesOf.set(START, []);
    this.branchesOf.set(START, []);
    for (const [src, dst] of definition.edges) {
      if (dst !== END) this.edgeWritesOf.get(src)?.push(BRANCH_PREFIX + dst);
    }
    for (const [sources, dst] of definition.waitingEdges) {
      const channel = `${JOIN_PREFIX}${sources.join('+')}${NS_END}${dst}`;
      const frozen = [...sources];
      this.makeChannel.set(channel, () => new BarrierChannel(frozen));
      if (dst !== END) this.triggersOf.get(dst)?.push(channel);
      for (const src of sources) this.edgeWritesOf.get(src)?.push(channel);
    }
    for (const branch of definition.branches) this.branchesOf.get(branch.source)?.push(branch);
  }

  // ------------------------------------------------------------------ public API

  /** Run to completion (or to an interrupt) and return the final state. */
  async invoke(
    input: Partial<StateOf<S>> | Command | null | undefined,
    config: RunConfig = {},
  ): Promise<StateOf<S> & { __interrupt__?: Interrupt[] }> {
    const signal = config.signal ?? new AbortController().signal;
    const ctx = this.rootContext(config, signal, () => {}, new Set());
    const { values, interrupts } = await this.execute(input, ctx);
    const out = values as StateOf<S> & { __interrupt__?: Interrupt[] };
    if (interrupts) out[INTERRUPT] = interrupts;
    return out;
  }

  /**
   * Stream a run. With one mode, yields that mode's payloads; with a list of modes,
   * yields `[mode, payload]`; with `subgraphs: true`, yields `[namespace, mode, payload]`
   * (or `[namespace, payload]` for a single mode). Breaking out of the loop cancels the run.
   */
  async *stream(
    input: Partial<StateOf<S>> | Command | null | undefined,
    config: RunConfig = {},
  ): AsyncGenerator<unknown> {
    const requested = config.streamMode ?? 'values';
    const modes = new Set<StreamMode>(Array.isArray(requested) ? requested : [requested]);
    const multi = Array.isArray(requested);
    const subgraphs = config.subgraphs === true;

    const controller = new AbortController();
    const userSignal = config.signal;
    const forwardAbort = () => controller.abort(userSignal?.reason);
    if (userSignal?.aborted) controller.abort(userSignal.reason);
    else userSignal?.addEventListener('abort', forwardAbort, { once: true });

    const queue: unknown[] = [];
    let head = 0;
    let wake: (() => void) | null = null;
    let finished = false;
    let failure: unknown = undefined;

    const emit: Emitter = (namespace, mode, payload) => {
      if (!modes.has(mode)) return;
      if (namespace.length && !subgraphs && mode !== 'messages' && mode !== 'custom') return;
      let chunk: unknown;
      if (subgraphs) chunk = multi ? [namespace, mode, payload] : [namespace, payload];
      else chunk = multi ? [mode, payload] : payload;
      queue.push(chunk);
      if (wake) {
        const w = wake;
        wake = null;
        w();
      }
    };
    const ctx = this.rootContext(config, controller.signal, emit, modes);
    const running = this.execute(input, ctx).then(
      () => {
        finished = true;
        wake?.();
      },
      (error) => {
        failure = error;
        finished = true;
        wake?.();
      },
    );
    try {
      while (true) {
        if (head < queue.length) {
          const chunk = queue[head];
          queue[head++] = undefined;
          if (head > 1024 && head * 2 > queue.length) {
            queue.splice(0, head);
            head = 0;
          }
          yield chunk;
          continue;
        }
        if (finished) break;
        await new Promise<void>((resolve) => (wake = resolve));
      }
      if (failure !== undefined) throw failure;
    } finally {
      userSignal?.removeEventListener('abort', forwardAbort);
      if (!finished) {
        controller.abort(
          new GraphAbortError('The stream consumer stopped reading; the run was cancelled.'),
        );
        await running;
      }
    }
  }

  /** The state of a thread at its newest checkpoint, or at `configurable.checkpoint_id`. */
  async getState(
    config: RunConfig,
    options: { subgraphs?: boolean } = {},
  ): Promise<StateSnapshot<StateOf<S>>> {
    const saver = this.requireSaver('getState');
    const tuple = await saver.getTuple(this.checkpointConfig(config));
    if (!tuple) {
      return {
        values: {} as StateOf<S>,
        next: [],
        tasks: [],
        interrupts: [],
        config: this.checkpointConfig(config),
      };
    }
    return this.snapshotFromTuple(tuple, options.subgraphs === true);
  }

  /** Every checkpoint of a thread, newest first. */
  async *getStateHistory(
    config: RunConfig,
    options: CheckpointListOptions = {},
  ): AsyncGenerator<StateSnapshot<StateOf<S>>> {
    const saver = this.requireSaver('getStateHistory');
    const base = this.checkpointConfig(config);
    delete base.configurable.checkpoint_id;
    for await (const tuple of saver.list(base, options)) {
      yield await this.snapshotFromTuple(tuple, false);
    }
  }

  /**
   * Write `values` as if node `asNode` had returned them, creating a new checkpoint
   * (source `update`) whose parent is the checkpoint `config` addresses. With `asNode`,
   * that node's edges are followed as if it had just run, so the thread continues from
   * there; without it, the values change and the pending nodes stay as they were.
   * The old checkpoints are untouched: this is how forks and "edit and re-run" work.
   */
  async updateState(
    config: RunConfig,
    values: Record<string, unknown> | Command | null,
    asNode?: string,
  ): Promise<CheckpointConfig> {
    const saver = this.requireSaver('updateState');
    const address = this.checkpointConfig(config);
    if (address.configurable.checkpoint_id === undefined) delete address.configurable.checkpoint_id;
    const tuple = await saver.getTuple(address);
    if (config.configurable?.checkpoint_id && !tuple) {
      throw new GraphResumeError(
        `Thread '${address.configurable.thread_id}' has no checkpoint '${config.configurable.checkpoint_id}'.`,
      );
    }
    if (asNode !== undefined && asNode !== START && !this.definition.nodes.has(asNode)) {
      throw new InvalidUpdateError(`updateState: unknown node '${asNode}' in asNode.`);
    }
    const loop = this.restore(tuple);
    const ctx = this.rootContext(config, new AbortController().signal, () => {}, new Set());
    const writer = asNode ?? '__update__';
    const node = asNode && asNode !== START ? this.definition.nodes.get(asNode) : undefined;
    const task: Task = {
      id: stableId(loop.checkpointId, ctx.ns, 'update', writer),
      name: writer,
      kind: 'pull',
      input: this.stateValues(loop.channels),
      triggers: asNode ? (this.triggersOf.get(asNode) ?? []) : [],
      node: node ?? { name: writer, run: () => undefined, options: {} },
    };
    let writes: PendingWrite[] = [];
    let update: unknown = null;
    if (values !== null && values !== undefined) {
      const converted = this.resultToWrites(task, values, false);
      writes = converted.writes;
      update = converted.update;
    }
    if (asNode) {
      writes = writes.concat(await this.edgeWrites(task, writes, loop, ctx, asNode));
    }
    const outcome: TaskOutcome = { task, status: 'done', writes, update, interrupts: [] };
    this.applyWrites(loop, asNode ? [outcome] : [], [outcome]);
    const metadata: CheckpointMetadata = {
      source: 'update',
      step: loop.step + 1,
      parents: {},
      writes: { [writer]: update },
    };
    loop.step += 1;
    await this.saveCheckpoint(loop, ctx, metadata);
    return loop.config as CheckpointConfig;
  }

  /** Nodes and edges for drawing; `xray` expands subgraphs (a number limits the depth). */
  getGraph(options: { xray?: boolean | number } = {}): DrawableGraph {
    return drawGraph(this.definition, options.xray ?? false);
  }

  /** A Mermaid flowchart of the graph. */
  toMermaid(options: { xray?: boolean | number } = {}): string {
    return toMermaid(this.getGraph(options));
  }

  // ------------------------------------------------------------------ contexts

  private rootContext(
    config: RunConfig,
    signal: AbortSignal,
    emit: Emitter,
    modes: Set<StreamMode>,
  ): RunContext {
    const threadId = config.configurable?.thread_id;
    const wantsDebug = modes.has('debug');
    return {
      saver: this.checkpointer,
      threadId,
      ns: config.configurable?.checkpoint_ns ?? '',
      nsPath: [],
      emit,
      wants: (mode) =>
        modes.has(mode) || (wantsDebug && (mode === 'checkpoints' || mode === 'tasks')),
      signal,
      config,
      recursionLimit: config.recursionLimit ?? DEFAULT_RECURSION_LIMIT,
      isSubgraph: false,
      interruptBefore: config.interruptBefore ?? this.interruptBefore,
      interruptAfter: config.interruptAfter ?? this.interruptAfter,
    };
  }

  private requireSaver(what: string): BaseCheckpointSaver {
    if (!this.checkpointer) {
      throw new GraphResumeError(
        `${what} needs a checkpointer: compile the graph with { checkpointer }.`,
      );
    }
    return this.checkpointer;
  }

  private checkpointConfig(config: RunConfig, ns?: string): CheckpointConfig {
    const threadId = config.configurable?.thread_id;
    if (typeof threadId !== 'string' || threadId === '') {
      throw new GraphResumeError(
        'This graph has a checkpointer, so calls need `configurable.thread_id` (a non-empty string).',
      );
    }
    const out: CheckpointConfig = {
      configurable: {
        thread_id: threadId,
        checkpoint_ns: ns ?? config.configurable?.checkpoint_ns ?? '',
      },
    };
    if (config.configurable?.checkpoint_id)
      out.configurable.checkpoint_id = config.configurable.checkpoint_id;
    return out;
  }

  // ------------------------------------------------------------------ loop state

  private freshChannels(): Map<string, Channel> {
    const channels = new Map<string, Channel>();
    for (const [name, make] of this.makeChannel) channels.set(name, make());
    return channels;
  }

  private restore(tuple: CheckpointTuple | undefined): LoopState {
    const channels = this.freshChannels();
    if (!tuple) {
      return {
        channels,
        versions: {},
        seen: {},
        checkpointId: newCheckpointId(),
        step: -2,
        pending: emptyPending(),
        newVersions: {},
      };
    }
    const cp = tuple.checkpoint;
    for (const [name, channel] of channels) {
      if (name in cp.channel_values) channel.restore(cp.channel_values[name]);
    }
    const seen: Record<string, ChannelVersions> = {};
    for (const [node, versions] of Object.entries(cp.versions_seen)) seen[node] = { ...versions };
    return {
      channels,
      versions: { ...cp.channel_versions },
      seen,
      checkpointId: cp.id,
      step: tuple.metadata.step,
      config: tuple.config,
      pending: organizePendingWrites(tuple.pendingWrites ?? []),
      newVersions: {},
    };
  }

  private stateValues(channels: Map<string, Channel>): Record<string, unknown> {
    const values: Record<string, unknown> = {};
    for (const key of this.stateKeys) {
      const channel = channels.get(key) as Channel;
      if (channel.isAvailable()) values[key] = channel.get();
    }
    return values;
  }

  /**
   * The next version of a channel: the integer part counts updates; the random fraction
   * keeps versions unique across branches of a thread (two forks of one checkpoint both
   * make "version 4" of a channel), because savers store values keyed by version.
   */
  private bump(loop: LoopState, channel: string): void {
    const v = Math.floor(loop.versions[channel] ?? 0) + 1 + Math.random() * 0.999;
    loop.versions[channel] = v;
    loop.newVersions[channel] = v;
  }

  // ------------------------------------------------------------------ scheduling

  /** The tasks the current checkpoint triggers, in a deterministic order. */
  private prepareTasks(loop: LoopState, ns: string, step: number): Task[] {
    const tasks: Task[] = [];
    let state: Record<string, unknown> | undefined;
    for (const name of this.nodeNames) {
      const triggers = this.triggersOf.get(name) as string[];
      const seen = loop.seen[name];
      let triggered = false;
      for (const ch of triggers) {
        const channel = loop.channels.get(ch) as Channel;
        if (channel.isAvailable() && (loop.versions[ch] ?? 0) > (seen?.[ch] ?? 0)) {
          triggered = true;
          break;
        }
      }
      if (!triggered) continue;
      state ??= this.stateValues(loop.channels);
      tasks.push({
        id: stableId(loop.checkpointId, ns, step, 'pull', name),
        name,
        kind: 'pull',
        input: state,
        triggers,
        node: this.definition.nodes.get(name) as NodeSpec,
      });
    }
    const packets = (loop.channels.get(TASKS_CHANNEL) as Channel).get() as SendPacket[];
    packets.forEach((packet, i) => {
      const node = this.definition.nodes.get(packet.node);
      if (!node) return; // validated when written
      tasks.push({
        id: stableId(loop.checkpointId, ns, step, 'push', packet.node, i),
        name: packet.node,
        kind: 'push',
        input: packet.arg,
        triggers: [TASKS_CHANNEL],
        node,
      });
    });
    return tasks;
  }

  /**
   * Apply the outcomes of one step: mark the triggers of the tasks that ran as consumed,
   * then apply all writes grouped by channel, in task order, one `update` per channel.
   */
  private applyWrites(loop: LoopState, ran: TaskOutcome[], outcomes: TaskOutcome[]): void {
    let consumedSends = false;
    for (const { task } of ran) {
      if (task.kind === 'push') {
        consumedSends = true;
        continue;
      }
      const seen = (loop.seen[task.name] ??= {});
      for (const ch of task.triggers) {
        const channel = loop.channels.get(ch) as Channel;
        if (!channel.isAvailable()) continue;
        seen[ch] = loop.versions[ch] ?? 0;
        if (channel.consume()) this.bump(loop, ch);
      }
    }
    if (consumedSends && (loop.channels.get(TASKS_CHANNEL) as Channel).consume()) {
      this.bump(loop, TASKS_CHANNEL);
    }

    const grouped = new Map<string, unknown[]>();
    for (const outcome of outcomes) {
      for (const [ch, value] of outcome.writes) {
        let list = grouped.get(ch);
        if (!list) grouped.set(ch, (list = []));
        list.push(value);
      }
    }
    for (const [ch, values] of grouped) {
      const channel = loop.channels.get(ch);
      if (!channel) throw new InvalidUpdateError(`Write to unknown channel '${ch}'.`, ch);
      if (channel.update(values)) this.bump(loop, ch);
    }
  }

  private async saveCheckpoint(
    loop: LoopState,
    ctx: RunContext,
    metadata: CheckpointMetadata,
  ): Promise<Checkpoint | undefined> {
    const parentId = loop.config?.configurable.checkpoint_id;
    const id = newCheckpointId();
    loop.checkpointId = id;
    loop.pending = emptyPending();
    if (ctx.parentCheckpoint)
      metadata.parents = { [ctx.parentCheckpoint.ns]: ctx.parentCheckpoint.id };
    const needCheckpoint = ctx.saver !== undefined || ctx.wants('checkpoints');
    if (!needCheckpoint) {
      loop.newVersions = {};
      return undefined;
    }
    const channelValues: Record<string, unknown> = {};
    for (const [name, channel] of loop.channels) {
      // A channel never written holds only its default, which restore() recreates.
      if (loop.versions[name] === undefined) continue;
      const stored = channel.checkpoint();
      if (stored !== EMPTY) channelValues[name] = stored;
    }
    const seen: Record<string, ChannelVersions> = {};
    for (const [node, versions] of Object.entries(loop.seen)) seen[node] = { ...versions };
    const checkpoint: Checkpoint = {
      v: 1,
      id,
      ts: new Date().toISOString(),
      channel_values: channelValues,
      channel_versions: { ...loop.versions },
      versions_seen: seen,
    };
    const parentConfig = loop.config;
    if (ctx.saver && ctx.threadId) {
      const base: CheckpointConfig = {
        configurable: { thread_id: ctx.threadId, checkpoint_ns: ctx.ns },
      };
      if (parentId) base.configurable.checkpoint_id = parentId;
      loop.config = await ctx.saver.put(base, checkpoint, metadata, loop.newVersions);
    } else {
      loop.config = {
        configurable: { thread_id: ctx.threadId ?? '', checkpoint_ns: ctx.ns, checkpoint_id: id },
      };
    }
    loop.newVersions = {};
    if (ctx.wants('checkpoints')) {
      const payload = {
        config: loop.config,
        parentConfig,
        metadata,
        values: this.stateValues(loop.channels),
        next: this.prepareTasks(loop, ctx.ns, loop.step + 1).map((t) => t.name),
        createdAt: checkpoint.ts,
      };
      ctx.emit(ctx.nsPath, 'checkpoints', payload);
      ctx.emit(ctx.nsPath, 'debug', {
        type: 'checkpoint',
        step: metadata.step,
        timestamp: checkpoint.ts,
        payload,
      });
    }
    return checkpoint;
  }

  // ------------------------------------------------------------------ the loop

  /**
   * Run the loop. Two runs of one thread at once would both continue from the same
   * checkpoint and silently fork it, so a second root run of a thread that is already
   * running (through the same saver, in this JavaScript realm) is refused.
   */
  private async execute(
    input: unknown,
    ctx: RunContext,
    resumeFromParent?: { resume: Record<string, unknown> | undefined },
  ): Promise<{ values: Record<string, unknown>; interrupts: Interrupt[] | null }> {
    if (ctx.isSubgraph || !ctx.saver || !ctx.threadId) {
      return this.executeLoop(input, ctx, resumeFromParent);
    }
    let running = runningThreads.get(ctx.saver);
    if (!running) runningThreads.set(ctx.saver, (running = new Set()));
    const key = `${ctx.threadId}${NS_SEP}${ctx.ns}`;
    if (running.has(key)) throw new ThreadBusyError(ctx.threadId);
    running.add(key);
    try {
      return await this.executeLoop(input, ctx, resumeFromParent);
    } finally {
      running.delete(key);
    }
  }

  private async executeLoop(
    input: unknown,
    ctx: RunContext,
    resumeFromParent?: { resume: Record<string, unknown> | undefined },
  ): Promise<{ values: Record<string, unknown>; interrupts: Interrupt[] | null }> {
    if (ctx.saver && (typeof ctx.threadId !== 'string' || ctx.threadId === '')) {
      throw new GraphResumeError(
        'This graph has a checkpointer, so calls need `configurable.thread_id` (a non-empty string).',
      );
    }
    if (ctx.signal.aborted) throw new GraphAbortError();
    const checkpointId = ctx.isSubgraph ? undefined : ctx.config.configurable?.checkpoint_id;
    let tuple: CheckpointTuple | undefined;
    if (ctx.saver && ctx.threadId) {
      const address: CheckpointConfig = {
        configurable: { thread_id: ctx.threadId, checkpoint_ns: ctx.ns },
      };
      if (checkpointId) address.configurable.checkpoint_id = checkpointId;
      tuple = await ctx.saver.getTuple(address);
      if (checkpointId && !tuple) {
        throw new GraphResumeError(`Thread '${ctx.threadId}' has no checkpoint '${checkpointId}'.`);
      }
    }
    const loop = this.restore(tuple);

    let resuming = false;
    if (resumeFromParent) {
      // A subgraph re-run by its parent's resumed task continues where it paused.
      resuming = tuple !== undefined;
      if (resuming && resumeFromParent.resume)
        await this.recordResume(loop, ctx, resumeFromParent.resume, true);
      if (!resuming) await this.applyInput(loop, ctx, input);
    } else if (isCommand(input)) {
      if (!tuple) {
        throw new GraphResumeError(
          ctx.saver
            ? `Thread '${ctx.threadId}' has no checkpoint to resume.`
            : 'Resuming needs a checkpointer: compile the graph with { checkpointer }.',
        );
      }
      resuming = true;
      if (input.resume !== undefined) await this.recordResume(loop, ctx, input.resume, false);
      if (input.update !== undefined || input.goto.length) {
        await this.applyCommandInput(loop, ctx, input);
      }
    } else if (input === null || input === undefined) {
      if (!tuple) {
        throw new GraphResumeError(
          ctx.saver
            ? `Nothing to continue: thread '${ctx.threadId}' has no checkpoint yet. Pass an input to start it.`
            : 'Continuing with a null input needs a checkpointer and a thread with a checkpoint.',
        );
      }
      resuming = true;
    } else {
      await this.applyInput(loop, ctx, input);
    }
    if (ctx.wants('values')) ctx.emit(ctx.nsPath, 'values', this.stateValues(loop.channels));

    let stepsRun = 0;
    let skipInterruptBefore = resuming;
    while (true) {
      if (ctx.signal.aborted) throw new GraphAbortError();
      const step = loop.step + 1;
      const tasks = this.prepareTasks(loop, ctx.ns, step);
      if (tasks.length === 0) break;
      if (stepsRun >= ctx.recursionLimit) throw new GraphRecursionError(ctx.recursionLimit);
      if (
        !skipInterruptBefore &&
        tasks.some((t) => matchesInterruptList(ctx.interruptBefore, t.name))
      ) {
        return this.pauseStatic(loop, ctx);
      }
      skipInterruptBefore = false;
      stepsRun++;

      const outcomes = await this.runStep(loop, ctx, tasks, step);
      const parent = outcomes.find((o) => o.status === 'parent');
      if (parent) throw new ParentCommand(parent.parentCommand as Command);
      const failed = outcomes.filter((o) => o.status === 'failed');
      const interrupted = outcomes.filter((o) => o.status === 'interrupted');
      if (failed.length || interrupted.length) {
        await this.savePendingWrites(loop, ctx, outcomes);
        if (failed.length) throw failed[0].error;
        const interrupts = interrupted.flatMap((o) => o.interrupts);
        if (ctx.wants('updates')) ctx.emit(ctx.nsPath, 'updates', { [INTERRUPT]: interrupts });
        if (ctx.isSubgraph) throw new GraphInterrupt(interrupts);
        return { values: this.stateValues(loop.channels), interrupts };
      }

      this.applyWrites(loop, outcomes, outcomes);
      const writes: Record<string, unknown> = {};
      for (const o of outcomes) {
        // Several Send tasks of one node: keep every update, in order.
        if (o.task.name in writes) {
          const prev = writes[o.task.name];
          writes[o.task.name] =
            Array.isArray(prev) && (prev as { __multi?: true }).__multi ? prev : [prev];
          (writes[o.task.name] as unknown[]).push(o.update);
        } else writes[o.task.name] = o.update;
      }
      loop.step = step;
      await this.saveCheckpoint(loop, ctx, { source: 'loop', step, parents: {}, writes });
      if (ctx.wants('values')) ctx.emit(ctx.nsPath, 'values', this.stateValues(loop.channels));
      if (ctx.signal.aborted) throw new GraphAbortError();
      if (outcomes.some((o) => matchesInterruptList(ctx.interruptAfter, o.task.name))) {
        if (this.prepareTasks(loop, ctx.ns, loop.step + 1).length)
          return this.pauseStatic(loop, ctx);
      }
    }
    return { values: this.stateValues(loop.channels), interrupts: null };
  }

  /** A static pause (interruptBefore/After): the checkpoint is saved; nothing else to do. */
  private pauseStatic(
    loop: LoopState,
    ctx: RunContext,
  ): { values: Record<string, unknown>; interrupts: Interrupt[] } {
    if (ctx.wants('updates')) ctx.emit(ctx.nsPath, 'updates', { [INTERRUPT]: [] });
    if (ctx.isSubgraph) throw new GraphInterrupt([]);
    return { values: this.stateValues(loop.channels), interrupts: [] };
  }

  /** Record resume values for the pending interrupts they answer, durably. */
  private async recordResume(
    loop: LoopState,
    ctx: RunContext,
    resume: unknown,
    fromParent: boolean,
  ): Promise<void> {
    const owners = new Map<string, string>(); // interrupt id -> task id
    for (const [taskId, interrupts] of loop.pending.interrupts) {
      if (loop.pending.done.has(taskId)) continue;
      for (const intr of interrupts) owners.set(intr.id, taskId);
    }
    let byId: Record<string, unknown>;
    if (fromParent) {
      byId = resume as Record<string, unknown>;
    } else if (
      isPlainObject(resume) &&
      Object.keys(resume).length > 0 &&
      Object.keys(resume).every((k) => owners.has(k))
    ) {
      byId = resume;
    } else {
      if (owners.size === 0) {
        // A static pause (interruptBefore/After) has nothing to answer; just continue.
        return;
      }
      if (owners.size > 1) {
        throw new GraphResumeError(
          `${owners.size} interrupts are pending (${[...owners.keys()].join(', ')}); resume with a map ` +
            'from interrupt id to value: new Command({ resume: { [id]: value, ... } }).',
        );
      }
      byId = { [[...owners.keys()][0]]: resume };
    }
    const perTask = new Map<string, Record<string, unknown>>();
    for (const [id, value] of Object.entries(byId)) {
      const taskId = owners.get(id);
      if (!taskId) {
        if (fromParent) continue;
        throw new GraphResumeError(`No pending interrupt has id '${id}'.`);
      }
      const merged = perTask.get(taskId) ?? { ...(loop.pending.resume.get(taskId) ?? {}) };
      merged[id] = value;
      perTask.set(taskId, merged);
    }
    for (const [taskId, merged] of perTask) {
      loop.pending.resume.set(taskId, merged);
      if (ctx.saver && loop.config)
        await ctx.saver.putWrites(loop.config, [[RESUME, merged]], taskId);
    }
  }

  /** A new input: drop unfinished tasks, write the input as START, follow START's edges. */
  private async applyInput(loop: LoopState, ctx: RunContext, input: unknown): Promise<void> {
    if (!isPlainObject(input)) {
      throw new InvalidUpdateError(
        `The input must be an object of state keys (or null to continue, or a Command); got ${describeValue(input)}.`,
      );
    }
    const discarded = this.prepareTasks(loop, ctx.ns, loop.step + 1).map((task): TaskOutcome => ({
      task,
      status: 'done',
      writes: [],
      update: null,
      interrupts: [],
    }));
    const start = this.inputTask(loop, ctx, 'input');
    const { writes } = this.resultToWrites(start, input, true);
    const edgeWrites = await this.edgeWrites(start, writes, loop, ctx, START);
    await this.commitInput(loop, ctx, discarded, start, writes.concat(edgeWrites), input);
  }

  /** `invoke(new Command({update, goto}))`: apply them on the current checkpoint. */
  private async applyCommandInput(
    loop: LoopState,
    ctx: RunContext,
    command: Command,
  ): Promise<void> {
    const start = this.inputTask(loop, ctx, 'command-input');
    const routed = new Command({ update: command.update, goto: command.goto });
    const { writes, update } = this.resultToWrites(start, routed, true);
    await this.commitInput(loop, ctx, [], start, writes, update);
  }

  /** The pseudo-task that writes a call's input, as START. */
  private inputTask(loop: LoopState, ctx: RunContext, label: string): Task {
    return {
      id: stableId(loop.checkpointId, ctx.ns, label),
      name: START,
      kind: 'pull',
      input: this.stateValues(loop.channels),
      triggers: [],
      node: { name: START, run: () => undefined, options: {} },
    };
  }

  /** Apply an input's writes and save them as the thread's `input` checkpoint. */
  private async commitInput(
    loop: LoopState,
    ctx: RunContext,
    discarded: TaskOutcome[],
    start: Task,
    writes: PendingWrite[],
    update: unknown,
  ): Promise<void> {
    const outcome: TaskOutcome = { task: start, status: 'done', writes, update, interrupts: [] };
    this.applyWrites(loop, discarded, [outcome]);
    loop.step += 1;
    await this.saveCheckpoint(loop, ctx, {
      source: 'input',
      step: loop.step,
      parents: {},
      writes: { [START]: update },
    });
  }

  /** Save what a step that did not complete produced, so resuming skips finished tasks. */
  private async savePendingWrites(
    loop: LoopState,
    ctx: RunContext,
    outcomes: TaskOutcome[],
  ): Promise<void> {
    for (const o of outcomes) {
      if (o.cached) continue;
      let writes: PendingWrite[] | undefined;
      if (o.status === 'done') writes = o.writes.length ? o.writes : [[NO_WRITES, null]];
      else if (o.status === 'interrupted') writes = [[INTERRUPT, o.interrupts]];
      else if (o.status === 'failed') {
        const e = o.error as { name?: string; message?: string };
        writes = [[ERROR, { name: String(e?.name ?? 'Error'), message: String(e?.message ?? e) }]];
      }
      if (!writes) continue;
      if (o.status === 'done') loop.pending.done.set(o.task.id, o.writes);
      if (o.status === 'interrupted') loop.pending.interrupts.set(o.task.id, o.interrupts);
      if (ctx.saver && loop.config) await ctx.saver.putWrites(loop.config, writes, o.task.id);
    }
  }

  // ------------------------------------------------------------------ one step

  private async runStep(
    loop: LoopState,
    ctx: RunContext,
    tasks: Task[],
    step: number,
  ): Promise<TaskOutcome[]> {
    const outcomes: Array<TaskOutcome | undefined> = new Array(tasks.length);
    const running: Promise<void>[] = [];
    tasks.forEach((task, i) => {
      const cached = loop.pending.done.get(task.id);
      if (cached) {
        outcomes[i] = {
          task,
          status: 'done',
          writes: cached,
          update: this.updateFromWrites(cached),
          interrupts: [],
          cached: true,
        };
        return;
      }
      if (ctx.wants('tasks')) {
        const payload = {
          id: task.id,
          name: task.name,
          input: task.input,
          triggers: task.triggers,
        };
        this.emitTaskEvent(ctx, step, 'task', payload);
      }
      running.push(
        this.runTask(task, loop, ctx, step).then((outcome) => {
          outcomes[i] = outcome;
          if (ctx.signal.aborted) return;
          if (outcome.status === 'done' && ctx.wants('updates')) {
            ctx.emit(ctx.nsPath, 'updates', { [task.name]: outcome.update });
          }
          if (ctx.wants('tasks')) {
            const payload = {
              id: task.id,
              name: task.name,
              result: outcome.writes.filter(([ch]) => this.stateKeySet.has(ch)),
              error:
                outcome.status === 'failed'
                  ? String((outcome.error as Error)?.message ?? outcome.error)
                  : null,
              interrupts: outcome.interrupts,
            };
            this.emitTaskEvent(ctx, step, 'task_result', payload);
          }
        }),
      );
    });

    if (running.length) {
      let onAbort: (() => void) | undefined;
      const aborted = new Promise<'aborted'>((resolve) => {
        if (ctx.signal.aborted) return resolve('aborted');
        onAbort = () => resolve('aborted');
        ctx.signal.addEventListener('abort', onAbort, { once: true });
      });
      const result = await Promise.race([
        Promise.all(running).then(() => 'done' as const),
        aborted,
      ]);
      if (onAbort) ctx.signal.removeEventListener('abort', onAbort);
      if (result === 'aborted') {
        // Keep what finished; tasks still running see the aborted signal and are abandoned.
        const finished = outcomes.filter((o): o is TaskOutcome => !!o && o.status === 'done');
        await this.savePendingWrites(loop, ctx, finished);
        throw new GraphAbortError();
      }
    }
    return outcomes as TaskOutcome[];
  }

  /** A `tasks` event, and the same wrapped for the `debug` mode. */
  private emitTaskEvent(
    ctx: RunContext,
    step: number,
    type: 'task' | 'task_result',
    payload: Record<string, unknown>,
  ): void {
    ctx.emit(ctx.nsPath, 'tasks', payload);
    ctx.emit(ctx.nsPath, 'debug', { type, step, timestamp: new Date().toISOString(), payload });
  }

  private updateFromWrites(writes: PendingWrite[]): Record<string, unknown> | null {
    let out: Record<string, unknown> | null = null;
    for (const [ch, value] of writes) {
      if (this.stateKeySet.has(ch)) (out ??= {})[ch] = value;
    }
    return out;
  }

  private async runTask(
    task: Task,
    loop: LoopState,
    ctx: RunContext,
    step: number,
  ): Promise<TaskOutcome> {
    const resumeMap = loop.pending.resume.get(task.id);
    const hadInterrupt = loop.pending.interrupts.has(task.id);
    let interruptIndex = 0;
    const emitMessageMeta = (): MessageMetadata => ({
      langgraph_node: task.name,
      langgraph_step: step,
      langgraph_task_id: task.id,
      langgraph_checkpoint_ns: ctx.ns,
      thread_id: ctx.threadId,
    });
    const streamedIds = new Set<string>();
    const runtime: Runtime = {
      config: ctx.config,
      signal: ctx.signal,
      node: task.name,
      step,
      taskId: task.id,
      namespace: ctx.ns,
      interrupt: <R>(value: unknown): R => {
        const id = stableId(task.id, 'interrupt', interruptIndex++);
        if (resumeMap && id in resumeMap) return resumeMap[id] as R;
        throw new GraphInterrupt([{ id, value }]);
      },
      write: (event: unknown) => {
        if (!ctx.signal.aborted && ctx.wants('custom')) ctx.emit(ctx.nsPath, 'custom', event);
      },
      writeMessage: (chunk: MessageChunk) => {
        if (chunk?.id) streamedIds.add(chunk.id);
        if (!ctx.signal.aborted && ctx.wants('messages')) {
          ctx.emit(ctx.nsPath, 'messages', [chunk, emitMessageMeta()]);
        }
      },
    };

    const policy = task.node.options.retry;
    const maxAttempts = Math.max(1, policy?.maxAttempts ?? 1);
    let attempt = 0;
    while (true) {
      attempt++;
      try {
        const raw = await this.callNode(task, runtime, ctx, loop, resumeMap, hadInterrupt);
        const { writes, update } = this.resultToWrites(
          task,
          raw,
          !(task.node.run instanceof CompiledStateGraph),
        );
        const all = writes.concat(
          await this.edgeWrites(task, writes, loop, ctx, task.name, runtime),
        );
        if (ctx.wants('messages'))
          this.emitFinalMessages(update, streamedIds, ctx, emitMessageMeta);
        return { task, status: 'done', writes: all, update, interrupts: [] };
      } catch (error) {
        if (isGraphInterrupt(error)) {
          return {
            task,
            status: 'interrupted',
            writes: [],
            update: null,
            interrupts: error.interrupts,
          };
        }
        if (error instanceof ParentCommand) {
          if (!ctx.isSubgraph) {
            return {
              task,
              status: 'failed',
              writes: [],
              update: null,
              interrupts: [],
              error: new InvalidUpdateError(
                `Node '${task.name}' returned Command({ graph: Command.PARENT }) but this graph has no parent graph.`,
              ),
            };
          }
          return {
            task,
            status: 'parent',
            writes: [],
            update: null,
            interrupts: [],
            parentCommand: error.command,
          };
        }
        if (ctx.signal.aborted) {
          return failedOutcome(task, new GraphAbortError());
        }
        const retryOn = policy?.retryOn ?? defaultRetryOn;
        if (attempt >= maxAttempts || !retryOn(error)) {
          return failedOutcome(task, error);
        }
        const initial = policy?.initialInterval ?? 500;
        const factor = policy?.backoffFactor ?? 2;
        const max = policy?.maxInterval ?? 128_000;
        let wait = Math.min(max, initial * factor ** (attempt - 1));
        if (policy?.jitter ?? true) wait *= 0.75 + Math.random() * 0.5;
        try {
          await sleep(wait, ctx.signal);
        } catch {
          return failedOutcome(task, new GraphAbortError());
        }
      }
    }
  }

  /** Call a node function, or run a subgraph node in its own checkpoint namespace. */
  private async callNode(
    task: Task,
    runtime: Runtime,
    ctx: RunContext,
    loop: LoopState,
    resumeMap: Record<string, unknown> | undefined,
    hadInterrupt: boolean,
  ): Promise<unknown> {
    const run = task.node.run;
    if (!(run instanceof CompiledStateGraph)) {
      return await run(task.input, runtime);
    }
    const child = run as CompiledStateGraph<StateSpec>;
    const segment = `${task.name}${NS_END}${task.id}`;
    const childCtx: RunContext = {
      saver: ctx.saver,
      threadId: ctx.threadId,
      ns: ctx.ns ? `${ctx.ns}${NS_SEP}${segment}` : segment,
      nsPath: [...ctx.nsPath, segment],
      emit: ctx.emit,
      wants: ctx.wants,
      signal: ctx.signal,
      config: ctx.config,
      recursionLimit: ctx.recursionLimit,
      isSubgraph: true,
      parentCheckpoint: { ns: ctx.ns, id: loop.checkpointId },
      interruptBefore: child.interruptBefore,
      interruptAfter: child.interruptAfter,
    };
    const input: Record<string, unknown> = {};
    const source = (task.input ?? {}) as Record<string, unknown>;
    for (const key of child.stateKeys) if (key in source) input[key] = source[key];
    try {
      const { values } = await child.execute(
        input,
        childCtx,
        hadInterrupt || resumeMap ? { resume: resumeMap } : undefined,
      );
      // The shared keys are the bus: return what the parent also declares.
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(values)) if (this.stateKeySet.has(key)) out[key] = values[key];
      return out;
    } catch (error) {
      if (error instanceof ParentCommand) {
        return new Command({ update: error.command.update, goto: error.command.goto });
      }
      throw error;
    }
  }

  /** Turn a node's return value into channel writes. */
  private resultToWrites(
    task: Task,
    result: unknown,
    strictKeys: boolean,
  ): { writes: PendingWrite[]; update: unknown } {
    if (result === undefined || result === null) return { writes: [], update: null };
    if (isCommand(result)) {
      if (result.graph === Command.PARENT) throw new ParentCommand(result);
      if (result.graph !== undefined) {
        throw new InvalidUpdateError(
          `Node '${task.name}': Command.graph must be Command.PARENT or unset.`,
        );
      }
      let writes: PendingWrite[] = [];
      let update: unknown = null;
      if (result.update !== undefined && result.update !== null) {
        const entries = Array.isArray(result.update) ? result.update : null;
        const asObject = entries ? Object.fromEntries(entries) : result.update;
        ({ writes, update } = this.resultToWrites(task, asObject, strictKeys));
        if (entries)
          writes = entries
            .map(([k, v]) => [k, v] as PendingWrite)
            .filter(([k]) => this.stateKeySet.has(k));
      }
      return { writes: writes.concat(this.gotoWrites(task.name, result.goto)), update };
    }
    if (!isPlainObject(result)) {
      throw new InvalidUpdateError(
        `Node '${task.name}' must return an object of state keys, a Command, or nothing; it returned ${describeValue(result)}.`,
      );
    }
    const writes: PendingWrite[] = [];
    for (const key of Object.keys(result)) {
      if (this.stateKeySet.has(key)) {
        writes.push([key, result[key]]);
      } else if (strictKeys) {
        throw new InvalidUpdateError(
          `Node '${task.name}' returned key '${key}', which is not in the state. State keys: ${this.stateKeys.join(', ')}.`,
          key,
        );
      }
    }
    return { writes, update: result };
  }

  private gotoWrites(from: string, goto: Array<string | Send>): PendingWrite[] {
    const writes: PendingWrite[] = [];
    for (const target of goto) {
      if (isSend(target)) {
        if (!this.definition.nodes.has(target.node)) {
          throw new InvalidUpdateError(`'${from}' sent a task to unknown node '${target.node}'.`);
        }
        writes.push([TASKS_CHANNEL, { node: target.node, arg: target.arg } satisfies SendPacket]);
      } else if (target === END) {
        continue;
      } else if (typeof target === 'string' && this.definition.nodes.has(target)) {
        writes.push([BRANCH_PREFIX + target, null]);
      } else {
        throw new InvalidUpdateError(`'${from}' routed to unknown node '${String(target)}'.`);
      }
    }
    return writes;
  }

  /**
   * Writes that follow a node's edges: fixed edges always; each conditional edge's router
   * sees the state with this task's own writes applied (not those of parallel tasks).
   */
  private async edgeWrites(
    task: Task,
    ownWrites: PendingWrite[],
    loop: LoopState,
    ctx: RunContext,
    source: string,
    runtime?: Runtime,
  ): Promise<PendingWrite[]> {
    const writes: PendingWrite[] = [];
    for (const ch of this.edgeWritesOf.get(source) ?? []) {
      writes.push([ch, ch.startsWith(JOIN_PREFIX) ? source : null]);
    }
    const branches = this.branchesOf.get(source) ?? [];
    if (branches.length === 0) return writes;
    const fresh = this.freshState(loop, ownWrites);
    const rt: Runtime = runtime ?? {
      config: ctx.config,
      signal: ctx.signal,
      node: source,
      step: loop.step + 1,
      taskId: task.id,
      namespace: ctx.ns,
      interrupt: () => {
        throw new InvalidUpdateError('interrupt() cannot be called from a router.');
      },
      write: () => {},
      writeMessage: () => {},
    };
    for (const branch of branches) {
      const result = await branch.router(fresh, rt);
      const list = Array.isArray(result) ? result : [result];
      const goto: Array<string | Send> = [];
      for (const item of list) {
        if (isSend(item)) {
          goto.push(item);
          continue;
        }
        if (typeof item !== 'string') {
          throw new InvalidUpdateError(
            `The conditional edge from '${source}' returned ${describeValue(item)}; it must return node names, END or Send objects.`,
          );
        }
        if (branch.pathMap) {
          if (!(item in branch.pathMap)) {
            throw new InvalidUpdateError(
              `The conditional edge from '${source}' returned '${item}', which is not in its path map ` +
                `(${Object.keys(branch.pathMap).join(', ')}).`,
            );
          }
          goto.push(branch.pathMap[item]);
        } else {
          goto.push(item);
        }
      }
      writes.push(...this.gotoWrites(source, goto));
    }
    return writes;
  }

  /** The state as one task sees it after its own writes. */
  private freshState(loop: LoopState, ownWrites: PendingWrite[]): Record<string, unknown> {
    const state = this.stateValues(loop.channels);
    if (ownWrites.length === 0) return state;
    const grouped = new Map<string, unknown[]>();
    for (const [ch, v] of ownWrites) {
      if (!this.stateKeySet.has(ch)) continue;
      let list = grouped.get(ch);
      if (!list) grouped.set(ch, (list = []));
      list.push(v);
    }
    for (const [ch, values] of grouped) {
      const copy = (loop.channels.get(ch) as Channel).copy();
      copy.update(values);
      state[ch] = channelPayload(copy.get());
    }
    return state;
  }

  /** In `messages` mode, also emit whole messages a node returned without streaming them. */
  private emitFinalMessages(
    update: unknown,
    streamedIds: Set<string>,
    ctx: RunContext,
    meta: () => MessageMetadata,
  ): void {
    if (!isPlainObject(update)) return;
    for (const value of Object.values(update)) {
      const list = Array.isArray(value) ? value : [value];
      for (const item of list) {
        if (looksLikeMessage(item) && !(item.id && streamedIds.has(item.id))) {
          ctx.emit(ctx.nsPath, 'messages', [item, meta()]);
        }
      }
    }
  }

  // ------------------------------------------------------------------ snapshots

  private async snapshotFromTuple(
    tuple: CheckpointTuple,
    withSubgraphs: boolean,
  ): Promise<StateSnapshot<StateOf<S>>> {
    const loop = this.restore(tuple);
    const ns = tuple.config.configurable.checkpoint_ns ?? '';
    const tasks = this.prepareTasks(loop, ns, loop.step + 1);
    const descriptions: PregelTaskDescription[] = [];
    const interrupts: Interrupt[] = [];
    for (const task of tasks) {
      const done = loop.pending.done.has(task.id);
      const taskInterrupts = done ? [] : (loop.pending.interrupts.get(task.id) ?? []);
      interrupts.push(...taskInterrupts);
      const description: PregelTaskDescription = {
        id: task.id,
        name: task.name,
        interrupts: taskInterrupts,
      };
      const error = loop.pending.errors.get(task.id);
      if (error && !done) description.error = error;
      if (done) description.done = true;
      if (withSubgraphs && task.node.run instanceof CompiledStateGraph && this.checkpointer) {
        const segment = `${task.name}${NS_END}${task.id}`;
        const childNs = ns ? `${ns}${NS_SEP}${segment}` : segment;
        const child = task.node.run as CompiledStateGraph<StateSpec>;
        const childTuple = await this.checkpointer.getTuple({
          configurable: { thread_id: tuple.config.configurable.thread_id, checkpoint_ns: childNs },
        });
        if (childTuple)
          description.state = await child.snapshotFromTupleWith(childTuple, this.checkpointer);
      }
      descriptions.push(description);
    }
    return {
      values: this.stateValues(loop.channels) as StateOf<S>,
      next: descriptions.filter((d) => !d.done).map((d) => d.name),
      tasks: descriptions,
      interrupts,
      config: tuple.config,
      metadata: tuple.metadata,
      createdAt: tuple.checkpoint.ts,
      parentConfig: tuple.parentConfig,
    };
  }

  /** Snapshot of a subgraph's checkpoint, read through its parent's saver. */
  private async snapshotFromTupleWith(
    tuple: CheckpointTuple,
    saver: BaseCheckpointSaver,
  ): Promise<StateSnapshot> {
    const view = Object.create(this) as CompiledStateGraph<S>;
    Object.defineProperty(view, 'checkpointer', { value: saver });
    return view.snapshotFromTuple(tuple, true) as Promise<StateSnapshot>;
  }
}
