// FL020: batch loops, their legality (independent iterations) and the batched rewrite.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeText, applyFirstFix, ewKernel } from '../helpers/analyze';

const K = ewKernel('scale', 'in[i] * 2.0f') + ewKernel('shift', 'in[i] + 1.0f');
const prog = (body: string, decls = '') => `${K}\nvoid run(cudaStream_t s) {\n  const int B = 64;\n  const int n = 4096;\n  float *in, *out, *tmp;\n  cudaMalloc(&in, B * n * 4); cudaMalloc(&out, B * n * 4); cudaMalloc(&tmp, n * 4);\n${decls}${body}\n}\n`;
const fl020 = (r: ReturnType<typeof analyzeText>) => r.findings.find(f => f.rule === 'FL020');
const why = (r: ReturnType<typeof analyzeText>) => r.refusals.filter(x => x.rule === 'FL020').map(x => x.reason).join('; ');

test('a loop over items with per-item offsets is batched (by value)', () => {
  const src = prog('  for (int b = 0; b < B; ++b)\n    scale<<<n / 256, 256, 0, s>>>(in + b * n, out + b * n, n);');
  const r = analyzeText(src);
  const f = fl020(r);
  assert.ok(f, why(r));
  assert.equal(f.kind, 'horizontal');
  assert.equal(f.estimate.launchesBefore, 64);
  assert.equal(f.estimate.launchesAfter, 1);
  assert.ok(f.estimate.speedup > 10, `launch-bound items: ${f.estimate.speedup}`);
  assert.ok(f.fixable, f.fixUnavailable);
  const fixed = applyFirstFix(src, r);
  assert.match(fixed, /struct scale_item \{\n  const float\* in;\n  float\* out;\n\};/);
  assert.match(fixed, /fl_batch\.items\[b\] = \{in \+ b \* n, out \+ b \* n\};/);
  assert.match(fixed, /scale_batched<<<dim3\(n \/ 256, B\), 256, 0, s>>>\(fl_batch, n\);/);
  assert.equal(analyzeText(fixed).findings.length, 0);
});

test('a per-item chain with a shared scratch buffer is fused and batched', () => {
  const src = prog('  for (int b = 0; b < B; ++b) {\n    scale<<<n / 256, 256, 0, s>>>(in + b * n, tmp, n);\n    shift<<<n / 256, 256, 0, s>>>(tmp, out + b * n, n);\n  }');
  const r = analyzeText(src);
  const f = fl020(r)!;
  assert.ok(f?.fixable, f?.fixUnavailable ?? why(r));
  assert.equal(r.findings.filter(x => x.rule === 'FL001').length, 0, 'the batched fix subsumes the vertical one');
  const fixed = applyFirstFix(src, r);
  assert.match(fixed, /float tmp(_2)?;/);
  assert.match(fixed, /scale_shift_batched<<</);
});

test('separately allocated pointer arrays count as distinct items; unknown arrays do not', () => {
  const decls = '  float* outs[64];\n  for (int b = 0; b < B; ++b) cudaMalloc(&outs[b], n * 4);\n';
  let r = analyzeText(prog('  for (int b = 0; b < B; ++b)\n    scale<<<n / 256, 256, 0, s>>>(in + b * n, outs[b], n);', decls));
  assert.ok(fl020(r)?.fixable, fl020(r)?.fixUnavailable ?? why(r));
  const src2 = `${K}\nvoid run(float** ins, float** outs, int B, int n, cudaStream_t s) {\n  for (int b = 0; b < B; ++b)\n    scale<<<(n + 255) / 256, 256, 0, s>>>(ins[b], outs[b], n);\n}\n`;
  r = analyzeText(src2);
  const f = fl020(r)!;
  assert.ok(f, why(r));
  assert.equal(f.fixable, false);
  assert.match(f.fixUnavailable!, /may point into the same memory for two items/);
  assert.match(f.message, /with 16 items assumed/);
});

test('refused: a dependence between iterations, a host sync, per-item sizes, a shared output', () => {
  let r = analyzeText(prog('  for (int b = 1; b < B; ++b)\n    scale<<<n / 256, 256, 0, s>>>(out + (b - 1) * n, out + b * n, n);'));
  assert.equal(fl020(r), undefined, 'b starts at 1: not a plain batch');
  r = analyzeText(prog('  for (int b = 0; b < B; ++b)\n    scale<<<n / 256, 256, 0, s>>>(out + b * n, out + b * n + n, n);'));
  assert.ok(!fl020(r)?.fixable, 'item b writes what item b+1 reads');
  r = analyzeText(prog('  for (int b = 0; b < B; ++b) {\n    scale<<<n / 256, 256, 0, s>>>(in + b * n, out + b * n, n);\n    cudaStreamSynchronize(s);\n  }'));
  assert.equal(fl020(r), undefined);
  assert.match(why(r), /synchronizes with the host/);
  r = analyzeText(prog('  int sizes[64];\n  for (int b = 0; b < B; ++b)\n    scale<<<n / 256, 256, 0, s>>>(in + b * n, out + b * n, sizes[b]);'));
  assert.equal(fl020(r), undefined);
  assert.match(why(r), /items have different sizes/);
  r = analyzeText(prog('  for (int b = 0; b < B; ++b)\n    scale<<<n / 256, 256, 0, s>>>(in + b * n, out, n);'));
  assert.equal(fl020(r), undefined);
  assert.match(why(r), /`out` is written by every item/);
});

test('the batch size decides by-value struct or device array', () => {
  const big = `${K}\nvoid run(cudaStream_t s, int count) {\n  const int n = 1024;\n  float *in, *out;\n  cudaMalloc(&in, 1 << 28); cudaMalloc(&out, 1 << 28);\n  for (int b = 0; b < count; ++b)\n    scale<<<n / 256, 256, 0, s>>>(in + b * n, out + b * n, n);\n}\n`;
  const r = analyzeText(big);
  const f = fl020(r)!;
  assert.ok(f?.fixable, f?.fixUnavailable ?? why(r));
  const fixed = applyFirstFix(big, r);
  assert.match(fixed, /std::vector<scale_item> fl_items\(count\);/);
  assert.match(fixed, /cudaMemcpyAsync\(fl_items_d, fl_items\.data\(\)/);
  assert.match(fixed, /cudaFreeAsync\(fl_items_d, s\);/);
  assert.match(fixed, /#include <vector>/);
});

test('the cost model reproduces the H200 horizontal calibration within 25%', () => {
  // research/gpu-calibration.md: B launches of 60x120x3 floats (y = x * s) vs one batched launch
  const measured: Record<number, number> = { 8: 5.1, 50: 20.5, 200: 39.4 };
  for (const [B, m] of Object.entries(measured)) {
    const src = `${ewKernel('scale_img', 'in[i] * 2.0f')}\nvoid run() {\n  const int n = 60 * 120 * 3;\n  float *x, *y;\n  cudaMalloc(&x, ${B} * n * 4); cudaMalloc(&y, ${B} * n * 4);\n  for (int b = 0; b < ${B}; ++b)\n    scale_img<<<(n + 255) / 256, 256>>>(x + b * n, y + b * n, n);\n}\n`;
    const f = fl020(analyzeText(src, '/virtual/cal.cu', {}, { gpu: 'h200' }))!;
    const err = Math.abs(f.estimate.speedup - m) / m;
    assert.ok(err <= 0.25, `B=${B}: predicted ${f.estimate.speedup}x, measured ${m}x (${(err * 100).toFixed(0)}% off)`);
  }
});

test('buffers that rotate between iterations (a time loop) are not a batch; empty kernels are not batched', () => {
  const step = `__global__ void step(float* dst, const float* src, int n) {\n  int i = blockIdx.x * blockDim.x + threadIdx.x;\n  if (i > 0 && i < n - 1) dst[i] = 0.5f * (src[i - 1] + src[i + 1]);\n}\n__global__ void empty() {}\n`;
  const r = analyzeText(`${step}void run(float* a, float* b, int n, int steps) {\n  float* src = a;\n  float* dst = b;\n  for (int t = 0; t < steps; t++) {\n    step<<<(n + 255) / 256, 256>>>(dst, src, n);\n    float* tmp = dst;\n    dst = src;\n    src = tmp;\n  }\n  for (int k = 0; k < 1000; k++) empty<<<1, 1>>>();\n}\n`);
  assert.equal(fl020(r), undefined, 'no batch finding');
  assert.match(why(r), /`dst=src` hands one iteration's buffer to the next/);
  assert.ok(!r.findings.some(f => f.rule === 'FL022'), 'a loop of empty kernels measures launch overhead: no graph either');
});

test('a loop that may skip or end items (continue, break, return) is not batched, nor captured as a graph', () => {
  for (const jump of ['if (b % 3 == 0) continue;', 'if (b == 7) break;', 'if (b == 7) return;']) {
    const r = analyzeText(prog(`  for (int b = 0; b < B; ++b) {\n    ${jump}\n    scale<<<n / 256, 256, 0, s>>>(in + b * n, out + b * n, n);\n  }`));
    assert.equal(fl020(r), undefined, jump);
    assert.ok(!r.findings.some(f => f.rule === 'FL022'), jump);
    assert.match(why(r), /may skip or end iterations/, jump);
  }
});

test('conditional compilation in the loop refuses batching, named when nothing else stands in the way', () => {
  const r = analyzeText(prog('  for (int b = 0; b < B; ++b) {\n#ifdef TRACE\n    scale<<<n / 256, 256, 0, s>>>(in + b * n, out + b * n, n);\n#endif\n  }'));
  assert.equal(fl020(r), undefined);
  assert.match(why(r), /`#ifdef TRACE` compiles part of the loop conditionally/);
  const sync = analyzeText(prog('  for (int b = 0; b < B; ++b) {\n#ifdef TRACE\n    cudaDeviceSynchronize();\n#endif\n    scale<<<n / 256, 256, 0, s>>>(in + b * n, out + b * n, n);\n  }'));
  assert.match(why(sync), /synchronizes with the host/);
});
