import { expect, test, type Page, type Route } from '@playwright/test';

/**
 * The RULER lab with the bundled micro model, offline.
 *
 * What the micro model really does (checked before writing this): as a poet it writes short
 * babble; as a judge its JSON-schema-constrained reply starts `{"scores": [{"trajectory_id":
 * …, "explanation": "` and the explanation never closes, so it runs out of tokens and RULER
 * rejects the reply as `truncated_reply`. The first test asserts that clear error path.
 *
 * For the path where the judge answers well, the judge is an OpenAI-compatible endpoint
 * answered by the test itself (same origin, via `page.route`): it reads the trajectory ids
 * from the prompt the page sends and replies in the streamed chat-completions format.
 */

const STATUS = (page: Page) => page.getByRole('status').filter({ hasText: 'Status:' });

/** Streams `content` as an OpenAI chat-completions SSE response. */
function sse(content: string): string {
  const events = [
    { choices: [{ index: 0, delta: { role: 'assistant', content: '' } }] },
    ...(content.match(/.{1,24}/gs) ?? []).map((piece) => ({
      choices: [{ index: 0, delta: { content: piece } }],
    })),
    { choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] },
  ];
  return events.map((e) => `data: ${JSON.stringify(e)}\n\n`).join('') + 'data: [DONE]\n\n';
}

interface JudgeRequest {
  messages: Array<{ role: string; content: string }>;
  response_format?: { type: string };
  temperature?: number;
}

/**
 * A scripted judge at `/judge-stub/v1`: trajectory N gets score 1/N with an explanation
 * naming it. `hold` (when given) delays the reply until it resolves.
 */
async function routeJudge(page: Page, requests: JudgeRequest[], hold?: Promise<void>) {
  await page.route('**/judge-stub/v1/chat/completions', async (route: Route) => {
    const body = route.request().postDataJSON() as JudgeRequest;
    requests.push(body);
    const user = body.messages.find((m) => m.role === 'user')?.content ?? '';
    const ids = [...user.matchAll(/<trajectory id="(\d+)">/g)].map((m) => m[1]);
    const reply = JSON.stringify({
      scores: ids.map((id) => ({
        trajectory_id: id,
        explanation: `Poem ${id} reads as cat-like babble.`,
        score: Math.round((1 / Number(id)) * 100) / 100,
      })),
    });
    if (hold) await hold;
    // the page may have cancelled (aborted the fetch) while the reply was held
    await route
      .fulfill({ status: 200, contentType: 'text/event-stream', body: sse(reply) })
      .catch(() => {});
  });
}

async function useEndpoint(page: Page, role: 'policy' | 'judge', path: string, model: string) {
  await page.getByRole('combobox', { name: new RegExp(`^${role}`) }).selectOption('__endpoint__');
  await page.getByRole('textbox', { name: 'Base URL' }).fill(new URL(path, page.url()).href);
  await page.getByRole('textbox', { name: 'Model', exact: true }).fill(model);
  await page.getByRole('button', { name: 'Use endpoint' }).click();
}

const useEndpointJudge = (page: Page) =>
  useEndpoint(page, 'judge', '/judge-stub/v1', 'scripted-judge');

async function setGroup(page: Page, size: number, seed: number) {
  await page.getByRole('slider', { name: 'Group size (G)' }).fill(String(size));
  await page.getByRole('spinbutton', { name: 'Seed' }).fill(String(seed));
}

test('the micro model as judge fails clearly: the reason, the raw reply, no leaderboard rows', async ({
  page,
}) => {
  test.setTimeout(120_000);
  await page.goto('/lab/ruler');
  await setGroup(page, 3, 1);
  await page.getByRole('button', { name: 'Generate group' }).click();
  await expect(STATUS(page)).toHaveText('Status: Failed.', { timeout: 90_000 });

  const group = page.getByRole('region', { name: 'Group' });
  for (const n of [1, 2, 3]) {
    await expect(group.getByRole('listitem', { name: `Trajectory ${n}` })).toContainText(
      `seed ${n}`,
    );
  }
  const alert = page.getByRole('alert').filter({ hasText: "The judge's reply could not be used" });
  await expect(alert).toContainText('truncated_reply');
  await expect(alert).toContainText('ran out of tokens');
  await expect(alert.locator('pre')).toContainText('{"scores": [{"trajectory_id": "');
  await expect(page.getByText('No scored rounds yet.')).toBeVisible();
  // the page is still usable: the group can be sent to the judge again
  await expect(page.getByRole('button', { name: 'Score with RULER' })).toBeEnabled();
});

test('a judge that answers well: scores in [0, 1] with explanations, the rubric in its prompt, a leaderboard that survives a reload', async ({
  page,
}) => {
  test.setTimeout(120_000);
  const requests: JudgeRequest[] = [];
  await page.goto('/lab/ruler');
  await routeJudge(page, requests);
  await useEndpointJudge(page);
  await setGroup(page, 3, 1);
  await page.getByRole('checkbox', { name: 'Score as soon as the group is ready' }).uncheck();
  await page.getByRole('button', { name: 'Generate group' }).click();
  await expect(STATUS(page)).toHaveText(/Group ready/, { timeout: 60_000 });

  // what the judge will be sent: the shared prefix once, three labelled trajectories
  const judgePanel = page.getByRole('region', { name: 'Judge prompt' });
  await judgePanel.getByText('What the judge is sent').click();
  await expect(judgePanel).toContainText('Shared prefix: 1 message, sent once');
  const system = judgePanel.getByTestId('judge-system');
  const user = judgePanel.getByTestId('judge-user');
  await expect(user).toContainText('<context>');
  await expect(user).toContainText('Write a short poem about cats.');
  for (const id of ['1', '2', '3']) await expect(user).toContainText(`<trajectory id="${id}">`);
  await expect(system).toContainText('must score clearly higher');

  // editing the rubric changes the prompt; reset brings the default back
  const rubric = page.getByRole('textbox', { name: /^Rubric/ });
  await rubric.fill('- Prefer poems that mention whiskers.');
  await expect(system).toContainText('Prefer poems that mention whiskers.');
  await expect(system).not.toContainText('must score clearly higher');
  await page.getByRole('button', { name: 'Reset rubric to default' }).click();
  await expect(system).toContainText('must score clearly higher');
  await rubric.fill('- Prefer poems that mention whiskers.');

  await page.getByRole('button', { name: 'Score with RULER' }).click();
  await expect(STATUS(page)).toHaveText(/Scored · round 1 added to the leaderboard/, {
    timeout: 30_000,
  });
  expect(requests).toHaveLength(1);
  expect(requests[0].response_format?.type).toBe('json_schema');
  expect(requests[0].temperature).toBe(0);
  expect(requests[0].messages[0].content).toContain('Prefer poems that mention whiskers.');

  const group = page.getByRole('region', { name: 'Group' });
  for (const [n, rank] of [
    [1, 1],
    [2, 2],
    [3, 3],
  ]) {
    const card = group.getByRole('listitem', { name: `Trajectory ${n}` });
    await expect(card).toContainText(`Rank ${rank} of 3`);
    await expect(card).toContainText(`Judge: Poem ${n} reads as cat-like babble.`);
    const score = Number(await card.getByRole('meter', { name: 'Score' }).getAttribute('value'));
    expect(score).toBeGreaterThanOrEqual(0);
    expect(score).toBeLessThanOrEqual(1);
  }

  const board = page.getByRole('region', { name: 'Leaderboard' });
  const rows = board.locator('tbody tr');
  await expect(rows).toHaveCount(3);
  await expect(rows.first()).toContainText('1.00');
  await expect(rows.first()).toContainText('scripted-judge (endpoint)');
  await expect(rows.first()).toContainText('micro-agent');
  await expect(rows.first()).toContainText('custom');

  // sortable by score: ascending puts the lowest first
  const scoreHeader = board.getByRole('columnheader', { name: /Score/ });
  await expect(scoreHeader).toHaveAttribute('aria-sort', 'descending');
  await scoreHeader.getByRole('button').click();
  await expect(scoreHeader).toHaveAttribute('aria-sort', 'ascending');
  await expect(rows.first()).toContainText('0.33');

  await page.reload();
  await expect(rows).toHaveCount(3);
  await expect(board).toContainText('3 poems from 1 round');

  await board.getByRole('button', { name: 'Clear leaderboard' }).click();
  await expect(board.getByText('No scored rounds yet.')).toBeVisible();
  await page.reload();
  await expect(board.getByText('No scored rounds yet.')).toBeVisible();
});

test('Cancel stops the policy mid-group and the judge mid-reply (button and Esc); nothing is recorded and the page recovers', async ({
  page,
}) => {
  test.setTimeout(120_000);
  const requests: JudgeRequest[] = [];
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.goto('/lab/ruler');

  // a policy endpoint that never answers: Cancel ends the generation
  let policyCalls = 0;
  await page.route('**/policy-stub/v1/chat/completions', async (route) => {
    policyCalls++;
    await held;
    await route.abort().catch(() => {});
  });
  await useEndpoint(page, 'policy', '/policy-stub/v1', 'silent-poet');
  await page.getByRole('button', { name: 'Generate group' }).click();
  await expect(STATUS(page)).toHaveText(/Generating/);
  await expect.poll(() => policyCalls).toBe(1);
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(STATUS(page)).toHaveText('Status: Cancelled.');
  await expect(page.getByRole('button', { name: 'Score with RULER' })).toBeDisabled();
  await page.getByRole('combobox', { name: /^policy/ }).selectOption('micro-agent');
  await routeJudge(page, requests, held);
  await useEndpointJudge(page);
  await setGroup(page, 2, 5);
  await page.getByRole('button', { name: 'Generate group' }).click();
  // the group is written, then scored automatically: the judge's reply is held
  await expect(STATUS(page)).toHaveText(/The judge is scoring/, { timeout: 60_000 });
  await expect.poll(() => requests.length).toBe(1);
  const cancel = page.getByRole('button', { name: 'Cancel' });
  await expect(cancel).toBeEnabled();
  await cancel.click();
  await expect(STATUS(page)).toHaveText('Status: Cancelled.');
  await expect(cancel).toBeDisabled();
  await expect(page.getByText('No scored rounds yet.')).toBeVisible();

  // again, cancelled from the keyboard this time
  await page.getByRole('button', { name: 'Score with RULER' }).click();
  await expect(STATUS(page)).toHaveText(/The judge is scoring/);
  await page.keyboard.press('Escape');
  await expect(STATUS(page)).toHaveText('Status: Cancelled.');
  release();

  // the held replies arrive after the cancel and are ignored; a new attempt scores
  await page.unrouteAll({ behavior: 'ignoreErrors' });
  await routeJudge(page, requests);
  await page.getByRole('button', { name: 'Score with RULER' }).click();
  await expect(STATUS(page)).toHaveText(/Scored · round 1/, { timeout: 30_000 });
  await expect(page.getByRole('region', { name: 'Leaderboard' }).locator('tbody tr')).toHaveCount(
    2,
  );
});
