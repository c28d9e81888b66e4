/**
 * The storage layout shared by the savers and the thread file: one row per checkpoint
 * (without its channel values), one row per channel value *version* (a "blob"), and one
 * row per pending write. A checkpoint's channel values are reassembled from the blobs
 * its `channel_versions` name, so a step that changes one channel stores one blob.
 *
 * These are also the exact IndexedDB record shapes; their values are serde-encoded there
 * and in thread files, and live (deep-copied) values in MemorySaver.
 */
import { toJSONSafe, fromJSONSafe, serdePath, withSerdePath } from './serde';
import type {
  ChannelVersions,
  Checkpoint,
  CheckpointConfig,
  CheckpointMetadata,
  CheckpointPendingWrite,
} from './types';

/** A checkpoint without its channel values, which live in blobs. */
export type StoredCheckpoint = Omit<Checkpoint, 'channel_values'>;

export interface CheckpointRow {
  thread_id: string;
  checkpoint_ns: string;
  checkpoint_id: string;
  parent_checkpoint_id: string | null;
  checkpoint: StoredCheckpoint;
  /** Each top-level value serde-encoded on its own, so keys stay readable and filterable. */
  metadata: Record<string, unknown>;
}

export interface BlobRow {
  thread_id: string;
  checkpoint_ns: string;
  channel: string;
  version: number;
  /** Set when the channel had a version but no value (an emptied channel). */
  empty?: true;
  value?: unknown;
}

export interface WriteRow {
  thread_id: string;
  checkpoint_ns: string;
  checkpoint_id: string;
  task_id: string;
  /** Position of the write in its task's `putWrites` call. */
  idx: number;
  channel: string;
  value: unknown;
}

export function checkpointConfig(
  threadId: string,
  namespace: string,
  checkpointId: string,
): CheckpointConfig {
  return {
    configurable: { thread_id: threadId, checkpoint_ns: namespace, checkpoint_id: checkpointId },
  };
}

export function storedCheckpointOf(checkpoint: Checkpoint): StoredCheckpoint {
  return {
    v: checkpoint.v,
    id: checkpoint.id,
    ts: checkpoint.ts,
    channel_versions: checkpoint.channel_versions,
    versions_seen: checkpoint.versions_seen,
  };
}

export function encodeMetadata(metadata: CheckpointMetadata): Record<string, unknown> {
  const encoded: Record<string, unknown> = {};
  for (const key of Object.keys(metadata)) {
    Object.defineProperty(encoded, key, {
      value: withSerdePath(serdePath('metadata', key), () => toJSONSafe(metadata[key])),
      writable: true,
      enumerable: true,
      configurable: true,
    });
  }
  return encoded;
}

export function decodeMetadata(encoded: Record<string, unknown>): CheckpointMetadata {
  const metadata: Record<string, unknown> = {};
  for (const key of Object.keys(encoded)) {
    Object.defineProperty(metadata, key, {
      value: fromJSONSafe(encoded[key]),
      writable: true,
      enumerable: true,
      configurable: true,
    });
  }
  return metadata as CheckpointMetadata;
}

/**
 * Checks the values of a checkpoint before anything is stored: every channel value needs
 * a version, because values are stored and found again by (channel, version).
 */
export function assertStorableCheckpoint(checkpoint: Checkpoint): void {
  if (typeof checkpoint?.id !== 'string' || checkpoint.id === '') {
    throw new TypeError('A checkpoint needs an `id` (a non-empty string).');
  }
  // Versions become storage keys, so they must be real numbers.
  const badVersion = (versions: ChannelVersions, where: string): void => {
    for (const channel of Object.keys(versions)) {
      if (!Number.isFinite(versions[channel])) {
        throw new TypeError(
          `Checkpoint ${checkpoint.id}: ${where}["${channel}"] must be a finite number.`,
        );
      }
    }
  };
  badVersion(checkpoint.channel_versions, 'channel_versions');
  for (const node of Object.keys(checkpoint.versions_seen)) {
    badVersion(checkpoint.versions_seen[node], `versions_seen["${node}"]`);
  }
  for (const channel of Object.keys(checkpoint.channel_values)) {
    if (typeof checkpoint.channel_versions[channel] !== 'number') {
      throw new TypeError(
        `Checkpoint ${checkpoint.id} has a value for channel "${channel}" but no channel_versions entry; values are stored by version.`,
      );
    }
  }
}

/** Deep equality of plain data, for metadata filters and import consistency checks. */
export function valuesEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!valuesEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  if (a instanceof Date || b instanceof Date) {
    return a instanceof Date && b instanceof Date && Object.is(a.getTime(), b.getTime());
  }
  const aRecord = a as Record<string, unknown>;
  const bRecord = b as Record<string, unknown>;
  const aKeys = Object.keys(aRecord);
  if (aKeys.length !== Object.keys(bRecord).length) return false;
  for (const key of aKeys) {
    if (!Object.hasOwn(bRecord, key) || !valuesEqual(aRecord[key], bRecord[key])) return false;
  }
  return true;
}

/** Exact match of the filter's top-level keys against the metadata. */
export function matchesFilter(
  metadata: CheckpointMetadata,
  filter: Record<string, unknown> | undefined,
): boolean {
  if (!filter) return true;
  for (const key of Object.keys(filter)) {
    if (!valuesEqual(metadata[key], filter[key])) return false;
  }
  return true;
}

/** Plain string comparison, the order IndexedDB uses for string keys. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Pending writes come back in key order, task id then index: the order IndexedDB returns
 * them in, so every saver agrees.
 */
export function compareWriteRows(
  a: Pick<WriteRow, 'task_id' | 'idx'>,
  b: Pick<WriteRow, 'task_id' | 'idx'>,
): number {
  return compareStrings(a.task_id, b.task_id) || a.idx - b.idx;
}

/**
 * Writes to these channels record a task's state (failed, interrupted, resumed) rather
 * than its output. Each has a fixed negative index, as in LangGraph, so a task's
 * `__resume__` write and its later `__interrupt__` write live side by side, and a new
 * write to the same channel replaces the old one.
 */
export const SPECIAL_WRITE_INDEX: Readonly<Record<string, number>> = {
  __error__: -1,
  __scheduled__: -2,
  __interrupt__: -3,
  __resume__: -4,
};

/**
 * The stored index of each write of one `putWrites` call: special channels get their
 * fixed index, ordinary writes count 0, 1, 2 … among themselves.
 */
export function writeIndexes(channels: readonly string[]): number[] {
  let ordinary = 0;
  return channels.map((channel) =>
    Object.hasOwn(SPECIAL_WRITE_INDEX, channel) ? SPECIAL_WRITE_INDEX[channel] : ordinary++,
  );
}

export function pendingWriteOf(row: WriteRow, value: unknown): CheckpointPendingWrite {
  return [row.task_id, row.channel, value];
}
