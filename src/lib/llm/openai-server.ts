/**
 * A small OpenAI-compatible chat-completions server over any `ChatModel` (Node only).
 * The test suite starts it on loopback with the micro model to test the remote engine for
 * real, and `npm run serve:openai` lets other tools talk to the micro model the same way.
 *
 * Speaks: `GET /v1/models`, `POST /v1/chat/completions` with and without `stream`.
 * Tool calls go out natively (`tool_calls`), reasoning as `reasoning_content`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { OpenAIChatRequest } from './openai-format.js';
import type { ChatChunk, ChatModel, ChatOptions, ChatResult, Message, ToolCall } from './types.js';

export interface OpenAIServerOptions {
  model: ChatModel;
  /** Name the server reports and accepts (default: the model's own id). */
  modelName?: string;
  host?: string;
  port?: number;
  /** Answer CORS preflights so a page on another origin can call it (default true). */
  cors?: boolean;
}

export interface RunningOpenAIServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

function optionsOf(body: OpenAIChatRequest, signal: AbortSignal): ChatOptions {
  const choice = body.tool_choice;
  return {
    tools: body.tools,
    toolChoice: typeof choice === 'object' ? { name: choice.function.name } : choice,
    temperature: body.temperature,
    topP: body.top_p,
    topK: body.top_k,
    maxTokens: body.max_tokens,
    stop: typeof body.stop === 'string' ? [body.stop] : body.stop,
    seed: body.seed,
    n: body.n,
    logprobs: body.logprobs ? (body.top_logprobs ?? true) : undefined,
    thinking: body.chat_template_kwargs
      ? { enabled: body.chat_template_kwargs.enable_thinking }
      : undefined,
    responseFormat:
      body.response_format?.type === 'json_schema'
        ? { type: 'json_schema', schema: body.response_format.json_schema.schema as never }
        : body.response_format,
    signal,
  };
}

function messagesOf(body: OpenAIChatRequest): Message[] {
  return body.messages.map((m) => ({ ...m, content: m.content ?? '' }) as Message);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

function toolCallsOut(calls: ToolCall[] | undefined) {
  return calls?.map((c, index) => ({ index, ...c }));
}

export async function startOpenAIServer(
  options: OpenAIServerOptions,
): Promise<RunningOpenAIServer> {
  const modelName = options.modelName ?? options.model.info.model;
  const cors = options.cors ?? true;
  const server = createServer(async (req, res) => {
    if (cors) {
      res.setHeader('Access-Control-Allow-Origin', '*');
      res.setHeader('Access-Control-Allow-Headers', 'Content-Type, Authorization');
      res.setHeader('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
    }
    const path = (req.url ?? '').split('?')[0].replace(/\/+$/, '');
    if (req.method === 'OPTIONS') return void res.writeHead(204).end();
    if (req.method === 'GET' && path === '/v1/models') {
      return send(res, 200, {
        object: 'list',
        data: [{ id: modelName, object: 'model', owned_by: 'agent-playground' }],
      });
    }
    if (req.method !== 'POST' || path !== '/v1/chat/completions') {
      return send(res, 404, { error: { message: `No route for ${req.method} ${path}` } });
    }
    let body: OpenAIChatRequest;
    try {
      body = (await readJson(req)) as OpenAIChatRequest;
    } catch {
      return send(res, 400, { error: { message: 'The request body is not valid JSON.' } });
    }
    if (!Array.isArray(body?.messages)) {
      return send(res, 400, { error: { message: '`messages` must be an array.' } });
    }
    if (body.model && body.model !== modelName) {
      return send(res, 404, {
        error: { message: `Unknown model "${body.model}"; this server has "${modelName}".` },
      });
    }
    const controller = new AbortController();
    res.on('close', () => controller.abort());
    const id = `chatcmpl-${Date.now().toString(36)}`;
    const created = Math.floor(Date.now() / 1000);
    try {
      if (!body.stream) {
        const result: ChatResult = await options.model.invoke(
          messagesOf(body),
          optionsOf(body, controller.signal),
        );
        const choices = (result.choices ?? [result]).map((c, index) => ({
          index,
          message: {
            role: 'assistant',
            content: c.message.content,
            ...(c.message.reasoning ? { reasoning_content: c.message.reasoning } : {}),
            ...(c.message.tool_calls ? { tool_calls: c.message.tool_calls } : {}),
          },
          finish_reason: c.finishReason,
        }));
        return send(res, 200, {
          id,
          object: 'chat.completion',
          created,
          model: modelName,
          choices,
          usage: {
            prompt_tokens: result.usage.promptTokens,
            completion_tokens: result.usage.completionTokens,
            total_tokens: result.usage.promptTokens + result.usage.completionTokens,
          },
        });
      }
      res.writeHead(200, {
        'Content-Type': 'text/event-stream',
        'Cache-Control': 'no-cache',
        Connection: 'keep-alive',
      });
      const event = (choices: unknown[], extra: Record<string, unknown> = {}) =>
        res.write(
          `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: modelName, choices, ...extra })}\n\n`,
        );
      const stream = options.model.stream(messagesOf(body), optionsOf(body, controller.signal));
      for await (const chunk of stream as AsyncIterable<ChatChunk>) {
        const index = (chunk as { choice?: number }).choice ?? 0;
        if (chunk.type === 'token')
          event([{ index, delta: { content: chunk.text }, finish_reason: null }]);
        else if (chunk.type === 'reasoning')
          event([{ index, delta: { reasoning_content: chunk.text }, finish_reason: null }]);
        else if (chunk.type === 'final') {
          const finals = chunk.choices ?? [chunk];
          finals.forEach((c, i) => {
            // Validated calls go out whole at the end: clients then parse them natively.
            if (c.message.tool_calls?.length)
              event([
                {
                  index: i,
                  delta: { tool_calls: toolCallsOut(c.message.tool_calls) },
                  finish_reason: null,
                },
              ]);
            event([{ index: i, delta: {}, finish_reason: c.finishReason }]);
          });
          if (body.stream_options?.include_usage) {
            event([], {
              usage: {
                prompt_tokens: chunk.usage.promptTokens,
                completion_tokens: chunk.usage.completionTokens,
                total_tokens: chunk.usage.promptTokens + chunk.usage.completionTokens,
              },
            });
          }
        }
        // Raw tool-call deltas are not forwarded: the final, validated calls are.
      }
      res.write('data: [DONE]\n\n');
      res.end();
    } catch (error) {
      if (controller.signal.aborted) return;
      const message = (error as Error)?.message ?? String(error);
      if (res.headersSent) {
        res.write(`data: ${JSON.stringify({ error: { message } })}\n\n`);
        res.end();
      } else send(res, 500, { error: { message } });
    }
  });
  await new Promise<void>((resolve) =>
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve),
  );
  const address = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${address.port}/v1`,
    server,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
