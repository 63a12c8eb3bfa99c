// Analysis speed on real source files (a directory you point it at: nothing is committed), to set
// the generated benchmarks' density against code people write. For every .cu/.cuh (and .ts/.js
// that mentions @tensorflow/tfjs or dispatchWorkgroups) under DIR: lines, kernels, launch sites,
// tf calls, and the warm full analysis (median of RUNS, caches forgotten). Totals per 10,000 lines.
// Run with: DIR=/path/to/checkout npm run bench corpus   (RUNS=n, default 9)
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyze, newHost, DEFAULT_OPTIONS, type AnalysisResult } from '../analyzer/analyze';
import { incrementalSteps } from '../analyzer/incremental';
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

// CONCAT=n: the corpus's files of each language joined (in path order) into one file of at least n
// lines: a file as dense as the code people write, analysed whole, then edited one keystroke at a
// time (a space typed and deleted on lines through the middle third, the previous result reused
// the way the language server does).
const concat = Number(process.env.CONCAT ?? 0);
if (concat) {
  for (const lang of ['cuda', 'ts']) {
    const parts = inputs.filter(x => x.cuda === (lang === 'cuda')).sort((a, b) => a.f.localeCompare(b.f));
    let text = '';
    let n = 0;
    for (const x of parts) { if (n >= concat) break; text += x.text.endsWith('\n') ? x.text : x.text + '\n'; n += x.text.split('\n').length; }
    if (!n) continue;
    const file = lang === 'cuda' ? '/corpus/joined.cu' : '/corpus/joined.ts';
    mkdirSync('out/bench', { recursive: true });
    writeFileSync(`out/bench/joined.${lang === 'cuda' ? 'cu' : 'ts'}`, text); // for profiling
    const full = () => { forgetFile(); return analyze(file, text, host, OPTS); };
    for (let i = 0; i < 10; i++) full();
    const fullMs: number[] = [];
    let r = full();
    for (let i = 0; i < 20; i++) { const t0 = performance.now(); r = full(); fullMs.push(performance.now() - t0); }
    // keystrokes: a space typed at the first non-blank of a line in the middle third, then deleted
    const lineStarts = [...text.matchAll(/\n[ \t]*(?=\S)/g)].map(m => m.index! + m[0].length);
    const mid = lineStarts.filter(p => p > text.length / 3 && p < (2 * text.length) / 3);
    const editMs: number[] = [];
    const fastMs: number[] = [];
    const fullMsAfterEdit: number[] = [];
    let prev = analyze(file, text, host, OPTS);
    const timedEdit = (t: string, p: AnalysisResult): AnalysisResult => {
      const t0 = performance.now();
      const a = analyze(file, t, host, OPTS, p);
      const ms = performance.now() - t0;
      editMs.push(ms);
      // CUDA: the incremental path or a full analysis; TS always re-parses one statement
      (lang === 'ts' || incrementalSteps(a) > 0 ? fastMs : fullMsAfterEdit).push(ms);
      return a;
    };
    for (let i = 0; i < 100; i++) {
      const at = mid[Math.floor((i * mid.length) / 100)];
      const a = timedEdit(text.slice(0, at) + ' ' + text.slice(at), prev);
      prev = timedEdit(text, a);
    }
    const q = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];
    const ops = r.ts ? r.ts.program.fns.reduce((s, fn) => s + fn.ops.length, 0) : 0;
    console.log(`${lang} joined: ${n} lines (${(text.length / 1024).toFixed(0)} KB), ${r.cuda?.kernels.length ?? 0} kernels, ${r.cuda?.launches.length ?? 0} launches, ${ops} tf ops, ${r.findings.length} findings`);
    console.log(`  full analysis: median ${q(fullMs, 0.5).toFixed(2)} ms, p90 ${q(fullMs, 0.9).toFixed(2)}, fastest ${q(fullMs, 0).toFixed(2)} (20 runs)`);
    console.log(`  one keystroke: median ${q(editMs, 0.5).toFixed(2)} ms, p90 ${q(editMs, 0.9).toFixed(2)}, fastest ${q(editMs, 0).toFixed(2)} (200 edits)`);
    if (lang === 'cuda') console.log(`    ${fastMs.length} incremental (median ${q(fastMs, 0.5).toFixed(2)} ms), ${fullMsAfterEdit.length} full (median ${fullMsAfterEdit.length ? q(fullMsAfterEdit, 0.5).toFixed(2) : '-'} ms)`);
  }
}
