// Incremental analysis (one statement re-parsed or ts.updateSourceFile, plus per-declaration
// caching) must give exactly what a fresh analysis gives, after edits anywhere in the file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as fs from 'node:fs';
import { analyzeTs, ROOT } from './helpers';
import { forgetFile, frontendStats } from '../../analyzer/ts/frontend';
import { randomEdit, rng } from './edits';
import { CASES } from '../webgpu/cases';

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
    assert.ok(frontendStats.parse === 'statement' || frontendStats.parse === 'incremental', `${from}: ${frontendStats.parse}`);
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

// module-level code the extractor resolves: namespace imports, require, module tensors and constants
const MODULE_CODE = `import * as tf from '@tensorflow/tfjs';
import { relu, matMul } from '@tensorflow/tfjs';
const tfn = require('@tensorflow/tfjs-node');
// fusion-lens: inp=[64,128] float32
const W = tf.randomNormal([128, 64]);
const B = tf.zeros([64]);
let scale = 2;
export function layer(inp: tf.Tensor2D): tf.Tensor {
  return relu(matMul(inp, W).add(B));
}
export const arrow = (x: tf.Tensor) => tfn.sigmoid(x.mul(scale).add(1));
const later = tf.tidy(() => tf.relu(tf.add(W, 1)));
function useLater(): tf.Tensor { return later.square().sqrt(); }
class Net { f = (x: tf.Tensor) => x.exp().neg(); run(x: tf.Tensor) { return tf.elu(tf.add(x, B)); } }
`;

/**
 * Applies each replacement in turn to `start`, analysing incrementally, and checks every result
 * against a fresh analysis. Returns how many module callbacks came from the cache.
 */
function replayEdits(start: string, edits: Array<[string, string]>): number {
  let text = start;
  forgetFile(FILE);
  snapshot(text);
  let reused = 0;
  for (const [from, to] of edits) {
    assert.ok(text.includes(from), from);
    text = text.replace(from, to);
    const inc = snapshot(text);
    reused += frontendStats.closuresReused;
    assert.equal(inc, fresh(text), `after editing \`${from}\``);
    snapshot(text);
  }
  return reused;
}

/** Test-file style: everything in callbacks of module-level calls (their extraction is cached by node). */
const SPEC_CODE = `import * as tf from '@tensorflow/tfjs';
// fusion-lens: x=[32,64] float32
const W = tf.randomNormal([64, 16]);
let bias = tf.zeros([16]);
describe('dense', () => {
  let x: tf.Tensor2D;
  beforeEach(() => { x = tf.randomNormal([32, 64]) as tf.Tensor2D; });
  it('fuses', () => {
    const y = tf.relu(tf.add(tf.matMul(x, W), bias));
    expect(y.shape).toEqual([32, 16]);
  });
  it('keeps the intermediate', () => {
    const h = tf.matMul(x, W);
    const y = tf.sigmoid(tf.add(h, bias));
    expect(h.sum().dataSync()[0]).toBeDefined();
    return y;
  });
  it('under a gradient', () => {
    const g = tf.grad((a: tf.Tensor) => tf.relu(tf.add(tf.matMul(a as tf.Tensor2D, W), bias)).sum());
    g(x);
  });
});
bias = tf.ones([16]);
describe('chains', () => { it('elementwise', () => { const z = tf.exp(tf.square(tf.sub(W, 1))); z.print(); }); });
`;

test('callbacks of module-level calls (test files) are reused across edits and match a fresh analysis', () => {
  const edits: Array<[string, string]> = [
    ["it('fuses', () => {", "it('fuses', () => {\n    const unused = 1;"],
    ['const z = tf.exp(', 'const z = tf.log('],
    ["describe('dense', () => {", "// a comment above\ndescribe('dense', () => {"],
    ['const W = tf.randomNormal([64, 16]);', 'const W = tf.randomNormal([64, 8]);'],
    ['bias = tf.ones([16]);', 'bias = tf.ones([8]);'],
    ['// fusion-lens: x=[32,64] float32', '// fusion-lens: x=[4,64] float32'],
  ];
  const reused = replayEdits(SPEC_CODE, edits);
  assert.ok(reused > 0, 'unchanged callbacks came from the cache');
  assert.ok(JSON.parse(fresh(SPEC_CODE)).f.length > 0, 'the spec file has findings to keep');
});

// FUSION_LENS_EDIT_SEED and FUSION_LENS_EDITS run other or longer sequences (the CI size is 60)
const SEED = Number(process.env.FUSION_LENS_EDIT_SEED ?? 7);
const EDITS = Number(process.env.FUSION_LENS_EDITS ?? 60);

test('random edits (syntax soup, keystrokes, statements made and removed, module code) match a fresh analysis', async () => {
  const mod = (await import(pathToFileURL(path.join(ROOT, 'bench', 'ts-gen.mjs')).href)) as { generateTfjsFile(n: number, mixed?: boolean): string };
  const files = [mod.generateTfjsFile(300), mod.generateTfjsFile(300, true), MODULE_CODE, SPEC_CODE, CASES.slice(0, 6).map(c => c.src).join('\n')];
  for (const dir of ['tfjs', 'webgpu']) {
    for (const f of fs.readdirSync(path.join(ROOT, 'examples', dir))) if (f.endsWith('.ts')) files.push(fs.readFileSync(path.join(ROOT, 'examples', dir, f), 'utf8'));
  }
  // the fresh analysis runs under another name (its own cache), so edits chain on FILE's tree
  const OTHER = '/virtual/other.ts';
  const freshAs = (text: string) => {
    forgetFile(OTHER);
    const r = analyzeTs(text, OTHER);
    return JSON.stringify({ f: r.findings, r: r.refusals, p: r.problems }).split(OTHER).join(FILE);
  };
  const counts: Record<string, number> = {};
  for (const [k, original] of files.entries()) {
    const r = rng(SEED + k);
    let text = original;
    forgetFile(FILE);
    snapshot(text);
    for (let i = 0; i < EDITS; i++) {
      text = i % 15 === 14 ? original : randomEdit(text, r);
      const inc = snapshot(text);
      counts[frontendStats.parse] = (counts[frontendStats.parse] ?? 0) + 1;
      assert.equal(inc, freshAs(text), `seed ${SEED}, file ${k}, edit ${i}`);
    }
  }
  assert.ok((counts.statement ?? 0) > EDITS * 1.3, JSON.stringify(counts));
});

test('edits of imports and module code change the context: results still match a fresh analysis', () => {
  const edits: Array<[string, string]> = [
    ["import * as tf from '@tensorflow/tfjs';", "import * as tg from '@tensorflow/tfjs';"],
    ["import { relu, matMul }", "import { relu, matMul, add }"],
    ['const W = tf.randomNormal([128, 64]);', 'const W = tf.randomNormal([128, 32]);'],
    ['let scale = 2;', 'let scale = 3;'],
    ['// fusion-lens: inp=[64,128] float32', '// fusion-lens: inp=[8,128] float32'],
    ["const tfn = require('@tensorflow/tfjs-node');", "const tfn = require('lodash');"],
    ['const later = ', 'const later2 = '],
  ];
  replayEdits(MODULE_CODE, edits);
});
