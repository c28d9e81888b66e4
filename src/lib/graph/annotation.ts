/**
 * Declaring state: `Annotation.Root({...})` names each key and how concurrent writes to
 * it combine. A key without a reducer keeps the last value written.
 */
import type { Reducer } from './channels.js';

export interface AnnotationSpec<V = unknown, U = V> {
  readonly lg_name: 'Annotation';
  readonly reducer?: Reducer<V, U>;
  readonly default?: () => V;
  /** Phantom fields that carry the value and update types. */
  readonly _value?: V;
  readonly _update?: U;
}

export interface AnnotationOptions<V, U> {
  reducer?: (current: V, update: U) => V;
  default?: () => V;
}

export type StateSpec = Record<string, AnnotationSpec<any, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any

export type StateOf<S extends StateSpec> = {
  [K in keyof S]: S[K] extends AnnotationSpec<infer V, unknown> ? V : never;
};
export type UpdateOf<S extends StateSpec> = {
  [K in keyof S]?: S[K] extends AnnotationSpec<unknown, infer U> ? U : never;
};

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
