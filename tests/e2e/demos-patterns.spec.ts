/**
 * Chapter 3's reasoning patterns and agent teams with the bundled micro model and a fixed
 * seed: the Tree-of-Thoughts planner draws its options with the judge's scores and the
 * chosen path; the swarm hands off, keeps the active agent in state and continues with it
 * in a follow-up turn; the team's per-agent accounting adds up to the run's total. The
 * micro model's words are whatever it writes, so nothing here expects particular text:
 * every expectation compares two things the page shows (a drawing and the state, a table
 * and the trace).
 */
import type { Page, Route } from '@playwright/test';
import {
  button,
  expect,
  openDemo,
  region,
  runTurn,
  stateValues,
  test,
  tracePath,
  uniqueThread,
} from './fixtures/demo-page';

const SEED = 0;

interface StubRequest {
  messages: Array<{ role: string; content: string; name?: string }>;
  tools?: Array<{ function: { name: string } }>;
}

/** An OpenAI-style streamed reply: text, or one tool call; with a usage block. */
function sse(reply: string | { call: string; args?: Record<string, unknown> }): string {
  const delta =
    typeof reply === 'string'
      ? { content: reply }
      : {
          tool_calls: [
            {
              index: 0,
              id: `call_${Math.random().toString(36).slice(2, 10)}`,
              type: 'function',
              function: { name: reply.call, arguments: JSON.stringify(reply.args ?? {}) },
            },
          ],
        };
  const events = [
    { choices: [{ index: 0, delta: { role: 'assistant', ...delta } }] },
    {
      choices: [
        { index: 0, delta: {}, finish_reason: typeof reply === 'string' ? 'stop' : 'tool_calls' },
      ],
    },
    { choices: [], usage: { prompt_tokens: 30, completion_tokens: 5 } },
  ];
  return events.map((e) => `data: ${JSON.stringify(e)}\n\n`).join('') + 'data: [DONE]\n\n';
}

/** Serves a scripted model at `<path>/chat/completions` on the page's origin. */
async function stubModel(
  page: Page,
  path: string,
  script: (request: StubRequest) => string | { call: string; args?: Record<string, unknown> },
) {
  await page.route(`**${path}/chat/completions`, async (route: Route) => {
    const body = route.request().postDataJSON() as StubRequest;
    await route.fulfill({ status: 200, contentType: 'text/event-stream', body: sse(script(body)) });
  });
}

async function useEndpoint(page: Page, role: string, path: string, model: string) {
  const models = region(page, 'Models');
  const name = new RegExp(`^${role}`);
  const picker = models.getByRole('combobox', { name });
  // the role's own row: another role's endpoint form may be open too
  const row = models.locator('.role', { has: page.getByRole('combobox', { name }) });
  await picker.selectOption('__endpoint__');
  await row.getByRole('textbox', { name: 'Base URL' }).fill(new URL(path, page.url()).href);
  await row.getByRole('textbox', { name: 'Model', exact: true }).fill(model);
  await button(row, 'Use endpoint').click();
  await expect(row).toContainText(`Ready: ${model}`);
}

test('ToT planner: three options scored by the judge, the chosen branch drawn to research and draft', async ({
  page,
}) => {
  const thread = uniqueThread('tot');
  await openDemo(page, 'tot-blog-planner', { thread, seed: SEED });
  const models = region(page, 'Models');
  for (const role of ['proposer', 'judge', 'researcher', 'writer'])
    await expect(models).toContainText(role);

  await runTurn(page, 'ReAct agents');
  expect(await tracePath(page)).toEqual(['propose', 'judge', 'research', 'draft']);

  const values = await stateValues(page);
  const approaches = values.approaches as Array<{ id: number; title: string }>;
  const judgement = values.judgement as {
    scores: Array<{ approach: number; score: number }>;
    choice: number;
  };
  // structured output under grammar constraints: always three approaches and a verdict
  expect(approaches.map((a) => a.id)).toEqual([1, 2, 3]);
  expect(judgement.scores.map((s) => s.approach)).toEqual([1, 2, 3]);
  expect(values.chosen).toBe(judgement.choice);

  const tree = region(page, 'Thought tree');
  const drawn = tree.locator('svg g[data-approach]');
  await expect(drawn).toHaveCount(3);
  for (const score of judgement.scores) {
    const node = tree.locator(`svg g[data-approach="${score.approach}"]`);
    await expect(node).toHaveAttribute('data-score', String(score.score));
    await expect(node.locator('.score')).toHaveText(`${score.score}/10`);
    await expect(node).toHaveAttribute('data-chosen', String(score.approach === judgement.choice));
  }
  await expect(tree.locator('svg g[data-chosen="true"]')).toHaveCount(1);
  await expect(tree.getByLabel('Agents')).toContainText('scored by judge (micro-agent)');
  await expect(tree.locator('svg .pruned')).toHaveCount(2);
  // the chosen path continues into research and draft; the micro model's approaches are
  // babble, its query finds nothing and its writer answers with a tool call it was not
  // offered, which the tree reports instead of leaving the draft looking unfinished
  await expect(tree.locator('svg g[data-step="research"]')).toContainText('0 hits');
  await expect(tree.locator('svg g[data-step="draft"]')).toContainText('no draft');
  await expect(tree.getByRole('alert')).toContainText(
    'The draft reply could not be read (the writer answered with a calculator call instead of text)',
  );
  const chosenRow = tree.locator(`table tr[data-approach="${judgement.choice}"]`);
  await expect(chosenRow.locator('.outcome')).toHaveText('chosen');
  await tree.screenshot({ path: 'test-results/tot-blog-planner-tree.png' });
});

test('swarm: handoffs recorded, the active agent kept, the follow-up turn continues with it', async ({
  page,
}) => {
  const thread = uniqueThread('swarm');
  await openDemo(page, 'swarm-handoffs', { thread, seed: SEED });
  const swarm = region(page, 'Swarm');
  await expect(swarm.getByLabel('Active agent')).toContainText('researcher');
  await expect(swarm.getByRole('list', { name: 'Agents' })).toContainText('micro-agent');

  await runTurn(page, 'Explain the KV cache.');
  const first = await stateValues(page);
  const handoffs = first.handoffs as Array<{ from: string; to: string; turn: number }>;
  expect(handoffs.length).toBeGreaterThanOrEqual(1);
  expect(handoffs[0]).toMatchObject({ from: 'researcher', to: 'writer', turn: 1 });
  const active = first.active_agent as string;
  expect(active).toBe(handoffs.at(-1)!.to);
  // the first turn starts with the default agent; every handoff shows in the trace and table
  const path = await tracePath(page);
  expect(path[0]).toBe('researcher');
  expect(path).toContain(active);
  await expect(swarm.locator('table tbody tr')).toHaveCount(handoffs.length);
  await expect(swarm.getByLabel('Active agent')).toContainText(active);

  // same thread, next turn: it starts with the agent that had control
  await runTurn(page, 'Make it shorter.');
  expect((await tracePath(page))[0]).toBe(active);
  const second = await stateValues(page);
  expect(second.turn).toBe(2);
  const messages = second.messages as Array<{ role: string; name?: string }>;
  const afterFollowUp = messages.slice(messages.findLastIndex((m) => m.role === 'user') + 1);
  expect(afterFollowUp[0]).toMatchObject({ role: 'assistant', name: active });
  await swarm.screenshot({ path: 'test-results/swarm-handoffs-panel.png' });
});

test('swarm: the writer sends the work back when sources are thin (scripted endpoints per role)', async ({
  page,
}) => {
  // the researcher hands off at once, searches when the work comes back, then hands off again
  await stubModel(page, '/researcher-stub/v1', (request) => {
    const last = request.messages.at(-1);
    const searched = request.messages.some((m) => m.role === 'tool' && m.name === 'search');
    if (last?.role === 'tool' && last.name === 'transfer_to_researcher' && !searched)
      return { call: 'search', args: { query: 'KV cache' } };
    return { call: 'transfer_to_writer' };
  });
  // the writer follows the swarm's hint: thin sources go back, enough sources get an answer
  await stubModel(page, '/writer-stub/v1', (request) =>
    /sources are thin/.test(request.messages[0].content)
      ? { call: 'transfer_to_researcher' }
      : 'The KV cache keeps the keys and values of earlier tokens.',
  );
  const thread = uniqueThread('swarm-thin');
  await openDemo(page, 'swarm-handoffs', { thread, seed: SEED });
  await useEndpoint(page, 'researcher', '/researcher-stub/v1', 'scripted-researcher');
  await useEndpoint(page, 'writer', '/writer-stub/v1', 'scripted-writer');
  const swarm = region(page, 'Swarm');
  await expect(swarm.getByRole('list', { name: 'Agents' })).toContainText('scripted-writer');

  await runTurn(page, 'Explain the KV cache.');
  const rows = swarm.locator('table tbody tr');
  await expect(rows).toHaveCount(3);
  const pairs = [];
  for (const row of await rows.all())
    pairs.push(`${await row.locator('.from').innerText()}>${await row.locator('.to').innerText()}`);
  expect(pairs).toEqual(['researcher>writer', 'writer>researcher', 'researcher>writer']);
  await expect(rows.nth(1).locator('.how')).toHaveText('writer called transfer_to_researcher');
  await expect(swarm.getByLabel('Active agent')).toContainText('writer');
  await expect(page.getByLabel('Answer', { exact: true })).toContainText('keeps the keys');
});

test('team of experts: the per-agent accounting adds up to the run total', async ({ page }) => {
  const thread = uniqueThread('team');
  await openDemo(page, 'team-of-experts', { thread, seed: SEED });
  const models = region(page, 'Models');
  for (const role of ['supervisor', 'searcher', 'scorer', 'note_taker', 'analyst', 'writer'])
    await expect(models).toContainText(role);

  await runTurn(page, 'What is a KV cache?');
  const values = await stateValues(page);
  const hits = values.hits as Array<{ relevance: number; kept: boolean }>;
  // the encoder scored every hit it was given
  for (const hit of hits) expect(hit.relevance).toBeGreaterThan(0);

  const accounting = region(page, 'Accounting');
  const table = accounting.getByRole('table');
  const rows = table.locator('tbody tr');
  const numbers = async (row: ReturnType<typeof rows.nth>) => ({
    agent: await row.getAttribute('data-agent'),
    calls: Number(await row.locator('.calls').innerText()),
    prompt: Number(await row.locator('.prompt').innerText()),
    completion: Number(await row.locator('.completion').innerText()),
    reasoning: Number(await row.locator('.reasoning').innerText()),
    tokens: Number(await row.locator('.tokens').innerText()),
    api: Number(await row.locator('.api').innerText()),
  });
  const perAgent: Array<Awaited<ReturnType<typeof numbers>>> = [];
  for (const row of await rows.all()) perAgent.push(await numbers(row));
  expect(perAgent.map((r) => r.agent)).toEqual([
    'supervisor',
    'searcher',
    'scorer',
    'note_taker',
    'analyst',
    'writer',
  ]);
  const total = await numbers(table.locator('tfoot tr'));
  const sum = (key: 'calls' | 'prompt' | 'completion' | 'reasoning' | 'tokens') =>
    perAgent.reduce((n, r) => n + r[key], 0);
  expect(sum('prompt')).toBe(total.prompt);
  expect(sum('completion')).toBe(total.completion);
  expect(sum('reasoning')).toBe(total.reasoning);
  expect(sum('tokens')).toBe(total.tokens);
  expect(sum('calls')).toBe(total.calls);
  // micro-dollars with three decimals are exact nano-dollar sums
  expect(Math.round(perAgent.reduce((n, r) => n + r.api * 1000, 0))).toBe(
    Math.round(total.api * 1000),
  );
  // the encoder reports no tokens; the supervisor always decides at least once
  expect(perAgent.find((r) => r.agent === 'scorer')!.tokens).toBe(0);
  expect(perAgent.find((r) => r.agent === 'supervisor')!.calls).toBeGreaterThanOrEqual(1);

  // and the table's total is the trace's own total
  const check = accounting.locator('.check');
  await expect(check).toHaveAttribute('data-run-total', String(total.tokens));
  await expect(check).toContainText('add up to it');
  await expect(region(page, 'Trace')).toContainText(
    `Total: ${total.prompt} prompt + ${total.completion} completion tokens`,
  );
  await accounting.screenshot({ path: 'test-results/team-of-experts-accounting.png' });
});
