// Property-based robustness tests (fast-check) of the whole analyzer with fixes:
//  1. random CUDA-ish token streams, and random programs assembled from kernel / launch / host
//     fragments (so that findings and fixes actually occur);
//  2. mutations of every example (deleted, duplicated and swapped lines, truncation, random bytes and
//     tokens inserted).
// For every input: `analyze` never throws, returns within a generous hang bound, keeps its ranges in
// the text, and every offered fix applies and re-analyses without the same finding (checkInput). For
// CUDA examples a sample of fixed mutated files is compiled with nvcc: when the mutated file compiles,
// its fixed version must compile too.
//
// Scale with FAST_CHECK_RUNS=<runs per property> and explore with FAST_CHECK_SEED=random (the seed is
// printed; a failure prints fast-check's seed and path to replay it).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import fc from 'fast-check';
import { EXAMPLES } from '../helpers/analyze';
import { checkInput, mutate, newStats, readExamples, runs, seed, type Mutation, type Stats } from '../helpers/propCheck';
import { compileCuda, nvccPath, pool } from '../helpers/nvcc';

const SEED = seed();
const summary: Record<string, Stats | Record<string, number>> = {};
after(() => console.log(`# property summary (seed ${SEED}): ${JSON.stringify(summary)}`));

// ------------------------------------------------------------------ random token streams

const TOKENS = [
  '__global__', '__device__', '__host__', '__shared__', '__constant__', '__forceinline__', '__launch_bounds__(256)',
  'void', 'float', 'int', 'unsigned', 'size_t', 'const', 'float*', 'const float*', '__restrict__', 'auto', 'static',
  'template', 'typename', 'T', 'template <typename T>', 'namespace', 'ns', 'struct', 'class', 'extern "C"', 'operator',
  '<', '>', '<<<', '>>>', '>>', '<<', '{', '}', '(', ')', '[', ']', ';', ',', '=', '+=', '*=', '*', '+', '-', '/', '%',
  '::', '.', '->', '&', '&&', '||', '!', '?', ':', '==', '<=', '++', '--',
  'if', 'else', 'for', 'while', 'do', 'switch', 'case', 'return', 'break', 'sizeof', 'sizeof(float)', 'decltype',
  'k', 'k1', 'k2', 'kern', 'in', 'out', 'x', 'y', 'a', 'b', 'c', 'n', 'i', 'j', 'grid', 'block', 'stream', 's', 'args',
  'threadIdx.x', 'blockIdx.x', 'blockDim.x', 'gridDim.x', 'threadIdx.y', '__syncthreads()', 'atomicAdd', '__shfl_down_sync',
  'cudaMalloc', 'cudaFree', 'cudaMemcpy', 'cudaMemcpyAsync', 'cudaMemset', 'cudaDeviceSynchronize()', 'cudaStreamSynchronize',
  'cudaLaunchKernel', 'cudaGetLastError()', 'cudaStreamWaitEvent', 'cudaGraphLaunch', 'dim3', 'dim3(16, 16)', 'CHECK',
  '0', '1', '2', '256', '1024', '1 << 20', '(1 << 24)', '0x1F', '1e-3f', '0.5f', "1'000'000", '-1', '4294967296', '1e999',
  '"str"', '"<<<1,1>>>"', '"unterminated', "'c'", "'\\''", "'", '"\\"', 'u8"s"', 'L"w"',
  '// comment <<<', '// }', '/* c */', '/*', '*/', '/* <<< */', '//\\',
  '#define N 1024', '#define L(k) k<<<1,1>>>()', '#define CHECK(x) x', '#define LAUNCH(k, g, b, ...) k<<<g, b>>>(__VA_ARGS__)',
  '#include "pointwise_kernels.cuh"', '#include "missing.cuh"', '#include <cuda_runtime.h>', '#if 0', '#endif', '#pragma unroll', '#',
  '\\', 'R"(raw <<< )"', 'R"d(', ')d"', '// fusion-lens: n=1000', '// fusion-lens: ignore', '// fusion-lens: ignore-file',
  '// fusion-lens: n=', '[=] __device__ (float v)', '[&]', '\0', '\uFFFF', '\uD800', '\uFEFF', 'é', '\u2028',
];
const SEPS = [' ', ' ', ' ', '', '\n', '\n', '\t', '\r\n', '\\\n'];
const tokenStream = fc.array(fc.tuple(fc.constantFrom(...TOKENS), fc.constantFrom(...SEPS)), { maxLength: 400 })
  .map(ts => ts.map(([t, s]) => t + s).join(''));

// Fragments of plausible programs: random elementwise / stencil / reduction kernels, launches in all
// configuration forms over a few buffers, host scopes, syncs and copies; mixed with token noise.
const KNAMES = ['k0', 'k1', 'k2', 'k3', 'scale', 'k0', 'k1', 'k2', 'k3', 'ns::k4'];
const BUFS = ['a', 'b', 'c', 'd'];
const kernelDef = (name: string) => fc.record({
  shape: fc.integer({ min: 0, max: 6 }),
  expr: fc.constantFrom('in[i] * 2.0f', 'in[i] + 1.0f', 'fmaxf(in[i], 0.f)', 'in[i] * in[i]', 'in[i - 1] + in[i + 1]', 'in[n - 1 - i]', 'in[idx[i]]'),
}).map(({ shape, expr }) => {
  switch (shape) {
    case 0: return `__global__ void ${name}(const float* in, float* out, int n) {\n  int i = blockIdx.x * blockDim.x + threadIdx.x;\n  if (i < n) out[i] = ${expr};\n}\n`;
    case 1: return `__global__ void ${name}(const float* in, float* out, int n) {\n  int i = threadIdx.x + blockIdx.x * blockDim.x;\n  if (i >= n) return;\n  out[i] = ${expr};\n}\n`;
    case 2: return `__global__ void ${name}(const float* in, float* out, int n) {\n  for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += blockDim.x * gridDim.x) out[i] = ${expr};\n}\n`;
    case 3: return `__global__ void ${name}(float* out, int n) {\n  int i = blockIdx.x * blockDim.x + threadIdx.x;\n  if (i < n) out[i] = out[i] * 3.f;\n}\n`;
    case 4: return `template <typename T>\n__global__ void ${name}(const T* in, T* out, int n) {\n  int i = blockIdx.x * blockDim.x + threadIdx.x;\n  if (i < n) out[i] = in[i] + T(1);\n}\n`;
    case 5: return `__global__ void ${name}(const float* in, float* out, int n) {\n  __shared__ float s[256];\n  int i = blockIdx.x * blockDim.x + threadIdx.x;\n  s[threadIdx.x] = i < n ? in[i] : 0.f;\n  __syncthreads();\n  if (threadIdx.x == 0) atomicAdd(out, s[0]);\n}\n`;
    default: return `__global__ void ${name}(const float* in, float* out, int w, int h) {\n  int x = blockIdx.x * blockDim.x + threadIdx.x, y = blockIdx.y * blockDim.y + threadIdx.y;\n  if (x < w && y < h) out[y * w + x] = in[y * w + x] * 0.5f;\n}\n`;
  }
});
const launchText = (name: string, form: number, src: string, dst: string) => {
  switch (form) {
    case 0: case 1: return `  ${name}<<<grid, 256>>>(${src}, ${dst}, n);\n`;
    case 2: return `  ${name}<<<(n + 255) / 256, 256, 0, stream>>>(${src}, ${dst}, n);\n`;
    case 3: return `  ${name}<float><<<grid, block>>>(${src}, ${dst}, n);\n`;
    case 4: return `  LAUNCH(${name}, grid, 256, ${src}, ${dst}, n);\n`;
    case 5: return `  CHECK((${name}<<<grid, 256>>>(${src}, ${dst}, n)));\n`;
    case 6: return `  ${name}<<<grid, 256>>>(${dst}, n);\n`;
    case 7: return `  ${name}<<<dim3(64, 64), dim3(16, 16)>>>(${src}, ${dst}, 1024, 1024);\n`;
    default: return `  ${name}<<<grid, 256>>>(${src}, ${dst}`; // half-typed
  }
};
type BodyItem = { launch: true; name: string; form: number; chained: boolean; x: string; y: string } | { launch: false; text: string };
const launchItem = fc.record({
  launch: fc.constant(true as const), name: fc.constantFrom(...KNAMES), form: fc.integer({ min: 0, max: 8 }),
  chained: fc.nat(4).map(x => x > 0), x: fc.constantFrom(...BUFS), y: fc.constantFrom(...BUFS),
});
const MALLOC = '  cudaMalloc(&a, n * 4); cudaMalloc(&b, n * 4); cudaMalloc(&c, n * 4); cudaMalloc(&d, n * 4);\n';
const RESTRICT = 'float* __restrict__ a, float* __restrict__ b, float* __restrict__ c, float* __restrict__ d';
const hostOpen = fc.constantFrom(
  `void run(cudaStream_t stream) {\n  const int n = 1 << 20;\n  float *a, *b, *c, *d;\n${MALLOC}  int grid = (n + 255) / 256; dim3 block(256);\n`,
  `int main() {\n  int n = 4096; float *a, *b, *c, *d;\n${MALLOC}  int grid = n / 256;\n`,
  `void loop(${RESTRICT}, int n, int grid) {\n  for (int it = 0; it < 16; ++it) {\n`,
  `void batch(float** as, float* __restrict__ b, float* __restrict__ c, float* __restrict__ d, int n, int grid) {\n  for (int k = 0; k < 8; k++) {\n    float* a = as[k];\n`,
  `void tiny(${RESTRICT}) {\n  const int n = 512, grid = 2;\n`,
  `void aliased(float* a, float* b, float* c, float* d, int n, int grid) {\n`,
);
const hostEvent = fc.constantFrom(
  '  cudaDeviceSynchronize();\n', '  cudaMemcpy(h, b, n * 4, cudaMemcpyDeviceToHost);\n', '  std::swap(a, b);\n', '  a = c;\n',
  '  if (h[0] > 0) {\n', '  }\n', '  cudaFree(b);\n', '  cudaStreamWaitEvent(stream, ev, 0);\n', '  helper(a);\n', '  // fusion-lens: n=65536\n',
);
const noise = tokenStream.map(s => s.slice(0, 60));
const hostFn = fc.tuple(hostOpen, fc.array(fc.oneof(
  { arbitrary: launchItem, weight: 10 },
  { arbitrary: hostEvent.map(text => ({ launch: false as const, text })), weight: 2 },
  { arbitrary: noise.map(text => ({ launch: false as const, text })), weight: 1 },
), { maxLength: 10 }), fc.constantFrom('}\n', '}\n}\n', '}\n}\n}\n', '')).map(([open, items, close]) => {
  // chained launches read what the previous one wrote (a -> b -> c -> d -> a)
  let cur = 0;
  const body = (items as BodyItem[]).map(it => {
    if (!it.launch) return it.text;
    if (!it.chained) return launchText(it.name, it.form, it.x, it.y);
    cur++;
    return launchText(it.name, it.form, BUFS[(cur - 1) % 4], BUFS[cur % 4]);
  });
  return open + body.join('') + close;
});
const kernelDefs = fc.tuple(...['k0', 'k1', 'k2', 'k3', 'scale'].map(n => fc.option(kernelDef(n), { freq: 5, nil: '' })));
const fragments = fc.tuple(
  kernelDefs,
  fc.array(fc.oneof(noise, fc.constantFrom('#define LAUNCH(k, g, b, ...) k<<<g, b>>>(__VA_ARGS__)\n', '#define CHECK(x) x\n', '__global__ void k1(float* p);\n')), { maxLength: 2 }),
  fc.array(hostFn, { minLength: 1, maxLength: 3 }),
).map(([defs, extra, fns]) => defs.join('') + extra.join('') + fns.join(''));

/** fc.assert that names the example in its failure (the counterexample is a list of mutations). */
function assertNamed<T>(name: string, prop: fc.IProperty<T>, numRuns: number): void {
  const details = fc.check(prop, { seed: SEED, numRuns });
  if (details.failed) throw new Error(`${name}: ${fc.defaultReportMessage(details)}\n${details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance)}`);
}

test('random token streams: analysis never throws, fixes are idempotent', () => {
  const stats = newStats();
  assertNamed('token stream', fc.property(tokenStream, text => { checkInput('/virtual/tokens.cu', text, stats); }), runs(400));
  summary.tokenStreams = stats;
});

test('random programs from fragments: analysis never throws, fixes are idempotent', () => {
  const stats = newStats();
  assertNamed('fragments', fc.property(fragments, text => { checkInput('/virtual/fragments.cu', text, stats); }), runs(400));
  summary.fragments = stats;
  assert.ok(stats.fixesChecked > 0, 'the fragment generator produces fixable findings');
});

// ------------------------------------------------------------------ mutations of the examples

const LINE_KINDS = new Set(['delete', 'duplicate', 'swap']);
const pos = fc.nat({ max: 1 << 30 });
const utf16 = fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 1, maxLength: 12 }).map(cs => String.fromCharCode(...cs));
const bytes = fc.uint8Array({ minLength: 1, maxLength: 24 });
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  pos.map(line => ({ kind: 'delete' as const, line })),
  pos.map(line => ({ kind: 'duplicate' as const, line })),
  fc.tuple(pos, pos).map(([a, b]) => ({ kind: 'swap' as const, a, b })),
  pos.map(at => ({ kind: 'truncate' as const, at })),
  fc.tuple(pos, fc.oneof(
    bytes.map(b => Buffer.from(b).toString('utf8')), // random bytes read as UTF-8, as a file would be
    bytes.map(b => Buffer.from(b).toString('latin1')),
    utf16, // includes lone surrogates and NUL
    fc.constantFrom(...TOKENS),
  )).map(([at, text]) => ({ kind: 'insert' as const, at, text })),
);


interface NvccCandidate { name: string; mutated: string; fixed: string }
const nvccCandidates: NvccCandidate[] = [];
const examples = readExamples(path.join(EXAMPLES, 'cuda'));
const headers = Object.fromEntries(examples.filter(e => e.name.endsWith('.cuh')).map(e => [e.name, e.text]));

test('mutated examples: analysis never throws, fixes are idempotent', () => {
  const all = newStats();
  const perRuns = runs(80);
  for (const ex of examples) {
    const stats = newStats();
    assertNamed(ex.name, fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), muts => {
      const text = mutate(ex.text, muts);
      // analyzed under its own path so `#include "pointwise_kernels.cuh"` resolves from the examples folder
      const fixed = checkInput(ex.file, text, stats);
      if (fixed.length && ex.name.endsWith('.cu') && muts.every(m => LINE_KINDS.has(m.kind))) {
        nvccCandidates.push({ name: ex.name, mutated: text, fixed: fixed[0].text });
      }
    }), perRuns);
    for (const k of ['inputs', 'findings', 'fixesChecked', 'optimistic'] as const) all[k] += stats[k];
    all.maxMs = Math.max(all.maxMs, stats.maxMs);
  }
  summary.mutatedExamples = { ...all, examples: examples.length };
  assert.ok(all.fixesChecked > 0);
});

test('fixed mutated CUDA examples still compile with nvcc (sample)', { skip: nvccPath() ? false : 'nvcc not found' }, async () => {
  // deterministic sample: spread over the examples, at most `want` pairs whose mutated original compiles
  const want = Number(process.env.FAST_CHECK_NVCC ?? 4);
  const seen = new Set<string>();
  const byName = new Map<string, NvccCandidate[]>();
  for (const c of nvccCandidates) {
    if (seen.has(c.mutated)) continue;
    seen.add(c.mutated);
    byName.set(c.name, [...(byName.get(c.name) ?? []), c]);
  }
  const order: NvccCandidate[] = [];
  for (let round = 0; order.length < want * 3 && [...byName.values()].some(l => l.length > round); round++) {
    for (const l of byName.values()) if (l[round]) order.push(l[round]);
  }
  const attempts = order.slice(0, want * 3);
  let tried = 0;
  let originalsCompiled = 0;
  let fixedCompiled = 0;
  const results = await pool(attempts, 2, async c => {
    if (originalsCompiled >= want) return null;
    tried++;
    const orig = await compileCuda(c.name, c.mutated, headers);
    if (!orig.ok) return null;
    originalsCompiled++;
    const fixed = await compileCuda(c.name, c.fixed, headers);
    if (fixed.ok) fixedCompiled++;
    return { c, fixed };
  });
  for (const r of results) {
    if (r) assert.ok(r.fixed.ok, `${r.c.name}: the mutated file compiles but its fixed version does not:\n${r.fixed.output}\n--- mutated ---\n${r.c.mutated}\n--- fixed ---\n${r.c.fixed}`);
  }
  summary.nvcc = { candidates: nvccCandidates.length, tried, originalsCompiled, fixedCompiled };
  assert.ok(originalsCompiled > 0, 'at least one mutated example compiled (else the sample proves nothing)');
});
