// Our analyzer against tree-sitter-cuda's WASM parser (devDependency, reference only) on the same
// generated 10,000-line .cu file, in the same process: cold (first call, JIT and WASM not warm) and
// warm (median of RUNS after warm-up). Reported as ratios: our full analysis (lexer, scanner, kernel
// summaries, host sequences, planner, cost model; no fix text, as the server runs it) and our
// lexer + scanner alone, each against a tree-sitter parse (which builds a syntax tree and nothing else).
// Run with: npm run bench tree-sitter-ratio   (LINES=10000 RUNS=20)
import * as os from 'node:os';
import { analyze, newHost, DEFAULT_OPTIONS } from '../analyzer/analyze';
import { lex } from '../analyzer/cuda/lexer';
import { scan } from '../analyzer/cuda/scanner';
import { loadParser } from '../test/helpers/treeSitterCuda';
// @ts-expect-error plain ESM generator shared with the shell
import { generateCuda } from './gen-cuda.mjs';

const LINES = Number(process.env.LINES ?? 10000);
const RUNS = Number(process.env.RUNS ?? 20);
const text: string = generateCuda(LINES, 1);
const OPTS = { ...DEFAULT_OPTIONS, withFixes: false };
const now = () => performance.now();
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const time = (f: () => void) => { const s = now(); f(); return now() - s; };

async function main(): Promise<void> {
  const load0 = os.loadavg()[0];
  // cold: the first call of each in this process
  const oursCold = time(() => analyze('/bench/synth.cu', text, newHost(), OPTS));
  const t0 = now();
  const parser = await loadParser();
  const tsLoad = now() - t0;
  let tree = parser.parse(text)!;
  tree.delete();
  const tsCold = now() - t0;

  const ours: number[] = [];
  const lexScan: number[] = [];
  const ts: number[] = [];
  for (let i = 0; i < 3; i++) { analyze('/bench/synth.cu', text, newHost(), OPTS); parser.parse(text)!.delete(); }
  // interleaved, so load from other processes hits both alike
  for (let i = 0; i < RUNS; i++) {
    ours.push(time(() => analyze('/bench/synth.cu', text, newHost(), OPTS)));
    lexScan.push(time(() => scan(lex(text))));
    ts.push(time(() => { tree = parser.parse(text)!; }));
    tree.delete();
  }
  const r = (x: number) => Math.round(x * 100) / 100;
  console.log(JSON.stringify({
    lines: text.split('\n').length, bytes: text.length, runs: RUNS,
    treeSitterColdMs: r(tsCold), treeSitterInitLoadMs: r(tsLoad), oursColdMs: r(oursCold),
    treeSitterWarmMs: r(median(ts)), oursFullWarmMs: r(median(ours)), oursLexScanWarmMs: r(median(lexScan)),
    ratioFull: r(median(ours) / median(ts)), ratioLexScan: r(median(lexScan) / median(ts)), ratioCold: r(oursCold / (tsCold - tsLoad)),
    loadavg: `${load0.toFixed(2)} -> ${os.loadavg()[0].toFixed(2)}`,
  }));
}

void main();
