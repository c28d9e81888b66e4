/**
 * Tree of Thoughts, breadth-first (Yao et al., 2023; TreeQuest's `TreeOfThoughtsBFSAlgo`),
 * for comparison with the adaptive searches.
 *
 * Level by level: the frontier starts as the root; each frontier node gets `sizeLimit`
 * (k) children, split evenly over the actions (max(1, ⌊k / actions⌋) per action, as
 * TreeQuest); when the whole level is told, the best `breadthLimit` (b) of its nodes by
 * score (ties: told first) become the next frontier. Nothing else is ever expanded.
 * Defaults are TreeQuest's: b = 3, k = 5.
 *
 * Difference from TreeQuest: TreeQuest expands the root with a single child from the
 * first action; here the root is a frontier node like any other and gets k children.
 *
 * Batches: a level's expansions are queued when it is planned and handed out in order;
 * the next level can only be planned once every trial of this one is told or cancelled,
 * so `askBatch` returns fewer trials (or none) meanwhile. A cancelled trial's expansion
 * goes back to the front of the queue, to be asked again.
 */
import { defineAlgorithm, type CommonOptions } from './algorithm.js';
import type { SearchAlgorithm } from './types.js';

export interface TotBfsOptions extends CommonOptions {
  /** b: nodes kept per level (default 3). */
  breadthLimit?: number;
  /** k: children generated per kept node (default 5). */
  sizeLimit?: number;
  /** Levels below the root (default unlimited). */
  maxDepth?: number;
}

export interface TotBfsData {
  /** Depth of the level whose children are being generated (0: the root). */
  level: number;
  /** Expansions of that level not yet handed out. */
  queue: { parentId: number; action: string }[];
  /** Frontier of each planned level, by depth (node ids). */
  frontiers: number[][];
}

export function createTotBfs<S>(options: TotBfsOptions = {}): SearchAlgorithm<S, null, TotBfsData> {
  const b = options.breadthLimit ?? 3;
  const k = options.sizeLimit ?? 5;
  const maxDepth = options.maxDepth ?? Infinity;
  if (!Number.isInteger(b) || b < 1) throw new RangeError(`breadthLimit must be >= 1, got ${b}`);
  if (!Number.isInteger(k) || k < b) {
    throw new RangeError(`sizeLimit must be an integer >= breadthLimit (${b}), got ${k}`);
  }

  return defineAlgorithm<S, null, TotBfsData>({
    name: 'tot-bfs',
    options,
    initData: () => ({ level: -1, queue: [], frontiers: [] }),
    next: (tree, actions) => {
      const data = tree.data;
      if (data.queue.length === 0) {
        if (Object.keys(tree.trials).length > 0) return null;
        const level = data.level + 1;
        if (level >= maxDepth) return null;
        const frontier =
          level === 0
            ? [0]
            : tree.nodes
                .filter((n) => n.depth === level)
                .sort((x, y) => (y.score as number) - (x.score as number) || x.id - y.id)
                .slice(0, b)
                .map((n) => n.id);
        if (frontier.length === 0) return null;
        const perAction = Math.max(1, Math.floor(k / actions.length));
        for (const parentId of frontier) {
          for (const action of actions) {
            for (let i = 0; i < perAction; i++) data.queue.push({ parentId, action });
          }
        }
        data.level = level;
        data.frontiers.push(frontier);
      }
      return data.queue.shift() ?? null;
    },
    onCancel: (tree, trial) => {
      tree.data.queue.unshift({ parentId: trial.parentId, action: trial.action });
    },
    exhausted: (tree) =>
      tree.data.level + 1 >= maxDepth
        ? `tot-bfs: reached maxDepth ${maxDepth}.`
        : 'tot-bfs: the last level produced no nodes.',
  });
}
