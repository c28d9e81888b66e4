/**
 * The ReAct agent's `tools` node: runs the calls in the last assistant message and
 * answers each with a `{role: 'tool', tool_call_id, name, content}` observation.
 *
 * Nothing the model writes can crash the run: an unknown tool, arguments that are not
 * JSON, a tool that throws, and the malformed `<tool_call>` blocks the parser rejected
 * (`tool_call_errors` on the message) all become observations the model reads and can
 * correct on its next turn. Only a cancelled run rejects.
 */
import type { Message, Runtime } from '../graph/index.js';
import type { Tool } from '../tools/types.js';

/** A rejected `<tool_call>` block as stored on the assistant message (`ToolCallParseError.toJSON()`). */
export interface StoredToolCallError {
  kind: string;
  message: string;
  raw: string;
  /** Ordinal of the `<tool_call>` block in the model's output. */
  index: number;
  toolName?: string;
}

/** The assistant message's rejected calls, if any. */
export function toolCallErrorsOf(message: Message | undefined): StoredToolCallError[] {
  const errors = message?.tool_call_errors;
  return Array.isArray(errors) ? (errors as StoredToolCallError[]) : [];
}

/** Tool call id of the observation for a rejected block; no real call has this id. */
export function invalidCallId(index: number): string {
  return `invalid_call_${index}`;
}

function isAbort(error: unknown, signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true || (error as Error)?.name === 'AbortError';
}

async function runOneCall(
  tools: ReadonlyMap<string, Tool>,
  name: string,
  rawArguments: string,
  signal: AbortSignal | undefined,
): Promise<string> {
  const tool = tools.get(name);
  if (!tool) {
    return `Error: unknown tool ${name}. Available tools: ${[...tools.keys()].join(', ')}.`;
  }
  let args: unknown;
  try {
    args = rawArguments.trim() === '' ? {} : JSON.parse(rawArguments);
  } catch {
    return `Error: the arguments of ${name} are not valid JSON: ${rawArguments}`;
  }
  try {
    return await tool.run(args, { signal });
  } catch (error) {
    if (isAbort(error, signal)) throw error;
    return `Error: ${name} failed: ${(error as Error)?.message ?? String(error)}`;
  }
}

/**
 * The observations for the last message of `messages`, in the order the model wrote its
 * `<tool_call>` blocks (valid calls and rejected ones interleaved as they appeared).
 */
export async function runToolCalls(
  tools: readonly Tool[],
  messages: readonly Message[],
  signal?: AbortSignal,
): Promise<Message[]> {
  const last = messages.at(-1);
  if (!last || last.role !== 'assistant') return [];
  const byName = new Map(tools.map((tool) => [tool.spec.function.name, tool]));
  const calls = last.tool_calls ?? [];
  const errors = toolCallErrorsOf(last);

  // Valid calls fill the block ordinals the rejected ones left free, in order.
  const rejected = new Map(errors.map((error) => [error.index, error]));
  const order: Array<
    { kind: 'call'; call: number } | { kind: 'error'; error: StoredToolCallError }
  > = [];
  let nextCall = 0;
  for (let block = 0; block < calls.length + errors.length; block++) {
    const error = rejected.get(block);
    if (error) order.push({ kind: 'error', error });
    else if (nextCall < calls.length) order.push({ kind: 'call', call: nextCall++ });
  }
  // Errors whose index is out of range still get their observation.
  for (const error of errors) {
    if (!order.some((entry) => entry.kind === 'error' && entry.error === error)) {
      order.push({ kind: 'error', error });
    }
  }

  return Promise.all(
    order.map(async (entry): Promise<Message> => {
      if (entry.kind === 'error') {
        return {
          role: 'tool',
          tool_call_id: invalidCallId(entry.error.index),
          ...(entry.error.toolName ? { name: entry.error.toolName } : {}),
          content: entry.error.message,
        };
      }
      const call = calls[entry.call];
      return {
        role: 'tool',
        tool_call_id: call.id,
        name: call.function.name,
        content: await runOneCall(byName, call.function.name, call.function.arguments, signal),
      };
    }),
  );
}

/** A graph node that appends the observations for the last assistant message. */
export function createToolNode(tools: readonly Tool[]) {
  return async (
    state: { messages: Message[] },
    runtime: Pick<Runtime, 'signal'>,
  ): Promise<{ messages: Message[] }> => ({
    messages: await runToolCalls(tools, state.messages, runtime.signal),
  });
}
