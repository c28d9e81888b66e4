/**
 * The demo modules' own source text, for the demo page's Code view (bundled as separate
 * chunks, fetched only when a page shows them).
 */
const modules = import.meta.glob('./*.ts', { query: '?raw', import: 'default' }) as Record<
  string,
  () => Promise<string>
>;

export async function demoSource(file: string): Promise<string | undefined> {
  const load = modules[`./${file}`];
  return load ? load() : undefined;
}
