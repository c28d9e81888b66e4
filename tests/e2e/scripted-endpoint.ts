/**
 * A scripted OpenAI-compatible endpoint for e2e tests of the code-sandbox demos: it stands
 * in for "a real model" so the page's whole path (endpoint engine → run_javascript in the
 * sandbox → audit trail → chart drawn by the app) runs with code that works. It streams
 * `POST /v1/chat/completions` as server-sent events:
 *
 * - a request with tools and no tool result yet: one `run_javascript` call with `code`;
 * - otherwise: a plain `answer`.
 *
 * CORS headers for any origin (the page is cross-origin isolated and on another port);
 * preflights answer 204. `requests` keeps every request body.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ScriptedEndpoint {
  baseUrl: string;
  requests: Array<{ messages: Array<{ role: string; content?: string }>; tools?: unknown[] }>;
  close(): Promise<void>;
}

const CORS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Headers': 'content-type, accept, authorization',
  'Access-Control-Allow-Methods': 'POST, OPTIONS',
  'Cross-Origin-Resource-Policy': 'cross-origin',
};

function send(res: ServerResponse, chunks: unknown[]) {
  res.writeHead(200, { ...CORS, 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
  for (const chunk of chunks) res.write(`data: ${JSON.stringify(chunk)}\n\n`);
  res.end('data: [DONE]\n\n');
}

export async function startScriptedEndpoint(
  code: string,
  answer: string,
): Promise<ScriptedEndpoint> {
  const requests: ScriptedEndpoint['requests'] = [];
  let calls = 0;
  const server = createServer((req, res) => {
    if (req.method === 'OPTIONS') {
      res.writeHead(204, CORS).end();
      return;
    }
    let body = '';
    req.on('data', (part) => (body += part));
    req.on('end', () => {
      const request = JSON.parse(body) as ScriptedEndpoint['requests'][number];
      requests.push(request);
      const id = `chatcmpl-${++calls}`;
      const base = { id, object: 'chat.completion.chunk', created: 0, model: 'scripted' };
      const ranCode = request.messages.some((m) => m.role === 'tool');
      if (request.tools?.length && !ranCode) {
        send(res, [
          {
            ...base,
            choices: [
              {
                index: 0,
                delta: {
                  role: 'assistant',
                  tool_calls: [
                    {
                      index: 0,
                      id: `call_${calls}`,
                      type: 'function',
                      function: { name: 'run_javascript', arguments: JSON.stringify({ code }) },
                    },
                  ],
                },
                finish_reason: null,
              },
            ],
          },
          { ...base, choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] },
        ]);
      } else {
        send(res, [
          {
            ...base,
            choices: [
              { index: 0, delta: { role: 'assistant', content: answer }, finish_reason: null },
            ],
          },
          { ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] },
        ]);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
