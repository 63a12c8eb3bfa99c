// WGSL summaries (analyzer/webgpu/wgslSummary.ts): bindings and access modes, workgroup sizes,
// the index pattern of each storage access relative to global_invocation_id, bounds guards,
// workgroup memory, barriers and atomics, and what keeps an entry point from being copied.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { summarizeWgsl } from '../../analyzer/webgpu/wgslSummary';

const HEAD = `
struct Params { n: u32, k: u32, scale: f32 }
@group(0) @binding(0) var<storage, read> src: array<f32>;
@group(0) @binding(1) var<storage, read_write> dst: array<f32>;
@group(0) @binding(2) var<storage, read> idx: array<u32>;
@group(0) @binding(3) var<uniform> params: Params;
`;

function entry(body: string, args = '@builtin(global_invocation_id) gid: vec3<u32>', extra = '') {
  const s = summarizeWgsl(`${HEAD}${extra}\n@compute @workgroup_size(64)\nfn main(${args}) {\n${body}\n}\n`);
  assert.deepEqual(s.problems, []);
  return s.entries[0];
}

const pattern = (body: string, name = 'src', extra = '') => {
  const u = entry(body, undefined, extra).uses.get(name);
  assert.ok(u, `${name} is not used`);
  return u.index;
};

test('bindings: resource kind, declared access, element type and stride', () => {
  const s = summarizeWgsl(`${HEAD}\n@compute @workgroup_size(8, 1, 1) fn main(@builtin(global_invocation_id) g: vec3u) { dst[g.x] = src[g.x] + f32(idx[0]) * params.scale; }`);
  const by = new Map(s.bindings.map(b => [b.name, b]));
  assert.deepEqual([by.get('src')!.resource, by.get('src')!.access, by.get('src')!.elemTypeText, by.get('src')!.elemBytes], ['storage', 'read', 'f32', 4]);
  assert.deepEqual([by.get('dst')!.access, by.get('params')!.resource, by.get('params')!.elemBytes], ['read_write', 'uniform', 12]);
  assert.deepEqual(s.entries[0].workgroupSize, [8, 1, 1]);
  assert.equal(s.entries[0].uses.get('dst')!.access, 'write');
  assert.equal(s.entries[0].uses.get('src')!.access, 'read');
});

test('two entry points may declare different variables at the same binding', () => {
  const s = summarizeWgsl(`
@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read_write> b: array<f32>;
@group(0) @binding(0) var<storage, read> c: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read_write> d: array<vec4<f32>>;
@compute @workgroup_size(64) fn one(@builtin(global_invocation_id) g: vec3u) { b[g.x] = a[g.x]; }
@compute @workgroup_size(64) fn two(@builtin(global_invocation_id) g: vec3u) { d[g.x] = c[g.x]; }
`);
  assert.deepEqual(s.entries.map(e => e.bindings.map(b => `${b.name}@${b.binding}`)), [['b@1', 'a@0'], ['d@1', 'c@0']]);
  assert.equal(s.entries[1].bindings[0].elemBytes, 16);
});

test('index patterns relative to global_invocation_id', () => {
  assert.equal(pattern('  let i = gid.x;\n  dst[i] = src[i];').kind, 'identity');
  assert.equal(pattern('  dst[gid.x] = src[u32(i32(gid.x))];').kind, 'identity');
  assert.deepEqual(pattern('  let i = gid.x;\n  dst[i] = src[i + 1u];'), { kind: 'affine', offsets: ['+1'] });
  assert.deepEqual(pattern('  let i = gid.x;\n  dst[i] = src[i - 2u] + src[i];'), { kind: 'affine', offsets: ['0', '-2'] });
  assert.equal(pattern('  dst[gid.x] = src[0];').kind, 'broadcast');
  assert.equal(pattern('  dst[gid.x] = src[params.k];').kind, 'broadcast');
  assert.deepEqual(pattern('  dst[gid.x] = src[idx[gid.x]];'), { kind: 'indirect', via: 'idx' });
  assert.equal(pattern('  dst[gid.x] = src[2u * gid.x];').kind, 'strided');
  assert.match(JSON.stringify(pattern('  var s = 0.0;\n  for (var k = 0u; k < 4u; k++) { s += src[k]; }\n  dst[gid.x] = s;')), /depends on `k`/);
  const load = 'fn load(i: u32) -> f32 { return src[i]; }\n';
  assert.match(JSON.stringify(pattern('  dst[gid.x] = load(gid.x);', 'src', load)), /helper function `load`/);
  assert.equal(pattern('  dst[gid.x] = load(gid.x);', 'dst', load).kind, 'identity');
});

test('helpers are walked for their buffer accesses', () => {
  const e = summarizeWgsl(`${HEAD}
fn load(i: u32) -> f32 { return src[i] * params.scale; }
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) gid: vec3<u32>) { dst[gid.x] = load(gid.x); }`).entries[0];
  assert.deepEqual([...e.uses.keys()].sort(), ['dst', 'params', 'src']);
  assert.ok(e.moduleRefs.has('load'));
});

test('bounds guards: early return, reversed comparison, wrapping if, uniform and constant bounds', () => {
  assert.deepEqual(entry('  let i = gid.x;\n  if (i >= arrayLength(&dst)) { return; }\n  dst[i] = src[i];').guard, { kind: 'early-return', stmt: 1, bound: { kind: 'length', binding: 'dst' } });
  assert.deepEqual(entry('  if (arrayLength(&src) <= gid.x) { return; }\n  dst[gid.x] = src[gid.x];').guard?.bound, { kind: 'length', binding: 'src' });
  assert.deepEqual(entry('  let i = gid.x;\n  if (i < params.n) {\n    dst[i] = src[i];\n  }').guard, { kind: 'wrap', stmt: 1, bound: { kind: 'uniform', binding: 'params', path: 'n' } });
  assert.deepEqual(entry('  let n = 1000u;\n  if (gid.x >= n) { return; }\n  dst[gid.x] = src[gid.x];').guard?.bound, { kind: 'const', value: 1000 });
  assert.equal(entry('  dst[gid.x] = src[gid.x];').guard, undefined);
  // a guard that is not the first thing, or not on the thread index, is no guard
  assert.equal(entry('  dst[gid.x] = 0.0;\n  if (gid.x >= 4u) { return; }').guard, undefined);
  assert.deepEqual(entry('  if (gid.x >= arrayLength(&dst)) { return; }\n  if (src[gid.x] < 0.0) { return; }\n  dst[gid.x] = 1.0;').fixBlockers, ['returns early after its bounds check']);
});

test('whole-element stores at the top level are marked (the rewriter skips their load)', () => {
  const e = entry('  let i = gid.x;\n  if (i >= arrayLength(&dst)) { return; }\n  dst[i] = src[i];\n  if (src[i] > 0.0) { dst[i] = 1.0; }');
  const stores = e.accesses.filter(a => a.name === 'dst' && a.write).map(a => a.fullStore);
  assert.deepEqual(stores, [true, false]);
  // the store reads its own element first: not a whole store the load could be skipped for
  assert.deepEqual(entry('  let i = gid.x;\n  dst[i] = dst[i] + 1.0;').accesses.filter(a => a.name === 'dst').map(a => [a.read, a.write, a.fullStore]), [[false, true, false], [true, false, false]]);
});

test('workgroup memory and barriers make an entry cooperative; per-workgroup results are reductions', () => {
  const s = summarizeWgsl(`
@group(0) @binding(0) var<storage, read> values: array<f32>;
@group(0) @binding(1) var<storage, read_write> sums: array<f32>;
var<workgroup> tile: array<f32, 64>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  tile[lid.x] = values[gid.x];
  workgroupBarrier();
  if (lid.x == 0u) { var s = 0.0; for (var k = 0u; k < 64u; k++) { s += tile[k]; } sums[wid.x] = s; }
}`);
  const e = s.entries[0];
  assert.equal(e.cooperative, true);
  assert.equal(e.reduction, true);
  assert.deepEqual(e.uses.get('sums')!.index, { kind: 'reduction', how: 'block' });
  assert.equal(e.uses.get('values')!.index.kind, 'identity');
  assert.ok(e.fixBlockers.some(b => /workgroup memory/.test(b)) && e.fixBlockers.some(b => /barrier/.test(b)));
});

test('atomics are reductions', () => {
  const e = summarizeWgsl(`
@group(0) @binding(0) var<storage, read> v: array<f32>;
@group(0) @binding(1) var<storage, read_write> bins: array<atomic<u32>>;
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  if (gid.x < arrayLength(&v)) { atomicAdd(&bins[u32(v[gid.x])], 1u); }
}`).entries[0];
  assert.deepEqual(e.uses.get('bins'), { access: 'readwrite', index: { kind: 'reduction', how: 'atomic' } });
  assert.equal(e.reduction, true);
  assert.equal(e.cooperative, false);
  assert.deepEqual(e.fixBlockers, []);
});

test('what keeps an entry point out of a fused shader', () => {
  assert.match(entry('  dst[gid.x] = src[gid.x];', '@builtin(global_invocation_id) gid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>').fixBlockers.join(), /local_invocation_id/);
  assert.match(entry('  dst[gid.y * 64u + gid.x] = src[gid.x];').fixBlockers.join(), /more than global_invocation_id\.x/);
  assert.match(entry('  dst[gid.x] = src[gid.x] * f32(K);', undefined, 'override K: u32 = 2u;').fixBlockers.join(), /overridable constant `K`/);
  assert.match(entry('  let src = 1.0;\n  dst[gid.x] = src;').fixBlockers.join(), /shadows a module-scope name/);
  const ptr = entry('  let p = &dst[gid.x];\n  *p = src[gid.x];');
  assert.match(ptr.fixBlockers.join(), /takes a pointer into `dst`/);
  assert.deepEqual(ptr.uses.get('dst'), { access: 'readwrite', index: { kind: 'unknown', reason: '`dst` is used as a whole' } });
  const s = summarizeWgsl(`${HEAD}\nstruct In { @builtin(global_invocation_id) g: vec3<u32> }\n@compute @workgroup_size(64) fn main(input: In) { dst[input.g.x] = 1.0; }`);
  assert.match(s.entries[0].fixBlockers.join(), /not a plain @builtin/);
});

test('workgroup sizes from constants; malformed WGSL is a problem, not an exception', () => {
  const e = summarizeWgsl(`const WG = 128u;\n${HEAD}\n@compute @workgroup_size(WG) fn main(@builtin(global_invocation_id) gid: vec3<u32>) { dst[gid.x] = src[gid.x]; }`).entries[0];
  assert.deepEqual(e.workgroupSize, [128, 1, 1]);
  for (const bad of ['fn main( {', '@compute @workgroup_size(64) fn main() { let x = ; dst[0] = }', '\u0000\u0001garbage', '']) {
    const s = summarizeWgsl(bad);
    assert.ok(Array.isArray(s.problems));
  }
  assert.match(summarizeWgsl('@compute @workgroup_size(64) fn main() { let a = 1 }').problems.join(), /does not parse/);
});
