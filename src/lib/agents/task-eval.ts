/**
 * Runs eval tasks (`{"prompt": …}` JSONL lines) through a ReAct agent and turns each run
 * into a plain record: the calls made, the observations, the final answer, the steps and
 * the tokens. Environment-agnostic; `scripts/eval-micro.ts` adds files and the model.
 */
import type { Message } from '../graph/index.js';
import { reactAgentRecursionLimit, type ReactAgentGraph } from './react-agent.js';
import { toolCallErrorsOf } from './tool-node.js';

export interface EvalRecord {
  /** 1-based line number in the task file. */
  line: number;
  prompt: string | null;
  tool_calls: Array<{ name: string; arguments: unknown }>;
  /** Calls the model wrote but the parser rejected (malformed JSON, unknown tool, bad arguments). */
  invalid_tool_calls: Array<{ raw: string; error: string }>;
  observations: string[];
  final_answer: string | null;
  /** Model calls, the forced wrap-up included. */
  steps: number;
  tokens: { prompt: number; completion: number };
  error?: string;
}

export interface EvalSummary {
  tasks: number;
  errors: number;
  meanSteps: number;
  /** Valid calls / all calls the model attempted; null when it attempted none. */
  toolCallValidity: number | null;
  seconds: number;
}

function parseArguments(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

function emptyRecord(line: number, prompt: string | null): EvalRecord {
  return {
    line,
    prompt,
    tool_calls: [],
    invalid_tool_calls: [],
    observations: [],
    final_answer: null,
    steps: 0,
    tokens: { prompt: 0, completion: 0 },
  };
}

/** The record for a finished run's messages (everything after the task's user message). */
export function recordFromMessages(
  line: number,
  prompt: string,
  messages: readonly Message[],
): EvalRecord {
  const record = emptyRecord(line, prompt);
  for (const message of messages) {
    if (message.role === 'assistant') {
      record.steps++;
      const usage = message.usage as { prompt_tokens?: number; completion_tokens?: number };
      record.tokens.prompt += usage?.prompt_tokens ?? 0;
      record.tokens.completion += usage?.completion_tokens ?? 0;
      for (const call of message.tool_calls ?? []) {
        record.tool_calls.push({
          name: call.function.name,
          arguments: parseArguments(call.function.arguments),
        });
      }
      for (const error of toolCallErrorsOf(message)) {
        record.invalid_tool_calls.push({ raw: error.raw, error: error.message });
      }
    } else if (message.role === 'tool') {
      record.observations.push(message.content);
    }
  }
  const last = messages.at(-1);
  record.final_answer = last?.role === 'assistant' ? last.content : null;
  return record;
}

/** Parses one task line; a line that is not a JSON object with a string `prompt` throws. */
export function parseTaskLine(text: string): { prompt: string } {
  const task = JSON.parse(text) as unknown;
  if (typeof task !== 'object' || task === null || Array.isArray(task)) {
    throw new Error('a task line must be a JSON object like {"prompt": "..."}');
  }
  const prompt = (task as { prompt?: unknown }).prompt;
  if (typeof prompt !== 'string' || prompt.trim() === '') {
    throw new Error('the task has no "prompt" string');
  }
  return { prompt };
}

/**
 * Runs one task line. Never throws: a bad line or a failed run becomes a record with
 * `error`, so one broken task cannot stop an eval.
 */
export async function runEvalTask(
  agent: ReactAgentGraph,
  lineText: string,
  line: number,
  options: { maxSteps: number; signal?: AbortSignal },
): Promise<EvalRecord> {
  let prompt: string;
  try {
    prompt = parseTaskLine(lineText).prompt;
  } catch (error) {
    return { ...emptyRecord(line, null), error: `bad task line: ${(error as Error).message}` };
  }
  try {
    const input: Message = { role: 'user', content: prompt };
    const result = await agent.invoke(
      { messages: [input] },
      { recursionLimit: reactAgentRecursionLimit(options.maxSteps), signal: options.signal },
    );
    const messages = (result as { messages: Message[] }).messages;
    return recordFromMessages(line, prompt, messages.slice(1));
  } catch (error) {
    return { ...emptyRecord(line, prompt), error: (error as Error)?.message ?? String(error) };
  }
}

export function summarizeEval(records: readonly EvalRecord[], seconds: number): EvalSummary {
  const valid = records.reduce((n, r) => n + r.tool_calls.length, 0);
  const invalid = records.reduce((n, r) => n + r.invalid_tool_calls.length, 0);
  const ran = records.filter((r) => r.prompt !== null);
  return {
    tasks: records.length,
    errors: records.filter((r) => r.error !== undefined).length,
    meanSteps: ran.length ? ran.reduce((n, r) => n + r.steps, 0) / ran.length : 0,
    toolCallValidity: valid + invalid ? valid / (valid + invalid) : null,
    seconds,
  };
}

export function formatEvalSummary(summary: EvalSummary): string {
  return (
    `tasks ${summary.tasks}, errors ${summary.errors}, mean steps ${summary.meanSteps.toFixed(2)}, ` +
    `tool-call validity ${
      summary.toolCallValidity === null
        ? 'n/a (no calls)'
        : `${(summary.toolCallValidity * 100).toFixed(1)}%`
    }, ` +
    `time ${summary.seconds.toFixed(1)} s`
  );
}
