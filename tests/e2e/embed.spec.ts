import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test, type Page } from '@playwright/test';

// The embed route from other origins. Small servers on other ports play the host sites and
// serve the example host page (public/embed-example.html); the app stays on baseURL.
//
// The hosts are `localhost:<port>`: another origin than the app (localhost:4173), but the
// same site. Playwright's Chromium runs with third-party storage partitioning turned off
// (microsoft/playwright#32230), which denies IndexedDB to a cross-site frame; browsers as
// shipped partition it instead, and the embed then works from any site (README, Embedding).

const here = path.dirname(fileURLToPath(import.meta.url));
const EXAMPLE = path.resolve(here, '../../public/embed-example.html');
const MESSAGE = 'Hello, who are you?';

interface EmbedEvent {
  type: string;
  [key: string]: unknown;
}

/** Serves the example host page at every path, optionally cross-origin isolated. */
async function startHost(headers: Record<string, string> = {}): Promise<{
  origin: string;
  close: () => Promise<void>;
}> {
  const html = await readFile(EXAMPLE, 'utf8');
  const server: Server = createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', ...headers });
    res.end(html);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    origin: `http://localhost:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const events = (page: Page) =>
  page.evaluate(() => (window as unknown as { embedEvents: EmbedEvent[] }).embedEvents);
const frame = (page: Page) => page.frameLocator('#demo');

let host: Awaited<ReturnType<typeof startHost>>;
let foreign: Awaited<ReturnType<typeof startHost>>;
let isolated: Awaited<ReturnType<typeof startHost>>;

test.beforeAll(async () => {
  host = await startHost();
  foreign = await startHost();
  isolated = await startHost({
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Embedder-Policy': 'require-corp',
  });
});

test.afterAll(async () => {
  await Promise.all([host?.close(), foreign?.close(), isolated?.close()]);
});

test('a host on another origin drives a run and receives ready, run, updates and final', async ({
  page,
  baseURL,
}) => {
  const app = new URL(baseURL!).origin;
  await page.goto(`${host.origin}/?app=${encodeURIComponent(app)}`);
  await expect
    .poll(async () => (await events(page)).map((e) => e.type), { timeout: 20_000 })
    .toContain('ready');
  const ready = (await events(page)).find((e) => e.type === 'ready')!;
  expect(ready).toMatchObject({ demo: 'stateless-call', thread: expect.any(String) });

  // minimal chrome: no site header, no Models or Code panels
  await expect(frame(page).getByRole('banner')).toHaveCount(0);
  await expect(frame(page).getByRole('region', { name: 'Models' })).toHaveCount(0);
  await expect(frame(page).getByRole('region', { name: 'Graph' })).toBeVisible();

  await page.getByLabel('Message', { exact: true }).fill(MESSAGE);
  await page.getByRole('button', { name: 'Run' }).click();
  await expect
    .poll(async () => (await events(page)).map((e) => e.type), { timeout: 30_000 })
    .toContain('final');

  const all = await events(page);
  const types = all.map((e) => e.type);
  const run = all.find((e) => e.type === 'run')!;
  const final = all.find((e) => e.type === 'final')!;
  expect(run).toMatchObject({ message: MESSAGE, thread: expect.any(String) });
  expect(types.indexOf('ready')).toBeLessThan(types.indexOf('run'));
  expect(types.indexOf('run')).toBeLessThan(types.indexOf('final'));
  expect(all).toContainEqual(expect.objectContaining({ type: 'update', status: 'running' }));
  expect(types).not.toContain('rejected');
  expect(types).not.toContain('error');
  expect(typeof final.answer).toBe('string');
  expect((final.answer as string).length).toBeGreaterThan(0);
  expect(final.values).toMatchObject({ question: MESSAGE, answer: final.answer });
  // the host saw what the embedded page shows
  await expect(frame(page).getByLabel('Answer', { exact: true })).toContainText(
    final.answer as string,
  );
  await expect(page.getByLabel('Answer', { exact: true })).toHaveText(final.answer as string);

  // a second run while one is going is refused, not queued
  await page.evaluate((target) => {
    const w = (document.getElementById('demo') as HTMLIFrameElement).contentWindow!;
    w.postMessage({ type: 'agent-playground:run', message: 'one' }, target);
    w.postMessage({ type: 'agent-playground:run', message: 'two' }, target);
  }, app);
  await expect
    .poll(async () => (await events(page)).filter((e) => e.type === 'rejected'), {
      timeout: 10_000,
    })
    .toEqual([
      expect.objectContaining({ request: 'agent-playground:run', reason: expect.any(String) }),
    ]);
});

test('a run posted from an origin not on the allowlist is ignored', async ({ page, baseURL }) => {
  const app = new URL(baseURL!).origin;
  const warnings: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'warning') warnings.push(m.text());
  });
  // the foreign site frames the demo with an allowlist that names another site
  await page.goto(
    `${foreign.origin}/?app=${encodeURIComponent(app)}&allow=${encodeURIComponent(host.origin)}`,
  );
  const status = frame(page).getByRole('status').filter({ hasText: 'Status:' });
  await expect(status).toHaveText(/^Status: idle/, { timeout: 20_000 });
  const before = await status.textContent();

  await page.evaluate((target) => {
    const w = (document.getElementById('demo') as HTMLIFrameElement).contentWindow!;
    w.postMessage({ type: 'agent-playground:run', message: 'Hello, who are you?' }, target);
  }, app);
  // the embed saw the message and said why it ignored it
  await expect
    .poll(() => warnings.find((w) => w.includes(`ignored a message from ${foreign.origin}`)))
    .toBeTruthy();
  await page.waitForTimeout(1_000);

  // nothing ran, and the embed never said a word to the foreign page
  await expect(status).toHaveText(before!);
  await expect(frame(page).getByLabel('Answer', { exact: true })).toHaveCount(0);
  await expect(frame(page).getByRole('button', { name: 'Run' })).toBeEnabled();
  expect(await events(page)).toEqual([]);
});

test('a cross-origin isolated host can embed the demo, which is then isolated too', async ({
  page,
  baseURL,
}) => {
  const app = new URL(baseURL!).origin;
  const response = await page.request.get(`${app}/embed/stateless-call`);
  expect(response.headers()['cross-origin-resource-policy']).toBe('cross-origin');

  await page.goto(`${isolated.origin}/?app=${encodeURIComponent(app)}`);
  expect(await page.evaluate(() => self.crossOriginIsolated)).toBe(true);
  await expect
    .poll(async () => (await events(page)).map((e) => e.type), { timeout: 20_000 })
    .toContain('ready');
  const embedded = page.frames().find((f) => f.url().startsWith(`${app}/embed/`));
  // the example delegates `allow="cross-origin-isolated"`: multi-threaded WASM in the frame
  expect(await embedded?.evaluate(() => self.crossOriginIsolated)).toBe(true);
});
