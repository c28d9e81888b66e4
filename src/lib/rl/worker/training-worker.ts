/**
 * The RL lab's training worker: loads the model, holds the adapter and runs
 * `CountdownTraining` off the page's thread, posting a report after every step so the page
 * draws the run live. Work is done one request at a time (they all decode with the same
 * model); `stop` is the exception, so a run can be paused or cancelled while it works.
 */
import { TransformersChatModel } from '../../llm/engines/transformers.js';
import { serializeError } from '../../llm/worker/protocol.js';
import { countdownShapedReward, formatEvalLine } from '../countdown.js';
import {
  CountdownTraining,
  countdownPolicyOf,
  type CountdownPolicy,
} from '../countdown-training.js';
import { headAdapterOf } from '../lora-head.js';
import type { FromTrainingWorker, ToTrainingWorker, TrainingState } from './training-protocol.js';

let model: TransformersChatModel | undefined;
let policy: CountdownPolicy | undefined;
let training: CountdownTraining | undefined;
const runs = new Map<number, { controller: AbortController; graceful: boolean }>();
let queue: Promise<unknown> = Promise.resolve();

function post(message: FromTrainingWorker): void {
  (self as unknown as { postMessage(message: FromTrainingWorker): void }).postMessage(message);
}

function stateOf(t: CountdownTraining): TrainingState {
  return { config: t.config, stepsDone: t.stepsDone, heldOut: t.heldOut };
}

function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`The training worker has no ${what} yet.`);
  return value;
}

async function handle(message: ToTrainingWorker): Promise<void> {
  const { id } = message;
  switch (message.type) {
    case 'load': {
      model ??= await TransformersChatModel.load({
        ...message.options,
        onProgress: (progress) => post({ type: 'progress', id, progress }),
      });
      policy = countdownPolicyOf(model);
      post({ type: 'loaded', id, info: model.info });
      return;
    }
    case 'setup': {
      training = new CountdownTraining(need(policy, 'model'), message.config, {
        judge: model,
        ...(message.head ? { head: message.head } : {}),
      });
      post({ type: 'state', id, state: stateOf(training) });
      return;
    }
    case 'reconfigure': {
      const t = need(training, 'run');
      t.reconfigure(message.config);
      post({ type: 'state', id, state: stateOf(t) });
      return;
    }
    case 'train': {
      const t = need(training, 'run');
      const run = { controller: new AbortController(), graceful: false };
      runs.set(id, run);
      try {
        while (t.stepsDone < message.untilStep && !run.graceful) {
          const report = await t.step(run.controller.signal);
          post({ type: 'step', id, report });
        }
        const reason = t.stepsDone >= message.untilStep ? 'done' : 'stopped';
        post({ type: 'trained', id, reason, stepsDone: t.stepsDone });
      } catch (error) {
        // a cancelled step changed nothing (the update comes after the sampling)
        if (run.controller.signal.aborted)
          post({ type: 'trained', id, reason: 'stopped', stepsDone: t.stepsDone });
        else throw error;
      } finally {
        runs.delete(id);
      }
      return;
    }
    case 'evaluate': {
      const report = await need(training, 'run').evaluate({
        adapter: message.adapter,
        onProgress: (done, total) => post({ type: 'eval-progress', id, done, total }),
      });
      post({ type: 'evaluation', id, report });
      return;
    }
    case 'get-adapter': {
      const t = need(training, 'run');
      // copies: the worker goes on training its own
      const head = { ...t.head, A: t.head.A.slice(), B: t.head.B.slice() };
      post({ type: 'adapter', id, head, stepsDone: t.stepsDone });
      return;
    }
    case 'sample': {
      const p = need(policy, 'model');
      const t = need(training, 'run');
      const result = await p.generate(p.promptIds(message.puzzle), {
        maxTokens: t.config.maxTokens,
        temperature: message.temperature,
        seed: message.seed,
        ...(message.adapter ? { headAdapter: headAdapterOf(t.head) } : {}),
      });
      const scored = countdownShapedReward(result.text, message.puzzle);
      post({
        type: 'sampled',
        id,
        text: result.text,
        line: formatEvalLine(message.puzzle, scored.answer, scored.verdict),
        reward: scored.reward,
      });
      return;
    }
    case 'stop':
      return;
  }
}

self.onmessage = (event: MessageEvent<ToTrainingWorker>) => {
  const message = event.data;
  if (message.type === 'stop') {
    const run = runs.get(message.target);
    if (run) {
      run.graceful = true;
      if (!message.graceful) run.controller.abort();
    }
    return;
  }
  queue = queue
    .then(() => handle(message))
    .catch((error) => post({ type: 'error', id: message.id, error: serializeError(error) }));
};
