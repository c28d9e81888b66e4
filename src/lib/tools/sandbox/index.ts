/**
 * The code sandbox (`code-sandbox.ts`, browser only), its tool `run_javascript`, the chart
 * spec the host validates and draws, and the bundled CSV files. Importing this module does
 * not touch the DOM; the sandbox is created on first run.
 */
export {
  CHART_TYPES,
  ChartSpecError,
  MAX_CHART_POINTS,
  validateChartSpec,
  type ChartRow,
  type ChartSpec,
  type ChartType,
} from './chart-spec.js';
export {
  CodeSandbox,
  DEFAULT_LIMITS,
  sharedSandbox,
  type SandboxErrorKind,
  type SandboxLimits,
  type SandboxOutcome,
  type SandboxRunOptions,
} from './code-sandbox.js';
export {
  RUN_JAVASCRIPT,
  createRunJavascriptTool,
  observationOf,
  parseObservation,
  runJavascriptSpec,
  sandboxSteps,
  type RunJavascriptObservation,
  type RunJavascriptToolOptions,
  type SandboxStep,
} from './run-javascript.js';
export { BUNDLED_CSV_FILES, CAFE_SALES, csvPreview } from './datasets.js';
