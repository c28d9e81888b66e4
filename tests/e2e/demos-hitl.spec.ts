/**
 * Human-in-the-loop demos on the demo page (feedback loop, edit state, parallel
 * interrupts, breakpoints), with the bundled micro model (greedy, fixed seed) and the web
 * tools on the local replay server. Interrupt forms are answered through their accessible
 * names; the tests check the path the graph took, the state each answer produced, and
 * that the saved thread survives a reload.
 */
import {
  button,
  checkpointRows,
  currentThread,
  expect,
  interruptsPanel,
  openDemo,
  region,
  runTurn,
  settle,
  stateValues,
  statePanel,
  statusLine,
  test,
  tracePath,
  uniqueThread,
  type StoredMessage,
} from './fixtures/demo-page';
import { REPLAY_CITIES, replayTemperature } from './replay-server';

const SEED = 0;
test.describe.configure({ timeout: 120_000 });

test.describe('feedback loop', () => {
  test('revise with feedback, then approve; the loop and the feedback are saved', async ({
    page,
  }) => {
    const thread = uniqueThread('feedback');
    await openDemo(page, 'hitl-feedback-loop', { thread, seed: SEED });
    await runTurn(page, 'Say hello to the team.', 'interrupted');
    expect(await tracePath(page)).toEqual(['write', 'review']);
    const panel = interruptsPanel(page);
    const form = panel.getByRole('group', { name: 'Approve this draft, or ask for a revision?' });
    await expect(form).toBeVisible();
    const first = await stateValues(page);
    expect(first).toMatchObject({ task: 'Say hello to the team.', feedback: [], revisions: 0 });
    expect(first.approved).toBe(false);

    // Nothing chosen yet: Resume waits.
    await expect(button(panel, 'Resume')).toBeDisabled();
    await form.getByRole('radio', { name: 'Ask for a revision' }).check();
    await form.getByRole('textbox', { name: 'What should change?' }).fill('Mention IndexedDB.');
    await settle(page, () => button(panel, 'Resume').click(), 'interrupted');
    // The review node re-runs with the answer, routes back to write, which pauses again.
    expect(await tracePath(page)).toEqual(['review', 'write', 'review']);
    const second = await stateValues(page);
    expect(second).toMatchObject({ feedback: ['Mention IndexedDB.'], revisions: 1 });
    await expect(form).toBeVisible();

    // Reload while paused: the interrupt is still pending, with a fresh form.
    await page.reload();
    await expect(form).toBeVisible({ timeout: 20_000 });
    await expect(statePanel(page)).toContainText('Mention IndexedDB.');

    await form.getByRole('radio', { name: 'Approve' }).check();
    await settle(page, () => button(panel, 'Resume').click(), 'done');
    expect(await tracePath(page)).toEqual(['review']);
    const done = await stateValues(page);
    expect(done).toMatchObject({
      feedback: ['Mention IndexedDB.'],
      revisions: 1,
      approved: true,
      draft: second.draft,
    });
    await expect(panel).toContainText('Nothing is waiting for you.');
  });
});

test.describe('edit state', () => {
  test('the city edited in the review form is what the fetch uses', async ({ page, replay }) => {
    const thread = uniqueThread('edit-state');
    await openDemo(page, 'hitl-edit-state', { thread, seed: SEED, replay: replay.url });
    await runTurn(page, 'How warm is it in Lisbon right now?', 'interrupted');
    expect(await tracePath(page)).toEqual(['extract', 'review']);
    // The model proposed a query; nothing has been fetched yet.
    const proposed = (await stateValues(page)).query as { location: string; unit: string };
    expect(proposed).toEqual({ location: 'Lisbon', unit: 'celsius' });
    expect(replay.requests).toEqual([]);

    const form = interruptsPanel(page).getByRole('group', {
      name: 'Check the query before it runs. Edit anything that is wrong.',
    });
    const city = form.getByRole('textbox', { name: 'City' });
    await expect(city).toHaveValue('Lisbon');
    await city.fill('Berlin');
    await form.getByRole('radio', { name: 'fahrenheit' }).check();
    await settle(page, () => button(interruptsPanel(page), 'Resume').click(), 'done');

    expect(await tracePath(page)).toEqual(['review', 'fetch']);
    const berlin = REPLAY_CITIES.find((c) => c.name === 'Berlin')!;
    expect(replay.requests.map((r) => [r.path, r.query])).toEqual([
      ['/v1/search', { name: 'Berlin', count: '1', language: 'en', format: 'json' }],
      [
        '/v1/forecast',
        {
          latitude: String(berlin.latitude),
          longitude: String(berlin.longitude),
          current: 'temperature_2m',
          temperature_unit: 'fahrenheit',
        },
      ],
    ]);
    const values = await stateValues(page);
    const observation = `{"location": "Berlin", "temperature": ${replayTemperature('Berlin', 'fahrenheit')}, "unit": "fahrenheit"}`;
    expect(values).toMatchObject({
      query: { location: 'Berlin', unit: 'fahrenheit' },
      reviewed: true,
      observation,
    });
    await expect(page.getByLabel('Answer', { exact: true })).toContainText(observation);

    // The checkpoint where the run paused still holds the model's query: the edit made a new one.
    const threads = region(page, 'Threads');
    await threads.getByRole('button', { name: 'Open checkpoint step 0', exact: true }).click();
    expect(((await stateValues(page)).query as { location: string }).location).toBe('Lisbon');

    // After a reload the thread shows the reviewed query and its result.
    await openDemo(page, 'hitl-edit-state', { thread, seed: SEED, replay: replay.url });
    await expect(statePanel(page)).toContainText('Berlin');
    expect(await stateValues(page)).toEqual(values);
  });
});

test.describe('parallel interrupts', () => {
  test('three reviewers pause at once; one Resume answers all, then join runs once', async ({
    page,
  }) => {
    const thread = uniqueThread('parallel');
    await openDemo(page, 'hitl-parallel-interrupts', { thread, seed: SEED });
    await runTurn(page, 'Announce that the playground now works offline.', 'interrupted');
    expect(await tracePath(page)).toEqual([
      'write_draft',
      'review_facts',
      'review_tone',
      'review_legal',
    ]);
    const draft = (await stateValues(page)).draft as string;
    expect(draft.length).toBeGreaterThan(0);

    const panel = interruptsPanel(page);
    const forms = {
      facts: panel.getByRole('group', {
        name: 'Facts review: approve the draft or ask for a change?',
      }),
      tone: panel.getByRole('group', {
        name: 'Tone review: approve the draft or ask for a change?',
      }),
      legal: panel.getByRole('group', {
        name: 'Legal review: approve the draft or ask for a change?',
      }),
    };
    for (const form of Object.values(forms)) await expect(form).toBeVisible();
    await expect(panel.getByRole('button', { name: 'Resume' })).toHaveCount(1);
    await expect(panel).toContainText('3 of 3 answers still need attention.');

    await forms.facts.getByRole('radio', { name: 'Approve' }).check();
    await forms.tone.getByRole('radio', { name: 'Ask for a revision' }).check();
    await forms.tone.getByRole('textbox', { name: 'What should change?' }).fill('Less hype.');
    await expect(panel).toContainText('1 of 3 answers still need attention.');
    await expect(button(panel, 'Resume')).toBeDisabled();
    await forms.legal.getByRole('radio', { name: 'Approve' }).check();
    await expect(panel).toContainText('All 3 answers are ready.');

    await settle(page, () => button(panel, 'Resume').click(), 'done');
    // The three reviewers re-run with their answers, in one step; join runs once, after all.
    const path = await tracePath(page);
    expect(path).toEqual(['review_facts', 'review_tone', 'review_legal', 'join']);
    const values = await stateValues(page);
    expect(values.verdicts).toEqual([
      { reviewer: 'facts', approved: true },
      { reviewer: 'tone', approved: false, feedback: 'Less hype.' },
      { reviewer: 'legal', approved: true },
    ]);
    expect(values.outcome).toBe('Changes requested by tone (Less hype.).');
    expect(values.draft).toBe(draft);
    await expect(page.getByLabel('Answer', { exact: true })).toContainText(
      'Changes requested by tone (Less hype.).',
    );

    await page.reload();
    await expect(statePanel(page)).toContainText('Changes requested by tone', { timeout: 20_000 });
    expect(await stateValues(page)).toEqual(values);
    await expect(panel).toContainText('Nothing is waiting for you.');
  });
});

test.describe('breakpoints', () => {
  test('pause before tools / after agent, edit the pending call, Resume steps on', async ({
    page,
    replay,
  }) => {
    const thread = uniqueThread('breakpoints');
    await openDemo(page, 'hitl-breakpoints', { thread, seed: SEED, replay: replay.url });
    const graph = region(page, 'Graph');
    const panel = interruptsPanel(page);
    const threads = region(page, 'Threads');
    await expect(graph.getByRole('checkbox', { name: 'before tools' })).toBeChecked();
    await expect(graph.getByRole('checkbox', { name: 'after agent' })).toBeChecked();
    await expect(graph.getByRole('checkbox', { name: 'before agent' })).not.toBeChecked();
    const question = 'What is the current temperature in Rome, and what is its square?';

    // The agent proposes the weather call; the run stops before the tools node runs it.
    await runTurn(page, question, 'paused');
    expect(await tracePath(page)).toEqual(['agent']);
    await expect(panel).toContainText('Paused before tools.');
    expect(replay.requests).toEqual([]);
    const pending = (await stateValues(page)).messages as Msg[];
    expect(pending.at(-1)!.tool_calls!.map((c) => c.function)).toEqual([
      { name: 'get_current_temperature', arguments: '{"location":"Rome"}' },
    ]);

    // Edit the pending call in the state (as the agent node) and re-run from there.
    await button(threads, 'Edit state').click();
    const editor = threads.getByRole('textbox', { name: 'State (JSON)' });
    const json = await editor.inputValue();
    expect(json).toContain('{\\"location\\":\\"Rome\\"}');
    await editor.fill(json.replace('{\\"location\\":\\"Rome\\"}', '{\\"location\\":\\"Oslo\\"}'));
    await expect(threads.getByRole('combobox', { name: 'Write it as node' })).toHaveValue('agent');
    await settle(page, () => button(threads, 'Save and re-run').click(), ['paused', 'done']);
    // tools ran the edited call; the next agent step stops at the "after agent" breakpoint
    expect(await tracePath(page)).toEqual(['tools', 'agent']);
    expect(replay.requests.map((r) => r.query.name ?? r.query.latitude)).toEqual([
      'Oslo',
      String(REPLAY_CITIES.find((c) => c.name === 'Oslo')!.latitude),
    ]);
    const rows = await checkpointRows(page);
    expect(rows.some((r) => /^step 1 update agent next: tools/.test(r.text))).toBe(true);
    const afterEdit = (await stateValues(page)).messages as Msg[];
    expect(afterEdit.find((m) => m.role === 'tool')!.content).toBe(
      `{"location": "Oslo", "temperature": ${replayTemperature('Oslo')}, "unit": "celsius"}`,
    );
    // The agent's next call (the calculator) waits before tools; Resume runs it to the end.
    await expect(panel).toContainText('Paused before tools.');
    await settle(page, () => button(panel, 'Resume').click(), 'done');
    expect(await tracePath(page)).toEqual(['tools', 'agent']);
    // Rome was never fetched: only the edited call reached the weather service.
    expect(replay.requests.some((r) => r.query.name === 'Rome')).toBe(false);

    // Breakpoints per node: before agent and before tools only. Each Resume is one step.
    await graph.getByRole('checkbox', { name: 'after agent' }).uncheck();
    await graph.getByRole('checkbox', { name: 'before agent' }).check();
    replay.reset();
    await runTurn(page, question, 'paused');
    const second = await currentThread(page);
    expect(second).not.toBe(thread);
    const stops: Array<{ path: string[]; before: string; fetched: number }> = [];
    const record = async () =>
      stops.push({
        path: await tracePath(page),
        before: (await panel.innerText()).match(/Paused before (\w+)\./)?.[1] ?? '',
        fetched: replay.hits.forecast,
      });
    await record();
    for (let i = 0; i < 5; i++) {
      await settle(page, () => button(panel, 'Resume').click(), ['paused', 'done']);
      await record();
    }
    expect(stops).toEqual([
      { path: [], before: 'agent', fetched: 0 },
      { path: ['agent'], before: 'tools', fetched: 0 },
      { path: ['tools'], before: 'agent', fetched: 1 },
      // the agent reads Rome's temperature and asks the calculator for its square
      { path: ['agent'], before: 'tools', fetched: 1 },
      { path: ['tools'], before: 'agent', fetched: 1 },
      { path: ['agent'], before: '', fetched: 1 },
    ]);
    await expect(statusLine(page)).toHaveText(/^Status: done/);
    expect(replay.requests.find((r) => r.path === '/v1/search')!.query.name).toBe('Rome');
  });
});

type Msg = StoredMessage;
