// The CLI (dist/cli.js, built by scripts/test.mjs) on examples/webgpu: JSON findings and refusals,
// the text format with its estimate line, and `fix` on a copy, after which nothing is left to fix.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT } from './helpers';

const CLI = path.join(ROOT, 'dist', 'cli.js');
const cli = (args: string[], cwd = ROOT) => {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

interface JsonOut {
  files: Array<{ path: string; findings: Array<{ rule: string; fixable: boolean; launches: Array<{ callee: string }>; estimate: { gpu: string; launchesBefore: number; launchesAfter: number; speedup: number; sizeKnown: boolean } }>; refusals: Array<{ rule: string }> }>;
  summary: { findings: number; fixable: number };
}

test('fusion-lens check --format json on examples/webgpu', () => {
  const r = cli(['check', 'examples/webgpu', '--format', 'json', '--gpu', 'apple-m1']);
  assert.equal(r.code, 1, r.err);
  const out = JSON.parse(r.out) as JsonOut;
  const by = new Map(out.files.map(f => [path.basename(f.path), f]));
  const post = by.get('postprocess_chain.ts')!;
  assert.deepEqual(post.findings.map(f => [f.rule, f.launches.map(l => l.callee).join('>'), f.fixable]), [['FL201', 'apply_exposure>apply_contrast>encode_gamma', true]]);
  const e = post.findings[0].estimate;
  assert.deepEqual([e.gpu, e.launchesBefore, e.launchesAfter, e.sizeKnown], ['apple-m1', 3, 1, true]);
  assert.ok(e.speedup > 1);
  assert.deepEqual(by.get('particles.ts')!.findings.map(f => [f.rule, f.fixable]), [['FL201', true]]);
  const red = by.get('normalize_reduction.ts')!;
  assert.deepEqual(red.findings, []);
  assert.deepEqual(red.refusals.map(x => x.rule), ['FL210', 'FL210', 'FL210']);
});

test('the text format shows the estimate and the fix', () => {
  const r = cli(['check', 'examples/webgpu/postprocess_chain.ts', '--no-color', '--gpu', 'rtx3050-laptop']);
  assert.match(r.out, /3 dispatches can be one \(apply_exposure → apply_contrast → encode_gamma\): saves 127 MiB of memory traffic \(67%\) and 2 dispatches, ~[\d.]+× on RTX 3050 Laptop GPU \(WebGPU\)\s+FL201/);
  assert.match(r.out, /190 MiB → 63.3 MiB, 3 → 1 launches/);
  assert.match(r.out, /fix: Fuse apply_exposure → apply_contrast → encode_gamma into one dispatch \(`exposureContrastGammaPipeline`\)/);
});

test('fusion-lens fix rewrites the examples and leaves nothing to fix', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fl-webgpu-'));
  for (const f of fs.readdirSync(path.join(ROOT, 'examples', 'webgpu'))) fs.copyFileSync(path.join(ROOT, 'examples', 'webgpu', f), path.join(dir, f));
  const dry = cli(['fix', '.', '--dry-run'], dir);
  assert.equal(dry.code, 0, dry.err);
  assert.match(dry.out, /\+const exposureContrastGammaWgsl = \/\* wgsl \*\/ `/);
  assert.match(dry.out, /-\s+pass\.setPipeline\(contrastPipeline\);/);
  const fix = cli(['fix', '.'], dir);
  assert.match(fix.out, /postprocess_chain\.ts: applied 1 fix/);
  assert.match(fix.out, /particles\.ts: applied 1 fix/);
  const after = JSON.parse(cli(['check', '.', '--format', 'json'], dir).out) as JsonOut;
  assert.equal(after.summary.findings, 0);
});
