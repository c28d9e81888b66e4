// A static build: every page is prerendered; the app runs entirely in the tab.
export const prerender = true;
export const ssr = true;
