import { error } from '@sveltejs/kit';
import { GRAPH_DEMOS, graphDemo } from '$lib/demos/catalog';
import type { EntryGenerator, PageLoad } from './$types';

// Every demo page is prerendered (the build is static); the page itself runs in the tab.
export const entries: EntryGenerator = () => GRAPH_DEMOS.map((entry) => ({ id: entry.id }));

export const load: PageLoad = ({ params }) => {
  if (!graphDemo(params.id)) error(404, `There is no demo '${params.id}'.`);
  return { id: params.id };
};
