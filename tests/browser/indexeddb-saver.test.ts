import { openDB, wrap, type IDBPDatabase } from 'idb';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CheckpointStorageError,
  IndexedDBSaver,
  SCHEMA_VERSION,
  SerdeError,
  emptyCheckpoint,
  toStorageError,
  type Checkpoint,
  type CheckpointConfig,
  type CheckpointMetadata,
} from '../../src/lib/checkpoint';
import { runSaverConformance } from '../../src/lib/checkpoint/conformance';

let counter = 0;
const uniqueDbName = (): string =>
  `test-checkpoints-${Date.now()}-${counter++}-${Math.random().toString(36).slice(2)}`;

runSaverConformance('IndexedDBSaver', async () => IndexedDBSaver.open({ dbName: uniqueDbName() }), {
  describe,
  it,
  expect,
  afterEach,
});

const thread = (checkpointId?: string): CheckpointConfig => ({
  configurable: {
    thread_id: 't',
    checkpoint_ns: '',
    ...(checkpointId ? { checkpoint_id: checkpointId } : {}),
  },
});

function checkpointWith(
  values: Record<string, unknown>,
  versions: Record<string, number>,
): Checkpoint {
  return { ...emptyCheckpoint(), channel_values: values, channel_versions: versions };
}

const metadata = (step: number): CheckpointMetadata => ({
  source: step < 0 ? 'input' : 'loop',
  step,
  parents: {},
});

/** Row counts per store, read with a separate raw connection. */
async function countRows(
  dbName: string,
  factory: IDBFactory = indexedDB,
): Promise<Record<string, number>> {
  const request = factory.open(dbName);
  const db = (await wrap(request)) as IDBPDatabase;
  try {
    const counts: Record<string, number> = {};
    for (const store of ['checkpoints', 'blobs', 'writes']) counts[store] = await db.count(store);
    return counts;
  } finally {
    db.close();
  }
}

/** Chromium's Storage Buckets API (not yet in TypeScript's DOM types). */
interface StorageBucketManager {
  open(name: string, options?: { quota?: number }): Promise<{ indexedDB: IDBFactory }>;
  delete(name: string): Promise<void>;
}
const storageBuckets = (): StorageBucketManager =>
  (navigator as unknown as { storageBuckets: StorageBucketManager }).storageBuckets;

describe('IndexedDBSaver in the browser', () => {
  const savers: IndexedDBSaver[] = [];
  afterEach(async () => {
    for (const saver of savers.splice(0)) await saver.close();
  });
  const open = async (dbName: string): Promise<IndexedDBSaver> => {
    const saver = await IndexedDBSaver.open({ dbName });
    savers.push(saver);
    return saver;
  };

  it('defaults to the app database name', () => {
    expect(new IndexedDBSaver().dbName).toBe('agent-playground-checkpoints');
  });

  it('persists across instances on the same database', async () => {
    const dbName = uniqueDbName();
    const first = await open(dbName);
    const checkpoint = checkpointWith({ at: new Date(7), list: [1, 2] }, { at: 1, list: 1 });
    const config = await first.put(thread(), checkpoint, metadata(-1), { at: 1, list: 1 });
    await first.putWrites(config, [['list', [3]]], 'task');
    await first.close();

    const second = await open(dbName);
    const tuple = await second.getTuple(thread());
    expect(tuple?.checkpoint).toEqual(checkpoint);
    expect(tuple?.checkpoint.channel_values.at).toBeInstanceOf(Date);
    expect(tuple?.pendingWrites).toEqual([['task', 'list', [3]]]);
    expect(await second.listThreads()).toEqual(['t']);
  });

  it('stores one blob per changed channel version, not per checkpoint', async () => {
    const dbName = uniqueDbName();
    const saver = await open(dbName);
    let config = thread();
    const messages: string[] = [];
    for (let step = 0; step < 10; step++) {
      messages.push(`m${step}`);
      const versions = { messages: step + 1, config: 1 };
      const checkpoint = checkpointWith(
        { messages: [...messages], config: { big: 'x' } },
        versions,
      );
      config = await saver.put(
        config,
        checkpoint,
        metadata(step),
        step === 0 ? versions : { messages: step + 1 },
      );
    }
    expect(await countRows(dbName)).toEqual({ checkpoints: 10, blobs: 11, writes: 0 });
    expect((await saver.getTuple(thread()))?.checkpoint.channel_values).toEqual({
      messages,
      config: { big: 'x' },
    });
  });

  it('refuses an unstorable value before its transaction starts, leaving the store unchanged', async () => {
    const dbName = uniqueDbName();
    const saver = await open(dbName);
    const good = checkpointWith({ a: 1, b: 'x' }, { a: 1, b: 1 });
    const config = await saver.put(thread(), good, metadata(-1), { a: 1, b: 1 });
    const before = await countRows(dbName);

    // `a` encodes fine; `b` does not, so neither the checkpoint nor `a`'s blob may land.
    const bad = checkpointWith({ a: 2, b: { nested: [() => 'code'] } }, { a: 2, b: 2 });
    const error = await saver
      .put(config, bad, metadata(0), { a: 2, b: 2 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SerdeError);
    expect((error as Error).message).toMatch(
      /cannot store a function.*\(at channel_values\.b\.nested\[0\]\)$/,
    );
    expect(await countRows(dbName)).toEqual(before);
    expect((await saver.getTuple(thread()))?.checkpoint.id).toBe(good.id);
  });

  it('maps a QuotaExceededError DOMException to a storage error a user understands', () => {
    const error = toStorageError(
      new DOMException('x', 'QuotaExceededError'),
      'save the checkpoint',
    );
    expect(error).toBeInstanceOf(CheckpointStorageError);
    expect((error as CheckpointStorageError).kind).toBe('quota');
    expect(error.message).toBe(
      'Browser storage is full: could not save the checkpoint; delete old threads or export them to files and delete them, then try again.',
    );
    expect((error as Error & { cause?: unknown }).cause).toBeInstanceOf(DOMException);
    expect(
      (toStorageError(new DOMException('x', 'VersionError'), 'open') as CheckpointStorageError)
        .kind,
    ).toBe('version');
    const unknown = toStorageError(new DOMException('disk on fire', 'UnknownError'), 'save');
    expect((unknown as CheckpointStorageError).kind).toBe('unknown');
    expect(unknown.message).toMatch(/Could not save: UnknownError: disk on fire/);
  });

  it('reports real quota exhaustion as kind "quota" and keeps the checkpoint all-or-nothing', async () => {
    // A Storage Bucket with a small quota: a real QuotaExceededError from Chromium's
    // IndexedDB, without filling the disk or touching the quota of other tests.
    const bucketName = `quota-test-${Math.random().toString(36).slice(2)}`;
    const bucket = await storageBuckets().open(bucketName, { quota: 512 * 1024 });
    try {
      const dbName = uniqueDbName();
      const saver = await IndexedDBSaver.open({ dbName, indexedDB: bucket.indexedDB });
      savers.push(saver);
      const small = checkpointWith({ small: 'ok', big: '' }, { small: 1, big: 1 });
      const config = await saver.put(thread(), small, metadata(-1), { small: 1, big: 1 });
      const before = await countRows(dbName, bucket.indexedDB);
      expect(before).toEqual({ checkpoints: 1, blobs: 2, writes: 0 });

      // Random bytes: Chromium compresses large values, so repetitive data would fit.
      const noise = new Uint8Array(2 * 1024 * 1024);
      for (let at = 0; at < noise.length; at += 65536) {
        crypto.getRandomValues(noise.subarray(at, at + 65536));
      }
      const huge = checkpointWith({ small: 'changed', big: noise }, { small: 2, big: 2 });
      const error = await saver
        .put(config, huge, metadata(0), { small: 2, big: 2 })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CheckpointStorageError);
      expect((error as CheckpointStorageError).kind).toBe('quota');
      expect((error as Error).message).toMatch(
        /^Browser storage is full: could not save the checkpoint; delete old threads or export them/,
      );
      // Neither the checkpoint record nor its small blob was kept.
      expect(await countRows(dbName, bucket.indexedDB)).toEqual(before);
      expect((await saver.getTuple(thread()))?.checkpoint.id).toBe(small.id);
      // The saver stays usable: the failed transaction did not break its connection. (A
      // follow-up write is not asserted: how soon Chromium gives back the space an aborted
      // transaction reserved in a full bucket varies with load.)
      const listed = [];
      for await (const tuple of saver.list(thread())) listed.push(tuple.checkpoint.id);
      expect(listed).toEqual([small.id]);
      await saver.close();
    } finally {
      await storageBuckets().delete(bucketName);
    }
  });

  it('opens a database created at version 1 by an earlier build and reads its rows', async () => {
    const dbName = uniqueDbName();
    // Written with the raw API, as an earlier release would have left it on disk.
    await new Promise<void>((resolve, reject) => {
      const request = indexedDB.open(dbName, 1);
      request.onupgradeneeded = () => {
        const db = request.result;
        db.createObjectStore('checkpoints', {
          keyPath: ['thread_id', 'checkpoint_ns', 'checkpoint_id'],
        });
        db.createObjectStore('blobs', {
          keyPath: ['thread_id', 'checkpoint_ns', 'channel', 'version'],
        });
        db.createObjectStore('writes', {
          keyPath: ['thread_id', 'checkpoint_ns', 'checkpoint_id', 'task_id', 'idx'],
        });
        const tx = request.transaction!;
        tx.objectStore('checkpoints').put({
          thread_id: 'old',
          checkpoint_ns: '',
          checkpoint_id: '0190a000-0000-7000-8000-000000000001',
          parent_checkpoint_id: null,
          checkpoint: {
            v: 1,
            id: '0190a000-0000-7000-8000-000000000001',
            ts: '2024-07-01T00:00:00.000Z',
            channel_versions: { messages: 1, gone: 1 },
            versions_seen: { agent: { messages: 1 } },
          },
          metadata: {
            source: 'input',
            step: -1,
            parents: {},
            at: { __ap: 'Date', v: '2024-07-01T00:00:00.000Z' },
          },
        });
        tx.objectStore('blobs').put({
          thread_id: 'old',
          checkpoint_ns: '',
          channel: 'messages',
          version: 1,
          value: [
            {
              role: 'user',
              content: 'hello',
              sent: { __ap: 'Date', v: '2024-07-01T00:00:00.000Z' },
            },
          ],
        });
        tx.objectStore('blobs').put({
          thread_id: 'old',
          checkpoint_ns: '',
          channel: 'gone',
          version: 1,
          empty: true,
        });
      };
      request.onsuccess = () => {
        request.result.close();
        resolve();
      };
      request.onerror = () => reject(request.error);
    });

    expect(SCHEMA_VERSION).toBe(1);
    const saver = await open(dbName);
    const tuple = await saver.getTuple({ configurable: { thread_id: 'old' } });
    expect(tuple?.checkpoint.channel_values).toEqual({
      messages: [{ role: 'user', content: 'hello', sent: new Date('2024-07-01T00:00:00.000Z') }],
    });
    expect(tuple?.metadata.at).toEqual(new Date('2024-07-01T00:00:00.000Z'));
    expect(await saver.listThreads()).toEqual(['old']);
    // And it keeps working on top of the old data.
    const next = {
      ...emptyCheckpoint(),
      channel_values: { messages: [] },
      channel_versions: { messages: 2, gone: 1 },
    };
    await saver.put(tuple!.config, next, metadata(0), { messages: 2 });
    expect((await saver.getTuple({ configurable: { thread_id: 'old' } }))?.parentConfig).toEqual(
      tuple!.config,
    );
  });

  it('refuses a database with the right version but not our stores', async () => {
    const dbName = uniqueDbName();
    const foreign = await openDB(dbName, SCHEMA_VERSION, {
      upgrade: (db) => void db.createObjectStore('something-else'),
    });
    foreign.close();
    const error = await IndexedDBSaver.open({ dbName }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CheckpointStorageError);
    expect((error as CheckpointStorageError).kind).toBe('version');
    expect((error as Error).message).toMatch(/missing store "checkpoints"/);
  });

  it('steps aside when another tab upgrades the database, then reports that a reload is needed', async () => {
    const dbName = uniqueDbName();
    let notified = 0;
    const saver = await IndexedDBSaver.open({ dbName, onVersionChange: () => notified++ });
    savers.push(saver);
    await saver.put(thread(), checkpointWith({ a: 1 }, { a: 1 }), metadata(-1), { a: 1 });

    // A newer build in another tab: its upgrade must not be blocked by our open connection.
    const newer = await openDB(dbName, SCHEMA_VERSION + 1, {
      blocked: () => {
        throw new Error('the saver did not close its connection');
      },
    });
    newer.close();
    expect(notified).toBe(1);
    const error = await saver.getTuple(thread()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CheckpointStorageError);
    expect((error as CheckpointStorageError).kind).toBe('version');
    expect((error as Error).message).toMatch(/reload this page/);
  });

  it('fails clearly after close()', async () => {
    const saver = await open(uniqueDbName());
    await saver.close();
    const error = await saver.listThreads().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CheckpointStorageError);
    expect((error as Error).message).toMatch(/closed/);
  });
});
