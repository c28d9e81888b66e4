/**
 * `run_javascript({code})`: the code sandbox as a tool. The observation is JSON,
 * `{stdout, result, charts, error, ms}`, so the model reads what happened and the page can
 * draw the charts the run produced (`chartsOfToolMessages`).
 */
import type { JsonSchemaType } from '../../llm/json-schema.js';
import type { Message } from '../../graph/index.js';
import { argumentsObject, type Tool, type ToolSpec } from '../types.js';
import { validateChartSpec, type ChartSpec } from './chart-spec.js';
import type { CodeSandbox, SandboxOutcome } from './code-sandbox.js';

export const RUN_JAVASCRIPT = 'run_javascript';

const MAX_CODE_CHARS = 20_000;

export function runJavascriptSpec(fileNames: readonly string[] = []): ToolSpec {
  const files = fileNames.length
    ? ` Files: ${fileNames.join(', ')}; loadCSV(name) returns an arquero table (aq is arquero), describe(table) its statistics.`
    : '';
  return {
    type: 'function',
    function: {
      name: RUN_JAVASCRIPT,
      description:
        'Run JavaScript in a sandbox without network. console.log prints; the last expression is the result; ' +
        "chart({type: 'bar', data, x, y, title}) draws a chart." +
        files,
      parameters: {
        type: 'object',
        properties: { code: { type: 'string' as JsonSchemaType } },
        required: ['code'],
      },
    },
  };
}

/** The observation the model reads. */
export interface RunJavascriptObservation {
  stdout: string;
  result: unknown;
  charts: ChartSpec[];
  error: string | null;
  ms: number;
}

export function observationOf(outcome: SandboxOutcome): RunJavascriptObservation {
  return {
    stdout: outcome.stdout,
    result: outcome.result ?? null,
    charts: outcome.charts,
    error: outcome.error,
    ms: outcome.ms,
  };
}

export interface RunJavascriptToolOptions {
  /** The sandbox to run in; made lazily (`sharedSandbox()`) when omitted, so Node can import this. */
  sandbox?: CodeSandbox | (() => CodeSandbox | Promise<CodeSandbox>);
  /** Files the code may read (`readFile`, `loadCSV`), e.g. the bundled CSVs. */
  files?: Record<string, string>;
  timeoutMs?: number;
}

/** The observation for a call that never reached the sandbox. */
function failure(error: string): string {
  const observation: RunJavascriptObservation = {
    stdout: '',
    result: null,
    charts: [],
    error,
    ms: 0,
  };
  return JSON.stringify(observation);
}

export function createRunJavascriptTool(options: RunJavascriptToolOptions = {}): Tool {
  const files = options.files ?? {};
  const sandboxOf = async (): Promise<CodeSandbox> => {
    if (typeof options.sandbox === 'function') return options.sandbox();
    if (options.sandbox) return options.sandbox;
    const { sharedSandbox } = await import('./code-sandbox.js');
    return sharedSandbox();
  };
  return {
    spec: runJavascriptSpec(Object.keys(files)),
    async run(args, ctx) {
      const code = argumentsObject(args).code;
      if (typeof code !== 'string' || code.trim() === '') {
        return failure('Error: code must be a non-empty string.');
      }
      if (code.length > MAX_CODE_CHARS) {
        return failure(`Error: code is longer than ${MAX_CODE_CHARS} characters.`);
      }
      try {
        const sandbox = await sandboxOf();
        const outcome = await sandbox.run(code, {
          files,
          timeoutMs: options.timeoutMs,
          signal: ctx?.signal,
        });
        return JSON.stringify(observationOf(outcome));
      } catch (error) {
        // only a cancelled run rejects; a sandbox that cannot start is an observation
        if (ctx?.signal?.aborted || (error as Error)?.name === 'AbortError') throw error;
        return failure(`Error: ${(error as Error).message}`);
      }
    },
  };
}

/** A run_javascript observation parsed back, or undefined for any other text. */
export function parseObservation(content: unknown): RunJavascriptObservation | undefined {
  if (typeof content !== 'string' || !content.startsWith('{')) return undefined;
  try {
    const value = JSON.parse(content) as Partial<RunJavascriptObservation>;
    if (typeof value !== 'object' || value === null || !('stdout' in value) || !('charts' in value))
      return undefined;
    // Charts are checked again: state can be edited or imported, so never draw unchecked data.
    const charts: ChartSpec[] = [];
    for (const spec of Array.isArray(value.charts) ? value.charts : []) {
      try {
        charts.push(validateChartSpec(spec));
      } catch {
        // dropped: the page only draws valid specs
      }
    }
    return {
      stdout: typeof value.stdout === 'string' ? value.stdout : '',
      result: value.result ?? null,
      charts,
      error: typeof value.error === 'string' ? value.error : null,
      ms: typeof value.ms === 'number' ? value.ms : 0,
    };
  } catch {
    return undefined;
  }
}

/** One sandbox step of a run: the code the model wrote and what came back. */
export interface SandboxStep {
  /** Index among the run's sandbox steps, from 1. */
  index: number;
  toolCallId: string;
  /** The model's reasoning (or text) in the turn that made the call. */
  thought: string;
  code: string;
  /** `rejected`: the call itself was malformed and never reached the sandbox. */
  status: 'pending' | 'ran' | 'rejected';
  observation: RunJavascriptObservation | undefined;
}

interface StoredCallError {
  message?: unknown;
  raw?: unknown;
  index?: unknown;
  toolName?: unknown;
}

/**
 * The run_javascript calls in a conversation, paired with their observations, in order;
 * malformed calls the parser rejected are steps too (their error is the observation).
 */
export function sandboxSteps(messages: readonly unknown[]): SandboxStep[] {
  const steps: SandboxStep[] = [];
  const byId = new Map<string, SandboxStep>();
  for (const raw of messages) {
    const message = raw as Partial<Message>;
    if (message.role === 'assistant') {
      const thought = (
        typeof message.reasoning === 'string' && message.reasoning.trim()
          ? message.reasoning
          : typeof message.content === 'string'
            ? message.content
            : ''
      ).trim();
      for (const call of message.tool_calls ?? []) {
        if (call.function.name !== RUN_JAVASCRIPT) continue;
        let code: string;
        try {
          code = String(argumentsObject(JSON.parse(call.function.arguments)).code ?? '');
        } catch {
          code = call.function.arguments;
        }
        const step: SandboxStep = {
          index: steps.length + 1,
          toolCallId: call.id,
          thought,
          code,
          status: 'pending',
          observation: undefined,
        };
        steps.push(step);
        byId.set(call.id, step);
      }
      const rejected = Array.isArray(message.tool_call_errors)
        ? (message.tool_call_errors as StoredCallError[])
        : [];
      for (const error of rejected) {
        steps.push({
          index: steps.length + 1,
          toolCallId: `invalid_call_${String(error.index)}`,
          thought,
          code: typeof error.raw === 'string' ? error.raw : '',
          status: 'rejected',
          observation: {
            stdout: '',
            result: null,
            charts: [],
            error: typeof error.message === 'string' ? error.message : 'malformed tool call',
            ms: 0,
          },
        });
      }
    } else if (message.role === 'tool' && typeof message.tool_call_id === 'string') {
      const step = byId.get(message.tool_call_id);
      if (step) {
        step.observation = parseObservation(message.content) ?? {
          stdout: '',
          result: null,
          charts: [],
          error: typeof message.content === 'string' ? message.content : 'no observation',
          ms: 0,
        };
        step.status = 'ran';
      }
    }
  }
  return steps;
}
