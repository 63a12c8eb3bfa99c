// Test helpers: analyze CUDA text in memory (with optional extra files for includes).
import { analyze, newHost, DEFAULT_OPTIONS, type AnalysisOptions, type AnalysisResult } from '../../analyzer/analyze';
import { applyEdits } from '../../analyzer/core/text';
import * as fs from 'node:fs';
import * as path from 'node:path';

export function analyzeText(text: string, file = '/virtual/test.cu', files: Record<string, string> = {}, options: Partial<AnalysisOptions> = {}): AnalysisResult {
  const host = newHost(p => files[p]);
  for (const [p, t] of Object.entries(files)) host.index.update(p, t);
  return analyze(file, text, host, { ...DEFAULT_OPTIONS, ...options });
}

/** Applies the first finding's fix and returns the new text. */
export function applyFirstFix(text: string, r: AnalysisResult): string {
  const f = r.findings.find(x => x.fix);
  if (!f) throw new Error('no fixable finding: ' + JSON.stringify(r.findings.map(x => x.fixUnavailable)));
  return applyEdits(text, f.fix!.edits.map(e => ({ span: e.span, newText: e.newText })));
}

/** The repository root: the nearest folder above this (bundled) file that has package.json. */
export const ROOT = (() => {
  let d = __dirname;
  while (!fs.existsSync(path.join(d, 'package.json')) && path.dirname(d) !== d) d = path.dirname(d);
  return d;
})();
export const EXAMPLES = path.join(ROOT, 'examples');

export function readExample(rel: string): string {
  return fs.readFileSync(path.join(EXAMPLES, rel), 'utf8');
}

/** A minimal elementwise kernel: `out[i] = <expr of in[i]>`. */
export function ewKernel(name: string, expr = 'in[i] * 2.0f', params = 'const float* in, float* out, int n'): string {
  return `__global__ void ${name}(${params}) {\n  int i = blockIdx.x * blockDim.x + threadIdx.x;\n  if (i < n) out[i] = ${expr};\n}\n`;
}
