/**
 * Encoders on Transformers.js: a ModernBERT-family model (ONNX) and its tokenizer on
 * `webgpu` or `wasm` (onnxruntime-node's CPU in Node). What differs per model (pooling,
 * how to rerank, which heads exist) comes from the catalog, so this file has no
 * per-model branches.
 *
 * We call the model's forward pass and read its named outputs ourselves instead of using
 * the pipelines: one session then serves embeddings (`last_hidden_state`) and fill-mask
 * (`logits`) together, and we control batching and aborts.
 */
import {
  AutoModel,
  AutoModelForMaskedLM,
  AutoModelForSequenceClassification,
  AutoTokenizer,
  type PreTrainedModel,
  type PreTrainedTokenizer,
  type Tensor,
} from '@huggingface/transformers';
import {
  configureTransformersEnvironment,
  type LoadProgress,
  type TransformersEnvironmentOptions,
} from '../llm/engines/transformers-env.js';
import { ModelLoadError } from '../llm/types.js';
import { encoderEntry, type EncoderEntry } from './catalog.js';
import { poolTokenStates } from './pooling.js';
import { cosineSimilarity, cosineToUnitInterval, sigmoid, topKSoftmax } from './scores.js';
import {
  EncoderInputError,
  EncoderTaskError,
  throwIfEncodingAborted,
  type EncodeOptions,
  type Encoder,
  type EncoderInfo,
  type EncoderTask,
  type FillMaskOptions,
  type FillMaskPrediction,
} from './types.js';

export interface EncoderLoadOptions extends TransformersEnvironmentOptions {
  /** A catalog id (`micro-encoder`, `gte-modernbert-base`…) or that entry's repository. */
  model: string;
  device?: 'webgpu' | 'wasm' | 'cpu';
  /** ONNX file variant; default: the catalog's choice for this device. */
  dtype?: string;
  /** Texts (or query–document pairs) per forward pass (default 16). */
  batchSize?: number;
  /** Truncate inputs to this many tokens (default: the tokenizer's and model's limit). */
  maxTokens?: number;
  onProgress?: (progress: LoadProgress) => void;
}

interface EncoderConfig {
  hidden_size: number;
  max_position_embeddings?: number;
}

/** The Transformers.js class whose ONNX graph has the heads this model needs. */
function modelClassFor(entry: EncoderEntry) {
  if (entry.encoder.rerank === 'cross-encoder') return AutoModelForSequenceClassification;
  if (entry.encoder.tasks.includes('fill-mask')) return AutoModelForMaskedLM;
  return AutoModel;
}

function requireStrings(values: readonly unknown[], what: string): void {
  values.forEach((value, i) => {
    if (typeof value !== 'string') {
      throw new EncoderInputError(
        'not_a_string',
        `${what}[${i}] is ${typeof value}, not a string.`,
      );
    }
  });
}

function requireString(value: unknown, what: string): void {
  if (typeof value !== 'string') {
    throw new EncoderInputError('not_a_string', `${what} is ${typeof value}, not a string.`);
  }
}

function requireNonEmpty(values: readonly unknown[] | undefined, what: string): void {
  if (!Array.isArray(values)) {
    throw new EncoderInputError('not_a_string', `${what} must be an array of strings.`);
  }
  if (values.length === 0) {
    throw new EncoderInputError('empty_list', `${what} is empty; pass at least one text.`);
  }
}

function checkedBatchSize(batchSize = 16): number {
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new EncoderInputError(
      'invalid_option',
      `batchSize must be a positive integer, not ${batchSize}.`,
    );
  }
  return batchSize;
}

function float32Data(tensor: Tensor): Float32Array {
  // fp16 models return float16 outputs; every score here is computed in float32.
  const data = tensor.type === 'float32' ? tensor.data : tensor.to('float32').data;
  return data as Float32Array;
}

export class TransformersEncoder implements Encoder {
  readonly info: EncoderInfo;
  private readonly specialIds: ReadonlySet<number>;

  private constructor(
    readonly model: PreTrainedModel,
    readonly tokenizer: PreTrainedTokenizer,
    info: EncoderInfo,
    private readonly batchSize: number,
  ) {
    this.info = info;
    this.specialIds = new Set(
      (tokenizer as unknown as { all_special_ids?: number[] }).all_special_ids ?? [],
    );
  }

  static async load(options: EncoderLoadOptions): Promise<TransformersEncoder> {
    // Unknown ids fail here, before anything is fetched.
    const entry = encoderEntry(options.model);
    const batchSize = checkedBatchSize(options.batchSize);
    configureTransformersEnvironment(options);
    const device = options.device ?? 'wasm';
    const dtype =
      options.dtype ?? entry.transformers.dtype[device === 'webgpu' ? 'webgpu' : 'wasm'];
    const repo = entry.transformers.repo;
    const progress_callback = options.onProgress
      ? (p: unknown) => options.onProgress?.(p as LoadProgress)
      : undefined;
    let tokenizer: PreTrainedTokenizer;
    let model: PreTrainedModel;
    try {
      [tokenizer, model] = await Promise.all([
        AutoTokenizer.from_pretrained(repo, { progress_callback }),
        modelClassFor(entry).from_pretrained(repo, {
          device: device as never,
          dtype: dtype as never,
          progress_callback,
        }),
      ]);
    } catch (error) {
      throw new ModelLoadError(
        'transformers',
        entry.id,
        `Could not load the encoder ${entry.id} (${repo}) with Transformers.js on ${device}: ${(error as Error)?.message ?? error}`,
        { cause: error },
      );
    }
    return TransformersEncoder.wrap({
      entry,
      model,
      tokenizer,
      device,
      dtype,
      batchSize,
      maxTokens: options.maxTokens,
    });
  }

  /**
   * An encoder over a model and tokenizer that are already loaded (by `load`, or by code
   * that fetched them its own way), used as the catalog entry describes.
   */
  static wrap(parts: {
    entry: EncoderEntry;
    model: PreTrainedModel;
    tokenizer: PreTrainedTokenizer;
    device: EncoderInfo['device'];
    dtype: string;
    batchSize?: number;
    maxTokens?: number;
  }): TransformersEncoder {
    const { entry, model, tokenizer } = parts;
    const batchSize = checkedBatchSize(parts.batchSize);
    const config = model.config as unknown as EncoderConfig;
    const maxTokens = Math.min(
      parts.maxTokens ?? Infinity,
      tokenizer.model_max_length,
      config.max_position_embeddings ?? Infinity,
    );
    return new TransformersEncoder(
      model,
      tokenizer,
      {
        model: entry.id,
        repo: entry.transformers.repo,
        device: parts.device,
        dtype: parts.dtype,
        tasks: entry.encoder.tasks,
        pooling: entry.encoder.pooling,
        rerank: entry.encoder.rerank,
        dimensions: config.hidden_size,
        // No limit anywhere (a tokenizer without model_max_length): BERT's usual 512.
        maxTokens: Number.isFinite(maxTokens) ? maxTokens : 512,
      },
      batchSize,
    );
  }

  private requireTask(task: EncoderTask): void {
    if (!this.info.tasks.includes(task)) {
      throw new EncoderTaskError(this.info.model, task, this.info.tasks);
    }
  }

  /** One forward pass over a batch of texts (or of pairs) and the tokenized inputs it saw. */
  private async forward(
    texts: string[],
    pairs?: string[],
  ): Promise<{ outputs: Record<string, Tensor>; inputIds: Tensor; attentionMask: Tensor }> {
    const encoded = this.tokenizer(texts, {
      text_pair: pairs ?? null,
      padding: true,
      truncation: true,
      max_length: this.info.maxTokens,
    }) as unknown as { input_ids: Tensor; attention_mask: Tensor };
    const outputs = (await this.model.forward({
      input_ids: encoded.input_ids,
      attention_mask: encoded.attention_mask,
    })) as Record<string, Tensor>;
    return { outputs, inputIds: encoded.input_ids, attentionMask: encoded.attention_mask };
  }

  private output(outputs: Record<string, Tensor>, name: string): Tensor {
    const tensor = outputs[name];
    if (!tensor) {
      throw new Error(
        `${this.info.model}'s ONNX graph has no "${name}" output (it has ${Object.keys(outputs).join(', ')}).`,
      );
    }
    return tensor;
  }

  /**
   * Runs `texts` in batches of similar length (less padding), checking `signal` between
   * batches, and returns `perBatch`'s results in input order.
   */
  private async inBatches<T>(
    count: number,
    lengthOf: (index: number) => number,
    signal: AbortSignal | undefined,
    perBatch: (indices: number[]) => Promise<T[]>,
  ): Promise<T[]> {
    const order = Array.from({ length: count }, (_, i) => i).sort(
      (a, b) => lengthOf(a) - lengthOf(b) || a - b,
    );
    const results = new Array<T>(count);
    for (let start = 0; start < count; start += this.batchSize) {
      throwIfEncodingAborted(signal);
      const indices = order.slice(start, start + this.batchSize);
      const batch = await perBatch(indices);
      indices.forEach((index, i) => (results[index] = batch[i]));
    }
    throwIfEncodingAborted(signal);
    return results;
  }

  async embed(texts: readonly string[], options: EncodeOptions = {}): Promise<Float32Array[]> {
    this.requireTask('embedding');
    requireNonEmpty(texts, 'texts');
    requireStrings(texts, 'texts');
    throwIfEncodingAborted(options.signal);
    const pooling = this.info.pooling ?? 'mean';
    return this.inBatches(
      texts.length,
      (i) => texts[i].length,
      options.signal,
      async (indices) => {
        const { outputs, attentionMask } = await this.forward(indices.map((i) => texts[i]));
        const states = this.output(outputs, 'last_hidden_state');
        const [batch, tokens, dimensions] = states.dims;
        return poolTokenStates(
          { data: float32Data(states), dims: [batch, tokens, dimensions] },
          attentionMask.data as ArrayLike<bigint>,
          pooling,
        );
      },
    );
  }

  async rerank(
    query: string,
    documents: readonly string[],
    options: EncodeOptions = {},
  ): Promise<number[]> {
    this.requireTask('rerank');
    requireString(query, 'query');
    requireNonEmpty(documents, 'documents');
    requireStrings(documents, 'documents');
    throwIfEncodingAborted(options.signal);
    if (this.info.rerank === 'cross-encoder') {
      return this.inBatches(
        documents.length,
        (i) => documents[i].length,
        options.signal,
        async (indices) => {
          const { outputs } = await this.forward(
            indices.map(() => query),
            indices.map((i) => documents[i]),
          );
          const logits = this.output(outputs, 'logits');
          const labels = logits.dims[logits.dims.length - 1];
          if (labels !== 1) {
            throw new Error(
              `${this.info.model} has ${labels} output labels; a cross-encoder reranker needs one relevance logit.`,
            );
          }
          return Array.from(float32Data(logits), sigmoid);
        },
      );
    }
    const [queryVector, ...documentVectors] = await this.embed([query, ...documents], options);
    return documentVectors.map((vector) =>
      cosineToUnitInterval(cosineSimilarity(queryVector, vector)),
    );
  }

  async fillMask(text: string, options: FillMaskOptions = {}): Promise<FillMaskPrediction[]> {
    this.requireTask('fill-mask');
    requireString(text, 'text');
    const topK = options.topK ?? 5;
    if (!Number.isInteger(topK) || topK < 1) {
      throw new EncoderInputError(
        'invalid_option',
        `topK must be a positive integer, not ${topK}.`,
      );
    }
    throwIfEncodingAborted(options.signal);
    const maskToken = this.tokenizer.mask_token;
    const maskId = this.tokenizer.mask_token_id;
    if (maskToken === undefined || maskToken === null || maskId === undefined) {
      throw new EncoderTaskError(this.info.model, 'fill-mask', []);
    }
    const { outputs, inputIds } = await this.forward([text]);
    throwIfEncodingAborted(options.signal);
    // Found among the token ids, not in the text: truncation may have cut the mask off.
    const ids = Array.from(inputIds.data as ArrayLike<bigint>, Number);
    const positions = ids.flatMap((id, i) => (id === maskId ? [i] : []));
    if (positions.length === 0) {
      throw new EncoderInputError(
        'no_mask',
        `The text has no ${maskToken} token${text.includes(maskToken) ? ' within the first ' + this.info.maxTokens + ' tokens' : ''}; write ${maskToken} where a word should be predicted.`,
      );
    }
    if (positions.length > 1) {
      throw new EncoderInputError(
        'several_masks',
        `The text has ${positions.length} ${maskToken} tokens; fillMask predicts exactly one.`,
      );
    }
    const logits = this.output(outputs, 'logits');
    const vocabulary = logits.dims[logits.dims.length - 1];
    const position = positions[0];
    const row = float32Data(logits).subarray(position * vocabulary, (position + 1) * vocabulary);
    // A special token ([CLS], [PAD], another [MASK]…) is never a useful fill.
    return topKSoftmax(row, topK, this.specialIds).map(({ tokenId, probability }) => {
      const filled = ids.slice();
      filled[position] = tokenId;
      return {
        token: this.tokenizer.decode([tokenId]),
        tokenId,
        score: probability,
        sequence: this.tokenizer.decode(filled, { skip_special_tokens: true }),
      };
    });
  }

  async dispose(): Promise<void> {
    await this.model.dispose();
  }
}

/** Loads an encoder from the catalog (see `EncoderLoadOptions`). */
export function loadEncoder(options: EncoderLoadOptions): Promise<Encoder> {
  return TransformersEncoder.load(options);
}
