#!/usr/bin/env node
// A tiny, dependency-free static server for the production build in `build/`.
//
// - correct MIME types for what the app ships (HTML, JS, WASM, ONNX models, ...)
// - SPA fallback: unknown extension-less paths get `200.html` (adapter-static fallback)
// - cross-origin isolation headers, which multi-threaded WASM needs
// - `Cross-Origin-Resource-Policy: cross-origin` on /embed/ pages, so isolated sites can frame them
// - GET and HEAD only; requests cannot escape the root directory
//
// CLI:     node scripts/serve.js            (PORT env, default 4173)
// Module:  import { startServer } from './scripts/serve.js'

import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const DEFAULT_ROOT = path.resolve(here, '..', 'build');
export const DEFAULT_PORT = 4173;
export const DEFAULT_HOST = '127.0.0.1';

/** @type {Record<string, string>} */
export const MIME_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.wasm': 'application/wasm',
  '.onnx': 'application/octet-stream',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

const DEFAULT_MIME = 'application/octet-stream';
const FALLBACK_PAGE = '200.html';

/** Headers sent with every response. */
const BASE_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'credentialless',
  'X-Content-Type-Options': 'nosniff',
};

/**
 * Extra headers for the embed pages (`/embed/<demo>`), which other sites put in an iframe.
 * A host page that is itself cross-origin isolated (`Cross-Origin-Embedder-Policy:
 * require-corp` or `credentialless`) may only frame a cross-origin document that opts in
 * with CORP; without it Chromium replaces the frame with an error page. The embed pages are
 * public static HTML with no user data, so letting any origin load them costs nothing.
 * Their scripts, WASM and models are same-origin to the frame and need no CORP.
 */
const EMBED_HEADERS = {
  'Cross-Origin-Resource-Policy': 'cross-origin',
};

/** @param {string} filePath */
export function mimeType(filePath) {
  return MIME_TYPES[path.extname(filePath).toLowerCase()] ?? DEFAULT_MIME;
}

/** @param {string} filePath */
async function fileStat(filePath) {
  try {
    const s = await stat(filePath);
    return s.isFile() ? s : null;
  } catch {
    return null;
  }
}

/**
 * Maps a URL pathname to a file inside `root`, or null when none matches.
 * Returns null for anything that would resolve outside `root`.
 * @param {string} root absolute, resolved
 * @param {string} pathname raw pathname from the request URL
 * @returns {Promise<{ file: string, size: number, status: number } | null>}
 */
async function resolveFile(root, pathname) {
  let decoded;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;

  const target = path.resolve(root, '.' + path.posix.normalize('/' + decoded));
  if (target !== root && !target.startsWith(root + path.sep)) return null;

  /** @type {string[]} */
  const candidates = [];
  if (decoded.endsWith('/')) {
    candidates.push(path.join(target, 'index.html'));
  } else {
    candidates.push(target);
    if (!path.extname(target)) {
      // adapter-static writes `/about` as `about.html` (or `about/index.html`).
      candidates.push(target + '.html', path.join(target, 'index.html'));
    }
  }
  for (const file of candidates) {
    const s = await fileStat(file);
    if (s) return { file, size: s.size, status: 200 };
  }

  if (!path.extname(decoded)) {
    const file = path.join(root, FALLBACK_PAGE);
    const s = await fileStat(file);
    if (s) return { file, size: s.size, status: 200 };
  }
  return null;
}

/**
 * @param {string} root
 * @returns {import('node:http').RequestListener}
 */
function handler(root) {
  return async (req, res) => {
    const method = req.method ?? 'GET';
    if (method !== 'GET' && method !== 'HEAD') {
      res.writeHead(405, {
        ...BASE_HEADERS,
        Allow: 'GET, HEAD',
        'Content-Type': MIME_TYPES['.txt'],
      });
      res.end('Method Not Allowed\n');
      return;
    }

    let pathname;
    try {
      pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    } catch {
      pathname = null;
    }
    const found = pathname === null ? null : await resolveFile(root, pathname);
    if (!found) {
      const body = 'Not Found\n';
      res.writeHead(404, {
        ...BASE_HEADERS,
        'Content-Type': MIME_TYPES['.txt'],
        'Content-Length': Buffer.byteLength(body),
      });
      res.end(method === 'HEAD' ? undefined : body);
      return;
    }

    const immutable = found.file.includes(`${path.sep}_app${path.sep}immutable${path.sep}`);
    res.writeHead(found.status, {
      ...BASE_HEADERS,
      ...(pathname?.startsWith('/embed/') ? EMBED_HEADERS : {}),
      'Content-Type': mimeType(found.file),
      'Content-Length': found.size,
      'Cache-Control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    });
    if (method === 'HEAD') {
      res.end();
      return;
    }
    const stream = createReadStream(found.file);
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  };
}

/**
 * Starts the static server and resolves once it is listening.
 * @param {{ root?: string, port?: number, host?: string }} [options]
 * @returns {Promise<{ server: import('node:http').Server, url: string, close: () => Promise<void> }>}
 */
export function startServer({
  root = DEFAULT_ROOT,
  port = DEFAULT_PORT,
  host = DEFAULT_HOST,
} = {}) {
  const absRoot = path.resolve(root);
  const server = createServer(handler(absRoot));
  return new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      const actualPort = typeof address === 'object' && address ? address.port : port;
      resolvePromise({
        server,
        url: `http://localhost:${actualPort}/`,
        close: () => new Promise((done, fail) => server.close((err) => (err ? fail(err) : done()))),
      });
    });
  });
}

const isMain =
  process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);

if (isMain) {
  const port = process.env.PORT ? Number(process.env.PORT) : DEFAULT_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`Invalid PORT: ${process.env.PORT}`);
    process.exit(1);
  }
  const root = process.env.SERVE_ROOT ? path.resolve(process.env.SERVE_ROOT) : DEFAULT_ROOT;
  const rootStat = await stat(root).catch(() => null);
  if (!rootStat?.isDirectory()) {
    console.error(`No build found at ${root}. Run \`npm run build\` first.`);
    process.exit(1);
  }
  const { url, close } = await startServer({ root, port });
  console.log(
    `Agent Playground served from ${path.relative(process.cwd(), root) || '.'} at ${url}`,
  );
  const stop = () => {
    close().finally(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
