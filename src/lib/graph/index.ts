/**
 * The graph engine: LangGraph semantics in plain TypeScript, for Node, a worker or the
 * page. It imports nothing from the UI or model layers.
 */
export { Annotation, AnnotationRoot } from './annotation.js';
export type { AnnotationSpec, StateOf, UpdateOf, StateSpec } from './annotation.js';
export { StateGraph } from './state-graph.js';
export { CompiledStateGraph } from './pregel.js';
export { START, END, INTERRUPT } from './constants.js';
export { Command, Send, isCommand, isSend } from './command.js';
export { GraphInterrupt, isGraphInterrupt } from './interrupt.js';
export type { Interrupt } from './interrupt.js';
export {
  messagesReducer,
  addMessages,
  RemoveMessage,
  REMOVE_ALL_MESSAGES,
  looksLikeMessage,
} from './messages.js';
export type { Message, ToolCall, MessageUpdate } from './messages.js';
export {
  GraphRecursionError,
  InvalidUpdateError,
  GraphValidationError,
  GraphAbortError,
  GraphResumeError,
  ThreadBusyError,
  isAbortError,
} from './errors.js';
export type { DrawableGraph, DrawableNode, DrawableEdge } from './drawing.js';
export type {
  RunConfig,
  Runtime,
  StreamMode,
  NodeOptions,
  RetryPolicy,
  CompileOptions,
  StateSnapshot,
  PregelTaskDescription,
  MessageChunk,
  MessageMetadata,
  NodeFunction,
  Router,
} from './types.js';
