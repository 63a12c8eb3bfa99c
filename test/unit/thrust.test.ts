// FL031: Thrust transform chains — fused forms, policies, and refusals.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeText, applyFirstFix, ROOT } from '../helpers/analyze';

const FUNCTORS = `struct sq { __host__ __device__ float operator()(float x) const { return x * x; } };
struct to_double { __host__ __device__ double operator()(float x) const { return x; } };
struct pos { __host__ __device__ bool operator()(float x) const { return x > 0; } };
`;
const prog = (body: string) => `#include <thrust/device_vector.h>\n#include <thrust/transform.h>\n#include <thrust/reduce.h>\n${FUNCTORS}\nfloat run(cudaStream_t s) {\n  const int n = 1 << 20;\n  thrust::device_vector<float> x(n), y(n), t(n), out(n);\n${body}\n}\n`;
const fl031 = (r: ReturnType<typeof analyzeText>) => r.findings.filter(f => f.rule === 'FL031');

test('transform + reduce -> transform_reduce, with an estimate and the temporary removed', () => {
  const src = prog('  thrust::transform(x.begin(), x.end(), t.begin(), sq());\n  return thrust::reduce(t.begin(), t.end(), 0.0f, thrust::plus<float>());');
  const r = analyzeText(src);
  const f = fl031(r)[0];
  assert.ok(f?.fixable, f?.fixUnavailable);
  assert.equal(f.estimate.elements, 1 << 20);
  assert.equal(f.estimate.bytesBefore - f.estimate.bytesAfter, 2 * 4 * (1 << 20), 'the temporary is neither written nor read');
  assert.ok(f.estimate.speedup > 1);
  const fixed = applyFirstFix(src, r);
  assert.match(fixed, /return thrust::transform_reduce\(x\.begin\(\), x\.end\(\), sq\(\), 0\.0f, thrust::plus<float>\(\)\);/);
  assert.match(fixed, /#include <thrust\/transform_reduce\.h>/);
  assert.doesNotMatch(fixed, /thrust::transform\(/);
  assert.equal(fl031(analyzeText(fixed)).length, 0);
});

test('binary transform + reduce -> inner_product; default init and op spelled out', () => {
  const src = prog('  thrust::transform(x.begin(), x.end(), y.begin(), t.begin(), thrust::multiplies<float>());\n  float d = thrust::reduce(t.begin(), t.end());\n  return d;');
  const r = analyzeText(src);
  const fixed = applyFirstFix(src, r);
  assert.match(fixed, /float d = thrust::inner_product\(x\.begin\(\), x\.end\(\), y\.begin\(\), float\(\), thrust::plus<float>\(\), thrust::multiplies<float>\(\)\);/);
});

test('transform + scans -> transform_inclusive_scan / transform_exclusive_scan (in place keeps the vector)', () => {
  let src = prog('  thrust::transform(x.begin(), x.end(), t.begin(), sq());\n  thrust::inclusive_scan(t.begin(), t.end(), t.begin());\n  return t[0];');
  let r = analyzeText(src);
  let f = fl031(r)[0];
  assert.ok(f?.fixable, f?.fixUnavailable);
  let fixed = applyFirstFix(src, r);
  assert.match(fixed, /thrust::transform_inclusive_scan\(x\.begin\(\), x\.end\(\), t\.begin\(\), sq\(\), thrust::plus<float>\(\)\);/);
  assert.match(fixed, /thrust::device_vector<float> x\(n\), y\(n\), t\(n\), out\(n\);/, 'the scan output stays');
  src = prog('  thrust::transform(thrust::cuda::par.on(s), x.begin(), x.end(), t.begin(), sq());\n  thrust::exclusive_scan(thrust::cuda::par.on(s), t.begin(), t.end(), out.begin(), 1.0f);\n  return out[0];');
  r = analyzeText(src);
  fixed = applyFirstFix(src, r);
  assert.match(fixed, /thrust::transform_exclusive_scan\(thrust::cuda::par\.on\(s\), x\.begin\(\), x\.end\(\), out\.begin\(\), sq\(\), 1\.0f, thrust::plus<float>\(\)\);/);
});

test('transform + count_if / transform -> the consumer over make_transform_iterator', () => {
  let src = prog('  thrust::transform(x.begin(), x.end(), t.begin(), sq());\n  return thrust::count_if(t.begin(), t.end(), pos());');
  let fixed = applyFirstFix(src, analyzeText(src));
  assert.match(fixed, /return thrust::count_if\(thrust::make_transform_iterator\(x\.begin\(\), sq\(\)\), thrust::make_transform_iterator\(x\.end\(\), sq\(\)\), pos\(\)\);/);
  assert.match(fixed, /#include <thrust\/iterator\/transform_iterator\.h>/);
  src = prog('  thrust::transform(x.begin(), x.end(), t.begin(), sq());\n  thrust::transform(y.begin(), y.end(), t.begin(), out.begin(), thrust::plus<float>());\n  return 0;');
  fixed = applyFirstFix(src, analyzeText(src));
  assert.match(fixed, /thrust::transform\(y\.begin\(\), y\.end\(\), thrust::make_transform_iterator\(x\.begin\(\), sq\(\)\), out\.begin\(\), thrust::plus<float>\(\)\);/);
});

test('refused: live temporary, different policies, skipped conversion, length, binary producer, lambda copies', () => {
  const cases: Array<[string, RegExp]> = [
    ['  thrust::transform(x.begin(), x.end(), t.begin(), sq());\n  float a = thrust::reduce(t.begin(), t.end());\n  return a + t[0];', /`t` is also used at line \d+/],
    ['  thrust::transform(thrust::cuda::par.on(s), x.begin(), x.end(), t.begin(), sq());\n  return thrust::reduce(t.begin(), t.end());', /different execution policies/],
    ['  thrust::transform(x.begin(), x.end(), t.begin(), to_double());\n  return thrust::reduce(t.begin(), t.end());', /returns `double` but `t` holds `float`/],
    ['  thrust::transform(x.begin(), x.begin() + 100, t.begin(), sq());\n  return thrust::reduce(t.begin(), t.end());', /cannot prove that `thrust::reduce` reads exactly the elements/],
    ['  thrust::transform(x.begin(), x.end(), y.begin(), t.begin(), thrust::plus<float>());\n  return thrust::count_if(t.begin(), t.end(), pos());', /needs a zip iterator/],
    ['  auto f = [] __device__ (float v) { return v * 2; };\n  thrust::transform(x.begin(), x.end(), t.begin(), f);\n  return thrust::reduce(t.begin(), t.end());', /cannot tell what `f` returns/],
  ];
  for (const [body, re] of cases) {
    const f = fl031(analyzeText(prog(body)))[0];
    assert.ok(f, `no finding for:\n${body}`);
    assert.equal(f.fixable, false, body);
    assert.match(f.fixUnavailable!, re);
  }
  // a lambda with a trailing return type is fine for transform_reduce
  const ok = fl031(analyzeText(prog('  auto f = [] __device__ (float v) -> float { return v * 2; };\n  thrust::transform(x.begin(), x.end(), t.begin(), f);\n  return thrust::reduce(t.begin(), t.end());')))[0];
  assert.ok(ok.fixable, ok.fixUnavailable);
});

test('no pair when something else touches the data in between, or the transform result is used', () => {
  let r = analyzeText(prog('  thrust::transform(x.begin(), x.end(), t.begin(), sq());\n  thrust::fill(x.begin(), x.end(), 0.0f);\n  return thrust::reduce(t.begin(), t.end());'));
  assert.equal(fl031(r).length, 0);
  r = analyzeText(prog('  thrust::transform(x.begin(), x.end(), t.begin(), sq());\n  cudaDeviceSynchronize();\n  return thrust::reduce(t.begin(), t.end());'));
  assert.equal(fl031(r)[0]?.launches.length, 2, 'a sync without the data does not break the pair (both calls already order on the device)');
});

test('the FL031 estimate against the GPU runs in bench/gpu/results: host costs in the assumptions, speedups within 20%', () => {
  // the measured runs (H200: the fit; H100: out of sample), analyzed as bench/gpu/evaluate.ts does
  const root = ROOT;
  for (const [card, gpu, least] of [['h200', 'h200', 15], ['h100', 'h100', 16]] as const) {
    const runs = fs.readFileSync(path.join(root, `bench/gpu/results/${card}-2026-11-26-thrust.jsonl`), 'utf8').trim().split('\n')
      .map(l => JSON.parse(l) as { case: string; n: number; speedup: number }).filter(r => r.case.startsWith('thrust_'));
    assert.equal(runs.length, 16);
    let within = 0;
    for (const run of runs) {
      const file = path.join(root, `bench/gpu/gen/${run.case}.cu`);
      const f = fl031(analyzeText(fs.readFileSync(file, 'utf8'), file, {}, { gpu, defaultElements: run.n }))[0];
      assert.ok(f?.fixable, `${run.case}: ${f?.fixUnavailable}`);
      assert.ok(f.estimate.assumptions.some(a => /µs per Thrust call for its stream synchronization, 21 µs for the temporary storage/.test(a)), f.estimate.assumptions.join('\n'));
      if (Math.abs(f.estimate.speedup / run.speedup - 1) <= 0.2) within++;
    }
    assert.ok(within >= least, `${card}: ${within}/16 within 20%`);
  }
});

test('`using namespace thrust` reaches functions that never spell `thrust`', () => {
  // the library pass reads only the host functions that name a library, unless a using-directive
  // lets calls go unqualified: this function names none
  const src = `#include <thrust/device_vector.h>\n#include <thrust/transform.h>\n#include <thrust/reduce.h>\n${FUNCTORS}using namespace thrust;\nfloat other() { thrust::device_vector<float> v(4); return v[0]; }\nfloat run() {\n  const int n = 1 << 20;\n  device_vector<float> x(n), t(n);\n  transform(x.begin(), x.end(), t.begin(), sq());\n  return reduce(t.begin(), t.end(), 0.0f, plus<float>());\n}\n`;
  const f = fl031(analyzeText(src))[0];
  assert.ok(f, 'FL031 found through the using-directive');
  assert.equal(f.estimate.elements, 1 << 20);
});
