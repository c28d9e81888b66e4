/**
 * Tools agents can call. The four core tools match the ones the micro model was trained
 * with (tools.py) in name, parameters and observation text; the distractors are listed
 * so prompts look like training prompts, and answer that they are not available.
 */
import { createCalculatorTool } from './calculator.js';
import { createCorpusSearchTool, type Passage } from './corpus-search.js';
import { DISTRACTOR_SPECS } from './specs.js';
import type { Tool, ToolSpec } from './types.js';
import { createUnitConversionTool } from './units.js';
import { createWeatherTool, type WeatherToolOptions } from './weather.js';

export type { Tool, ToolContext, ToolSpec } from './types.js';
export { argumentsObject } from './types.js';
export {
  CALCULATOR_SPEC,
  CONVERT_UNITS_SPEC,
  DISTRACTOR_SPECS,
  SEARCH_SPEC,
  TEMPERATURE_SPEC,
} from './specs.js';
export {
  calculate,
  CalculatorError,
  createCalculatorTool,
  evaluateExpression,
} from './calculator.js';
export {
  celsiusToFahrenheit,
  crc32,
  createWeatherTool,
  offlineTemperatureCelsius,
  type TemperatureUnit,
  type WeatherToolOptions,
} from './weather.js';
export { convertUnits, createUnitConversionTool, UNIT_FACTORS } from './units.js';
export {
  Bm25Index,
  createCorpusSearchTool,
  parsePassagesJsonl,
  searchResponse,
  type CorpusSearchToolOptions,
  type Passage,
} from './corpus-search.js';
export {
  createWebSearchTool,
  DEFAULT_BM25_WEIGHT,
  parseWikipediaSearch,
  searchCorpus,
  WIKIPEDIA_API_URL,
  wikipediaSearchUrl,
  type Reranker,
  type SearchHit,
  type WebSearchToolOptions,
} from './web-search.js';
export {
  createScrapeTool,
  extractReadableText,
  parseWebAddress,
  SCRAPE_SPEC,
  scrapePage,
  type ReadablePage,
  type ScrapeToolOptions,
} from './scrape.js';
export {
  createSemanticFilterTool,
  semanticFilter,
  SEMANTIC_FILTER_SPEC,
  type ScoredPassage,
  type SemanticFilterOptions,
  type SemanticFilterToolOptions,
} from './semantic-filter.js';
export {
  checkFolderName,
  CREATE_OUTLINE_SPEC,
  createDocumentTools,
  DocumentError,
  DOCUMENTS_FOLDER,
  DocumentStore,
  documentToolSpecs,
  EDIT_DOCUMENT_SPEC,
  formatOutline,
  normalizeDocumentName,
  numberLines,
  READ_DOCUMENT_SPEC,
  replaceLines,
  replaceString,
  splitDocumentPath,
  splitLines,
  WRITE_DOCUMENT_SPEC,
  type DocumentErrorKind,
  type DocumentInfo,
  type DocumentLimits,
  type DocumentToolsOptions,
} from './documents.js';
export { fmtNum, formatFixed, pythonJsonDumps, pythonRound } from './python-format.js';

export const UNAVAILABLE_OFFLINE = 'This tool is not available offline.';

/** A tool that is listed but does nothing (the distractors of the training prompts). */
export function createUnavailableTool(spec: ToolSpec): Tool {
  return { spec, run: async () => UNAVAILABLE_OFFLINE };
}

export interface BuiltinToolsOptions {
  /** The knowledge corpus for `search` (`static-models/corpus/passages.jsonl`, parsed). */
  passages: readonly Passage[];
  /** `offline` (default): deterministic temperatures. `online`: Open-Meteo. */
  weatherMode?: WeatherToolOptions['mode'];
  /** Further weather options (a stub fetch, a local server's URLs, the offline seed). */
  weather?: Omit<WeatherToolOptions, 'mode'>;
  /** Also return the distractor tools (default false). */
  includeDistractors?: boolean;
}

/** calculator, get_current_temperature, convert_units, search (and the distractors if asked). */
export function builtinTools(options: BuiltinToolsOptions): Tool[] {
  const core = [
    createCalculatorTool(),
    createWeatherTool({ ...options.weather, mode: options.weatherMode ?? 'offline' }),
    createUnitConversionTool(),
    createCorpusSearchTool({ passages: options.passages }),
  ];
  return options.includeDistractors ? [...core, ...distractorTools()] : core;
}

/** get_time, send_email, translate, get_stock_price, create_reminder: all unavailable. */
export function distractorTools(): Tool[] {
  return DISTRACTOR_SPECS.map(createUnavailableTool);
}
