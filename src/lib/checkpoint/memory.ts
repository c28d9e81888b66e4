/**
 * An in-memory checkpoint saver: the default for runs that need no persistence, and the
 * reference implementation the conformance suite holds other savers to.
 *
 * Channel values are stored once per (channel, version), like LangGraph's Postgres
 * "blobs": `put` deep-copies only the channels named in `newVersions`, and a checkpoint
 * refers to the other channels' already-stored versions. A 500-step run that appends to
 * one channel copies that channel per step, not the whole state.
 *
 * Sharing contract: values passed to `put`/`putWrites` are deep-copied, so later changes
 * by the caller never reach the store, and tuples returned by `getTuple`/`list` are
 * copies too. A node that mutates its state in place (`state.items.push(x)`) must not
 * rewrite history; a run copies its state once when it loads, which costs little.
 */
import { deepCopy, toJSONSafe, fromJSONSafe, serdePath, withSerdePath } from './serde';
import {
  assertStorableCheckpoint,
  checkpointConfig,
  compareStrings,
  compareWriteRows,
  decodeMetadata,
  encodeMetadata,
  matchesFilter,
  writeIndexes,
  type StoredCheckpoint,
} from './rows';
import {
  importTargetThreadId,
  threadExistsError,
  threadExportRows,
  validateThreadExport,
  THREAD_FILE_FORMAT,
  THREAD_FILE_VERSION,
} from './thread-file';
import {
  BaseCheckpointSaver,
  namespaceOf,
  threadIdOf,
  type ChannelVersions,
  type Checkpoint,
  type CheckpointConfig,
  type CheckpointListOptions,
  type CheckpointMetadata,
  type CheckpointPendingWrite,
  type CheckpointTuple,
  type PendingWrite,
  type ThreadExport,
} from './types';

/** Marks a channel version that has no value (the channel was emptied). */
const EMPTY: unique symbol = Symbol('empty channel');

interface CheckpointRecord {
  checkpoint: StoredCheckpoint;
  metadata: CheckpointMetadata;
  parentId: string | null;
}

interface StoredWrite {
  task_id: string;
  idx: number;
  channel: string;
  value: unknown;
}

/** Everything stored for one namespace of one thread. */
class NamespaceStore {
  readonly records = new Map<string, CheckpointRecord>();
  /** Checkpoint ids in ascending (creation) order. */
  readonly ids: string[] = [];
  /** channel -> version -> value (or EMPTY). */
  readonly blobs = new Map<string, Map<number, unknown>>();
  /** checkpoint id -> `${taskId}\u0000${idx}` -> write. */
  readonly writes = new Map<string, Map<string, StoredWrite>>();

  addId(id: string): void {
    const ids = this.ids;
    // Ids come from a clock, so new ones almost always go at the end.
    if (ids.length === 0 || ids[ids.length - 1] < id) {
      ids.push(id);
      return;
    }
    const at = lowerBound(ids, id);
    if (ids[at] !== id) ids.splice(at, 0, id);
  }

  hasBlob(channel: string, version: number): boolean {
    return this.blobs.get(channel)?.has(version) ?? false;
  }

  setBlob(channel: string, version: number, value: unknown): void {
    let versions = this.blobs.get(channel);
    if (!versions) this.blobs.set(channel, (versions = new Map()));
    versions.set(version, value);
  }

  channelValues(versions: ChannelVersions): Record<string, unknown> {
    const values: Record<string, unknown> = {};
    for (const channel of Object.keys(versions)) {
      const stored = this.blobs.get(channel);
      const version = versions[channel];
      if (!stored?.has(version)) {
        throw new Error(`MemorySaver lost version ${version} of channel "${channel}"`);
      }
      const value = stored.get(version);
      if (value !== EMPTY) values[channel] = value;
    }
    return values;
  }

  pendingWrites(checkpointId: string): CheckpointPendingWrite[] {
    const writes = this.writes.get(checkpointId);
    if (!writes) return [];
    return [...writes.values()]
      .sort(compareWriteRows)
      .map((write): CheckpointPendingWrite => [write.task_id, write.channel, write.value]);
  }
}

/** Index of the first id >= `id`. */
function lowerBound(ids: readonly string[], id: string): number {
  let low = 0;
  let high = ids.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (ids[mid] < id) low = mid + 1;
    else high = mid;
  }
  return low;
}

export class MemorySaver extends BaseCheckpointSaver {
  /** thread id -> namespace -> store. */
  private readonly threads = new Map<string, Map<string, NamespaceStore>>();

  private namespaceStore(threadId: string, namespace: string): NamespaceStore | undefined {
    return this.threads.get(threadId)?.get(namespace);
  }

  private tuple(
    threadId: string,
    namespace: string,
    store: NamespaceStore,
    record: CheckpointRecord,
  ): CheckpointTuple {
    const stored = record.checkpoint;
    const tuple: CheckpointTuple = deepCopy({
      config: checkpointConfig(threadId, namespace, stored.id),
      checkpoint: {
        v: stored.v,
        id: stored.id,
        ts: stored.ts,
        channel_values: store.channelValues(stored.channel_versions),
        channel_versions: stored.channel_versions,
        versions_seen: stored.versions_seen,
      },
      metadata: record.metadata,
      pendingWrites: store.pendingWrites(stored.id),
    });
    if (record.parentId !== null) {
      tuple.parentConfig = checkpointConfig(threadId, namespace, record.parentId);
    }
    return tuple;
  }

  async getTuple(config: CheckpointConfig): Promise<CheckpointTuple | undefined> {
    const threadId = threadIdOf(config);
    const namespace = namespaceOf(config);
    const store = this.namespaceStore(threadId, namespace);
    if (!store || store.ids.length === 0) return undefined;
    const id = config.configurable.checkpoint_id ?? store.ids[store.ids.length - 1];
    const record = store.records.get(id);
    return record && this.tuple(threadId, namespace, store, record);
  }

  async *list(
    config: CheckpointConfig,
    options: CheckpointListOptions = {},
  ): AsyncGenerator<CheckpointTuple> {
    const threadId = threadIdOf(config);
    const namespace = namespaceOf(config);
    const store = this.namespaceStore(threadId, namespace);
    if (!store) return;
    let remaining = options.limit ?? Infinity;
    const beforeId = options.before?.configurable.checkpoint_id;
    const end = beforeId === undefined ? store.ids.length : lowerBound(store.ids, beforeId);
    // A snapshot, so puts made while the caller iterates do not shift positions.
    const ids = store.ids.slice(0, end);
    for (let i = ids.length - 1; i >= 0 && remaining > 0; i--) {
      const record = store.records.get(ids[i]);
      if (!record || !matchesFilter(record.metadata, options.filter)) continue;
      remaining--;
      yield this.tuple(threadId, namespace, store, record);
    }
  }

  async put(
    config: CheckpointConfig,
    checkpoint: Checkpoint,
    metadata: CheckpointMetadata,
    newVersions: ChannelVersions,
  ): Promise<CheckpointConfig> {
    const threadId = threadIdOf(config);
    const namespace = namespaceOf(config);
    assertStorableCheckpoint(checkpoint);

    // Copy everything first: an unstorable value throws before the store changes.
    const versions = { ...checkpoint.channel_versions };
    const record: CheckpointRecord = {
      checkpoint: {
        v: checkpoint.v,
        id: checkpoint.id,
        ts: checkpoint.ts,
        channel_versions: versions,
        versions_seen: deepCopy(checkpoint.versions_seen),
      },
      metadata: withSerdePath('metadata', () => deepCopy(metadata)),
      parentId: config.configurable.checkpoint_id ?? null,
    };
    const existing = this.namespaceStore(threadId, namespace);
    const blobs: Array<[channel: string, version: number, value: unknown]> = [];
    for (const channel of Object.keys(versions)) {
      const version = versions[channel];
      // newVersions says what changed; a version we do not hold yet (a caller that left a
      // channel out, or a checkpoint copied from elsewhere) is stored too, never lost.
      if (!Object.hasOwn(newVersions, channel) && existing?.hasBlob(channel, version)) continue;
      const value = Object.hasOwn(checkpoint.channel_values, channel)
        ? withSerdePath(serdePath('channel_values', channel), () =>
            deepCopy(checkpoint.channel_values[channel]),
          )
        : EMPTY;
      blobs.push([channel, version, value]);
    }

    const store = this.ensureNamespace(threadId, namespace);
    for (const [channel, version, value] of blobs) store.setBlob(channel, version, value);
    store.records.set(checkpoint.id, record);
    store.addId(checkpoint.id);
    return checkpointConfig(threadId, namespace, checkpoint.id);
  }

  async putWrites(config: CheckpointConfig, writes: PendingWrite[], taskId: string): Promise<void> {
    const threadId = threadIdOf(config);
    const namespace = namespaceOf(config);
    const checkpointId = config.configurable.checkpoint_id;
    if (!checkpointId) throw new TypeError('putWrites needs `configurable.checkpoint_id`.');
    const indexes = writeIndexes(writes.map(([channel]) => channel));
    const copies = writes.map(([channel, value], position): StoredWrite => {
      const copy = withSerdePath(serdePath('writes', position, 1), () => deepCopy(value));
      return { task_id: taskId, idx: indexes[position], channel, value: copy };
    });
    const store = this.ensureNamespace(threadId, namespace);
    let stored = store.writes.get(checkpointId);
    if (!stored) store.writes.set(checkpointId, (stored = new Map()));
    // Keyed by (task, index): writing the same task's writes again replaces them, and a
    // special channel's write replaces the task's earlier write to that channel.
    for (const write of copies) stored.set(`${write.task_id}\u0000${write.idx}`, write);
  }

  async deleteThread(threadId: string): Promise<void> {
    this.threads.delete(threadId);
  }

  async listThreads(): Promise<string[]> {
    return [...this.threads.keys()].filter((id) => this.hasThread(id)).sort(compareStrings);
  }

  async exportThread(threadId: string): Promise<ThreadExport> {
    const namespaces = this.threads.get(threadId);
    if (!namespaces || !this.hasThread(threadId)) {
      throw new Error(`There is no thread ${JSON.stringify(threadId)} to export.`);
    }
    const checkpoints: ThreadExport['checkpoints'] = [];
    for (const namespace of [...namespaces.keys()].sort(compareStrings)) {
      const store = namespaces.get(namespace)!;
      for (const id of store.ids) {
        const { checkpoint, metadata, parentId } = store.records.get(id)!;
        const values = store.channelValues(checkpoint.channel_versions);
        const encodedValues: Record<string, unknown> = {};
        for (const channel of Object.keys(values)) {
          encodedValues[channel] = toJSONSafe(values[channel]);
        }
        checkpoints.push({
          checkpoint_ns: namespace,
          checkpoint: {
            ...deepCopy(checkpoint),
            channel_values: encodedValues,
          },
          metadata: encodeMetadata(metadata) as CheckpointMetadata,
          parent_checkpoint_id: parentId,
          pending_writes: store
            .pendingWrites(id)
            .map(([taskId, channel, value]) => [taskId, channel, toJSONSafe(value)]),
        });
      }
    }
    return {
      format: THREAD_FILE_FORMAT,
      version: THREAD_FILE_VERSION,
      thread_id: threadId,
      exported_at: new Date().toISOString(),
      checkpoints,
    };
  }

  async importThread(data: unknown, options?: { threadId?: string }): Promise<string> {
    const file = validateThreadExport(data);
    const threadId = importTargetThreadId(file, options);
    if (this.hasThread(threadId)) throw threadExistsError(threadId);

    // Built aside and attached in one step, so a failure leaves the saver as it was.
    const rows = threadExportRows(file, threadId);
    const namespaces = new Map<string, NamespaceStore>();
    const storeFor = (namespace: string): NamespaceStore => {
      let store = namespaces.get(namespace);
      if (!store) namespaces.set(namespace, (store = new NamespaceStore()));
      return store;
    };
    for (const row of rows.checkpoints) {
      const store = storeFor(row.checkpoint_ns);
      store.records.set(row.checkpoint_id, {
        // The file is the caller's object; copy so later edits to it cannot reach us.
        checkpoint: deepCopy(row.checkpoint),
        metadata: decodeMetadata(row.metadata),
        parentId: row.parent_checkpoint_id,
      });
      store.addId(row.checkpoint_id);
    }
    for (const row of rows.blobs) {
      storeFor(row.checkpoint_ns).setBlob(
        row.channel,
        row.version,
        row.empty ? EMPTY : fromJSONSafe(row.value),
      );
    }
    for (const row of rows.writes) {
      const store = storeFor(row.checkpoint_ns);
      let stored = store.writes.get(row.checkpoint_id);
      if (!stored) store.writes.set(row.checkpoint_id, (stored = new Map()));
      stored.set(`${row.task_id}\u0000${row.idx}`, {
        task_id: row.task_id,
        idx: row.idx,
        channel: row.channel,
        value: fromJSONSafe(row.value),
      });
    }
    this.threads.set(threadId, namespaces);
    return threadId;
  }

  private ensureNamespace(threadId: string, namespace: string): NamespaceStore {
    let namespaces = this.threads.get(threadId);
    if (!namespaces) this.threads.set(threadId, (namespaces = new Map()));
    let store = namespaces.get(namespace);
    if (!store) namespaces.set(namespace, (store = new NamespaceStore()));
    return store;
  }

  /** A thread exists once it has a checkpoint; writes alone do not make one. */
  private hasThread(threadId: string): boolean {
    const namespaces = this.threads.get(threadId);
    if (!namespaces) return false;
    for (const store of namespaces.values()) if (store.ids.length > 0) return true;
    return false;
  }
}
