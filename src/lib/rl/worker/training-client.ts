/**
 * The page's side of the training worker: one promise per request, step reports and
 * progress through callbacks, and errors rebuilt with their names.
 */
import type { WorkerLoadOptions, SerializedError } from '../../llm/worker/protocol.js';
import type { LoadProgress } from '../../llm/engines/transformers-env.js';
import type { ChatModelInfo } from '../../llm/types.js';
import type {
  CountdownTrainingConfig,
  EvaluationReport,
  TrainingStepReport,
} from '../countdown-training.js';
import type { CountdownPuzzle } from '../countdown.js';
import type { LoraHead } from '../lora-head.js';
import type { FromTrainingWorker, ToTrainingWorker, TrainingState } from './training-protocol.js';

type Request = ToTrainingWorker extends infer T
  ? T extends unknown
    ? Omit<T, 'id'>
    : never
  : never;
type Listener = (message: FromTrainingWorker) => void;

function revive(error: SerializedError): Error {
  const revived = new Error(error.message);
  revived.name = error.name;
  return revived;
}

export class TrainingWorkerClient {
  private readonly listeners = new Map<number, Listener>();
  private nextId = 1;
  private activeRun: number | undefined;

  constructor(private readonly worker: Worker) {
    worker.onmessage = (event: MessageEvent<FromTrainingWorker>) =>
      this.listeners.get(event.data.id)?.(event.data);
    worker.onerror = (event) => {
      // a worker that fails to start (or dies) fails every request still waiting
      const error = {
        type: 'error' as const,
        error: { name: 'WorkerError', message: event.message || 'The training worker stopped.' },
      };
      for (const [id, listener] of this.listeners) listener({ ...error, id });
    };
  }

  /** The worker bundled with the app. */
  static create(): TrainingWorkerClient {
    return new TrainingWorkerClient(
      new Worker(new URL('./training-worker.ts', import.meta.url), { type: 'module' }),
    );
  }

  /** Sends a request; `onMessage` sees every reply until it returns a value (or throws). */
  private call<T>(
    request: Request,
    onMessage: (message: FromTrainingWorker) => T | undefined,
  ): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.listeners.set(id, (message) => {
        if (message.type === 'error') {
          this.listeners.delete(id);
          reject(revive(message.error));
          return;
        }
        const result = onMessage(message);
        if (result !== undefined) {
          this.listeners.delete(id);
          resolve(result);
        }
      });
      this.worker.postMessage({ ...request, id } as ToTrainingWorker);
      if (request.type === 'train') this.activeRun = id;
    });
  }

  load(options: WorkerLoadOptions, onProgress?: (p: LoadProgress) => void): Promise<ChatModelInfo> {
    return this.call({ type: 'load', options }, (m) => {
      if (m.type === 'progress') onProgress?.(m.progress);
      return m.type === 'loaded' ? m.info : undefined;
    });
  }

  setup(config: Partial<CountdownTrainingConfig>, head?: LoraHead): Promise<TrainingState> {
    return this.call({ type: 'setup', config, ...(head ? { head } : {}) }, (m) =>
      m.type === 'state' ? m.state : undefined,
    );
  }

  reconfigure(config: Partial<CountdownTrainingConfig>): Promise<TrainingState> {
    return this.call({ type: 'reconfigure', config }, (m) =>
      m.type === 'state' ? m.state : undefined,
    );
  }

  /** Trains until `untilStep` steps are done in all, reporting each step; `stop` ends it early. */
  train(
    untilStep: number,
    onStep: (report: TrainingStepReport) => void,
  ): Promise<{ reason: 'done' | 'stopped'; stepsDone: number }> {
    return this.call({ type: 'train', untilStep }, (m) => {
      if (m.type === 'step') onStep(m.report);
      return m.type === 'trained' ? { reason: m.reason, stepsDone: m.stepsDone } : undefined;
    });
  }

  /** Ends the run under way: after its current step (pause) or at once (cancel). */
  stop(graceful: boolean): void {
    if (this.activeRun === undefined) return;
    this.worker.postMessage({ type: 'stop', id: 0, target: this.activeRun, graceful });
  }

  evaluate(
    adapter: boolean,
    onProgress?: (done: number, total: number) => void,
  ): Promise<EvaluationReport> {
    return this.call({ type: 'evaluate', adapter }, (m) => {
      if (m.type === 'eval-progress') onProgress?.(m.done, m.total);
      return m.type === 'evaluation' ? m.report : undefined;
    });
  }

  adapter(): Promise<{ head: LoraHead; stepsDone: number }> {
    return this.call({ type: 'get-adapter' }, (m) =>
      m.type === 'adapter' ? { head: m.head, stepsDone: m.stepsDone } : undefined,
    );
  }

  sample(
    puzzle: CountdownPuzzle,
    adapter: boolean,
    options: { temperature: number; seed: number },
  ): Promise<{ text: string; line: string; reward: number }> {
    return this.call({ type: 'sample', puzzle, adapter, ...options }, (m) =>
      m.type === 'sampled' ? { text: m.text, line: m.line, reward: m.reward } : undefined,
    );
  }

  terminate(): void {
    this.worker.terminate();
    this.listeners.clear();
  }
}
