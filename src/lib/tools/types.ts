/**
 * What an agent can call. A tool's `run` returns the observation text the model reads
 * next. Bad input from the model (missing arguments, an expression that does not parse)
 * comes back as an observation the model can react to, never as an exception: only a
 * cancelled run rejects.
 */
import type { ToolSpec } from '../llm/types.js';

export type { ToolSpec };

export interface ToolContext {
  /** Aborted when the run is cancelled; tools that fetch pass it on. */
  signal?: AbortSignal;
}

export interface Tool {
  /** The OpenAI function spec the model sees in its prompt. */
  spec: ToolSpec;
  /** `args` is the parsed arguments object the model wrote (already schema-checked by the engine, but not trusted). */
  run(args: unknown, ctx?: ToolContext): Promise<string>;
}

/** The arguments as a plain object, or an empty one (so a missing field reads as missing). */
export function argumentsObject(args: unknown): Record<string, unknown> {
  return typeof args === 'object' && args !== null && !Array.isArray(args)
    ? (args as Record<string, unknown>)
    : {};
}
