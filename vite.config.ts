import { sveltekit } from '@sveltejs/kit/vite';
import { playwright } from '@vitest/browser-playwright';
import { defineConfig } from 'vitest/config';
import { staticDirs } from './vite/static-dirs.js';

// Debian's Chromium; never a browser downloaded by a test tool.
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const chromiumArgs = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

// Multi-threaded WASM needs cross-origin isolation; `credentialless` keeps
// cross-origin fetches (model downloads) working without CORP headers.
const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'credentialless',
};

export default defineConfig({
  plugins: [
    sveltekit(),
    staticDirs([
      // Micro models (and their recipes' outputs) served by the app itself, for offline use.
      // Not at /models/: that is the model manager page.
      {
        urlPrefix: '/static-models/',
        dir: 'static-models',
        include: (path) => !path.startsWith('recipes/') && !path.endsWith('.py'),
      },
      // The ONNX Runtime WASM files Transformers.js loads (`env.backends.onnx.wasm.wasmPaths`).
      {
        urlPrefix: '/ort/',
        dir: 'node_modules/onnxruntime-web/dist',
        include: (path) => /^ort-wasm-simd-threaded\.asyncify\.(mjs|wasm)$/.test(path),
      },
    ]),
  ],
  // Pre-bundle the model libraries up front: discovered mid-run (inside a worker, or on
  // first use), Vite re-optimizes and reloads the page, failing the import in flight.
  optimizeDeps: {
    include: ['@huggingface/transformers', '@mlc-ai/web-xgrammar', '@mlc-ai/web-llm', 'idb'],
  },
  server: { headers: isolationHeaders },
  preview: { headers: isolationHeaders },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        extends: true,
        test: {
          name: 'browser',
          include: ['tests/browser/**/*.test.ts'],
          // Run in Node: the loopback hub the download tests fetch from (`inject('hubUrl')`) and
          // the replay server of the web-tool tests (`inject('replayUrl')`).
          globalSetup: [
            'tests/browser/downloads.global-setup.ts',
            'tests/browser/replay.global-setup.ts',
          ],
          browser: {
            enabled: true,
            headless: true,
            provider: playwright({
              launchOptions: { executablePath: chromiumPath, args: chromiumArgs },
            }),
            instances: [{ browser: 'chromium' }],
          },
        },
      },
    ],
  },
});
