// Latency of the TypeScript (TF.js) frontend on a generated 5,000-line file:
//   cold     a fresh process: load the bundle, require `typescript`, parse and analyze once
//   warm     full analysis of the file with the JIT warm (cache forgotten: fresh parse + extraction)
//   edit     re-analysis after a one-line edit (ts.updateSourceFile + per-declaration cache)
//   parse    ts.createSourceFile alone, for reference
// Usage: node --expose-gc bench/ts-analyze.mjs [lines=5000] [runs=30] [mixed]. Budgets (issue 5): warm <= 30 ms, edit <= 5 ms.
import * as esbuild from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { generateTfjsFile } from './ts-gen.mjs';

const lines = Number(process.argv[2] ?? 5000);
const runs = Number(process.argv[3] ?? 30);
const mixed = process.argv[4] === 'mixed';
const require = createRequire(import.meta.url);
mkdirSync('out/bench', { recursive: true });
await esbuild.build({
  stdin: {
    contents: `export { analyze, newHost, DEFAULT_OPTIONS } from './analyzer/analyze';\nexport { forgetFile, frontendStats } from './analyzer/ts/frontend';\nexport { hoverAt } from './analyzer/report/hover';`,
    resolveDir: process.cwd(), loader: 'ts',
  },
  bundle: true, platform: 'node', format: 'cjs', outfile: 'out/bench/ts-analyze.cjs', external: ['typescript'], logLevel: 'warning',
});
const text = generateTfjsFile(lines, mixed);
writeFileSync('out/bench/generated.ts', text);
const file = '/bench/generated.ts';

// cold: fresh processes
const coldScript = `const t0 = performance.now(); const a = require(${JSON.stringify(process.cwd() + '/out/bench/ts-analyze.cjs')});
const text = require('fs').readFileSync(${JSON.stringify(process.cwd() + '/out/bench/generated.ts')}, 'utf8');
const r = a.analyze(${JSON.stringify(file)}, text, a.newHost(), a.DEFAULT_OPTIONS); console.log(performance.now() - t0, r.findings.length);`;
const cold = [];
let findings = 0;
for (let i = 0; i < 5; i++) {
  const [ms, n] = execFileSync(process.execPath, ['-e', coldScript], { encoding: 'utf8' }).trim().split(' ').map(Number);
  cold.push(ms);
  findings = n;
}

const a = require('../out/bench/ts-analyze.cjs');
const ts = require('typescript');
const host = a.newHost();
const run = t => a.analyze(file, t, host, a.DEFAULT_OPTIONS);
const median = xs => { const s = [...xs].sort((x, y) => x - y); return s[Math.floor(s.length / 2)]; };
const p90 = xs => { const s = [...xs].sort((x, y) => x - y); return s[Math.floor(s.length * 0.9)]; };
// wall time, and the process's CPU time (user + system, all threads: GC helpers included), which
// moves less when other processes compete for the 2 cores
const cpu = new Map();
const time = (f, label) => {
  const c = process.cpuUsage();
  const t = performance.now();
  f();
  const wall = performance.now() - t;
  const d = process.cpuUsage(c);
  if (label) { const l = cpu.get(label) ?? []; l.push((d.user + d.system) / 1000); cpu.set(label, l); }
  return wall;
};

for (let i = 0; i < 5; i++) { a.forgetFile(file); run(text); }
// a keystroke in the middle of the file (relu → relu6 and back: the length changes, so every
// declaration below the edit moves). The runs go in rounds of 5 parses, 5 full analyses and 5
// edits; each round's medians give ratios to the parser that hold while the machine's speed drifts.
const at = text.indexOf('return tf.relu(z) as Tensor2D;', text.length / 2);
const variant = text.slice(0, at) + 'return tf.relu6(z) as Tensor2D;' + text.slice(at + 'return tf.relu(z) as Tensor2D;'.length);
const warm = [];
const edit = [];
const parse = [];
const warmRatio = [];
const editRatio = [];
let stats;
for (let round = 0; round < Math.ceil(runs / 5); round++) {
  const p = [];
  const w = [];
  const e = [];
  for (let i = 0; i < 5; i++) p.push(time(() => ts.createSourceFile('x.ts', text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS), 'parse'));
  for (let i = 0; i < 5; i++) { a.forgetFile(file); w.push(time(() => run(text), 'warm')); }
  run(text);
  for (let i = 0; i < 5; i++) { e.push(time(() => run(i % 2 ? text : variant), 'edit')); stats = { ...a.frontendStats }; }
  parse.push(...p); warm.push(...w); edit.push(...e);
  warmRatio.push(median(w) / median(p));
  editRatio.push(median(e) / median(p));
}
// hover on the first matMul of the middle function
const r = run(text);
const hoverAt = text.indexOf('tf.matMul', text.length / 2) + 4;
const hover = [];
for (let i = 0; i < runs; i++) hover.push(time(() => a.hoverAt(r, hoverAt, a.DEFAULT_OPTIONS.defaultElements), 'hover'));

const f = x => x.toFixed(2);
const rows = [
  ['cold (new process: load, require typescript, parse, analyze)', median(cold), Math.max(...cold), Math.min(...cold), undefined],
  ['warm full analysis', median(warm), p90(warm), Math.min(...warm), median(cpu.get('warm'))],
  ['one-line edit (incremental)', median(edit), p90(edit), Math.min(...edit), median(cpu.get('edit'))],
  ['ts.createSourceFile alone', median(parse), p90(parse), Math.min(...parse), median(cpu.get('parse'))],
  ['hover on an op', median(hover), p90(hover), Math.min(...hover), median(cpu.get('hover'))],
];
const tfCalls = (text.match(/\btf\.\w+\(|\.(?:matMul|conv2d|add|sub|div|relu6?|sigmoid|square|sqrt|toFloat)\(/g) ?? []).length;
console.log(`TF.js frontend, ${lines} lines${mixed ? ' (mixed with application code)' : ''} (${(text.length / 1024).toFixed(0)} KB, ~${tfCalls} tf calls), ${findings} findings; ${runs} runs; Node ${process.version}, ${os.cpus().length} cores, load average ${os.loadavg().map(x => x.toFixed(2)).join(' ')}`);
global.gc?.();
const mem = process.memoryUsage();
console.log(`memory after the runs: rss ${(mem.rss / 2 ** 20).toFixed(0)} MiB, heap used ${(mem.heapUsed / 2 ** 20).toFixed(0)} MiB (TypeScript loaded, one 5,000-line file cached)`);
console.log(`last edit: parse ${stats.parse}, ${stats.declsReused} declarations reused, ${stats.declsExtracted} re-extracted`);
console.log(`relative to ts.createSourceFile in the same round (median of ${warmRatio.length} rounds): warm full analysis ${median(warmRatio).toFixed(2)}x, one-line edit ${median(editRatio).toFixed(2)}x`);
console.log('| measurement | median ms | p90 (cold: max) ms | min ms | median CPU ms |');
console.log('|---|---|---|---|---|');
for (const [name, m, p, mn, c] of rows) console.log(`| ${name} | ${f(m)} | ${f(p)} | ${f(mn)} | ${c === undefined ? '—' : f(c)} |`);
