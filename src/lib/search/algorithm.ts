/**
 * The part of `SearchAlgorithm` every algorithm shares. An algorithm supplies `next` (where
 * to expand next, given the reservations made so far) and optionally `onTell` (update its
 * statistics); `askBatch`, `tell`, `cancel`, `step` and `topK` are built here.
 *
 * Batch rule: `askBatch(n)` calls `next` n times, reserving each answer before asking for
 * the following one, so later choices see earlier reservations (`node.pending`, the
 * trials in `tree.trials`). What an algorithm does with them is documented in its module.
 */
import { SearchError, SearchExhaustedError } from './errors.js';
import { SeededRandom, type Random } from './random.js';
import {
  cancelTrial,
  checkActions,
  createTree,
  getNode,
  reserveTrial,
  resolveTrial,
  topK,
} from './tree.js';
import type {
  GenerateContext,
  GenerateResult,
  Generator,
  Generators,
  NodeExplanation,
  PendingTrial,
  SearchAlgorithm,
  SearchNode,
  SearchTree,
  Trial,
} from './types.js';

export interface CommonOptions {
  /** Seed of the tree's PRNG (default 0). */
  seed?: number;
  /** Replaces the tree's PRNG for every draw (tests fix draws with `scriptedRandom`). */
  random?: Random;
}

export interface AlgorithmSpec<S, NodeStats, Data> {
  name: string;
  options: CommonOptions;
  initData(): Data;
  /** Statistics of a new node (the root included); default `null`. */
  initStats?(): NodeStats | null;
  /** The next expansion, or `null` if nothing can be planned until pending trials are told. */
  next(
    tree: SearchTree<S, NodeStats, Data>,
    actions: readonly string[],
    random: Random,
  ): { parentId: number; action: string } | null;
  /** Called after the child is added and its score aggregated into `visits`/`value`. */
  onTell?(
    tree: SearchTree<S, NodeStats, Data>,
    node: SearchNode<S, NodeStats>,
    trial: PendingTrial,
  ): void;
  /** Called after a reservation is released (its generation failed or was aborted). */
  onCancel?(tree: SearchTree<S, NodeStats, Data>, trial: PendingTrial): void;
  /** Why `next` returned null with no trial pending; by default "nothing left to expand". */
  exhausted?(tree: SearchTree<S, NodeStats, Data>): string;
  /** The numbers behind the choices at a node (`SearchAlgorithm.explain`); read only. */
  explain?(tree: SearchTree<S, NodeStats, Data>, node: SearchNode<S, NodeStats>): NodeExplanation;
}

export function defineAlgorithm<S, NodeStats, Data>(
  spec: AlgorithmSpec<S, NodeStats, Data>,
): SearchAlgorithm<S, NodeStats, Data> {
  type Tree = SearchTree<S, NodeStats, Data>;
  const randomFor = (tree: Tree): Random => spec.options.random ?? new SeededRandom(tree.rng);

  const checkTree = (tree: Tree) => {
    if (tree.algorithm !== spec.name) {
      throw new SearchError(`This tree was made by ${tree.algorithm}, not ${spec.name}.`);
    }
  };

  const askBatch = (tree: Tree, n: number, actions?: readonly string[]): Trial<S>[] => {
    checkTree(tree);
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`n must be an integer >= 0, got ${n}`);
    if (actions) tree.actions = checkActions(actions);
    if (tree.actions.length === 0) {
      throw new SearchError('No actions: pass them to init(), askBatch() or step().');
    }
    const random = randomFor(tree);
    const trials: Trial<S>[] = [];
    for (let i = 0; i < n; i++) {
      const target = spec.next(tree, tree.actions, random);
      if (!target) break;
      trials.push(reserveTrial(tree, target.parentId, target.action));
    }
    return trials;
  };

  const tell = (tree: Tree, trialId: string, result: GenerateResult<S>) => {
    checkTree(tree);
    const { node, trial } = resolveTrial(tree, trialId, result, spec.initStats?.() ?? null);
    spec.onTell?.(tree, node, trial);
    return node;
  };

  const cancel = (tree: Tree, trialId: string) => {
    checkTree(tree);
    const trial = cancelTrial(tree, trialId);
    spec.onCancel?.(tree, trial);
  };

  const step = async (
    tree: Tree,
    generators: Generators<S> | Generator<S>,
    ctx: GenerateContext = {},
  ) => {
    const named: Generators<S> =
      typeof generators === 'function' ? { default: generators } : generators;
    const [trial] = askBatch(tree, 1, Object.keys(named));
    if (!trial) {
      if (Object.keys(tree.trials).length > 0) {
        throw new SearchError(
          `${spec.name} cannot plan another expansion until its pending trials are told.`,
        );
      }
      throw new SearchExhaustedError(spec.exhausted?.(tree) ?? `${spec.name}: nothing to expand.`);
    }
    let result: GenerateResult<S>;
    try {
      result = await named[trial.action](trial.parentState, ctx);
    } catch (error) {
      cancel(tree, trial.id);
      throw error;
    }
    try {
      return tell(tree, trial.id, result);
    } catch (error) {
      if (Object.hasOwn(tree.trials, trial.id)) cancel(tree, trial.id);
      throw error;
    }
  };

  return {
    name: spec.name,
    init: (actions) =>
      createTree<S, NodeStats, Data>({
        algorithm: spec.name,
        seed: spec.options.seed,
        actions,
        data: spec.initData(),
        rootStats: spec.initStats?.() ?? null,
      }),
    askBatch,
    tell,
    cancel,
    step,
    topK: (tree, k) => topK(tree, k),
    ...(spec.explain
      ? {
          explain: (tree: Tree, nodeId: number) => {
            checkTree(tree);
            return (spec.explain as NonNullable<typeof spec.explain>)(tree, getNode(tree, nodeId));
          },
        }
      : {}),
  };
}
