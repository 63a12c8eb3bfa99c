// The same rewrites on TF.js's WebGPU backend (the backend users' speed depends on), through Dawn's
// Node bindings on Mesa's software OpenGL (test/helpers/dawn.ts; research/runtimes.md section 2).
// Original (unfused ops) and rewritten (one fused shader) must agree within abs 1e-4 + rel 1e-5:
// the shaders may round differently from a chain of programs. Skips, saying why, when the GL stack
// (apt: libegl-dev libegl-mesa0 libgl1-mesa-dri) or the packages are missing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeTs, fixAll, loadModule } from './helpers';
import { CASES, type Input } from './cases';
import { dawnGpu, NO_ADAPTER } from '../helpers/dawn';

type Tf = typeof import('@tensorflow/tfjs');

async function webgpuTf(): Promise<Tf | string> {
  const opened = dawnGpu();
  if (typeof opened === 'string') return opened;
  const { gpu } = opened;
  if (!(await gpu.requestAdapter())) return NO_ADAPTER;
  Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const tf = require('@tensorflow/tfjs') as Tf;
  tf.env().set('IS_TEST', true);
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('@tensorflow/tfjs-backend-webgpu');
  } catch (e) {
    return `@tensorflow/tfjs-backend-webgpu not installed (${(e as Error).message.split('\n')[0]})`;
  }
  if (!(await tf.setBackend('webgpu'))) return 'tf.setBackend(\'webgpu\') failed';
  return tf;
}

async function values(tf: Tf, x: unknown): Promise<number[]> {
  if (Array.isArray(x)) return (await Promise.all(x.map(e => values(tf, e)))).flat();
  const t = x as InstanceType<Tf['Tensor']>;
  return [...t.shape, ...Array.from(await t.data() as Float32Array)];
}

const inputs = (tf: Tf, specs: Input[], seed: number) => specs.map((s, i) => (Array.isArray(s) ? tf.randomNormal(s, 0, 1, 'float32', seed + i) : tf.randomUniform(s.shape, 0, 255, 'int32', seed + i)));

test('rewrites keep results on the WebGPU backend (Dawn on Mesa OpenGL)', async t => {
  const tf = await webgpuTf();
  if (typeof tf === 'string') {
    t.skip(`WebGPU backend unavailable: ${tf}`);
    return;
  }
  let worst = 0;
  for (const c of CASES) {
    const { text } = fixAll(c.src, c.file);
    const a = loadModule(c.src, tf, c.file?.endsWith('.js') ? 'model.js' : 'model.ts');
    const b = loadModule(text, tf, c.file?.endsWith('.js') ? 'model.js' : 'model.ts');
    const ins = inputs(tf, c.inputs, 300);
    const va = await values(tf, (a.run as (...x: unknown[]) => unknown)(...ins));
    const vb = await values(tf, (b.run as (...x: unknown[]) => unknown)(...ins));
    assert.equal(va.length, vb.length, c.name);
    for (let i = 0; i < va.length; i++) {
      const d = Math.abs(va[i] - vb[i]);
      worst = Math.max(worst, d);
      assert.ok(d <= 1e-4 + 1e-5 * Math.abs(va[i]), `${c.name}: element ${i} differs: ${va[i]} vs ${vb[i]}`);
    }
  }
  t.diagnostic(`${CASES.length} rewrites on ${tf.getBackend()}: max abs difference ${worst}`);
});

test('the GPU programs TF.js runs drop by what the estimate says (tf.profile on WebGPU)', async t => {
  const tf = await webgpuTf();
  if (typeof tf === 'string') {
    t.skip(`WebGPU backend unavailable: ${tf}`);
    return;
  }
  // Reshape is a view (no program), `…__op` entries are the customGrad wrappers of tf.fused; everything else the engine dispatches is one GPU program
  const programs = async (m: Record<string, unknown>, ins: unknown[]) => {
    const p = await tf.profile(() => (m.run as (...x: unknown[]) => unknown)(...ins) as never);
    return p.kernels.map(k => k.name).filter(n => n !== 'Reshape' && !n.endsWith('__op'));
  };
  const lines: string[] = [];
  for (const c of CASES.filter(x => !/FL103/.test(x.name))) {
    const finding = analyzeTs(c.src, c.file).findings.find(f => f.fix)!;
    const { text } = fixAll(c.src, c.file);
    const ins = inputs(tf, c.inputs, 500);
    const before = await programs(loadModule(c.src, tf, c.file?.endsWith('.js') ? 'model.js' : 'model.ts'), ins);
    const after = await programs(loadModule(text, tf, c.file?.endsWith('.js') ? 'model.js' : 'model.ts'), ins);
    lines.push(`${c.name}: [${before.join(', ')}] → [${after.join(', ')}]`);
    assert.equal(before.length - after.length, finding.estimate.launchesBefore - finding.estimate.launchesAfter, `${c.name}: ${before} → ${after}`);
    assert.equal(after.length, 1, `${c.name}: ${after}`);
  }
  t.diagnostic(lines.join('\n'));
});
