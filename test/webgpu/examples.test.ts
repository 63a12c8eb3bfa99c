// Every quick fix of examples/webgpu is executed: the original host code and the fixed one run on a
// real WebGPU implementation (Dawn on Mesa's software OpenGL, test/helpers/dawn.ts) with the same
// inputs, and their outputs must be bitwise equal (the fused shader evaluates the same expressions
// in the same order per element). The number of dispatches drops by what the estimate says, and
// every generated shader compiles on Dawn (Tint) with no error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dawn } from '../helpers/dawn';
import { analyzeWg, compareF32, countDispatches, fixAll, loadModule, readExample } from './helpers';

function random(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s / 2 ** 32) * 1.5 - 0.1;
  }
  return out;
}

test('examples/webgpu/postprocess_chain.ts: the fused grading pass gives the same pixels', async t => {
  const src = readExample('postprocess_chain.ts');
  const file = `${process.cwd()}/examples/webgpu/postprocess_chain.ts`;
  const before = analyzeWg(src, file);
  const finding = before.findings.find(f => f.rule === 'FL201');
  assert.ok(finding?.fix, JSON.stringify(before.findings.map(f => [f.message, f.fixUnavailable])));
  const { text, applied } = fixAll(src, file);
  assert.equal(applied.length, 1, applied.join('\n'));
  const gpu = await dawn();
  if (typeof gpu === 'string') { t.skip(`WebGPU unavailable: ${gpu}`); return; }
  const width = 37;
  const height = 23; // 851 pixels: not a multiple of the workgroup size
  const pixels = random(width * height * 4, 7);
  const settings = { exposure: 0.7, contrast: 1.3, gamma: 2.2, pivot: 0.18 };
  type Grade = (d: GPUDevice, p: Float32Array, w: number, h: number, s: typeof settings) => Promise<Float32Array>;
  const a = loadModule(src).gradeImage as Grade;
  const b = loadModule(text).gradeImage as Grade;
  const ra = await countDispatches(gpu.device, () => a(gpu.device, pixels, width, height, settings));
  const rb = await countDispatches(gpu.device, () => b(gpu.device, pixels, width, height, settings));
  const cmp = compareF32(ra.value, rb.value);
  assert.ok(cmp.equal, `outputs differ in ${cmp.differing} elements (max abs ${cmp.maxAbs})`);
  assert.equal(ra.dispatches - rb.dispatches, finding.estimate.launchesBefore - finding.estimate.launchesAfter);
  t.diagnostic(`${gpu.adapterInfo}: ${ra.value.length} floats bitwise equal; dispatches ${ra.dispatches} → ${rb.dispatches}`);
});

test('examples/webgpu/particles.ts: three passes become one and the particles move the same', async t => {
  const src = readExample('particles.ts');
  const file = `${process.cwd()}/examples/webgpu/particles.ts`;
  const finding = analyzeWg(src, file).findings.find(f => f.rule === 'FL201');
  assert.ok(finding?.fix, 'a fix is offered');
  const { text, applied } = fixAll(src, file);
  assert.equal(applied.length, 1, applied.join('\n'));
  assert.ok(!/beginComputePass\(\{ label: 'integrate' \}\)/.test(text), 'the emptied passes are removed');
  const gpu = await dawn();
  if (typeof gpu === 'string') { t.skip(`WebGPU unavailable: ${gpu}`); return; }
  const count = 1000; // not a multiple of the workgroup size (128)
  const initial = random(count * 8, 11);
  type Make = (d: GPUDevice, init: Float32Array, n: number) => { step(dt: number): void; read(): Promise<Float32Array> };
  const run = async (code: string) => {
    const sys = (loadModule(code).createParticleSystem as Make)(gpu.device, initial, count);
    for (let k = 0; k < 20; k++) sys.step(1 / 60);
    return sys.read();
  };
  const ra = await countDispatches(gpu.device, () => run(src));
  const rb = await countDispatches(gpu.device, () => run(text));
  const cmp = compareF32(ra.value, rb.value);
  assert.ok(cmp.equal, `outputs differ in ${cmp.differing} elements (max abs ${cmp.maxAbs})`);
  assert.equal(ra.dispatches, 60);
  assert.equal(rb.dispatches, 20 * (finding.estimate.launchesAfter));
  assert.ok(ra.value.some((v, i) => v !== initial[i]), 'the simulation moved');
  t.diagnostic(`${count} particles × 20 steps bitwise equal; dispatches ${ra.dispatches} → ${rb.dispatches}`);
});

test('examples/webgpu/normalize_reduction.ts: nothing fuses, every refusal says why, and the program is right', async t => {
  const src = readExample('normalize_reduction.ts');
  const r = analyzeWg(src, `${process.cwd()}/examples/webgpu/normalize_reduction.ts`);
  assert.deepEqual(r.findings, []);
  assert.deepEqual(r.refusals.map(x => `${x.rule}:${x.launches.map(l => l.callee).join('>')}`), ['FL210:sum_squares>add_partials', 'FL210:add_partials>scale', 'FL210:scale>smooth3']);
  assert.match(r.refusals[0].reason, /workgroupBarrier\(\) orders one workgroup/);
  assert.match(r.refusals[2].reason, /reads `unit` at `max\(i, 1u\) - 1u`/);
  const gpu = await dawn();
  if (typeof gpu === 'string') { t.skip(`WebGPU unavailable: ${gpu}`); return; }
  const n = 3000;
  const values = random(n, 5);
  const out = await (loadModule(src).normalizeAndSmooth as (d: GPUDevice, v: Float32Array, n: number) => Promise<Float32Array>)(gpu.device, values, n);
  const norm = Math.sqrt(values.reduce((s, v) => s + v * v, 0));
  const unit = Array.from(values, v => v / norm);
  let worst = 0;
  for (let i = 0; i < n; i++) {
    const want = (unit[Math.max(i, 1) - 1] + unit[i] + unit[Math.min(i + 1, n - 1)]) / 3;
    worst = Math.max(worst, Math.abs(out[i] - want));
  }
  assert.ok(worst < 1e-6, `max abs error ${worst}`);
});

test('a deliberately wrong fused shader is caught (the comparison can fail)', async t => {
  const gpu = await dawn();
  if (typeof gpu === 'string') { t.skip(`WebGPU unavailable: ${gpu}`); return; }
  const src = readExample('postprocess_chain.ts');
  const { text } = fixAll(src, `${process.cwd()}/examples/webgpu/postprocess_chain.ts`);
  // the fused shader (the original shader's text is still in the file, now unused)
  const at = text.lastIndexOf('c.rgb * exp2(grade.exposure)');
  const wrong = text.slice(0, at) + 'c.rgb * exp2(grade.exposure + 1e-3)' + text.slice(at + 'c.rgb * exp2(grade.exposure)'.length);
  assert.notEqual(wrong, text);
  type Grade = (d: GPUDevice, p: Float32Array, w: number, h: number, s: object) => Promise<Float32Array>;
  const pixels = random(64 * 4, 3);
  const s = { exposure: 0.5, contrast: 1.1, gamma: 2.2, pivot: 0.18 };
  const a = await (loadModule(text).gradeImage as Grade)(gpu.device, pixels, 8, 8, s);
  const b = await (loadModule(wrong).gradeImage as Grade)(gpu.device, pixels, 8, 8, s);
  assert.equal(compareF32(a, b).equal, false);
});
