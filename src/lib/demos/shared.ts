/**
 * Parts several demos share: the micro model's default role, the tool set of the
 * temperature task, and the model options every demo call uses (seeded, so a run can be
 * repeated exactly).
 */
import type { ChatOptions } from '../llm/types.js';
import { createCalculatorTool, createWeatherTool, type Tool } from '../tools/index.js';
import type { DemoBuildContext, ModelRole, ToolEndpoints } from './types.js';

export const MICRO_AGENT = 'micro-agent';

export function agentRole(description = 'Decides what to do and writes the answers.'): ModelRole {
  return { name: 'agent', description, defaultModel: MICRO_AGENT };
}

/** Greedy and seeded: the same thread replays the same way, which tests rely on. */
export function modelOptions(context: DemoBuildContext, maxTokens = 160): ChatOptions {
  return { temperature: 0, seed: context.seed, maxTokens };
}

export function weatherTool(endpoints: ToolEndpoints): Tool {
  return createWeatherTool({
    mode: endpoints.weatherMode,
    geocodingUrl: endpoints.geocodingUrl,
    forecastUrl: endpoints.forecastUrl,
  });
}

/** The book's first agent task: the temperature, then its square. */
export function temperatureTools(endpoints: ToolEndpoints): Tool[] {
  return [createCalculatorTool(), weatherTool(endpoints)];
}

export const TEMPERATURE_FORMAT =
  'Answer now from the tool results above, without calling any tool, in exactly this format:\n' +
  'Current temperature: <value>\nSquare of current temperature: <value>';

/** The text of the last assistant message in a `messages` state. */
export function lastAssistantText(values: Record<string, unknown>): string | undefined {
  const messages = values.messages;
  if (!Array.isArray(messages)) return undefined;
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i] as { role?: string; content?: unknown; tool_calls?: unknown[] };
    if (m?.role === 'assistant' && typeof m.content === 'string' && m.content.trim())
      return m.content;
  }
  return undefined;
}

export function userMessage(content: string) {
  return { messages: [{ role: 'user' as const, content }] };
}
