// The CLI (dist/cli.js, built by scripts/test.mjs) covers TypeScript: `check --format json` on
// examples/tfjs, `fix --dry-run` on a copy, and the bundle finds its TypeScript compiler without
// node_modules (dist/typescript.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT } from './helpers';

const CLI = path.join(ROOT, 'dist', 'cli.js');

function cli(args: string[], cwd = ROOT) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

interface JsonFinding { rule: string; launches: Array<{ line: number; callee: string }>; fixable: boolean; fixUnavailable?: string; estimate: { gpu: string; speedup: number; launchesBefore: number; launchesAfter: number; assumptions: string[] } }
interface JsonOut { files: Array<{ path: string; language: string; findings: JsonFinding[]; refusals: Array<{ rule: string }> }>; summary: { findings: number; fixable: number } }

test('fusion-lens check --format json on examples/tfjs', () => {
  assert.ok(fs.existsSync(CLI), 'dist/cli.js is built by scripts/test.mjs');
  const r = cli(['check', 'examples/tfjs', '--format', 'json']);
  assert.equal(r.code, 1, r.err); // findings reported
  const out = JSON.parse(r.out) as JsonOut;
  const byFile = new Map(out.files.map(f => [path.basename(f.path), f]));
  assert.deepEqual([...byFile.keys()].sort(), ['conv_block.ts', 'dense_classifier.ts', 'not_fusable.ts', 'preprocess.ts']);
  for (const f of out.files) assert.equal(f.language, 'typescript');
  const dense = byFile.get('dense_classifier.ts')!;
  assert.deepEqual(dense.findings.map(f => `${f.rule}@${f.launches[0].line}:${f.launches.map(l => l.callee).join('>')}`), [
    'FL101@19:matMul>add>relu', 'FL101@20:matMul>add>relu', 'FL101@21:matMul>add', 'FL101@28:matMul>add>elu', 'FL101@38:matMul>add>sigmoid', 'FL101@39:matMul>add',
  ]);
  assert.deepEqual(dense.findings.map(f => f.fixable), [true, true, true, true, false, true]);
  const first = dense.findings[0];
  assert.equal(first.estimate.gpu, 'iris-xe', 'a CUDA --gpu falls back to the default laptop profile for TF.js');
  assert.equal(first.estimate.launchesBefore, 3);
  assert.equal(first.estimate.launchesAfter, 1);
  assert.ok(first.estimate.speedup > 1);
  assert.ok(first.estimate.assumptions.some(a => /WebGL/.test(a)));
  const pre = byFile.get('preprocess.ts')!;
  assert.deepEqual(pre.findings.map(f => f.rule), ['FL102', 'FL103', 'FL102']);
  const nf = byFile.get('not_fusable.ts')!;
  assert.ok(nf.findings.every(f => !f.fixable));
  assert.ok(nf.refusals.some(x => x.rule === 'FL101'));
  assert.equal(out.summary.fixable, 10);
});

test('--gpu picks a laptop profile; the text format prints TF.js findings', () => {
  const r = cli(['check', 'examples/tfjs/conv_block.ts', '--gpu', 'rtx3050-laptop', '--no-color', '--verbose']);
  assert.equal(r.code, 1, r.err);
  assert.match(r.out, /conv2d → add → relu6 can be one tf\.fused\.conv2d/);
  assert.match(r.out, /RTX 3050 Laptop GPU/);
  assert.match(r.out, /WebGL backend/);
  assert.match(cli(['gpus']).out, /iris-xe .*Intel Iris Xe/);
});

test('fusion-lens fix applies every TF.js fix and the result has no fixable finding left', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fl-tfjs-'));
  for (const f of ['dense_classifier.ts', 'conv_block.ts']) fs.copyFileSync(path.join(ROOT, 'examples', 'tfjs', f), path.join(dir, f));
  const dry = cli(['fix', '.', '--dry-run'], dir);
  assert.equal(dry.code, 0, dry.err);
  assert.match(dry.out, /\+\s+const h1 = tf\.fused\.matMul\(\{a: images, b: w1, bias: b1, activation: 'relu'\}\);/);
  assert.match(dry.out, /-\s+const z = tf\.matMul\(images, w1\);/);
  const fix = cli(['fix', '.'], dir);
  assert.match(fix.out, /dense_classifier\.ts: applied 5 fixes/);
  assert.match(fix.out, /conv_block\.ts: applied 4 fixes/);
  const after = JSON.parse(cli(['check', '.', '--format', 'json'], dir).out) as JsonOut;
  assert.equal(after.summary.fixable, 0);
  assert.equal(after.files.flatMap(f => f.findings).filter(f => f.rule === 'FL101').length, 1, 'only the gradient-recording warning stays');
});

test('the bundle loads its own copy of the TypeScript compiler (no node_modules)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fl-dist-'));
  fs.copyFileSync(CLI, path.join(dir, 'cli.js'));
  fs.copyFileSync(path.join(ROOT, 'dist', 'typescript.js'), path.join(dir, 'typescript.js'));
  const r = spawnSync(process.execPath, [path.join(dir, 'cli.js'), 'check', path.join(ROOT, 'examples', 'tfjs', 'dense_classifier.ts'), '--format', 'json'], { cwd: dir, encoding: 'utf8' });
  const out = JSON.parse(r.stdout) as JsonOut;
  assert.equal(out.summary.findings, 6, r.stderr);
  // without it, the file is reported as not analyzable instead of crashing
  fs.rmSync(path.join(dir, 'typescript.js'));
  const r2 = spawnSync(process.execPath, [path.join(dir, 'cli.js'), 'check', path.join(ROOT, 'examples', 'tfjs', 'dense_classifier.ts'), '--format', 'json'], { cwd: dir, encoding: 'utf8', env: { ...process.env, NODE_PATH: '' } });
  const out2 = JSON.parse(r2.stdout) as { files: Array<{ problems: Array<{ message: string }> }> };
  assert.match(out2.files[0].problems[0]?.message ?? '', /TypeScript 6\.0 compiler API/);
});
