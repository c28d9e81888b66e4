/**
 * The models the app offers, curated: the micro models it ships (always available, no
 * download), small WebLLM builds for WebGPU, and Transformers.js ONNX repositories for
 * decoders and ModernBERT-family encoders. Repository ids and ONNX file sizes were checked
 * against the hub listings, WebLLM model ids and memory needs against WebLLM's prebuilt
 * config (0.2.86). WebLLM download sizes are estimates (`downloadEstimated`): the model
 * manager reads the real size from the model's shard list when it downloads.
 */
import type { DeviceReport } from './device.js';
import type { EngineName } from './types.js';

export type ModelTask = 'chat' | 'embedding' | 'rerank' | 'fill-mask';

/** What an encoder (`src/lib/encoders`) can be asked to do. */
export type EncoderTask = Exclude<ModelTask, 'chat'>;

/**
 * How an encoder model is used: the facts that differ per model live here, so the
 * encoder code has no per-model branches. Checked against each model's card.
 */
export interface EncoderFacts {
  /** Everything `Encoder` can do with this model (`task` above is the one it is known for). */
  tasks: readonly EncoderTask[];
  /**
   * How token states become one sentence vector (then L2-normalized): `mean` over the
   * attention mask, or the first (`[CLS]`) token's state. Present when `tasks` has `embedding`.
   */
  pooling?: 'mean' | 'cls';
  /**
   * How `rerank` scores a (query, document) pair: `cross-encoder` reads both in one pass
   * and maps its single relevance logit through a sigmoid; `bi-encoder` embeds them apart
   * and maps the cosine from [-1, 1] to [0, 1]. Present when `tasks` has `rerank`.
   */
  rerank?: 'cross-encoder' | 'bi-encoder';
}

export interface CatalogEntry {
  /** Our id, stable across engines' naming changes. */
  id: string;
  title: string;
  engine: EngineName;
  task: ModelTask;
  /** Parameters, for people (e.g. '360M'). */
  parameters: string;
  /** Approximate download, bytes (the variant chosen for this device may differ a little). */
  downloadBytes: number;
  /** `downloadBytes` is an estimate, not a listed file size. */
  downloadEstimated?: boolean;
  /** Approximate memory needed while running, bytes. */
  memoryBytes: number;
  /** Shipped with the app: no download, works offline. */
  bundled?: boolean;
  /** Tool calls: native in the engine, or through the `<tool_call>` prompt convention. */
  toolCalls?: 'native' | 'prompt';
  /** Has a thinking mode (`<think>`), switchable with `enable_thinking`. */
  thinking?: boolean;
  /** WebLLM: model ids per weight format; `q4f32` serves adapters without `shader-f16`. */
  webllm?: { q4f16: string; q4f32: string };
  /** Transformers.js: repository (or local folder) and dtype per device. */
  transformers?: { repo: string; dtype: { webgpu: string; wasm: string } };
  /** Encoders only: pooling, rerank mode and the tasks they serve. */
  encoder?: EncoderFacts;
  notes?: string;
}

const MB = 1_000_000;

export const CATALOG: readonly CatalogEntry[] = [
  {
    id: 'micro-agent',
    title: 'Micro agent (bundled)',
    engine: 'transformers',
    task: 'chat',
    parameters: '~3M',
    downloadBytes: 0,
    memoryBytes: 64 * MB,
    bundled: true,
    toolCalls: 'prompt',
    thinking: true,
    transformers: { repo: 'micro-agent', dtype: { webgpu: 'fp32', wasm: 'fp32' } },
    notes: 'Trained here on synthetic tool-use conversations; simple words, valid calls.',
  },
  {
    id: 'micro-encoder',
    title: 'Micro encoder (bundled)',
    engine: 'transformers',
    task: 'embedding',
    parameters: '~1M',
    downloadBytes: 0,
    memoryBytes: 16 * MB,
    bundled: true,
    transformers: { repo: 'micro-encoder', dtype: { webgpu: 'fp32', wasm: 'fp32' } },
    encoder: { tasks: ['embedding', 'rerank', 'fill-mask'], pooling: 'mean', rerank: 'bi-encoder' },
    notes:
      'A ModernBERT-architecture encoder trained here on the bundled corpus: sentence embeddings for search and fill-mask.',
  },
  {
    id: 'smollm2-360m',
    title: 'SmolLM2 360M Instruct',
    engine: 'webllm',
    task: 'chat',
    parameters: '360M',
    downloadBytes: 270 * MB,
    downloadEstimated: true,
    memoryBytes: 376 * MB,
    toolCalls: 'prompt',
    webllm: {
      q4f16: 'SmolLM2-360M-Instruct-q4f16_1-MLC',
      q4f32: 'SmolLM2-360M-Instruct-q4f32_1-MLC',
    },
  },
  {
    id: 'qwen2.5-0.5b',
    title: 'Qwen2.5 0.5B Instruct',
    engine: 'webllm',
    task: 'chat',
    parameters: '0.5B',
    downloadBytes: 280 * MB,
    downloadEstimated: true,
    memoryBytes: 945 * MB,
    toolCalls: 'prompt',
    webllm: {
      q4f16: 'Qwen2.5-0.5B-Instruct-q4f16_1-MLC',
      q4f32: 'Qwen2.5-0.5B-Instruct-q4f32_1-MLC',
    },
  },
  {
    id: 'qwen3-0.6b',
    title: 'Qwen3 0.6B',
    engine: 'webllm',
    task: 'chat',
    parameters: '0.6B',
    downloadBytes: 340 * MB,
    downloadEstimated: true,
    memoryBytes: 1403 * MB,
    toolCalls: 'prompt',
    thinking: true,
    webllm: { q4f16: 'Qwen3-0.6B-q4f16_1-MLC', q4f32: 'Qwen3-0.6B-q4f32_1-MLC' },
  },
  {
    id: 'qwen3-1.7b',
    title: 'Qwen3 1.7B',
    engine: 'webllm',
    task: 'chat',
    parameters: '1.7B',
    downloadBytes: 950 * MB,
    downloadEstimated: true,
    memoryBytes: 2037 * MB,
    toolCalls: 'prompt',
    thinking: true,
    webllm: { q4f16: 'Qwen3-1.7B-q4f16_1-MLC', q4f32: 'Qwen3-1.7B-q4f32_1-MLC' },
  },
  {
    id: 'llama-3.2-1b',
    title: 'Llama 3.2 1B Instruct',
    engine: 'webllm',
    task: 'chat',
    parameters: '1.2B',
    downloadBytes: 700 * MB,
    downloadEstimated: true,
    memoryBytes: 879 * MB,
    toolCalls: 'prompt',
    webllm: {
      q4f16: 'Llama-3.2-1B-Instruct-q4f16_1-MLC',
      q4f32: 'Llama-3.2-1B-Instruct-q4f32_1-MLC',
    },
  },
  {
    id: 'hermes-3-8b',
    title: 'Hermes 3 Llama 3.1 8B (native tool calls)',
    engine: 'webllm',
    task: 'chat',
    parameters: '8B',
    downloadBytes: 4500 * MB,
    downloadEstimated: true,
    memoryBytes: 4876 * MB,
    toolCalls: 'native',
    webllm: {
      q4f16: 'Hermes-3-Llama-3.1-8B-q4f16_1-MLC',
      q4f32: 'Hermes-3-Llama-3.1-8B-q4f32_1-MLC',
    },
    notes: 'Needs a GPU with about 5 GB free.',
  },
  {
    id: 'qwen3-0.6b-onnx',
    title: 'Qwen3 0.6B (ONNX)',
    engine: 'transformers',
    task: 'chat',
    parameters: '0.6B',
    downloadBytes: 570 * MB,
    memoryBytes: 1200 * MB,
    toolCalls: 'prompt',
    thinking: true,
    transformers: {
      repo: 'onnx-community/Qwen3-0.6B-ONNX',
      dtype: { webgpu: 'q4f16', wasm: 'q4' },
    },
  },
  {
    id: 'smollm2-360m-onnx',
    title: 'SmolLM2 360M Instruct (ONNX)',
    engine: 'transformers',
    task: 'chat',
    parameters: '360M',
    downloadBytes: 299 * MB,
    memoryBytes: 700 * MB,
    toolCalls: 'prompt',
    transformers: {
      repo: 'HuggingFaceTB/SmolLM2-360M-Instruct',
      dtype: { webgpu: 'q4f16', wasm: 'q4' },
    },
  },
  {
    id: 'gte-modernbert-base',
    title: 'GTE ModernBERT base (embeddings)',
    engine: 'transformers',
    task: 'embedding',
    parameters: '149M',
    downloadBytes: 150 * MB,
    memoryBytes: 400 * MB,
    transformers: {
      repo: 'Alibaba-NLP/gte-modernbert-base',
      dtype: { webgpu: 'fp16', wasm: 'q8' },
    },
    // The model card's Transformers.js example pools the [CLS] state and normalizes.
    encoder: { tasks: ['embedding', 'rerank'], pooling: 'cls', rerank: 'bi-encoder' },
  },
  {
    id: 'gte-reranker-modernbert-base',
    title: 'GTE ModernBERT reranker',
    engine: 'transformers',
    task: 'rerank',
    parameters: '149M',
    downloadBytes: 151 * MB,
    memoryBytes: 400 * MB,
    transformers: {
      repo: 'Alibaba-NLP/gte-reranker-modernbert-base',
      dtype: { webgpu: 'fp16', wasm: 'q8' },
    },
    // One relevance logit per pair; sentence-transformers' CrossEncoder applies a sigmoid.
    encoder: { tasks: ['rerank'], rerank: 'cross-encoder' },
  },
  {
    id: 'modernbert-base',
    title: 'ModernBERT base (fill-mask)',
    engine: 'transformers',
    task: 'fill-mask',
    parameters: '149M',
    downloadBytes: 151 * MB,
    memoryBytes: 400 * MB,
    transformers: { repo: 'answerdotai/ModernBERT-base', dtype: { webgpu: 'fp16', wasm: 'q8' } },
    encoder: { tasks: ['fill-mask'] },
  },
];

export function catalogEntry(id: string): CatalogEntry | undefined {
  return CATALOG.find((entry) => entry.id === id);
}

/** The WebLLM model id for this device: `q4f32` builds when the adapter lacks `shader-f16`. */
export function webllmModelId(
  entry: CatalogEntry,
  device: Pick<DeviceReport, 'webgpu'>,
): string | undefined {
  if (!entry.webllm) return undefined;
  return device.webgpu.shaderF16 ? entry.webllm.q4f16 : entry.webllm.q4f32;
}

/** Where a Transformers.js model should run here, and which file variant to load. */
export function transformersPlacement(
  entry: CatalogEntry,
  device: Pick<DeviceReport, 'webgpu'>,
): { device: 'webgpu' | 'wasm'; dtype: string } | undefined {
  if (!entry.transformers) return undefined;
  // fp16 variants need shader-f16 on WebGPU; without it run the WASM build instead.
  const gpuDtype = entry.transformers.dtype.webgpu;
  const needsF16 = /f16/.test(gpuDtype);
  // The bundled micro model stays on WASM: at 3 M parameters GPU dispatch costs more than it saves.
  if (device.webgpu.available && (!needsF16 || device.webgpu.shaderF16) && !entry.bundled) {
    return { device: 'webgpu', dtype: gpuDtype };
  }
  return { device: 'wasm', dtype: entry.transformers.dtype.wasm };
}
