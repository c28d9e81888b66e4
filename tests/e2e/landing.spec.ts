import { expect, test } from '@playwright/test';

test('landing page lists the demos and is cross-origin isolated', async ({ page }) => {
  await page.goto('/');

  await expect(page).toHaveTitle('Agent Playground');
  await expect(page.getByRole('heading', { level: 1, name: 'Agent Playground' })).toBeVisible();
  await expect(page.getByRole('heading', { level: 2, name: 'Demos' })).toBeVisible();

  // Multi-threaded WASM needs cross-origin isolation from the server's COOP/COEP headers.
  expect(await page.evaluate(() => self.crossOriginIsolated)).toBe(true);

  const link = page.getByRole('link', { name: 'Durable run: survives a closed tab' });
  await expect(link).toBeVisible();
  await expect(link).toHaveAttribute('href', /\/demos\/durable-counter$/);

  await link.click();
  await expect(page).toHaveURL(/\/demos\/durable-counter$/);
  await expect(
    page.getByRole('heading', { level: 1, name: 'Durable run: survives a closed tab' }),
  ).toBeVisible();
});

test('a deep link to a demo page is served directly', async ({ page }) => {
  const response = await page.goto('/demos/durable-counter');
  expect(response?.status()).toBe(200);
  expect(response?.headers()['cross-origin-opener-policy']).toBe('same-origin');
  expect(response?.headers()['cross-origin-embedder-policy']).toBe('credentialless');
  await expect(
    page.getByRole('heading', { level: 1, name: 'Durable run: survives a closed tab' }),
  ).toBeVisible();
  expect(await page.evaluate(() => self.crossOriginIsolated)).toBe(true);
});
