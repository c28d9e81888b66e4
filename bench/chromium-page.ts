/**
 * Runs a benchmark page in Debian's Chromium: a Vite server serves the page (with the
 * app's own source through relative imports), Chromium opens it, and the page reports its
 * result by setting `window.__bench`.
 */
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { createServer, type Plugin } from 'vite';

const BASE_ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
export const WEBGPU_ARGS = [
  '--enable-unsafe-webgpu',
  '--use-webgpu-adapter=swiftshader',
  '--enable-unsafe-swiftshader',
];

export interface BenchPageOptions {
  /** Folder with the page's index.html. */
  root: URL;
  query?: string;
  plugins?: Plugin[];
  extraArgs?: string[];
  timeoutMs?: number;
}

export async function runBenchPage<T>(
  options: BenchPageOptions,
): Promise<T & { browserVersion: string }> {
  const repoRoot = fileURLToPath(new URL('..', import.meta.url));
  const server = await createServer({
    configFile: false,
    root: fileURLToPath(options.root),
    logLevel: 'silent',
    plugins: options.plugins,
    server: {
      host: '127.0.0.1',
      port: 0,
      fs: { allow: [repoRoot] },
      // Cross-origin isolation lets onnxruntime-web use threads, as in the app.
      headers: {
        'Cross-Origin-Opener-Policy': 'same-origin',
        'Cross-Origin-Embedder-Policy': 'credentialless',
      },
    },
  });
  await server.listen();
  const address = server.httpServer?.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [...BASE_ARGS, ...(options.extraArgs ?? [])],
  });
  try {
    const page = await browser.newPage();
    if (process.env.BENCH_VERBOSE) page.on('console', (m) => console.log(`    page: ${m.text()}`));
    await page.goto(`http://localhost:${port}/${options.query ? `?${options.query}` : ''}`);
    const handle = await page.waitForFunction(
      () => (window as unknown as { __bench?: unknown }).__bench,
      null,
      {
        timeout: options.timeoutMs ?? 300_000,
      },
    );
    const value = (await handle.jsonValue()) as T & { error?: string };
    if (value.error) throw new Error(value.error);
    return { ...value, browserVersion: browser.version() };
  } finally {
    await browser.close();
    await server.close();
  }
}
