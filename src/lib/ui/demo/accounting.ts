/**
 * Where a run's budget went, per agent: model calls, tokens, time and an estimated cost,
 * read from the run's trace (the same usage chunks the Trace view sums), so the rows add
 * up exactly to the trace's total. Tasks of nodes that are no agent's go to one "other"
 * row instead of disappearing.
 *
 * Money: every model here runs in the browser, so the real cost is 0. The "if it were an
 * API" column prices the same tokens with EXAMPLE prices per million tokens (input and
 * output, reasoning billed as output as hosted APIs do). They are round illustrative
 * numbers of the order small hosted models are offered at, not quotes from any provider.
 * Costs are kept in integer nano-dollars, so totals are exact sums of the rows.
 */
import type { Trace } from './trace';

/** Example prices in US dollars per million tokens. */
export interface ExamplePrice {
  input: number;
  output: number;
}

/**
 * Example "if it were an API" prices per catalog model id (documented in README.md).
 * Encoders are priced 0: their calls report no token usage.
 */
export const EXAMPLE_API_PRICES: Readonly<Record<string, ExamplePrice>> = {
  'micro-agent': { input: 0.01, output: 0.02 },
  'smollm2-360m': { input: 0.04, output: 0.08 },
  'smollm2-360m-onnx': { input: 0.04, output: 0.08 },
  'qwen2.5-0.5b': { input: 0.05, output: 0.1 },
  'qwen3-0.6b': { input: 0.06, output: 0.24 },
  'qwen3-0.6b-onnx': { input: 0.06, output: 0.24 },
  'llama-3.2-1b': { input: 0.08, output: 0.16 },
  'qwen3-1.7b': { input: 0.15, output: 0.6 },
  'hermes-3-8b': { input: 0.3, output: 0.6 },
};

/** For a model with no entry (an OpenAI-compatible endpoint): an example mid-range price. */
export const UNKNOWN_MODEL_PRICE: ExamplePrice = { input: 0.5, output: 1.5 };

export function examplePrice(model: string): ExamplePrice {
  return EXAMPLE_API_PRICES[model] ?? UNKNOWN_MODEL_PRICE;
}

/** Nano-dollars for tokens at a price per million: an integer when prices have ≤ 3 decimals. */
export function nanoDollars(price: ExamplePrice, prompt: number, completion: number): number {
  return Math.round(price.input * 1000) * prompt + Math.round(price.output * 1000) * completion;
}

export interface AgentAccount {
  /** The role the agent runs as (or `other` for nodes of no agent). */
  agent: string;
  /** The model behind the role (catalog id or endpoint), empty for `other`. */
  model: string;
  /** Graph nodes whose tasks were counted here. */
  nodes: string[];
  tasks: number;
  /** Model calls that reported usage. */
  calls: number;
  promptTokens: number;
  completionTokens: number;
  /** The part of `completionTokens` spent thinking (engines that report it). */
  reasoningTokens: number;
  totalTokens: number;
  /** Summed task durations, milliseconds. */
  ms: number;
  /** Local inference: always 0. */
  localNanoDollars: number;
  /** The same tokens at the example API price. */
  apiNanoDollars: number;
}

export interface Accounting {
  rows: AgentAccount[];
  totals: Omit<AgentAccount, 'agent' | 'model' | 'nodes'>;
  /** The trace's own running total, for the check that the rows add up. */
  traceTokens: { prompt: number; completion: number };
  /** First task start to last task end, milliseconds. */
  wallMs: number;
}

export const OTHER_AGENT = 'other';

/**
 * Accounts a trace per agent. `agents` maps node names to roles (several nodes may run as
 * one role, e.g. an agent and its tools node); `roleModels` maps roles to model ids.
 * Rows come in the order of `roleOrder`, then any other roles, then `other`; agents with
 * nothing counted still get a row (a zero says "this one did not run").
 */
export function accountByAgent(
  trace: Trace,
  agents: Readonly<Record<string, string>>,
  roleModels: Readonly<Record<string, string>>,
  roleOrder: readonly string[] = [],
): Accounting {
  const rows = new Map<string, AgentAccount>();
  const row = (agent: string): AgentAccount => {
    let r = rows.get(agent);
    if (!r) {
      r = {
        agent,
        model: agent === OTHER_AGENT ? '' : (roleModels[agent] ?? ''),
        nodes: [],
        ...zeroCounts(),
      };
      rows.set(agent, r);
    }
    return r;
  };
  for (const role of roleOrder) if (Object.values(agents).includes(role)) row(role);

  let first = Infinity;
  let last = -Infinity;
  for (const step of trace.steps) {
    for (const task of step.tasks) {
      const r = row(agents[task.name] ?? OTHER_AGENT);
      if (!r.nodes.includes(task.name)) r.nodes.push(task.name);
      r.tasks++;
      first = Math.min(first, task.startedAt);
      if (task.endedAt !== undefined) {
        r.ms += task.endedAt - task.startedAt;
        last = Math.max(last, task.endedAt);
      }
      for (const message of task.messages) {
        if (!message.usage) continue;
        r.calls++;
        r.promptTokens += message.usage.prompt_tokens;
        r.completionTokens += message.usage.completion_tokens;
        r.reasoningTokens += message.usage.reasoning_tokens ?? 0;
      }
    }
  }

  const ordered = [...rows.values()].sort((a, b) => {
    const rank = (r: AgentAccount) =>
      r.agent === OTHER_AGENT
        ? Infinity
        : roleOrder.includes(r.agent)
          ? roleOrder.indexOf(r.agent)
          : roleOrder.length;
    return rank(a) - rank(b);
  });
  const totals = zeroCounts();
  for (const r of ordered) {
    r.totalTokens = r.promptTokens + r.completionTokens;
    r.apiNanoDollars = r.model
      ? nanoDollars(examplePrice(r.model), r.promptTokens, r.completionTokens)
      : 0;
    totals.tasks += r.tasks;
    totals.calls += r.calls;
    totals.promptTokens += r.promptTokens;
    totals.completionTokens += r.completionTokens;
    totals.reasoningTokens += r.reasoningTokens;
    totals.totalTokens += r.totalTokens;
    totals.ms += r.ms;
    totals.apiNanoDollars += r.apiNanoDollars;
  }
  return {
    rows: ordered,
    totals,
    traceTokens: { prompt: trace.usage.prompt_tokens, completion: trace.usage.completion_tokens },
    wallMs: Number.isFinite(first) && Number.isFinite(last) ? last - first : 0,
  };
}

/** The counters of an account (a row or the totals), all zero. */
function zeroCounts(): Omit<AgentAccount, 'agent' | 'model' | 'nodes'> {
  return {
    tasks: 0,
    calls: 0,
    promptTokens: 0,
    completionTokens: 0,
    reasoningTokens: 0,
    totalTokens: 0,
    ms: 0,
    localNanoDollars: 0,
    apiNanoDollars: 0,
  };
}

/** Nano-dollars as micro-dollars with three decimals: exact, so shown rows add up too. */
export function formatMicroDollars(nano: number): string {
  const sign = nano < 0 ? '-' : '';
  const abs = Math.abs(nano);
  return `${sign}${Math.floor(abs / 1000)}.${String(abs % 1000).padStart(3, '0')}`;
}
