/**
 * The "durable run" demo: a one-node graph that counts to a target, one superstep per
 * count. Each step waits a little (standing in for real work such as a model call), so
 * a run takes long enough to close the tab in the middle of it. With a checkpointer,
 * every completed step is saved, and `invoke(null, …)` continues from the last one.
 */
import type { BaseCheckpointSaver } from '$lib/checkpoint';
import { Annotation, END, START, StateGraph, type Runtime } from '$lib/graph';
import { demos, type DemoInfo } from './registry';

function registryEntry(id: string): DemoInfo {
  const entry = demos.find((demo) => demo.id === id);
  if (!entry) throw new Error(`The demo registry has no entry '${id}'.`);
  return entry;
}

/** This demo's metadata: its entry in the registry (the landing page's source of truth). */
export const durableCounterDemo: DemoInfo = registryEntry('durable-counter');

/** IndexedDB database the demo stores its threads in. */
export const DURABLE_COUNTER_DB = 'agent-playground';
/** Thread used when the URL has no `?thread=`. */
export const DEFAULT_THREAD_ID = 'durable-counter';
export const DEFAULT_STEPS = 200;
export const DEFAULT_STEP_DELAY_MS = 40;
/** Largest target the page accepts: each checkpoint stores the whole history, so keep it small. */
export const MAX_STEPS = 1000;

export const DurableCounterState = Annotation.Root({
  /** The last count reached. */
  count: Annotation<number>({ default: () => 0 }),
  /** Every count reached, in order; each step appends one. */
  history: Annotation<number[], number[]>({
    reducer: (current, update) => current.concat(update),
    default: () => [],
  }),
  /** Where the run stops. */
  target: Annotation<number>({ default: () => 0 }),
});

/** The state's values. */
export type DurableCounterValues = typeof DurableCounterState.State;

/** What a node returns or an input sets: any subset of the keys. */
export type DurableCounterUpdate = typeof DurableCounterState.Update;

/** A custom stream event: the count already saved when a step starts, and the target. */
export interface CounterProgress {
  count: number;
  target: number;
}

export interface DurableCounterOptions {
  checkpointer?: BaseCheckpointSaver;
  /** Target used when the input does not set one (default 200). */
  steps?: number;
  /** Simulated work per step, in milliseconds (default 40). */
  stepDelayMs?: number;
}

/** Wait `ms`, rejecting with an AbortError as soon as `signal` aborts. */
export function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const abortError = () =>
      signal.reason instanceof Error && signal.reason.name === 'AbortError'
        ? signal.reason
        : new DOMException('The step was cancelled.', 'AbortError');
    if (signal.aborted) {
      reject(abortError());
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError());
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** The recursion limit a run needs to reach `target` in one call, with headroom. */
export function recursionLimitFor(target: number): number {
  return Math.max(25, target + 5);
}

/**
 * Whether `history` is exactly 1, 2, …, `count`: nothing lost, nothing counted twice.
 */
export function historyIntact(values: Pick<DurableCounterValues, 'count' | 'history'>): boolean {
  const { count, history } = values;
  if (!Array.isArray(history) || history.length !== count) return false;
  return history.every((value, index) => value === index + 1);
}

/** Summary of the `metadata.step` of a thread's checkpoints. */
export interface StepSummary {
  first: number;
  last: number;
  /** Every step from `first` to `last` appears exactly once: none missing, none doubled. */
  eachOnce: boolean;
}

export function summarizeSteps(steps: number[]): StepSummary | null {
  if (steps.length === 0) return null;
  const first = Math.min(...steps);
  const last = Math.max(...steps);
  const unique = new Set(steps).size === steps.length;
  return { first, last, eachOnce: unique && last - first + 1 === steps.length };
}

export function buildDurableCounter(options: DurableCounterOptions = {}) {
  const steps = options.steps ?? DEFAULT_STEPS;
  const stepDelayMs = options.stepDelayMs ?? DEFAULT_STEP_DELAY_MS;

  const tick = async (state: DurableCounterValues, runtime: Runtime) => {
    const target = state.target || steps;
    // `count` is what the last saved checkpoint holds, so progress never runs ahead of
    // what survives a closed tab.
    runtime.write({ count: state.count, target } satisfies CounterProgress);
    await delay(stepDelayMs, runtime.signal);
    const next = state.count + 1;
    return { count: next, history: [next] };
  };

  return new StateGraph(DurableCounterState)
    .addNode('tick', tick)
    .addEdge(START, 'tick')
    .addConditionalEdges(
      'tick',
      (state: DurableCounterValues) => (state.count >= (state.target || steps) ? END : 'tick'),
      ['tick', END],
    )
    .compile({ checkpointer: options.checkpointer, name: 'durable-counter' });
}
