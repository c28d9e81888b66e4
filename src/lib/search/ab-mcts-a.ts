/**
 * AB-MCTS-A: adaptive-branching MCTS with node aggregation (Inoue et al., 2025, "Wider or
 * Deeper? Scaling LLM Inference-Time Compute with Adaptive Branching Tree Search";
 * TreeQuest's `ABMCTSA`).
 *
 * At every node, from the root down, Thompson sampling decides between GEN (generate a
 * new child here) and CONT (continue into an existing child):
 * - GEN's posterior holds the scores of the children generated at this node;
 * - CONT's posterior holds every score that reached this node's subtree through a child;
 * - each child's own posterior holds its score and every score of its subtree (node
 *   aggregation), and picks which child CONT enters.
 * A node without children always GENs. Posteriors are Gaussian (Normal-Inverse-Gamma) or
 * Beta, with TreeQuest's default hyperparameters (see `posterior.ts`).
 *
 * Several generators (e.g. two models) are chosen by `modelSelection`:
 * - 'thompson' (default; TreeQuest's `multiarm_bandit_thompson`): GEN/CONT are shared by
 *   all actions; after GEN, the action is the largest draw from each action's posterior
 *   over all its scores in the tree.
 * - 'ucb' (`multiarm_bandit_ucb`): as 'thompson', but the action by UCB1 over those scores.
 * - 'stack': each node first draws an action from its per-action posteriors (scores that
 *   came through children of that action), then GEN vs CONT for that action, then CONT
 *   among that action's children only.
 * One action never costs a draw. `rewardAveragePriors` moves the action posteriors' prior
 * mean (globally or per action) as TreeQuest's `reward_average_priors` does.
 *
 * Batches: by default (as TreeQuest) a pending trial changes no posterior; each ask makes
 * fresh Thompson draws, which is what spreads a batch. With `virtualLoss: true`, selection
 * counts each pending trial as a score of 0 in the posteriors on its path (GEN at its
 * parent, CONT and the child's posterior above it), which pushes a batch deeper instead of
 * wider; action posteriors are left alone.
 */
import { defineAlgorithm, type CommonOptions } from './algorithm.js';
import {
  DEFAULT_BETA_PRIOR,
  DEFAULT_GAUSSIAN_PRIOR,
  emptyStats,
  observe,
  statsOf,
  summarizePosterior,
  thompson,
  ucbChoice,
  withAverage,
  type Prior,
} from './posterior.js';
import type { Random } from './random.js';
import { branchChoiceOf, pendingTrialsAt } from './tree.js';
import type { ScoreStats, SearchAlgorithm, SearchNode, SearchTree } from './types.js';

export type ModelSelection = 'thompson' | 'ucb' | 'stack';

export interface AbMctsAOptions extends CommonOptions {
  /** Posterior family (default 'gaussian', TreeQuest's default `dist_type`). */
  distribution?: 'gaussian' | 'beta';
  /** Overrides the default prior of `distribution`. */
  prior?: Prior;
  /** Prior mean score of each action's posterior: one number, or per action. */
  rewardAveragePriors?: number | Readonly<Record<string, number>>;
  modelSelection?: ModelSelection;
  /** Count pending trials as scores of 0 while selecting (default false). */
  virtualLoss?: boolean;
}

export interface AbMctsANodeStats {
  /** This node's score and all its descendants' (its posterior as a child). */
  agg: ScoreStats;
  /** Scores of children generated here, keyed 'shared' or, for 'stack', by action. */
  gen: Record<string, ScoreStats>;
  /** Scores that came through an existing child (CONT), same keys. */
  cont: Record<string, ScoreStats>;
  /** Scores below this node by the action of the child they came through. */
  actions: Record<string, ScoreStats>;
}

export type AbMctsATree<S> = SearchTree<S, AbMctsANodeStats, null>;
type Node<S> = SearchNode<S, AbMctsANodeStats>;

const GEN = 'GEN';
const CONT = 'CONT';

export function createAbMctsA<S>(
  options: AbMctsAOptions = {},
): SearchAlgorithm<S, AbMctsANodeStats, null> {
  const base: Prior =
    options.prior ??
    (options.distribution === 'beta' ? { ...DEFAULT_BETA_PRIOR } : { ...DEFAULT_GAUSSIAN_PRIOR });
  const selection = options.modelSelection ?? 'thompson';
  const virtualLoss = options.virtualLoss ?? false;
  const keyOf = (action: string) => (selection === 'stack' ? action : 'shared');
  const actionPrior = (action: string): Prior => {
    const avg = options.rewardAveragePriors;
    if (typeof avg === 'number') return withAverage(base, avg);
    if (avg && Object.hasOwn(avg, action)) return withAverage(base, avg[action]);
    return base;
  };

  /** `stats` with `zeros` extra scores of 0 (virtual losses); the original is unchanged. */
  const withZeros = (stats: ScoreStats | undefined, zeros: number): ScoreStats | undefined => {
    if (!virtualLoss || zeros === 0) return stats;
    const copy = stats ? { ...stats } : emptyStats();
    for (let i = 0; i < zeros; i++) observe(copy, 0);
    return copy;
  };

  const chooseAction = (tree: AbMctsATree<S>, actions: readonly string[], random: Random) => {
    if (actions.length === 1) return actions[0];
    const scores = new Map<string, number[]>(actions.map((a) => [a, []]));
    for (const node of tree.nodes) {
      if (node.action !== null) scores.get(node.action)?.push(node.score as number);
    }
    if (selection === 'ucb') {
      return ucbChoice(actions.map((a) => ({ key: a, scores: scores.get(a) ?? [] })));
    }
    const options = actions.map((a) => ({
      key: a,
      prior: actionPrior(a),
      stats: statsOf(scores.get(a) ?? []),
    }));
    return thompson(options, random).key;
  };

  /** GEN (returns an action) or CONT (returns a child id) at `node`. */
  const selectAt = (
    tree: AbMctsATree<S>,
    node: Node<S>,
    actions: readonly string[],
    random: Random,
  ): string | number => {
    const stats = node.stats as AbMctsANodeStats;
    const children = node.children.map((id) => tree.nodes[id]);
    const pendingHere = (action?: string) =>
      virtualLoss
        ? pendingTrialsAt(tree, node.id).filter((t) => !action || t.action === action).length
        : 0;
    const contChoice = (candidates: Node<S>[], key: string, action?: string) => {
      const below = candidates.reduce((p, c) => p + c.pending, 0);
      const gen = withZeros(stats.gen[key], pendingHere(action));
      const cont = withZeros(stats.cont[key], below);
      const choice = thompson(
        [
          { key: GEN, prior: base, stats: gen },
          { key: CONT, prior: base, stats: cont },
        ],
        random,
      ).key;
      if (choice === GEN) return null;
      const picked = thompson(
        candidates.map((c) => ({
          key: c.id,
          prior: base,
          stats: withZeros((c.stats as AbMctsANodeStats).agg, c.pending),
        })),
        random,
      );
      return picked.key;
    };

    if (selection === 'stack') {
      const action =
        actions.length === 1
          ? actions[0]
          : thompson(
              actions.map((a) => ({ key: a, prior: actionPrior(a), stats: stats.actions[a] })),
              random,
            ).key;
      const mine = children.filter((c) => c.action === action);
      if (mine.length === 0) return action;
      return contChoice(mine, action, action) ?? action;
    }
    if (children.length > 0) {
      const child = contChoice(children, 'shared');
      if (child !== null) return child;
    }
    return chooseAction(tree, actions, random);
  };

  return defineAlgorithm<S, AbMctsANodeStats, null>({
    name: 'ab-mcts-a',
    options,
    initData: () => null,
    initStats: () => ({ agg: emptyStats(), gen: {}, cont: {}, actions: {} }),
    explain: (tree, node) => {
      // Told scores only, as selection sees them without virtual losses.
      const stats = node.stats as AbMctsANodeStats;
      const keys = selection === 'stack' ? tree.actions : ['shared'];
      const byKey = (record: Record<string, ScoreStats>) =>
        Object.fromEntries(keys.map((key) => [key, summarizePosterior(base, record[key])]));
      return {
        kind: 'ab-mcts-a',
        choice: branchChoiceOf(tree, node.id),
        gen: byKey(stats.gen),
        cont: byKey(stats.cont),
        self: summarizePosterior(base, stats.agg),
      };
    },
    next: (tree, actions, random) => {
      let node = tree.nodes[0];
      for (;;) {
        const choice = selectAt(tree, node, actions, random);
        if (typeof choice === 'string') return { parentId: node.id, action: choice };
        node = tree.nodes[choice];
      }
    },
    onTell: (tree, node, trial) => {
      const score = node.score as number;
      const bump = (record: Record<string, ScoreStats>, key: string) =>
        observe((record[key] ??= emptyStats()), score);
      observe((node.stats as AbMctsANodeStats).agg, score);
      const parent = tree.nodes[trial.parentId];
      const parentStats = parent.stats as AbMctsANodeStats;
      bump(parentStats.gen, keyOf(trial.action));
      bump(parentStats.actions, trial.action);
      for (let cur = parent; cur.parentId !== null; cur = tree.nodes[cur.parentId]) {
        const up = tree.nodes[cur.parentId].stats as AbMctsANodeStats;
        observe((cur.stats as AbMctsANodeStats).agg, score);
        bump(up.cont, keyOf(cur.action as string));
        bump(up.actions, cur.action as string);
      }
    },
  });
}
