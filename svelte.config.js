import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
  preprocess: vitePreprocess(),
  kit: {
    // A static build: the whole app runs in the tab, no server code at all.
    adapter: adapter({ pages: 'build', assets: 'build', fallback: '200.html', strict: true }),
    files: { assets: 'public' },
  },
};

export default config;
