/**
 * Prompt-based tool calling for engines whose chat template does not render tools (WebLLM
 * builds other than Hermes): the tool list goes into the system message in the
 * Qwen/Hermes convention, earlier tool calls and results are written back as tagged text,
 * and the model's `<tool_call>` output is parsed by `tool-calls.ts`.
 */
import { TOOL_CALL_CLOSE, TOOL_CALL_OPEN } from './tool-calls.js';
import type { Message, ToolSpec } from './types.js';

/** The system-prompt section that offers `tools`. Wording is ours; the tags are the convention. */
export function renderToolInstructions(tools: readonly ToolSpec[]): string {
  const specs = tools.map((t) => JSON.stringify(t)).join('\n');
  return [
    '# Tools',
    '',
    'You can call the functions listed between <tools> and </tools> to help answer.',
    '<tools>',
    specs,
    '</tools>',
    '',
    `To call one, write a JSON object with its name and arguments between ${TOOL_CALL_OPEN} and ${TOOL_CALL_CLOSE}, for example:`,
    `${TOOL_CALL_OPEN}`,
    '{"name": "function_name", "arguments": {"parameter": "value"}}',
    `${TOOL_CALL_CLOSE}`,
    'Results come back between <tool_response> and </tool_response>.',
  ].join('\n');
}

/** Messages with tools, tool calls and tool results spelled out as text. */
export function withPromptTools(
  messages: readonly Message[],
  tools: readonly ToolSpec[] | undefined,
): Message[] {
  const out: Message[] = [];
  const instructions = tools?.length ? renderToolInstructions(tools) : '';
  let systemSeen = false;
  for (const m of messages) {
    if (m.role === 'system' && !systemSeen) {
      systemSeen = true;
      out.push({
        role: 'system',
        content: instructions ? `${m.content}\n\n${instructions}` : m.content,
      });
    } else if (m.role === 'assistant' && m.tool_calls?.length) {
      const calls = m.tool_calls
        .map((c) => {
          let args: unknown = c.function.arguments;
          try {
            args = typeof args === 'string' ? JSON.parse(args) : args;
          } catch {
            // Keep the raw string: the model wrote it that way.
          }
          return `${TOOL_CALL_OPEN}\n${JSON.stringify({ name: c.function.name, arguments: args })}\n${TOOL_CALL_CLOSE}`;
        })
        .join('\n');
      out.push({ role: 'assistant', content: m.content ? `${m.content}\n${calls}` : calls });
    } else if (m.role === 'tool') {
      out.push({ role: 'user', content: `<tool_response>\n${m.content}\n</tool_response>` });
    } else {
      out.push({ role: m.role, content: m.content, ...(m.name ? { name: m.name } : {}) });
    }
  }
  if (instructions && !systemSeen) out.unshift({ role: 'system', content: instructions });
  return out;
}
