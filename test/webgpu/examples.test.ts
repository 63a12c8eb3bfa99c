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
  const gpu = await dawn();
  if (typeof gpu === 'string') { t.skip(`WebGPU unavailable: ${gpu}`); return; }
  const src = readExample('postprocess_chain.ts');
  const file = `${process.cwd()}/examples/webgpu/postprocess_chain.ts`;
  const before = analyzeWg(src, file);
  const finding = before.findings.find(f => f.rule === 'FL201');
  assert.ok(finding?.fix, JSON.stringify(before.findings.map(f => [f.message, f.fixUnavailable])));
  const { text, applied } = fixAll(src, file);
  assert.equal(applied.length, 1, applied.join('\n'));
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
