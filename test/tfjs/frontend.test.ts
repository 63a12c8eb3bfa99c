// The TF.js frontend: tf resolution (namespace, named imports, require, re-bound names,
// shadowing), both call styles, tf.tidy, classes, gradient contexts, liveness, shapes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeTs } from './helpers';
import { hoverAt } from '../../analyzer/report/hover';
import type { Finding } from '../../analyzer/core/finding';

const TF = `import * as tf from '@tensorflow/tfjs';\n`;
const rules = (fs: Finding[]) => fs.map(f => f.rule);
const chains = (fs: Finding[]) => fs.map(f => `${f.rule}:${f.launches.map(l => l.callee).join('>')}`);

test('tf resolution: every import form of every tf package', () => {
  for (const mod of ['@tensorflow/tfjs', '@tensorflow/tfjs-core', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu']) {
    // @tensorflow/tfjs-node is TensorFlow on the CPU: its ops are resolved, nothing is reported
    const expected = mod === '@tensorflow/tfjs-node' ? [] : ['FL101:matMul>add>relu'];
    const ns = analyzeTs(`import * as tfx from '${mod}';\nexport const f = (x: tfx.Tensor2D, w: tfx.Tensor2D, b: tfx.Tensor1D) => tfx.relu(tfx.add(tfx.matMul(x, w), b));`);
    assert.deepEqual(ns.ts!.launches.map(l => l.callee), ['matMul', 'add', 'relu'], mod);
    assert.deepEqual(chains(ns.findings), expected, mod);
    const named = analyzeTs(`import { matMul as mm, relu, add } from '${mod}';\nexport const f = (x, w, b) => relu(add(mm(x, w), b));`, '/v/m.js');
    assert.deepEqual(named.ts!.launches.map(l => l.callee), ['matMul', 'add', 'relu'], mod);
    assert.deepEqual(chains(named.findings), expected, mod);
  }
  const req = analyzeTs(`const tf = require('@tensorflow/tfjs');\nconst { sigmoid } = tf;\nmodule.exports = (x, w) => sigmoid(tf.matMul(x, w));`, '/v/m.cjs');
  assert.deepEqual(chains(req.findings), ['FL101:matMul>sigmoid']);
  const destructured = analyzeTs(`const { matMul, elu } = require('@tensorflow/tfjs');\nexports.f = (x, w) => elu(matMul(x, w));`, '/v/m.cjs');
  assert.deepEqual(chains(destructured.findings), ['FL101:matMul>elu']);
});

test('no tf import, no tf calls: look-alikes are ignored', () => {
  const r = analyzeTs(`import * as math from 'mathjs';\nexport const f = (a, b) => math.relu(math.add(math.matMul(a, b), 1));\nconst s = new Set<number>(); s.add(1).add(2);`);
  assert.deepEqual(r.findings, []);
  const otherTf = analyzeTs(`import * as tf from './my-tf';\nexport const f = (x, w, b) => tf.relu(tf.add(tf.matMul(x, w), b));`);
  assert.deepEqual(otherTf.findings, [], 'a local module named tf is not TensorFlow.js');
});

test('shadowing: a parameter, a local or a later declaration named like the namespace', () => {
  const src = TF + `export function a(tf: any, x: any, w: any, b: any) { return tf.relu(tf.add(tf.matMul(x, w), b)); }
export function c(x: any) { const tf = { relu: (v: any) => v }; return tf.relu(x); }
export function d(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D) { return tf.relu(tf.add(tf.matMul(x, w), b)); }`;
  const r = analyzeTs(src);
  // only `d` uses the real namespace
  assert.equal(r.findings.filter(f => f.rule === 'FL101').length, 1);
  assert.ok(r.findings[0].range.start.line === 3);
});

test('chained methods on untyped JavaScript parameters count when a tensor-only method is in the chain', () => {
  const js = analyzeTs(`// fusion-lens: b=[10]\nexport function f(x, w, b) { return x.matMul(w).add(b).relu(); }\nexport function g(a, b) { return a.add(b).sub(b); }`, '/v/m.js');
  assert.deepEqual(chains(js.findings), ['FL101:matMul>add>relu'], 'add/sub alone could be anything (a Set, decimal.js)');
});

test('tf.tidy, class methods and layer call() are followed', () => {
  const src = TF + `class Dense extends tf.layers.Layer {
  w = tf.variable(tf.randomNormal([8, 4]));
  b = tf.variable(tf.zeros([4]));
  override call(x: tf.Tensor): tf.Tensor { return tf.tidy(() => x.matMul(this.w).add(this.b).relu()); }
  static className = 'Dense';
}`;
  const r = analyzeTs(src);
  assert.deepEqual(chains(r.findings), ['FL101:matMul>add>relu']);
  const f = r.findings[0];
  assert.ok(f.fix, f.fixUnavailable);
  assert.match(f.notes.join(' '), /model\.fit records gradients.*only inference gets faster/);
});

test('gradient recording: lexical closures warn without a fix; linear fuses; named functions and callees are followed', () => {
  const src = TF + `const opt = tf.train.adam();
export function step(x: tf.Tensor2D, w: tf.Variable, b: tf.Tensor1D) {
  opt.minimize(() => tf.relu(tf.add(tf.matMul(x, w), b)).mean() as tf.Scalar);
  const g = tf.grad((v: tf.Tensor2D) => tf.add(tf.matMul(v, w), b).sum());
  return g(x);
}
function lossFn(x: tf.Tensor2D, w: tf.Variable) { return forward(x, w).mean() as tf.Scalar; }
function forward(x: tf.Tensor2D, w: tf.Variable) { return tf.sigmoid(tf.matMul(x, w)); }
export function train(x: tf.Tensor2D, w: tf.Variable) { opt.minimize(() => lossFn(x, w)); }
const named = (x: tf.Tensor2D, w: tf.Tensor2D) => tf.elu(tf.matMul(x, w)).sum() as tf.Scalar;
tf.valueAndGrad(named);`;
  const r = analyzeTs(src);
  const by = (line: number) => r.findings.find(f => f.range.start.line === line)!;
  const relu = by(3);
  assert.equal(relu.fix, undefined);
  assert.match(relu.message, /gradient recording.*falls back/);
  assert.equal(relu.estimate.speedup, 1);
  assert.ok(by(4).fix, 'bias-only (linear) fusion works under tf.grad');
  const forward = by(8);
  assert.ok(forward.fix, 'reachable from a gradient closure: the fix stays (inference callers gain)');
  assert.match(forward.notes.join(' '), /called from `lossFn`/);
  const passed = by(10);
  assert.equal(passed.fix, undefined, 'a function passed by name to valueAndGrad');
});

test('liveness: an intermediate read later stops tf.fused there and keeps its store in chains', () => {
  const src = TF + `export function f(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D) {
  const h = tf.matMul(x, w);
  const z = tf.add(h, b);
  const y = tf.relu(z);
  console.log(z.shape);
  return y;
}
// fusion-lens: v=[1000]
export function g(v: tf.Tensor1D) {
  const a = v.mul(2);
  const c = a.add(1).sqrt();
  return [a, c];
}`;
  const r = analyzeTs(src);
  const lib = r.findings.find(f => f.rule === 'FL101')!;
  assert.deepEqual(lib.launches.map(l => l.callee), ['matMul', 'add'], 'relu stays: z is read by console.log');
  assert.ok(r.refusals.some(x => x.rule === 'FL101' && /`z`/.test(x.reason)));
  const ew = r.findings.find(f => f.rule === 'FL102')!;
  assert.deepEqual(ew.launches.map(l => l.callee), ['mul', 'add', 'sqrt']);
  assert.match(ew.notes.join(' '), /`a` is still materialized/);
  // a (4000 B) stays written: 3 ops × (read + write) = 24000 B before; after: v read, a written, c written
  assert.equal(ew.estimate.bytesBefore, 24000);
  assert.equal(ew.estimate.bytesAfter, 12000);
});

test('shapes: literals, layer fields, annotations, and per-element estimates when unknown', () => {
  const src = TF + `const W = tf.variable(tf.randomNormal([512, 256]));
const B = tf.zeros([256]);
// fusion-lens: x=[128,512] float32
export const f = (x: tf.Tensor2D) => tf.relu(tf.add(tf.matMul(x, W), B));
export const g = (q: tf.Tensor, r: tf.Tensor) => q.square().exp();`;
  const r = analyzeTs(src);
  const [lib, ew] = r.findings;
  assert.equal(lib.estimate.sizeKnown, true);
  assert.equal(lib.estimate.elements, 128 * 256);
  // matMul reads x and W and writes the product; add and relu each read and write it once more
  const out = 128 * 256 * 4;
  assert.equal(lib.estimate.bytesBefore, 128 * 512 * 4 + 512 * 256 * 4 + out + (out + 256 * 4 + out) + 2 * out);
  assert.equal(lib.estimate.bytesAfter, 128 * 512 * 4 + 512 * 256 * 4 + 256 * 4 + out);
  assert.ok(lib.fix);
  assert.equal(ew.estimate.sizeKnown, false);
  assert.equal(ew.estimate.bytesPerElementBefore, 16);
  assert.equal(ew.estimate.bytesPerElementAfter, 8);
  assert.match(ew.estimate.assumptions.join(' '), /annotate `\/\/ fusion-lens: q=/);
});

test('library limits: unknown or growing bias, NCHW, explicit depthwise padding, reassigned inputs', () => {
  const src = TF + `export function a(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor) { return tf.relu(tf.add(tf.matMul(x, w), b)); }
export function c(x: tf.Tensor4D, f: tf.Tensor4D, b: tf.Tensor1D) { return tf.relu(tf.add(tf.conv2d(x, f, 1, 'same', 'NCHW'), b)); }
export function d(x: tf.Tensor4D, f: tf.Tensor4D, b: tf.Tensor1D) { return tf.relu(tf.add(tf.depthwiseConv2d(x, f, 1, [[0, 0], [1, 1], [1, 1], [0, 0]]), b)); }
export function e(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D) { let v = x; const h = tf.matMul(v, w); v = tf.zeros([1, 1]); return tf.relu(tf.add(h, b)); }
export function g() { const x = tf.zeros([4, 8]); const w = tf.zeros([8, 3]); const b = tf.zeros([5, 4, 3]); return tf.relu(tf.add(tf.matMul(x, w), b)); }`;
  const r = analyzeTs(src);
  const why = r.findings.map(f => f.fixUnavailable ?? 'FIX');
  assert.equal(r.findings.length, 5);
  assert.match(why[0], /shape of the bias `b` is unknown/);
  assert.match(why[1], /NCHW/);
  assert.match(why[2], /pad as 'valid', 'same' or a number/);
  assert.match(why[3], /could change value/);
  assert.match(why[4], /does not broadcast into the matMul output \[4, 3\]/);
});

test('movable operands: in one expression only the later ops\' operands are evaluated earlier', () => {
  // tensorflow/tfjs-examples mnist-core: `layer2.as2D(-1, W.shape[0]).matMul(W).add(B)` was refused
  // because the receiver calls as2D, though it is evaluated where and when it was
  const one = analyzeTs(TF + `export function f(x: tf.Tensor4D, w: tf.Tensor2D, b: tf.Tensor1D) { return x.as2D(-1, w.shape[0]).matMul(w).add(b); }`);
  assert.ok(one.findings[0]?.fix, one.findings[0]?.fixUnavailable);
  // a later op's operand computed by a call we cannot see would now run before matMul: refused
  const laterCall = analyzeTs(TF + `declare function nextAlpha(): number;\nexport function f(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D) { return x.matMul(w).add(b).leakyRelu(nextAlpha()); }`);
  assert.match(laterCall.findings[0]?.fixUnavailable ?? 'FIX', /`nextAlpha\(\)` could change value/);
  // across statements the producer's operands move to the last op: a call there is refused
  const across = analyzeTs(TF + `export function f(x: tf.Tensor4D, w: tf.Tensor2D, b: tf.Tensor1D) { const h = x.as2D(-1, w.shape[0]).matMul(w); console.log('step'); return h.add(b); }`);
  assert.match(across.findings[0]?.fixUnavailable ?? 'FIX', /could change value/);
});

test('backend: tf.setBackend(\'webgpu\') switches the dispatch cost; a laptop profile can be chosen', () => {
  const body = `export const f = (x: tf.Tensor1D) => x.sqrt().exp();\n// fusion-lens: x=[256]\n`;
  const gl = analyzeTs(TF + body);
  const gpu = analyzeTs(TF + `tf.setBackend('webgpu');\n` + body, '/v/m.ts', { gpu: 'apple-m1' });
  assert.equal(gl.profile.id, 'iris-xe');
  assert.equal(gl.profile.launchOverheadUs.value, 30);
  assert.match(gl.findings[0].estimate.assumptions.join(' '), /not a browser GPU/);
  assert.equal(gpu.profile.id, 'apple-m1');
  assert.equal(gpu.profile.launchOverheadUs.value, 50);
  assert.match(gpu.findings[0].message, /Apple M1 .*\(WebGPU\)/);
});

test('annotations: ignore-next-line and ignore-file', () => {
  const src = TF + `export const f = (x: tf.Tensor2D, w: tf.Tensor2D) => {\n  // fusion-lens: ignore-next-line\n  return tf.relu(tf.matMul(x, w));\n};`;
  assert.deepEqual(analyzeTs(src).findings, []);
  assert.deepEqual(analyzeTs(`// fusion-lens: ignore-file\n` + TF + `export const g = (x: tf.Tensor) => x.exp().sqrt();`).findings, []);
});

test('never throws on broken or hostile input', () => {
  const base = TF + `export function f(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D) {\n  return tf.relu(tf.add(tf.matMul(x, w), b));\n}\n`;
  for (let cut = 0; cut <= base.length; cut += 3) analyzeTs(base.slice(0, cut));
  let garbage = TF;
  for (let i = 0; i < 4000; i++) garbage += String.fromCharCode((i * 7919) % 65536);
  analyzeTs(garbage);
  analyzeTs(TF + 'x.'.repeat(2000) + 'relu()');
  analyzeTs(TF + '('.repeat(3000));
  assert.ok(true);
});

test('rules: each FL1xx finding names a registered rule', () => {
  const r = analyzeTs(TF + `export const f = (x: tf.Tensor2D, w: tf.Tensor2D) => tf.relu(tf.matMul(x, w)).exp().sqrt();`);
  assert.deepEqual(rules(r.findings), ['FL101', 'FL102']);
});

test('horizontal: for-of and counted loops over small tensors are FL103 findings without a fix', () => {
  const src = TF + `export function a() {
  const xs = [tf.ones([8, 8]), tf.zeros([8, 8]), tf.ones([8, 8])];
  const out: tf.Tensor[] = [];
  for (const x of xs) out.push(tf.relu(x));
  return out;
}
export function b(xs: tf.Tensor[]) {
  const ys: tf.Tensor[] = [];
  // fusion-lens: t=[16,16]
  for (let i = 0; i < 32; i++) { const t = xs[i]; ys.push(t.exp()); }
  return ys;
}`;
  const r = analyzeTs(src);
  const loops = r.findings.filter(f => f.rule === 'FL103');
  assert.equal(loops.length, 2, JSON.stringify(r.findings.map(f => f.message)));
  assert.equal(loops[0].estimate.launchesBefore, 3);
  assert.equal(loops[0].estimate.launchesAfter, 2);
  assert.match(loops[0].fixUnavailable ?? '', /only `xs\.map/);
  assert.equal(loops[1].estimate.launchesBefore, 32);
  assert.ok(loops[1].estimate.speedup > 5);
});

test('big tensors in a loop are memory-bound: no FL103 finding', () => {
  const src = TF + `export function a() {
  const xs = [tf.ones([2048, 2048]), tf.ones([2048, 2048])];
  return xs.map(x => tf.relu(x));
}`;
  assert.deepEqual(analyzeTs(src).findings.filter(f => f.rule === 'FL103'), []);
});

test('hover on a chained op name shows its traffic and the finding', async () => {
  const { hoverAt } = await import('../../analyzer/report/hover');
  const src = TF + `// fusion-lens: x=[64,128]\nexport const f = (x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor) => x.matMul(w).add(b).relu();`;
  const r = analyzeTs(src);
  const h = hoverAt(r, src.indexOf('add('), 1 << 20);
  assert.ok(h);
  assert.match(h.markdown, /\*\*`\.add`\*\*/);
  assert.match(h.markdown, /FL101 tfjs-fused-op/);
  assert.match(h.markdown, /No automatic fix: the shape of the bias/);
  assert.equal(hoverAt(r, src.indexOf('export'), 1 << 20), undefined);
});

test('layer call(inputs: Tensor | Tensor[]) with the usual Array.isArray unwrapping', () => {
  const src = TF + `export class Head extends tf.layers.Layer {
  private w = tf.variable(tf.randomNormal([128, 64]));
  private b = tf.variable(tf.zeros([64]));
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    const s = new Set<number>();
    s.add(1).add(2);
    return x.matMul(this.w).add(this.b).sigmoid();
  }
  static className = 'Head';
}`;
  const r = analyzeTs(src);
  assert.deepEqual(chains(r.findings), ['FL101:matMul>add>sigmoid']);
  assert.ok(r.findings[0].fix);
});

test('annotations mark untyped parameters as tensors and fold values into shapes', () => {
  const js = analyzeTs(`const tf = require('@tensorflow/tfjs');\n// fusion-lens: x=[100], batch=32\nexports.f = function (x) { return x.exp().sqrt(); };\nexports.g = () => tf.zeros([batch, 8]).abs().neg();`, '/v/m.js');
  assert.deepEqual(chains(js.findings), ['FL102:exp>sqrt', 'FL102:abs>neg']);
  assert.equal(js.findings[0].estimate.elements, 100);
  assert.equal(js.findings[1].estimate.elements, 256);
});

test('an alias of an intermediate (`const z = h`) keeps the chain from being rewritten', () => {
  const src = TF + `export function f(x: tf.Tensor2D, w: tf.Tensor2D) {\n  const h = tf.matMul(x, w);\n  const z = h;\n  return tf.relu(z);\n}`;
  const r = analyzeTs(src);
  assert.equal(r.findings.filter(f => f.fix).length, 0, 'deleting `const h = …` would leave `const z = h` dangling');
});

test('a chain with a scalar operand has the size of its other operand, not of the scalar', () => {
  // from tfjs-models (body-pix): the mask is a Tensor2D parameter of unknown size; the comparison
  // with a scalar, and everything after it, is the mask's size
  const mask = analyzeTs(`${TF}export function f(seg: tf.Tensor2D, parts: tf.Tensor2D, k: number) {\n  return tf.tidy(() => tf.sub(tf.mul(tf.cast(tf.equal(seg, tf.scalar(k)), 'int32'), tf.add(parts, 1)), 1));\n}\n`);
  const chain = mask.findings.find(f => f.rule === 'FL102');
  assert.ok(chain, 'the elementwise chain is found');
  assert.equal(chain.estimate.sizeKnown, false, 'unknown size: the default is assumed, and said');
  assert.notEqual(chain.estimate.elements, 1);
  // a known operand of higher rank still decides over a scalar
  const known = analyzeTs(`${TF}export function g() {\n  const x = tf.zeros([64, 32]);\n  return tf.mul(tf.add(x, tf.scalar(1)), tf.scalar(2)).relu();\n}\n`);
  const k = known.findings.find(f => f.rule === 'FL102');
  assert.equal(k?.estimate.sizeKnown, true);
  assert.equal(k?.estimate.elements, 64 * 32);
  // no operand known to be a tensor (from tfjs-models' convert_image_to_tensor_test): no shape,
  // not the scalar that a broadcast of nothing would give
  const none = analyzeTs(`${TF}export function n(input: unknown) {\n  const {imageTensor} = convert(input);\n  const {scale, offset} = range(0, 255);\n  return tf.tidy(() => tf.add(tf.mul(imageTensor, scale), offset));\n}\n`);
  const nf = none.findings.find(f => f.rule === 'FL102');
  assert.ok(nf, 'the chain is found');
  assert.equal(nf.estimate.sizeKnown, false);
  // a tensor made from constants broadcasts into the data, not the other way (blazeface)
  const flip = analyzeTs(`${TF}export function m(face: { landmarks: tf.Tensor2D }, w: number) {\n  return tf.tidy(() => tf.mul(tf.sub(tf.tensor1d([w - 1, 0]), face.landmarks), tf.tensor1d([1, -1])));\n}\n`);
  const ff = flip.findings.find(f => f.rule === 'FL102');
  assert.ok(ff, 'the chain is found');
  assert.equal(ff.estimate.sizeKnown, false);
  // a bias of unknown shape still broadcasts into the layer's known output
  const bias = analyzeTs(`${TF}export function h(b: tf.Tensor1D) {\n  const y = tf.matMul(tf.zeros([8, 16]), tf.zeros([16, 4]));\n  return tf.sigmoid(tf.add(y, b)).square();\n}\n`);
  const bf = bias.findings.find(f => f.rule === 'FL101');
  assert.equal(bf?.estimate.elements, 8 * 4);
});

test('@tensorflow/tfjs-node runs on the CPU: no finding, and hover says so; tfjs-node-gpu is estimated on the CUDA profile', () => {
  // tensorflow/tfjs-examples' tests (snake-dqn, mnist-acgan) were estimated "~1.67x on H100"
  const chain = (mod: string) => `const tf = require('${mod}');\nexports.f = (a, b) => tf.abs(tf.sub(a, b));`;
  const cpu = analyzeTs(chain('@tensorflow/tfjs-node'), '/v/t.js');
  assert.deepEqual(cpu.findings, []);
  assert.deepEqual(cpu.refusals, []);
  const at = chain('@tensorflow/tfjs-node').indexOf('tf.abs') + 4;
  const h = hoverAt(cpu, at, 1 << 20);
  assert.match(h!.markdown, /the CPU \(the file imports @tensorflow\/tfjs-node, TensorFlow on the CPU\): no GPU program/);
  assert.doesNotMatch(h!.markdown, /estimated time/);
  const gpu = analyzeTs(chain('@tensorflow/tfjs-node-gpu'), '/v/t.js', { gpu: 'h100' });
  assert.deepEqual(chains(gpu.findings), ['FL102:sub>abs']);
  assert.ok(gpu.findings[0].estimate.assumptions.some(a => a.includes('@tensorflow/tfjs-node-gpu')), gpu.findings[0].estimate.assumptions.join('; '));
  // both imported (a switch at run time): the GPU build decides
  const both = analyzeTs(`const tf = require(process.env.GPU ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node');\nconst g = require('@tensorflow/tfjs-node-gpu');\nexports.f = (a, b) => g.abs(g.sub(a, b));`, '/v/t.js');
  assert.equal(both.findings.length, 1);
});
