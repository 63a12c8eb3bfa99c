// Property test: random TF.js layer code (both call styles, one or several statements, transposes,
// bias tensor / number / none / first, every activation, trailing elementwise ops, sometimes a live
// intermediate) is analyzed, every quick fix applied, and the original and fixed modules must give
// bitwise-equal outputs on the CPU backend. The analyzer must never throw, and fixing must converge.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import * as ts from 'typescript';
import { analyzeTs, fixAll, loadModule, sameBits, tfCpu, valuesOf } from './helpers';

interface Spec {
  style: 'functional' | 'chained' | 'statements';
  tA: boolean;
  tB: boolean;
  bias: 'tensor' | 'number' | 'none' | 'first';
  act: 'relu' | 'relu6' | 'elu' | 'sigmoid' | 'leakyRelu' | 'leakyRelu(0.3)' | 'prelu' | 'none';
  tail: Array<'mul(2)' | 'add(1)' | 'square()' | 'neg()'>;
  live: boolean;
}

function source(s: Spec): string {
  const a = `x`, b = `w`;
  const mm = s.style === 'functional' ? `tf.matMul(${a}, ${b}, ${s.tA}, ${s.tB})` : `${a}.matMul(${b}, ${s.tA}, ${s.tB})`;
  const biased = (v: string) => {
    if (s.bias === 'none') return v;
    const operand = s.bias === 'number' ? '0.25' : 'bias';
    if (s.style === 'functional' || s.bias === 'first') return s.bias === 'first' ? `tf.add(${operand}, ${v})` : `tf.add(${v}, ${operand})`;
    return `${v}.add(${operand})`;
  };
  const activated = (v: string) => {
    if (s.act === 'none') return v;
    const [name, arg] = s.act === 'prelu' ? ['prelu', 'alpha'] : s.act === 'leakyRelu(0.3)' ? ['leakyRelu', '0.3'] : [s.act, ''];
    return s.style === 'chained' ? `${v}.${name}(${arg})` : `tf.${name}(${[v, arg].filter(Boolean).join(', ')})`;
  };
  const tail = (v: string) => s.tail.reduce((acc, t) => `${acc}.${t}`, v);
  let body: string;
  if (s.style === 'statements') {
    // one statement per step that does something (a bare `const z = h` alias is tested apart)
    const lines = [`  const h = ${mm};`];
    let cur = 'h';
    const step = (name: string, expr: string) => { if (expr !== cur) { lines.push(`  const ${name} = ${expr};`); cur = name; } };
    step('z', biased(cur));
    const live = cur;
    step('y', activated(cur));
    step('out', tail(cur));
    lines.push(`  return ${s.live ? `[${live}, ${cur}]` : cur};`);
    body = lines.join('\n');
  } else {
    body = `  return ${tail(activated(biased(mm)))};`;
  }
  return `import * as tf from '@tensorflow/tfjs';\nexport function run(x: tf.Tensor2D, w: tf.Tensor2D, bias: tf.Tensor1D, alpha: tf.Tensor1D) {\n${body}\n}\n`;
}

const spec: fc.Arbitrary<Spec> = fc.record({
  style: fc.constantFrom('functional', 'chained', 'statements'),
  tA: fc.boolean(),
  tB: fc.boolean(),
  bias: fc.constantFrom('tensor', 'number', 'none', 'first'),
  act: fc.constantFrom('relu', 'relu6', 'elu', 'sigmoid', 'leakyRelu', 'leakyRelu(0.3)', 'prelu', 'none'),
  tail: fc.array(fc.constantFrom('mul(2)', 'add(1)', 'square()', 'neg()'), { maxLength: 3 }),
  live: fc.boolean(),
});

test('random TF.js layers: fixes keep every output bit, converge, and parse', async () => {
  const tf = await tfCpu();
  let fixed = 0;
  await fc.assert(fc.asyncProperty(spec, async s => {
    const src = source(s);
    const before = analyzeTs(src);
    const { text, applied } = fixAll(src);
    fixed += applied.length;
    const after = analyzeTs(text);
    assert.ok(!after.findings.some(f => f.fix), `fixing did not converge:\n${text}`);
    const sf = ts.createSourceFile('m.ts', text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS) as ts.SourceFile & { parseDiagnostics: unknown[] };
    assert.equal(sf.parseDiagnostics.length, 0, text);
    if ((s.act !== 'none' || s.bias !== 'none') && !s.live) assert.ok(before.findings.some(f => f.rule === 'FL101'), `no FL101 for:\n${src}`);
    // x: [M,K] or [K,M] when transposed; w: [K,N] or [N,K]
    const [M, K, N] = [4, 6, 5];
    const x = tf.randomNormal(s.tA ? [K, M] : [M, K], 0, 1, 'float32', 1);
    const w = tf.randomNormal(s.tB ? [N, K] : [K, N], 0, 1, 'float32', 2);
    const bias = tf.randomNormal([N], 0, 1, 'float32', 3);
    const alpha = tf.randomUniform([N], 0, 0.5, 'float32', 4);
    const run = (code: string) => (loadModule(code, tf).run as (...a: unknown[]) => unknown)(x, w, bias, alpha);
    const r = sameBits(valuesOf(tf, run(src)), valuesOf(tf, run(text)));
    assert.ok(r.equal, `outputs differ (max abs ${r.maxAbs}):\n${src}\n---\n${text}`);
  }), { numRuns: 120, seed: 20261126 });
  assert.ok(fixed > 60, `only ${fixed} fixes applied`);
});

test('random token soup around tf calls never throws', () => {
  const pieces = ['tf.matMul(', 'tf.add(', '.relu()', 'x', 'w', ', ', ')', '(', '{', '}', ';', '\n', 'const a = ', 'return ', 'tf.tidy(() => ', '=> ', '// fusion-lens: x=[2,2]\n', '"', '`', '/*', 'class A extends tf.layers.Layer {', 'opt.minimize(', '[', ']', '.map(v => ', 'for (const q of xs) '];
  fc.assert(fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 60 }), parts => {
    analyzeTs(`import * as tf from '@tensorflow/tfjs';\n${parts.join('')}`);
  }), { numRuns: 400, seed: 7 });
});
