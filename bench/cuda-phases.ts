// Where a full analysis of the generated 10,000-line CUDA file goes, phase by phase: lexing,
// scanning, kernel summaries, host-function analysis, findings. Each phase is timed on its own
// (the same work analyzeCuda and cudaFindings do), median and fastest of N runs.
// Run with: npm run bench cuda-phases   (MIXED=1 for the mixed file; FILE=path for any file, such
// as the joined real sources bench/corpus.ts writes to out/bench/joined.cu; RUNS=n)
import { readFileSync } from 'node:fs';
import { analyze, newHost, DEFAULT_OPTIONS } from '../analyzer/analyze';
import { acceptedLibraryFindings } from '../analyzer/libs/libraryPass';
import { lex } from '../analyzer/cuda/lexer';
import { scan } from '../analyzer/cuda/scanner';
import { parseAnnotations } from '../analyzer/core/annotations';
import { summarizeKernel } from '../analyzer/cuda/kernelSummary';
import { hostEnv, analyzeHostFunction, analyzeCuda } from '../analyzer/cuda/frontend';
import { cudaFindings } from '../analyzer/cudaFindings';
import { LineIndex } from '../analyzer/core/text';
import { cudaProfile } from '../analyzer/cost/profiles';
// @ts-expect-error plain ESM generator shared with the shell
import { generateCuda } from './gen-cuda.mjs';

const mixed = process.env.MIXED === '1';
const runs = Number(process.env.RUNS ?? 40);
const text: string = process.env.FILE ? readFileSync(process.env.FILE, 'utf8') : generateCuda(10000, 1, mixed);
const file = '/bench/synth.cu';
const OPTS = { ...DEFAULT_OPTIONS, withFixes: false };
const times = new Map<string, number[]>();
function timed<T>(phase: string, f: () => T): T {
  const t0 = performance.now();
  const r = f();
  (times.get(phase) ?? times.set(phase, []).get(phase)!).push(performance.now() - t0);
  return r;
}
const host = newHost();
const program = analyzeCuda(file, text);
const profile = cudaProfile(OPTS.gpu).profile;
for (let i = 0; i < runs + 10; i++) {
  if (i === 10) times.clear(); // JIT warm-up
  timed('whole analysis (analyze)', () => analyze(file, text, host, OPTS));
  const tokens = timed('lex', () => lex(text));
  const s = timed('scan', () => scan(tokens));
  const ann = parseAnnotations(text, tokens.comments);
  const kernels = timed('kernel summaries: heads', () => s.functions.filter(f => f.isKernel).map(f => summarizeKernel(tokens, f, file)));
  // bodies are analyzed when first read (a launch needs them); here all of them, timed apart
  timed('kernel summaries: every body', () => { for (const k of kernels) void k.uses; });
  const env = hostEnv(file, tokens, s, ann, kernels);
  timed('host functions (bodies made)', () => { for (const f of s.functions) if (!f.isKernel && f.isHost) analyzeHostFunction(env, f); });
  const lines = timed('line index', () => new LineIndex(text));
  timed('findings (cudaFindings)', () => cudaFindings(program, program.sequences, profile, OPTS, lines, new Map()));
  timed('library pipelines', () => acceptedLibraryFindings(program, OPTS, lines));
}
console.log(`${process.env.FILE ?? (mixed ? 'mixed' : 'dense')} file, ${runs} runs\n\n| phase | median ms | fastest ms |\n|---|---:|---:|`);
for (const [phase, xs] of times) {
  xs.sort((a, b) => a - b);
  console.log(`| ${phase} | ${xs[xs.length >> 1].toFixed(2)} | ${xs[0].toFixed(2)} |`);
}
