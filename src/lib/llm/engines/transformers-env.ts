/**
 * Where Transformers.js finds models and onnxruntime-web's WASM files. Shared by the chat
 * engine and the encoders: `env` is one global object, so both set it the same way.
 */
import { env } from '@huggingface/transformers';

export interface LoadProgress {
  status: string;
  file?: string;
  /** 0–100 for the file being downloaded. */
  progress?: number;
  loaded?: number;
  total?: number;
}

export interface TransformersEnvironmentOptions {
  /** Where local models live: a path such as `/static-models/` in the browser, a folder in Node. */
  localModelPath?: string;
  /** Let Transformers.js fetch from the hub (default: true unless the model is local only). */
  allowRemoteModels?: boolean;
  /** A hub mirror, e.g. `https://hf-mirror.example/` (default: Transformers.js' own, the Hugging Face hub). */
  remoteHost?: string;
  /** Where the app serves onnxruntime-web's WASM files (browser only), e.g. `/ort/`. */
  wasmPaths?: string;
}

export function configureTransformersEnvironment(options: TransformersEnvironmentOptions): void {
  env.allowLocalModels = true;
  if (options.localModelPath) env.localModelPath = options.localModelPath;
  if (options.allowRemoteModels !== undefined) env.allowRemoteModels = options.allowRemoteModels;
  if (options.remoteHost) env.remoteHost = options.remoteHost;
  const onnx = env.backends.onnx as { wasm?: { wasmPaths?: unknown } };
  if (options.wasmPaths && onnx.wasm) onnx.wasm.wasmPaths = options.wasmPaths;
}
