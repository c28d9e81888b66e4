/**
 * AB-MCTS-M: adaptive-branching MCTS with a mixed model (Inoue et al., 2025; TreeQuest's
 * `ABMCTSM`).
 *
 * From the root down, at each node with children, the scores of each child's subtree form
 * one group of the hierarchical model in `mixed-model.ts`. One posterior-predictive draw
 * per child and one for a new child (GEN) are compared; the largest wins. GEN stops the
 * descent and generates here; otherwise the search continues into that child. A node
 * without children always GENs. Unlike AB-MCTS-A, groups share strength: a child with one
 * score borrows from its siblings through μ and σ_α.
 *
 * Pruning (TreeQuest's defaults): a child whose subtree has at least 4 scores of which at
 * least 75 % are equal (to 2 decimals) is skipped when it wins; the next-best option in
 * the ranking is taken. (TreeQuest then only looks at other children and falls back to
 * GEN when all are pruned; here GEN keeps its place in the ranking.)
 *
 * Model selection, as in AB-MCTS-A:
 * - 'thompson' (default): after GEN, a second mixed model with one group per action over
 *   all the tree's scores (prior mean 0.5) gives one predictive draw per action (a new
 *   group's draw for an action with no score yet); no scores at all → a uniform choice.
 * - 'ucb': the action by UCB1 over all its scores.
 * - 'stack': one model per action over that action's scores only; each action's GEN draw
 *   and the children's draws are ranked together (a child seen by several actions keeps
 *   the last action's draw, as in TreeQuest). An action without scores draws from the
 *   prior predictive.
 *
 * Batches: pending trials change nothing; each ask refits and redraws (TreeQuest does the
 * same in parallel processes), so a batch spreads by Thompson sampling alone.
 * `rewardAveragePriors` sets μ₀ (per action for 'stack').
 */
import { defineAlgorithm, type CommonOptions } from './algorithm.js';
import type { ModelSelection } from './ab-mcts-a.js';
import {
  DEFAULT_MIXED_MODEL_PRIOR,
  predictGroup,
  predictNewGroup,
  priorPredictive,
  sampleMixedModel,
  type McmcOptions,
  type MixedModelPrior,
  type MixedModelSamples,
} from './mixed-model.js';
import { ucbChoice } from './posterior.js';
import { randomInt, SeededRandom, type Random } from './random.js';
import { branchChoiceOf } from './tree.js';
import type {
  AbMctsMExplanation,
  PredictiveSummary,
  SearchAlgorithm,
  SearchNode,
  SearchTree,
} from './types.js';

export interface AbMctsMOptions extends CommonOptions {
  modelSelection?: ModelSelection;
  /** Prior mean μ₀ of the overall score: one number, or per action ('stack'). */
  rewardAveragePriors?: number | Readonly<Record<string, number>>;
  /** Skip children whose subtrees keep repeating one score (default true). */
  pruning?: boolean;
  /** Subtrees with fewer scores are never pruned (default 4). */
  minSubtreeSizeForPruning?: number;
  /** Share of equal scores that makes a subtree prunable (default 0.75). */
  sameScoreProportionThreshold?: number;
  mcmc?: McmcOptions;
}

type Node<S> = SearchNode<S, null>;
type Tree<S> = SearchTree<S, null, null>;
const GEN = -1;

/** Scores of a node's subtree (itself included), optionally only those of one action. */
function subtreeScores<S>(tree: Tree<S>, node: Node<S>, action?: string): number[] {
  const scores: number[] = [];
  const stack = [node];
  while (stack.length > 0) {
    const n = stack.pop() as Node<S>;
    if (n.score !== null && (action === undefined || n.action === action)) scores.push(n.score);
    for (const id of n.children) stack.push(tree.nodes[id]);
  }
  return scores;
}

const average = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const variance = (xs: readonly number[]) => {
  const m = average(xs);
  return xs.reduce((a, x) => a + (x - m) ** 2, 0) / xs.length;
};
const squares = (xs: readonly number[]) => xs.map((x) => x * x);

/**
 * The posterior-predictive mean and sd of group `j` (y ~ N(α_j, σ_y²)) or, for `j = null`,
 * of a new group (α_new ~ N(μ, σ_α²) first), from the retained draws: by the law of total
 * variance, var = var(α_j) + E[σ_y²] (new group: var(μ) + E[σ_α²] + E[σ_y²]).
 */
export function predictiveSummary(
  samples: MixedModelSamples,
  j: number | null,
  n: number,
): PredictiveSummary {
  const sigmaY2 = average(squares(samples.sigmaY));
  if (j === null) {
    const sd = Math.sqrt(variance(samples.mu) + average(squares(samples.sigmaAlpha)) + sigmaY2);
    return { mean: average(samples.mu), sd, n: 0 };
  }
  const alpha = samples.alpha.map((draw) => draw[j]);
  return { mean: average(alpha), sd: Math.sqrt(variance(alpha) + sigmaY2), n };
}

export function createAbMctsM<S>(options: AbMctsMOptions = {}): SearchAlgorithm<S, null, null> {
  const selection = options.modelSelection ?? 'thompson';
  const pruning = options.pruning ?? true;
  const minSize = options.minSubtreeSizeForPruning ?? 4;
  const threshold = options.sameScoreProportionThreshold ?? 0.75;
  const priorFor = (action?: string): MixedModelPrior => {
    const avg = options.rewardAveragePriors;
    let muMean = DEFAULT_MIXED_MODEL_PRIOR.muMean;
    if (typeof avg === 'number') muMean = avg;
    else if (avg && action !== undefined && Object.hasOwn(avg, action)) muMean = avg[action];
    return { ...DEFAULT_MIXED_MODEL_PRIOR, muMean };
  };

  const prunable = (tree: Tree<S>, child: Node<S>) => {
    if (!pruning) return false;
    const scores = subtreeScores(tree, child).map((s) => Math.round(s * 100));
    if (scores.length < minSize) return false;
    const counts = new Map<number, number>();
    for (const s of scores) counts.set(s, (counts.get(s) ?? 0) + 1);
    return Math.max(...counts.values()) / scores.length >= threshold;
  };

  /** The action after GEN for 'thompson' and 'ucb'. */
  const chooseAction = (tree: Tree<S>, actions: readonly string[], random: Random) => {
    if (actions.length === 1) return actions[0];
    const scores = actions.map((a) =>
      tree.nodes.filter((n) => n.action === a).map((n) => n.score as number),
    );
    if (selection === 'ucb')
      return ucbChoice(actions.map((a, i) => ({ key: a, scores: scores[i] })));
    const observed = actions.map((_, i) => i).filter((i) => scores[i].length > 0);
    if (observed.length === 0) return actions[randomInt(random, actions.length)];
    const samples = sampleMixedModel(
      observed.map((i) => scores[i]),
      random,
      DEFAULT_MIXED_MODEL_PRIOR,
      options.mcmc,
    );
    const draws = actions.map((_, i) => {
      const group = observed.indexOf(i);
      return group >= 0 ? predictGroup(samples, group, random) : predictNewGroup(samples, random);
    });
    let best = 0;
    for (let i = 1; i < draws.length; i++) if (draws[i] > draws[best]) best = i;
    return actions[best];
  };

  /** Ranked options at `node`: child ids, or GEN (for 'thompson'/'ucb') / action names. */
  const rank = (
    tree: Tree<S>,
    node: Node<S>,
    actions: readonly string[],
    random: Random,
  ): (number | string)[] => {
    const children = node.children.map((id) => tree.nodes[id]);
    const draws = new Map<number | string, number>();
    if (selection === 'stack') {
      for (const action of actions) {
        const groups = children
          .map((c) => ({ id: c.id, scores: subtreeScores(tree, c, action) }))
          .filter((g) => g.scores.length > 0);
        if (groups.length === 0) {
          draws.set(action, priorPredictive(priorFor(action), random));
          continue;
        }
        const samples = sampleMixedModel(
          groups.map((g) => g.scores),
          random,
          priorFor(action),
          options.mcmc,
        );
        groups.forEach((g, j) => draws.set(g.id, predictGroup(samples, j, random)));
        draws.set(action, predictNewGroup(samples, random));
      }
    } else {
      const samples = sampleMixedModel(
        children.map((c) => subtreeScores(tree, c)),
        random,
        priorFor(),
        options.mcmc,
      );
      children.forEach((c, j) => draws.set(c.id, predictGroup(samples, j, random)));
      draws.set(GEN, predictNewGroup(samples, random));
    }
    // Stable sort: equal draws keep insertion order.
    return [...draws.entries()].sort((a, b) => b[1] - a[1]).map(([key]) => key);
  };

  /**
   * The model selection fits at `node`: one group per child, each child's subtree scores.
   * Pooled over actions, as 'thompson' and 'ucb' fit it ('stack' fits one per action).
   */
  const fitAt = (tree: Tree<S>, node: Node<S>, random: Random) => {
    const groups = node.children.map((id) => subtreeScores(tree, tree.nodes[id]));
    return { groups, samples: sampleMixedModel(groups, random, priorFor(), options.mcmc) };
  };

  const explain = (tree: Tree<S>, node: Node<S>): AbMctsMExplanation => {
    // A copy of the tree's PRNG state: the same tree explains the same way, and the
    // search's own draws are untouched.
    const random = new SeededRandom([...tree.rng]);
    let gen: PredictiveSummary | null = null;
    let cont: AbMctsMExplanation['cont'] = [];
    let fit: AbMctsMExplanation['fit'] = null;
    if (node.children.length > 0) {
      const { groups, samples } = fitAt(tree, node, random);
      gen = predictiveSummary(samples, null, 0);
      cont = node.children.map((childId, j) => ({
        childId,
        predictive: predictiveSummary(samples, j, groups[j].length),
      }));
      fit = {
        mu: average(samples.mu),
        sigmaAlpha: average(samples.sigmaAlpha),
        sigmaY: average(samples.sigmaY),
      };
    }
    let self: PredictiveSummary | null = null;
    if (node.parentId !== null) {
      const parent = tree.nodes[node.parentId];
      const { groups, samples } = fitAt(tree, parent, random);
      const j = parent.children.indexOf(node.id);
      self = predictiveSummary(samples, j, groups[j].length);
    }
    return { kind: 'ab-mcts-m', choice: branchChoiceOf(tree, node.id), gen, cont, self, fit };
  };

  return defineAlgorithm<S, null, null>({
    name: 'ab-mcts-m',
    options,
    initData: () => null,
    explain,
    next: (tree, actions, random) => {
      let node = tree.nodes[0];
      for (;;) {
        if (node.children.length === 0 && selection !== 'stack') {
          return { parentId: node.id, action: chooseAction(tree, actions, random) };
        }
        let childId: number | null = null;
        for (const option of rank(tree, node, actions, random)) {
          if (typeof option === 'string') return { parentId: node.id, action: option };
          if (option === GEN) {
            return { parentId: node.id, action: chooseAction(tree, actions, random) };
          }
          if (!prunable(tree, tree.nodes[option])) {
            childId = option;
            break;
          }
        }
        if (childId === null) {
          return { parentId: node.id, action: chooseAction(tree, actions, random) };
        }
        node = tree.nodes[childId];
      }
    },
  });
}
