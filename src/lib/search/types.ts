/**
 * Types shared by every search algorithm.
 *
 * The search tree is plain data (see `SearchTree`): JSON-serializable, so the UI can draw
 * it and a run can be checkpointed and resumed. Algorithms are stateless objects holding
 * only their configuration; everything that changes lives in the tree, including the
 * PRNG state, so the same seed and the same generator results give the same tree.
 */

/** What a generator returns: a new state and its score in [0, 1]. */
export interface GenerateResult<S> {
  state: S;
  score: number;
}

export interface GenerateContext {
  signal?: AbortSignal;
}

/**
 * Maps a parent state to a child. `parent` is `null` when expanding the root (the
 * generator then answers the problem from scratch).
 */
export type Generator<S> = (parent: S | null, ctx: GenerateContext) => Promise<GenerateResult<S>>;

/** Named generators ("actions"), e.g. one per model. Their key order is the action order. */
export type Generators<S> = Readonly<Record<string, Generator<S>>>;

/** Scores of a node's subtree, enough for a Gaussian or Beta posterior (Welford's form). */
export interface ScoreStats {
  n: number;
  mean: number;
  /** Sum of squared deviations from the mean. */
  m2: number;
}

export interface SearchNode<S, NodeStats = unknown> {
  /** Position in `tree.nodes`: 0 is the root, then the order in which results were told. */
  id: number;
  parentId: number | null;
  /** `null` only at the root. */
  state: S | null;
  /** In [0, 1]; `null` only at the root. */
  score: number | null;
  /** The generator (action) that produced this node; `null` at the root. */
  action: string | null;
  depth: number;
  /** Told nodes in this subtree, itself included (MCTS's N). */
  visits: number;
  /** Sum of their scores (MCTS's V). */
  value: number;
  /** Trials reserved (asked, not yet told) at this node or below. */
  pending: number;
  children: number[];
  /** Per-algorithm statistics (AB-MCTS-A posteriors, …); `null` when unused. */
  stats: NodeStats | null;
}

/** A reserved expansion: generate one child of `parentId` with the generator `action`. */
export interface PendingTrial {
  id: string;
  parentId: number;
  action: string;
}

/** What `askBatch` hands out: a pending trial plus what the generator needs. */
export interface Trial<S> extends PendingTrial {
  parentState: S | null;
  depth: number;
}

export interface SearchTree<S, NodeStats = unknown, Data = unknown> {
  version: 1;
  algorithm: string;
  /** Action (generator) names, in order; set by `init(actions)` or the first ask. */
  actions: string[];
  nodes: SearchNode<S, NodeStats>[];
  /** Trials asked and not yet told or cancelled, by id, in the order they were asked. */
  trials: Record<string, PendingTrial>;
  nextTrial: number;
  /** xoshiro128** state (four uint32 words); advanced in place by the algorithm. */
  rng: number[];
  /** Per-algorithm tree-level data (e.g. ToT's level queue). */
  data: Data;
}

export interface Ranked<S> {
  nodeId: number;
  state: S;
  score: number;
}

/** One search algorithm behind the interface shared by all of them (TreeQuest's shape). */
export interface SearchAlgorithm<S, NodeStats = unknown, Data = unknown> {
  readonly name: string;
  /** A root-only tree. `actions` may also be given on the first `askBatch`/`step`. */
  init(actions?: readonly string[]): SearchTree<S, NodeStats, Data>;
  /**
   * Reserves up to `n` expansions and returns them. Fewer (even none) come back when the
   * algorithm cannot plan further until pending trials are told (refinement, ToT BFS).
   * `actions` defaults to the tree's actions.
   */
  askBatch(
    tree: SearchTree<S, NodeStats, Data>,
    n: number,
    actions?: readonly string[],
  ): Trial<S>[];
  /** Adds the child a trial produced; any order. Throws on unknown ids and invalid scores. */
  tell(
    tree: SearchTree<S, NodeStats, Data>,
    trialId: string,
    result: GenerateResult<S>,
  ): SearchNode<S, NodeStats>;
  /** Releases a reservation whose generation failed or was aborted. */
  cancel(tree: SearchTree<S, NodeStats, Data>, trialId: string): void;
  /** `askBatch(1)`, run the generator, `tell`. Mutates the tree; returns the new node. */
  step(
    tree: SearchTree<S, NodeStats, Data>,
    generators: Generators<S> | Generator<S>,
    ctx?: GenerateContext,
  ): Promise<SearchNode<S, NodeStats>>;
  /** The best `k` non-root nodes by score (ties: earlier node first); fewer if the tree is smaller. */
  topK(tree: SearchTree<S, NodeStats, Data>, k: number): Ranked<S>[];
  /**
   * The numbers this algorithm decides with at a node (UCT, posteriors), for views. Read
   * only: it changes neither the tree nor its PRNG. Absent when there is nothing to explain.
   */
  explain?(tree: SearchTree<S, NodeStats, Data>, nodeId: number): NodeExplanation;
}

/**
 * How a node came to be in an adaptive-branching search, from its last real choice:
 * 'GEN' when it is a new sibling (its parent already had children, or it is the root's
 * first child), 'CONT' when the search continued into its parent, a leaf then, and
 * refined it (a leaf always GENs its first child, so the choice was CONT above it).
 */
export type BranchChoice = 'GEN' | 'CONT';

/** UCT of a node as its parent's selection saw it (told results only). */
export interface UctExplanation {
  kind: 'uct';
  /** V: sum of scores in the node's subtree. */
  value: number;
  /** N: told nodes in the subtree. */
  visits: number;
  parentVisits: number;
  /** Exploration weight the algorithm runs with. */
  c: number;
  /** V/N. */
  mean: number;
  /** c·sqrt(ln N_parent / N). */
  exploration: number;
  /** mean + exploration; +∞ for an unvisited node, null for the root. */
  uct: number | null;
}

/** Parameters of a conjugate posterior (`Prior`'s shape) and the mean it implies. */
export type PosteriorSummary =
  | {
      kind: 'gaussian';
      m: number;
      kappa: number;
      nu: number;
      tau2: number;
      n: number;
      mean: number;
    }
  | { kind: 'beta'; a: number; b: number; n: number; mean: number };

/** AB-MCTS-A's posteriors at a node, keyed 'shared' (or by action for 'stack'). */
export interface AbMctsAExplanation {
  kind: 'ab-mcts-a';
  /** How this node was created; null for the root. */
  choice: BranchChoice | null;
  /** Posterior of GEN here: scores of the children generated at this node. */
  gen: Record<string, PosteriorSummary>;
  /** Posterior of CONT here: scores that came through an existing child. */
  cont: Record<string, PosteriorSummary>;
  /** The node's own posterior (its subtree's scores): how CONT at its parent ranks it. */
  self: PosteriorSummary;
}

/** A posterior-predictive score distribution of the mixed model: what a Thompson draw comes from. */
export interface PredictiveSummary {
  mean: number;
  sd: number;
  /** Scores in the group (0 for a new group). */
  n: number;
}

/** AB-MCTS-M's mixed model at a node, refitted for the view (its own seeded chain). */
export interface AbMctsMExplanation {
  kind: 'ab-mcts-m';
  choice: BranchChoice | null;
  /** A new child here (GEN): α_new ~ N(μ, σ_α²), y ~ N(α_new, σ_y²). Null without children (a leaf always GENs). */
  gen: PredictiveSummary | null;
  /** Each existing child (CONT candidates): y ~ N(α_j, σ_y²). */
  cont: { childId: number; predictive: PredictiveSummary }[];
  /** This node as a CONT candidate of its parent; null for the root. */
  self: PredictiveSummary | null;
  /** Posterior means of the model fitted at this node; null without children. */
  fit: { mu: number; sigmaAlpha: number; sigmaY: number } | null;
}

export type NodeExplanation = UctExplanation | AbMctsAExplanation | AbMctsMExplanation;
