// Lazy access to the `typescript` compiler API (pinned to 6.0.x: 7.x is the Go port and has no
// in-process parser). Requiring it costs ~120 ms and ~45 MB (research/parsing.md section 2), so it
// is loaded on the first TypeScript/JavaScript file, never at start-up.
//
// This is the one module of analyzer/ that touches Node's module loader. The bundles in dist/ ship
// a copy of `typescript.js` next to themselves (scripts/build.mjs), because the .vsix carries no
// node_modules; tests and the CLI run from a checkout fall back to `require('typescript')`.

import type * as TS from 'typescript';

export type TypeScriptApi = typeof TS;

let cached: TypeScriptApi | null | undefined;
let loadError = '';

declare const require: (id: string) => unknown;
declare const __dirname: string | undefined;

/** The compiler API, or undefined when it cannot be loaded (see `typescriptLoadError`). */
export function typescript(): TypeScriptApi | undefined {
  if (cached !== undefined) return cached ?? undefined;
  cached = null;
  const candidates: string[] = [];
  if (typeof __dirname === 'string') candidates.push(`${__dirname}/typescript.js`);
  candidates.push('typescript');
  const errors: string[] = [];
  for (const id of candidates) {
    try {
      const m = require(id) as Partial<TypeScriptApi> | undefined;
      if (m && typeof m.createSourceFile === 'function' && typeof m.updateSourceFile === 'function') {
        cached = m as TypeScriptApi;
        return cached;
      }
      errors.push(`${id}: version ${String((m as { version?: string } | undefined)?.version)} has no createSourceFile (TypeScript 7 is the Go port; 6.0.x is needed)`);
    } catch (e) {
      errors.push(`${id}: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  loadError = errors.join('; ');
  return undefined;
}

export function typescriptLoadError(): string {
  return loadError;
}

/**
 * How every tree of ours is parsed: latest syntax, and no JSDoc. Nothing in the analysis reads
 * JSDoc (types come from annotations and type nodes), and skipping it parses comment-rich code
 * faster (tensorflow/tfjs-models joined into 5,300 lines: ~15% less parse time). The one-statement
 * re-parse and `ts.updateSourceFile` (which keeps a tree's mode) must agree with it.
 */
export function parseOptions(ts: TypeScriptApi): TS.CreateSourceFileOptions {
  return { languageVersion: ts.ScriptTarget.Latest, jsDocParsingMode: ts.JSDocParsingMode.ParseNone };
}
