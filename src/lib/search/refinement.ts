/**
 * Sequential refinement: depth only. The first trial answers from the root; each later
 * trial refines the previous answer (the chain's tip), so the tree is one path. With
 * several generators they take turns by depth (depth 0 → first action, 1 → second, …).
 *
 * Batches: each step needs the previous result, so at most one trial is pending;
 * `askBatch` returns nothing while one is.
 */
import { defineAlgorithm, type CommonOptions } from './algorithm.js';
import type { SearchAlgorithm } from './types.js';

export interface RefinementOptions extends CommonOptions {
  /** Stop after a chain this long (default unlimited). */
  maxDepth?: number;
}

export function createRefinement<S>(
  options: RefinementOptions = {},
): SearchAlgorithm<S, null, null> {
  const maxDepth = options.maxDepth ?? Infinity;
  return defineAlgorithm<S, null, null>({
    name: 'refinement',
    options,
    initData: () => null,
    next: (tree, actions) => {
      if (Object.keys(tree.trials).length > 0) return null;
      const tip = tree.nodes[tree.nodes.length - 1];
      if (tip.depth >= maxDepth) return null;
      return { parentId: tip.id, action: actions[tip.depth % actions.length] };
    },
    exhausted: () => `refinement: the chain reached maxDepth ${maxDepth}.`,
  });
}
