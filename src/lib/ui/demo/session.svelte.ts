/**
 * One demo on the page: its compiled graph over an IndexedDB checkpointer, the thread being
 * looked at, and everything the views show (trace, state, history, interrupts), kept as
 * Svelte state. The page calls `run`, `resume`, `cancel`, `fork`…; the views read fields.
 *
 * Branching follows LangGraph: running from an older checkpoint (or after an
 * `updateState` on it) adds new checkpoints whose parent is that one, so the thread's
 * history becomes a tree and the old branch stays as it was. `branchToThread` copies a
 * checkpoint's values into a new thread, for side-by-side threads.
 */
import type { IndexedDBSaver, MemorySaver } from '$lib/checkpoint';

/** A saver that can also list, delete, export and import whole threads. */
export type ThreadSaver = IndexedDBSaver | MemorySaver;
import type { CheckpointMetadata } from '$lib/checkpoint/types';
import type { DemoDefinition, DemoTurn, ToolEndpoints } from '$lib/demos/types';
import {
  Command,
  isAbortError,
  type CompiledStateGraph,
  type Interrupt,
  type RunConfig,
  type StateSnapshot,
  type StreamMode,
} from '$lib/graph';
import type { StateSpec } from '$lib/graph/annotation';
import type { Encoder } from '$lib/encoders/types';
import type { ChatModel } from '$lib/llm/types';
import type { Reranker } from '$lib/tools/web-search';
import { applyEvent, emptyTrace, pathTaken, runningTasks, stepsTaken, type Trace } from './trace';

type AnyGraph = CompiledStateGraph<StateSpec>;
type Values = Record<string, unknown>;

export type SessionStatus =
  'idle' | 'running' | 'interrupted' | 'paused' | 'done' | 'cancelled' | 'error';

/** One checkpoint of the thread, for the history list. */
export interface CheckpointRow {
  id: string;
  parentId?: string;
  step: number;
  source: CheckpointMetadata['source'];
  /** Nodes that wrote the state this checkpoint holds. */
  writers: string[];
  next: string[];
  interrupts: number;
  createdAt?: string;
  /** Not on the path from the thread's newest checkpoint to the root: an older branch. */
  offBranch: boolean;
}

const STREAM_MODES: StreamMode[] = ['debug', 'messages', 'values'];

export interface DemoSessionOptions {
  demo: DemoDefinition;
  saver: ThreadSaver;
  models: Record<string, ChatModel>;
  /** Encoders of the demo's `encoder` roles. */
  encoders?: Record<string, Encoder>;
  endpoints?: ToolEndpoints;
  seed?: number;
  threadId: string;
  /** The encoder's relevance scores for demos that rerank (see DemoBuildContext). */
  rerank?: Reranker;
}

function newThreadId(demoId: string): string {
  return `${demoId}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
}

export class DemoSession {
  readonly demo: DemoDefinition;
  readonly saver: ThreadSaver;
  graph: AnyGraph;

  threadId = $state('');
  threads = $state<string[]>([]);
  /** Newest first. */
  checkpoints = $state<CheckpointRow[]>([]);
  /** The checkpoint being looked at; undefined = the newest. */
  openCheckpointId = $state<string | undefined>(undefined);
  values = $state<Values>({});
  previousValues = $state<Values | undefined>(undefined);
  next = $state<string[]>([]);
  interrupts = $state<Interrupt[]>([]);
  trace = $state<Trace>(emptyTrace());
  status = $state<SessionStatus>('idle');
  error = $state<string | null>(null);
  answer = $state<string | undefined>(undefined);
  breakpoints = $state<{ before: string[]; after: string[] }>({ before: [], after: [] });
  /** Last input and output of each node in this thread's latest run, for the graph view's details. */
  nodeDetails = $state<Record<string, { input?: unknown; output?: unknown }>>({});

  private controller: AbortController | undefined;
  // a lookup, not view state: the views read the $state fields this fills
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  private snapshots = new Map<string, StateSnapshot<Values>>();

  constructor(private readonly options: DemoSessionOptions) {
    this.demo = options.demo;
    this.saver = options.saver;
    this.threadId = options.threadId;
    this.models = options.models;
    this.encoders = options.encoders ?? {};
    this.endpoints = options.endpoints ?? { weatherMode: 'offline' };
    this.graph = this.build();
  }

  private models: Record<string, ChatModel>;
  private encoders: Record<string, Encoder>;
  private endpoints: ToolEndpoints;

  private build(): AnyGraph {
    return this.demo.build({
      models: this.models,
      encoders: this.encoders,
      checkpointer: this.saver,
      endpoints: this.endpoints,
      seed: this.options.seed ?? 0,
      rerank: this.options.rerank,
    }) as AnyGraph;
  }

  /** Swaps the models behind the roles (the thread and its checkpoints stay). */
  setModels(models: Record<string, ChatModel>, encoders?: Record<string, Encoder>): void {
    this.models = models;
    if (encoders) this.encoders = encoders;
    this.graph = this.build();
  }

  /** Points the web tools elsewhere (online, offline, a replay server); the thread stays. */
  setEndpoints(endpoints: ToolEndpoints): void {
    this.endpoints = endpoints;
    this.graph = this.build();
  }

  get running(): boolean {
    return this.status === 'running';
  }

  /** Nodes running right now and the path taken, for the graph view. */
  get active(): string[] {
    return this.status === 'running' ? runningTasks(this.trace) : [];
  }

  get visited(): string[] {
    return pathTaken(this.trace);
  }

  /** The path taken grouped by superstep, so the graph view marks every parallel branch. */
  get visitedSteps(): string[][] {
    return stepsTaken(this.trace);
  }

  private config(extra: Partial<RunConfig> = {}, checkpointId?: string): RunConfig {
    return {
      ...extra,
      configurable: {
        thread_id: this.threadId,
        ...(checkpointId ? { checkpoint_id: checkpointId } : {}),
      },
    };
  }

  /** Loads the thread list and the current thread's state and history. */
  async refresh(): Promise<void> {
    const threads = await this.saver.listThreads();
    if (!threads.includes(this.threadId)) threads.unshift(this.threadId);
    this.threads = threads;
    const history: StateSnapshot<Values>[] = [];
    for await (const snapshot of this.graph.getStateHistory(this.config()))
      history.push(snapshot as StateSnapshot<Values>);
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- see the field
    this.snapshots = new Map(
      history.map((s) => [String(s.config.configurable.checkpoint_id), s] as const),
    );
    const newest = history[0];
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- local to this computation
    const onBranch = new Set<string>();
    for (let s: StateSnapshot<Values> | undefined = newest; s;) {
      const id = String(s.config.configurable.checkpoint_id);
      onBranch.add(id);
      const parent: unknown = s.parentConfig?.configurable.checkpoint_id;
      s = parent ? this.snapshots.get(String(parent)) : undefined;
    }
    this.checkpoints = history.map((s) => {
      const id = String(s.config.configurable.checkpoint_id);
      const writes = (s.metadata?.writes ?? {}) as Record<string, unknown>;
      return {
        id,
        parentId: s.parentConfig?.configurable.checkpoint_id as string | undefined,
        step: Number(s.metadata?.step ?? 0),
        source: s.metadata?.source ?? 'loop',
        writers: Object.keys(writes),
        next: s.next,
        interrupts: s.interrupts.length,
        createdAt: s.createdAt,
        offBranch: !onBranch.has(id),
      };
    });
    this.showCheckpoint(this.openCheckpointId);
  }

  /** Shows a checkpoint's values (and the diff against its parent); undefined = the newest. */
  showCheckpoint(id: string | undefined): void {
    const snapshot = id ? this.snapshots.get(id) : this.newestSnapshot();
    this.openCheckpointId = id && this.snapshots.has(id) ? id : undefined;
    if (!snapshot) {
      this.values = {};
      this.previousValues = undefined;
      this.next = [];
      this.interrupts = [];
      return;
    }
    this.values = snapshot.values;
    const parentId = snapshot.parentConfig?.configurable.checkpoint_id;
    this.previousValues = parentId ? this.snapshots.get(String(parentId))?.values : undefined;
    this.next = snapshot.next;
    this.interrupts = snapshot.interrupts;
    if (this.status !== 'running') {
      // a cancelled or failed run keeps saying so (its checkpoint has next nodes too)
      this.status = snapshot.interrupts.length
        ? 'interrupted'
        : this.status === 'error' || this.status === 'cancelled'
          ? this.status
          : snapshot.next.length
            ? 'paused'
            : snapshot.metadata
              ? 'done'
              : 'idle';
      this.answer = this.demo.answer?.(snapshot.values);
    }
  }

  private newestSnapshot(): StateSnapshot<Values> | undefined {
    const newest = this.checkpoints[0];
    return newest ? this.snapshots.get(newest.id) : undefined;
  }

  /** Runs one turn from the newest checkpoint (or from the open one, which branches). */
  async run(message: string): Promise<void> {
    const from = this.openCheckpointId;
    const current = from ? this.snapshots.get(from)?.values : this.newestSnapshot()?.values;
    let turn: DemoTurn;
    try {
      turn = this.demo.turn(message, current && Object.keys(current).length ? current : undefined);
    } catch (error) {
      this.error = (error as Error).message;
      this.status = 'error';
      return;
    }
    await this.drive(turn.input, turn, from);
  }

  /** Answers the pending interrupts (a map of interrupt id to answer) and continues. */
  async resume(answers: Record<string, unknown>): Promise<void> {
    await this.drive(new Command({ resume: answers }), {}, this.openCheckpointId);
  }

  /** Continues a run paused at a breakpoint. */
  async continueRun(): Promise<void> {
    await this.drive(null, {}, this.openCheckpointId);
  }

  cancel(): void {
    this.controller?.abort(new DOMException('Cancelled by the user.', 'AbortError'));
  }

  /**
   * Forks from a checkpoint: with `values`, an `updateState` as `asNode` first (edit state
   * and re-run); then the run continues from the new checkpoint. The old branch stays.
   */
  async fork(checkpointId: string, edit?: { values: Values; asNode?: string }): Promise<void> {
    let from = checkpointId;
    if (edit) {
      try {
        const config = await this.graph.updateState(
          this.config({}, checkpointId),
          edit.values,
          edit.asNode,
        );
        from = String(config.configurable.checkpoint_id);
      } catch (error) {
        this.error = (error as Error).message;
        this.status = 'error';
        return;
      }
    }
    await this.drive(null, {}, from);
  }

  /** Copies a checkpoint's values into a new thread and switches to it. */
  async branchToThread(checkpointId: string, asNode?: string): Promise<string> {
    const snapshot = this.snapshots.get(checkpointId);
    if (!snapshot) throw new Error(`No checkpoint '${checkpointId}' in thread '${this.threadId}'.`);
    const id = newThreadId(this.demo.id);
    await this.graph.updateState(
      { configurable: { thread_id: id } },
      snapshot.values,
      asNode ?? (snapshot.metadata?.writes ? Object.keys(snapshot.metadata.writes)[0] : undefined),
    );
    await this.switchThread(id);
    return id;
  }

  /** Another thread's newest values, for side-by-side comparison. */
  async valuesOf(threadId: string): Promise<Values> {
    const snapshot = await this.graph.getState({ configurable: { thread_id: threadId } });
    return snapshot.values as Values;
  }

  async switchThread(id: string): Promise<void> {
    if (this.running) return;
    this.threadId = id;
    this.openCheckpointId = undefined;
    this.trace = emptyTrace();
    this.nodeDetails = {};
    this.error = null;
    this.status = 'idle';
    await this.refresh();
  }

  async newThread(): Promise<string> {
    const id = newThreadId(this.demo.id);
    await this.switchThread(id);
    return id;
  }

  async deleteThread(id: string): Promise<void> {
    await this.saver.deleteThread(id);
    if (id === this.threadId) await this.switchThread(newThreadId(this.demo.id));
    else await this.refresh();
  }

  async exportThread(): Promise<Blob> {
    const data = await this.saver.exportThread(this.threadId);
    return new Blob([JSON.stringify(data, null, 1)], { type: 'application/json' });
  }

  /** Imports a thread file (validated by the saver; a bad file throws and changes nothing). */
  async importThread(text: string): Promise<string> {
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      throw new Error('This file is not JSON, so it is not a thread export.');
    }
    const id = await this.saver.importThread(data, {
      threadId: newThreadId(this.demo.id),
    });
    await this.switchThread(id);
    return id;
  }

  private async drive(
    input: unknown,
    turn: Partial<DemoTurn>,
    fromCheckpointId: string | undefined,
  ): Promise<void> {
    if (this.running) return;
    const controller = new AbortController();
    this.controller = controller;
    this.status = 'running';
    this.error = null;
    this.answer = undefined;
    this.trace = emptyTrace();
    const trace = this.trace;
    const config = this.config(
      {
        streamMode: STREAM_MODES,
        signal: controller.signal,
        recursionLimit: turn.recursionLimit,
        interruptBefore: [...(turn.interruptBefore ?? []), ...this.breakpoints.before],
        interruptAfter: [...(turn.interruptAfter ?? []), ...this.breakpoints.after],
      },
      fromCheckpointId,
    );
    let failed: unknown;
    try {
      for await (const event of this.graph.stream(input as never, config)) {
        const [mode, payload] = event as [string, unknown];
        if (mode === 'values') {
          this.values = payload as Values;
        } else {
          applyEvent(trace, event);
          if (mode === 'debug') this.recordDetails(payload);
        }
      }
    } catch (error) {
      failed = error;
    } finally {
      this.controller = undefined;
    }
    this.openCheckpointId = undefined;
    // Read the saved history while the status still says 'running': setting 'done' first
    // showed "done" for a moment on runs that had stopped at an interrupt or breakpoint.
    try {
      await this.refresh();
    } finally {
      if (failed !== undefined) {
        this.status = isAbortError(failed) ? 'cancelled' : 'error';
        this.error = isAbortError(failed)
          ? 'Cancelled. The state stays at the last completed step; Resume continues from there.'
          : (failed as Error).message;
      } else {
        this.status = 'done';
      }
      // derives interrupted / paused / done and the answer from the newest checkpoint
      this.showCheckpoint(undefined);
    }
  }

  private recordDetails(payload: unknown): void {
    const e = payload as { type: string; payload: Record<string, unknown> };
    const name = String(e.payload?.name ?? '');
    if (!name) return;
    if (e.type === 'task') this.nodeDetails[name] = { input: e.payload.input };
    else if (e.type === 'task_result') {
      const result = e.payload.result as Array<[string, unknown]> | undefined;
      this.nodeDetails[name] = {
        ...this.nodeDetails[name],
        output: result ? Object.fromEntries(result) : undefined,
      };
    }
  }
}
