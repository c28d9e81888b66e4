/**
 * The model downloader against a loopback hub (started in Node by
 * `downloads.global-setup.ts`): files land in the Cache API under the keys Transformers.js
 * looks up, progress is reported, a dropped connection resumes with a Range request from
 * the saved bytes, a server that ignores Range restarts the file cleanly, cancel keeps
 * what arrived, and HTTP and quota failures are typed errors with plain messages.
 */
import { afterEach, beforeEach, describe, expect, inject, it, vi } from 'vitest';
import {
  DownloadError,
  ModelDownload,
  TRANSFORMERS_CACHE_NAME,
  cachedBytes,
  deleteDownload,
  downloadStatus,
  normalizeRemoteHost,
  onnxFileName,
  partialBytes,
  remoteFileUrl,
  type DownloadProgress,
} from '../../src/lib/llm/downloads';
import { fakeBytes } from '../fixtures/fake-bytes';

const hubUrl = inject('hubUrl');
const REPO = 'test-org/tiny-model';
const EXTERNAL = 'test-org/external-data';

interface HubRequest {
  method: string;
  path: string;
  range: string | null;
  status: number;
  sent: number;
  dropped?: boolean;
}

async function faults(value: unknown): Promise<void> {
  await fetch(`${hubUrl}__hub/faults`, { method: 'POST', body: JSON.stringify(value) });
}
async function hubLog(): Promise<HubRequest[]> {
  return (await fetch(`${hubUrl}__hub/log`)).json();
}

/** Byte equality (`toEqual` on a megabyte array is slow). */
function sameBytes(a: Uint8Array | null, b: Uint8Array): boolean {
  if (!a || a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}

async function cachedFile(repo: string, file: string): Promise<Uint8Array | null> {
  const cache = await caches.open(TRANSFORMERS_CACHE_NAME);
  const response = await cache.match(remoteFileUrl(hubUrl, repo, file));
  return response ? new Uint8Array(await response.arrayBuffer()) : null;
}

beforeEach(async () => {
  await fetch(`${hubUrl}__hub/reset`, { method: 'POST' });
  await deleteDownload({ repo: REPO, dtype: 'fp32' });
  await deleteDownload({ repo: EXTERNAL, dtype: 'q4f16' });
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('URLs and file names', () => {
  it('builds the URLs Transformers.js fetches and caches', () => {
    expect(
      remoteFileUrl(
        'https://huggingface.co/',
        'onnx-community/Qwen3-0.6B-ONNX',
        'onnx/model_q4f16.onnx',
      ),
    ).toBe(
      'https://huggingface.co/onnx-community/Qwen3-0.6B-ONNX/resolve/main/onnx/model_q4f16.onnx',
    );
    expect(remoteFileUrl('http://127.0.0.1:9/', 'a/b', 'config.json')).toBe(
      'http://127.0.0.1:9/a/b/resolve/main/config.json',
    );
    expect(normalizeRemoteHost('http://127.0.0.1:9')).toBe('http://127.0.0.1:9/');
    expect(normalizeRemoteHost('')).toBe('https://huggingface.co/');
    expect(() => normalizeRemoteHost('ftp://x')).toThrow(DownloadError);
  });

  it('names ONNX files per dtype as Transformers.js does', () => {
    expect(onnxFileName('fp32')).toBe('onnx/model.onnx');
    expect(onnxFileName('fp16')).toBe('onnx/model_fp16.onnx');
    expect(onnxFileName('q4f16')).toBe('onnx/model_q4f16.onnx');
    expect(onnxFileName('q8')).toBe('onnx/model_quantized.onnx');
    expect(onnxFileName('q4')).toBe('onnx/model_q4.onnx');
  });
});

describe('ModelDownload', () => {
  it('downloads every file into the cache with progress, then skips them', async () => {
    const reports: DownloadProgress[] = [];
    const download = new ModelDownload(
      { repo: REPO, dtype: 'fp32', remoteHost: hubUrl },
      { chunkBytes: 64 * 1024, progressIntervalMs: 0, onProgress: (p) => reports.push(p) },
    );
    const done = await download.start();
    expect(done.phase).toBe('done');
    expect(done.percent).toBe(100);
    expect(done.files.map((f) => f.name).sort()).toEqual([
      'config.json',
      'generation_config.json',
      'onnx/model.onnx',
      'tokenizer.json',
      'tokenizer_config.json',
    ]);
    const percents = reports.filter((r) => r.percent !== null).map((r) => r.percent as number);
    expect(percents.length).toBeGreaterThan(3);
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
    expect(sameBytes(await cachedFile(REPO, 'onnx/model.onnx'), fakeBytes(1_000_000, 7))).toBe(
      true,
    );

    const status = await downloadStatus({ repo: REPO, dtype: 'fp32', remoteHost: hubUrl });
    expect(status.complete).toBe(true);
    expect(status.missing).toEqual([]);
    expect(status.partialBytes).toBe(0);
    expect(await cachedBytes({ repo: REPO, dtype: 'fp32' })).toBe(done.total);

    // Everything is cached: a second download neither asks for sizes nor downloads.
    const before = (await hubLog()).length;
    await new ModelDownload({ repo: REPO, dtype: 'fp32', remoteHost: hubUrl }).start();
    expect((await hubLog()).length).toBe(before);

    await deleteDownload({ repo: REPO, dtype: 'fp32' });
    expect(await cachedBytes({ repo: REPO, dtype: 'fp32' })).toBe(0);
    expect((await downloadStatus({ repo: REPO, dtype: 'fp32', remoteHost: hubUrl })).complete).toBe(
      false,
    );
  });

  it('resumes a dropped connection with a Range request from the saved bytes', async () => {
    await faults({ dropOnce: { file: 'onnx/model.onnx', afterBytes: 450_000 } });
    const target = { repo: REPO, dtype: 'fp32', remoteHost: hubUrl };
    const error = await new ModelDownload(target, { chunkBytes: 64 * 1024 })
      .start()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DownloadError);
    const e = error as DownloadError;
    expect(e.kind).toBe('network');
    expect(e.resumable).toBe(true);
    expect(e.file).toBe('onnx/model.onnx');
    expect(e.message).toMatch(
      /^Connection lost at \d+% of model\.onnx; .+ are saved — press Download to resume\.$/,
    );
    expect(e.savedBytes).toBeGreaterThan(0);
    expect(e.savedBytes).toBeLessThanOrEqual(450_000);
    expect(await partialBytes(target)).toBe(e.savedBytes);
    expect((await downloadStatus(target)).complete).toBe(false);

    const download = new ModelDownload(target, { chunkBytes: 64 * 1024 });
    await download.start();
    expect(download.log).toEqual([
      { file: 'onnx/model.onnx', rangeStart: e.savedBytes, status: 206 },
    ]);
    const ranged = (await hubLog()).filter((r) => r.range);
    expect(ranged.map((r) => r.range)).toEqual([`bytes=${e.savedBytes}-`]);
    expect(sameBytes(await cachedFile(REPO, 'onnx/model.onnx'), fakeBytes(1_000_000, 7))).toBe(
      true,
    );
    expect(await partialBytes(target)).toBe(0);
    expect((await downloadStatus(target)).complete).toBe(true);
  });

  it('restarts a file cleanly when the server ignores Range', async () => {
    await faults({ dropOnce: { file: 'onnx/model.onnx', afterBytes: 300_000 } });
    const target = { repo: REPO, dtype: 'fp32', remoteHost: hubUrl };
    await new ModelDownload(target, { chunkBytes: 32 * 1024 }).start().catch(() => {});
    expect(await partialBytes(target)).toBeGreaterThan(0);

    await faults({ ignoreRange: true });
    const download = new ModelDownload(target, { chunkBytes: 32 * 1024 });
    await download.start();
    expect(download.log).toEqual([
      expect.objectContaining({ file: 'onnx/model.onnx', status: 200, restarted: true }),
    ]);
    expect(sameBytes(await cachedFile(REPO, 'onnx/model.onnx'), fakeBytes(1_000_000, 7))).toBe(
      true,
    );
  });

  it('cancels through an AbortSignal, keeping what arrived for the next attempt', async () => {
    await faults({ throttleMs: 20, pieceBytes: 32 * 1024 });
    const target = { repo: REPO, dtype: 'fp32', remoteHost: hubUrl };
    const controller = new AbortController();
    const download = new ModelDownload(target, {
      chunkBytes: 64 * 1024,
      progressIntervalMs: 0,
      onProgress: (p) => {
        const onnx = p.files.find((f) => f.name === 'onnx/model.onnx');
        if (onnx && onnx.loaded > 200_000) controller.abort();
      },
    });
    const error = (await download
      .start({ signal: controller.signal })
      .catch((e) => e)) as DownloadError;
    expect(error).toBeInstanceOf(DownloadError);
    expect(error.kind).toBe('aborted');
    expect(error.message).toMatch(/^Download cancelled at \d+% of model\.onnx\. .+ are saved/);
    expect(await partialBytes(target)).toBeGreaterThan(0);

    await faults({});
    const resumed = new ModelDownload(target);
    await resumed.start();
    expect(resumed.log[0].rangeStart).toBe(error.savedBytes);
    expect(resumed.log[0].status).toBe(206);
    expect(sameBytes(await cachedFile(REPO, 'onnx/model.onnx'), fakeBytes(1_000_000, 7))).toBe(
      true,
    );
  });

  it('reports the speed and a time left while downloading', async () => {
    await faults({ throttleMs: 15, pieceBytes: 50_000 });
    const reports: DownloadProgress[] = [];
    await new ModelDownload(
      { repo: REPO, dtype: 'fp32', remoteHost: hubUrl },
      { progressIntervalMs: 0, onProgress: (p) => reports.push(p) },
    ).start();
    const moving = reports.filter((r) => r.phase === 'downloading' && r.bytesPerSecond > 0);
    expect(moving.length).toBeGreaterThan(0);
    expect(moving.some((r) => r.etaSeconds !== null && r.etaSeconds > 0)).toBe(true);
  });

  it('downloads the external-data chunks config.json declares', async () => {
    const target = { repo: EXTERNAL, dtype: 'q4f16', remoteHost: hubUrl };
    const done = await new ModelDownload(target).start();
    expect(done.files.map((f) => f.name)).toEqual([
      'config.json',
      'tokenizer.json',
      'tokenizer_config.json',
      'onnx/model_q4f16.onnx',
      'onnx/model_q4f16.onnx_data',
      'onnx/model_q4f16.onnx_data_1',
    ]);
    expect(await cachedFile(EXTERNAL, 'onnx/model_q4f16.onnx_data_1')).toEqual(fakeBytes(7000, 5));
    expect((await downloadStatus(target)).complete).toBe(true);
  });

  it('takes a .onnx_data file along when the repository has one', async () => {
    // q4 has no external data; ask for fp32 on a repo where config.json declares nothing.
    await new ModelDownload({ repo: REPO, dtype: 'q4', remoteHost: hubUrl }).start();
    const heads = (await hubLog()).filter((r) => r.method === 'HEAD').map((r) => r.path);
    expect(heads).toContain(`/${REPO}/resolve/main/onnx/model_q4.onnx_data`);
  });

  it('explains a missing file (404) and a gated repository (403)', async () => {
    const missing = (await new ModelDownload({ repo: REPO, dtype: 'fp16', remoteHost: hubUrl })
      .start()
      .catch((e) => e)) as DownloadError;
    expect(missing.kind).toBe('not-found');
    expect(missing.status).toBe(404);
    expect(missing.message).toContain(`The repository ${REPO} has no file onnx/model_fp16.onnx`);

    await faults({ status: { 'config.json': 401 } });
    const gated = (await new ModelDownload({ repo: REPO, dtype: 'fp32', remoteHost: hubUrl })
      .start()
      .catch((e) => e)) as DownloadError;
    expect(gated.kind).toBe('unauthorized');
    expect(gated.message).toMatch(/gated or private/);
  });

  it('refuses to start when the storage quota cannot hold the files', async () => {
    vi.spyOn(navigator.storage, 'estimate').mockResolvedValue({ quota: 500_000, usage: 400_000 });
    const error = (await new ModelDownload({ repo: REPO, dtype: 'fp32', remoteHost: hubUrl })
      .start()
      .catch((e) => e)) as DownloadError;
    expect(error.kind).toBe('quota');
    expect(error.message).toMatch(/^Not enough storage: this download needs about /);
    expect((await hubLog()).filter((r) => r.method === 'GET' && r.path.endsWith('.onnx'))).toEqual(
      [],
    );
  });

  it('reports a hub that is not reachable as a lost connection', async () => {
    const error = (await new ModelDownload({
      repo: REPO,
      dtype: 'fp32',
      remoteHost: 'http://127.0.0.1:9/',
    })
      .start()
      .catch((e) => e)) as DownloadError;
    expect(error.kind).toBe('network');
    expect(error.message).toMatch(
      /^Could not reach 127\.0\.0\.1:9 for config\.json: check the connection/,
    );
  });
});
