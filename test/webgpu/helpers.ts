// Helpers for the WebGPU tests: analyze in memory with a host that reads files, apply every fix
// the way `fusion-lens fix` does, and load a TS module (an example) so it can run on Dawn.
import { analyze, newHost, DEFAULT_OPTIONS, type AnalysisOptions, type AnalysisResult } from '../../analyzer/analyze';
import { fixAll as fixAllFile } from '../../analyzer/fixAll';
import * as ts from 'typescript';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const ROOT = (() => {
  let d = __dirname;
  while (d !== path.dirname(d) && !fs.existsSync(path.join(d, 'package.json'))) d = path.dirname(d);
  return d;
})();
export const WEBGPU_EXAMPLES = path.join(ROOT, 'examples', 'webgpu');

const readFile = (files: Record<string, string>) => (p: string) => {
  if (p in files) return files[p];
  try {
    return fs.readFileSync(p, 'utf8');
  } catch {
    return undefined;
  }
};

export function analyzeWg(text: string, file = '/virtual/gpu.ts', options: Partial<AnalysisOptions> = {}, files: Record<string, string> = {}): AnalysisResult {
  return analyze(file, text, newHost(readFile(files)), { ...DEFAULT_OPTIONS, gpu: 'iris-xe', ...options });
}

export function fixAll(text: string, file = '/virtual/gpu.ts', files: Record<string, string> = {}): { text: string; applied: string[]; stalled?: string } {
  const r = fixAllFile(file, text, newHost(readFile(files)), { ...DEFAULT_OPTIONS, gpu: 'iris-xe' });
  return { text: r.text, applied: r.applied, stalled: r.stalled };
}

export function readExample(name: string): string {
  return fs.readFileSync(path.join(WEBGPU_EXAMPLES, name), 'utf8');
}

/** Transpiles a TS module to CommonJS and evaluates it; `.wgsl` imports resolve to the file's text. */
export function loadModule(code: string, dir = WEBGPU_EXAMPLES, fileName = 'module.ts'): Record<string, unknown> {
  const js = ts.transpileModule(code, { fileName, compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true } }).outputText;
  const mod = { exports: {} as Record<string, unknown> };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const req = (id: string) => (id.endsWith('.wgsl') ? fs.readFileSync(path.join(dir, id), 'utf8') : require(id));
  new Function('require', 'module', 'exports', js)(req, mod, mod.exports);
  return mod.exports;
}

/**
 * Counts compute dispatches while `f` runs (patched on the prototype Dawn's passes share), and
 * fails if the program made a validation error (WebGPU reports those asynchronously, not by throwing).
 */
export async function countDispatches<T>(device: GPUDevice, f: () => Promise<T>): Promise<{ value: T; dispatches: number }> {
  device.pushErrorScope('validation');
  let out: { value: T; dispatches: number };
  try {
    out = await countOnly(device, f);
  } finally {
    const err = await device.popErrorScope();
    if (err) throw new Error(`WebGPU validation error: ${err.message}`);
  }
  return out;
}

async function countOnly<T>(device: GPUDevice, f: () => Promise<T>): Promise<{ value: T; dispatches: number }> {
  const enc = device.createCommandEncoder();
  const pass = enc.beginComputePass();
  const proto = Object.getPrototypeOf(pass) as GPUComputePassEncoder;
  pass.end();
  enc.finish();
  const orig = proto.dispatchWorkgroups;
  const origInd = proto.dispatchWorkgroupsIndirect;
  let n = 0;
  proto.dispatchWorkgroups = function (this: GPUComputePassEncoder, ...a: Parameters<GPUComputePassEncoder['dispatchWorkgroups']>) { n++; return orig.apply(this, a); };
  proto.dispatchWorkgroupsIndirect = function (this: GPUComputePassEncoder, ...a: Parameters<GPUComputePassEncoder['dispatchWorkgroupsIndirect']>) { n++; return origInd.apply(this, a); };
  try {
    const value = await f();
    return { value, dispatches: n };
  } finally {
    proto.dispatchWorkgroups = orig;
    proto.dispatchWorkgroupsIndirect = origInd;
  }
}

/**
 * Element-wise comparison. `equal`: bitwise. `withinRounding`: every element within
 * 1e-6 + 1e-6·|a| (one shader may be compiled to different but equally valid roundings than a
 * chain of shaders: WGSL lets implementations reassociate and contract, e.g. (x + 1) - 2 to x - 1).
 */
export function compareF32(a: Float32Array, b: Float32Array): { equal: boolean; withinRounding: boolean; maxAbs: number; differing: number } {
  let maxAbs = 0;
  let differing = 0;
  let within = a.length === b.length;
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (ua[i] === ub[i]) continue;
    differing++;
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= 1e-6 + 1e-6 * Math.abs(a[i]))) within = false;
    if (Number.isFinite(d)) maxAbs = Math.max(maxAbs, d);
  }
  return { equal: a.length === b.length && differing === 0, withinRounding: within, maxAbs, differing };
}
