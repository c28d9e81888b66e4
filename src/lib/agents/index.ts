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
export {
  createSupervisor,
  createWorkerNode,
  decisionsReducer,
  documentsReducer,
  FINISH,
  isReport,
  parseRoute,
  reportSummary,
  routerMessages,
  routeSchema,
  roundsThisTurn,
  supervisorPrompt,
  supervisorRecursionLimit,
  SupervisorState,
  visitReports,
  workerInput,
  type RouteDecision,
  type SavedDocument,
  type SupervisorGraph,
  type SupervisorOptions,
  type SupervisorWorker,
  type WorkerNodeOptions,
} from './supervisor.js';
