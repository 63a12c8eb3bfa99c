// Every WebGPU quick fix of test/webgpu/cases.ts is executed on Dawn: the original program and the
// fixed one run with the same inputs and their outputs must be bitwise equal; the dispatch count
// drops by what the estimate says; the generated shader compiles on Dawn with no error (Tint's
// getCompilationInfo). Refused programs are checked for the rule and the reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dawn } from '../helpers/dawn';
import { CASES, REFUSED, type Case } from './cases';
import { analyzeWg, compareF32, countDispatches, fixAll, loadModule } from './helpers';

function random(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s / 2 ** 32) * 2 - 0.5;
  }
  return out;
}

/** The WGSL of a fix: the template literal of the constant it inserts. */
export function fusedWgsl(edits: Array<{ newText: string }>): string {
  const e = edits.find(x => /^const \w+ = \/\* wgsl \*\/ `/.test(x.newText));
  assert.ok(e, 'the fix inserts the fused shader');
  const literal = e.newText.slice(e.newText.indexOf('`'), e.newText.lastIndexOf('`') + 1);
  return new Function(`return ${literal};`)() as string;
}

type Run = (d: GPUDevice, n: number, inputs: Float32Array[]) => Promise<Float32Array[]>;

for (const c of CASES) {
  test(`fix runs the same on Dawn: ${c.name}`, async t => {
    const r = analyzeWg(c.src);
    const f = r.findings.find(x => x.rule === 'FL201');
    assert.ok(f, `no FL201 finding; refusals: ${r.refusals.map(x => `${x.rule} ${x.reason}`).join(' | ')}`);
    const expect = c.expect as Extract<Case['expect'], { fix: true }>;
    assert.ok(f.fix, `no fix: ${f.fixUnavailable}`);
    assert.equal(f.estimate.launchesBefore - f.estimate.launchesAfter, expect.saved);
    if (expect.registers !== undefined) assert.equal(f.estimate.assumptions.filter(a => /stays in registers/.test(a)).length, expect.registers, f.estimate.assumptions.join('\n'));
    const wgsl = fusedWgsl(f.fix.edits);
    const { text, applied, stalled } = fixAll(c.src);
    assert.ok(!stalled, stalled);
    assert.ok(applied.length >= 1);
    assert.ok(!analyzeWg(text).findings.some(x => x.fixable), 'the fixed program has nothing left to fix');
    const gpu = await dawn();
    if (typeof gpu === 'string') { t.skip(`WebGPU unavailable: ${gpu}`); return; }
    assert.deepEqual(await gpu.compile(wgsl), [], wgsl);
    const count = c.inputs ?? 1;
    const ins = Array.from({ length: count }, (_, k) => random((c.inputLength ?? (n => n))(c.n), 100 + k));
    const ra = await countDispatches(gpu.device, () => (loadModule(c.src).run as Run)(gpu.device, c.n, ins));
    const rb = await countDispatches(gpu.device, () => (loadModule(text).run as Run)(gpu.device, c.n, ins));
    assert.equal(ra.value.length, rb.value.length);
    let bitwise = 0;
    let total = 0;
    let worst = 0;
    ra.value.forEach((a, k) => {
      const cmp = compareF32(a, rb.value[k]);
      assert.ok(cmp.withinRounding, `output ${k} differs in ${cmp.differing} elements (max abs ${cmp.maxAbs})\n${text}`);
      total += a.length;
      bitwise += a.length - cmp.differing;
      worst = Math.max(worst, cmp.maxAbs);
    });
    const perRun = ra.dispatches - rb.dispatches;
    assert.ok(perRun > 0 && perRun % expect.saved === 0, `dispatches ${ra.dispatches} → ${rb.dispatches}`);
    t.diagnostic(`dispatches ${ra.dispatches} → ${rb.dispatches}; ${bitwise}/${total} values bitwise equal${worst ? `, the rest within ${worst.toExponential(1)}` : ''}`);
  });
}

for (const c of REFUSED) {
  test(`not fused: ${c.name}`, () => {
    const r = analyzeWg(c.src);
    const e = c.expect as Extract<Case['expect'], { refusal: string }>;
    assert.ok(!r.findings.some(f => f.fixable), r.findings.map(f => f.message).join('\n'));
    const hit = r.refusals.find(x => x.rule === e.refusal);
    assert.ok(hit, `no ${e.refusal} refusal: ${r.refusals.map(x => `${x.rule} ${x.reason}`).join(' | ')}`);
    if (e.reason) assert.match(hit.reason, e.reason);
  });
}
