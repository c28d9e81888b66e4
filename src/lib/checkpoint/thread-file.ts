/**
 * The thread file: everything stored for one thread, as JSON, for sharing a run.
 *
 * Structural fields (ids, versions, namespaces, parents) are plain JSON. Values that can
 * hold anything (channel values, each metadata entry, pending write values) are
 * serde-encoded, so Dates, Maps and typed arrays survive and nothing is ever revived
 * beyond the built-in types.
 *
 * Import is all-or-nothing: `validateThreadExport` checks the whole file, decoding every
 * value, before a saver writes a single row, and reports the first problem with its
 * exact location.
 */
import { fromJSONSafe, formatPath, SerdeError } from './serde';
import {
  SPECIAL_WRITE_INDEX,
  type BlobRow,
  type CheckpointRow,
  type WriteRow,
  valuesEqual,
} from './rows';
import {
  CHECKPOINT_FORMAT_VERSION,
  CheckpointImportError,
  type CheckpointSource,
  type ThreadExport,
} from './types';

export const THREAD_FILE_FORMAT = 'agent-playground/thread';
export const THREAD_FILE_VERSION = 1;

const SOURCES: readonly CheckpointSource[] = ['input', 'loop', 'update', 'fork'];

type Path = Array<string | number>;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') {
    return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  }
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'undefined') return 'nothing';
  return `the ${typeof value} ${String(value)}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Walks the parsed file, failing with the location of the first problem. */
class FileChecker {
  fail(path: Path, problem: string): never {
    const where = formatPath(path).replace(/^\./, '');
    throw new CheckpointImportError(`Invalid thread file: ${where} ${problem}.`);
  }

  record(value: unknown, path: Path, allowedKeys?: readonly string[]): Record<string, unknown> {
    if (!isRecord(value)) this.fail(path, `must be an object, found ${describe(value)}`);
    if (allowedKeys) {
      for (const key of Object.keys(value)) {
        if (!allowedKeys.includes(key)) this.fail([...path, key], 'is not a known field');
      }
    }
    return value;
  }

  string(value: unknown, path: Path, { nonEmpty = false } = {}): string {
    if (typeof value !== 'string') this.fail(path, `must be a string, found ${describe(value)}`);
    if (nonEmpty && value === '') this.fail(path, 'must not be empty');
    return value;
  }

  number(value: unknown, path: Path, { integer = false } = {}): number {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      this.fail(path, `must be a number, found ${describe(value)}`);
    }
    if (integer && !Number.isInteger(value)) this.fail(path, `must be an integer, found ${value}`);
    return value;
  }

  numberRecord(value: unknown, path: Path): Record<string, number> {
    const record = this.record(value, path);
    for (const key of Object.keys(record)) this.number(record[key], [...path, key]);
    return record as Record<string, number>;
  }

  /** Decodes a serde-encoded value only to prove it decodes; the file keeps it encoded. */
  encodedValue(value: unknown, path: Path): unknown {
    try {
      return fromJSONSafe(value);
    } catch (error) {
      if (!(error instanceof SerdeError)) throw error;
      const where = (formatPath(path) + error.path).replace(/^\./, '');
      throw new CheckpointImportError(`Invalid thread file: ${where}: ${error.detail}.`);
    }
  }
}

/**
 * The thread export in `data` (parsed JSON, or JSON text), checked completely: format and
 * version, every checkpoint's fields and types, parent references, pending writes and
 * every encoded value. Throws `CheckpointImportError` saying what is wrong and where.
 * Values in the result stay serde-encoded, as in the file.
 */
export function validateThreadExport(data: unknown): ThreadExport {
  if (typeof data === 'string') {
    try {
      data = JSON.parse(data);
    } catch (error) {
      throw new CheckpointImportError(
        `The thread file is not valid JSON (truncated?): ${(error as Error).message}`,
      );
    }
  }
  const expected = `expected an Agent Playground thread export (format "${THREAD_FILE_FORMAT}")`;
  if (!isRecord(data)) {
    throw new CheckpointImportError(`Not a thread file: ${expected}, found ${describe(data)}.`);
  }
  if (data.format !== THREAD_FILE_FORMAT) {
    const found =
      data.format === undefined
        ? 'an object without a "format" field'
        : `format ${JSON.stringify(data.format)}`;
    throw new CheckpointImportError(`Not a thread file: ${expected}, found ${found}.`);
  }
  if (data.version !== THREAD_FILE_VERSION) {
    throw new CheckpointImportError(
      `Unsupported thread file version ${JSON.stringify(data.version)}: this app reads version ${THREAD_FILE_VERSION}.`,
    );
  }

  // Annotated so TypeScript treats `check.fail(...)` as ending the branch.
  const check: FileChecker = new FileChecker();
  check.record(data, [], ['format', 'version', 'thread_id', 'exported_at', 'checkpoints']);
  const threadId = check.string(data.thread_id, ['thread_id'], { nonEmpty: true });
  const exportedAt = check.string(data.exported_at, ['exported_at']);
  if (!Array.isArray(data.checkpoints)) {
    check.fail(['checkpoints'], `must be an array, found ${describe(data.checkpoints)}`);
  }
  if (data.checkpoints.length === 0) check.fail(['checkpoints'], 'is empty: nothing to import');

  const entries: ThreadExport['checkpoints'] = [];
  /** namespace -> checkpoint id -> index of the entry, for duplicates and parent refs. */
  const idsByNamespace = new Map<string, Map<string, number>>();
  /** (namespace, channel, version) -> the value and where it was first seen. */
  const blobs = new Map<string, { value: unknown; empty: boolean; path: Path }>();

  data.checkpoints.forEach((raw: unknown, index: number) => {
    const at: Path = ['checkpoints', index];
    const entry = check.record(raw, at, [
      'checkpoint_ns',
      'checkpoint',
      'metadata',
      'parent_checkpoint_id',
      'pending_writes',
    ]);
    const namespace = check.string(entry.checkpoint_ns, [...at, 'checkpoint_ns']);

    const cpPath: Path = [...at, 'checkpoint'];
    const checkpoint = check.record(entry.checkpoint, cpPath, [
      'v',
      'id',
      'ts',
      'channel_values',
      'channel_versions',
      'versions_seen',
    ]);
    const formatVersion = check.number(checkpoint.v, [...cpPath, 'v'], { integer: true });
    if (formatVersion < 1 || formatVersion > CHECKPOINT_FORMAT_VERSION) {
      check.fail(
        [...cpPath, 'v'],
        `is ${formatVersion}; this app reads 1 to ${CHECKPOINT_FORMAT_VERSION}`,
      );
    }
    const id = check.string(checkpoint.id, [...cpPath, 'id'], { nonEmpty: true });
    const ts = check.string(checkpoint.ts, [...cpPath, 'ts']);
    const versions = check.numberRecord(checkpoint.channel_versions, [
      ...cpPath,
      'channel_versions',
    ]);
    const seenPath: Path = [...cpPath, 'versions_seen'];
    const versionsSeen = check.record(checkpoint.versions_seen, seenPath);
    for (const node of Object.keys(versionsSeen)) {
      check.numberRecord(versionsSeen[node], [...seenPath, node]);
    }
    const valuesPath: Path = [...cpPath, 'channel_values'];
    const values = check.record(checkpoint.channel_values, valuesPath);
    for (const channel of Object.keys(values)) {
      check.encodedValue(values[channel], [...valuesPath, channel]);
      if (!Object.hasOwn(versions, channel)) {
        check.fail([...valuesPath, channel], 'has no entry in channel_versions');
      }
    }
    // One (channel, version) must mean one value across the whole file.
    for (const channel of Object.keys(versions)) {
      const key = JSON.stringify([namespace, channel, versions[channel]]);
      const empty = !Object.hasOwn(values, channel);
      const here: Path = [...valuesPath, channel];
      const seen = blobs.get(key);
      if (!seen) {
        blobs.set(key, { value: values[channel], empty, path: here });
      } else if (seen.empty !== empty || !valuesEqual(seen.value, values[channel])) {
        check.fail(
          here,
          `differs from ${formatPath(seen.path).replace(/^\./, '')} although both are version ${versions[channel]} of "${channel}"`,
        );
      }
    }

    const mdPath: Path = [...at, 'metadata'];
    const encodedMetadata = check.record(entry.metadata, mdPath);
    // No prototype: a `__proto__` key in the file must not supply inherited fields.
    const metadata: Record<string, unknown> = Object.create(null);
    for (const key of Object.keys(encodedMetadata)) {
      metadata[key] = check.encodedValue(encodedMetadata[key], [...mdPath, key]);
    }
    if (!SOURCES.includes(metadata.source as CheckpointSource)) {
      check.fail(
        [...mdPath, 'source'],
        `must be one of ${SOURCES.map((s) => `"${s}"`).join(', ')}, found ${describe(metadata.source)}`,
      );
    }
    check.number(metadata.step, [...mdPath, 'step'], { integer: true });
    const parents = check.record(metadata.parents, [...mdPath, 'parents']);
    for (const key of Object.keys(parents)) check.string(parents[key], [...mdPath, 'parents', key]);
    if (metadata.writes !== undefined && metadata.writes !== null) {
      check.record(metadata.writes, [...mdPath, 'writes']);
    }

    const parentId = entry.parent_checkpoint_id;
    if (parentId !== null) {
      check.string(parentId, [...at, 'parent_checkpoint_id'], { nonEmpty: true });
    }

    const writesPath: Path = [...at, 'pending_writes'];
    if (!Array.isArray(entry.pending_writes)) {
      check.fail(writesPath, `must be an array, found ${describe(entry.pending_writes)}`);
    }
    entry.pending_writes.forEach((write: unknown, writeIndex: number) => {
      const path: Path = [...writesPath, writeIndex];
      if (!Array.isArray(write) || write.length !== 3) {
        check.fail(path, `must be a [taskId, channel, value] triple, found ${describe(write)}`);
      }
      check.string(write[0], [...path, 0], { nonEmpty: true });
      check.string(write[1], [...path, 1]);
      check.encodedValue(write[2], [...path, 2]);
    });

    let ids = idsByNamespace.get(namespace);
    if (!ids) idsByNamespace.set(namespace, (ids = new Map()));
    const duplicateOf = ids.get(id);
    if (duplicateOf !== undefined) {
      check.fail([...cpPath, 'id'], `repeats checkpoints[${duplicateOf}] (${JSON.stringify(id)})`);
    }
    ids.set(id, index);

    entries.push({
      checkpoint_ns: namespace,
      checkpoint: {
        v: formatVersion,
        id,
        ts,
        channel_values: values,
        channel_versions: versions,
        versions_seen: versionsSeen as Record<string, Record<string, number>>,
      },
      metadata: encodedMetadata as ThreadExport['checkpoints'][number]['metadata'],
      parent_checkpoint_id: parentId as string | null,
      pending_writes: entry.pending_writes as ThreadExport['checkpoints'][number]['pending_writes'],
    });
  });

  // Parents may come later in the file, so they are resolved once every id is known.
  entries.forEach((entry, index) => {
    const parentId = entry.parent_checkpoint_id;
    if (parentId !== null && !idsByNamespace.get(entry.checkpoint_ns)?.has(parentId)) {
      check.fail(
        ['checkpoints', index, 'parent_checkpoint_id'],
        `is ${JSON.stringify(parentId)}, which is not a checkpoint of namespace ${JSON.stringify(entry.checkpoint_ns)} in this file`,
      );
    }
  });

  return {
    format: THREAD_FILE_FORMAT,
    version: THREAD_FILE_VERSION,
    thread_id: threadId,
    exported_at: exportedAt,
    checkpoints: entries,
  };
}

/** The thread id an import writes to: the one asked for, else the file's own. */
export function importTargetThreadId(file: ThreadExport, options?: { threadId?: string }): string {
  const requested = options?.threadId;
  if (requested === undefined) return file.thread_id;
  if (typeof requested !== 'string' || requested === '') {
    throw new CheckpointImportError('The thread id to import into must be a non-empty string.');
  }
  return requested;
}

export function threadExistsError(threadId: string): CheckpointImportError {
  return new CheckpointImportError(
    `Thread ${JSON.stringify(threadId)} already exists; importing never merges into or overwrites a thread. Import it under a new id (options.threadId) or delete the existing thread first.`,
  );
}

/**
 * The storage rows of a validated export, under `threadId`. Values stay serde-encoded;
 * a channel version shared by several checkpoints becomes one blob.
 */
export function threadExportRows(
  file: ThreadExport,
  threadId: string,
): { checkpoints: CheckpointRow[]; blobs: BlobRow[]; writes: WriteRow[] } {
  const checkpoints: CheckpointRow[] = [];
  const blobs = new Map<string, BlobRow>();
  const writes: WriteRow[] = [];
  for (const entry of file.checkpoints) {
    const { channel_values, ...stored } = entry.checkpoint;
    const namespace = entry.checkpoint_ns;
    checkpoints.push({
      thread_id: threadId,
      checkpoint_ns: namespace,
      checkpoint_id: stored.id,
      parent_checkpoint_id: entry.parent_checkpoint_id,
      checkpoint: stored,
      metadata: entry.metadata,
    });
    for (const channel of Object.keys(stored.channel_versions)) {
      const version = stored.channel_versions[channel];
      const key = JSON.stringify([namespace, channel, version]);
      if (blobs.has(key)) continue;
      const row: BlobRow = { thread_id: threadId, checkpoint_ns: namespace, channel, version };
      if (Object.hasOwn(channel_values, channel)) row.value = channel_values[channel];
      else row.empty = true;
      blobs.set(key, row);
    }
    // Indexes as putWrites assigns them: special channels at their fixed index, ordinary
    // writes counted per task in file order (the order they were written in).
    const nextOrdinary = new Map<string, number>();
    for (const [taskId, channel, value] of entry.pending_writes) {
      let idx = SPECIAL_WRITE_INDEX[channel];
      if (!Object.hasOwn(SPECIAL_WRITE_INDEX, channel)) {
        idx = nextOrdinary.get(taskId) ?? 0;
        nextOrdinary.set(taskId, idx + 1);
      }
      writes.push({
        thread_id: threadId,
        checkpoint_ns: namespace,
        checkpoint_id: stored.id,
        task_id: taskId,
        idx,
        channel,
        value,
      });
    }
  }
  return { checkpoints, blobs: [...blobs.values()], writes };
}
