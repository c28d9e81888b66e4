/**
 * The contract of an encoder: sentence embeddings, relevance scores for reranking, and
 * masked-token predictions, over one loaded model. Pure types and error classes: this
 * module runs unchanged in Node, a Worker and the page.
 */
import type { EncoderTask } from '../llm/catalog.js';
import type { Device, Dtype } from '../llm/types.js';

export type { EncoderTask };

export interface EncodeOptions {
  /** Checked between batches: an aborted run throws `EncodingAbortedError`. */
  signal?: AbortSignal;
}

export interface FillMaskOptions extends EncodeOptions {
  /** How many candidate tokens to return, best first (default 5). */
  topK?: number;
}

/** One candidate for the masked position. */
export interface FillMaskPrediction {
  /** The token as text (sub-word pieces may carry a leading space). */
  token: string;
  tokenId: number;
  /** Probability of this token at the mask, softmax over the whole vocabulary. */
  score: number;
  /** The input with the mask replaced by this token. */
  sequence: string;
}

export interface EncoderInfo {
  /** Catalog id (`micro-encoder`, `gte-modernbert-base`…). */
  model: string;
  /** Where the files come from: a hub repository or a local folder name. */
  repo: string;
  device: Device;
  dtype: Dtype;
  tasks: readonly EncoderTask[];
  /** How token states become a sentence vector; absent for models that cannot embed. */
  pooling?: 'mean' | 'cls';
  /** How `rerank` scores; absent for models that cannot rerank. */
  rerank?: 'cross-encoder' | 'bi-encoder';
  /** Length of an embedding (the model's hidden size). */
  dimensions: number;
  /** Inputs longer than this many tokens are truncated. */
  maxTokens: number;
}

export interface Encoder {
  readonly info: EncoderInfo;
  /** One L2-normalized vector per text, in input order. */
  embed(texts: readonly string[], options?: EncodeOptions): Promise<Float32Array[]>;
  /** Relevance of each document to the query, in [0, 1], in the documents' order. */
  rerank(query: string, documents: readonly string[], options?: EncodeOptions): Promise<number[]>;
  /** The `topK` likeliest tokens for the one mask token in `text`, best first. */
  fillMask(text: string, options?: FillMaskOptions): Promise<FillMaskPrediction[]>;
  /** Frees the ONNX sessions. The encoder is unusable afterwards. */
  dispose(): Promise<void>;
}

// ---------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------

/** The model id names no encoder in the catalog. */
export class UnknownEncoderError extends Error {
  readonly model: string;
  readonly known: readonly string[];
  constructor(model: string, known: readonly string[]) {
    super(
      `No encoder "${model}" in the model catalog. Known encoders: ${known.join(', ')} (or their repositories).`,
    );
    this.name = 'UnknownEncoderError';
    this.model = model;
    this.known = known;
  }
}

/** The loaded model cannot do this task (e.g. embeddings from a cross-encoder reranker). */
export class EncoderTaskError extends Error {
  readonly model: string;
  readonly task: EncoderTask;
  constructor(model: string, task: EncoderTask, supported: readonly EncoderTask[]) {
    super(
      `${model} cannot do ${task}; it supports ${supported.length ? supported.join(', ') : 'nothing'}.`,
    );
    this.name = 'EncoderTaskError';
    this.model = model;
    this.task = task;
  }
}

export type EncoderInputErrorKind =
  /** `embed([])`, `rerank(q, [])`, a hybrid index over no passages. */
  | 'empty_list'
  | 'not_a_string'
  /** `fillMask` text without the tokenizer's mask token (or with it cut off by truncation). */
  | 'no_mask'
  /** `fillMask` text with more than one mask token. */
  | 'several_masks'
  | 'invalid_option';

/** The caller passed something the encoder cannot work on. */
export class EncoderInputError extends Error {
  readonly kind: EncoderInputErrorKind;
  constructor(kind: EncoderInputErrorKind, message: string) {
    super(message);
    this.name = 'EncoderInputError';
    this.kind = kind;
  }
}

/** The caller's `signal` aborted encoding. `name` is 'AbortError' like the platform's. */
export class EncodingAbortedError extends Error {
  constructor(message = 'Encoding was aborted.', options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AbortError';
  }
}

export function throwIfEncodingAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new EncodingAbortedError(undefined, { cause: signal.reason });
}
