/**
 * What this browser (or worker) can run models on: WebGPU and its adapter, WASM threads
 * (which need cross-origin isolation), and how much storage the origin has. The model
 * manager shows this report, and engines use it to pick a device and a dtype (for example
 * WebLLM's `q4f32` builds when the adapter lacks `shader-f16`).
 */

export interface WebGpuReport {
  available: boolean;
  /** Why WebGPU is not usable, in words a user understands. */
  reason?: string;
  adapter?: { vendor: string; architecture: string; device: string; description: string };
  features: string[];
  shaderF16: boolean;
  limits: Record<string, number>;
  /** True for software adapters (SwiftShader): correct but slow. */
  software: boolean;
}

export interface WasmReport {
  /** Multi-threaded WASM needs SharedArrayBuffer, which needs cross-origin isolation. */
  threads: boolean;
  crossOriginIsolated: boolean;
  hardwareConcurrency: number;
  simd: boolean;
}

export interface StorageReport {
  available: boolean;
  persisted: boolean | null;
  quotaBytes: number | null;
  usageBytes: number | null;
}

export interface DeviceReport {
  webgpu: WebGpuReport;
  wasm: WasmReport;
  storage: StorageReport;
  userAgent: string;
}

/** The adapter limits that decide which models fit. */
const LIMITS_OF_INTEREST = [
  'maxBufferSize',
  'maxStorageBufferBindingSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxStorageBuffersPerShaderStage',
] as const;

interface GpuAdapterLike {
  features: Iterable<string> & { has(name: string): boolean };
  limits: Record<string, number>;
  info?: { vendor?: string; architecture?: string; device?: string; description?: string };
}

interface GpuLike {
  requestAdapter(options?: { powerPreference?: string }): Promise<GpuAdapterLike | null>;
}

export async function detectWebGpu(): Promise<WebGpuReport> {
  const empty: WebGpuReport = {
    available: false,
    features: [],
    shaderF16: false,
    limits: {},
    software: false,
  };
  const nav = (globalThis as { navigator?: { gpu?: GpuLike } }).navigator;
  if (!nav?.gpu) {
    const secure = (globalThis as { isSecureContext?: boolean }).isSecureContext;
    return {
      ...empty,
      reason:
        secure === false
          ? 'WebGPU needs a secure context (https:// or http://localhost); this page is not one.'
          : 'This browser does not expose WebGPU (navigator.gpu is missing). Chrome, Edge and recent Safari have it; Firefox only on some platforms.',
    };
  }
  let adapter: GpuAdapterLike | null;
  try {
    adapter = await nav.gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (error) {
    return { ...empty, reason: `Requesting a WebGPU adapter failed: ${(error as Error).message}` };
  }
  if (!adapter) {
    return {
      ...empty,
      reason:
        'WebGPU is present but no adapter is available (the GPU may be blocklisted or disabled in this browser).',
    };
  }
  const limits: Record<string, number> = {};
  for (const name of LIMITS_OF_INTEREST) {
    const value = adapter.limits[name];
    if (typeof value === 'number') limits[name] = value;
  }
  const info = adapter.info ?? {};
  const architecture = info.architecture ?? '';
  return {
    available: true,
    adapter: {
      vendor: info.vendor ?? '',
      architecture,
      device: info.device ?? '',
      description: info.description ?? '',
    },
    features: [...adapter.features].sort(),
    shaderF16: adapter.features.has('shader-f16'),
    limits,
    software: /swiftshader|software|llvmpipe/i.test(`${architecture} ${info.description ?? ''}`),
  };
}

/** A tiny module using a SIMD instruction: it validates only where WASM SIMD is supported. */
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15,
  253, 98, 11,
]);

export function detectWasm(): WasmReport {
  const g = globalThis as {
    crossOriginIsolated?: boolean;
    navigator?: { hardwareConcurrency?: number };
    SharedArrayBuffer?: unknown;
    WebAssembly?: typeof WebAssembly;
  };
  const isolated = g.crossOriginIsolated === true;
  let simd: boolean;
  try {
    simd = g.WebAssembly?.validate(SIMD_PROBE) ?? false;
  } catch {
    simd = false;
  }
  return {
    threads: isolated && typeof g.SharedArrayBuffer === 'function',
    crossOriginIsolated: isolated,
    hardwareConcurrency: g.navigator?.hardwareConcurrency ?? 1,
    simd,
  };
}

export async function detectStorage(): Promise<StorageReport> {
  const storage = (globalThis as { navigator?: { storage?: StorageManager } }).navigator?.storage;
  if (!storage?.estimate) {
    return { available: false, persisted: null, quotaBytes: null, usageBytes: null };
  }
  const [estimate, persisted] = await Promise.all([
    storage.estimate().catch(() => ({}) as StorageEstimate),
    storage.persisted ? storage.persisted().catch(() => null) : Promise.resolve(null),
  ]);
  return {
    available: true,
    persisted,
    quotaBytes: estimate.quota ?? null,
    usageBytes: estimate.usage ?? null,
  };
}

export async function detectDevice(): Promise<DeviceReport> {
  const [webgpu, storage] = await Promise.all([detectWebGpu(), detectStorage()]);
  return {
    webgpu,
    wasm: detectWasm(),
    storage,
    userAgent: (globalThis as { navigator?: { userAgent?: string } }).navigator?.userAgent ?? '',
  };
}

/** Bytes as people read them: 1.5 GB, 312 MB, 4 KB. */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return 'unknown';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value >= 100 || unit === 0 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}
