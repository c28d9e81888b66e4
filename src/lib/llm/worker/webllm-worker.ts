/**
 * WebLLM's own worker: the MLC engine runs here, off the page's main thread; the page
 * talks to it through `CreateWebWorkerMLCEngine` (see `engines/webllm.ts`).
 */
import { WebWorkerMLCEngineHandler } from '@mlc-ai/web-llm';

const handler = new WebWorkerMLCEngineHandler();
self.onmessage = (message: MessageEvent) => handler.onmessage(message);
