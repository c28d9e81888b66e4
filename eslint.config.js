import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import ts from 'typescript-eslint';
import svelteConfig from './svelte.config.js';

export default ts.config(
  { ignores: ['build/', '.svelte-kit/', 'node_modules/', 'static-models/', 'test-results/'] },
  js.configs.recommended,
  ...ts.configs.recommended,
  ...svelte.configs.recommended,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      // Code from models or files is never evaluated; keep it impossible by construction.
      'no-eval': 'error',
      'no-implied-eval': 'error',
      'no-new-func': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: {
      parserOptions: {
        projectService: true,
        extraFileExtensions: ['.svelte'],
        parser: ts.parser,
        svelteConfig,
      },
    },
  },
  {
    // The code sandbox's runtime: text loaded with `?raw` that runs only inside the sandboxed
    // iframe and its worker (an opaque origin without network), never in the app's realm.
    // Evaluating the agent's code there is its job.
    // They are typed for neither realm (`@ts-nocheck`); `aq` is arquero's UMD global there.
    files: ['src/lib/tools/sandbox/runtime/**'],
    languageOptions: { globals: { ...globals.worker, aq: 'readonly' } },
    rules: {
      'no-eval': 'off',
      'no-new-func': 'off',
      '@typescript-eslint/ban-ts-comment': ['error', { 'ts-nocheck': false }],
    },
  },
  {
    // The graph engine, the savers and the search algorithms must stay free of UI and model code.
    files: ['src/lib/graph/**', 'src/lib/checkpoint/**', 'src/lib/search/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            'svelte',
            'svelte/*',
            '$app/*',
            '**/ui/*',
            '**/llm/*',
            '**/demos/*',
            '**/agents/*',
          ],
        },
      ],
    },
  },
);
