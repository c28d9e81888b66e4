/**
 * Serves folders that live outside `public/` under a URL prefix: the micro models in
 * `static-models/` at `/static-models/`, and onnxruntime-web's WASM runtime at `/ort/`, so the
 * app never fetches a model or a runtime file from a CDN. In dev (and in Vitest's
 * browser mode) a middleware streams the files; in a build they are emitted as assets
 * of the client bundle, which adapter-static copies into `build/`.
 */
import { createReadStream, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize, relative, resolve, sep } from 'node:path';
import type { Plugin } from 'vite';

export interface StaticDir {
  /** URL prefix with leading and trailing slash, e.g. '/static-models/'. */
  urlPrefix: string;
  /** Folder on disk. */
  dir: string;
  /** Which files (paths relative to `dir`, '/'-separated) to serve; default all. */
  include?: (relativePath: string) => boolean;
}

const MIME: Record<string, string> = {
  '.json': 'application/json; charset=utf-8',
  '.jsonl': 'application/jsonl; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.wasm': 'application/wasm',
  '.mjs': 'text/javascript; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.onnx': 'application/octet-stream',
  '.onnx_data': 'application/octet-stream',
};

function walk(dir: string, base = dir): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walk(full, base));
    else if (entry.isFile()) out.push(relative(base, full).split(sep).join('/'));
  }
  return out;
}

export function staticDirs(dirs: StaticDir[]): Plugin {
  const resolved = dirs.map((d) => ({ ...d, root: resolve(d.dir) }));
  return {
    name: 'agent-playground:static-dirs',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        if (req.method !== 'GET' && req.method !== 'HEAD') return next();
        const url = decodeURIComponent((req.url ?? '').split('?')[0]);
        const match = resolved.find((d) => url.startsWith(d.urlPrefix));
        if (!match) return next();
        const rel = url.slice(match.urlPrefix.length);
        const file = normalize(join(match.root, rel));
        // Never serve anything outside the folder, nor files the filter leaves out.
        if (!file.startsWith(match.root + sep) || (match.include && !match.include(rel))) {
          res.statusCode = 404;
          return res.end();
        }
        if (!existsSync(file) || !statSync(file).isFile()) {
          res.statusCode = 404;
          return res.end();
        }
        res.setHeader('Content-Type', MIME[extname(file)] ?? 'application/octet-stream');
        res.setHeader('Content-Length', String(statSync(file).size));
        res.setHeader('Cache-Control', 'no-cache');
        if (req.method === 'HEAD') return res.end();
        createReadStream(file).pipe(res);
      });
    },
    generateBundle() {
      // Only the browser bundle needs the files; the server build of the prerenderer does not.
      const consumer = (this as unknown as { environment?: { config?: { consumer?: string } } })
        .environment?.config?.consumer;
      if (consumer && consumer !== 'client') return;
      for (const d of resolved) {
        for (const rel of walk(d.root)) {
          if (d.include && !d.include(rel)) continue;
          this.emitFile({
            type: 'asset',
            fileName: `${d.urlPrefix.replace(/^\//, '')}${rel}`,
            source: readFileSync(join(d.root, rel)),
          });
        }
      }
    },
  };
}
