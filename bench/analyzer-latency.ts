// Analyzer latency on a generated 10,000-line CUDA file: cold first analysis, warm full analysis,
// re-analysis after a one-character edit, hover, and the code action (fix) of one finding.
// Run with: npm run bench   (prints a Markdown table; numbers are medians)
import { analyze, newHost, DEFAULT_OPTIONS } from '../analyzer/analyze';
import { hoverAt } from '../analyzer/report/hover';
// @ts-expect-error plain ESM generator shared with the shell
import { generateCuda } from './gen-cuda.mjs';

const lines = Number(process.env.LINES ?? 10000);
const text: string = generateCuda(lines, 1);
const file = '/bench/synth.cu';
const host = newHost();
const OPTS = { ...DEFAULT_OPTIONS, withFixes: false }; // what the language server runs on every keystroke
const now = () => performance.now();
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const p90 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.9)];

const t0 = now();
let r = analyze(file, text, host, OPTS);
const cold = now() - t0;
for (let i = 0; i < 5; i++) r = analyze(file, text, host, OPTS);
const full: number[] = [];
for (let i = 0; i < 20; i++) { const s = now(); r = analyze(file, text, host, OPTS); full.push(now() - s); }

// one-keystroke edits at 40 places spread over the file (inside host functions)
const edits: number[] = [];
const launchOffsets = [...text.matchAll(/<<</g)].map(m => m.index!);
for (let i = 0; i < 40; i++) {
  const at = launchOffsets[Math.floor((i * launchOffsets.length) / 40)] - 1;
  const edited = text.slice(0, at) + 'x' + text.slice(at);
  const s = now();
  analyze(file, edited, host, OPTS, r); // as the server does: the previous result lets it be incremental
  edits.push(now() - s);
}
// the same edits analyzed from scratch (what an edit cost before incremental analysis)
const editsFull: number[] = [];
for (let i = 0; i < 20; i++) {
  const at = launchOffsets[Math.floor((i * launchOffsets.length) / 20)] - 1;
  const edited = text.slice(0, at) + 'x' + text.slice(at);
  const s = now();
  analyze(file, edited, host, OPTS);
  editsFull.push(now() - s);
}
const hovers: number[] = [];
const launches = r.cuda!.launches;
for (let i = 0; i < 40; i++) {
  const l = launches[Math.floor((i * launches.length) / 40)];
  const s = now();
  hoverAt(r, l.calleeSpan.start + 1, DEFAULT_OPTIONS.defaultElements);
  hovers.push(now() - s);
}
const mem = process.memoryUsage();
const fmt = (x: number) => x.toFixed(2);
console.log(JSON.stringify({
  lines: text.split('\n').length, bytes: text.length, kernels: r.cuda!.kernels.length, launches: launches.length, findings: r.findings.length,
  coldMs: fmt(cold), fullMedianMs: fmt(median(full)), fullP90Ms: fmt(p90(full)), editMedianMs: fmt(median(edits)), editP90Ms: fmt(p90(edits)), editFromScratchMedianMs: fmt(median(editsFull)),
  hoverMedianMs: fmt(median(hovers)), heapMB: (mem.heapUsed / 1e6).toFixed(1), rssMB: (mem.rss / 1e6).toFixed(1),
}));
