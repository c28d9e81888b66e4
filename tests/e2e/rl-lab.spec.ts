import { expect, test, type Page } from '@playwright/test';

async function meanReward(page: Page, column: 'eval-off' | 'eval-on'): Promise<number> {
  const value = page.getByTestId(column).getByTestId('mean-reward');
  await expect(value).toBeVisible({ timeout: 120_000 });
  return Number(await value.innerText());
}

const status = (page: Page) => page.getByRole('status').first();

test('a short GRPO run in the tab raises the held-out Countdown reward; the adapter is saved, reloaded and gives the same answers', async ({
  page,
}) => {
  test.setTimeout(480_000);
  // the default run (80 steps of G = 8, lr 0.003); measured in Node: held-out 0.388 -> 0.429
  await page.goto('/lab/grpo?steps=80&evalCount=40&seed=0');
  await expect(status(page)).toContainText('Status: ready', { timeout: 60_000 });

  await page.getByRole('button', { name: 'Evaluate model alone' }).click();
  const before = await meanReward(page, 'eval-off');

  await page.getByRole('button', { name: 'Train' }).click();
  await expect(status(page)).toContainText('Status: done · step 80 of 80', { timeout: 300_000 });
  // every step drew a point and filled the group table (G = 8)
  await expect(
    page.getByRole('figure', { name: 'Group mean reward' }).getByTestId('chart-latest'),
  ).toContainText('mean of last 10');
  await expect(page.getByTestId('rollout')).toHaveCount(8);
  await expect(page.getByRole('table', { name: 'Latest group' })).toContainText('Token ratios');

  await page.getByRole('button', { name: 'Evaluate with adapter' }).click();
  const after = await meanReward(page, 'eval-on');
  expect(after).toBeGreaterThan(before + 0.015);
  await page.getByTestId('eval-on').getByText('Answers').click();
  await expect(page.getByTestId('eval-on').locator('pre')).toContainText(
    /nums=\[\d, \d, \d\] target=\d+ -> .* => (CORRECT|WRONG \()/,
  );

  // saved in IndexedDB, listed after a reload, and loading it restores the same policy
  await page.getByRole('textbox', { name: 'Name' }).fill('e2e adapter');
  await page.getByRole('button', { name: 'Save adapter' }).click();
  await expect(page.getByTestId('saved-adapter').filter({ hasText: 'e2e adapter' })).toHaveCount(1);
  await page.reload();
  await expect(status(page)).toContainText('Status: ready', { timeout: 60_000 });
  const row = page.getByTestId('saved-adapter').filter({ hasText: 'e2e adapter' });
  await expect(row).toContainText('80');
  await expect(row).toContainText(`${before.toFixed(3)} → ${after.toFixed(3)}`);
  await row.getByRole('button', { name: 'Load' }).click();
  await expect(status(page)).toContainText('started from “e2e adapter”');
  await page.getByRole('button', { name: 'Evaluate with adapter' }).click();
  expect(await meanReward(page, 'eval-on')).toBeCloseTo(after, 3);

  // switched off at inference, the model answers as it did before training
  await page.getByRole('button', { name: 'Evaluate model alone' }).click();
  expect(await meanReward(page, 'eval-off')).toBeCloseTo(before, 3);

  await row.getByRole('button', { name: 'Delete' }).click();
  await expect(row).toHaveCount(0);
});

test('GSPO with a smaller group, one step at a time, pause and cancel; bad settings in the address are refused', async ({
  page,
}) => {
  test.setTimeout(180_000);
  await page.goto('/lab/grpo?steps=30&evalCount=4');
  await expect(status(page)).toContainText('Status: ready', { timeout: 60_000 });
  await page.getByRole('radio', { name: 'GSPO (sequence ratio)' }).check();
  await expect(page.getByText('Clip ε: 0.0003')).toBeVisible();
  await page.getByRole('slider', { name: 'Group size G' }).fill('4');

  await page.getByRole('button', { name: 'Step', exact: true }).click();
  await expect(status(page)).toContainText('Status: paused · step 1 of 30', { timeout: 60_000 });
  await expect(page.getByTestId('rollout')).toHaveCount(4);
  const table = page.getByRole('table', { name: 'Latest group' });
  await expect(table).toContainText('Sequence ratio');
  await expect(page.getByText('GSPO, G = 4, ε = 0.0003', { exact: false })).toBeVisible();
  // group-normalized advantages sum to zero
  const advantages = await page
    .getByTestId('rollout')
    .evaluateAll((rows) => rows.map((r) => Number(r.children[3].textContent)));
  expect(Math.abs(advantages.reduce((a, b) => a + b, 0))).toBeLessThan(0.01);

  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('button', { name: 'Pause' }).click();
  await expect(status(page)).toContainText(/Status: paused · step \d+ of 30/, { timeout: 60_000 });
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(status(page)).toContainText(/Status: cancelled · step \d+ of 30/, {
    timeout: 60_000,
  });

  await page.goto('/lab/grpo?groupSize=1');
  await expect(page.getByRole('alert')).toContainText('groupSize must be a whole number from 2');
});
