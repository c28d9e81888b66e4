/**
 * Resumable downloads of a Transformers.js model's files into the browser's Cache API,
 * stored exactly where Transformers.js looks for them: cache `transformers-cache`, keyed by
 * the remote URL `${remoteHost}${repo}/resolve/${revision}/${file}` (built with the same
 * path joining as `buildResourcePaths` in `@huggingface/transformers` 4.x). A later
 * `TransformersChatModel.load` with the same `env.remoteHost` then finds every file
 * without touching the network.
 *
 * While a file downloads, its bytes are saved to IndexedDB in chunks (4 MB by default), so
 * a dropped connection, a cancel or a closed tab loses at most one chunk. The next
 * download of that file asks the server for the rest with an HTTP `Range` request; if the
 * server ignores the range (200 instead of 206), the file restarts cleanly. Once complete,
 * the chunks are joined into one cached response and removed from IndexedDB.
 *
 * Every failure is a `DownloadError` with a `kind` and a message written for the user.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { CatalogEntry } from './catalog.js';
import { formatBytes } from './device.js';

/** Transformers.js's defaults (`env.remoteHost`, `env.remotePathTemplate`, `env.cacheKey`). */
export const DEFAULT_REMOTE_HOST = 'https://huggingface.co/';
export const REMOTE_PATH_TEMPLATE = '{model}/resolve/{revision}/';
export const TRANSFORMERS_CACHE_NAME = 'transformers-cache';
export const DEFAULT_CHUNK_BYTES = 4 * 1024 * 1024;

const DB_NAME = 'agent-playground-downloads';

/** Transformers.js's file-name suffix per dtype (`DEFAULT_DTYPE_SUFFIX_MAPPING`). */
export const DTYPE_SUFFIX: Readonly<Record<string, string>> = Object.freeze({
  fp32: '',
  fp16: '_fp16',
  int8: '_int8',
  uint8: '_uint8',
  q8: '_quantized',
  q4: '_q4',
  q4f16: '_q4f16',
  bnb4: '_bnb4',
});

// ---------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------

export type DownloadErrorKind =
  /** The connection dropped (or the server went away); what arrived is saved. */
  | 'network'
  /** The caller cancelled; what arrived is saved. */
  | 'aborted'
  /** Not enough storage, before starting or while writing. */
  | 'quota'
  /** HTTP 404: the repository (or that file of it) does not exist on this host. */
  | 'not-found'
  /** HTTP 401/403: a gated or private repository. */
  | 'unauthorized'
  /** Any other HTTP error. */
  | 'http'
  /** A bad hub address, or a server answer that makes no sense. */
  | 'invalid'
  /** The browser's storage failed for another reason. */
  | 'storage';

export class DownloadError extends Error {
  readonly kind: DownloadErrorKind;
  readonly file?: string;
  readonly status?: number;
  /** Bytes of `file` saved so far (resume starts here). */
  readonly savedBytes: number;
  /** 0–100 for `file`, when its size is known. */
  readonly percent?: number;

  constructor(
    kind: DownloadErrorKind,
    message: string,
    details: {
      file?: string;
      status?: number;
      savedBytes?: number;
      percent?: number;
      cause?: unknown;
    } = {},
  ) {
    super(message, { cause: details.cause });
    this.name = 'DownloadError';
    this.kind = kind;
    this.file = details.file;
    this.status = details.status;
    this.savedBytes = details.savedBytes ?? 0;
    this.percent = details.percent;
  }

  /** The user can press Download again and continue from the saved bytes. */
  get resumable(): boolean {
    return this.kind === 'network' || this.kind === 'aborted';
  }
}

// ---------------------------------------------------------------------------------------
// URLs and file names, as Transformers.js builds them
// ---------------------------------------------------------------------------------------

/** `pathJoin` from Transformers.js: strips the slashes between parts and joins with one. */
export function pathJoin(...parts: string[]): string {
  return parts
    .map((part, index) => {
      let p = part;
      if (index) p = p.replace(/^\//, '');
      if (index !== parts.length - 1) p = p.replace(/\/$/, '');
      return p;
    })
    .join('/');
}

/** A hub address as `env.remoteHost` takes it (with a trailing slash); empty → the default. */
export function normalizeRemoteHost(host?: string | null): string {
  const raw = (host ?? '').trim();
  if (!raw) return DEFAULT_REMOTE_HOST;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new DownloadError(
      'invalid',
      `“${raw}” is not a web address. A hub mirror looks like https://huggingface.co/.`,
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new DownloadError('invalid', `A hub mirror must be an http:// or https:// address.`);
  }
  url.search = '';
  url.hash = '';
  return url.href.endsWith('/') ? url.href : `${url.href}/`;
}

/** The URL Transformers.js fetches a file from, which is also its cache key. */
export function remoteFileUrl(
  remoteHost: string,
  repo: string,
  file: string,
  revision = 'main',
): string {
  return pathJoin(
    remoteHost,
    REMOTE_PATH_TEMPLATE.replaceAll('{model}', repo).replaceAll(
      '{revision}',
      encodeURIComponent(revision),
    ),
    file,
  );
}

/** `onnx/model_q4f16.onnx` for `q4f16`, `onnx/model.onnx` for `fp32`, and so on. */
export function onnxFileName(dtype: string, baseName = 'model', subfolder = 'onnx'): string {
  const suffix = DTYPE_SUFFIX[dtype];
  if (suffix === undefined) {
    throw new DownloadError(
      'invalid',
      `Unknown dtype “${dtype}”; use one of ${Object.keys(DTYPE_SUFFIX).join(', ')}.`,
    );
  }
  return `${subfolder ? `${subfolder}/` : ''}${baseName}${suffix}.onnx`;
}

/** `model.onnx_data`, `model.onnx_data_1`, … (Transformers.js `getExternalDataChunkNames`). */
export function externalDataNames(onnxFile: string, chunks: number): string[] {
  return Array.from({ length: chunks }, (_, i) => `${onnxFile}_data${i === 0 ? '' : `_${i}`}`);
}

/** How many external-data chunks config.json declares for this ONNX file (0 = none). */
export function externalDataChunks(
  config: unknown,
  onnxBaseName: string,
  fileName = 'model',
  device?: string,
): number {
  const root = (config as Record<string, unknown> | null)?.['transformers.js_config'] as
    Record<string, unknown> | undefined;
  if (!root) return 0;
  const deviceConfig = (
    root.device_config as Record<string, Record<string, unknown>> | undefined
  )?.[device ?? ''];
  const format = (deviceConfig?.use_external_data_format ?? root.use_external_data_format) as
    boolean | number | Record<string, boolean | number> | undefined;
  if (!format) return 0;
  if (typeof format === 'object') {
    if (onnxBaseName in format) return +format[onnxBaseName];
    if (fileName in format) return +format[fileName];
    return 0;
  }
  return +format;
}

// ---------------------------------------------------------------------------------------
// Targets
// ---------------------------------------------------------------------------------------

/** What to download: a repository, a dtype, and where from. */
export interface DownloadTarget {
  repo: string;
  dtype: string;
  /** Hub or mirror; Transformers.js's default when absent. */
  remoteHost?: string;
  revision?: string;
  /** For `device_config` in config.json. */
  device?: string;
}

export function downloadTarget(
  entry: Pick<CatalogEntry, 'transformers'>,
  options: { dtype?: string; device?: 'webgpu' | 'wasm'; remoteHost?: string } = {},
): DownloadTarget {
  if (!entry.transformers) {
    throw new DownloadError('invalid', 'Only Transformers.js models are downloaded this way.');
  }
  const device = options.device ?? 'wasm';
  return {
    repo: entry.transformers.repo,
    dtype: options.dtype ?? entry.transformers.dtype[device],
    remoteHost: options.remoteHost,
    device,
  };
}

type TargetLike = DownloadTarget | Pick<CatalogEntry, 'transformers'>;

function repoOf(target: TargetLike): string {
  if ('repo' in target) return target.repo;
  if (!target.transformers) throw new DownloadError('invalid', 'Not a Transformers.js model.');
  return target.transformers.repo;
}

/** The text and config files every Transformers.js decoder load asks for. */
const METADATA_FILES: Array<{ name: string; optional: boolean }> = [
  { name: 'config.json', optional: false },
  { name: 'generation_config.json', optional: true },
  { name: 'tokenizer.json', optional: false },
  { name: 'tokenizer_config.json', optional: false },
];

// ---------------------------------------------------------------------------------------
// Partial files in IndexedDB
// ---------------------------------------------------------------------------------------

interface PartialRecord {
  url: string;
  /** Expected size, when the server told us. */
  total: number | null;
  bytes: number;
  chunks: number;
  updatedAt: number;
}

interface DownloadDB extends DBSchema {
  partials: { key: string; value: PartialRecord };
  chunks: { key: [string, number]; value: Blob };
}

let dbPromise: Promise<IDBPDatabase<DownloadDB>> | null = null;

function db(): Promise<IDBPDatabase<DownloadDB>> {
  dbPromise ??= openDB<DownloadDB>(DB_NAME, 1, {
    upgrade(database) {
      database.createObjectStore('partials', { keyPath: 'url' });
      database.createObjectStore('chunks');
    },
  }).catch((error) => {
    dbPromise = null;
    throw error;
  });
  return dbPromise;
}

async function readPartial(url: string): Promise<PartialRecord | undefined> {
  return (await db()).get('partials', url);
}

async function clearPartial(url: string): Promise<void> {
  const database = await db();
  const tx = database.transaction(['partials', 'chunks'], 'readwrite');
  await Promise.all([
    tx.objectStore('partials').delete(url),
    tx.objectStore('chunks').delete(IDBKeyRange.bound([url, 0], [url, Infinity])),
    tx.done,
  ]);
}

async function appendChunk(record: PartialRecord, data: Blob): Promise<PartialRecord> {
  const database = await db();
  const next: PartialRecord = {
    ...record,
    bytes: record.bytes + data.size,
    chunks: record.chunks + 1,
    updatedAt: Date.now(),
  };
  const tx = database.transaction(['partials', 'chunks'], 'readwrite');
  await Promise.all([
    tx.objectStore('chunks').put(data, [record.url, record.chunks]),
    tx.objectStore('partials').put(next),
    tx.done,
  ]);
  return next;
}

async function partialBlob(record: PartialRecord): Promise<Blob> {
  const database = await db();
  const blobs = await database.getAll(
    'chunks',
    IDBKeyRange.bound([record.url, 0], [record.url, Infinity]),
  );
  return new Blob(blobs);
}

// ---------------------------------------------------------------------------------------
// Progress
// ---------------------------------------------------------------------------------------

export type FileState = 'pending' | 'cached' | 'downloading' | 'done' | 'partial' | 'failed';

export interface FileProgress {
  /** Path inside the repository, e.g. `onnx/model_q4f16.onnx`. */
  name: string;
  url: string;
  /** Bytes, when known. */
  total: number | null;
  loaded: number;
  state: FileState;
}

export interface DownloadProgress {
  phase: 'listing' | 'downloading' | 'saving' | 'done';
  files: FileProgress[];
  /** Bytes of all files present (cached, saved or just received). */
  loaded: number;
  /** Bytes of all files, when every size is known. */
  total: number | null;
  /** 0–100, when `total` is known. */
  percent: number | null;
  /** Smoothed (exponential moving average). */
  bytesPerSecond: number;
  /** Seconds left at the smoothed speed, when it can be estimated. */
  etaSeconds: number | null;
  /** The file being transferred. */
  current?: string;
}

export interface DownloadLogEntry {
  file: string;
  /** `Range` start sent (0 = whole file). */
  rangeStart: number;
  status: number;
  /** The server ignored the range and the file restarted from zero. */
  restarted?: boolean;
}

// ---------------------------------------------------------------------------------------
// The download
// ---------------------------------------------------------------------------------------

export interface ModelDownloadOptions {
  fetch?: typeof fetch;
  chunkBytes?: number;
  onProgress?: (progress: DownloadProgress) => void;
  /** Least time between two progress reports, ms (file changes always report). */
  progressIntervalMs?: number;
}

interface PlannedFile {
  name: string;
  url: string;
  total: number | null;
  cached: boolean;
  /** A text file we already fetched while planning (config.json). */
  prefetched?: Blob;
}

function baseName(file: string): string {
  return file.split('/').pop() ?? file;
}

function isAbort(error: unknown): boolean {
  return (error as { name?: string })?.name === 'AbortError';
}

function isQuota(error: unknown): boolean {
  const e = error as { name?: string; message?: string; inner?: { name?: string } };
  return (
    e?.name === 'QuotaExceededError' ||
    e?.inner?.name === 'QuotaExceededError' ||
    /quota/i.test(e?.message ?? '')
  );
}

function httpError(status: number, repo: string, file: string, host: string): DownloadError {
  if (status === 404) {
    return new DownloadError(
      'not-found',
      `The repository ${repo} has no file ${file} on ${host} (HTTP 404). Check the repository id and the dtype, or the hub mirror.`,
      { file, status },
    );
  }
  if (status === 401 || status === 403) {
    return new DownloadError(
      'unauthorized',
      `${host} refused ${file} of ${repo} (HTTP ${status}): the repository is gated or private. Accept its licence on the hub, or use a public copy or a mirror that serves it.`,
      { file, status },
    );
  }
  return new DownloadError(
    'http',
    `${host} answered HTTP ${status} for ${file} of ${repo}. Try again later or use another hub mirror.`,
    { file, status },
  );
}

function sizeFromHeaders(headers: Headers): number | null {
  const linked = headers.get('x-linked-size');
  if (linked && /^\d+$/.test(linked)) return Number(linked);
  const length = headers.get('content-length');
  if (length && /^\d+$/.test(length) && !headers.get('content-encoding')) return Number(length);
  return null;
}

async function cachedSize(cache: Cache, url: string): Promise<number | null> {
  const response = await cache.match(url);
  if (!response) return null;
  const length = response.headers.get('content-length');
  if (length && /^\d+$/.test(length)) return Number(length);
  return (await response.blob()).size;
}

export class ModelDownload {
  readonly repo: string;
  readonly dtype: string;
  readonly remoteHost: string;
  readonly revision: string;
  readonly device?: string;
  /** Every GET this download made: which range it asked for and what came back. */
  readonly log: DownloadLogEntry[] = [];

  private readonly fetchImpl: typeof fetch;
  private readonly chunkBytes: number;
  private readonly progressIntervalMs: number;
  private onProgress?: (progress: DownloadProgress) => void;
  private files: FileProgress[] = [];
  private speed = 0;
  private lastSample: { at: number; loaded: number } | null = null;
  private lastReport = 0;
  private phase: DownloadProgress['phase'] = 'listing';
  private current?: string;

  constructor(target: DownloadTarget, options: ModelDownloadOptions = {}) {
    this.repo = target.repo;
    this.dtype = target.dtype;
    this.remoteHost = normalizeRemoteHost(target.remoteHost);
    this.revision = target.revision ?? 'main';
    this.device = target.device;
    this.fetchImpl = options.fetch ?? ((...args) => globalThis.fetch(...args));
    this.chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
    this.progressIntervalMs = options.progressIntervalMs ?? 100;
    this.onProgress = options.onProgress;
  }

  url(file: string): string {
    return remoteFileUrl(this.remoteHost, this.repo, file, this.revision);
  }

  private get hostLabel(): string {
    return new URL(this.remoteHost).host;
  }

  /**
   * Which files a load needs and their sizes: config.json first (its
   * `transformers.js_config` says whether the ONNX weights have external data), then a
   * HEAD per file. Files already complete in the cache are not asked about.
   */
  async plan(signal?: AbortSignal): Promise<PlannedFile[]> {
    const cache = await caches.open(TRANSFORMERS_CACHE_NAME);
    const planned: PlannedFile[] = [];

    const configUrl = this.url('config.json');
    let configText: string;
    const cachedConfig = await cache.match(configUrl);
    if (cachedConfig) {
      configText = await cachedConfig.text();
      planned.push({
        name: 'config.json',
        url: configUrl,
        total: new Blob([configText]).size,
        cached: true,
      });
    } else {
      const response = await this.request(configUrl, 'config.json', 0, signal);
      const blob = await response.blob().catch((error) => {
        throw this.transferError(error, 'config.json', 0, null);
      });
      configText = await blob.text();
      planned.push({
        name: 'config.json',
        url: configUrl,
        total: blob.size,
        cached: false,
        prefetched: blob,
      });
    }
    let config: unknown;
    try {
      config = JSON.parse(configText);
    } catch {
      throw new DownloadError(
        'invalid',
        `config.json of ${this.repo} on ${this.hostLabel} is not JSON; is the hub mirror address right?`,
        { file: 'config.json' },
      );
    }

    const onnx = onnxFileName(this.dtype);
    const onnxBase = baseName(onnx);
    const declared = externalDataChunks(config, onnxBase, 'model', this.device);
    // Not declared: take `.onnx_data` along if the repository has one (asked once, while
    // the weights themselves are not cached yet).
    const probe = declared === 0 && !(await cache.match(this.url(onnx)));
    const candidates: Array<{ name: string; optional: boolean }> = [
      ...METADATA_FILES.filter((f) => f.name !== 'config.json'),
      { name: onnx, optional: false },
      ...externalDataNames(onnx, declared).map((name) => ({ name, optional: false })),
      ...(probe ? [{ name: `${onnx}_data`, optional: true }] : []),
    ];
    const sized = await Promise.all(
      candidates.map(async ({ name, optional }) => {
        const url = this.url(name);
        const size = await cachedSize(cache, url);
        if (size !== null) return { name, url, total: size, cached: true };
        const total = await this.head(url, name, optional, signal);
        if (total === undefined) return null;
        return { name, url, total, cached: false };
      }),
    );
    for (const file of sized) if (file) planned.push(file);
    return planned;
  }

  /** Size of a file, `null` if the server does not say, `undefined` if optional and absent. */
  private async head(
    url: string,
    name: string,
    optional: boolean,
    signal?: AbortSignal,
  ): Promise<number | null | undefined> {
    let response: Response;
    try {
      response = await this.fetchImpl(url, { method: 'HEAD', signal, cache: 'no-store' });
    } catch (error) {
      throw this.transferError(error, name, 0, null);
    }
    if (response.status === 404 && optional) return undefined;
    if (!response.ok) throw httpError(response.status, this.repo, name, this.hostLabel);
    return sizeFromHeaders(response.headers);
  }

  /** A GET, with `Range: bytes=start-` when resuming; HTTP errors become `DownloadError`s. */
  private async request(
    url: string,
    name: string,
    start: number,
    signal?: AbortSignal,
  ): Promise<Response> {
    let response: Response;
    try {
      response = await this.fetchImpl(url, {
        signal,
        cache: 'no-store',
        headers: start > 0 ? { Range: `bytes=${start}-` } : {},
      });
    } catch (error) {
      throw this.transferError(error, name, start, null);
    }
    this.log.push({ file: name, rangeStart: start, status: response.status });
    if (!response.ok && response.status !== 416) {
      throw httpError(response.status, this.repo, name, this.hostLabel);
    }
    return response;
  }

  private transferError(
    error: unknown,
    name: string,
    saved: number,
    total: number | null,
  ): DownloadError {
    if (error instanceof DownloadError) return error;
    const percent = total ? Math.floor((saved / total) * 100) : undefined;
    const where = percent !== undefined ? `at ${percent}% of ${baseName(name)}` : `on ${name}`;
    const kept = `${formatBytes(saved)} are saved — press Download to resume.`;
    if (isAbort(error)) {
      return new DownloadError(
        'aborted',
        `Download cancelled ${where}. ${saved > 0 ? kept : ''}`.trim(),
        { file: name, savedBytes: saved, percent, cause: error },
      );
    }
    if (isQuota(error)) {
      return new DownloadError(
        'quota',
        `The browser's storage for this site is full (while saving ${baseName(name)}). Delete models you no longer need, or press “Keep downloaded models” so the browser grants more room.`,
        { file: name, savedBytes: saved, percent, cause: error },
      );
    }
    const message =
      saved > 0 || percent !== undefined
        ? `Connection lost ${where}; ${saved > 0 ? kept : 'press Download to try again.'}`
        : `Could not reach ${this.hostLabel} for ${name}: check the connection or the hub mirror address, then press Download again.`;
    return new DownloadError('network', message, {
      file: name,
      savedBytes: saved,
      percent,
      cause: error,
    });
  }

  private snapshot(): DownloadProgress {
    const loaded = this.files.reduce((sum, f) => sum + f.loaded, 0);
    const known = this.files.every((f) => f.total !== null);
    const total = known ? this.files.reduce((sum, f) => sum + (f.total ?? 0), 0) : null;
    const remaining = total !== null ? Math.max(0, total - loaded) : null;
    return {
      phase: this.phase,
      files: this.files.map((f) => ({ ...f })),
      loaded,
      total,
      percent:
        this.files.length === 0 || total === null
          ? null
          : total > 0
            ? Math.min(100, (loaded / total) * 100)
            : 100,
      bytesPerSecond: this.speed,
      etaSeconds:
        remaining !== null && this.speed > 0 && this.phase === 'downloading'
          ? remaining / this.speed
          : null,
      current: this.current,
    };
  }

  private report(force = false): void {
    const now = performance.now();
    const loaded = this.files.reduce((sum, f) => sum + f.loaded, 0);
    if (!this.lastSample) this.lastSample = { at: now, loaded };
    const elapsed = now - this.lastSample.at;
    if (elapsed >= 250) {
      const instant = ((loaded - this.lastSample.loaded) / elapsed) * 1000;
      this.speed = this.speed > 0 ? 0.3 * instant + 0.7 * this.speed : instant;
      this.lastSample = { at: now, loaded };
    }
    if (!force && now - this.lastReport < this.progressIntervalMs) return;
    this.lastReport = now;
    this.onProgress?.(this.snapshot());
  }

  /**
   * Downloads every file that is not complete in the cache yet. Resolves when all are
   * cached; rejects with a `DownloadError` (partial bytes stay saved for the next call).
   */
  async start(
    options: { signal?: AbortSignal; onProgress?: (p: DownloadProgress) => void } = {},
  ): Promise<DownloadProgress> {
    const { signal } = options;
    if (options.onProgress) this.onProgress = options.onProgress;
    this.phase = 'listing';
    this.files = [];
    this.report(true);
    const planned = await this.plan(signal);
    const partials = await Promise.all(planned.map((f) => readPartial(f.url)));
    this.files = planned.map((f, i) => ({
      name: f.name,
      url: f.url,
      total: f.total,
      loaded: f.cached ? (f.total ?? 0) : (partials[i]?.bytes ?? 0),
      state: f.cached ? 'cached' : partials[i]?.bytes ? 'partial' : 'pending',
    }));
    await this.checkQuota(planned, partials);

    const cache = await caches.open(TRANSFORMERS_CACHE_NAME);
    this.phase = 'downloading';
    this.lastSample = null;
    this.report(true);
    for (let i = 0; i < planned.length; i++) {
      const file = planned[i];
      if (file.cached) continue;
      const progress = this.files[i];
      this.current = file.name;
      try {
        if (file.prefetched) {
          await this.store(cache, file.url, file.prefetched, file.name);
          progress.loaded = file.prefetched.size;
        } else {
          await this.downloadFile(cache, file, progress, signal);
        }
        progress.state = 'done';
      } catch (error) {
        progress.state = progress.loaded > 0 ? 'partial' : 'failed';
        this.report(true);
        throw this.transferError(error, file.name, progress.loaded, file.total);
      }
      this.report(true);
    }
    this.current = undefined;
    this.phase = 'done';
    const done = this.snapshot();
    this.onProgress?.(done);
    return done;
  }

  private async checkQuota(
    planned: PlannedFile[],
    partials: Array<PartialRecord | undefined>,
  ): Promise<void> {
    const storage = (globalThis.navigator as Navigator | undefined)?.storage;
    if (!storage?.estimate) return;
    const estimate = await storage.estimate().catch(() => null);
    if (!estimate?.quota) return;
    let remaining = 0;
    let largest = 0;
    planned.forEach((file, i) => {
      if (file.cached || file.total === null) return;
      remaining += Math.max(0, file.total - (partials[i]?.bytes ?? 0));
      largest = Math.max(largest, file.total);
    });
    // Joining a file's chunks into its cached copy briefly holds both.
    const needed = remaining + largest;
    const free = estimate.quota - (estimate.usage ?? 0);
    if (needed > free) {
      throw new DownloadError(
        'quota',
        `Not enough storage: this download needs about ${formatBytes(needed)} (including room to assemble the largest file), but the browser allows this site only ${formatBytes(free)} more. Delete models you no longer need, or press “Keep downloaded models” so the browser may grant more room.`,
      );
    }
  }

  private async store(cache: Cache, url: string, body: Blob, name: string): Promise<void> {
    const headers = new Headers({
      'content-type': name.endsWith('.json')
        ? 'application/json; charset=utf-8'
        : 'application/octet-stream',
      'content-length': String(body.size),
    });
    try {
      await cache.put(url, new Response(body, { status: 200, headers }));
    } catch (error) {
      if (isQuota(error)) throw error;
      throw new DownloadError(
        'storage',
        `The browser could not store ${name} in its cache: ${(error as Error).message}`,
        { file: name, cause: error },
      );
    }
  }

  private async downloadFile(
    cache: Cache,
    file: PlannedFile,
    progress: FileProgress,
    signal?: AbortSignal,
  ): Promise<void> {
    let record: PartialRecord = (await readPartial(file.url)) ?? {
      url: file.url,
      total: file.total,
      bytes: 0,
      chunks: 0,
      updatedAt: Date.now(),
    };
    // The file changed on the server since the bytes were saved: start over.
    if (record.bytes > 0 && file.total !== null && record.total !== file.total) {
      await clearPartial(file.url);
      record = { ...record, total: file.total, bytes: 0, chunks: 0 };
    }
    progress.loaded = record.bytes;

    if (file.total === null || record.bytes < file.total) {
      progress.state = 'downloading';
      this.report(true);
      let response = await this.request(file.url, file.name, record.bytes, signal);
      if (
        response.status === 416 ||
        (response.status === 206 && !this.rangeMatches(response, record.bytes))
      ) {
        // The saved bytes do not fit what the server has now: start over.
        await response.body?.cancel().catch(() => {});
        await clearPartial(file.url);
        record = { ...record, bytes: 0, chunks: 0 };
        progress.loaded = 0;
        response = await this.request(file.url, file.name, 0, signal);
      } else if (response.status === 200 && record.bytes > 0) {
        // The server ignored the Range header and sends the whole file: restart cleanly.
        const last = this.log[this.log.length - 1];
        if (last) last.restarted = true;
        await clearPartial(file.url);
        record = { ...record, bytes: 0, chunks: 0 };
        progress.loaded = 0;
      }
      if (record.total === null) record.total = file.total ?? totalFromResponse(response);
      if (file.total === null && record.total !== null) {
        file.total = record.total;
        progress.total = record.total;
      }
      record = await this.stream(response, record, progress, file, signal);
    }

    this.phase = 'saving';
    this.report(true);
    const blob = await partialBlob(record);
    if (file.total !== null && blob.size !== file.total) {
      await clearPartial(file.url);
      throw new DownloadError(
        'invalid',
        `${file.name} arrived with ${formatBytes(blob.size)} instead of ${formatBytes(file.total)}; its saved bytes were discarded. Press Download to fetch it again.`,
        { file: file.name },
      );
    }
    await this.store(cache, file.url, blob, file.name);
    await clearPartial(file.url);
    this.phase = 'downloading';
  }

  private rangeMatches(response: Response, start: number): boolean {
    const range = response.headers.get('content-range');
    const match = range?.match(/^bytes (\d+)-/);
    return !!match && Number(match[1]) === start;
  }

  /** Reads the body, saving a chunk to IndexedDB every `chunkBytes`; returns the record. */
  private async stream(
    response: Response,
    initial: PartialRecord,
    progress: FileProgress,
    file: PlannedFile,
    signal?: AbortSignal,
  ): Promise<PartialRecord> {
    let record = initial;
    const body = response.body;
    if (!body) throw new DownloadError('invalid', `${file.name}: the server sent no body.`);
    const reader = body.getReader();
    let buffered: Uint8Array[] = [];
    let bufferedBytes = 0;
    const flush = async () => {
      if (bufferedBytes === 0) return;
      const blob = new Blob(buffered as BlobPart[]);
      buffered = [];
      bufferedBytes = 0;
      record = await appendChunk(record, blob);
    };
    const onAbort = () => reader.cancel(signal?.reason).catch(() => {});
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      while (true) {
        if (signal?.aborted) throw signal.reason ?? new DOMException('Aborted', 'AbortError');
        const { done, value } = await reader.read();
        if (done) break;
        buffered.push(value);
        bufferedBytes += value.byteLength;
        progress.loaded = record.bytes + bufferedBytes;
        if (bufferedBytes >= this.chunkBytes) await flush();
        this.report();
      }
      if (signal?.aborted) throw signal.reason ?? new DOMException('Aborted', 'AbortError');
      await flush();
    } catch (error) {
      // Keep everything that arrived, so the next attempt resumes from here.
      await flush().catch(() => {});
      progress.loaded = record.bytes;
      throw this.transferError(
        isAbort(error) || signal?.aborted ? new DOMException('Aborted', 'AbortError') : error,
        file.name,
        record.bytes,
        file.total,
      );
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
    if (
      file.total !== null &&
      record.bytes < file.total &&
      !response.headers.get('content-encoding')
    ) {
      // The body ended early without an error: the connection closed mid-file.
      throw this.transferError(
        new TypeError('body ended early'),
        file.name,
        record.bytes,
        file.total,
      );
    }
    return record;
  }
}

function totalFromResponse(response: Response): number | null {
  const range = response.headers.get('content-range')?.match(/\/(\d+)$/);
  if (range) return Number(range[1]);
  if (response.status === 200) return sizeFromHeaders(response.headers);
  return null;
}

// ---------------------------------------------------------------------------------------
// What is stored, and deleting it
// ---------------------------------------------------------------------------------------

/** `…/<repo>/resolve/` on any host: a model's files whichever mirror they came from. */
function belongsTo(url: string, repo: string): boolean {
  try {
    return new URL(url).pathname.includes(`/${repo}/resolve/`);
  } catch {
    return false;
  }
}

async function cacheKeysOf(repo: string): Promise<{ cache: Cache; keys: Request[] } | null> {
  if (typeof caches === 'undefined') return null;
  const cache = await caches.open(TRANSFORMERS_CACHE_NAME);
  const keys = (await cache.keys()).filter((request) => belongsTo(request.url, repo));
  return { cache, keys };
}

/** Bytes of a model's complete files in the cache (every dtype, every hub host). */
export async function cachedBytes(target: TargetLike): Promise<number> {
  const found = await cacheKeysOf(repoOf(target));
  if (!found) return 0;
  let total = 0;
  for (const key of found.keys) total += (await cachedSize(found.cache, key.url)) ?? 0;
  return total;
}

/** Bytes saved of files that are still downloading (or were interrupted). */
export async function partialBytes(target: TargetLike): Promise<number> {
  const repo = repoOf(target);
  const records = await (await db()).getAll('partials');
  return records.filter((r) => belongsTo(r.url, repo)).reduce((sum, r) => sum + r.bytes, 0);
}

export interface DownloadStatus {
  /** Every file a load of this dtype needs is in the cache (under this host). */
  complete: boolean;
  cachedBytes: number;
  partialBytes: number;
  /** Files still missing for `complete`, when config.json is cached (else just it). */
  missing: string[];
}

/** What is stored for a target, without the network. */
export async function downloadStatus(target: DownloadTarget): Promise<DownloadStatus> {
  const [stored, partial] = await Promise.all([cachedBytes(target), partialBytes(target)]);
  if (typeof caches === 'undefined') {
    return { complete: false, cachedBytes: 0, partialBytes: partial, missing: [] };
  }
  const host = normalizeRemoteHost(target.remoteHost);
  const url = (file: string) => remoteFileUrl(host, target.repo, file, target.revision);
  const cache = await caches.open(TRANSFORMERS_CACHE_NAME);
  const config = await cache.match(url('config.json'));
  if (!config) {
    return {
      complete: false,
      cachedBytes: stored,
      partialBytes: partial,
      missing: ['config.json'],
    };
  }
  let parsed: unknown = null;
  try {
    parsed = JSON.parse(await config.text());
  } catch {
    // A broken config counts as missing files below.
  }
  const onnx = onnxFileName(target.dtype);
  const chunks = externalDataChunks(parsed, baseName(onnx), 'model', target.device);
  const required = [
    ...METADATA_FILES.filter((f) => !f.optional).map((f) => f.name),
    onnx,
    ...externalDataNames(onnx, chunks),
  ];
  const missing: string[] = [];
  for (const file of required) if (!(await cache.match(url(file)))) missing.push(file);
  return {
    complete: parsed !== null && missing.length === 0,
    cachedBytes: stored,
    partialBytes: partial,
    missing,
  };
}

/** Removes a model's cached files (every dtype, every hub host) and its partial downloads. */
export async function deleteDownload(target: TargetLike): Promise<void> {
  const repo = repoOf(target);
  const found = await cacheKeysOf(repo);
  if (found) await Promise.all(found.keys.map((key) => found.cache.delete(key)));
  const records = await (await db()).getAll('partials');
  for (const record of records) if (belongsTo(record.url, repo)) await clearPartial(record.url);
}
