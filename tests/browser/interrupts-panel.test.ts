/**
 * The interrupt forms and the state tree, mounted in Chromium: two pending interrupts
 * answered together with one Resume, and an appended message shown as one addition.
 */
import { flushSync, mount, unmount } from 'svelte';
import { afterEach, expect, it } from 'vitest';
import { page, userEvent } from 'vitest/browser';
import InterruptForm from '../../src/lib/ui/interrupts/InterruptForm.svelte';
import InterruptsPanel from '../../src/lib/ui/interrupts/InterruptsPanel.svelte';
import type { FormSchema } from '../../src/lib/ui/interrupts/schema-form';
import StateTree from '../../src/lib/ui/state/StateTree.svelte';

let mounted: Record<string, unknown> | null = null;

afterEach(() => {
  if (mounted) unmount(mounted);
  mounted = null;
  document.body.replaceChildren();
});

/** Approve the plan, or send it back with feedback. */
const planReview: FormSchema = {
  oneOf: [
    {
      type: 'object',
      title: 'Approve',
      properties: { decision: { const: 'approve' } },
      required: ['decision'],
    },
    {
      type: 'object',
      title: 'Revise',
      properties: {
        decision: { const: 'revise' },
        feedback: { type: 'string', title: 'What should change?', format: 'textarea' },
      },
      required: ['decision', 'feedback'],
    },
  ],
};

/** Accept the tool call, edit its arguments, or answer in its place. */
const toolCallReview: FormSchema = {
  oneOf: [
    { type: 'object', title: 'Accept', properties: { type: { const: 'accept' } } },
    {
      type: 'object',
      title: 'Edit arguments',
      properties: {
        type: { const: 'edit' },
        args: {
          type: 'object',
          title: 'Arguments',
          properties: {
            city: { type: 'string', title: 'City' },
            units: { type: 'string', enum: ['celsius', 'fahrenheit'], default: 'celsius' },
          },
          required: ['city'],
        },
      },
      required: ['type', 'args'],
    },
    {
      type: 'object',
      title: 'Respond instead',
      properties: { type: { const: 'respond' }, text: { type: 'string', title: 'Response' } },
      required: ['type', 'text'],
    },
  ],
};

it('answers two interrupts with one Resume, enabled only when both answers are valid', async () => {
  const resumed: Record<string, unknown>[] = [];
  mounted = mount(InterruptsPanel, {
    target: document.body,
    props: {
      interrupts: [
        { id: 'plan-1', value: { question: 'Approve the plan?', schema: planReview } },
        {
          id: 'tool-1',
          value: {
            question: 'Run get_weather?',
            schema: toolCallReview,
            context: { name: 'get_weather', args: { city: 'Pari' } },
          },
        },
      ],
      onresume: (answers: Record<string, unknown>) => resumed.push(answers),
    },
  });

  const resume = page.getByRole('button', { name: 'Resume', exact: true });
  await expect.element(resume).toBeDisabled();
  await expect.element(page.getByRole('group', { name: 'Approve the plan?' })).toBeVisible();
  // The tool call under review is shown as context.
  await expect.element(page.getByText('"Pari"')).toBeVisible();

  // Revise without feedback: still invalid, and the empty box says why once touched.
  await userEvent.click(page.getByRole('radio', { name: 'Revise', exact: true }));
  const feedback = page.getByRole('textbox', { name: 'What should change?' });
  await userEvent.click(feedback);
  await userEvent.fill(feedback, 'x');
  await userEvent.clear(feedback);
  await expect.element(feedback).toHaveAttribute('aria-invalid', 'true');
  await expect.element(feedback).toHaveAccessibleDescription('Required');
  await expect.element(resume).toBeDisabled();
  await userEvent.fill(feedback, 'Search two sources first.');
  await expect.element(feedback).not.toHaveAttribute('aria-invalid');
  await expect.element(resume).toBeDisabled(); // the tool call is still unanswered
  await expect.element(page.getByText('1 of 2 answers still need attention.')).toBeVisible();

  // Edit the tool call's arguments.
  await userEvent.click(page.getByRole('radio', { name: 'Edit arguments' }));
  await expect.element(resume).toBeDisabled(); // city is required
  await expect.element(page.getByRole('radio', { name: 'Celsius' })).toBeChecked(); // its default
  await userEvent.fill(page.getByRole('textbox', { name: 'City' }), 'Paris');
  await userEvent.click(page.getByRole('radio', { name: 'Fahrenheit' }));
  await expect.element(resume).toBeEnabled();

  await userEvent.click(resume);
  expect(resumed).toEqual([
    {
      'plan-1': { decision: 'revise', feedback: 'Search two sources first.' },
      'tool-1': { type: 'edit', args: { city: 'Paris', units: 'fahrenheit' } },
    },
  ]);
});

it('labels every input and keeps Resume disabled while busy', async () => {
  mounted = mount(InterruptsPanel, {
    target: document.body,
    props: {
      interrupts: [
        {
          id: 'a',
          value: {
            question: 'Settings?',
            schema: {
              type: 'object',
              properties: {
                topic: { type: 'string', default: 'agents' },
                depth: { type: 'integer', minimum: 1, maximum: 3, default: 2 },
                cite: { type: 'boolean' },
                sources: { type: 'array', items: { type: 'string' } },
                extra: { type: 'array', items: { type: 'object' } },
              },
            },
          },
        },
      ],
      onresume: () => {},
      busy: true,
    },
  });
  await expect.element(page.getByRole('button', { name: 'Resume' })).toBeDisabled();
  await expect.element(page.getByText('Resuming…')).toBeVisible();
  for (const input of document.querySelectorAll('input, textarea')) {
    const labelled = (input as HTMLInputElement).labels?.length || input.getAttribute('aria-label');
    expect(labelled, input.outerHTML).toBeTruthy();
  }
  await expect.element(page.getByRole('spinbutton', { name: 'Depth' })).toHaveValue(2);
  await expect.element(page.getByRole('textbox', { name: 'Sources (one per line)' })).toBeVisible();
});

it('answers an interrupt without a schema in a JSON box', async () => {
  const resumed: Record<string, unknown>[] = [];
  mounted = mount(InterruptsPanel, {
    target: document.body,
    // As the engine reports `runtime.interrupt('What temperature is it?')`.
    props: {
      interrupts: [{ id: 'ask', value: 'What temperature is it?' }],
      onresume: (answers: Record<string, unknown>) => resumed.push(answers),
    },
  });
  const resume = page.getByRole('button', { name: 'Resume' });
  await expect.element(page.getByRole('group', { name: 'What temperature is it?' })).toBeVisible();
  const box = page.getByRole('textbox', { name: 'Answer (JSON)' });
  await userEvent.fill(box, '{"celsius": ');
  await expect.element(box).toHaveAccessibleDescription(/^Not valid JSON/);
  await expect.element(resume).toBeDisabled();
  await userEvent.fill(box, '21');
  await expect.element(resume).toBeEnabled();
  await userEvent.click(resume);
  expect(resumed).toEqual([{ ask: 21 }]);
});

it('starts a form from a given value and reports every edit with its validity', async () => {
  const reports: [unknown, boolean][] = [];
  mounted = mount(InterruptForm, {
    target: document.body,
    props: {
      title: 'Which sources?',
      schema: {
        oneOf: [
          { type: 'object', title: 'Any', properties: { mode: { const: 'any' } } },
          {
            type: 'object',
            title: 'These',
            properties: {
              mode: { const: 'list' },
              max: { type: 'integer', minimum: 1 },
              urls: { type: 'array', items: { type: 'string' }, minItems: 1 },
            },
            required: ['mode', 'urls'],
          },
        ],
      },
      value: { mode: 'list', urls: ['a.example'] },
      onchange: (value: unknown, valid: boolean) => reports.push([value, valid]),
    },
  });
  await expect.element(page.getByRole('group', { name: 'Which sources?' })).toBeVisible();
  const urls = page.getByRole('textbox', { name: 'Urls (one per line)' });
  await expect.element(urls).toHaveValue('a.example');
  await userEvent.fill(urls, 'a.example\nb.example\n');
  expect(reports.at(-1)).toEqual([{ mode: 'list', urls: ['a.example', 'b.example'] }, true]);
  await expect.element(urls).toHaveValue('a.example\nb.example\n'); // the typed text stays

  const max = page.getByRole('spinbutton', { name: 'Max' });
  await userEvent.fill(max, '0');
  expect(reports.at(-1)?.[1]).toBe(false);
  await expect.element(max).toHaveAccessibleDescription('Must be at least 1');

  // Choosing another option replaces the answer; the errors of the old one go with it.
  await userEvent.click(page.getByRole('radio', { name: 'Any' }));
  expect(reports.at(-1)).toEqual([{ mode: 'any' }, true]);
});

it('says so when nothing is pending', async () => {
  mounted = mount(InterruptsPanel, {
    target: document.body,
    props: { interrupts: [], onresume: () => {} },
  });
  await expect.element(page.getByText('Nothing is waiting for an answer.')).toBeVisible();
  expect(document.querySelector('button')).toBeNull();
});

it('shows an appended message as added, and only the changes on request', async () => {
  const earlier = [
    { id: 'm1', role: 'user', content: 'What is 12 * 7?' },
    { id: 'm2', role: 'assistant', content: '', tool_calls: [{ id: 'c1' }] },
  ];
  mounted = mount(StateTree, {
    target: document.body,
    props: {
      previous: { messages: earlier, step: 1 },
      values: { messages: [...earlier, { id: 'm3', role: 'tool', content: '84' }], step: 2 },
    },
  });
  flushSync();

  await expect.element(page.getByText('1 added, 1 changed')).toBeVisible();
  const added = document.querySelectorAll('[data-kind="added"]');
  expect(added).toHaveLength(1);
  expect(added[0].textContent).toContain('+');
  expect(added[0].textContent).toContain('added'); // the spoken marker, not only a color
  expect(added[0].textContent).toContain('tool: 84');
  expect(document.querySelectorAll('[data-kind="unchanged"]').length).toBeGreaterThan(0);

  await userEvent.click(page.getByRole('checkbox', { name: 'Only changes' }));
  expect(document.querySelectorAll('[data-kind="unchanged"]')).toHaveLength(0);
  expect(document.body.textContent).not.toContain('What is 12 * 7?');
  expect(document.body.textContent).toContain('step');
});

it('cuts long strings until "show more" is pressed', async () => {
  const long = `${'word '.repeat(100)}END`;
  mounted = mount(StateTree, { target: document.body, props: { values: { text: long } } });
  const more = page.getByRole('button', { name: 'show more' });
  await expect.element(more).toHaveAttribute('aria-expanded', 'false');
  expect(document.body.textContent).not.toContain('END');
  await userEvent.click(more);
  expect(document.body.textContent).toContain('END');
  await expect.element(page.getByRole('button', { name: 'show less' })).toBeVisible();
});
