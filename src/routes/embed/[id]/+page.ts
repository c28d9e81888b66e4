import { error } from '@sveltejs/kit';
import { GRAPH_DEMOS, graphDemo } from '$lib/demos/catalog';
import type { EntryGenerator, PageLoad } from './$types';

// One prerendered embed page per graph demo, like /demos/[id]; the layout drops the site chrome.
export const entries: EntryGenerator = () => GRAPH_DEMOS.map((entry) => ({ id: entry.id }));

export const load: PageLoad = ({ params }) => {
  if (!graphDemo(params.id)) error(404, `There is no demo '${params.id}'.`);
  return { id: params.id };
};
