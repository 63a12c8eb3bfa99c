// Every CUDA example: the fixed file matches its golden, still compiles with nvcc (no new warnings),
// and re-analysed reports no fixable finding again. Regenerate goldens after an intended change of
// the rewriter with: UPDATE_GOLDENS=1 npm test -- nvcc
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { newHost, DEFAULT_OPTIONS } from '../../analyzer/analyze';
import { fixAll } from '../../analyzer/fixAll';
import { EXAMPLES, ROOT } from '../helpers/analyze';
import { compileCuda, nvccPath, pool } from '../helpers/nvcc';

const dir = path.join(EXAMPLES, 'cuda');
const goldenDir = path.join(ROOT, 'test', 'golden', 'cuda');
const examples = fs.readdirSync(dir).filter(f => f.endsWith('.cu')).sort();
const headers = Object.fromEntries(fs.readdirSync(dir).filter(f => f.endsWith('.cuh')).map(f => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));

function fixed(name: string) {
  const file = path.join(dir, name);
  const text = fs.readFileSync(file, 'utf8');
  const host = newHost(p => (fs.existsSync(p) ? fs.readFileSync(p, 'utf8') : undefined));
  return fixAll(file, text, host, DEFAULT_OPTIONS);
}

test('fixed examples match their goldens and leave no fixable finding', () => {
  fs.mkdirSync(goldenDir, { recursive: true });
  for (const name of examples) {
    const r = fixed(name);
    assert.equal(r.stalled, undefined, `${name}: a fix did not remove its finding`);
    assert.equal(r.result.findings.filter(f => f.fix).length, 0, `${name}: fixable findings remain`);
    const golden = path.join(goldenDir, name.replace(/\.cu$/, '.fixed.cu'));
    if (process.env.UPDATE_GOLDENS === '1' || !fs.existsSync(golden)) fs.writeFileSync(golden, r.text);
    assert.equal(r.text, fs.readFileSync(golden, 'utf8'), `${name}: differs from ${path.relative(ROOT, golden)} (UPDATE_GOLDENS=1 to accept)`);
  }
});

test('original and fixed examples compile with nvcc without new warnings', { skip: nvccPath() ? false : 'nvcc not found' }, async () => {
  const jobs = examples.flatMap(name => {
    const r = fixed(name);
    const original = fs.readFileSync(path.join(dir, name), 'utf8');
    return r.applied.length ? [{ name, text: r.text, original: false }, { name, text: original, original: true }] : [{ name, text: original, original: true }];
  });
  const results = await pool(jobs, 2, async j => ({ j, r: await compileCuda(j.name, j.text, headers) }));
  for (const { j, r } of results) {
    assert.ok(r.ok, `${j.name} (${j.original ? 'original' : 'fixed'}) does not compile:\n${r.output}`);
    if (!j.original) assert.doesNotMatch(r.output, /warning/i, `${j.name} (fixed) compiles with warnings:\n${r.output}`);
  }
});
