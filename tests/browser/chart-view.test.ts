/**
 * Charts a sandboxed program asked for, drawn by the app: the whole path from code in the
 * sandbox to SVG marks (bar, line, scatter), and the audit trail that shows a failed step.
 */
import { flushSync, mount, unmount } from 'svelte';
import { afterAll, afterEach, expect, it } from 'vitest';
import AuditTrail from '../../src/lib/ui/demo/AuditTrail.svelte';
import ChartView from '../../src/lib/ui/charts/ChartView.svelte';
import {
  CodeSandbox,
  createRunJavascriptTool,
  validateChartSpec,
} from '../../src/lib/tools/sandbox';

let mounted: Record<string, unknown> | null = null;
const sandbox = new CodeSandbox();
afterEach(() => {
  if (mounted) unmount(mounted);
  mounted = null;
});
afterAll(() => sandbox.dispose());

function draw(spec: unknown): HTMLElement {
  const target = document.createElement('div');
  document.body.append(target);
  mounted = mount(ChartView, { target, props: { spec: validateChartSpec(spec) } });
  flushSync();
  return target;
}

it('draws one bar per category, zero-based, with negative bars below the axis', () => {
  const target = draw({
    type: 'bar',
    data: [
      { k: 'a', v: 3 },
      { k: 'b', v: -1 },
      { k: 'c', v: 2 },
    ],
    x: 'k',
    y: 'v',
    title: 'Bars',
  });
  const bars = [...target.querySelectorAll<SVGRectElement>('rect.bar')];
  expect(bars).toHaveLength(3);
  const heights = bars.map((b) => Number(b.getAttribute('height')));
  expect(heights[0]).toBeGreaterThan(heights[2]);
  expect(heights[1]).toBeGreaterThan(0);
  // the negative bar starts at the zero line, where the positive ones end
  const zero = Number(bars[0].getAttribute('y')) + heights[0];
  expect(Number(bars[1].getAttribute('y'))).toBeCloseTo(zero);
  expect(target.querySelector('svg')?.getAttribute('aria-label')).toBe('bar chart: Bars');
  expect(target.querySelector('.title')?.textContent).toBe('Bars');
});

it('draws a line through numeric x in order, and points for a scatter', () => {
  const line = draw({
    type: 'line',
    data: [
      { x: 3, y: 1 },
      { x: 1, y: 2 },
      { x: 2, y: 4 },
    ],
    x: 'x',
    y: 'y',
  });
  expect(line.querySelectorAll('circle.point')).toHaveLength(3);
  const d = line.querySelector('path.line')?.getAttribute('d') ?? '';
  expect(d.match(/[ML]/g)).toEqual(['M', 'L', 'L']);
  unmount(mounted!);
  const scatter = draw({ type: 'scatter', data: [{ x: 1, y: 1 }], x: 'x', y: 'y' });
  expect(scatter.querySelector('path.line')).toBeNull();
  expect(scatter.querySelectorAll('circle.point')).toHaveLength(1);
});

it('the audit trail shows the code, output, error and chart of each sandbox step', async () => {
  const tool = createRunJavascriptTool({ sandbox, files: { 'd.csv': 'g,v\na,1\nb,3\n' } });
  const good = await tool.run({
    code: "const t = loadCSV('d.csv'); print(t.numRows()); chart({type: 'bar', data: t, x: 'g', y: 'v'}); t.numRows()",
  });
  const bad = await tool.run({ code: 's.242 + 2.3' });
  const call = (id: string, code: string) => ({
    id,
    type: 'function',
    function: { name: 'run_javascript', arguments: JSON.stringify({ code }) },
  });
  const messages = [
    { role: 'user', content: 'go' },
    { role: 'assistant', content: '', reasoning: 'Load it.', tool_calls: [call('c1', 'x')] },
    { role: 'tool', tool_call_id: 'c1', name: 'run_javascript', content: good },
    { role: 'assistant', content: '', tool_calls: [call('c2', 's.242 + 2.3')] },
    { role: 'tool', tool_call_id: 'c2', name: 'run_javascript', content: bad },
  ];
  const target = document.createElement('div');
  document.body.append(target);
  mounted = mount(AuditTrail, { target, props: { messages } });
  flushSync();
  const steps = target.querySelectorAll('li.step');
  expect(steps).toHaveLength(2);
  expect(steps[0].textContent).toContain('Thought Load it.');
  expect(steps[0].querySelector('pre.stdout')?.textContent).toBe('2\n');
  expect(steps[0].querySelectorAll('rect.bar')).toHaveLength(2);
  expect(steps[1].querySelector('pre.code')?.textContent).toBe('s.242 + 2.3');
  expect(steps[1].querySelector('pre.error')?.textContent).toBe('SyntaxError: Unexpected number');
  expect(steps[1].querySelector('figure')).toBeNull();
});
