/**
 * The search tree as plain data, and the bookkeeping every algorithm shares: reserving a
 * trial, telling its result (add the child, aggregate its score up to the root), cancelling
 * it, and ranking nodes.
 *
 * Aggregation: each node's `visits` and `value` count itself and every told descendant,
 * so `value / visits` is the mean score of its subtree (MCTS's V/N, AB-MCTS's node
 * aggregation). `pending` counts the trials reserved at or below a node; MCTS uses it as a
 * virtual loss.
 */
import { InvalidScoreError, SearchError, UnknownTrialError } from './errors.js';
import { seedState } from './random.js';
import type {
  BranchChoice,
  GenerateResult,
  PendingTrial,
  Ranked,
  SearchNode,
  SearchTree,
  Trial,
} from './types.js';

export function createTree<S, NodeStats, Data>(options: {
  algorithm: string;
  seed?: number;
  actions?: readonly string[];
  data: Data;
  rootStats?: NodeStats | null;
}): SearchTree<S, NodeStats, Data> {
  return {
    version: 1,
    algorithm: options.algorithm,
    actions: options.actions ? checkActions(options.actions) : [],
    nodes: [
      {
        id: 0,
        parentId: null,
        state: null,
        score: null,
        action: null,
        depth: 0,
        visits: 0,
        value: 0,
        pending: 0,
        children: [],
        stats: options.rootStats ?? null,
      },
    ],
    trials: {},
    nextTrial: 0,
    rng: seedState(options.seed ?? 0),
    data: options.data,
  };
}

export function checkActions(actions: readonly string[]): string[] {
  if (actions.length === 0) throw new SearchError('At least one action (generator) is needed.');
  for (const action of actions) {
    // Action names key plain objects in the (JSON) tree.
    if (typeof action !== 'string' || action === '' || action === '__proto__') {
      throw new SearchError(`Invalid action name ${JSON.stringify(action)}.`);
    }
  }
  if (new Set(actions).size !== actions.length) {
    throw new SearchError(`Action names must be unique: ${actions.join(', ')}`);
  }
  return [...actions];
}

/** Throws `InvalidScoreError` unless `score` is a finite number in [0, 1]. */
export function validateScore(score: unknown, where: string): asserts score is number {
  if (typeof score !== 'number' || !Number.isFinite(score) || score < 0 || score > 1) {
    throw new InvalidScoreError(score, where);
  }
}

export function getNode<S, NS>(tree: SearchTree<S, NS>, id: number): SearchNode<S, NS> {
  const node = tree.nodes[id];
  if (!node) throw new SearchError(`No node ${id} in the tree (it has ${tree.nodes.length}).`);
  return node;
}

/** The node and its ancestors, from the node up to the root. */
export function pathToRoot<S, NS>(tree: SearchTree<S, NS>, id: number): SearchNode<S, NS>[] {
  const path: SearchNode<S, NS>[] = [];
  for (let node: SearchNode<S, NS> | null = getNode(tree, id); node;) {
    path.push(node);
    node = node.parentId === null ? null : tree.nodes[node.parentId];
  }
  return path;
}

export function childrenOf<S, NS>(tree: SearchTree<S, NS>, node: SearchNode<S, NS>) {
  return node.children.map((id) => tree.nodes[id]);
}

/** Pending trials whose expansion target is exactly `nodeId`. */
export function pendingTrialsAt(tree: SearchTree<unknown, unknown>, nodeId: number) {
  return Object.values(tree.trials).filter((t) => t.parentId === nodeId);
}

/** Children plus pending trials at a node for each action (for round-robin choices). */
export function actionCounts(
  tree: SearchTree<unknown, unknown>,
  node: SearchNode<unknown, unknown>,
  actions: readonly string[],
): number[] {
  const counts = actions.map(() => 0);
  for (const id of node.children) {
    const i = actions.indexOf(tree.nodes[id].action as string);
    if (i >= 0) counts[i]++;
  }
  for (const trial of pendingTrialsAt(tree, node.id)) {
    const i = actions.indexOf(trial.action);
    if (i >= 0) counts[i]++;
  }
  return counts;
}

/** The action with the fewest children and reservations at `node`; ties go to the first. */
export function leastUsedAction(
  tree: SearchTree<unknown, unknown>,
  node: SearchNode<unknown, unknown>,
  actions: readonly string[],
): string {
  const counts = actionCounts(tree, node, actions);
  let best = 0;
  for (let i = 1; i < counts.length; i++) if (counts[i] < counts[best]) best = i;
  return actions[best];
}

/** Reserves an expansion of `parentId` with `action`; every node on its path gets +1 pending. */
export function reserveTrial<S, NS>(
  tree: SearchTree<S, NS>,
  parentId: number,
  action: string,
): Trial<S> {
  const parent = getNode(tree, parentId);
  const trial: PendingTrial = { id: `t${tree.nextTrial++}`, parentId, action };
  tree.trials[trial.id] = trial;
  for (const node of pathToRoot(tree, parentId)) node.pending++;
  return { ...trial, parentState: parent.state, depth: parent.depth };
}

function takeTrial(tree: SearchTree<unknown, unknown>, trialId: string): PendingTrial {
  const trial = Object.hasOwn(tree.trials, trialId) ? tree.trials[trialId] : undefined;
  if (!trial) throw new UnknownTrialError(trialId);
  return trial;
}

/** Forgets a reservation (its generation failed or was aborted). */
export function cancelTrial(tree: SearchTree<unknown, unknown>, trialId: string): PendingTrial {
  const trial = takeTrial(tree, trialId);
  delete tree.trials[trialId];
  for (const node of pathToRoot(tree, trial.parentId)) node.pending--;
  return trial;
}

/**
 * Adds the child a trial produced and aggregates its score up to the root. Validates
 * first: on an invalid result nothing changes and the trial stays pending.
 */
export function resolveTrial<S, NS>(
  tree: SearchTree<S, NS>,
  trialId: string,
  result: GenerateResult<S>,
  stats: NS | null = null,
): { node: SearchNode<S, NS>; trial: PendingTrial } {
  const trial = takeTrial(tree, trialId);
  const where = `Generator "${trial.action}" (trial ${trialId})`;
  if (result === null || typeof result !== 'object') {
    throw new SearchError(`${where} must return {state, score}, got ${String(result)}.`);
  }
  validateScore(result.score, where);
  if (result.state === null || result.state === undefined) {
    throw new SearchError(`${where} returned no state; only the root has a null state.`);
  }
  cancelTrial(tree, trialId);
  const parent = getNode(tree, trial.parentId);
  const node: SearchNode<S, NS> = {
    id: tree.nodes.length,
    parentId: parent.id,
    state: result.state,
    score: result.score,
    action: trial.action,
    depth: parent.depth + 1,
    visits: 0,
    value: 0,
    pending: 0,
    children: [],
    stats,
  };
  tree.nodes.push(node);
  parent.children.push(node.id);
  for (const n of pathToRoot(tree, node.id)) {
    n.visits += 1;
    n.value += result.score;
  }
  return { node, trial };
}

/**
 * GEN or CONT: the last real choice of the adaptive-branching selection that created this
 * node (see `BranchChoice`); null for the root. Read from the tree's shape: a node's
 * siblings with smaller ids were told before it. With batches a sibling may have been
 * pending rather than told when the choice was made, so this is exact for one trial at a
 * time (as `step` runs) and an approximation for batches.
 */
export function branchChoiceOf(
  tree: SearchTree<unknown, unknown>,
  nodeId: number,
): BranchChoice | null {
  const node = getNode(tree, nodeId);
  if (node.parentId === null) return null;
  const parent = getNode(tree, node.parentId);
  const hadChildren = parent.children.some((id) => id < node.id);
  return hadChildren || parent.parentId === null ? 'GEN' : 'CONT';
}

/** The best `k` non-root nodes by score; ties go to the node told first. */
export function topK<S>(tree: SearchTree<S, unknown>, k: number): Ranked<S>[] {
  if (!Number.isInteger(k) || k < 0) throw new RangeError(`k must be an integer >= 0, got ${k}`);
  return tree.nodes
    .slice(1)
    .sort((a, b) => (b.score as number) - (a.score as number) || a.id - b.id)
    .slice(0, k)
    .map((n) => ({ nodeId: n.id, state: n.state as S, score: n.score as number }));
}
