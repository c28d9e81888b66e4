/**
 * The ReAct paper's transcript from a conversation: each assistant turn's reasoning is a
 * Thought, each tool call an Action, each tool result an Observation, and the last plain
 * answer the Final Answer.
 */
export interface TranscriptLine {
  kind: 'Question' | 'Thought' | 'Action' | 'Observation' | 'Final Answer';
  text: string;
}

interface MessageLike {
  role?: string;
  content?: unknown;
  reasoning?: unknown;
  tool_calls?: Array<{ function: { name: string; arguments: string } }>;
}

export function reactTranscript(messages: readonly unknown[]): TranscriptLine[] {
  const lines: TranscriptLine[] = [];
  for (const raw of messages) {
    const m = raw as MessageLike;
    const text = typeof m.content === 'string' ? m.content.trim() : '';
    if (m.role === 'user') lines.push({ kind: 'Question', text });
    else if (m.role === 'assistant') {
      if (typeof m.reasoning === 'string' && m.reasoning.trim())
        lines.push({ kind: 'Thought', text: m.reasoning.trim() });
      for (const call of m.tool_calls ?? [])
        lines.push({ kind: 'Action', text: `${call.function.name}(${call.function.arguments})` });
      if (!m.tool_calls?.length && text) lines.push({ kind: 'Final Answer', text });
    } else if (m.role === 'tool') lines.push({ kind: 'Observation', text });
  }
  return lines;
}
