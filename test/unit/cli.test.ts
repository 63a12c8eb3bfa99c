// The bundled CLI (dist/cli.js) on a generated workspace: worker threads give the same bytes as one
// thread in every format, cross-file kernels resolve inside workers, progress goes to stderr only on
// a terminal, and `fix` still rewrites files like fixAll does.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT } from '../helpers/analyze';
// @ts-expect-error plain ESM generator shared with the shell
import { generateTree } from '../../bench/gen-tree.mjs';

const CLI = path.join(ROOT, 'dist', 'cli.js');
let dir = '';

before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fl-cli-'));
  generateTree(dir, 120, 3);
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

function cli(args: string[], cwd = dir) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', maxBuffer: 256 * 2 ** 20 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('check gives the same output with --jobs 1 and --jobs 3 (2 worker threads), in every format', () => {
  for (const format of ['text', 'json', 'sarif']) {
    const one = cli(['check', '.', '--format', format, '--jobs', '1', '--no-color']);
    const three = cli(['check', '.', '--format', format, '--jobs', '3', '--no-color']);
    assert.equal(one.code, 1, `${format}: findings exit 1\n${one.err}`);
    assert.equal(three.code, one.code);
    assert.equal(three.err, '', 'no progress or errors on a non-terminal stderr');
    assert.equal(one.err, '');
    assert.ok(one.out.length > 1000);
    assert.equal(three.out, one.out, `${format}: output differs with worker threads`);
    if (format !== 'text') {
      // streamed, yet exactly what stringifying the whole document prints
      assert.equal(one.out, JSON.stringify(JSON.parse(one.out), null, 2) + '\n');
    }
  }
});

test('the JSON report lists every file in order and resolves kernels of included headers in workers', () => {
  const r = JSON.parse(cli(['check', 'src', '--format', 'json', '--jobs', '2', '--exit-zero']).out) as {
    files: Array<{ path: string; findings: Array<{ rule: string; launches: Array<{ callee: string }> }> }>;
    summary: { files: number; findings: number };
  };
  const paths = r.files.map(f => f.path);
  assert.equal(r.summary.files, 120);
  assert.equal(paths.length, 120);
  // directory walk order: sorted within each folder
  const byDir = new Map<string, string[]>();
  for (const p of paths) byDir.set(path.dirname(p), [...(byDir.get(path.dirname(p)) ?? []), path.basename(p)]);
  for (const names of byDir.values()) assert.deepEqual(names, [...names].sort());
  const headerChains = r.files.flatMap(f => f.findings).filter(f => f.launches.some(l => /^mod_\d+_scale$/.test(l.callee)));
  assert.ok(headerChains.length > 0, 'launches of kernels defined in an included header are fused');
  assert.ok(headerChains.every(f => f.rule === 'FL001' && f.launches.map(l => l.callee.replace(/^mod_\d+_/, '')).join('>') === 'scale>bias'));
});

test('progress is shown on stderr only when it is a terminal', { skip: spawnSync('script', ['--version']).status === 0 ? false : 'no `script` to give the CLI a terminal' }, () => {
  const r = spawnSync('script', ['-qec', `${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} check . --jobs 2 --exit-zero --no-color`, '/dev/null'], { cwd: dir, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /\ranalyzing \d+\/\d+ files/);
  assert.match(r.stdout, /findings? in \d+ files/);
});

test('fix rewrites the examples as fixAll does (goldens)', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'fl-fix-'));
  try {
    const src = path.join(ROOT, 'examples', 'cuda');
    for (const f of fs.readdirSync(src)) fs.copyFileSync(path.join(src, f), path.join(work, f));
    const r = cli(['fix', '.'], work);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /applied \d+ fix/);
    const golden = path.join(ROOT, 'test', 'golden', 'cuda');
    for (const f of fs.readdirSync(work).filter(x => x.endsWith('.cu'))) {
      assert.equal(fs.readFileSync(path.join(work, f), 'utf8'), fs.readFileSync(path.join(golden, f.replace(/\.cu$/, '.fixed.cu')), 'utf8'), f);
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
});

test('a worker thread that dies fails its files and the run still ends', async () => {
  const { WorkerPool } = await import('../../cli/pool');
  const entry = path.join(dir, 'dying-worker.js');
  // answers one chunk, then exits in the middle of the next
  fs.writeFileSync(entry, `const { parentPort } = require('node:worker_threads'); let n = 0;
parentPort.on('message', m => { if (m.kind === 'names') return; if (n++ === 1) process.exit(7); parentPort.postMessage({ id: m.id, results: m.files.map(() => ({ names: [] })) }); });`);
  const pool = new WorkerPool(entry, 2, { options: { gpu: 'h100', defaultElements: 1, minSavingBytes: 0 }, style: { format: 'json', info: { toolVersion: '', profile: {} as never, cwd: dir, verbose: false }, color: false } });
  const files = Array.from({ length: 40 }, (_, i) => `f${i}.cu`);
  const seen: Array<[number, string]> = [];
  await pool.run('index', files, 4, (i, r) => seen.push([i, 'error' in r ? 'error' : 'ok']));
  await pool.close();
  assert.deepEqual(seen.map(s => s[0]), files.map((_, i) => i), 'every file once, in order');
  const errors = seen.filter(s => s[1] === 'error').length;
  assert.ok(errors >= 4 && errors < 40, `the dead workers' chunks fail (${errors} files), the rest succeed`);
});

test('the calling thread shares the work and finishes it when every worker has died', async () => {
  const { WorkerPool } = await import('../../cli/pool');
  const entry = path.join(dir, 'dying-worker.js');
  const pool = new WorkerPool(entry, 1, { options: { gpu: 'h100', defaultElements: 1, minSavingBytes: 0 }, style: { format: 'json', info: { toolVersion: '', profile: {} as never, cwd: dir, verbose: false }, color: false } });
  const files = Array.from({ length: 40 }, (_, i) => `f${i}.cu`);
  const seen: string[] = [];
  let localFiles = 0;
  await pool.run('index', files, 4, (i, r) => seen.push('error' in r ? 'error' : 'ok'), (_kind, part) => {
    localFiles += part.length;
    return part.map(() => ({ names: [] }));
  });
  await pool.close();
  assert.equal(seen.length, 40);
  assert.ok(localFiles > 0);
  // the worker dies on its second chunk; it had one or two chunks in flight then
  const errors = seen.filter(s => s === 'error').length;
  assert.ok(errors === 4 || errors === 8, `only the chunks in flight on the dead worker fail (${errors} files)`);
});

test('a reader that closes the pipe early (`fusion-lens check | head -1`) ends the CLI quietly', () => {
  const r = spawnSync('sh', ['-c', `"${process.execPath}" "${CLI}" check . --no-color --jobs 1 | head -1`], { cwd: dir, encoding: 'utf8' });
  assert.equal(r.status, 0);
  assert.equal(r.stdout.split('\n').filter(Boolean).length, 1);
  assert.doesNotMatch(r.stderr, /EPIPE|Unhandled|Error/, r.stderr);
});
