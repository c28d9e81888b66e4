/**
 * A checkpoint saver on the browser's IndexedDB, so runs survive reloads. Works in the
 * page and in Workers.
 *
 * Layout (see rows.ts): `checkpoints` keyed [thread, ns, checkpoint id] holds each
 * checkpoint without its channel values; `blobs` keyed [thread, ns, channel, version]
 * holds each channel value version once; `writes` keyed [thread, ns, checkpoint id, task,
 * idx] holds pending writes. Every value goes in through serde's `toJSONSafe`, so only
 * plain data is stored and reading never revives a class.
 *
 * Values are encoded before a transaction starts: a value that cannot be stored fails
 * with a `SerdeError` and nothing is written. Each operation is one transaction, so a
 * checkpoint and its blobs commit together or not at all.
 *
 * Values returned are freshly decoded: unlike MemorySaver's, callers may mutate them.
 */
import {
  openDB,
  wrap,
  type DBSchema,
  type OpenDBCallbacks,
  type IDBPDatabase,
  type IDBPTransaction,
  type StoreNames,
} from 'idb';
import { fromJSONSafe, serdePath, toJSONSafe, withSerdePath } from './serde';
import {
  assertStorableCheckpoint,
  checkpointConfig,
  decodeMetadata,
  encodeMetadata,
  matchesFilter,
  storedCheckpointOf,
  writeIndexes,
  type BlobRow,
  type CheckpointRow,
  type WriteRow,
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
  CheckpointImportError,
  CheckpointStorageError,
  namespaceOf,
  threadIdOf,
  type ChannelVersions,
  type Checkpoint,
  type CheckpointConfig,
  type CheckpointListOptions,
  type CheckpointMetadata,
  type CheckpointTuple,
  type PendingWrite,
  type ThreadExport,
} from './types';

export const DEFAULT_DB_NAME = 'agent-playground-checkpoints';

/** Bump when the layout changes, and add the step to `upgradeSchema`. */
export const SCHEMA_VERSION = 1;

export interface CheckpointDB extends DBSchema {
  checkpoints: { key: [string, string, string]; value: CheckpointRow };
  blobs: { key: [string, string, string, number]; value: BlobRow };
  writes: { key: [string, string, string, string, number]; value: WriteRow };
}

type StoreName = StoreNames<CheckpointDB>;
const ALL_STORES: StoreName[] = ['checkpoints', 'blobs', 'writes'];
type Tx<Mode extends IDBTransactionMode> = IDBPTransaction<CheckpointDB, StoreName[], Mode>;

/**
 * Brings a database from `oldVersion` to `newVersion` one version at a time, so a user
 * several releases behind passes through every step. A new layout is a new `case`.
 */
export function upgradeSchema(
  db: IDBPDatabase<CheckpointDB>,
  oldVersion: number,
  newVersion: number | null,
  _tx: IDBPTransaction<CheckpointDB, StoreName[], 'versionchange'>,
): void {
  const target = newVersion ?? SCHEMA_VERSION;
  for (let version = oldVersion + 1; version <= target; version++) {
    switch (version) {
      case 1:
        db.createObjectStore('checkpoints', {
          keyPath: ['thread_id', 'checkpoint_ns', 'checkpoint_id'],
        });
        db.createObjectStore('blobs', {
          keyPath: ['thread_id', 'checkpoint_ns', 'channel', 'version'],
        });
        db.createObjectStore('writes', {
          keyPath: ['thread_id', 'checkpoint_ns', 'checkpoint_id', 'task_id', 'idx'],
        });
        break;
      // case 2: change stores or rewrite records here, using `_tx` for data migrations.
      default:
        throw new Error(`No migration to checkpoint database version ${version}.`);
    }
  }
}

// ---------------------------------------------------------------------------------------
// Key ranges. IndexedDB orders arrays element by element, a shorter prefix sorts first,
// and any array sorts after any string; so [t] .. [t, []] spans every key of thread t, and
// [t, ns, []] lies after every checkpoint id of that namespace.

const AFTER_ALL_STRINGS: IDBValidKey = [];

function threadRange(threadId: string): IDBKeyRange {
  return IDBKeyRange.bound([threadId], [threadId, AFTER_ALL_STRINGS]);
}

function namespaceRange(threadId: string, namespace: string, beforeId?: string): IDBKeyRange {
  const upper =
    beforeId === undefined
      ? [threadId, namespace, AFTER_ALL_STRINGS]
      : [threadId, namespace, beforeId];
  return IDBKeyRange.bound([threadId, namespace], upper, false, beforeId !== undefined);
}

function writesRange(threadId: string, namespace: string, checkpointId: string): IDBKeyRange {
  return IDBKeyRange.bound(
    [threadId, namespace, checkpointId],
    [threadId, namespace, checkpointId, AFTER_ALL_STRINGS],
  );
}

// ---------------------------------------------------------------------------------------
// Errors

function errorName(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'name' in error
    ? String((error as { name: unknown }).name)
    : undefined;
}

/**
 * The storage failure `error` means, as a `CheckpointStorageError` a user can act on.
 * `action` completes "could not …". Errors that are already ours pass through.
 */
export function toStorageError(error: unknown, action: string): Error {
  if (
    error instanceof CheckpointStorageError ||
    error instanceof CheckpointImportError ||
    (error instanceof Error && error.name === 'SerdeError')
  ) {
    return error;
  }
  const name = errorName(error);
  const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  switch (name) {
    case 'QuotaExceededError':
      return new CheckpointStorageError(
        `Browser storage is full: could not ${action}; delete old threads or export them to files and delete them, then try again.`,
        'quota',
        { cause: error },
      );
    case 'VersionError':
      return new CheckpointStorageError(
        `Could not ${action}: the checkpoint database was created by a newer version of Agent Playground; reload the page to update.`,
        'version',
        { cause: error },
      );
    case 'InvalidStateError':
      return new CheckpointStorageError(
        `Could not ${action}: the checkpoint database connection is closed (${detail}); reload the page.`,
        'unknown',
        { cause: error },
      );
    default:
      return new CheckpointStorageError(`Could not ${action}: ${detail}`, 'unknown', {
        cause: error,
      });
  }
}

function abortQuietly(tx: IDBPTransaction<CheckpointDB, StoreName[], IDBTransactionMode>): void {
  try {
    tx.abort();
  } catch {
    // Already finished or aborted: nothing left to undo.
  }
}

// ---------------------------------------------------------------------------------------

/**
 * `openDB` for a given IDBFactory (idb's own always uses the global one): the same
 * callbacks, wired to the same events.
 */
function openWithFactory(
  factory: IDBFactory,
  name: string,
  version: number,
  callbacks: OpenDBCallbacks<CheckpointDB>,
): Promise<IDBPDatabase<CheckpointDB>> {
  const request = factory.open(name, version);
  request.addEventListener('upgradeneeded', (event) => {
    callbacks.upgrade?.(
      wrap(request.result) as unknown as IDBPDatabase<CheckpointDB>,
      event.oldVersion,
      event.newVersion,
      wrap(request.transaction!) as unknown as IDBPTransaction<
        CheckpointDB,
        StoreName[],
        'versionchange'
      >,
      event,
    );
  });
  request.addEventListener('blocked', (event) => {
    callbacks.blocked?.(event.oldVersion, event.newVersion, event);
  });
  return wrap(request).then((db) => {
    const raw = request.result;
    raw.addEventListener('versionchange', (event) => {
      callbacks.blocking?.(event.oldVersion, event.newVersion, event);
    });
    raw.addEventListener('close', () => callbacks.terminated?.());
    return db as unknown as IDBPDatabase<CheckpointDB>;
  });
}

interface RawTuple {
  row: CheckpointRow;
  blobs: Array<BlobRow | undefined>;
  writes: WriteRow[];
}

export interface IndexedDBSaverOptions {
  dbName?: string;
  /**
   * The IndexedDB to use: a Storage Bucket's (`(await navigator.storageBuckets.open(name,
   * { quota })).indexedDB`), or a test double. Defaults to the global `indexedDB`.
   */
  indexedDB?: IDBFactory;
  /**
   * How long to wait when another tab holds an older version of the database open and
   * does not close it, before failing with kind 'blocked'.
   */
  blockedTimeoutMs?: number;
  /** Called when opening waits on another tab; the UI can ask the user to close it. */
  onBlocked?: () => void;
  /** Called after this connection closed so another tab could upgrade or delete the DB. */
  onVersionChange?: () => void;
}

/** Checkpoints per read transaction when listing; keeps transactions short. */
const LIST_PAGE_SIZE = 25;

export class IndexedDBSaver extends BaseCheckpointSaver {
  readonly dbName: string;
  private readonly options: IndexedDBSaverOptions;
  private db: Promise<IDBPDatabase<CheckpointDB>> | undefined;
  /** Set when this saver can no longer be used; every call then fails with it. */
  private unusable: CheckpointStorageError | undefined;

  constructor(options: IndexedDBSaverOptions = {}) {
    super();
    this.options = options;
    this.dbName = options.dbName ?? DEFAULT_DB_NAME;
  }

  /** A saver whose database is already open, so opening errors surface here. */
  static async open(options: IndexedDBSaverOptions = {}): Promise<IndexedDBSaver> {
    const saver = new IndexedDBSaver(options);
    await saver.connection();
    return saver;
  }

  /** Closes the connection; the saver cannot be used afterwards. */
  async close(): Promise<void> {
    this.unusable = new CheckpointStorageError('This checkpoint saver was closed.', 'unknown');
    const db = this.db;
    this.db = undefined;
    if (db) (await db.catch(() => undefined))?.close();
  }

  private connection(): Promise<IDBPDatabase<CheckpointDB>> {
    if (this.unusable) return Promise.reject(this.unusable);
    if (!this.db) {
      const opening = this.openConnection();
      this.db = opening;
      opening.catch(() => {
        if (this.db === opening) this.db = undefined;
      });
    }
    return this.db;
  }

  private openConnection(): Promise<IDBPDatabase<CheckpointDB>> {
    return new Promise((resolve, reject) => {
      let settled = false;
      let blockedTimer: ReturnType<typeof setTimeout> | undefined;
      const callbacks: OpenDBCallbacks<CheckpointDB> = {
        upgrade: upgradeSchema,
        blocked: () => {
          this.options.onBlocked?.();
          blockedTimer ??= setTimeout(() => {
            settled = true;
            reject(
              new CheckpointStorageError(
                'Could not open the checkpoint database: another Agent Playground tab is using an older version of it. Close or reload the other tabs.',
                'blocked',
              ),
            );
          }, this.options.blockedTimeoutMs ?? 10_000);
        },
        // Another tab wants to upgrade or delete the database: step aside rather than
        // block it. A newer layout than ours means this page is out of date.
        blocking: (_current, blockedVersion, event) => {
          (event.target as IDBDatabase).close();
          this.db = undefined;
          if (blockedVersion !== null && blockedVersion > SCHEMA_VERSION) {
            this.unusable = new CheckpointStorageError(
              'Another tab upgraded Agent Playground and its checkpoint database; reload this page to keep saving.',
              'version',
            );
          }
          this.options.onVersionChange?.();
        },
        // The browser closed the connection (storage cleared, disk error): reopen on next use.
        terminated: () => {
          this.db = undefined;
        },
      };
      const opening = this.options.indexedDB
        ? openWithFactory(this.options.indexedDB, this.dbName, SCHEMA_VERSION, callbacks)
        : openDB<CheckpointDB>(this.dbName, SCHEMA_VERSION, callbacks);
      opening.then(
        (db) => {
          clearTimeout(blockedTimer);
          if (settled) {
            db.close(); // We already gave up waiting; nobody will use this connection.
            return;
          }
          settled = true;
          const missing = ALL_STORES.filter((store) => !db.objectStoreNames.contains(store));
          if (missing.length > 0) {
            db.close();
            reject(
              new CheckpointStorageError(
                `The database "${this.dbName}" is not a checkpoint database of this app (missing store "${missing[0]}").`,
                'version',
              ),
            );
            return;
          }
          resolve(db);
        },
        (error: unknown) => {
          clearTimeout(blockedTimer);
          if (settled) return;
          settled = true;
          reject(toStorageError(error, 'open the checkpoint database'));
        },
      );
    });
  }

  /**
   * Runs `body` in one transaction and waits for it to commit. If `body` fails the
   * transaction is aborted, so nothing it wrote remains; storage errors are mapped.
   */
  private async transact<Mode extends IDBTransactionMode, T>(
    stores: StoreName[],
    mode: Mode,
    action: string,
    body: (tx: Tx<Mode>) => Promise<T>,
  ): Promise<T> {
    const db = await this.connection();
    let tx: Tx<Mode>;
    try {
      tx = db.transaction(stores, mode);
    } catch (error) {
      throw toStorageError(error, action);
    }
    const work = body(tx).catch((error: unknown) => {
      abortQuietly(tx);
      throw error;
    });
    try {
      const [result] = await Promise.all([work, tx.done]);
      return result;
    } catch (error) {
      throw toStorageError(error, action);
    }
  }

  private async readRaw(tx: Tx<IDBTransactionMode>, row: CheckpointRow): Promise<RawTuple> {
    const { thread_id, checkpoint_ns, checkpoint_id } = row;
    const blobStore = tx.objectStore('blobs');
    const versions = row.checkpoint.channel_versions;
    const [blobs, writes] = await Promise.all([
      Promise.all(
        Object.keys(versions).map((channel) =>
          blobStore.get([thread_id, checkpoint_ns, channel, versions[channel]]),
        ),
      ),
      tx.objectStore('writes').getAll(writesRange(thread_id, checkpoint_ns, checkpoint_id)),
    ]);
    return { row, blobs, writes };
  }

  private decodeTuple({ row, blobs, writes }: RawTuple): CheckpointTuple {
    const stored = row.checkpoint;
    const channelValues: Record<string, unknown> = {};
    Object.keys(stored.channel_versions).forEach((channel, index) => {
      const blob = blobs[index];
      if (!blob) {
        throw new CheckpointStorageError(
          `The checkpoint database is missing version ${stored.channel_versions[channel]} of channel "${channel}" for checkpoint ${row.checkpoint_id}.`,
          'unknown',
        );
      }
      if (!blob.empty) channelValues[channel] = fromJSONSafe(blob.value);
    });
    const checkpoint: Checkpoint = {
      v: stored.v,
      id: stored.id,
      ts: stored.ts,
      channel_values: channelValues,
      channel_versions: stored.channel_versions,
      versions_seen: stored.versions_seen,
    };
    const tuple: CheckpointTuple = {
      config: checkpointConfig(row.thread_id, row.checkpoint_ns, row.checkpoint_id),
      checkpoint,
      metadata: decodeMetadata(row.metadata),
      // Key order: task id, then index.
      pendingWrites: writes.map((write) => [
        write.task_id,
        write.channel,
        fromJSONSafe(write.value),
      ]),
    };
    if (row.parent_checkpoint_id !== null) {
      tuple.parentConfig = checkpointConfig(
        row.thread_id,
        row.checkpoint_ns,
        row.parent_checkpoint_id,
      );
    }
    return tuple;
  }

  async getTuple(config: CheckpointConfig): Promise<CheckpointTuple | undefined> {
    const threadId = threadIdOf(config);
    const namespace = namespaceOf(config);
    const checkpointId = config.configurable.checkpoint_id;
    const raw = await this.transact(ALL_STORES, 'readonly', 'read a checkpoint', async (tx) => {
      const checkpoints = tx.objectStore('checkpoints');
      const row =
        checkpointId !== undefined
          ? await checkpoints.get([threadId, namespace, checkpointId])
          : (await checkpoints.openCursor(namespaceRange(threadId, namespace), 'prev'))?.value;
      return row && this.readRaw(tx, row);
    });
    return raw && this.decodeTuple(raw);
  }

  /**
   * Newest first, walking the key range backwards with a cursor, a page per transaction
   * (a transaction cannot stay open while the caller awaits between items).
   */
  async *list(
    config: CheckpointConfig,
    options: CheckpointListOptions = {},
  ): AsyncGenerator<CheckpointTuple> {
    const threadId = threadIdOf(config);
    const namespace = namespaceOf(config);
    let remaining = options.limit ?? Infinity;
    let beforeId = options.before?.configurable.checkpoint_id;
    while (remaining > 0) {
      const wanted = Math.min(remaining, LIST_PAGE_SIZE);
      const page = await this.transact(ALL_STORES, 'readonly', 'list checkpoints', async (tx) => {
        const rows: CheckpointRow[] = [];
        let lastId: string | undefined;
        let cursor = await tx
          .objectStore('checkpoints')
          .openCursor(namespaceRange(threadId, namespace, beforeId), 'prev');
        while (cursor && rows.length < wanted) {
          const row = cursor.value;
          lastId = row.checkpoint_id;
          if (matchesFilter(decodeMetadata(row.metadata), options.filter)) rows.push(row);
          cursor = await cursor.continue();
        }
        const raws = await Promise.all(rows.map((row) => this.readRaw(tx, row)));
        return { raws, lastId, exhausted: cursor === null };
      });
      for (const raw of page.raws) {
        remaining--;
        yield this.decodeTuple(raw);
      }
      if (page.exhausted || page.lastId === undefined) return;
      beforeId = page.lastId;
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

    const versions = checkpoint.channel_versions;
    const blobRow = (channel: string): BlobRow => {
      const row: BlobRow = {
        thread_id: threadId,
        checkpoint_ns: namespace,
        channel,
        version: versions[channel],
      };
      if (Object.hasOwn(checkpoint.channel_values, channel)) {
        row.value = withSerdePath(serdePath('channel_values', channel), () =>
          toJSONSafe(checkpoint.channel_values[channel]),
        );
      } else {
        row.empty = true;
      }
      return row;
    };
    // Encoded before the transaction: an unstorable value throws here, nothing written.
    const row: CheckpointRow = {
      thread_id: threadId,
      checkpoint_ns: namespace,
      checkpoint_id: checkpoint.id,
      parent_checkpoint_id: config.configurable.checkpoint_id ?? null,
      // Ids, timestamps and version numbers only (checked above); IndexedDB clones them.
      checkpoint: storedCheckpointOf(checkpoint),
      metadata: encodeMetadata(metadata),
    };
    const changed: BlobRow[] = [];
    const unchanged: string[] = [];
    for (const channel of Object.keys(versions)) {
      if (Object.hasOwn(newVersions, channel)) changed.push(blobRow(channel));
      else unchanged.push(channel);
    }

    await this.transact(
      ['checkpoints', 'blobs'],
      'readwrite',
      'save the checkpoint',
      async (tx) => {
        const blobs = tx.objectStore('blobs');
        const requests: Array<Promise<unknown>> = [tx.objectStore('checkpoints').put(row)];
        for (const blob of changed) requests.push(blobs.put(blob));
        // Unchanged channels reuse the stored version; one we do not hold yet (a caller
        // that left it out of newVersions) is stored now rather than lost.
        for (const channel of unchanged) {
          requests.push(
            blobs
              .getKey([threadId, namespace, channel, versions[channel]])
              .then((key) => (key === undefined ? blobs.put(blobRow(channel)) : undefined)),
          );
        }
        await Promise.all(requests);
      },
    );
    return checkpointConfig(threadId, namespace, checkpoint.id);
  }

  async putWrites(config: CheckpointConfig, writes: PendingWrite[], taskId: string): Promise<void> {
    const threadId = threadIdOf(config);
    const namespace = namespaceOf(config);
    const checkpointId = config.configurable.checkpoint_id;
    if (!checkpointId) throw new TypeError('putWrites needs `configurable.checkpoint_id`.');
    const indexes = writeIndexes(writes.map(([channel]) => channel));
    const rows = writes.map(([channel, value], position): WriteRow => ({
      thread_id: threadId,
      checkpoint_ns: namespace,
      checkpoint_id: checkpointId,
      task_id: taskId,
      idx: indexes[position],
      channel,
      value: withSerdePath(serdePath('writes', position, 1), () => toJSONSafe(value)),
    }));
    await this.transact(['writes'], 'readwrite', 'save pending writes', async (tx) => {
      // put() replaces a row with the same (task, idx) key, so repeating a call is
      // harmless and a special channel's write replaces the task's earlier one.
      const store = tx.objectStore('writes');
      await Promise.all(rows.map((row) => store.put(row)));
    });
  }

  async deleteThread(threadId: string): Promise<void> {
    await this.transact(ALL_STORES, 'readwrite', 'delete the thread', async (tx) => {
      const range = threadRange(threadId);
      await Promise.all(ALL_STORES.map((store) => tx.objectStore(store).delete(range)));
    });
  }

  async listThreads(): Promise<string[]> {
    return this.transact(['checkpoints'], 'readonly', 'list threads', async (tx) => {
      const threads: string[] = [];
      // Keys only, jumping past each thread's checkpoints: one step per thread.
      let cursor = await tx.objectStore('checkpoints').openKeyCursor();
      while (cursor) {
        const threadId = cursor.key[0];
        threads.push(threadId);
        cursor = await cursor.continue([threadId, AFTER_ALL_STRINGS] as unknown as [
          string,
          string,
          string,
        ]);
      }
      return threads;
    });
  }

  async exportThread(threadId: string): Promise<ThreadExport> {
    const range = threadRange(threadId);
    const [checkpoints, blobs, writes] = await this.transact(
      ALL_STORES,
      'readonly',
      'export the thread',
      (tx) =>
        Promise.all([
          tx.objectStore('checkpoints').getAll(range),
          tx.objectStore('blobs').getAll(range),
          tx.objectStore('writes').getAll(range),
        ]),
    );
    if (checkpoints.length === 0) {
      throw new Error(`There is no thread ${JSON.stringify(threadId)} to export.`);
    }
    const blobByKey = new Map<string, BlobRow>();
    for (const blob of blobs) {
      blobByKey.set(JSON.stringify([blob.checkpoint_ns, blob.channel, blob.version]), blob);
    }
    const writesByCheckpoint = new Map<string, WriteRow[]>();
    for (const write of writes) {
      const key = JSON.stringify([write.checkpoint_ns, write.checkpoint_id]);
      const list = writesByCheckpoint.get(key);
      if (list) list.push(write);
      else writesByCheckpoint.set(key, [write]);
    }
    // Rows are already encoded and in key order (namespace, then id): copy them out.
    return {
      format: THREAD_FILE_FORMAT,
      version: THREAD_FILE_VERSION,
      thread_id: threadId,
      exported_at: new Date().toISOString(),
      checkpoints: checkpoints.map((row) => {
        const versions = row.checkpoint.channel_versions;
        const channelValues: Record<string, unknown> = {};
        for (const channel of Object.keys(versions)) {
          const blob = blobByKey.get(
            JSON.stringify([row.checkpoint_ns, channel, versions[channel]]),
          );
          if (blob && !blob.empty) channelValues[channel] = blob.value;
        }
        return {
          checkpoint_ns: row.checkpoint_ns,
          checkpoint: { ...row.checkpoint, channel_values: channelValues },
          metadata: row.metadata as CheckpointMetadata,
          parent_checkpoint_id: row.parent_checkpoint_id,
          pending_writes: (
            writesByCheckpoint.get(JSON.stringify([row.checkpoint_ns, row.checkpoint_id])) ?? []
          ).map((write) => [write.task_id, write.channel, write.value]),
        };
      }),
    };
  }

  async importThread(data: unknown, options?: { threadId?: string }): Promise<string> {
    const file = validateThreadExport(data);
    const threadId = importTargetThreadId(file, options);
    const rows = threadExportRows(file, threadId);
    // One transaction: the existence check and every row, so a failure or a concurrent
    // import leaves nothing half-written.
    await this.transact(ALL_STORES, 'readwrite', 'import the thread', async (tx) => {
      const checkpoints = tx.objectStore('checkpoints');
      if ((await checkpoints.getKey(threadRange(threadId))) !== undefined) {
        throw threadExistsError(threadId);
      }
      const blobs = tx.objectStore('blobs');
      const writes = tx.objectStore('writes');
      await Promise.all([
        ...rows.checkpoints.map((row) => checkpoints.put(row)),
        ...rows.blobs.map((row) => blobs.put(row)),
        ...rows.writes.map((row) => writes.put(row)),
      ]);
    });
    return threadId;
  }
}
