// Which GPU profile CUDA estimates use when the setting names a browser (laptop) profile.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cudaProfile, findProfile } from '../../analyzer/cost/profiles';
import { analyzeText, ewKernel } from '../helpers/analyze';

const src = `${ewKernel('a')}${ewKernel('b')}\nvoid run(const float* __restrict__ x, float* __restrict__ y, int n) {\n  float* t; cudaMalloc(&t, n * 4);\n  a<<<n / 256, 256>>>(x, t, n);\n  b<<<n / 256, 256>>>(t, y, n);\n}\n`;

test('a GPU that cannot run CUDA: CUDA estimates fall back to the default card and say so', () => {
  const r = analyzeText(src, '/v/t.cu', {}, { gpu: 'iris-xe' });
  const e = r.findings[0].estimate;
  assert.equal(e.gpu, 'h100');
  assert.match(e.assumptions[0], /Intel Iris Xe.*does not run CUDA: estimated on NVIDIA H100/);
});

test('an NVIDIA laptop card keeps its bandwidth, with native launch costs standing in for the browser ones', () => {
  const p = cudaProfile('rtx4060-laptop');
  assert.equal(p.profile.id, 'rtx4060-laptop');
  assert.equal(p.profile.launchOverheadUs.value, findProfile('h100')!.launchOverheadUs.value);
  assert.equal(p.profile.launchOverheadUs.measured, false);
  const r = analyzeText(src, '/v/t.cu', {}, { gpu: 'rtx4060-laptop' });
  assert.equal(r.findings[0].estimate.gpu, 'rtx4060-laptop');
  assert.match(r.findings[0].estimate.assumptions[0], /browser profile.*launch costs stand in/);
  // a CUDA card is used as is, with no note
  assert.equal(cudaProfile('h200').note, undefined);
});
