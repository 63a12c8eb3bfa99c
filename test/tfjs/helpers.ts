// Helpers for the TF.js tests: analyze TS text in memory, apply every quick fix the way
// `fusion-lens fix` does, and run a TS module's exports on @tensorflow/tfjs (CPU backend).
import { analyze, newHost, DEFAULT_OPTIONS, type AnalysisOptions, type AnalysisResult } from '../../analyzer/analyze';
import { applyEdits } from '../../analyzer/core/text';
import * as ts from 'typescript';
import * as path from 'node:path';
import * as fs from 'node:fs';

/** The repository root (tests run from out/test/tfjs after bundling). */
export const ROOT = (() => {
  let d = __dirname;
  while (d !== path.dirname(d) && !fs.existsSync(path.join(d, 'package.json'))) d = path.dirname(d);
  return d;
})();
export const TFJS_EXAMPLES = path.join(ROOT, 'examples', 'tfjs');

export function analyzeTs(text: string, file = '/virtual/model.ts', options: Partial<AnalysisOptions> = {}): AnalysisResult {
  return analyze(file, text, newHost(), { ...DEFAULT_OPTIONS, ...options });
}

/** Applies quick fixes one at a time, re-analyzing after each, until none is left. */
export function fixAll(text: string, file = '/virtual/model.ts', options: Partial<AnalysisOptions> = {}): { text: string; applied: string[] } {
  const applied: string[] = [];
  let cur = text;
  for (let i = 0; i < 50; i++) {
    const r = analyzeTs(cur, file, options);
    const f = r.findings.find(x => x.fix);
    if (!f) break;
    applied.push(`${f.rule}: ${f.fix!.title}`);
    cur = applyEdits(cur, f.fix!.edits.map(e => ({ span: e.span, newText: e.newText })));
  }
  return { text: cur, applied };
}

type Tf = typeof import('@tensorflow/tfjs');
let tfModule: Tf | undefined;

/** @tensorflow/tfjs 4.22 on its CPU backend (the union package: chained ops and gradients). */
export async function tfCpu(): Promise<Tf> {
  if (!tfModule) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    tfModule = require('@tensorflow/tfjs') as Tf;
    tfModule.env().set('IS_TEST', true);
    const ok = await tfModule.setBackend('cpu');
    if (!ok) throw new Error('could not select the TF.js CPU backend');
    await tfModule.ready();
    // IS_TEST (set above to silence the Node.js banner) also turns on kernel leak checks that
    // flag softmaxCrossEntropy's own gradient bookkeeping; the tests do not need them
    tfModule.env().set('IS_TEST', false);
  }
  return tfModule;
}

/** Transpiles a TS module to CommonJS and evaluates it with `@tensorflow/*` bound to `tf`. */
export function loadModule(code: string, tf: Tf, fileName = 'model.ts'): Record<string, unknown> {
  const js = ts.transpileModule(code, { fileName, compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020, esModuleInterop: true } }).outputText;
  const mod = { exports: {} as Record<string, unknown> };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const req = (id: string) => (id.startsWith('@tensorflow/tfjs') ? tf : require(id));
  new Function('require', 'module', 'exports', js)(req, mod, mod.exports);
  return mod.exports;
}

export function readTfjsExample(name: string): string {
  return fs.readFileSync(path.join(TFJS_EXAMPLES, name), 'utf8');
}

/** Flattened values of a tensor, an array of tensors, or a number. */
export function valuesOf(tf: Tf, x: unknown): number[] {
  if (typeof x === 'number') return [x];
  if (Array.isArray(x)) return x.flatMap(e => valuesOf(tf, e));
  if (x instanceof tf.Tensor) return [...x.shape, ...Array.from(x.dataSync() as Float32Array)];
  throw new Error(`not a tensor: ${String(x)}`);
}

/** Bitwise equality of two outputs (the CPU backend's fused kernels call the same ops: research/runtimes.md). */
export function sameBits(a: number[], b: number[]): { equal: boolean; maxAbs: number } {
  let maxAbs = 0;
  let equal = a.length === b.length;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (!Object.is(a[i], b[i])) equal = false;
    if (Number.isFinite(a[i]) && Number.isFinite(b[i])) maxAbs = Math.max(maxAbs, Math.abs(a[i] - b[i]));
  }
  return { equal, maxAbs };
}
