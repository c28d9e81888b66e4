/**
 * Which catalog entries are encoders, found by our id or by their repository, so callers
 * can say `micro-encoder` or `Alibaba-NLP/gte-modernbert-base`.
 */
import { CATALOG, type CatalogEntry, type EncoderFacts } from '../llm/catalog.js';
import { UnknownEncoderError } from './types.js';

/** A catalog entry known to describe a Transformers.js encoder. */
export type EncoderEntry = CatalogEntry & {
  encoder: EncoderFacts;
  transformers: NonNullable<CatalogEntry['transformers']>;
};

function isEncoderEntry(entry: CatalogEntry): entry is EncoderEntry {
  return entry.encoder !== undefined && entry.transformers !== undefined;
}

export function encoderEntries(): EncoderEntry[] {
  return CATALOG.filter(isEncoderEntry);
}

/** The encoder with this catalog id or repository; throws `UnknownEncoderError` otherwise. */
export function encoderEntry(idOrRepo: string): EncoderEntry {
  const entries = encoderEntries();
  const found =
    entries.find((entry) => entry.id === idOrRepo) ??
    entries.find((entry) => entry.transformers.repo === idOrRepo);
  if (!found)
    throw new UnknownEncoderError(
      idOrRepo,
      entries.map((entry) => entry.id),
    );
  return found;
}
