/**
 * Serves the bundled micro model as an OpenAI-compatible endpoint on loopback, so other
 * tools (or the app's own "OpenAI-compatible endpoint" engine) can talk to it:
 *
 *   npm run serve:openai            # http://127.0.0.1:8011/v1
 *   PORT=9000 npm run serve:openai
 */
import { fileURLToPath } from 'node:url';
import { TransformersChatModel } from '../src/lib/llm/engines/transformers.js';
import { startOpenAIServer } from '../src/lib/llm/openai-server.js';

const model = await TransformersChatModel.load({
  model: process.env.MODEL ?? 'micro-agent',
  localModelPath: fileURLToPath(new URL('../static-models/', import.meta.url)),
  allowRemoteModels: false,
  device: 'cpu',
});
const server = await startOpenAIServer({ model, port: Number(process.env.PORT ?? 8011) });
console.log(`OpenAI-compatible endpoint for ${model.info.model}: ${server.url} (Ctrl+C to stop)`);
process.on('SIGINT', () => void server.close().then(() => process.exit(0)));
