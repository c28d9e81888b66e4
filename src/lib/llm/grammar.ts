/**
 * Grammar-constrained decoding with XGrammar (`@mlc-ai/web-xgrammar`): before each token
 * the decode loop asks for a bitmask of the tokens the grammar allows, so a tool call is
 * valid JSON matching its tool's schema, and a `json_schema` response matches its schema,
 * whatever the model would have preferred.
 *
 * Three shapes:
 *  - `jsonSchema(schema)`: the whole output is one JSON value of that schema;
 *  - `forcedToolCall(tools, name?)`: the output is exactly one `<tool_call>{...}</tool_call>`
 *    (for `toolChoice: 'required'` or `{name}`): the loop writes the opening tag itself, the
 *    grammar covers the JSON, and the closing tag is appended when it terminates;
 *  - `triggeredToolCalls(tools)`: free text, but once the model writes `<tool_call>` the
 *    call must be valid (XGrammar's structural tags), for `toolChoice: 'auto'`.
 */
import type { TokenConstraint } from './decode-loop.js';
import type { JsonSchema } from './json-schema.js';
import { TOOL_CALL_CLOSE, TOOL_CALL_OPEN } from './tool-calls.js';
import type { ToolSpec } from './types.js';

import type {
  CompiledGrammar as XCompiledGrammar,
  GrammarCompiler as XGrammarCompiler,
  GrammarMatcher as XGrammarMatcher,
} from '@mlc-ai/web-xgrammar';

type XGrammarModule = typeof import('@mlc-ai/web-xgrammar');

let loading: Promise<XGrammarModule> | undefined;

/**
 * The library is a UMD bundle inside a `type: module` package: bundlers (Vite) handle it,
 * but Node's ESM loader sees no exports, so in Node it is evaluated as CommonJS.
 */
export function loadXGrammar(): Promise<XGrammarModule> {
  loading ??= (async () => {
    const isNode =
      typeof process !== 'undefined' && !!process.versions?.node && typeof window === 'undefined';
    if (!isNode) return (await import('@mlc-ai/web-xgrammar')) as XGrammarModule;
    const [{ readFileSync }, vm, { createRequire }, { dirname }] = await Promise.all([
      import('node:fs'),
      import('node:vm'),
      import('node:module'),
      import('node:path'),
    ]);
    const require = createRequire(import.meta.url);
    const file = require.resolve('@mlc-ai/web-xgrammar');
    const module = { exports: {} as Record<string, unknown> };
    const factory = vm.runInThisContext(
      `(function (exports, require, module, __filename, __dirname) {${readFileSync(file, 'utf8')}\n})`,
      {
        filename: file,
        // The bundle loads its WASM with a dynamic import; let it use Node's loader.
        importModuleDynamically: (
          vm as unknown as { constants?: { USE_MAIN_CONTEXT_DEFAULT_LOADER?: symbol } }
        ).constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER as never,
      },
    ) as (...args: unknown[]) => void;
    factory(module.exports, createRequire(file), module, file, dirname(file));
    return module.exports as unknown as XGrammarModule;
  })();
  return loading;
}

export interface VocabularyInfo {
  /** Every token as written in tokenizer.json (encoded form), indexed by id. */
  tokens: string[];
  /** How tokens encode bytes: `byte_level` (GPT-2 style), `byte_fallback` (SentencePiece), or `raw`. */
  vocabType: 'byte_level' | 'byte_fallback' | 'raw';
  /** Logits width (may exceed `tokens.length` when the model pads its vocabulary). */
  vocabSize: number;
  stopTokenIds: number[];
}

/** A constraint backed by an XGrammar matcher. */
class XGrammarConstraint implements TokenConstraint {
  constructor(private readonly matcher: XGrammarMatcher) {}

  async nextMask(): Promise<Uint32Array> {
    const bitmask = await this.matcher.getNextTokenBitmask();
    // Same bits; the sampler reads the mask as unsigned words.
    return new Uint32Array(bitmask.buffer, bitmask.byteOffset, bitmask.length);
  }

  accept(tokenId: number): void {
    if (!this.matcher.acceptToken(tokenId)) {
      throw new Error(`The grammar rejected token ${tokenId}, which its own mask allowed.`);
    }
  }

  isTerminated(): boolean {
    return this.matcher.isTerminated();
  }

  dispose(): void {
    this.matcher.dispose();
  }
}

/** What a forced tool call needs from the decode loop besides the constraint. */
export interface ForcedOutput {
  constraint: TokenConstraint & { dispose(): void };
  /** Text the loop writes before the first sampled token. */
  prefix: string;
  /** Text the loop appends when the constraint terminates. */
  suffix: string;
}

/** The JSON of one call, in the chat templates' field order: `{"name": …, "arguments": {…}}`. */
function callSchema(tools: readonly ToolSpec[], name?: string): JsonSchema {
  const chosen = name ? tools.filter((t) => t.function.name === name) : tools;
  if (chosen.length === 0) throw new RangeError(`No tool named "${name}" among the offered tools.`);
  const one = (t: ToolSpec): JsonSchema => ({
    type: 'object',
    properties: {
      name: { type: 'string', enum: [t.function.name] },
      arguments: t.function.parameters ?? { type: 'object' },
    },
    required: ['name', 'arguments'],
    additionalProperties: false,
  });
  return chosen.length === 1 ? one(chosen[0]) : ({ anyOf: chosen.map(one) } as JsonSchema);
}

/** Compiles grammars against one model's vocabulary; cache one per loaded model. */
export class GrammarCompiler {
  /** Compiled grammars by what they were compiled from: compiling costs far more than matching. */
  private readonly compiled = new Map<string, Promise<XCompiledGrammar>>();

  private constructor(
    private readonly xg: XGrammarModule,
    private readonly compiler: XGrammarCompiler,
    private readonly vocab: VocabularyInfo,
  ) {}

  static async create(vocab: VocabularyInfo): Promise<GrammarCompiler> {
    const xg = await loadXGrammar();
    const info = await xg.TokenizerInfo.createTokenizerInfo(
      vocab.tokens,
      vocab.vocabType,
      false,
      vocab.vocabSize,
      vocab.stopTokenIds,
    );
    const compiler = await xg.GrammarCompiler.createGrammarCompiler(info);
    return new GrammarCompiler(xg, compiler, vocab);
  }

  private cachedCompile(
    key: string,
    compile: () => Promise<XCompiledGrammar>,
  ): Promise<XCompiledGrammar> {
    let entry = this.compiled.get(key);
    if (!entry) {
      entry = compile();
      this.compiled.set(key, entry);
      entry.catch(() => this.compiled.delete(key));
    }
    return entry;
  }

  private async matcher(compiled: XCompiledGrammar, terminateWithoutStop: boolean) {
    return new XGrammarConstraint(
      await this.xg.GrammarMatcher.createGrammarMatcher(
        compiled,
        this.vocab.stopTokenIds,
        terminateWithoutStop,
      ),
    );
  }

  /** The whole output is one JSON value matching `schema` (or any JSON object without one). */
  async jsonSchema(schema?: JsonSchema): Promise<TokenConstraint & { dispose(): void }> {
    const compiled =
      schema === undefined
        ? await this.compiler.compileBuiltinJSONGrammar()
        : await this.compiler.compileJSONSchema(
            JSON.stringify(schema),
            false,
            -1,
            [', ', ': '],
            true,
          );
    return this.matcher(compiled, true);
  }

  /** Exactly one tool call (of `name`, or of any offered tool). */
  async forcedToolCall(tools: readonly ToolSpec[], name?: string): Promise<ForcedOutput> {
    const schema = JSON.stringify(callSchema(tools, name));
    const compiled = await this.cachedCompile(`call:${schema}`, () =>
      this.compiler.compileJSONSchema(schema, false, -1, [', ', ': '], true),
    );
    return {
      constraint: await this.matcher(compiled, true),
      prefix: TOOL_CALL_OPEN,
      suffix: TOOL_CALL_CLOSE,
    };
  }

  /** Free text; any `<tool_call>` the model opens must be a valid call of an offered tool. */
  async triggeredToolCalls(
    tools: readonly ToolSpec[],
  ): Promise<TokenConstraint & { dispose(): void }> {
    const tags = tools.map(
      (t) =>
        new this.xg.StructuralTagItem(
          `${TOOL_CALL_OPEN}{"name": "${t.function.name}", "arguments": `,
          JSON.stringify(t.function.parameters ?? { type: 'object' }),
          `}${TOOL_CALL_CLOSE}`,
        ),
    );
    const key = `tags:${JSON.stringify(tools.map((t) => [t.function.name, t.function.parameters]))}`;
    const compiled = await this.cachedCompile(key, () =>
      this.compiler.compileStructuralTag(tags, [TOOL_CALL_OPEN]),
    );
    return this.matcher(compiled, false);
  }
}

interface TokenizerJson {
  model?: { vocab?: Record<string, number> | Array<[string, number]> };
  added_tokens?: Array<{ id: number; content: string }>;
  decoder?: { type?: string; decoders?: Array<{ type?: string }> };
  pre_tokenizer?: { type?: string; pretokenizers?: Array<{ type?: string }> };
}

/** The vocabulary as XGrammar needs it, read from a tokenizer.json. */
export function vocabularyFromTokenizerJson(
  json: TokenizerJson,
  vocabSize: number,
  stopTokenIds: number[],
): VocabularyInfo {
  const tokens: string[] = [];
  const vocab = json.model?.vocab;
  if (Array.isArray(vocab)) vocab.forEach(([token], id) => (tokens[id] = token));
  else if (vocab) for (const [token, id] of Object.entries(vocab)) tokens[id] = token;
  for (const added of json.added_tokens ?? []) tokens[added.id] = added.content;
  for (let i = 0; i < tokens.length; i++) tokens[i] ??= '';
  const types = [
    json.decoder?.type,
    ...(json.decoder?.decoders ?? []).map((d) => d.type),
    json.pre_tokenizer?.type,
    ...(json.pre_tokenizer?.pretokenizers ?? []).map((p) => p.type),
  ];
  const vocabType = types.includes('ByteLevel')
    ? 'byte_level'
    : types.includes('ByteFallback')
      ? 'byte_fallback'
      : 'raw';
  return { tokens, vocabType, vocabSize: Math.max(vocabSize, tokens.length), stopTokenIds };
}
