// Bundles and runs the benchmarks in bench/ (never part of npm test). Usage: npm run bench [name]
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

const only = process.argv[2];
const benches = readdirSync('bench').filter(f => f.endsWith('.ts') && (!only || f.startsWith(only)));
for (const b of benches) {
  const out = `out/bench/${b.replace(/\.ts$/, '.cjs')}`;
  await esbuild.build({ entryPoints: [`bench/${b}`], outfile: out, bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'warning', external: ['typescript', 'web-tree-sitter', 'tree-sitter-cuda'] });
  console.log(`## ${b}`);
  const r = spawnSync(process.execPath, ['--expose-gc', out], { stdio: 'inherit' });
  if (r.status !== 0) process.exitCode = 1;
}
