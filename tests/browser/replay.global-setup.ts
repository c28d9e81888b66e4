/**
 * Starts the e2e replay server in Node for the browser tests of the web tools (scrape
 * through its proxy, pages with and without CORS) and hands its address to them through
 * `provide` / `inject('replayUrl')`.
 */
import type { TestProject } from 'vitest/node';
import { startReplayServer, type ReplayServer } from '../e2e/replay-server';

declare module 'vitest' {
  export interface ProvidedContext {
    replayUrl: string;
  }
}

let server: ReplayServer | undefined;

export async function setup(project: TestProject): Promise<void> {
  server = await startReplayServer();
  project.provide('replayUrl', server.url);
}

export async function teardown(): Promise<void> {
  await server?.close();
}
