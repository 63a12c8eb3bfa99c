// `npm test`: type-check, build, then every test suite (unit, LSP over stdio, nvcc compile checks,
// real VS Code end to end). Each suite prints its own results; any failure fails the run.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as esbuild from 'esbuild';

const only = process.argv.slice(2).filter(a => !a.startsWith('-'));
const skipE2e = process.argv.includes('--no-e2e') || process.env.FUSION_LENS_SKIP_E2E === '1';
const t0 = Date.now();
const step = (name) => console.log(`\n### ${name} [${((Date.now() - t0) / 1000).toFixed(1)}s]`);
const run = (cmd, args, opts = {}) => {
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...opts });
  if (r.status !== 0) {
    console.error(`\n✖ ${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
    process.exit(r.status || 1);
  }
};

function listTests(dir) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out.push(...listTests(p));
    else if (e.endsWith('.test.ts')) out.push(p);
  }
  return out.sort();
}

step('type-check');
run('npx', ['tsc', '-p', 'tsconfig.json']);
step('build');
run('node', ['scripts/build.mjs']);

step('bundle tests');
rmSync('out/test', { recursive: true, force: true });
const suites = ['unit', 'prop', 'lsp', 'nvcc', 'tfjs', 'webgpu'].filter(s => !only.length || only.includes(s));
const entries = suites.flatMap(s => listTests(join('test', s)));
await esbuild.build({
  entryPoints: entries,
  outdir: 'out/test',
  outbase: 'test',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: 'inline',
  logLevel: 'warning',
  external: ['typescript', 'fast-check', '@tensorflow/*', 'webgpu', 'wgsl_reflect', 'web-tree-sitter', 'tree-sitter-cuda'],
});
for (const s of suites) {
  const files = listTests(join('test', s)).map(f => f.replace(/^test/, 'out/test').replace(/\.ts$/, '.js'));
  if (!files.length) continue;
  step(`tests: ${s} (${files.length} files)`);
  run('node', ['--test', '--test-reporter=spec', ...files]);
}
if (!skipE2e && (!only.length || only.includes('e2e')) && existsSync('test/e2e/run.mjs')) {
  step('tests: e2e (real VS Code via code-server)');
  run('node', ['test/e2e/run.mjs']);
}
console.log(`\n✔ all test suites passed in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
