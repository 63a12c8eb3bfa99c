// Analysis speed on real source files (a directory you point it at: nothing is committed), to set
// the generated benchmarks' density against code people write. For every .cu/.cuh (and .ts/.js
// that mentions @tensorflow/tfjs or dispatchWorkgroups) under DIR: lines, kernels, launch sites,
// tf calls, and the warm full analysis (median of RUNS, caches forgotten). Totals per 10,000 lines.
// Run with: DIR=/path/to/checkout npm run bench corpus   (RUNS=n, default 9)
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { analyze, newHost, DEFAULT_OPTIONS } from '../analyzer/analyze';
import { forgetFile } from '../analyzer/ts/frontend';

const dir = process.env.DIR;
if (!dir) { console.error('set DIR to a directory of real sources'); process.exit(2); }
const runs = Number(process.env.RUNS ?? 9);
const OPTS = { ...DEFAULT_OPTIONS, withFixes: false }; // what the language server runs
const files: string[] = [];
const walk = (d: string) => {
  for (const e of readdirSync(d)) {
    const p = join(d, e);
    if (e === 'node_modules' || e.startsWith('.')) continue;
    const st = statSync(p);
    if (st.isDirectory()) walk(p);
    else if (/\.(cu|cuh)$/.test(e) || (/\.(ts|js|mjs)$/.test(e) && !e.endsWith('.d.ts'))) files.push(p);
  }
};
walk(dir);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
interface Row { file: string; lang: string; lines: number; kernels: number; launches: number; tfCalls: number; findings: number; ms: number }
const rows: Row[] = [];
const host = newHost();
const inputs = files.map(f => ({ f, text: readFileSync(f, 'utf8'), cuda: /\.cuh?$/.test(f) }))
  .filter(x => x.cuda || /@tensorflow\/tfjs|dispatchWorkgroups/.test(x.text));
const run = (x: { f: string; text: string }) => { forgetFile(); return analyze(x.f, x.text, host, OPTS); };
// the JIT warms on the whole corpus first: else the first files measured pay for it
for (let i = 0; i < 3; i++) for (const x of inputs) run(x);
for (const x of inputs) {
  let r = run(x);
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) { const t0 = performance.now(); r = run(x); ms.push(performance.now() - t0); }
  const kernels = r.cuda ? r.cuda.kernels.length : 0;
  const launches = r.cuda ? r.cuda.launches.length : (r.webgpu?.launches.length ?? 0);
  const tfCalls = r.ts ? r.ts.program.fns.reduce((s, fn) => s + fn.ops.length, 0) : 0;
  rows.push({ file: x.f.slice(dir.length + 1), lang: x.cuda ? 'cuda' : 'ts', lines: x.text.split('\n').length, kernels, launches, tfCalls, findings: r.findings.length, ms: median(ms) });
}
for (const lang of ['cuda', 'ts']) {
  const rs = rows.filter(r => r.lang === lang);
  if (!rs.length) continue;
  const sum = (k: keyof Row) => rs.reduce((s, r) => s + (r[k] as number), 0);
  const lines = sum('lines');
  const per10k = (x: number) => (x * 10000 / lines).toFixed(1);
  console.log(`${lang}: ${rs.length} files, ${lines} lines; per 10,000 lines: ${per10k(sum('kernels'))} kernels, ${per10k(sum('launches'))} launches, ${per10k(sum('tfCalls'))} tf ops, ${per10k(sum('findings'))} findings; analysis ${per10k(sum('ms'))} ms (sum of each file's median)`);
  const worst = [...rs].sort((a, b) => b.ms / b.lines - a.ms / a.lines).slice(0, Number(process.env.WORST ?? 3));
  for (const w of worst) console.log(`  slowest per line: ${w.file}: ${w.lines} lines, ${w.kernels} kernels, ${w.launches} launches, ${w.tfCalls} tf ops: ${w.ms.toFixed(2)} ms`);
}
