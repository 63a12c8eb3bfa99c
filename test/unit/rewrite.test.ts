import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeText, applyFirstFix } from '../helpers/analyze';
import { REWRITE_CASES } from '../helpers/rewriteCases';

for (const c of REWRITE_CASES) {
  test(`rewrite: ${c.name}`, () => {
    const file = '/virtual/case.cu';
    const r = analyzeText(c.src, file, c.files);
    assert.ok(r.findings.length >= 1, `no finding; refusals: ${r.refusals.map(x => x.reason).join('; ')}`);
    let text = c.src;
    // apply every fixable finding, re-analysing in between (as `fusion-lens fix` does)
    for (let pass = 0; pass < 5; pass++) {
      const rr = analyzeText(text, file, c.files);
      if (!rr.findings.some(f => f.fixable)) break;
      text = applyFirstFix(text, rr);
    }
    for (const e of c.expect) assert.match(text, e);
    for (const e of c.reject ?? []) assert.doesNotMatch(text, e);
    const again = analyzeText(text, file, c.files);
    assert.equal(again.findings.filter(f => f.fixable).length, 0, 'a fixed file re-analysed offers no fix again');
  });
}

test('rewrite: no fix when legality is uncertain, and the reason says so', () => {
  const src = `__global__ void k1(const float* in, float* out, int n) { int i = blockIdx.x * blockDim.x + threadIdx.x; if (i < n) out[i] = in[i]; }
__global__ void k2(const float* in, float* out, int n) { int i = blockIdx.x * blockDim.x + threadIdx.x; if (i < n) { if (in[i] < 0) return; out[i] = in[i]; } }
void run(float* x, float* t, float* y, int n) { k1<<<n / 256, 256>>>(x, t, n); k2<<<n / 256, 256>>>(t, y, n); }`;
  const r = analyzeText(src);
  assert.equal(r.findings.length, 1);
  assert.equal(r.findings[0].fixable, false);
  assert.ok(r.findings[0].fixUnavailable);
});
