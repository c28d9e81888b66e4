/** Prebuilt agent graphs on the engine: the ReAct agent, its tool node and the task eval. */
export {
  createReactAgent,
  DEFAULT_WRAP_UP_PROMPT,
  ReactAgentState,
  reactAgentRecursionLimit,
  stepsThisTurn,
  type ReactAgentGraph,
  type ReactAgentOptions,
} from './react-agent.js';
export { assistantTurn, newMessageId, streamModelCall, usageOf } from './model-call.js';
export {
  createToolNode,
  invalidCallId,
  runToolCalls,
  toolCallErrorsOf,
  type StoredToolCallError,
} from './tool-node.js';
export {
  formatEvalSummary,
  parseTaskLine,
  recordFromMessages,
  runEvalTask,
  summarizeEval,
  type EvalRecord,
  type EvalSummary,
} from './task-eval.js';
