import { readFile } from 'node:fs/promises';
import { expect, test } from '@playwright/test';

test('the budget lab draws one curve per algorithm from micro-model searches, and cancels', async ({
  page,
}) => {
  test.setTimeout(60_000);
  await page.goto('/lab/budget');
  // two algorithms, 2 tasks, budget 4: 16 model calls
  for (const name of ['Refinement', 'MCTS', 'AB-MCTS-M']) {
    await page.getByRole('checkbox', { name, exact: true }).uncheck();
  }
  await page.getByRole('spinbutton', { name: 'Tasks' }).fill('2');
  await page.getByRole('spinbutton', { name: 'Max budget (model calls)' }).fill('4');
  await expect(page.getByText(/16 model calls in all/)).toBeVisible();
  await page.getByRole('button', { name: 'Run', exact: true }).click();

  const status = page.getByRole('status');
  await expect(status).toHaveText(/Status: done · 16 of 16 calls/, { timeout: 45_000 });
  await expect(page.getByRole('progressbar', { name: 'Model calls done' })).toHaveJSProperty(
    'value',
    16,
  );

  const curves = page.getByRole('region', { name: 'Curves' });
  const series = curves.locator('g.series');
  await expect(series).toHaveCount(2);
  for (const algorithm of ['sampling', 'ab-mcts-a']) {
    await expect(
      curves.locator(`g.series[data-algorithm="${algorithm}"] circle.point`),
    ).toHaveCount(4);
  }

  const table = curves.getByRole('table', { name: 'Curve values' });
  for (const metric of ['Mean best reward', 'Success rate', 'Mean best partial-credit reward']) {
    await curves.getByRole('radio', { name: metric, exact: true }).check();
    await expect(table.getByRole('row')).toHaveCount(5); // header + budgets 1–4
    const cells = await table.getByRole('cell').allInnerTexts();
    expect(cells).toHaveLength(8);
    for (const cell of cells) {
      const numbers = cell.match(/\d+\.\d+/g)!.map(Number); // value [low, high]
      expect(numbers).toHaveLength(3);
      for (const n of numbers) expect(n >= 0 && n <= 1).toBe(true);
      expect(numbers[1]).toBeLessThanOrEqual(numbers[0]);
      expect(numbers[0]).toBeLessThanOrEqual(numbers[2]);
    }
  }

  const csvDownload = page.waitForEvent('download');
  await curves.getByRole('button', { name: 'Download CSV' }).click();
  const csv = await csvDownload;
  expect(csv.suggestedFilename()).toBe('budget-curves-seed1-2tasks-b4.csv');
  // header + 3 metrics × 2 algorithms × 4 budgets
  expect((await readFile(await csv.path(), 'utf8')).trim().split('\n')).toHaveLength(25);
  const jsonDownload = page.waitForEvent('download');
  await curves.getByRole('button', { name: 'Download JSON' }).click();
  const json = JSON.parse(await readFile(await (await jsonDownload).path(), 'utf8'));
  expect(json.settings).toEqual({
    algorithms: ['sampling', 'ab-mcts-a'],
    tasks: 2,
    budget: 4,
    seed: 1,
  });
  expect(json.runs).toHaveLength(4);
  for (const run of json.runs) expect(run.rewards).toHaveLength(4);

  // Cancel stops a longer run part-way
  await page.getByRole('spinbutton', { name: 'Max budget (model calls)' }).fill('16');
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(status).toHaveText(/Status: running · [1-9]\d* of 64 calls/, { timeout: 20_000 });
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(status).toHaveText(/Status: cancelled · \d+ of 64 calls/);
  const doneCalls = Number((await status.innerText()).match(/· (\d+) of/)![1]);
  expect(doneCalls).toBeLessThan(64);
  await expect(page.getByRole('button', { name: 'Run', exact: true })).toBeEnabled();
});
