import { defineConfig, devices } from '@playwright/test';

// Debian's Chromium; never a browser downloaded by `playwright install`.
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const port = Number(process.env.PORT ?? 4173);
const baseURL = `http://localhost:${port}`;

export default defineConfig({
  testDir: 'tests/e2e',
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  workers: 2,
  reporter: 'list',
  timeout: 30_000,
  use: {
    baseURL,
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath,
      args: [
        '--no-sandbox',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
  projects: [{ name: 'chromium', use: { ...devices['Desktop Chrome'] } }],
  // Serves the production build (`vite build` runs first in `npm run test:e2e`).
  webServer: {
    command: 'node scripts/serve.js',
    port,
    env: { PORT: String(port) },
    reuseExistingServer: !process.env.CI,
    stdout: 'pipe',
    timeout: 30_000,
  },
});
