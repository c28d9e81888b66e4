/**
 * Messages between the RL lab page and its training worker. The worker owns the model and
 * the adapter being trained (decoding with the adapter needs both in one place); everything
 * crossing the boundary is plain data.
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

export type ToTrainingWorker =
  | { type: 'load'; id: number; options: WorkerLoadOptions }
  /** A new run: new puzzles, a fresh adapter (or `head`), a fresh optimizer. */
  | { type: 'setup'; id: number; config: Partial<CountdownTrainingConfig>; head?: LoraHead }
  /** Changes the settings the next steps use (G, ε, β, learning rate, reward…). */
  | { type: 'reconfigure'; id: number; config: Partial<CountdownTrainingConfig> }
  /** Trains until `steps` steps are done in all, or until stopped. */
  | { type: 'train'; id: number; untilStep: number }
  /** Ends a `train` after the step under way (`graceful`) or at once. */
  | { type: 'stop'; id: number; target: number; graceful: boolean }
  | { type: 'evaluate'; id: number; adapter: boolean }
  | { type: 'get-adapter'; id: number }
  | {
      type: 'sample';
      id: number;
      puzzle: CountdownPuzzle;
      adapter: boolean;
      temperature: number;
      seed: number;
    };

export interface TrainingState {
  config: CountdownTrainingConfig;
  stepsDone: number;
  heldOut: CountdownPuzzle[];
}

export type FromTrainingWorker =
  | { type: 'progress'; id: number; progress: LoadProgress }
  | { type: 'loaded'; id: number; info: ChatModelInfo }
  | { type: 'state'; id: number; state: TrainingState }
  | { type: 'step'; id: number; report: TrainingStepReport }
  | { type: 'eval-progress'; id: number; done: number; total: number }
  | { type: 'evaluation'; id: number; report: EvaluationReport }
  | { type: 'adapter'; id: number; head: LoraHead; stepsDone: number }
  | { type: 'sampled'; id: number; text: string; line: string; reward: number }
  /** A `train` ended: `reason` says whether all steps ran or it was stopped. */
  | { type: 'trained'; id: number; reason: 'done' | 'stopped'; stepsDone: number }
  | { type: 'error'; id: number; error: SerializedError };
