/**
 * Checkpointing: snapshots of a graph's state after every step, so runs can resume,
 * rewind, fork and be shared. Plain TypeScript that runs unchanged in Node, a Worker and
 * the page. The conformance suite lives in './conformance' (it is test code).
 */
export * from './types';
export { MemorySaver } from './memory';
export {
  IndexedDBSaver,
  DEFAULT_DB_NAME,
  SCHEMA_VERSION,
  toStorageError,
  upgradeSchema,
  type IndexedDBSaverOptions,
} from './indexeddb';
export { SPECIAL_WRITE_INDEX } from './rows';
export { SerdeError, toJSONSafe, fromJSONSafe, dumps, loads, deepCopy } from './serde';
export { validateThreadExport, THREAD_FILE_FORMAT, THREAD_FILE_VERSION } from './thread-file';
