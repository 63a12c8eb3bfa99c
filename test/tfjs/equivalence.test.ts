// Every TF.js quick fix is executed: the original and the rewritten module run on the same random
// inputs with @tensorflow/tfjs 4.22 (CPU backend) and their outputs must be bitwise equal
// (tolerance 0: the CPU fused kernels call the same matMul/conv, add and activation ops, so a
// rewrite that keeps the meaning keeps every bit; research/runtimes.md section 1).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixAll, loadModule, readTfjsExample, sameBits, tfCpu, valuesOf } from './helpers';
import { CASES, type Input } from './cases';

type Tf = Awaited<ReturnType<typeof tfCpu>>;

async function inputsFor(tf: Tf, specs: Input[], seed: number) {
  return specs.map((s, i) => (Array.isArray(s) ? tf.randomNormal(s, 0, 1, 'float32', seed + i) : tf.randomUniform(s.shape, 0, 255, 'int32', seed + i)));
}

async function compare(tf: Tf, original: string, fixed: string, fnName: string, specs: Input[], file = 'model.ts', construct = false) {
  const a = loadModule(original, tf, file);
  const b = loadModule(fixed, tf, file);
  for (const seed of [1, 17]) {
    const ins = await inputsFor(tf, specs, seed * 100);
    const call = (m: Record<string, unknown>) => {
      if (construct) { const C = m[fnName] as new () => { apply(...x: unknown[]): unknown }; return new C().apply(...ins); }
      return (m[fnName] as (...x: unknown[]) => unknown)(...ins);
    };
    const r = sameBits(valuesOf(tf, call(a)), valuesOf(tf, call(b)));
    assert.ok(r.equal, `${fnName}: outputs differ (max abs ${r.maxAbs})`);
  }
}

for (const c of CASES) {
  test(`rewrite keeps results: ${c.name}`, async () => {
    const tf = await tfCpu();
    const { text, applied } = fixAll(c.src, c.file);
    assert.ok(applied.length >= 1, `no fix offered for:\n${c.src}`);
    for (const e of c.expect) assert.ok(text.includes(e), `expected \`${e}\` in:\n${text}`);
    await compare(tf, c.src, text, 'run', c.inputs, c.file?.endsWith('.js') ? 'model.js' : 'model.ts');
  });
}

test('a deliberately wrong rewrite is caught (the harness can fail)', async () => {
  const tf = await tfCpu();
  const src = CASES[0].src;
  const wrong = src.replace('tf.relu(tf.add(tf.matMul(x, w), b))', `tf.fused.matMul({a: x, b: w, bias: b, activation: 'relu6'})`);
  await assert.rejects(compare(tf, src, wrong, 'run', [[8, 16], [16, 12], [12]]), /outputs differ/);
});

const EXAMPLES: Array<{ file: string; calls: Array<{ fn: string; inputs: Input[]; construct?: boolean }>; fixes: number }> = [
  { file: 'dense_classifier.ts', fixes: 5, calls: [{ fn: 'predict', inputs: [[64, 784]] }, { fn: 'hiddenFeatures', inputs: [[64, 784]] }, { fn: 'trainStep', inputs: [[64, 784], [64, 10]] }] },
  { file: 'conv_block.ts', fixes: 4, calls: [{ fn: 'MobileBlock', inputs: [[2, 12, 12, 32]], construct: true }, { fn: 'residual', inputs: [[2, 8, 8, 16], [3, 3, 16, 16], [16]] }, { fn: 'stem', inputs: [[1, 17, 17, 3], [3, 3, 3, 8], [8], [8]] }] },
  { file: 'preprocess.ts', fixes: 1, calls: [{ fn: 'normalize', inputs: [{ shape: [1, 32, 32, 3], dtype: 'int32' }] }, { fn: 'brighten', inputs: [] }, { fn: 'darkAndBoosted', inputs: [[12, 16, 3]] }] },
  { file: 'not_fusable.ts', fixes: 0, calls: [{ fn: 'keepsHidden', inputs: [[4, 5], [5, 6], [6]] }, { fn: 'unknownBias', inputs: [[4, 5], [5, 6], [6]] }] },
];

for (const ex of EXAMPLES) {
  test(`examples/tfjs/${ex.file}: every fix applied, outputs bitwise equal`, async () => {
    const tf = await tfCpu();
    const src = readTfjsExample(ex.file);
    const { text, applied } = fixAll(src, `/virtual/${ex.file}`);
    assert.equal(applied.length, ex.fixes, applied.join('\n'));
    for (const c of ex.calls) await compare(tf, src, text, c.fn, c.inputs, ex.file, c.construct);
  });
}
