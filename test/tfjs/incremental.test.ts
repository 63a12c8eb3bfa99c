// Incremental analysis (ts.updateSourceFile plus per-declaration caching) must give exactly what a
// fresh analysis gives, after edits anywhere in the file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { analyzeTs, ROOT } from './helpers';
import { forgetFile, frontendStats } from '../../analyzer/ts/frontend';

const FILE = '/virtual/big.ts';

async function generated(lines: number): Promise<string> {
  const mod = (await import(pathToFileURL(path.join(ROOT, 'bench', 'ts-gen.mjs')).href)) as { generateTfjsFile(n: number): string };
  return mod.generateTfjsFile(lines);
}

function snapshot(text: string) {
  const r = analyzeTs(text, FILE);
  return JSON.stringify({ f: r.findings, r: r.refusals, p: r.problems });
}

function fresh(text: string) {
  forgetFile(FILE);
  return snapshot(text);
}

test('one-line edits re-parse incrementally, reuse unchanged declarations, and match a fresh analysis', async () => {
  let text = await generated(1200);
  forgetFile(FILE);
  snapshot(text);
  const edits: Array<[string, string]> = [
    ['return tf.relu(z) as Tensor2D;', 'return tf.elu(z) as Tensor2D;'],
    ['.relu6();', '.relu();'],
    ['const bias = tf.zeros([32]);', 'const bias = tf.zeros([32]);\n  const unused = 1;'],
    ['return x.matMul(this.w).add(this.b).sigmoid();', 'return x.matMul(this.w).add(this.b).sigmoid().exp();'],
    ['  let total = 0;\n', ''],
  ];
  for (const [from, to] of edits) {
    const at = text.indexOf(from, text.length / 3);
    assert.ok(at > 0, from);
    text = text.slice(0, at) + to + text.slice(at + from.length);
    const inc = snapshot(text);
    assert.equal(frontendStats.parse, 'incremental', from);
    assert.ok(frontendStats.declsReused > frontendStats.declsExtracted * 10, `${frontendStats.declsReused} reused, ${frontendStats.declsExtracted} extracted`);
    assert.equal(inc, fresh(text), `after editing \`${from}\``);
    snapshot(text); // re-prime the cache with the fresh tree
  }
});

test('an edit that changes the module context (an annotation) re-extracts every declaration', async () => {
  let text = await generated(300);
  forgetFile(FILE);
  snapshot(text);
  text = `// fusion-lens: img=[1,32,32,16] float32\n` + text;
  const inc = snapshot(text);
  assert.equal(frontendStats.declsReused, 0);
  assert.equal(inc, fresh(text));
});
