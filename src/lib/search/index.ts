/**
 * Test-time search over a generate function and a scorer: repeated sampling, sequential
 * refinement, MCTS (UCT), AB-MCTS-A, AB-MCTS-M and Tree of Thoughts BFS behind one
 * interface (`SearchAlgorithm`: init, step, askBatch/tell, topK), modelled on TreeQuest.
 * Pure TypeScript: no UI, model or graph imports; the tree is plain JSON data.
 */
export type * from './types.js';
export * from './errors.js';
export {
  SeededRandom,
  scriptedRandom,
  seedState,
  randomInt,
  type Random,
  type RngState,
  type Script,
} from './random.js';
export {
  createTree,
  validateScore,
  pathToRoot,
  childrenOf,
  pendingTrialsAt,
  branchChoiceOf,
  topK,
} from './tree.js';
export { defineAlgorithm, type AlgorithmSpec, type CommonOptions } from './algorithm.js';
export {
  DEFAULT_BETA_PRIOR,
  DEFAULT_GAUSSIAN_PRIOR,
  drawMean,
  emptyStats,
  observe,
  posterior,
  statsOf,
  summarizePosterior,
  thompson,
  ucbChoice,
  withAverage,
  type BetaPrior,
  type GaussianPrior,
  type Prior,
} from './posterior.js';
export {
  DEFAULT_MIXED_MODEL_PRIOR,
  predictGroup,
  predictNewGroup,
  priorPredictive,
  sampleMixedModel,
  sliceSample,
  type McmcOptions,
  type MixedModelPrior,
  type MixedModelSamples,
} from './mixed-model.js';
export { createRepeatedSampling, type RepeatedSamplingOptions } from './repeated-sampling.js';
export { createRefinement, type RefinementOptions } from './refinement.js';
export { createMcts, explainUct, nodeUct, uct, type MctsOptions } from './mcts.js';
export {
  createAbMctsA,
  type AbMctsANodeStats,
  type AbMctsAOptions,
  type AbMctsATree,
  type ModelSelection,
} from './ab-mcts-a.js';
export { createAbMctsM, predictiveSummary, type AbMctsMOptions } from './ab-mcts-m.js';
export { createTotBfs, type TotBfsData, type TotBfsOptions } from './tot-bfs.js';
