/**
 * Decode benchmark in Debian's Chromium on the bundled micro model, on WASM and on WebGPU
 * (SwiftShader, slow but real):
 *  - our decode loop vs Transformers.js generate() for the same prompt and token count
 *    (ratio = generate time / ours; ≥ 1.0 means no slower);
 *  - 8 continuations of a 256-token shared prefix with KV forking vs re-prefilling each
 *    (ratios of wall time and of prefilled tokens).
 * Last line: `decode ratio N.NN, fork speedup N.NNx` (WASM, the path every browser has).
 *
 *   npm run bench:decode            (add -- --skip-webgpu to measure WASM only)
 */
import { fileURLToPath } from 'node:url';
import { staticDirs } from '../vite/static-dirs.js';
import { WEBGPU_ARGS, runBenchPage } from './chromium-page.js';

interface DecodeBench {
  device: string;
  newTokens: number;
  oursMs: number;
  generateMs: number;
  forkMs: number;
  refillMs: number;
  forkPrefilledTokens: number;
  refillPrefilledTokens: number;
  browserVersion: string;
}

const repo = (path: string) => fileURLToPath(new URL(`../${path}`, import.meta.url));

async function measure(device: 'wasm' | 'webgpu'): Promise<DecodeBench> {
  return runBenchPage<DecodeBench>({
    root: new URL('./decode-page/', import.meta.url),
    // SwiftShader runs each WebGPU step in software (~0.5 s a token here): keep that run small.
    query:
      device === 'webgpu'
        ? 'device=webgpu&tokens=4&rounds=1&forkRounds=1&continuationTokens=2'
        : 'device=wasm&tokens=64&rounds=5&forkRounds=3&continuationTokens=16',
    extraArgs: device === 'webgpu' ? WEBGPU_ARGS : [],
    timeoutMs: 900_000,
    plugins: [
      staticDirs([
        { urlPrefix: '/static-models/', dir: repo('static-models') },
        {
          urlPrefix: '/ort/',
          dir: repo('node_modules/onnxruntime-web/dist'),
          include: (p) => /^ort-wasm-simd-threaded\.asyncify\.(mjs|wasm)$/.test(p),
        },
      ]),
    ],
  });
}

function report(r: DecodeBench): { decodeRatio: number; forkSpeedup: number } {
  const decodeRatio = r.generateMs / r.oursMs;
  const forkSpeedup = r.refillMs / r.forkMs;
  const tokenRatio = r.refillPrefilledTokens / r.forkPrefilledTokens;
  console.log(
    `  ${r.device.padEnd(6)} decode ${r.newTokens} tokens: ours ${r.oursMs.toFixed(0)} ms, generate() ${r.generateMs.toFixed(0)} ms, ratio ${decodeRatio.toFixed(2)}`,
  );
  console.log(
    `  ${r.device.padEnd(6)} 8 continuations of a 256-token prefix: forked ${r.forkMs.toFixed(0)} ms / ${r.forkPrefilledTokens} prefilled tokens, ` +
      `re-prefilled ${r.refillMs.toFixed(0)} ms / ${r.refillPrefilledTokens} tokens: ${forkSpeedup.toFixed(2)}x faster, ${tokenRatio.toFixed(1)}x fewer tokens`,
  );
  return { decodeRatio, forkSpeedup };
}

async function main() {
  const skipWebGpu = process.argv.includes('--skip-webgpu');
  console.log('decode benchmark (micro-agent, Debian Chromium)');
  const wasm = await measure('wasm');
  console.log(`  Chromium ${wasm.browserVersion}`);
  const headline = report(wasm);
  if (!skipWebGpu) {
    try {
      report(await measure('webgpu'));
    } catch (error) {
      console.log(`  webgpu: not measured (${(error as Error).message.split('\n')[0]})`);
    }
  }
  console.log(
    `decode ratio ${headline.decodeRatio.toFixed(2)}, fork speedup ${headline.forkSpeedup.toFixed(2)}x`,
  );
}

await main();
