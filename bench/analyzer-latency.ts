// Analyzer latency on a generated 10,000-line CUDA file (bench/gen-cuda.mjs): the first analysis
// in a new process, a full analysis with a warm JIT, a one-character edit inside a host function
// (incremental, as the language server runs it), a blank line typed between functions (incremental:
// everything after it moves), a declaration typed between functions (full, reusing the unchanged
// kernels' summaries), the same edit from scratch, hover, and a code action's fix.
// Run with: npm run bench analyzer-latency   (LINES=n for another size; MIXED=1 for the file with
// ordinary host code between the kernel groups)
// Prints a Markdown table: wall-clock and CPU milliseconds (CPU time is steadier on a shared machine).
import { analyze, newHost, DEFAULT_OPTIONS, type AnalysisResult } from '../analyzer/analyze';
import { hoverAt } from '../analyzer/report/hover';
import { incrementalSteps } from '../analyzer/incremental';
// @ts-expect-error plain ESM generator shared with the shell
import { generateCuda } from './gen-cuda.mjs';

const lines = Number(process.env.LINES ?? 10000);
const mixed = process.env.MIXED === '1';
const text: string = generateCuda(lines, 1, mixed);
const file = '/bench/synth.cu';
const host = newHost();
const OPTS = { ...DEFAULT_OPTIONS, withFixes: false }; // what the language server runs on every keystroke
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const rows: string[] = [];

function measure(label: string, runs: number, f: (i: number) => void): void {
  const wall: number[] = [];
  const cpus: number[] = [];
  for (let i = 0; i < runs; i++) {
    const c0 = cpu();
    const t0 = performance.now();
    f(i);
    wall.push(performance.now() - t0);
    cpus.push(cpu() - c0);
  }
  const q = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];
  rows.push(`| ${label} | ${runs} | ${q(wall, 0.5).toFixed(2)} | ${q(wall, 0.9).toFixed(2)} | ${q(wall, 0).toFixed(2)} | ${q(cpus, 0.5).toFixed(2)} |`);
}

const c0 = performance.now();
let r: AnalysisResult = analyze(file, text, host, OPTS);
const coldMs = performance.now() - c0;
for (let i = 0; i < 5; i++) r = analyze(file, text, host, OPTS);
measure('full analysis (warm JIT, from scratch)', 20, () => { r = analyze(file, text, host, OPTS); });

const launchOffsets = [...text.matchAll(/<<</g)].map(m => m.index!);
const kernelOffsets = [...text.matchAll(/\n__global__/g)].map(m => m.index!);
const keystroke = (i: number, n: number) => {
  const at = launchOffsets[Math.floor((i * launchOffsets.length) / n)] - 1;
  return text.slice(0, at) + 'x' + text.slice(at);
};
let incremental = 0;
measure('one-character edit in a host function (incremental)', 200, i => {
  if (incrementalSteps(analyze(file, keystroke(i, 200), host, OPTS, r)) > 0) incremental++;
});
measure('the same edit from scratch', 20, i => { analyze(file, keystroke(i, 20), host, OPTS); });
let blankIncremental = 0;
measure('newline typed between functions (blanks only: incremental)', 20, i => {
  const at = kernelOffsets[Math.floor((i * kernelOffsets.length) / 20)];
  if (incrementalSteps(analyze(file, text.slice(0, at) + '\n' + text.slice(at), host, OPTS, r)) > 0) blankIncremental++;
});
measure('a declaration typed between functions (full, kernel summaries reused)', 20, i => {
  const at = kernelOffsets[Math.floor((i * kernelOffsets.length) / 20)];
  analyze(file, text.slice(0, at) + '\nstatic int z;' + text.slice(at), host, OPTS, r);
});
const launches = r.cuda!.launches;
measure('hover on a launch', 40, i => {
  const l = launches[Math.floor((i * launches.length) / 40)];
  hoverAt(r, l.calleeSpan.start + 1, DEFAULT_OPTIONS.defaultElements);
});
// each finding's fix is computed once and kept: a fresh result, 20 different findings
const fresh = analyze(file, text, host, OPTS);
const fixable = fresh.findings.filter(f => f.fixable);
measure('code action: fix of a finding (full result)', 20, i => { fresh.resolveFix(fixable[Math.floor((i * fixable.length) / 20)]); });
measure('code action right after an edit (runs the full analysis first)', 10, i => {
  const e = analyze(file, keystroke(i, 10), host, OPTS, r);
  const f = e.findings.find(x => x.fixable);
  if (f) e.resolveFix(f);
});

const mem = process.memoryUsage();
console.log(`${mixed ? 'mixed file: ' : 'dense file: '}${text.split('\n').length} lines, ${(text.length / 1024).toFixed(0)} KiB, ${r.cuda!.kernels.length} kernels, ${launches.length} launches, ${r.findings.length} findings; incremental path taken for ${incremental} of 200 edits in bodies and ${blankIncremental} of 20 blank lines between functions`);
console.log(`first analysis in a new process: ${coldMs.toFixed(1)} ms; heap ${(mem.heapUsed / 1e6).toFixed(1)} MB, RSS ${(mem.rss / 1e6).toFixed(1)} MB after the runs\n`);
console.log('| measurement | runs | median ms | p90 ms | min ms | median CPU ms |');
console.log('|---|---:|---:|---:|---:|---:|');
for (const row of rows) console.log(row);
