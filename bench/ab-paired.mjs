// Full analysis by two checkouts of this repository in ONE process, paired: every round analyzes
// the file with both, in alternating order (A then B, then B then A), and the figure is the
// median of the per-round ratios B/A. The VM's speed drifts by up to 2x from minute to minute;
// both sides of a pair see the same minute, so the ratio is steady where separate processes'
// medians are not (bench/cuda-ab.mjs). Same-code runs (A = B) give ratios of 0.99-1.01.
// Usage: node bench/ab-paired.mjs <before-checkout> <after-checkout> file... [ROUNDS=150]
//   .cu/.cuh/.cpp files: the CUDA analysis; .ts/.js files: the TypeScript analysis from scratch
//   (its caches forgotten before each run).
import * as esbuild from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';

const [a, b, ...files] = process.argv.slice(2);
if (!a || !b || !files.length) { console.error('usage: node bench/ab-paired.mjs <before-checkout> <after-checkout> file...'); process.exit(2); }
const rounds = Number(process.env.ROUNDS ?? 150);
mkdirSync('out/bench', { recursive: true });
const driver = `
import { readFileSync } from 'node:fs';
import * as A from ${JSON.stringify(resolve(a, 'analyzer/analyze'))};
import * as B from ${JSON.stringify(resolve(b, 'analyzer/analyze'))};
import { forgetFile as forgetA } from ${JSON.stringify(resolve(a, 'analyzer/ts/frontend'))};
import { forgetFile as forgetB } from ${JSON.stringify(resolve(b, 'analyzer/ts/frontend'))};
const file = process.argv[2];
const rounds = Number(process.argv[3]);
const text = readFileSync(file, 'utf8');
const ts = /\\.(ts|tsx|js|mjs|cjs)$/.test(file);
const name = ts ? '/ab/f.ts' : '/ab/f.cu';
const sides = [[A, A.newHost(), forgetA], [B, B.newHost(), forgetB]];
const run = ([m, host, forget]) => {
  if (ts) forget(name);
  const t0 = performance.now();
  m.analyze(name, text, host, { ...m.DEFAULT_OPTIONS, withFixes: false });
  return performance.now() - t0;
};
for (let i = 0; i < 15; i++) { run(sides[0]); run(sides[1]); }
const ta = [], tb = [], ratio = [];
for (let r = 0; r < rounds; r++) {
  let x, y;
  if (r % 2 === 0) { x = run(sides[0]); y = run(sides[1]); } else { y = run(sides[1]); x = run(sides[0]); }
  ta.push(x); tb.push(y); ratio.push(y / x);
}
const med = v => [...v].sort((p, q) => p - q)[v.length >> 1];
console.log(JSON.stringify({ a: med(ta), b: med(tb), ratio: med(ratio), fastestA: Math.min(...ta), fastestB: Math.min(...tb) }));`;
const out = 'out/bench/ab-paired.cjs';
await esbuild.build({ stdin: { contents: driver, resolveDir: process.cwd(), loader: 'js' }, nodePaths: [resolve('node_modules')], bundle: true, platform: 'node', format: 'cjs', outfile: out, logLevel: 'warning', external: ['typescript'] });
for (const f of files) {
  const r = JSON.parse(execFileSync(process.execPath, [out, f, String(rounds)], { encoding: 'utf8' }));
  console.log(`${f}: before ${r.a.toFixed(2)} ms (fastest ${r.fastestA.toFixed(2)}), after ${r.b.toFixed(2)} ms (fastest ${r.fastestB.toFixed(2)}); after/before, median of ${rounds} paired rounds: ${r.ratio.toFixed(3)}`);
}
