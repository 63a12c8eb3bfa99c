// TF.js analysis of one file by two checkouts of this repository, alternated in one window (the
// VM's speed drifts from minute to minute): each round runs a fresh process per checkout: full
// analyses (cache forgotten) and keystrokes (a space typed at the start of a line in the middle
// third, then deleted, the previous tree reused), and prints the medians.
// Usage: FILE=path.ts node bench/ts-ab.mjs <before-checkout> <after-checkout> [rounds=6]
//   e.g. git worktree add /tmp/before e3713a2 && FILE=out/bench/joined.ts node bench/ts-ab.mjs /tmp/before .
import * as esbuild from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';

const [a, b, roundsArg] = process.argv.slice(2);
const file = process.env.FILE;
if (!a || !b || !file) { console.error('usage: FILE=x.ts node bench/ts-ab.mjs <before-checkout> <after-checkout> [rounds]'); process.exit(2); }
const rounds = Number(roundsArg ?? 6);
mkdirSync('out/bench', { recursive: true });
const driver = (dir) => `
import { readFileSync } from 'node:fs';
import { analyze, newHost, DEFAULT_OPTIONS } from ${JSON.stringify(resolve(dir, 'analyzer/analyze'))};
import { forgetFile } from ${JSON.stringify(resolve(dir, 'analyzer/ts/frontend'))};
const text = readFileSync(${JSON.stringify(resolve(file))}, 'utf8');
const f = '/ab/file.ts';
const host = newHost();
const median = xs => [...xs].sort((x, y) => x - y)[xs.length >> 1];
for (let i = 0; i < 10; i++) { forgetFile(f); analyze(f, text, host, DEFAULT_OPTIONS); }
const full = [];
for (let i = 0; i < 20; i++) { forgetFile(f); const t0 = performance.now(); analyze(f, text, host, DEFAULT_OPTIONS); full.push(performance.now() - t0); }
const starts = [...text.matchAll(/\\n[ \\t]*(?=\\S)/g)].map(m => m.index + m[0].length).filter(p => p > text.length / 3 && p < (2 * text.length) / 3);
analyze(f, text, host, DEFAULT_OPTIONS);
const keys = [];
for (let i = 0; i < 100; i++) {
  const at = starts[Math.floor((i * starts.length) / 100)];
  for (const t of [text.slice(0, at) + ' ' + text.slice(at), text]) { const t0 = performance.now(); analyze(f, t, host, DEFAULT_OPTIONS); keys.push(performance.now() - t0); }
}
console.log(JSON.stringify({ full: median(full), key: median(keys) }));`;
const bundles = {};
for (const [name, dir] of [['before', a], ['after', b]]) {
  bundles[name] = `out/bench/ts-ab-${name}.cjs`;
  await esbuild.build({ stdin: { contents: driver(dir), resolveDir: resolve(dir), loader: 'js' }, nodePaths: [resolve('node_modules')], bundle: true, platform: 'node', format: 'cjs', outfile: bundles[name], logLevel: 'warning', external: ['typescript'] });
}
const results = { before: [], after: [] };
for (let r = 0; r < rounds; r++) {
  for (const name of ['before', 'after']) results[name].push(JSON.parse(execFileSync(process.execPath, [bundles[name]], { encoding: 'utf8' })));
}
for (const [name, xs] of Object.entries(results)) {
  const mid = k => [...xs.map(x => x[k])].sort((p, q) => p - q)[xs.length >> 1].toFixed(2);
  console.log(`${name}: full analysis medians ${xs.map(x => x.full.toFixed(1)).join(' ')} (middle ${mid('full')}); keystroke medians ${xs.map(x => x.key.toFixed(2)).join(' ')} (middle ${mid('key')})`);
}
