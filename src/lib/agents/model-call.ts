/**
 * One model call inside a graph node: streams the model's chunks to the run's `messages`
 * stream (so the page shows tokens as they arrive) and returns the final result. Every
 * prebuilt agent and demo node calls models through this.
 */
import type { Message, Runtime } from '../graph/index.js';
import { toMessageChunk, type ChatModel, type ChatOptions, type ChatResult } from '../llm/types.js';

export function newMessageId(): string {
  return crypto.randomUUID();
}

/** Streams one model call, forwarding tokens to the `messages` stream mode; aborts with the run. */
export async function streamModelCall(
  model: ChatModel,
  messages: readonly Message[],
  options: ChatOptions,
  runtime: Runtime,
  messageId: string = newMessageId(),
): Promise<ChatResult> {
  let result: ChatResult | undefined;
  for await (const chunk of model.stream(messages, { ...options, signal: runtime.signal })) {
    if (chunk.type === 'final') {
      const { type: _type, ...rest } = chunk;
      result = rest;
    } else {
      const messageChunk = toMessageChunk(chunk, messageId);
      if (messageChunk) runtime.writeMessage(messageChunk);
    }
  }
  if (!result) throw new Error('The model stream ended without a final result.');
  // The token usage as a last chunk of the same message, so views can count every call,
  // also in nodes that keep only the text (not the message) in their state.
  runtime.writeMessage({ id: messageId, role: 'assistant', usage: usageOf(result) });
  return result;
}

/**
 * Plain-data token usage kept on each assistant message (for traces and the eval).
 * `reasoning_tokens` (the part of the completion spent thinking) only when there was any,
 * so calls without thinking keep their usual shape.
 */
export function usageOf(result: ChatResult): {
  prompt_tokens: number;
  completion_tokens: number;
  reasoning_tokens?: number;
} {
  return {
    prompt_tokens: result.usage.promptTokens,
    completion_tokens: result.usage.completionTokens,
    ...(result.usage.reasoningTokens > 0 ? { reasoning_tokens: result.usage.reasoningTokens } : {}),
  };
}

/**
 * One assistant turn for a `messages` state: streams the call and returns the message to
 * store, with the id its tokens streamed under (so views merge the two, not show both) and
 * its token usage. Also returns the raw result (tool-call errors, finish reason).
 */
export async function assistantTurn(
  model: ChatModel,
  messages: readonly Message[],
  options: ChatOptions,
  runtime: Runtime,
): Promise<{ message: Message; result: ChatResult }> {
  const id = newMessageId();
  const result = await streamModelCall(model, messages, options, runtime, id);
  return { message: { ...result.message, id, usage: usageOf(result) }, result };
}
