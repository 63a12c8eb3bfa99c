// Full analysis of the generated 10,000-line CUDA files by two checkouts of this repository,
// alternated in one window (the VM's speed drifts from minute to minute, so separate runs do not
// compare): each round runs a fresh process per checkout and file, 20 analyses after 10 warm-ups,
// and prints the median and the fastest.
// Usage: node bench/cuda-ab.mjs <before-checkout> <after-checkout> [rounds=6]
//   e.g. git worktree add /tmp/before 7a41d8d && node bench/cuda-ab.mjs /tmp/before .
// FILES=a.cu,b.cu compares on those files instead (such as real sources joined by bench/corpus.ts).
import * as esbuild from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';

const [a, b, roundsArg] = process.argv.slice(2);
if (!a || !b) { console.error('usage: node bench/cuda-ab.mjs <before-checkout> <after-checkout> [rounds]'); process.exit(2); }
const rounds = Number(roundsArg ?? 6);
mkdirSync('out/bench', { recursive: true });
const driver = (dir) => `
import { analyze, newHost, DEFAULT_OPTIONS } from ${JSON.stringify(resolve(dir, 'analyzer/analyze'))};
import { generateCuda } from ${JSON.stringify(resolve(dir, 'bench/gen-cuda.mjs'))};
import { readFileSync } from 'node:fs';
const text = process.env.FILE ? readFileSync(process.env.FILE, 'utf8') : generateCuda(10000, 1, process.env.MIXED === '1');
const host = newHost();
const opts = { ...DEFAULT_OPTIONS, withFixes: false };
for (let i = 0; i < 10; i++) analyze('/b/s.cu', text, host, opts);
const t = [];
for (let i = 0; i < 20; i++) { const t0 = performance.now(); analyze('/b/s.cu', text, host, opts); t.push(performance.now() - t0); }
t.sort((x, y) => x - y);
console.log(JSON.stringify({ median: t[10], fastest: t[0] }));`;
const bundles = {};
for (const [name, dir] of [['before', a], ['after', b]]) {
  bundles[name] = `out/bench/cuda-ab-${name}.cjs`;
  // packages come from this checkout's node_modules (a fresh worktree has none)
  await esbuild.build({ stdin: { contents: driver(dir), resolveDir: resolve(dir), loader: 'js' }, nodePaths: [resolve('node_modules')], bundle: true, platform: 'node', format: 'cjs', outfile: bundles[name], logLevel: 'warning' });
}
const results = {};
for (let r = 0; r < rounds; r++) {
  for (const name of ['before', 'after']) {
    const inputs = process.env.FILES ? process.env.FILES.split(',').map(f => ({ label: f, env: { FILE: resolve(f) } })) : [{ label: 'dense', env: { MIXED: '0' } }, { label: 'mixed', env: { MIXED: '1' } }];
    for (const { label, env } of inputs) {
      const out = JSON.parse(execFileSync(process.execPath, [bundles[name]], { env: { ...process.env, ...env }, encoding: 'utf8' }));
      (results[`${name} ${label}`] ??= []).push(out);
    }
  }
}
for (const [k, xs] of Object.entries(results)) {
  const med = xs.map(x => x.median).sort((x, y) => x - y);
  console.log(`${k}: medians ${xs.map(x => x.median.toFixed(1)).join(' ')} (middle ${med[med.length >> 1].toFixed(1)}); fastest ${Math.min(...xs.map(x => x.fastest)).toFixed(1)}`);
}
