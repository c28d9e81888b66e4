/**
 * Declaring state: `Annotation.Root({...})` names each key and how concurrent writes to
 * it combine. A key without a reducer keeps the last value written.
 */
import type { Reducer } from './channels.js';

export interface AnnotationSpec<V = unknown, U = V> {
  readonly lg_name: 'Annotation';
  readonly reducer?: Reducer<V, U>;
  readonly default?: () => V;
  /** Type-level only (never set at run time): carries the value and update types. */
  readonly __types?: { value: V; update: U };
}

export interface AnnotationOptions<V, U> {
  reducer?: (current: V, update: U) => V;
  default?: () => V;
}

export type StateSpec = Record<string, AnnotationSpec<any, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any

type ValueType<A> = A extends { __types?: { value: infer V; update: unknown } } ? V : never;
type UpdateType<A> = A extends { __types?: { value: unknown; update: infer U } } ? U : never;

/** The state a node receives. */
export type StateOf<S extends StateSpec> = { [K in keyof S]: ValueType<S[K]> };
/** What a node may return: any subset of keys, each in its reducer's update type. */
export type UpdateOf<S extends StateSpec> = { [K in keyof S]?: UpdateType<S[K]> };

/** The declared state of a graph. `typeof MyState.State` is the state's type. */
export class AnnotationRoot<S extends StateSpec> {
  readonly lg_name = 'AnnotationRoot';
  declare readonly State: StateOf<S>;
  declare readonly Update: UpdateOf<S>;
  constructor(readonly spec: S) {}
}

function annotation<V>(): AnnotationSpec<V, V>;
function annotation<V, U = V>(options: AnnotationOptions<V, U>): AnnotationSpec<V, U>;
function annotation<V, U = V>(options?: AnnotationOptions<V, U>): AnnotationSpec<V, U> {
  return {
    lg_name: 'Annotation',
    reducer: options?.reducer,
    default: options?.default,
  };
}

type AnnotationFn = typeof annotation & {
  Root<S extends StateSpec>(spec: S): AnnotationRoot<S>;
};

export const Annotation: AnnotationFn = Object.assign(annotation, {
  Root<S extends StateSpec>(spec: S): AnnotationRoot<S> {
    return new AnnotationRoot(spec);
  },
});
