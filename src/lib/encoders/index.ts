/**
 * Encoders: sentence embeddings, reranking and fill-mask over ModernBERT-family models
 * (the bundled micro encoder offline, GTE embeddings and reranker and ModernBERT from the
 * hub), and hybrid BM25 + embedding retrieval.
 */
export {
  EncoderInputError,
  EncoderTaskError,
  EncodingAbortedError,
  UnknownEncoderError,
  type EncodeOptions,
  type Encoder,
  type EncoderInfo,
  type EncoderInputErrorKind,
  type EncoderTask,
  type FillMaskOptions,
  type FillMaskPrediction,
} from './types.js';
export { encoderEntries, encoderEntry, type EncoderEntry } from './catalog.js';
export { l2Normalize, poolTokenStates, type Pooling, type TokenStates } from './pooling.js';
export {
  cosineSimilarity,
  cosineToUnitInterval,
  sigmoid,
  topKSoftmax,
  type TokenProbability,
} from './scores.js';
export {
  TransformersEncoder,
  loadEncoder,
  type EncoderLoadOptions,
} from './transformers-encoder.js';
export {
  HYBRID_BM25_WEIGHT,
  HybridIndex,
  hybridScores,
  rankByScore,
  type HybridHit,
  type HybridIndexOptions,
  type HybridSearchOptions,
} from './hybrid.js';
