/**
 * Not a test: regenerates docs/screenshots/<demo>.png for the README (`npm run screenshots`).
 * Skipped unless SCREENSHOTS=1. Runs each demo's default message offline with the micro
 * model, answers the first interrupt form by choosing its first option, and captures the page.
 */
import { expect, test } from '@playwright/test';

test.skip(!process.env.SCREENSHOTS, 'set SCREENSHOTS=1 to regenerate the README screenshots');
test.describe.configure({ mode: 'serial' });

// The demo ids come from the landing page: the catalog module imports files (`?raw`) that
// only the app's bundler understands, not Playwright's loader.
test('screenshots of the demos', async ({ page }) => {
  test.setTimeout(30 * 90_000);
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto('/');
  const ids = await page
    .locator('a[href*="/demos/"]')
    .evaluateAll((links) =>
      links.map((a) => new URL((a as HTMLAnchorElement).href).pathname.split('/demos/')[1]),
    );
  expect(ids.length).toBeGreaterThan(10);
  for (const id of ids.filter((id) => id && id !== 'durable-counter')) {
    await page.goto(`/demos/${id}?tools=offline&thread=screenshot-${Date.now()}`);
    const run = page.getByRole('button', { name: 'Run', exact: true });
    await expect(run).toBeEnabled({ timeout: 30_000 });
    await run.click();
    await expect(page.getByRole('region', { name: 'Input' }).locator('p.status')).toHaveText(
      /Status: (done|interrupted|paused|error)/,
      { timeout: 60_000 },
    );
    await page.screenshot({ path: `docs/screenshots/${id}.png`, fullPage: false });
  }
});

test('screenshot of the landing page and the model manager', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto('/');
  await page.screenshot({ path: 'docs/screenshots/landing.png' });
  await page.goto('/models');
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await page.screenshot({ path: 'docs/screenshots/models.png' });
});

test('screenshots of the labs', async ({ page }) => {
  test.setTimeout(300_000);
  await page.setViewportSize({ width: 1280, height: 900 });

  await page.goto('/lab/search');
  await page.getByRole('spinbutton', { name: 'Budget (model calls)' }).fill('10');
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(page.getByRole('status').first()).toHaveText(/Status: done/, { timeout: 120_000 });
  await page.screenshot({ path: 'docs/screenshots/search-lab.png', fullPage: true });

  await page.goto('/lab/budget');
  await page.getByRole('spinbutton', { name: /tasks/i }).fill('3');
  await page.getByRole('spinbutton', { name: /budget/i }).fill('8');
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(page.getByRole('button', { name: 'Run', exact: true })).toBeEnabled({
    timeout: 240_000,
  });
  await page.screenshot({ path: 'docs/screenshots/budget-lab.png', fullPage: true });

  await page.goto('/lab/grpo?steps=30&lr=0.005&evalCount=12');
  await expect(page.getByRole('status').first()).toContainText('Status: ready', {
    timeout: 60_000,
  });
  await page.getByRole('button', { name: 'Evaluate model alone' }).click();
  await expect(page.getByTestId('eval-off').getByTestId('mean-reward')).toBeVisible({
    timeout: 120_000,
  });
  await page.getByRole('button', { name: 'Train' }).click();
  await expect(page.getByRole('status').first()).toContainText('Status: done', {
    timeout: 240_000,
  });
  await page.getByRole('button', { name: 'Evaluate with adapter' }).click();
  await expect(page.getByTestId('eval-on').getByTestId('mean-reward')).toBeVisible({
    timeout: 120_000,
  });
  await page.getByTestId('rollout').first().getByRole('button', { name: 'Show' }).click();
  await page.screenshot({ path: 'docs/screenshots/rl-lab.png', fullPage: true });
});
