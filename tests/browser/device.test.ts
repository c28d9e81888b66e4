/**
 * The device report in real Chromium: WASM features, cross-origin isolation (the test
 * server sends COOP/COEP like the app's), storage numbers, and a WebGPU verdict that is
 * either a usable adapter or a reason a user can act on.
 */
import { expect, it } from 'vitest';
import { detectDevice, formatBytes } from '../../src/lib/llm/device';

it('reports WASM threads, storage and a WebGPU verdict', async () => {
  const report = await detectDevice();
  expect(report.wasm.simd).toBe(true);
  expect(report.wasm.crossOriginIsolated).toBe(self.crossOriginIsolated);
  expect(report.wasm.threads).toBe(self.crossOriginIsolated);
  expect(report.wasm.hardwareConcurrency).toBeGreaterThan(0);
  expect(report.storage.available).toBe(true);
  expect(report.storage.quotaBytes).toBeGreaterThan(0);
  if (report.webgpu.available) {
    expect(report.webgpu.adapter).toBeDefined();
    expect(typeof report.webgpu.shaderF16).toBe('boolean');
    expect(report.webgpu.limits.maxStorageBufferBindingSize).toBeGreaterThan(0);
  } else {
    expect(report.webgpu.reason).toMatch(/WebGPU/);
  }
});

it('formats byte counts for people', () => {
  expect(formatBytes(0)).toBe('0 B');
  expect(formatBytes(1536)).toBe('1.5 KB');
  expect(formatBytes(312_000_000)).toBe('312 MB');
  expect(formatBytes(1_500_000_000)).toBe('1.5 GB');
  expect(formatBytes(null)).toBe('unknown');
});
