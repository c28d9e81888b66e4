/**
 * Repeated sampling (best-of-n): breadth only. Every trial generates a fresh answer from
 * the root; nothing is ever refined. With several generators it goes round-robin: the
 * action with the fewest answers (and reservations) so far, ties to the first.
 *
 * Batches: any number of trials at once, all at the root; no randomness is drawn.
 */
import { defineAlgorithm, type CommonOptions } from './algorithm.js';
import { leastUsedAction } from './tree.js';
import type { SearchAlgorithm } from './types.js';

export type RepeatedSamplingOptions = CommonOptions;

export function createRepeatedSampling<S>(
  options: RepeatedSamplingOptions = {},
): SearchAlgorithm<S, null, null> {
  return defineAlgorithm<S, null, null>({
    name: 'repeated-sampling',
    options,
    initData: () => null,
    next: (tree, actions) => ({
      parentId: 0,
      action: leastUsedAction(tree, tree.nodes[0], actions),
    }),
  });
}
