/**
 * The code sandbox: runs JavaScript an agent wrote, never in the app's realm.
 *
 *   app page ──postMessage──► iframe (sandbox="allow-scripts", srcdoc, CSP) ──► worker (per run)
 *
 * - The iframe has no `allow-same-origin`, so its origin is opaque: the app's IndexedDB,
 *   localStorage, cookies and DOM are out of reach (IndexedDB throws a SecurityError there).
 * - Its CSP (a meta tag in the srcdoc, inherited by the blob worker) allows inline script,
 *   eval and blob workers, and nothing else: no fetch/XHR/WebSocket/EventSource, no
 *   importScripts, no images or fonts. A nested worker inherits the same policy.
 * - The code runs in a dedicated worker the frame starts for each run, so an infinite
 *   loop blocks only that worker thread; the frame terminates it at the time limit. If the
 *   frame itself stops answering, the host removes it (which ends its workers) and makes a
 *   new one for the next run.
 * - Memory: see the allocation budget in `runtime/worker.js` and the output caps below. A
 *   browser gives a worker no heap limit of its own, so this is a guard, not a wall.
 *
 * A srcdoc frame inherits the page's COEP (the app is cross-origin isolated), so it loads
 * under `credentialless` without any served file or extra header.
 */
import { validateChartSpec, MAX_CHART_POINTS, type ChartSpec } from './chart-spec.js';
import frameScript from './runtime/frame.js?raw';

export interface SandboxLimits {
  /** Wall-clock limit for one run, in ms (the worker is terminated when it passes). */
  timeoutMs: number;
  maxStdoutChars: number;
  maxResultChars: number;
  maxCharts: number;
  maxChartPoints: number;
  /** Array elements a run may allocate through Array(n), push, concat, Array.from, typed arrays. */
  maxElements: number;
  /** Characters a run may build with repeat/padStart/padEnd. */
  maxStringChars: number;
}

export const DEFAULT_LIMITS: SandboxLimits = {
  timeoutMs: 5000,
  maxStdoutChars: 16_000,
  maxResultChars: 8_000,
  maxCharts: 8,
  maxChartPoints: MAX_CHART_POINTS,
  maxElements: 20_000_000,
  maxStringChars: 50_000_000,
};

/** How long past the time limit the host waits for the frame before it removes it. */
const FRAME_GRACE_MS = 3000;
const MAX_FILE_CHARS = 5_000_000;
/** How long the frame may take to load and receive the worker source. */
const FRAME_START_MS = 15_000;

export type SandboxErrorKind = 'exception' | 'timeout' | 'crash' | 'chart' | 'cancelled';

export interface SandboxOutcome {
  /** Everything the code printed (console.*, print), capped at `maxStdoutChars`. */
  stdout: string;
  /** The code's value (last expression, or what it returned), as plain JSON data. */
  result: unknown;
  /** The charts it asked for that passed validation. */
  charts: ChartSpec[];
  /** What went wrong, or null: an exception, the time limit, a rejected chart. */
  error: string | null;
  errorKind: SandboxErrorKind | null;
  /** Time the code ran, in ms. */
  ms: number;
}

export interface SandboxRunOptions {
  /** Files the code can read by name: `readFile(name)`, `loadCSV(name)` (an arquero table). */
  files?: Record<string, string>;
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** What the frame posts back (untrusted: the code may post look-alikes from its worker). */
interface FrameOutcome {
  stdout?: unknown;
  stdoutTruncated?: unknown;
  resultJson?: unknown;
  charts?: unknown;
  error?: unknown;
  errorKind?: unknown;
  ms?: unknown;
}

const CSP = [
  "default-src 'none'",
  "script-src 'unsafe-inline' 'unsafe-eval'",
  'worker-src blob:',
  "connect-src 'none'",
  "img-src 'none'",
  "style-src 'none'",
  "font-src 'none'",
  "media-src 'none'",
  "object-src 'none'",
  "frame-src 'none'",
  "form-action 'none'",
  "base-uri 'none'",
].join('; ');

function frameDocument(parentOrigin: string): string {
  // A `</script>` in the frame script would end the element early; it has none, but the
  // escape keeps that true by construction.
  const script = frameScript
    .replace("'__PARENT_ORIGIN__'", JSON.stringify(parentOrigin))
    .replaceAll('</', '<\\/');
  return `<!doctype html><html><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${CSP}"></head><body><script>${script}</script></body></html>`;
}

let workerSourcePromise: Promise<string> | undefined;

/** arquero's UMD bundle (defines `aq`) followed by the worker runtime, loaded on first use. */
function workerSource(): Promise<string> {
  workerSourcePromise ??= Promise.all([
    import('arquero/dist/arquero.min.js?raw'),
    import('./runtime/worker.js?raw'),
  ]).then(([arquero, runtime]) => `${arquero.default}\n;\n${runtime.default}`);
  return workerSourcePromise;
}

function abortError(): Error {
  return new DOMException('The run was cancelled.', 'AbortError');
}

interface PendingRun {
  resolve(outcome: SandboxOutcome): void;
  reject(error: unknown): void;
  timer: ReturnType<typeof setTimeout>;
  limits: SandboxLimits;
}

interface Frame {
  element: HTMLIFrameElement;
  ready: Promise<void>;
}

export class CodeSandbox {
  readonly limits: SandboxLimits;
  private frame: Frame | undefined;
  /** Settles the current frame's `ready` once it has loaded and taken the worker source. */
  private frameHandshake:
    { frame: Frame; markReady: () => void; fail: (error: Error) => void } | undefined;
  private readonly pending = new Map<number, PendingRun>();
  private nextId = 1;
  private readonly onMessage = (event: MessageEvent) => this.receive(event);
  private disposed = false;

  constructor(limits: Partial<SandboxLimits> = {}) {
    if (typeof document === 'undefined') {
      throw new Error('The code sandbox needs a browser page (an iframe and a worker).');
    }
    this.limits = { ...DEFAULT_LIMITS, ...limits };
    window.addEventListener('message', this.onMessage);
  }

  /** The iframe, for tests that check its attributes. */
  get element(): HTMLIFrameElement | undefined {
    return this.frame?.element;
  }

  async run(code: string, options: SandboxRunOptions = {}): Promise<SandboxOutcome> {
    if (this.disposed) throw new Error('This sandbox was disposed.');
    if (options.signal?.aborted) throw abortError();
    const limits = { ...this.limits, timeoutMs: options.timeoutMs ?? this.limits.timeoutMs };
    const files = options.files ?? {};
    for (const [name, text] of Object.entries(files)) {
      if (text.length > MAX_FILE_CHARS)
        throw new Error(`File ${name} is larger than ${MAX_FILE_CHARS} characters.`);
    }
    const frame = this.ensureFrame();
    await this.whenReady(frame);
    if (options.signal?.aborted) throw abortError();
    const id = this.nextId++;
    return new Promise<SandboxOutcome>((resolve, reject) => {
      const timer = setTimeout(() => {
        // The frame did not report back in time: remove it, which ends its workers.
        this.resetFrame();
        this.settle(id, {
          stdout: '',
          result: undefined,
          charts: [],
          error: `Timed out: the sandbox did not answer within ${limits.timeoutMs + FRAME_GRACE_MS} ms and was reset.`,
          errorKind: 'timeout',
          ms: limits.timeoutMs,
        });
      }, limits.timeoutMs + FRAME_GRACE_MS);
      this.pending.set(id, { resolve, reject, timer, limits });
      options.signal?.addEventListener(
        'abort',
        () => {
          frame.element.contentWindow?.postMessage({ type: 'cancel', id }, '*');
          const run = this.pending.get(id);
          if (!run) return;
          this.pending.delete(id);
          clearTimeout(run.timer);
          run.reject(abortError());
        },
        { once: true },
      );
      // The frame's origin is opaque ("null"), so '*' is the only target that reaches it;
      // nothing secret is sent (the code and the files the caller chose to share).
      frame.element.contentWindow?.postMessage(
        {
          type: 'run',
          id,
          code,
          files,
          timeoutMs: limits.timeoutMs,
          limits: {
            maxStdoutChars: limits.maxStdoutChars,
            maxResultChars: limits.maxResultChars,
            maxCharts: limits.maxCharts,
            maxChartPoints: limits.maxChartPoints,
            maxElements: limits.maxElements,
            maxStringChars: limits.maxStringChars,
          },
        },
        '*',
      );
    });
  }

  dispose(): void {
    this.disposed = true;
    window.removeEventListener('message', this.onMessage);
    for (const [id, run] of this.pending) {
      clearTimeout(run.timer);
      run.reject(new Error('The sandbox was disposed.'));
      this.pending.delete(id);
    }
    this.frame?.element.remove();
    this.frame = undefined;
  }

  private ensureFrame(): Frame {
    if (this.frame) return this.frame;
    const element = document.createElement('iframe');
    // allow-scripts only: no allow-same-origin (opaque origin), no forms, popups, navigation
    element.setAttribute('sandbox', 'allow-scripts');
    element.setAttribute('aria-hidden', 'true');
    element.title = 'Code sandbox';
    element.style.display = 'none';
    element.srcdoc = frameDocument(window.location.origin);
    let markReady!: () => void;
    let fail!: (error: Error) => void;
    const ready = new Promise<void>((resolve, reject) => {
      markReady = resolve;
      fail = reject;
    });
    const frame: Frame = { element, ready };
    this.frameHandshake = { frame, markReady, fail };
    document.body.append(element);
    this.frame = frame;
    return frame;
  }

  /** The frame's handshake, or an error (and a fresh frame next time) if it never comes. */
  private async whenReady(frame: Frame): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        if (this.frame === frame) this.resetFrame();
        reject(new Error(`The code sandbox did not start within ${FRAME_START_MS} ms.`));
      }, FRAME_START_MS);
    });
    try {
      await Promise.race([frame.ready, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private resetFrame(): void {
    this.frame?.element.remove();
    this.frame = undefined;
    this.frameHandshake = undefined;
  }

  private receive(event: MessageEvent): void {
    const frame = this.frame;
    if (!frame || event.source !== frame.element.contentWindow) return;
    const message = event.data as { type?: unknown; id?: unknown; outcome?: FrameOutcome };
    if (!message || typeof message !== 'object') return;
    if (message.type === 'ready' && this.frameHandshake?.frame === frame) {
      const handshake = this.frameHandshake;
      workerSource().then(
        (source) =>
          frame.element.contentWindow?.postMessage({ type: 'init', workerSource: source }, '*'),
        (error: unknown) => handshake.fail(error as Error),
      );
    } else if (message.type === 'initialized' && this.frameHandshake?.frame === frame) {
      this.frameHandshake.markReady();
    } else if (message.type === 'result' && typeof message.id === 'number') {
      const run = this.pending.get(message.id);
      if (run) this.settle(message.id, this.outcomeOf(message.outcome ?? {}, run.limits));
    }
  }

  private settle(id: number, outcome: SandboxOutcome): void {
    const run = this.pending.get(id);
    if (!run) return;
    this.pending.delete(id);
    clearTimeout(run.timer);
    run.resolve(outcome);
  }

  /** The frame's report, checked field by field; charts validated before anyone draws them. */
  private outcomeOf(raw: FrameOutcome, limits: SandboxLimits): SandboxOutcome {
    let stdout = typeof raw.stdout === 'string' ? raw.stdout.slice(0, limits.maxStdoutChars) : '';
    if (raw.stdoutTruncated === true) stdout += '\n… [output truncated]';
    let result: unknown = undefined;
    if (
      typeof raw.resultJson === 'string' &&
      raw.resultJson.length <= limits.maxResultChars + 200
    ) {
      try {
        result = JSON.parse(raw.resultJson);
      } catch {
        result = undefined;
      }
    }
    const errors: string[] = [];
    let errorKind: SandboxErrorKind | null = null;
    if (typeof raw.error === 'string' && raw.error) {
      errors.push(raw.error.slice(0, 2000));
      errorKind =
        (['exception', 'timeout', 'crash', 'cancelled'] as const).find(
          (k) => k === raw.errorKind,
        ) ?? 'exception';
    }
    const charts: ChartSpec[] = [];
    const requested = Array.isArray(raw.charts) ? raw.charts.slice(0, limits.maxCharts) : [];
    requested.forEach((spec, index) => {
      try {
        charts.push(validateChartSpec(spec, limits.maxChartPoints));
      } catch (error) {
        errors.push(`chart ${index + 1} rejected: ${(error as Error).message}`);
        errorKind ??= 'chart';
      }
    });
    const ms =
      typeof raw.ms === 'number' && Number.isFinite(raw.ms) ? Math.max(0, Math.round(raw.ms)) : 0;
    return {
      stdout,
      result,
      charts,
      error: errors.length ? errors.join('; ') : null,
      errorKind,
      ms,
    };
  }
}

let shared: CodeSandbox | undefined;

/** One sandbox per page, made on first use (each run still gets a fresh worker). */
export function sharedSandbox(): CodeSandbox {
  shared ??= new CodeSandbox();
  return shared;
}
