/**
 * Measures IndexedDB checkpoint writes per second in Debian's Chromium: a Vite server
 * serves a tiny page that runs a counter graph with the IndexedDBSaver (one checkpoint,
 * one transaction per superstep) and reports how long the run took.
 */
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { createServer } from 'vite';

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export interface IndexedDBWriteResult {
  steps: number;
  checkpoints: number;
  milliseconds: number;
  writesPerSecond: number;
  browserVersion: string;
}

export async function measureIndexedDBWrites(steps = 300): Promise<IndexedDBWriteResult> {
  const root = fileURLToPath(new URL('./indexeddb-page/', import.meta.url));
  const server = await createServer({
    configFile: false,
    root,
    logLevel: 'silent',
    server: {
      host: '127.0.0.1',
      port: 0,
      fs: { allow: [fileURLToPath(new URL('..', import.meta.url))] },
    },
  });
  await server.listen();
  const address = server.httpServer?.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
  });
  try {
    const page = await browser.newPage();
    await page.goto(`http://localhost:${port}/?steps=${steps}`);
    const result = await page.waitForFunction(
      () => (window as unknown as { __bench?: unknown }).__bench,
      null,
      {
        timeout: 120_000,
      },
    );
    const value = (await result.jsonValue()) as Omit<IndexedDBWriteResult, 'browserVersion'> & {
      error?: string;
    };
    if (value.error) throw new Error(value.error);
    return { ...value, browserVersion: browser.version() };
  } finally {
    await browser.close();
    await server.close();
  }
}
