import type { Pathname } from '$app/types';
import { demoCards } from './catalog';

/** One demo shown on the landing page. */
export type DemoInfo = {
  /** URL slug: the demo lives at `/demos/<id>`. */
  id: string;
  title: string;
  summary: string;
  /** Book chapter the demo belongs to (0 = introduction). */
  chapter: number;
  /** Book example identifiers the demo reproduces. */
  bookExamples: string[];
  /** Models the demo loads in the browser; empty when it needs none. */
  models: string[];
};

export const demos: DemoInfo[] = [
  {
    id: 'durable-counter',
    title: 'Durable run: survives a closed tab',
    summary:
      'A small graph that counts in steps and checkpoints every step to IndexedDB, so a run resumes where it stopped after the tab is closed and reopened.',
    chapter: 0,
    bookExamples: [],
    models: [],
  },
  ...demoCards().map((demo) => ({
    id: demo.id,
    title: demo.title,
    summary: demo.summary,
    chapter: demo.chapter,
    bookExamples: demo.bookExamples,
    models: [...new Set(demo.roles.map((role) => role.defaultModel))],
  })),
];

/**
 * Path of a demo's page, without the app's base path (pass it to `resolve`).
 * Graph demos share `src/routes/demos/[id]`; the durable counter has its own page.
 */
export function demoPath(demo: DemoInfo): Pathname {
  return `/demos/${demo.id}` as Pathname;
}
