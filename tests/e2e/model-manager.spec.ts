/**
 * The model manager at /models against a loopback stand-in for the hub that serves the
 * real micro-agent files as a fake repository and drops the connection halfway through
 * the first download of the ONNX weights: the page shows progress, explains the lost
 * connection, resumes with a Range request from the saved bytes, keeps the model across a
 * reload and deletes it. Also: the device report, WebLLM without WebGPU, and the bundled
 * model running with the hub unreachable.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { startLoopbackHub, type LoopbackHub } from './fixtures/loopback-hub';

const MICRO = join(process.cwd(), 'static-models', 'micro-agent');
const REPO = 'test-org/micro-agent';

function filesOf(dir: string): Record<string, Uint8Array> {
  const out: Record<string, Uint8Array> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const full = join(d, name);
      if (statSync(full).isDirectory()) walk(full);
      else out[relative(dir, full).split(sep).join('/')] = readFileSync(full);
    }
  };
  walk(dir);
  return out;
}

function card(page: Page, title: string) {
  return page.getByRole('article', { name: title, exact: true });
}

test.describe('model manager', () => {
  let hub: LoopbackHub;
  let onnxSize: number;

  test.beforeEach(async () => {
    const files = filesOf(MICRO);
    onnxSize = files['onnx/model.onnx'].byteLength;
    hub = await startLoopbackHub(
      { [REPO]: files },
      {
        dropOnce: { file: 'onnx/model.onnx', afterBytes: Math.floor(onnxSize / 2) },
        throttleMs: 15,
        pieceBytes: Math.max(16 * 1024, Math.ceil(onnxSize / 120)),
      },
    );
  });

  test.afterEach(async () => {
    await hub.close();
  });

  test('downloads from the hub, resumes after a dropped connection, survives a reload, deletes', async ({
    page,
  }) => {
    test.setTimeout(90_000);
    await page.goto(`/models?hub=${encodeURIComponent(hub.url)}&repo=${REPO}&dtype=fp32`);
    await expect(page.getByRole('heading', { level: 1, name: 'Models' })).toBeVisible();
    await expect(page.getByTestId('hub-current')).toHaveText(hub.url);

    const model = card(page, REPO);
    await expect(model.getByTestId('status')).toHaveText('Not downloaded');
    await model.getByRole('button', { name: 'Download' }).click();

    // A real progress bar that moves.
    const bar = model.getByRole('progressbar', { name: `Download progress of ${REPO}` });
    await expect(bar).toBeVisible();
    await expect
      .poll(() => bar.evaluate((el) => (el as HTMLProgressElement).position), { timeout: 20_000 })
      .toBeGreaterThan(0.05);
    await expect(model.getByText(/\d+(\.\d+)? (KB|MB) of \d+(\.\d+)? MB/)).toBeVisible();
    await expect(model.getByText(/\/s$/)).toBeVisible();

    // The hub drops the connection halfway through the weights.
    const alert = model.getByRole('alert');
    await expect(alert).toHaveText(
      /^Connection lost at \d+% of model\.onnx; [\d.]+ (KB|MB) are saved — press Download to resume\.$/,
      { timeout: 30_000 },
    );
    await expect(model.getByTestId('status')).toHaveText('Partly downloaded');
    await expect(model.getByTestId('stored')).toContainText('partial');

    await model.getByRole('button', { name: 'Resume download' }).click();
    await expect(model.getByTestId('status')).toHaveText('Downloaded', { timeout: 30_000 });
    await expect(model.getByRole('status').filter({ hasText: /resumed from the/ })).toBeVisible();
    await expect(model.getByRole('alert')).toHaveCount(0);

    // The second request for the weights asked only for the rest.
    const onnxGets = hub.log.filter(
      (r) => r.method === 'GET' && r.path === `/${REPO}/resolve/main/onnx/model.onnx`,
    );
    expect(onnxGets[0]).toMatchObject({ range: null, status: 200, dropped: true });
    const resumed = onnxGets[1];
    expect(resumed.status).toBe(206);
    const start = Number(resumed.range?.match(/^bytes=(\d+)-$/)?.[1]);
    expect(start).toBeGreaterThan(0);
    expect(start).toBeLessThanOrEqual(onnxSize / 2);
    expect(resumed.sent).toBe(onnxSize - start);

    const stored = model.getByTestId('stored');
    await expect(stored).toHaveText(/^[\d.]+ MB$/);
    const storedText = await stored.textContent();

    // Still there after a reload, without asking the hub for anything.
    const before = hub.log.length;
    await page.reload();
    await expect(model.getByTestId('status')).toHaveText('Downloaded');
    await expect(stored).toHaveText(storedText ?? '');
    expect(hub.log.length).toBe(before);

    // Delete asks first; "Keep it" keeps it.
    await model.getByRole('button', { name: 'Delete' }).click();
    const dialog = page.getByRole('dialog', { name: `Delete ${REPO}?` });
    await expect(dialog).toBeVisible();
    await dialog.getByRole('button', { name: 'Keep it' }).click();
    await expect(dialog).toBeHidden();
    await expect(model.getByTestId('status')).toHaveText('Downloaded');

    await model.getByRole('button', { name: 'Delete' }).click();
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await expect(model.getByTestId('status')).toHaveText('Not downloaded');
    await expect(stored).toHaveText('nothing');
    await page.reload();
    await expect(model.getByTestId('status')).toHaveText('Not downloaded');
  });

  test('explains a repository the hub does not have', async ({ page }) => {
    await page.goto(`/models?hub=${encodeURIComponent(hub.url)}&repo=test-org/missing&dtype=q4`);
    const model = card(page, 'test-org/missing');
    await model.getByRole('button', { name: 'Download' }).click();
    await expect(model.getByRole('alert')).toContainText(
      'The repository test-org/missing has no file config.json',
    );
  });

  test('reports the device: isolation, WASM threads, and WebLLM without WebGPU', async ({
    page,
  }) => {
    await page.goto('/models');
    await expect(page.getByTestId('isolation')).toHaveText('Cross-origin isolated');
    expect(await page.evaluate(() => self.crossOriginIsolated)).toBe(true);
    await expect(page.getByTestId('wasm-threads')).toHaveText(/^yes, up to \d+$/);

    // This Chromium runs without WebGPU: explained, and WebLLM downloads are disabled.
    await expect(page.getByTestId('webgpu-missing')).toContainText('WebGPU is not available');
    await expect(page.getByTestId('webllm-unavailable')).toContainText(
      'WebLLM cannot run in this browser',
    );
    const webllm = page
      .getByRole('region', { name: 'WebLLM models (WebGPU)' })
      .getByRole('article');
    await expect(webllm).toHaveCount(6);
    for (const model of await webllm.all()) {
      const button = model.getByRole('button', { name: 'Download' });
      await expect(button).toBeDisabled();
      await expect(button).toHaveAccessibleDescription(/^Needs WebGPU/);
    }
    // Transformers.js models stay available.
    await expect(
      card(page, 'Qwen3 0.6B (ONNX)').getByRole('button', { name: 'Download' }),
    ).toBeEnabled();
  });

  test('the bundled micro model runs with the hub down', async ({ page }) => {
    test.setTimeout(90_000);
    await hub.close();
    const remote: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith('http://localhost')) remote.push(request.url());
    });
    await page.goto(`/models?hub=${encodeURIComponent(hub.url)}`);
    const model = card(page, 'Micro agent (bundled)');
    await expect(model.getByText('Bundled — always available offline')).toBeVisible();
    await expect(model.getByRole('button', { name: /download/i })).toHaveCount(0);
    await model.getByRole('button', { name: 'Test' }).click();
    await expect(model.getByRole('status')).toHaveText(
      /^Generated \d+ tokens at [\d.]+ tokens\/s \(loaded in \d+ ms\)/,
      { timeout: 60_000 },
    );
    await expect(model.getByRole('alert')).toHaveCount(0);
    expect(remote).toEqual([]);
  });
});
