/** Small formatters for the model manager. */
import { formatBytes } from '$lib/llm/device';

export { formatBytes };

/** `12.5 MB/s`. */
export function formatSpeed(bytesPerSecond: number): string {
  return bytesPerSecond > 0 ? `${formatBytes(bytesPerSecond)}/s` : '—';
}

/** `45 s`, `3 min 10 s`, `1 h 05 min`; `—` when unknown. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '—';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

/** `64 MB`, `1.4 GB`; `unknown` for 0 when the size is not known. */
export function formatSize(bytes: number | null | undefined, unknownIfZero = false): string {
  if (unknownIfZero && !bytes) return 'unknown';
  return formatBytes(bytes);
}
