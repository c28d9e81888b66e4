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
}
