// Half-typed library code never makes the analyzer throw: every prefix of the library examples
// (cut every 23 characters) is analyzed with fixes computed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeText, readExample } from '../helpers/analyze';

const FILES = ['opencv/dnn_preprocess.cu', 'opencv/fkl_normalize.cu', 'cuda/thrust_statistics.cu', 'cublas/gemm_bias_relu.cu'];

test('every prefix of the library examples analyzes without throwing', () => {
  for (const f of FILES) {
    const text = readExample(f);
    for (let cut = 0; cut <= text.length; cut += 23) {
      const prefix = text.slice(0, cut);
      assert.doesNotThrow(() => {
        const r = analyzeText(prefix, '/virtual/' + f.replace('/', '_'));
        for (const x of r.findings) r.resolveFix(x);
      }, `${f} cut at ${cut}`);
    }
    // the whole file reports its library findings
    const r = analyzeText(text, '/virtual/' + f.replace('/', '_'));
    assert.ok(r.findings.some(x => /^FL03/.test(x.rule)), f);
  }
});
