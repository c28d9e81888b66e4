import { expect, test } from '@playwright/test';

test('the search lab grows an AB-MCTS tree on a Countdown puzzle with the micro model', async ({
  page,
}) => {
  test.setTimeout(120_000);
  await page.goto('/lab/search');
  await page.getByRole('spinbutton', { name: 'Budget (model calls)' }).fill('6');
  await expect(page.getByText(/Puzzle: numbers \[/)).toBeVisible();
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  const status = page.getByRole('status');
  await expect(status).toHaveText(/Status: done · 6 of 6 calls/, { timeout: 90_000 });
  const tree = page.getByRole('region', { name: 'Search tree' });
  await expect(tree.getByRole('group', { name: 'Search tree with 6 nodes' })).toBeVisible();
  await tree.getByText('The nodes as a table').click();
  await expect(tree.getByRole('row')).toHaveCount(7); // header + 6 nodes
  await expect(page.getByRole('region', { name: 'Best answer' })).toContainText('nums=[');

  // Pause and step: a refinement run stopped after its first call, then one step at a time
  await page.getByRole('combobox', { name: 'Algorithm' }).selectOption('refinement');
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await page.getByRole('button', { name: 'Pause' }).click();
  await expect(status).toHaveText(/Status: paused · \d of 6 calls/, { timeout: 60_000 });
  const before = Number((await status.innerText()).match(/· (\d) of/)![1]);
  await page.getByRole('button', { name: 'Step' }).click();
  await expect(status).toHaveText(new RegExp(`Status: (paused|done) · ${before + 1} of 6 calls`), {
    timeout: 60_000,
  });
  // refinement goes depth-only: every node has the previous one as its parent
  await expect(
    tree.getByRole('group', { name: `Search tree with ${before + 1} nodes` }),
  ).toBeVisible();
});
