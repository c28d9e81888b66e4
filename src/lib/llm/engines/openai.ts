/**
 * An OpenAI-compatible chat-completions endpoint (vLLM, Ollama, llama.cpp server,
 * LM Studio, or any hosted API) as a `ChatModel`: for users who outgrow the tab. Streams
 * over server-sent events; tool calls and reasoning arrive natively or as tagged text and
 * end in the same final message as the local engines produce.
 *
 * The API key is sent only to `baseUrl` and never stored here.
 */
import {
  OpenAIStreamAccumulator,
  finishOpenAIStream,
  toOpenAIRequest,
  type OpenAIStreamChunk,
} from '../openai-format.js';
import { readServerSentEvents } from '../server-sent-events.js';
import {
  GenerationAbortedError,
  collectChatStream,
  type ChatChunk,
  type ChatModel,
  type ChatModelInfo,
  type ChatOptions,
  type ChatResult,
  type Message,
} from '../types.js';

export interface OpenAIEndpointOptions {
  /** e.g. `http://localhost:11434/v1` (Ollama) or `http://localhost:8000/v1` (vLLM). */
  baseUrl: string;
  model: string;
  apiKey?: string;
  /** Extra headers (some gateways want their own). */
  headers?: Record<string, string>;
  /** For tests and special environments; defaults to the global `fetch`. */
  fetch?: typeof fetch;
}

/** The endpoint answered with an error, or could not be reached or understood. */
export class EndpointError extends Error {
  readonly status?: number;
  constructor(message: string, status?: number, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EndpointError';
    this.status = status;
  }
}

async function errorMessageOf(response: Response): Promise<string> {
  const text = await response.text().catch(() => '');
  try {
    const body = JSON.parse(text) as { error?: { message?: string } | string; message?: string };
    const message =
      typeof body.error === 'string' ? body.error : (body.error?.message ?? body.message);
    if (message) return message;
  } catch {
    // Not JSON: fall through to the raw text.
  }
  return text.slice(0, 300) || response.statusText;
}

export class OpenAICompatibleChatModel implements ChatModel {
  readonly info: ChatModelInfo;
  private readonly url: string;

  constructor(private readonly options: OpenAIEndpointOptions) {
    let base: URL;
    try {
      base = new URL(options.baseUrl);
    } catch {
      throw new EndpointError(
        `"${options.baseUrl}" is not a valid base URL (expected e.g. http://localhost:8000/v1).`,
      );
    }
    this.url = `${base.href.replace(/\/+$/, '')}/chat/completions`;
    this.info = { engine: 'openai', model: options.model, device: 'remote' };
  }

  invoke(messages: readonly Message[], options: ChatOptions = {}): Promise<ChatResult> {
    return collectChatStream(this.stream(messages, options));
  }

  async *stream(
    messages: readonly Message[],
    options: ChatOptions = {},
  ): AsyncGenerator<ChatChunk> {
    const signal = options.signal;
    const started = performance.now();
    const body = toOpenAIRequest(this.options.model, messages, options, true);
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      Accept: 'text/event-stream',
      ...this.options.headers,
    };
    if (this.options.apiKey) headers.Authorization = `Bearer ${this.options.apiKey}`;
    const doFetch = this.options.fetch ?? fetch;
    let response: Response;
    try {
      response = await doFetch(this.url, {
        method: 'POST',
        headers,
        body: JSON.stringify(body),
        signal,
      });
    } catch (error) {
      if (signal?.aborted) throw new GenerationAbortedError(undefined, { cause: signal.reason });
      throw new EndpointError(
        `Could not reach ${this.url}: ${(error as Error)?.message ?? error}. Check that the server is running ` +
          'and that it allows requests from this page (CORS).',
        undefined,
        { cause: error },
      );
    }
    if (!response.ok) {
      throw new EndpointError(
        `${this.url} answered ${response.status}: ${await errorMessageOf(response)}`,
        response.status,
      );
    }
    if (!response.body)
      throw new EndpointError(`${this.url} sent an empty response.`, response.status);

    const accumulator = new OpenAIStreamAccumulator(options.tools);
    let firstTokenAt = 0;
    try {
      for await (const data of readServerSentEvents(response.body, signal)) {
        if (data === '[DONE]') break;
        let chunk: OpenAIStreamChunk;
        try {
          chunk = JSON.parse(data) as OpenAIStreamChunk;
        } catch {
          throw new EndpointError(
            `The endpoint sent a malformed stream event: ${data.slice(0, 200)}`,
          );
        }
        const error = (chunk as { error?: { message?: string } }).error;
        if (error)
          throw new EndpointError(
            `The endpoint reported an error mid-stream: ${error.message ?? JSON.stringify(error)}`,
          );
        for (const out of accumulator.push(chunk)) {
          if (!firstTokenAt) firstTokenAt = performance.now();
          yield out;
        }
      }
    } catch (error) {
      if (signal?.aborted) throw new GenerationAbortedError(undefined, { cause: signal.reason });
      throw error;
    }
    if (signal?.aborted) throw new GenerationAbortedError(undefined, { cause: signal.reason });
    yield* finishOpenAIStream(accumulator, { started, firstTokenAt }, this.info);
  }
}
