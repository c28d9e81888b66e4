/**
 * GraphView in Chromium, drawing a real engine graph (a conditional edge, a subgraph):
 * accessible nodes, edge labels, live marks, selection by mouse and keyboard, and subgraphs
 * that open and close.
 */
import { afterEach, expect, it } from 'vitest';
import { userEvent } from 'vitest/browser';
import { flushSync, mount, unmount } from 'svelte';
import { Annotation, END, START, StateGraph } from '../../src/lib/graph';
import GraphView from '../../src/lib/ui/graph/GraphView.svelte';

const State = Annotation.Root({ topic: Annotation<string>(), notes: Annotation<string>() });

const research = new StateGraph(State)
  .addNode('search', () => ({ notes: 'found' }))
  .addNode('summarize', () => ({}))
  .addEdge(START, 'search')
  .addEdge('search', 'summarize')
  .addEdge('summarize', END)
  .compile();

const app = new StateGraph(State)
  .addNode('agent', () => ({}))
  .addNode('research', research)
  .addNode('answer', () => ({}))
  .addEdge(START, 'agent')
  .addConditionalEdges('agent', () => 'dig', { dig: 'research', reply: 'answer' })
  .addEdge('research', 'agent')
  .addEdge('answer', END)
  .compile();

let view: Record<string, unknown> | undefined;
let target: HTMLElement | undefined;
afterEach(() => {
  if (view) unmount(view);
  target?.remove();
  view = target = undefined;
});

function show(props: Record<string, unknown>) {
  target = document.createElement('div');
  document.body.append(target);
  view = mount(GraphView, {
    target,
    props: { graph: app.getGraph({ xray: true }), ...props } as never,
  });
  flushSync();
  return target;
}

const nodeNamed = (root: HTMLElement, name: string) =>
  [...root.querySelectorAll<SVGGElement>('[data-node]')].find((el) =>
    el.getAttribute('aria-label')?.startsWith(name),
  );

it('names every node, labels conditional edges and marks the active node', () => {
  const root = show({
    active: ['research:search'],
    visited: ['agent', 'agent', 'research:search'],
    interrupted: [],
    breakpoints: { before: ['answer'], after: [] },
  });
  const labels = [...root.querySelectorAll('[data-node]')].map((el) =>
    el.getAttribute('aria-label'),
  );
  expect(labels).toEqual(
    expect.arrayContaining([
      'Start',
      'End',
      'Node agent, ran 2 times',
      'Subgraph research, ran inside, active',
      'Node search, in research, ran 1 time, active',
      'Node summarize, in research',
      'Node answer, breakpoint before',
      // The subgraph's own START and END are drawn inside its box.
      'Start of research',
      'End of research',
    ]),
  );
  expect(labels).toHaveLength(9);

  const active = root.querySelector('[data-node="research:search"]')!;
  expect(active.getAttribute('data-active')).toBe('true');
  expect(active.classList.contains('active')).toBe(true);
  expect(nodeNamed(root, 'Node agent')!.classList.contains('active')).toBe(false);
  expect(root.querySelector('[data-node="answer"] .breakpoint')).not.toBeNull();
  expect(root.querySelector('[aria-live]')!.textContent).toBe('Running: research / search');

  const edgeLabels = [...root.querySelectorAll('.edge-label text')].map((t) => t.textContent);
  expect(edgeLabels.sort()).toEqual(['dig', 'reply']);
  const dig = root.querySelector('[data-edge*="=dig"]')!;
  expect(dig.classList.contains('conditional')).toBe(true);
  // The path taken so far: START → agent → research's START → search.
  expect(dig.classList.contains('taken')).toBe(true);
  expect(root.querySelector('[data-edge^="agent→answer"]')!.classList.contains('taken')).toBe(
    false,
  );
  expect(getComputedStyle(dig.querySelector('path')!).strokeDasharray).not.toBe('none');
});

it('selects a node by click and by keyboard, and shows its last input and output', async () => {
  const chosen: string[] = [];
  const toggled: string[] = [];
  const root = show({
    onselect: (node: string) => chosen.push(node),
    ontogglebreakpoint: (node: string, when: string) => toggled.push(`${when} ${node}`),
    breakpoints: { before: [], after: ['agent'] },
    selected: 'agent',
    details: { input: { topic: 'kv caches' }, output: { notes: 'done', count: 2n } },
  });
  nodeNamed(root, 'Node answer')!.dispatchEvent(new MouseEvent('click', { bubbles: true }));
  expect(chosen).toEqual(['answer']);

  const search = nodeNamed(root, 'Node search')! as unknown as HTMLElement;
  search.focus();
  expect(document.activeElement).toBe(search);
  await userEvent.keyboard('{Enter}');
  await userEvent.keyboard(' ');
  expect(chosen).toEqual(['answer', 'research:search', 'research:search']);

  expect(nodeNamed(root, 'Node agent')!.getAttribute('aria-pressed')).toBe('true');
  const details = root.querySelector('.details')!;
  expect(details.querySelector('h3')!.textContent).toBe('agent');
  expect(JSON.parse(root.querySelector('[data-testid="last-input"]')!.textContent!)).toEqual({
    topic: 'kv caches',
  });
  expect(JSON.parse(root.querySelector('[data-testid="last-output"]')!.textContent!)).toEqual({
    notes: 'done',
    count: '2n',
  });

  const [before, after] = [...details.querySelectorAll<HTMLInputElement>('input[type=checkbox]')];
  expect([before.checked, after.checked]).toEqual([false, true]);
  before.click();
  expect(toggled).toEqual(['before agent']);
});

it('reaches every node with Tab, a subgraph followed at once by what it holds', async () => {
  const root = show({});
  const fit = [...root.querySelectorAll('button')].find((b) => b.textContent === 'Fit')!;
  fit.focus();
  const order: string[] = [];
  for (;;) {
    await userEvent.tab();
    if (!root.querySelector('svg')!.contains(document.activeElement)) break;
    order.push(document.activeElement!.getAttribute('aria-label')!);
  }
  expect([...order].sort()).toEqual(
    [
      'Node agent',
      'Node answer',
      'Subgraph research',
      'Nodes inside research',
      'Node search, in research',
      'Node summarize, in research',
    ].sort(),
  );
  const header = order.indexOf('Subgraph research');
  expect(order.slice(header, header + 4)).toEqual([
    'Subgraph research',
    'Nodes inside research',
    'Node search, in research',
    'Node summarize, in research',
  ]);
});

it('collapses and expands a subgraph with its toggle', async () => {
  const root = show({});
  const toggle = () => root.querySelector<SVGGElement>('[data-toggle="research"]')!;
  expect(toggle().getAttribute('aria-expanded')).toBe('true');
  expect(nodeNamed(root, 'Node search')).toBeDefined();

  toggle().dispatchEvent(new MouseEvent('click', { bubbles: true }));
  flushSync();
  expect(toggle().getAttribute('aria-expanded')).toBe('false');
  expect(nodeNamed(root, 'Node search')).toBeUndefined();
  expect(root.querySelector('[data-node^="research:"]')).toBeNull();
  expect(root.querySelector('[data-cluster="research"]')).toBeNull();
  expect(nodeNamed(root, 'Subgraph research')).toBeDefined();

  (toggle() as unknown as HTMLElement).focus();
  await userEvent.keyboard('{Enter}');
  flushSync();
  expect(toggle().getAttribute('aria-expanded')).toBe('true');
  expect(nodeNamed(root, 'Node search')).toBeDefined();
  expect(root.querySelector('[data-cluster="research"]')).not.toBeNull();
});

it('fits the drawing into a phone-sized view', async () => {
  const root = show({ expanded: [] });
  root.style.width = '360px';
  flushSync();
  (root.querySelector('.toolbar button:last-child') as HTMLButtonElement).click();
  flushSync();
  const svg = root.querySelector('svg.canvas')!;
  const drawing = svg.querySelector(':scope > g')!.getBoundingClientRect();
  const frame = svg.getBoundingClientRect();
  expect(drawing.left).toBeGreaterThanOrEqual(frame.left - 1);
  expect(drawing.right).toBeLessThanOrEqual(frame.right + 1);
  expect(drawing.top).toBeGreaterThanOrEqual(frame.top - 1);
  expect(drawing.bottom).toBeLessThanOrEqual(frame.bottom + 1);
});
