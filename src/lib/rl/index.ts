/**
 * Rewards, judges and RL math, as pure TypeScript: Countdown and Game-of-24 judges with
 * exact fractions, a seeded Countdown generator, the TinyZero-style format reward, RULER
 * (relative scoring by any `ChatModel`), the hybrid reward, and GRPO/GSPO advantages,
 * ratios, clipping, KL and losses. Nothing here imports UI code; only RULER touches
 * `lib/llm`, and only its types.
 */
export { Fraction } from './fraction.js';
export {
  evaluateExpression,
  ExpressionSyntaxError,
  formatExpression,
  numbersIn,
  parseExpression,
  type EvaluateOptions,
  type Evaluation,
  type EvaluationFailure,
  type Expr,
  type Operator,
  type SyntaxFailure,
} from './expression.js';
export { createSeededRandom, type SeededRandom } from './random.js';
export { solveArithmetic, type Solution, type SolveOptions } from './solver.js';
export {
  countdownReward,
  countdownShapedReward,
  CountdownGenerator,
  extractAnswer,
  formatEvalLine,
  formatNumbers,
  generateCountdown,
  judgeCountdown,
  type CountdownGeneratorOptions,
  type CountdownJudgeOptions,
  type CountdownProblem,
  type CountdownPuzzle,
  type CountdownReason,
  type CountdownReward,
  type CountdownRewardOptions,
  type CountdownVerdict,
} from './countdown.js';
export { GAME24_TARGET, isSolvable24, judge24, solve24 } from './game24.js';
export {
  buildRulerPrompt,
  commonPrefixLength,
  DEFAULT_RUBRIC,
  parseRulerReply,
  rulerResponseSchema,
  rulerScore,
  rulerSystemPrompt,
  RulerError,
  type RulerErrorKind,
  type RulerOptions,
  type RulerPrompt,
  type RulerResult,
  type RulerScore,
  type Trajectory,
} from './ruler.js';
export {
  memberSeed,
  sampleGroup,
  type GroupMember,
  type SampleGroupOptions,
} from './sample-group.js';
export {
  hybridReward,
  hybridRewards,
  normalizeScores,
  type HybridRewardOptions,
  type ScoreNormalization,
} from './hybrid.js';
export {
  advantages,
  clipFraction,
  clippedSurrogate,
  clippedSurrogatePerSequence,
  clippedSurrogatePerToken,
  groupedAdvantages,
  GRPO_CLIP,
  grpoLoss,
  GSPO_CLIP,
  gspoLoss,
  gspoSequenceRatio,
  isClipped,
  k3KL,
  sampleStd,
  tokenRatios,
  type AdvantageOptions,
  type ClipRange,
  type LossOptions,
  type PolicyBatch,
  type PolicyLoss,
} from './grpo.js';
export {
  LoraAdamW,
  adaptedLogits,
  createLoraHead,
  headAdapterOf,
  loraGradients,
  sequenceLogProbs,
  softmaxAndLogProb,
  type LoraGradients,
  type LoraHead,
  type LoraHeadOptions,
  type TokenStep,
} from './lora-head.js';
export {
  headTrainingStep,
  referenceLogProbs,
  type HeadStepOptions,
  type HeadStepResult,
  type Rollout,
} from './head-trainer.js';
export {
  FIB_TASK,
  FIB_TESTS,
  JUDGE_SCHEMA,
  blendScore,
  codeRefinementGenerator,
  describeTest,
  extractCode,
  feedbackMessage,
  judgeCode,
  runCodeTests,
  scoreCode,
  testHarness,
  type CodeAttempt,
  type CodeRefinementOptions,
  type CodeTest,
  type JudgeVerdict,
  type RunTestsOptions,
  type TestOutcome,
  type TestScore,
} from './code-refinement.js';
