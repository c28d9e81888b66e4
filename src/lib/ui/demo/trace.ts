/**
 * The Trace view's data: one row per superstep, built from the graph's `debug` events
 * (task started, task finished, checkpoint saved) and `messages` chunks (tokens as they
 * stream). Pure and incremental: `applyEvent` folds one stream item into the trace, so
 * the page re-renders as events arrive and a test can replay a recorded stream.
 */

/** A tool call as the model wrote it, with the observation once the tools node answered. */
export interface TraceToolCall {
  id: string;
  name: string;
  arguments: string;
  result?: string;
}

/** What one model call produced while the node ran (or in its final update). */
export interface TraceMessage {
  id: string;
  content: string;
  reasoning: string;
  toolCalls: TraceToolCall[];
  /** `reasoning_tokens`: the part of the completion spent thinking, when there was any. */
  usage?: { prompt_tokens: number; completion_tokens: number; reasoning_tokens?: number };
}

export interface TraceTask {
  id: string;
  name: string;
  startedAt: number;
  endedAt?: number;
  input?: unknown;
  /** The state keys the task wrote and their values. */
  writes?: Record<string, unknown>;
  error?: string | null;
  interrupts?: unknown[];
  messages: TraceMessage[];
}

export interface TraceStep {
  step: number;
  tasks: TraceTask[];
  /** State keys updated in this step (union over its tasks). */
  keysUpdated: string[];
  /** Checkpoint saved at the end of the step, when there is one. */
  checkpointId?: string;
  startedAt: number;
  endedAt?: number;
}

export interface Trace {
  steps: TraceStep[];
  /** Tokens of every model call in the run, summed from the messages' usage. */
  usage: { prompt_tokens: number; completion_tokens: number };
}

export function emptyTrace(): Trace {
  return { steps: [], usage: { prompt_tokens: 0, completion_tokens: 0 } };
}

interface DebugEvent {
  type: 'task' | 'task_result' | 'checkpoint';
  step: number;
  timestamp: string;
  payload: Record<string, unknown>;
}

interface MessageChunkLike {
  id?: string;
  usage?: { prompt_tokens: number; completion_tokens: number; reasoning_tokens?: number };
  content?: string;
  reasoning?: string;
  tool_call_chunks?: Array<{ index: number; id?: string; name?: string; args?: string }>;
}

interface MessageMetaLike {
  langgraph_task_id?: string;
  langgraph_step?: number;
  langgraph_node?: string;
}

function time(timestamp: string | undefined, fallback: number): number {
  const t = timestamp ? Date.parse(timestamp) : NaN;
  return Number.isFinite(t) ? t : fallback;
}

function stepRow(trace: Trace, step: number, at: number): TraceStep {
  let row = trace.steps.find((s) => s.step === step);
  if (!row) {
    row = { step, tasks: [], keysUpdated: [], startedAt: at };
    trace.steps.push(row);
    trace.steps.sort((a, b) => a.step - b.step);
  }
  return row;
}

function findTask(trace: Trace, taskId: string | undefined): TraceTask | undefined {
  if (!taskId) return undefined;
  for (let i = trace.steps.length - 1; i >= 0; i--) {
    const task = trace.steps[i].tasks.find((t) => t.id === taskId);
    if (task) return task;
  }
  return undefined;
}

function messageOf(task: TraceTask, id: string): TraceMessage {
  let message = task.messages.find((m) => m.id === id);
  if (!message) {
    message = { id, content: '', reasoning: '', toolCalls: [] };
    task.messages.push(message);
  }
  return message;
}

interface StateMessage {
  id?: string;
  role?: string;
  content?: unknown;
  reasoning?: unknown;
  tool_call_id?: string;
  tool_calls?: Array<{ id: string; function: { name: string; arguments: string } }>;
  usage?: { prompt_tokens: number; completion_tokens: number; reasoning_tokens?: number };
}

function addUsage(
  trace: Trace,
  message: TraceMessage,
  usage: NonNullable<TraceMessage['usage']>,
): void {
  message.usage = usage;
  trace.usage.prompt_tokens += usage.prompt_tokens;
  trace.usage.completion_tokens += usage.completion_tokens;
}

function wasInInput(task: TraceTask, messageId: string): boolean {
  const messages = (task.input as { messages?: unknown } | undefined)?.messages;
  return (
    Array.isArray(messages) &&
    messages.some((m) => (m as { id?: unknown } | null)?.id === messageId)
  );
}

function shownByEarlierTask(trace: Trace, task: TraceTask, messageId: string): boolean {
  return trace.steps.some((step) =>
    step.tasks.some((t) => t !== task && t.messages.some((m) => m.id === messageId)),
  );
}

/** Final messages a task wrote replace what streamed (they are authoritative), and tool results attach to their calls. */
function absorbWrites(trace: Trace, task: TraceTask): void {
  const written = task.writes?.messages;
  const list = Array.isArray(written) ? (written as StateMessage[]) : [];
  for (const m of list) {
    if (m?.role === 'assistant' && typeof m.id === 'string') {
      // A subgraph node writes back the whole shared list: a message an earlier task
      // already showed stays with that task.
      if (shownByEarlierTask(trace, task, m.id)) continue;
      const message = messageOf(task, m.id);
      message.content = typeof m.content === 'string' ? m.content : message.content;
      if (typeof m.reasoning === 'string') message.reasoning = m.reasoning;
      message.toolCalls = (m.tool_calls ?? []).map((call) => ({
        id: call.id,
        name: call.function.name,
        arguments: call.function.arguments,
      }));
      // counted once: from the usage chunk that streamed, or else from the stored message
      if (m.usage && !message.usage) addUsage(trace, message, m.usage);
    } else if (m?.role === 'tool' && m.tool_call_id) {
      for (const step of trace.steps)
        for (const t of step.tasks)
          for (const message of t.messages)
            for (const call of message.toolCalls)
              if (call.id === m.tool_call_id) call.result = String(m.content ?? '');
    }
  }
}

/**
 * Folds one item of `graph.stream(…, {streamMode: ['debug', 'messages', …]})` (a
 * `[mode, payload]` pair) into the trace. Unknown modes are ignored. Returns the same
 * trace object, mutated (cheap for long runs; the page wraps it in `$state`).
 */
export function applyEvent(trace: Trace, event: unknown, now = Date.now()): Trace {
  if (!Array.isArray(event) || event.length !== 2) return trace;
  const [mode, payload] = event as [string, unknown];
  if (mode === 'debug') {
    const e = payload as DebugEvent;
    const at = time(e.timestamp, now);
    if (e.type === 'task') {
      const row = stepRow(trace, e.step, at);
      row.tasks.push({
        id: String(e.payload.id),
        name: String(e.payload.name),
        startedAt: at,
        input: e.payload.input,
        messages: [],
      });
    } else if (e.type === 'task_result') {
      const task = findTask(trace, String(e.payload.id));
      if (!task) return trace;
      task.endedAt = at;
      const writes = Array.isArray(e.payload.result)
        ? Object.fromEntries(e.payload.result as Array<[string, unknown]>)
        : {};
      task.writes = writes;
      task.error = (e.payload.error as string | null) ?? null;
      const interrupts = e.payload.interrupts;
      if (Array.isArray(interrupts) && interrupts.length) task.interrupts = interrupts;
      const row = stepRow(trace, e.step, at);
      for (const key of Object.keys(writes))
        if (!row.keysUpdated.includes(key)) row.keysUpdated.push(key);
      absorbWrites(trace, task);
    } else if (e.type === 'checkpoint') {
      const config = e.payload.config as { configurable?: { checkpoint_id?: string } } | undefined;
      // the input checkpoint (step -1) gets its own row only if something happens in it
      const row = trace.steps.find((s) => s.step === e.step);
      if (row) {
        row.checkpointId = config?.configurable?.checkpoint_id;
        row.endedAt = at;
      }
    }
  } else if (mode === 'messages') {
    const [chunk, meta] = payload as [MessageChunkLike, MessageMetaLike];
    const task = findTask(trace, meta?.langgraph_task_id);
    if (!task || !chunk?.id) return trace;
    // A subgraph node re-sends the whole shared list when it ends: messages it was given
    // and messages an earlier task already showed are not this task's output.
    if (wasInInput(task, chunk.id) || shownByEarlierTask(trace, task, chunk.id)) return trace;
    const message = messageOf(task, chunk.id);
    if (chunk.usage && !message.usage) addUsage(trace, message, chunk.usage);
    if (chunk.content) message.content += chunk.content;
    if (chunk.reasoning) message.reasoning += chunk.reasoning;
    for (const part of chunk.tool_call_chunks ?? []) {
      let call = message.toolCalls[part.index];
      if (!call) {
        call = { id: part.id ?? '', name: '', arguments: '' };
        message.toolCalls[part.index] = call;
      }
      if (part.id) call.id = part.id;
      if (part.name) call.name += part.name;
      if (part.args) call.arguments += part.args;
    }
  }
  return trace;
}

/** Node names in the order their tasks started: the path the run took. */
export function pathTaken(trace: Trace): string[] {
  return trace.steps.flatMap((s) => s.tasks.map((t) => t.name));
}

/** The same path grouped by superstep: parallel branches share an entry. */
export function stepsTaken(trace: Trace): string[][] {
  return trace.steps.map((s) => s.tasks.map((t) => t.name)).filter((names) => names.length > 0);
}

/** Tasks still running (started, no result yet). */
export function runningTasks(trace: Trace): string[] {
  return trace.steps.flatMap((s) =>
    s.tasks.filter((t) => t.endedAt === undefined).map((t) => t.name),
  );
}
