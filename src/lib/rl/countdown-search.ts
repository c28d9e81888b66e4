/**
 * Test-time search on Countdown with a chat model: the generator, the prompts and one
 * search run, shared by `scripts/experiment-search.ts`, `bench/search.ts` and the trainer script.
 *
 * A root trial samples an answer to the Countdown prompt the micro model was trained on
 * (TinyZero's, `static-models/recipes/micro_agent/data.py` COUNTDOWN_PROMPT). A child of a
 * node continues that node's conversation: the node's answer as the assistant turn, then a
 * user turn with the judge's verdict followed by the same Countdown prompt, so the model
 * stays in the one format it knows. A child's prompt therefore extends its parent's prompt,
 * which is what lets the KV prefix cache reuse the parent's prefill. The score is
 * `countdownReward` (0, 0.1 for a well-formed wrong answer, 1 for a correct one).
 */
import type { ChatModel, ChatOptions, Message, Usage } from '../llm/types.js';
import {
  countdownReward,
  formatNumbers,
  type CountdownProblem,
  type CountdownVerdict,
} from './countdown.js';
import {
  createAbMctsA,
  createAbMctsM,
  createMcts,
  createRefinement,
  createRepeatedSampling,
  type Generator,
  type SearchAlgorithm,
} from '../search/index.js';

export function countdownPrompt(problem: CountdownProblem): string {
  return (
    `Using the numbers ${formatNumbers(problem.nums)}, create an equation that equals ${problem.target}. ` +
    'You can use basic arithmetic operations (+, -, *, /) and each number can only be used once. ' +
    'Show your work in <think> </think> tags. And return the final answer in <answer> </answer> tags, ' +
    'for example <answer> (1 + 2) / 3 </answer>.'
  );
}

/** The user turn after a wrong answer: the verdict, then the task again. */
export function feedbackPrompt(
  problem: CountdownProblem,
  answer: string | null,
  verdict: CountdownVerdict,
): string {
  const shown =
    answer === null
      ? 'Your reply had no <answer> </answer> tags'
      : `<answer> ${answer} </answer> is wrong`;
  const why =
    answer === null ? '' : `: ${verdict.message}${verdict.detail ? ` (${verdict.detail})` : ''}`;
  return `${shown}${why}. Try again. ${countdownPrompt(problem)}`;
}

/** A node of the search tree: one answer and the conversation that produced it. */
export interface Attempt {
  /** The conversation up to and including this answer (reasoning left out). */
  messages: Message[];
  completion: string;
  answer: string | null;
  verdict: CountdownVerdict;
  reward: number;
  /** 1-based model call that produced it. */
  call: number;
}

/** One model call as it was made, for replaying the same work elsewhere. */
export interface GenerationRequest {
  messages: Message[];
  options: ChatOptions;
}

export interface CountdownSearchOptions {
  /** Seed of the sampling of call i: `seed + i` (i from 1). */
  seed: number;
  temperature?: number;
  maxTokens?: number;
  /** Earlier attempts a prompt shows at most (the context is 1024 tokens); default 3. */
  maxAttemptsShown?: number;
  /** Called after every model call. */
  onCall?: (request: GenerationRequest, usage: Usage, ms: number) => void;
}

/**
 * The conversation a child of `parent` is generated from: the parent's conversation plus
 * the verdict. Older attempts are dropped (the first prompt stays) so that at most
 * `maxShown` answers are in the prompt.
 */
export function refinementMessages(
  problem: CountdownProblem,
  parent: Attempt,
  maxShown: number,
): Message[] {
  const messages = [
    ...parent.messages,
    { role: 'user' as const, content: feedbackPrompt(problem, parent.answer, parent.verdict) },
  ];
  // [user, (assistant, user) × k]: keep the first user turn and the last maxShown pairs.
  const pairs = (messages.length - 1) / 2;
  if (pairs <= maxShown) return messages;
  return [messages[0], ...messages.slice(1 + 2 * (pairs - maxShown))];
}

/** The generator of one task; calls are counted so each gets its own sampling seed. */
export function countdownGenerator(
  model: ChatModel,
  problem: CountdownProblem,
  options: CountdownSearchOptions,
): { generate: Generator<Attempt>; calls: () => number } {
  let calls = 0;
  const maxShown = options.maxAttemptsShown ?? 3;
  const generate: Generator<Attempt> = async (parent, { signal }) => {
    const call = ++calls;
    const messages: Message[] = parent
      ? refinementMessages(problem, parent, maxShown)
      : [{ role: 'user', content: countdownPrompt(problem) }];
    const chatOptions: ChatOptions = {
      temperature: options.temperature ?? 1,
      maxTokens: options.maxTokens ?? 96,
      seed: options.seed + call,
    };
    const t0 = performance.now();
    const result = await model.invoke(messages, { ...chatOptions, signal });
    options.onCall?.({ messages, options: chatOptions }, result.usage, performance.now() - t0);
    const completion = result.message.content;
    const { reward, answer, verdict } = countdownReward(completion, problem);
    const state: Attempt = {
      messages: [...messages, { role: 'assistant', content: completion }],
      completion,
      answer,
      verdict,
      reward,
      call,
    };
    return { state, score: reward };
  };
  return { generate, calls: () => calls };
}

export const ALGORITHMS = ['sampling', 'refinement', 'mcts', 'ab-mcts-a', 'ab-mcts-m'] as const;
export type AlgorithmName = (typeof ALGORITHMS)[number];

export function createAlgorithm(name: AlgorithmName, seed: number): SearchAlgorithm<Attempt> {
  switch (name) {
    case 'sampling':
      return createRepeatedSampling<Attempt>({ seed }) as SearchAlgorithm<Attempt>;
    case 'refinement':
      return createRefinement<Attempt>({ seed }) as SearchAlgorithm<Attempt>;
    case 'mcts':
      return createMcts<Attempt>({ seed }) as SearchAlgorithm<Attempt>;
    case 'ab-mcts-a':
      return createAbMctsA<Attempt>({ seed }) as SearchAlgorithm<Attempt>;
    case 'ab-mcts-m':
      return createAbMctsM<Attempt>({ seed }) as SearchAlgorithm<Attempt>;
  }
}

export interface SearchRun {
  /** Every attempt in call order. */
  attempts: Attempt[];
  /** 1-based call of the first correct answer, or null. */
  firstSuccess: number | null;
  /** 1-based call of the first answer that used the numbers legally, or null. */
  firstLegal: number | null;
  maxDepth: number;
}

/**
 * The seeds of task `task` (0-based) in an experiment seeded with `seed`: the tree's PRNG
 * seed, and the base of the sampling seeds (call k draws with `sampling + k`). The sampling
 * seeds do not depend on the algorithm, so call k of a task draws alike under every one.
 */
export function experimentSeeds(
  seed: number,
  task: number,
): { algorithm: number; sampling: number } {
  return { algorithm: seed * 1000 + task, sampling: seed * 1_000_000 + task * 1000 };
}

export interface RunSearchOptions extends CountdownSearchOptions {
  /** Aborts the model call under way; the run then rejects with an AbortError. */
  signal?: AbortSignal;
  /** Called after every step with the new attempt. */
  onAttempt?: (attempt: Attempt) => void;
}

/** Runs `algorithm` for `budget` model calls on one task (one call per step). */
export async function runSearch(
  algorithm: SearchAlgorithm<Attempt>,
  model: ChatModel,
  problem: CountdownProblem,
  budget: number,
  options: RunSearchOptions,
): Promise<SearchRun> {
  const { generate } = countdownGenerator(model, problem, options);
  const tree = algorithm.init(['model']);
  const attempts: Attempt[] = [];
  let maxDepth = 0;
  for (let i = 0; i < budget; i++) {
    options.signal?.throwIfAborted();
    const node = await algorithm.step(tree, { model: generate }, { signal: options.signal });
    options.onAttempt?.(node.state as Attempt);
    attempts.push(node.state as Attempt);
    maxDepth = Math.max(maxDepth, node.depth);
  }
  const first = (ok: (a: Attempt) => boolean) => attempts.find(ok)?.call ?? null;
  return {
    attempts,
    firstSuccess: first((a) => a.reward === 1),
    firstLegal: first((a) => a.verdict.correct || a.verdict.reason === 'wrong value'),
    maxDepth,
  };
}
