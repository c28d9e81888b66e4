/**
 * Monte Carlo tree search with UCT.
 *
 * One iteration, as `askBatch(1)` + generate + `tell`:
 * - Selection: from the root, while the node has no free slot, go to the child with the
 *   highest UCT = V/N + c·sqrt(ln N_parent / N). A node has
 *   `samplesPerAction × actions` slots (TreeQuest's `samples_per_action`, default 2);
 *   nodes at `maxDepth` have none.
 * - Expansion: a free slot is an unvisited child (UCT = +∞, so it always wins): reserve a
 *   trial there, with the action used least at that node.
 * - Simulation: the generator's score of the new state is the rollout's value (a
 *   generator that rolls out further can fold that into its score).
 * - Backpropagation: N += 1 and V += score on the new node and every ancestor
 *   (`visits`/`value`, done by the shared tree code).
 *
 * Batches (virtual loss): each reserved trial counts, on every node of its path, as one
 * visit of value 0 until it is told (`N = visits + pending`), so the next selection in the
 * same batch turns elsewhere. A node whose every slot is reserved and which has no told
 * child yet cannot be entered; selection tries the next-best child. If the whole tree is
 * blocked (a batch larger than its free slots) or fully expanded to `maxDepth`, the
 * expandable node at the end of the UCT path gets one child beyond its width.
 *
 * Differences from TreeQuest's StandardMCTS: it expands a selected leaf with all its slots
 * at once and weights exploration by a softmax prior over sibling scores; here a node is
 * expanded one slot at a time and UCT is the plain formula above. No randomness is drawn
 * (ties go to the node told first), so `seed` has no effect.
 */
import { defineAlgorithm, type CommonOptions } from './algorithm.js';
import { SearchError } from './errors.js';
import { leastUsedAction } from './tree.js';
import type { SearchAlgorithm, SearchNode, SearchTree, UctExplanation } from './types.js';

export interface MctsOptions extends CommonOptions {
  /** Exploration weight c (default √2, TreeQuest's `exploration_weight`). */
  c?: number;
  /** Children per action before a node counts as fully expanded (default 2). */
  samplesPerAction?: number;
  /** Nodes at this depth are not expanded (default unlimited). */
  maxDepth?: number;
}

/**
 * UCT = value/visits + c·sqrt(ln parentVisits / visits); +∞ for an unvisited node.
 * `value` is the sum of scores below the node, `visits` their count.
 */
export function uct(value: number, visits: number, parentVisits: number, c = Math.SQRT2): number {
  if (visits === 0) return Infinity;
  return value / visits + c * Math.sqrt(Math.log(parentVisits) / visits);
}

/** UCT of a node of a tree, from its told results only. The root has no UCT. */
export function nodeUct(tree: SearchTree<unknown, unknown>, nodeId: number, c = Math.SQRT2) {
  const node = tree.nodes[nodeId];
  if (!node) throw new SearchError(`No node ${nodeId} in the tree.`);
  if (node.parentId === null) {
    throw new SearchError('UCT is undefined for the root: it has no parent to be chosen from.');
  }
  return uct(node.value, node.visits, tree.nodes[node.parentId].visits, c);
}

/** The parts of a node's UCT, with the exploration weight `c` the algorithm uses. */
export function explainUct(
  tree: SearchTree<unknown, unknown>,
  nodeId: number,
  c = Math.SQRT2,
): UctExplanation {
  const node = tree.nodes[nodeId];
  if (!node) throw new SearchError(`No node ${nodeId} in the tree.`);
  const mean = node.visits > 0 ? node.value / node.visits : 0;
  const parts = { kind: 'uct' as const, value: node.value, visits: node.visits, c, mean };
  if (node.parentId === null) return { ...parts, parentVisits: 0, exploration: 0, uct: null };
  const parentVisits = tree.nodes[node.parentId].visits;
  const exploration =
    node.visits > 0 ? c * Math.sqrt(Math.log(parentVisits) / node.visits) : Infinity;
  return {
    ...parts,
    parentVisits,
    exploration,
    uct: uct(node.value, node.visits, parentVisits, c),
  };
}

export function createMcts<S>(options: MctsOptions = {}): SearchAlgorithm<S, null, null> {
  const c = options.c ?? Math.SQRT2;
  const samplesPerAction = options.samplesPerAction ?? 2;
  const maxDepth = options.maxDepth ?? Infinity;
  if (!Number.isInteger(samplesPerAction) || samplesPerAction < 1) {
    throw new RangeError(`samplesPerAction must be an integer >= 1, got ${samplesPerAction}`);
  }
  if (!(maxDepth >= 1)) throw new RangeError(`maxDepth must be >= 1, got ${maxDepth}`);

  return defineAlgorithm<S, null, null>({
    name: 'mcts',
    options,
    initData: () => null,
    explain: (tree, node) => explainUct(tree, node.id, c),
    next: (tree, actions) => {
      const width = samplesPerAction * actions.length;
      const ownPending = (node: SearchNode<S, null>) =>
        node.children.reduce((p, id) => p - tree.nodes[id].pending, node.pending);
      const expandable = (node: SearchNode<S, null>) => node.depth < maxDepth;
      const hasFreeSlot = (node: SearchNode<S, null>) =>
        expandable(node) && node.children.length + ownPending(node) < width;
      // Told children, best UCT first; pending trials count as visits of value 0.
      const ranked = (node: SearchNode<S, null>) =>
        node.children
          .map((id) => tree.nodes[id])
          .map((child) => ({
            child,
            score: uct(child.value, child.visits + child.pending, node.visits + node.pending, c),
          }))
          .sort((a, b) => b.score - a.score || a.child.id - b.child.id)
          .map((r) => r.child);
      // strict: only free slots; otherwise over-subscribe the last expandable node on the path.
      const select = (node: SearchNode<S, null>, strict: boolean): SearchNode<S, null> | null => {
        if (hasFreeSlot(node)) return node;
        for (const child of ranked(node)) {
          const found = select(child, strict);
          if (found) return found;
        }
        return !strict && expandable(node) ? node : null;
      };
      const root = tree.nodes[0];
      const target = select(root, true) ?? select(root, false);
      if (!target) return null;
      return { parentId: target.id, action: leastUsedAction(tree, target, actions) };
    },
  });
}
