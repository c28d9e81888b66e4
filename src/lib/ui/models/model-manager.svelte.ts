/**
 * State and actions of the model manager page: the device report, storage, the hub
 * mirror, and one row per model (catalog entries plus models the user added by
 * repository id) with its cached status, download progress and last error.
 *
 * Browser APIs are only touched from `init()` (called on mount), so the page prerenders.
 */
import { CATALOG, transformersPlacement, webllmModelId, type CatalogEntry } from '$lib/llm/catalog';
import {
  detectDevice,
  detectStorage,
  type DeviceReport,
  type StorageReport,
} from '$lib/llm/device';
import {
  DEFAULT_REMOTE_HOST,
  DTYPE_SUFFIX,
  DownloadError,
  ModelDownload,
  deleteDownload,
  downloadStatus,
  normalizeRemoteHost,
  type DownloadProgress,
  type DownloadTarget,
} from '$lib/llm/downloads';
import { EngineUnavailableError } from '$lib/llm/types';
import type { Encoder } from '$lib/encoders';

const HUB_KEY = 'agent-playground:hub-mirror';
const CUSTOM_KEY = 'agent-playground:custom-models';

export type RowStatus =
  'bundled' | 'checking' | 'absent' | 'partial' | 'cached' | 'downloading' | 'unavailable';

export interface RowError {
  kind: string;
  message: string;
  resumable: boolean;
}

/** What the Test button of a bundled model showed: a short generation, or a fill-mask. */
export type TestResult =
  | { kind: 'chat'; text: string; tokens: number; tokensPerSecond: number; loadMs: number }
  | { kind: 'encoder'; text: string; runMs: number; loadMs: number };

export interface ModelRow {
  entry: CatalogEntry;
  /** Added by the user by repository id. */
  custom: boolean;
  status: RowStatus;
  /** Why the model cannot run or download here (e.g. no WebGPU for WebLLM). */
  unavailableReason: string | null;
  cachedBytes: number;
  partialBytes: number;
  /** Size learned while downloading (for entries without a listed size). */
  knownBytes: number | null;
  progress: DownloadProgress | null;
  webllmProgress: { text: string; percent: number } | null;
  error: RowError | null;
  notice: string | null;
  testing: boolean;
  test: TestResult | null;
  /** Which dtype and device this device would use. */
  placement: { device: string; dtype: string } | null;
}

export interface Fit {
  likely: boolean | null;
  text: string;
}

interface CustomModel {
  repo: string;
  dtype: string;
}

export const DTYPES = Object.keys(DTYPE_SUFFIX);

/** A repository id as the hub names them: `owner/name`. */
export const REPO_PATTERN = /^[A-Za-z0-9][\w.-]*\/[\w.-]+$/;

export function customEntry(repo: string, dtype: string): CatalogEntry {
  return {
    id: `custom:${repo}:${dtype}`,
    title: repo,
    engine: 'transformers',
    task: 'chat',
    parameters: 'unknown',
    downloadBytes: 0,
    downloadEstimated: true,
    memoryBytes: 0,
    transformers: { repo, dtype: { webgpu: dtype, wasm: dtype } },
    notes: 'Added by repository id.',
  };
}

const GB = 1_000_000_000;

/** Whether a model likely fits here, from WebGPU limits and `navigator.deviceMemory`. */
export function estimateFit(
  entry: CatalogEntry,
  device: DeviceReport | null,
  deviceMemoryGb: number | null,
): Fit {
  if (entry.bundled) return { likely: true, text: 'Fits: a few megabytes.' };
  if (!device) return { likely: null, text: 'Checking this device…' };
  if (!entry.memoryBytes) return { likely: null, text: 'Memory need unknown.' };
  const ram = deviceMemoryGb ? deviceMemoryGb * GB : null;
  const ramText = deviceMemoryGb
    ? `this device reports ${deviceMemoryGb} GB of RAM`
    : 'the browser does not report the RAM';
  if (entry.engine === 'webllm') {
    if (!device.webgpu.available) return { likely: false, text: 'Needs WebGPU.' };
    const binding = device.webgpu.limits.maxStorageBufferBindingSize;
    if (binding !== undefined && binding < 128 * 1024 * 1024) {
      return {
        likely: false,
        text: `The GPU allows only ${Math.round(binding / 1024 / 1024)} MB per storage buffer; WebLLM needs 128 MB.`,
      };
    }
    if (ram !== null && entry.memoryBytes > ram * 0.6) {
      return { likely: false, text: `Probably too large: ${ramText}.` };
    }
    return { likely: ram === null ? null : true, text: `GPU memory is not reported; ${ramText}.` };
  }
  const placement = transformersPlacement(entry, device);
  if (placement?.device === 'wasm' && entry.memoryBytes > 4 * GB) {
    return { likely: false, text: 'WASM can address at most 4 GB.' };
  }
  if (ram !== null && entry.memoryBytes > ram * 0.6) {
    return { likely: false, text: `Probably too large: ${ramText}.` };
  }
  return {
    likely: ram === null ? null : true,
    text: `${ramText[0].toUpperCase()}${ramText.slice(1)}.`,
  };
}

function newRow(entry: CatalogEntry, custom = false): ModelRow {
  return {
    entry,
    custom,
    status: entry.bundled ? 'bundled' : 'checking',
    unavailableReason: null,
    cachedBytes: 0,
    partialBytes: 0,
    knownBytes: null,
    progress: null,
    webllmProgress: null,
    error: null,
    notice: null,
    testing: false,
    test: null,
    placement: null,
  };
}

function readCustom(): CustomModel[] {
  try {
    const parsed = JSON.parse(localStorage.getItem(CUSTOM_KEY) ?? '[]') as unknown;
    return Array.isArray(parsed)
      ? parsed.filter(
          (m): m is CustomModel =>
            typeof m?.repo === 'string' && REPO_PATTERN.test(m.repo) && m.dtype in DTYPE_SUFFIX,
        )
      : [];
  } catch {
    return [];
  }
}

export class ModelManager {
  device = $state<DeviceReport | null>(null);
  storage = $state<StorageReport | null>(null);
  deviceMemoryGb = $state<number | null>(null);
  persistMessage = $state<string | null>(null);
  /** Effective hub (`?hub=` or the saved mirror or the default). */
  hub = $state(DEFAULT_REMOTE_HOST);
  /** The saved mirror ('' = default). */
  savedHub = $state('');
  hubFromUrl = $state(false);
  rows = $state<ModelRow[]>(CATALOG.map((entry) => newRow(entry)));

  // Bookkeeping, never rendered: plain collections on purpose.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  private controllers = new Map<string, AbortController>();
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  private webllmCancelled = new Set<string>();

  constructor(private readonly base = '') {}

  async init(search: URLSearchParams): Promise<void> {
    this.savedHub = localStorage.getItem(HUB_KEY) ?? '';
    const fromUrl = search.get('hub');
    try {
      this.hub = normalizeRemoteHost(fromUrl || this.savedHub);
      this.hubFromUrl = !!fromUrl;
    } catch {
      this.hub = DEFAULT_REMOTE_HOST;
    }
    for (const model of readCustom()) this.addRow(model.repo, model.dtype);
    const repo = search.get('repo');
    if (repo && REPO_PATTERN.test(repo)) {
      const dtype = search.get('dtype') ?? 'fp32';
      if (dtype in DTYPE_SUFFIX) this.addCustom(repo, dtype);
    }
    const nav = navigator as Navigator & { deviceMemory?: number };
    this.deviceMemoryGb = typeof nav.deviceMemory === 'number' ? nav.deviceMemory : null;
    this.device = await detectDevice();
    this.storage = this.device.storage;
    await this.refreshAll();
  }

  row(id: string): ModelRow | undefined {
    return this.rows.find((r) => r.entry.id === id);
  }

  private addRow(repo: string, dtype: string): ModelRow {
    const entry = customEntry(repo, dtype);
    const existing = this.row(entry.id);
    if (existing) return existing;
    this.rows.push(newRow(entry, true));
    return this.rows[this.rows.length - 1];
  }

  /** Adds (and remembers) a model by repository id. Returns an error message or null. */
  addCustom(repo: string, dtype: string): string | null {
    const id = repo.trim();
    if (!REPO_PATTERN.test(id))
      return 'A repository id looks like owner/name, e.g. onnx-community/Qwen3-0.6B-ONNX.';
    if (!(dtype in DTYPE_SUFFIX)) return `Unknown dtype ${dtype}.`;
    const row = this.addRow(id, dtype);
    const saved = readCustom().filter((m) => !(m.repo === id && m.dtype === dtype));
    localStorage.setItem(CUSTOM_KEY, JSON.stringify([...saved, { repo: id, dtype }]));
    if (this.device) void this.refresh(row);
    return null;
  }

  removeCustom(row: ModelRow): void {
    const repo = row.entry.transformers?.repo;
    const dtype = row.entry.transformers?.dtype.wasm;
    localStorage.setItem(
      CUSTOM_KEY,
      JSON.stringify(readCustom().filter((m) => !(m.repo === repo && m.dtype === dtype))),
    );
    this.rows = this.rows.filter((r) => r !== row);
  }

  /** Saves a hub mirror ('' = the default hub). Returns an error message or null. */
  setHub(value: string): string | null {
    let host: string;
    try {
      host = normalizeRemoteHost(value);
    } catch (error) {
      return (error as Error).message;
    }
    const saved = host === DEFAULT_REMOTE_HOST ? '' : host;
    if (saved) localStorage.setItem(HUB_KEY, saved);
    else localStorage.removeItem(HUB_KEY);
    this.savedHub = saved;
    this.hub = host;
    this.hubFromUrl = false;
    void this.refreshAll();
    return null;
  }

  target(row: ModelRow): DownloadTarget | null {
    if (!row.entry.transformers || !this.device) return null;
    const placement = transformersPlacement(row.entry, this.device);
    if (!placement) return null;
    return {
      repo: row.entry.transformers.repo,
      dtype: placement.dtype,
      device: placement.device,
      remoteHost: this.hub,
    };
  }

  async refreshStorage(): Promise<void> {
    this.storage = await detectStorage();
  }

  async refreshAll(): Promise<void> {
    await Promise.all(this.rows.map((row) => this.refresh(row)));
    await this.refreshStorage();
  }

  async refresh(row: ModelRow): Promise<void> {
    const device = this.device;
    if (!device || row.entry.bundled) {
      if (row.entry.bundled && device)
        row.placement = transformersPlacement(row.entry, device) ?? null;
      return;
    }
    if (row.status === 'downloading') return;
    try {
      if (row.entry.engine === 'webllm') {
        const modelId = webllmModelId(row.entry, device) ?? '';
        row.placement = { device: 'webgpu', dtype: modelId.match(/q\d+f\d+/)?.[0] ?? '' };
        row.unavailableReason = device.webgpu.available
          ? null
          : 'Needs WebGPU, which this browser does not offer (see “This device”). Transformers.js models run here on the CPU instead.';
        const { isWebLLMModelCached } = await import('$lib/llm/engines/webllm');
        const cached = await isWebLLMModelCached(modelId).catch(() => false);
        row.cachedBytes = cached ? await webllmCachedBytes(modelId) : 0;
        row.status = cached ? 'cached' : device.webgpu.available ? 'absent' : 'unavailable';
        return;
      }
      const target = this.target(row);
      if (!target) return;
      row.placement = { device: target.device ?? 'wasm', dtype: target.dtype };
      const status = await downloadStatus(target);
      row.cachedBytes = status.cachedBytes;
      row.partialBytes = status.partialBytes;
      row.status = status.complete
        ? 'cached'
        : status.partialBytes > 0 || status.cachedBytes > 0
          ? 'partial'
          : 'absent';
    } catch (error) {
      row.status = 'absent';
      row.error = {
        kind: 'status',
        message: `Could not read the cache: ${(error as Error).message}`,
        resumable: false,
      };
    }
  }

  async download(row: ModelRow): Promise<void> {
    if (row.status === 'downloading' || row.entry.bundled) return;
    row.error = null;
    row.notice = null;
    if (row.entry.engine === 'webllm') return this.downloadWebLLM(row);
    const target = this.target(row);
    if (!target) return;
    const controller = new AbortController();
    this.controllers.set(row.entry.id, controller);
    row.status = 'downloading';
    row.progress = null;
    try {
      const download = new ModelDownload(target, {
        onProgress: (p) => {
          row.progress = p;
          if (p.total) row.knownBytes = p.total;
        },
      });
      await download.start({ signal: controller.signal });
      const resumed = download.log.find((l) => l.rangeStart > 0 && l.status === 206);
      row.notice = resumed
        ? `Downloaded; resumed from the ${formatShort(resumed.rangeStart)} already saved.`
        : 'Downloaded. It now works offline.';
    } catch (error) {
      row.error = describeError(error);
    } finally {
      this.controllers.delete(row.entry.id);
      row.status = 'checking';
      await this.refresh(row);
      await this.refreshStorage();
    }
  }

  cancel(row: ModelRow): void {
    if (row.entry.engine === 'webllm') {
      this.webllmCancelled.add(row.entry.id);
      row.status = 'absent';
      row.webllmProgress = null;
      row.notice = 'Cancelled. Files WebLLM already stored stay cached and are reused next time.';
      return;
    }
    this.controllers.get(row.entry.id)?.abort();
  }

  private async downloadWebLLM(row: ModelRow): Promise<void> {
    const device = this.device;
    if (!device?.webgpu.available) {
      row.error = {
        kind: 'webgpu',
        message: row.unavailableReason ?? 'WebLLM needs WebGPU.',
        resumable: false,
      };
      return;
    }
    this.webllmCancelled.delete(row.entry.id);
    row.status = 'downloading';
    row.webllmProgress = { text: 'Starting…', percent: 0 };
    try {
      const { WebLLMChatModel } = await import('$lib/llm/engines/webllm');
      const model = await WebLLMChatModel.load({
        model: row.entry.id,
        webgpu: device.webgpu,
        onProgress: (report) => {
          if (this.webllmCancelled.has(row.entry.id)) return;
          row.webllmProgress = { text: report.text, percent: report.progress * 100 };
        },
      });
      // Downloading is all we wanted: free the GPU again.
      await model.dispose();
      if (!this.webllmCancelled.has(row.entry.id)) row.notice = 'Downloaded. It now works offline.';
    } catch (error) {
      if (!this.webllmCancelled.has(row.entry.id)) row.error = describeError(error);
    } finally {
      this.webllmCancelled.delete(row.entry.id);
      row.webllmProgress = null;
      row.status = 'checking';
      await this.refresh(row);
      await this.refreshStorage();
    }
  }

  async remove(row: ModelRow): Promise<void> {
    row.error = null;
    row.notice = null;
    try {
      if (row.entry.engine === 'webllm') {
        const { deleteWebLLMModel } = await import('$lib/llm/engines/webllm');
        await deleteWebLLMModel(
          webllmModelId(
            row.entry,
            this.device ?? { webgpu: { shaderF16: false } as DeviceReport['webgpu'] },
          ) ?? '',
        );
      } else {
        const target = this.target(row);
        if (target) await deleteDownload(target);
      }
      row.notice = 'Deleted from this browser.';
      row.knownBytes = null;
    } catch (error) {
      row.error = {
        kind: 'storage',
        message: `Could not delete: ${(error as Error).message}`,
        resumable: false,
      };
    }
    row.status = 'checking';
    await this.refresh(row);
    await this.refreshStorage();
  }

  async persist(): Promise<void> {
    if (!navigator.storage?.persist) {
      this.persistMessage = 'This browser cannot be asked to keep site data.';
      return;
    }
    const granted = await navigator.storage.persist().catch(() => false);
    this.persistMessage = granted
      ? 'Granted: the browser will keep downloaded models even when disk space runs low.'
      : 'Declined by the browser. Chrome grants this to sites you bookmark, install or use often; until then models stay until space runs low or you clear site data.';
    await this.refreshStorage();
  }

  /**
   * Runs a bundled model once: a chat model generates a few tokens in the inference
   * worker; an encoder fills a mask.
   */
  async testBundled(row: ModelRow): Promise<void> {
    if (row.entry.encoder) return this.testBundledEncoder(row);
    row.testing = true;
    row.error = null;
    row.test = null;
    const { InferenceWorker } = await import('$lib/llm/worker/worker-chat-model');
    const worker = InferenceWorker.create();
    try {
      const started = performance.now();
      const model = await worker.load({
        model: row.entry.transformers?.repo ?? row.entry.id,
        localModelPath: `${this.base}/static-models/`,
        allowRemoteModels: false,
        wasmPaths: `${this.base}/ort/`,
        device: 'wasm',
        dtype: row.entry.transformers?.dtype.wasm ?? 'fp32',
      });
      const loadMs = performance.now() - started;
      const result = await model.invoke([{ role: 'user', content: 'What is 12 + 30?' }], {
        maxTokens: 24,
        temperature: 0,
        thinking: { enabled: false },
      });
      const text =
        `${result.message.reasoning ? `${result.message.reasoning} ` : ''}${result.message.content}${
          result.message.tool_calls?.length
            ? ` ${result.message.tool_calls.map((c) => `${c.function.name}(${c.function.arguments})`).join(' ')}`
            : ''
        }`.trim();
      row.test = {
        kind: 'chat',
        text: text || '(no text)',
        tokens: result.usage.completionTokens,
        tokensPerSecond: result.usage.decodeTokensPerSecond,
        loadMs,
      };
    } catch (error) {
      row.error = {
        kind: 'test',
        message: `The test failed: ${(error as Error).message}`,
        resumable: false,
      };
    } finally {
      worker.terminate();
      row.testing = false;
    }
  }

  /**
   * Loads the bundled micro encoder and fills one mask. On the page, not in a worker: the
   * model is a few megabytes and one forward pass takes milliseconds.
   */
  private async testBundledEncoder(row: ModelRow): Promise<void> {
    row.testing = true;
    row.error = null;
    row.test = null;
    const { loadEncoder } = await import('$lib/encoders');
    let encoder: Encoder | undefined;
    try {
      const started = performance.now();
      encoder = await loadEncoder({
        model: row.entry.id,
        localModelPath: `${this.base}/static-models/`,
        allowRemoteModels: false,
        wasmPaths: `${this.base}/ort/`,
        device: 'wasm',
      });
      const loadMs = performance.now() - started;
      const masked = 'An agent calls a [MASK] to act.';
      const ran = performance.now();
      const [best] = await encoder.fillMask(masked, { topK: 1 });
      row.test = {
        kind: 'encoder',
        text: `${masked} → ${best.token.trim()} (${(best.score * 100).toFixed(1)} %)`,
        runMs: performance.now() - ran,
        loadMs,
      };
    } catch (error) {
      row.error = {
        kind: 'test',
        message: `The test failed: ${(error as Error).message}`,
        resumable: false,
      };
    } finally {
      await encoder?.dispose();
      row.testing = false;
    }
  }
}

function formatShort(bytes: number): string {
  return bytes >= 1_000_000
    ? `${(bytes / 1_000_000).toFixed(1)} MB`
    : `${Math.round(bytes / 1000)} KB`;
}

export function describeError(error: unknown): RowError {
  if (error instanceof DownloadError) {
    return { kind: error.kind, message: error.message, resumable: error.resumable };
  }
  if (
    error instanceof EngineUnavailableError ||
    (error as Error)?.name === 'EngineUnavailableError'
  ) {
    return { kind: 'webgpu', message: (error as Error).message, resumable: false };
  }
  const message = (error as Error)?.message ?? String(error);
  if (/quota/i.test(message)) {
    return {
      kind: 'quota',
      message: `The browser's storage for this site is full. Delete models you no longer need, or press “Keep downloaded models”. (${message})`,
      resumable: false,
    };
  }
  if (/network|fetch/i.test(message)) {
    return {
      kind: 'network',
      message: `The download was interrupted (${message}). Files already complete stay cached — press Download to continue.`,
      resumable: true,
    };
  }
  return { kind: 'error', message, resumable: false };
}

/** Bytes WebLLM keeps for a model in its Cache API store (best effort: 0 if unknown). */
async function webllmCachedBytes(modelId: string): Promise<number> {
  if (typeof caches === 'undefined') return 0;
  let total = 0;
  for (const name of ['webllm/model', 'webllm/config', 'webllm/wasm']) {
    if (!(await caches.has(name))) continue;
    const cache = await caches.open(name);
    for (const request of await cache.keys()) {
      if (!request.url.includes(modelId)) continue;
      const length = (await cache.match(request))?.headers.get('content-length');
      total += length ? Number(length) : 0;
    }
  }
  return total;
}
