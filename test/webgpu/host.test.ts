// The WebGPU host frontend and FL201 findings on TS/JS code: where the WGSL comes from, how pass
// state is followed, which host operations are barriers, when a fix is withheld and why, and what
// the estimate rests on. No GPU needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeWg } from './helpers';
import { ew, program } from './cases';
import { hoverAt } from '../../analyzer/report/hover';
import { reportData } from '../../analyzer/report/graph';

const n4 = 'n * 4';
const chain = (over: Partial<Parameters<typeof program>[0]> = {}) => program({
  shaders: [ew('src[i] * 2.0'), ew('src[i] + 1.0')],
  buffers: { x: n4, t: n4, y: n4 }, inputs: ['x'],
  stages: [{ shader: 0, bind: ['x', 't'] }, { shader: 1, bind: ['t', 'y'] }], outputs: ['y'],
  ...over,
});

test('WGSL from template literals with constant substitutions and from imported .wgsl files', () => {
  const src = `import blur from './blur.wgsl';
const WG = 64;
const code = \`${ew('src[i] * 2.0').replace('@workgroup_size(64)', '@workgroup_size(${WG})')}\`;
export function run(device: GPUDevice, n: number) {
  const usage = GPUBufferUsage.STORAGE;
  const x = device.createBuffer({ size: n * 4, usage });
  const t = device.createBuffer({ size: n * 4, usage });
  const y = device.createBuffer({ size: n * 4, usage });
  const p0 = device.createComputePipeline({ layout: 'auto', compute: { module: device.createShaderModule({ code }), entryPoint: 'main' } });
  const p1 = device.createComputePipeline({ layout: 'auto', compute: { module: device.createShaderModule({ code: blur }) } });
  const g0 = device.createBindGroup({ layout: p0.getBindGroupLayout(0), entries: [{ binding: 0, resource: { buffer: x } }, { binding: 1, resource: { buffer: t } }] });
  const g1 = device.createBindGroup({ layout: p1.getBindGroupLayout(0), entries: [{ binding: 0, resource: { buffer: t } }, { binding: 1, resource: { buffer: y } }] });
  const enc = device.createCommandEncoder();
  const pass = enc.beginComputePass();
  pass.setPipeline(p0); pass.setBindGroup(0, g0); pass.dispatchWorkgroups(Math.ceil(n / 64));
  pass.setPipeline(p1); pass.setBindGroup(0, g1); pass.dispatchWorkgroups(Math.ceil(n / 64));
  pass.end();
  device.queue.submit([enc.finish()]);
}
`;
  const r = analyzeWg(src, '/proj/src/gpu.ts', {}, { '/proj/src/blur.wgsl': ew('src[i] + 1.0', { name: 'blur' }) });
  assert.deepEqual(r.webgpu!.host.dispatches.map(d => [d.entry?.name, d.opaque]), [['main', undefined], ['blur', undefined]]);
  assert.equal(r.findings.length, 1);
  assert.equal(r.findings[0].rule, 'FL201');
  // setters on the dispatch's line go with it
  assert.ok(r.findings[0].fix);
  assert.ok(r.findings[0].fix.edits.some(e => /^pass\.setPipeline\(p0P1Pipeline\);\n {2}pass\.setBindGroup\(0, p0P1BindGroup\);\n {2}pass\.dispatchWorkgroups\(Math\.ceil\(n \/ 64\)\);$/.test(e.newText)), JSON.stringify(r.findings[0].fix.edits.map(e => e.newText)));
  // without the file, the second shader is unknown: no finding, and the hover says why
  const r2 = analyzeWg(src, '/proj/src/gpu.ts', {}, {});
  assert.equal(r2.findings.length, 0);
  assert.match(r2.webgpu!.host.dispatches[1].opaque!, /not a string the analyzer can read/);
  const h = hoverAt(r2, r2.webgpu!.launches[1].calleeSpan.start, 1 << 20)!;
  assert.match(h.markdown, /Not analyzed: pipeline `p1`/);
});

test('FL201 finding: message, estimate from buffer sizes, fix title, hover and report data', () => {
  const src = `// fusion-lens: n=1<<20\n${chain()}`;
  const r = analyzeWg(src, '/v/a.ts', { gpu: 'rtx4060-laptop' });
  const f = r.findings[0];
  assert.equal(f.rule, 'FL201');
  assert.match(f.message, /^2 dispatches can be one \(pipeline0 → pipeline1\): saves 8 MiB of memory traffic \(50%\) and 1 dispatch, ~[\d.]+× on RTX 4060 Laptop GPU \(WebGPU\)$/);
  assert.equal(f.estimate.elements, 1 << 20);
  assert.equal(f.estimate.sizeKnown, true);
  assert.equal(f.estimate.bytesBefore, 4 * 4 << 20);
  assert.equal(f.estimate.bytesAfter, 2 * 4 << 20);
  assert.equal(f.estimate.launchesBefore, 2);
  assert.ok(f.estimate.assumptions.some(a => /WebGPU: 30 µs per dispatch \(assumed: from the 24-36 us per dispatch/.test(a)), f.estimate.assumptions.join('\n'));
  assert.ok(f.estimate.assumptions.some(a => /`t` stays in registers/.test(a)));
  assert.match(f.fix!.title, /Fuse pipeline0 → pipeline1 into one dispatch/);
  const h = hoverAt(r, r.webgpu!.launches[0].calleeSpan.start + 1, 1 << 24)!;
  assert.match(h.markdown, /\*\*`main`\*\* · WebGPU dispatch · 1,048,576 elements/);
  assert.match(h.markdown, /\| `dst` \| `t` \| write \| own element \|/);
  assert.match(h.markdown, /FL201 webgpu-dispatch-chain/);
  const rep = reportData(r);
  assert.equal(rep.nodes.length, 2);
  assert.deepEqual(rep.edges.map(e => [e.buffer, e.fused]), [['t', true]]);
});

test('unknown sizes: per-element savings at the assumed size, and the annotation that fixes it', () => {
  const r = analyzeWg(chain());
  const f = r.findings[0];
  assert.equal(f.estimate.sizeKnown, false);
  assert.match(f.message, /saves 8 B per element \(50%\).* at the assumed size$/);
  assert.ok(f.estimate.assumptions.some(a => /element count `n` .*annotate `\/\/ fusion-lens: n=\.\.\.`/.test(a)));
});

test('a CUDA GPU setting falls back to a laptop profile, and says so', () => {
  const f = analyzeWg(chain(), '/v/a.ts', { gpu: 'h100' }).findings[0];
  assert.equal(f.estimate.gpu, 'iris-xe');
  assert.ok(f.estimate.assumptions.some(a => /`h100`\) is not a browser GPU/.test(a)));
});

test('buffers passed in as parameters may be the same GPUBuffer: finding without a fix', () => {
  const src = `const code = \`${ew('src[i] * 2.0', { guard: 'none' })}\`;
export function run(device: GPUDevice, x: GPUBuffer, t: GPUBuffer, y: GPUBuffer, n: number) {
  const p = device.createComputePipeline({ layout: 'auto', compute: { module: device.createShaderModule({ code }) } });
  const g0 = device.createBindGroup({ layout: p.getBindGroupLayout(0), entries: [{ binding: 0, resource: { buffer: x } }, { binding: 1, resource: { buffer: t } }] });
  const g1 = device.createBindGroup({ layout: p.getBindGroupLayout(0), entries: [{ binding: 0, resource: { buffer: t } }, { binding: 1, resource: { buffer: y } }] });
  const enc = device.createCommandEncoder();
  const pass = enc.beginComputePass();
  pass.setPipeline(p);
  pass.setBindGroup(0, g0);
  pass.dispatchWorkgroups(n / 64);
  pass.setBindGroup(0, g1);
  pass.dispatchWorkgroups(n / 64);
  pass.end();
  device.queue.submit([enc.finish()]);
}
`;
  const f = analyzeWg(src).findings[0];
  assert.equal(f.fixable, false);
  assert.match(f.fixUnavailable!, /may point into the same memory .*distinct GPUBuffer objects never overlap/);
  assert.doesNotMatch(f.fixUnavailable!, /__restrict__/);
});

test('pass state: a pipeline set in a branch makes the next dispatch unknown', () => {
  const src = chain().replace('  pass.setPipeline(pipeline1);', '  if (n > 4) pass.setPipeline(pipeline1);');
  const r = analyzeWg(src);
  assert.equal(r.findings.length, 0);
  assert.match(r.webgpu!.host.dispatches[1].opaque!, /depends on which branch/);
});

test('barriers: a render pass, and a call that is handed the buffers', () => {
  const draw = chain({ stages: [{ shader: 0, bind: ['x', 't'] }, { shader: 1, bind: ['t', 'y'], split: 'newPass', before: 'pass.end(); const rp = encoder.beginRenderPass({ colorAttachments: [] }); rp.draw(3); rp.end(); pass = encoder.beginComputePass();' }] });
  assert.deepEqual(analyzeWg(draw).refusals.map(x => x.rule), ['FL010']);
  const call = chain({ stages: [{ shader: 0, bind: ['x', 't'] }, { shader: 1, bind: ['t', 'y'], before: 'inspect(t);' }] });
  const r = analyzeWg(call);
  assert.deepEqual(r.refusals.map(x => x.rule), ['FL010']);
  assert.match(r.refusals[0].reason, /`inspect\(t\)` may touch the device data/);
});

test('indirect dispatches: the same arguments fuse; arguments a stage writes do not', () => {
  const shaders = [ew('src[i] * 2.0'), ew('src[i] + 1.0')];
  const base = program({ shaders, buffers: { x: n4, t: n4, y: n4, args: '12' }, inputs: ['x'], stages: [{ shader: 0, bind: ['x', 't'] }, { shader: 1, bind: ['t', 'y'] }], outputs: ['y'] });
  const ind = base.replaceAll('pass.dispatchWorkgroups(Math.ceil(n / 64));', 'pass.dispatchWorkgroupsIndirect(args, 0);');
  const f = analyzeWg(ind).findings[0];
  assert.ok(f?.fix, JSON.stringify(analyzeWg(ind).refusals));
  assert.ok(f.fix.edits.some(e => /pass\.dispatchWorkgroupsIndirect\(args, 0\);/.test(e.newText)));
  const writes = program({ shaders, buffers: { x: n4, args: n4, y: n4 }, inputs: ['x'], stages: [{ shader: 0, bind: ['x', 'args'] }, { shader: 1, bind: ['args', 'y'] }], outputs: ['y'] })
    .replace(/pass\.dispatchWorkgroups\(Math\.ceil\(n \/ 64\)\);(?![\s\S]*pass\.dispatchWorkgroups\(Math)/, 'pass.dispatchWorkgroupsIndirect(args, 0);');
  const r = analyzeWg(writes);
  assert.equal(r.findings.length, 0);
  assert.match(r.refusals.map(x => `${x.rule} ${x.reason}`).join(), /FL212 `pipeline0` writes `args` as a storage buffer and `pipeline1` reads it as its indirect dispatch arguments/);
});

test('a two-dimensional dispatch is not compared with one-dimensional ones', () => {
  const src = chain().replace(/pass\.dispatchWorkgroups\(Math\.ceil\(n \/ 64\)\);(?![\s\S]*pass\.dispatchWorkgroups\(Math)/, 'pass.dispatchWorkgroups(Math.ceil(n / 64), 2);');
  const r = analyzeWg(src);
  assert.equal(r.findings.length, 0);
  assert.match(r.refusals[0].reason, /multi-dimensional dispatch/);
});

test('annotations: ignore-next-line hides the finding', () => {
  const src = chain().replace('  pass.setPipeline(pipeline0);', '  // fusion-lens: ignore-next-line\n  pass.setPipeline(pipeline0);').replace(/(pass\.setBindGroup\(0, bindGroup0\);\n)/, '$1  // fusion-lens: ignore-next-line\n');
  assert.equal(analyzeWg(src).findings.length, 0);
});

test('JavaScript files and files without dispatches', () => {
  const js = chain().replace(/: GPUDevice|: number|: Float32Array\[\]|: Promise<Float32Array\[\]>/g, '');
  const r = analyzeWg(js, '/v/gpu.js');
  assert.equal(r.findings.length, 1);
  assert.ok(r.findings[0].fix);
  assert.equal(analyzeWg('export const x = 1;\n').webgpu, undefined);
});

test('the analyzer never throws on broken code around dispatches', () => {
  const src = chain();
  let seed = 7;
  const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  for (let k = 0; k < 60; k++) {
    // cut, duplicate and splice random slices of a working program
    const a = Math.floor(rnd() * src.length);
    const b = Math.min(src.length, a + Math.floor(rnd() * 200));
    const c = Math.floor(rnd() * src.length);
    const broken = k % 3 === 0 ? src.slice(0, a) + src.slice(b) : k % 3 === 1 ? src.slice(0, c) + src.slice(a, b) + src.slice(c) : src.slice(0, a) + '`{(' + src.slice(a);
    const r = analyzeWg(broken);
    assert.ok(Array.isArray(r.findings));
    for (const f of r.findings) if (f.fix) assert.ok(f.fix.edits.every(e => e.span.start <= e.span.end && e.span.end <= broken.length));
  }
});

test('one buffer bound at different offsets by the stages: no fix', () => {
  const src = chain({ buffers: { x: 'n * 8', t: n4, y: n4 } }).replace('entries: [{ binding: 0, resource: { buffer: x } }, { binding: 1, resource: { buffer: t } }]', 'entries: [{ binding: 0, resource: { buffer: x, offset: 0, size: n * 4 } }, { binding: 1, resource: { buffer: t } }]')
    .replace('entries: [{ binding: 0, resource: { buffer: t } }, { binding: 1, resource: { buffer: y } }]', 'entries: [{ binding: 0, resource: { buffer: t } }, { binding: 1, resource: { buffer: y } }, { binding: 2, resource: { buffer: x, offset: 256, size: n * 4 } }]');
  const two = src.replace("shader1 = /* wgsl */ `", "shader1 = /* wgsl */ `\n@group(0) @binding(2) var<storage, read> extra: array<f32>;").replace('dst[i] = src[i] + 1.0;', 'dst[i] = src[i] + extra[i];');
  const f = analyzeWg(two).findings[0];
  assert.ok(f, JSON.stringify(analyzeWg(two).refusals.map(x => x.reason)));
  assert.equal(f.fixable, false);
  assert.match(f.fixUnavailable!, /`x` is bound at different offsets or sizes/);
});

test('an intermediate that other code can still reach keeps its store', () => {
  const stored = (r: ReturnType<typeof analyzeWg>) => r.findings[0].estimate.assumptions.some(a => /`t` is still written/.test(a));
  assert.equal(stored(analyzeWg(chain())), false, 'a local intermediate read by nothing else stays in registers');
  // a bind group holding it is kept in a module variable
  const kept = `let later: GPUBindGroup;\n${chain()}`.replace('  let encoder', '  later = bindGroup1;\n  let encoder');
  assert.equal(stored(analyzeWg(kept)), true);
  // a callback that runs later can reach it
  const callback = chain().replace('  let encoder', '  setTimeout(() => console.log(t.size), 100);\n  let encoder');
  assert.equal(stored(analyzeWg(callback)), true);
  // it is returned
  assert.equal(stored(analyzeWg(chain().replace('  return results;', '  return [...results, t] as unknown as Float32Array[];'))), true);
});

test('dispatches of one entry point name in different pipelines are named after their pipelines', () => {
  // webgpufundamentals: `computeSomething` doubles in one module and adds 3 in another; the
  // finding read "computeSomething → computeSomething"
  const src = program({
    shaders: [ew('src[i] * 2.0', { name: 'computeSomething' }), ew('src[i] + 3.0', { name: 'computeSomething' })],
    buffers: { x: 'n * 4', t: 'n * 4', y: 'n * 4' }, inputs: ['x'],
    stages: [{ shader: 0, entry: 'computeSomething', bind: ['x', 't'] }, { shader: 1, entry: 'computeSomething', bind: ['t', 'y'] }], outputs: ['y'],
  });
  const r = analyzeWg(src);
  assert.match(r.findings[0]?.message ?? '', /\(pipeline0 → pipeline1\)/);
  // distinct entry names keep theirs
  const own = analyzeWg(program({
    shaders: [ew('src[i] * 2.0', { name: 'twice' }), ew('src[i] + 3.0', { name: 'plus3' })],
    buffers: { x: 'n * 4', t: 'n * 4', y: 'n * 4' }, inputs: ['x'],
    stages: [{ shader: 0, entry: 'twice', bind: ['x', 't'] }, { shader: 1, entry: 'plus3', bind: ['t', 'y'] }], outputs: ['y'],
  }));
  assert.match(own.findings[0]?.message ?? '', /\(twice → plus3\)/);
});
