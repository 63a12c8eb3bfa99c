// One positive and at least one negative case per legality rule (DESIGN.md L1-L6).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeText, ewKernel } from '../helpers/analyze';

const KERNELS = ewKernel('scale', 'in[i] * 2.0f') + ewKernel('shift', 'in[i] + 1.0f') + ewKernel('square', 'in[i] * in[i]');
const prog = (body: string, params = '') => `${KERNELS}\nvoid run(${params}) {\n  const int n = 1 << 20;\n  float *a, *b, *c, *d;\n  cudaMalloc(&a, n * 4); cudaMalloc(&b, n * 4); cudaMalloc(&c, n * 4); cudaMalloc(&d, n * 4);\n${body}\n}\n`;
const refusal = (r: ReturnType<typeof analyzeText>) => r.refusals.map(x => `${x.rule}: ${x.reason}`).join('\n');

test('chains of any length fuse: 2, 3 and 4 launches', () => {
  let r = analyzeText(prog('  scale<<<n / 256, 256>>>(a, b, n);\n  shift<<<n / 256, 256>>>(b, c, n);'));
  assert.equal(r.findings.length, 1);
  assert.equal(r.findings[0].launches.length, 2);
  r = analyzeText(prog('  scale<<<n / 256, 256>>>(a, b, n);\n  shift<<<n / 256, 256>>>(b, c, n);\n  square<<<n / 256, 256>>>(c, d, n);'));
  assert.deepEqual(r.findings[0].launches.map(l => l.callee), ['scale', 'shift', 'square']);
  r = analyzeText(prog('  scale<<<n / 256, 256>>>(a, b, n);\n  shift<<<n / 256, 256>>>(b, c, n);\n  square<<<n / 256, 256>>>(c, d, n);\n  scale<<<n / 256, 256>>>(d, a, n);'));
  assert.equal(r.findings[0].launches.length, 4);
  assert.ok(r.findings[0].fix, r.findings[0].fixUnavailable);
});

test('independent launches between producer and consumer are stepped over', () => {
  const r = analyzeText(prog('  scale<<<n / 256, 256>>>(a, b, n);\n  square<<<n / 256, 256>>>(c, d, n);\n  shift<<<n / 256, 256>>>(b, c, n);'));
  // square reads c which shift later writes: moving scale past square is fine, shift after square stays put
  assert.deepEqual(r.findings[0]?.launches.map(l => l.callee), ['scale', 'shift']);
});

test('L1 (FL010): host synchronization between launches refuses', () => {
  const src = prog('  scale<<<n / 256, 256>>>(a, b, n);\n  cudaDeviceSynchronize();\n  shift<<<n / 256, 256>>>(b, c, n);');
  const r = analyzeText(src);
  assert.equal(r.findings.length, 0);
  assert.match(refusal(r), /FL010: `cudaDeviceSynchronize\(\)` synchronizes/);
  assert.equal(r.refusals[0].blocker?.range.start.line, src.split('\n').findIndex(l => l.includes('cudaDeviceSynchronize')));
});

test('L1 (FL010): launches in different `case`s of a switch are alternatives, never a pair', () => {
  // found on llama.cpp and cuda-samples: a switch over block sizes launched "every case in a row",
  // and with __restrict__ pointers `fusion-lens fix` moved one case's launch into the next case
  const r = analyzeText(prog('  switch (n & 3) {\n  case 0:\n    scale<<<n / 256, 256>>>(a, b, n);\n    break;\n  case 1:\n    shift<<<n / 256, 256>>>(b, c, n);\n    break;\n  default:\n    shift<<<n / 256, 256>>>(b, c, n);\n  }'));
  assert.equal(r.findings.length, 0);
  assert.equal(r.refusals.length, 0, 'alternatives are not a candidate pair: nothing to explain');
  // within one case, the chain still fuses
  const one = analyzeText(prog('  switch (n & 3) {\n  case 0:\n    scale<<<n / 256, 256>>>(a, b, n);\n    shift<<<n / 256, 256>>>(b, c, n);\n    break;\n  default:\n    break;\n  }'));
  assert.deepEqual(one.findings[0]?.launches.map(l => l.callee), ['scale', 'shift']);
});

test('L1 (FL010): an early return, break, continue, goto or throw between launches refuses', () => {
  for (const [jump, params] of [['if (!ok) return;', 'bool ok'], ['if (!ok) throw 1;', 'bool ok'], ['if (!ok) goto done;', 'bool ok'], ['return;', '']] as const) {
    const tail = jump.includes('goto') ? '\ndone:\n  ;' : '';
    const r = analyzeText(prog(`  scale<<<n / 256, 256>>>(a, b, n);\n  ${jump}\n  shift<<<n / 256, 256>>>(b, c, n);${tail}`, params));
    assert.equal(r.findings.length, 0, jump);
    assert.match(refusal(r), /FL010: `.*` may leave before the later launches run/, jump);
  }
  // inside a loop: `if (x) break;` leaves the loop before the second launch
  const loop = analyzeText(prog('  for (int k = 0; k < 4; ++k) {\n    scale<<<n / 256, 256>>>(a, b, n);\n    if (k == 2) break;\n    shift<<<n / 256, 256>>>(b, c, n);\n  }'));
  assert.equal(loop.findings.filter(f => f.rule === 'FL001').length, 0);
  // a loop or switch that catches its own break is not a barrier
  const caught = analyzeText(prog('  scale<<<n / 256, 256>>>(a, b, n);\n  for (int k = 0; k < 4; ++k) { if (k == 2) break; }\n  switch (n) { case 1: break; default: break; }\n  shift<<<n / 256, 256>>>(b, c, n);'));
  assert.deepEqual(caught.findings[0]?.launches.map(l => l.callee), ['scale', 'shift']);
});

test('L1 (FL010): a lambda\'s launches run when it is called, and `?:` launches are alternatives', () => {
  // written before, called after: the lambda's launch came first in program text, last in time
  const lambda = analyzeText(prog('  auto first = [&]() { scale<<<n / 256, 256>>>(a, b, n); };\n  shift<<<n / 256, 256>>>(b, c, n);\n  first();'));
  assert.equal(lambda.findings.length, 0);
  // run right here (called at once, or by std::for_each): the lambda is a call we cannot see into
  for (const call of ['[&]() { square<<<n / 256, 256>>>(b, b, n); }();', 'std::for_each(d, d + 1, [&](float) { square<<<n / 256, 256>>>(b, b, n); });']) {
    const r = analyzeText(prog(`  scale<<<n / 256, 256>>>(a, b, n);\n  ${call}\n  shift<<<n / 256, 256>>>(b, c, n);`));
    assert.equal(r.findings.length, 0, call);
  }
  // a chain inside one lambda's body is still found
  const inside = analyzeText(prog('  auto both = [&]() {\n    scale<<<n / 256, 256>>>(a, b, n);\n    shift<<<n / 256, 256>>>(b, c, n);\n  };\n  both();'));
  assert.deepEqual(inside.findings[0]?.launches.map(l => l.callee), ['scale', 'shift']);
  for (const cond of ['n > 4 ? scale<<<n / 256, 256>>>(a, b, n) : shift<<<n / 256, 256>>>(b, c, n);', 'n > 4 && (scale<<<n / 256, 256>>>(a, b, n), true);', 'n > 4 && (LAUNCH(scale, n / 256, 256, a, b, n), true);']) {
    const r = analyzeText(`#define LAUNCH(k, g, b, ...) k<<<g, b>>>(__VA_ARGS__)\n${prog(`  ${cond}\n  shift<<<n / 256, 256>>>(b, c, n);`)}`);
    assert.equal(r.findings.length, 0, cond);
    assert.equal(r.cuda!.launches.length, cond.includes(':') ? 3 : 2, 'the conditional launches are still launches (hover, problems)');
  }
  // the macro form unconditionally: found, so the test above tests the condition
  const plain = analyzeText(`#define LAUNCH(k, g, b, ...) k<<<g, b>>>(__VA_ARGS__)\n${prog('  LAUNCH(scale, n / 256, 256, a, b, n);\n  shift<<<n / 256, 256>>>(b, c, n);')}`);
  assert.equal(plain.findings.length, 1);
});

test('L1 (FL010): #if / #else / #endif between launches keeps them apart', () => {
  // `#if A k1 #else k2 #endif k3`: fusing k2 with k3 would lose k1's result when A is set;
  // `k1 #ifdef X k2 #endif`: the fused launch would sit inside the #ifdef
  for (const body of [
    '#if USE_SCALE\n  scale<<<n / 256, 256>>>(a, b, n);\n#else\n  square<<<n / 256, 256>>>(a, b, n);\n#endif\n  shift<<<n / 256, 256>>>(b, c, n);',
    '  scale<<<n / 256, 256>>>(a, b, n);\n#ifdef EXTRA\n  shift<<<n / 256, 256>>>(b, c, n);\n#endif',
    '  scale<<<n / 256, 256>>>(a, b, n);\n#ifndef FAST\n  shift<<<n / 256, 256>>>(b, c, n);\n#endif\n  square<<<n / 256, 256>>>(c, d, n);',
  ]) {
    const r = analyzeText(prog(body));
    assert.equal(r.findings.length, 0, body);
  }
  // a chain inside one conditional block still fuses; other directives (#pragma) are no barrier
  const inside = analyzeText(prog('#ifdef EXTRA\n  scale<<<n / 256, 256>>>(a, b, n);\n#pragma unroll\n  shift<<<n / 256, 256>>>(b, c, n);\n#endif'));
  assert.deepEqual(inside.findings[0]?.launches.map(l => l.callee), ['scale', 'shift']);
});

test('L1 (FL010): a launch through a function pointer is a launch we cannot see into', () => {
  // NVIDIA-developer-blog finite-difference launches `fpDeriv[fp]<<<...>>>`: it was reported as a
  // problem and then ignored, so launches around one that rewrites `b` were fused across it
  const r = analyzeText(`typedef void (*kfn)(const float*, float*, int);\n${prog('  kfn table[2] = { scale, shift };\n  scale<<<n / 256, 256>>>(a, b, n);\n  table[n & 1]<<<n / 256, 256>>>(b, b, n);\n  (*table)<<<n / 256, 256>>>(c, c, n);\n  shift<<<n / 256, 256>>>(b, c, n);')}`);
  assert.equal(r.findings.length, 0);
  assert.match(refusal(r), /FL010: `table\[n&1\]<<<n\/256,256>>>\(b,b,n\)` may touch the device data and we cannot see into it/);
  assert.deepEqual(r.problems, [], 'valid CUDA: no problem to report');
});

test('messages name an argument the analysis does not track by its text, on one line', () => {
  // llama.cpp passes `args.dst`; the refusal once quoted the internal key `?:args.dst`
  const src = `${KERNELS}__global__ void gather(const float* in, float* out, const int* idx, int n) { int i = blockIdx.x * blockDim.x + threadIdx.x; if (i < n) out[i] = in[idx[i]]; }
struct Args { float* src; float* dst; int* idx; };
void run(Args args, int n) {
  scale<<<n / 256, 256>>>(args.src, args.dst, n);
  gather<<<n / 256, 256>>>(args.dst, args.src, args.idx, n);
  if (n > 4) {
    cudaDeviceSynchronize();
  }
  shift<<<n / 256, 256>>>(args.src, args.dst, n);
}
`;
  const r = analyzeText(src);
  assert.match(refusal(r), /`gather` reads `args\.dst` through an index array/);
  assert.doesNotMatch(refusal(r), /\?:/);
  assert.ok(r.refusals.every(x => !x.reason.includes('\n')), refusal(r));
});

test('L1 (FL010): a copy of the intermediate between launches refuses', () => {
  const r = analyzeText(prog('  float h;\n  scale<<<n / 256, 256>>>(a, b, n);\n  cudaMemcpyAsync(&h, b, 4, cudaMemcpyDeviceToHost, 0);\n  shift<<<n / 256, 256>>>(b, c, n);'));
  assert.equal(r.findings.length, 0);
  assert.match(refusal(r), /FL010/);
});

test('L1 (FL010): another stream refuses; events order streams', () => {
  let r = analyzeText(prog('  cudaStream_t s1, s2;\n  scale<<<n / 256, 256, 0, s1>>>(a, b, n);\n  shift<<<n / 256, 256, 0, s2>>>(b, c, n);'));
  assert.equal(r.findings.length, 0);
  assert.match(refusal(r), /FL010: `shift` runs on stream `s2`/);
  r = analyzeText(prog('  cudaStream_t s1;\n  cudaEvent_t e;\n  scale<<<n / 256, 256, 0, s1>>>(a, b, n);\n  cudaEventRecord(e, s1);\n  shift<<<n / 256, 256, 0, s1>>>(b, c, n);'));
  assert.equal(r.findings.length, 0);
  r = analyzeText(prog('  cudaStream_t s1;\n  scale<<<n / 256, 256, 0, s1>>>(a, b, n);\n  shift<<<n / 256, 256, 0, s1>>>(b, c, n);'));
  assert.equal(r.findings.length, 1);
});

test('L1 (FL010): calls we cannot see and reassigned arguments refuse', () => {
  let r = analyzeText(prog('  scale<<<n / 256, 256>>>(a, b, n);\n  mystery(b);\n  shift<<<n / 256, 256>>>(b, c, n);'));
  assert.equal(r.findings.length, 0);
  assert.match(refusal(r), /mystery/);
  r = analyzeText(prog('  float s = 2;\n  scale<<<n / 256, 256>>>(a, b, n);\n  b = d;\n  shift<<<n / 256, 256>>>(b, c, n);'));
  assert.equal(r.findings.length, 0, 'b was reassigned: not the same buffer');
});

test('L2 (FL011): stencil reads of the intermediate refuse', () => {
  const src = `${ewKernel('scale', 'in[i] * 2.0f')}
__global__ void blur(const float* in, float* out, int n) { int i = blockIdx.x * blockDim.x + threadIdx.x; if (i > 0 && i < n - 1) out[i] = in[i - 1] + in[i + 1]; }
void run() { const int n = 1024; float *a, *b, *c; cudaMalloc(&a, 4096); cudaMalloc(&b, 4096); cudaMalloc(&c, 4096);
  scale<<<4, 256>>>(a, b, n);
  blur<<<4, 256>>>(b, c, n); }`;
  const r = analyzeText(src);
  assert.equal(r.findings.length, 0);
  assert.match(refusal(r), /FL011: `blur` reads `b` at neighbouring elements \(offsets -1, 1\)/);
});

test('L2 (FL011): different element counts refuse', () => {
  const r = analyzeText(prog('  scale<<<n / 256, 256>>>(a, b, n);\n  shift<<<n / 512, 256>>>(b, c, n / 2);'));
  assert.equal(r.findings.length, 0);
  assert.match(refusal(r), /FL011: .*iteration spaces differ/);
});

test('L3 (FL012): a producer may feed a reduction; nothing may follow one', () => {
  const src = `${ewKernel('square', 'in[i] * in[i]')}
__global__ void total(const float* v, float* sum, int n) { __shared__ float s[256]; int i = blockIdx.x * blockDim.x + threadIdx.x; s[threadIdx.x] = i < n ? v[i] : 0.f; __syncthreads(); if (threadIdx.x == 0) atomicAdd(sum, s[0]); }
__global__ void normalize(const float* x, const float* sum, float* y, int n) { int i = blockIdx.x * blockDim.x + threadIdx.x; if (i < n) y[i] = x[i] / sum[0]; }
void run() { const int n = 1 << 20; float *x, *sq, *sum, *y; cudaMalloc(&x, n * 4); cudaMalloc(&sq, n * 4); cudaMalloc(&sum, 4); cudaMalloc(&y, n * 4);
  square<<<n / 256, 256>>>(x, sq, n);
  total<<<n / 256, 256>>>(sq, sum, n);
  normalize<<<n / 256, 256>>>(x, sum, y, n); }`;
  const r = analyzeText(src);
  assert.deepEqual(r.findings.map(f => f.launches.map(l => l.callee)), [['square', 'total']]);
  assert.match(refusal(r), /FL012: `total` is a grid-wide reduction/);
});

test('L4 (FL013): parameters that may alias: finding without a fix; __restrict__ gets the fix', () => {
  const body = '  scale<<<n / 256, 256>>>(x, tmp, n);\n  shift<<<n / 256, 256>>>(tmp, y, n);';
  const src = (q: string) => `${KERNELS}\nvoid run(const float* ${q} x, float* ${q} tmp, float* ${q} y, int n) {\n${body}\n}\n`;
  let r = analyzeText(src(''));
  assert.equal(r.findings.length, 1);
  assert.equal(r.findings[0].fix, undefined);
  assert.match(r.findings[0].fixUnavailable ?? '', /may point into the same memory/);
  r = analyzeText(src('__restrict__'));
  assert.ok(r.findings[0].fix);
});

test('L4 (FL013): the same buffer at different offsets refuses', () => {
  const r = analyzeText(prog('  scale<<<n / 256, 256>>>(a, b, n);\n  shift<<<n / 256, 256>>>(b + 1, b, n);'));
  assert.equal(r.findings.length, 0);
  assert.match(refusal(r), /FL01[13]/);
});

test('L5 (FL014): an intermediate used later keeps its store and saves less', () => {
  const dead = analyzeText(prog('  scale<<<n / 256, 256>>>(a, b, n);\n  shift<<<n / 256, 256>>>(b, c, n);'));
  const live = analyzeText(prog('  scale<<<n / 256, 256>>>(a, b, n);\n  shift<<<n / 256, 256>>>(b, c, n);\n  square<<<1, 1>>>(b, d, 1);\n  cudaDeviceSynchronize();'));
  const fd = dead.findings[0];
  const fl = live.findings[0];
  assert.equal(fd.estimate.bytesAfter, 2 * (1 << 20) * 4);
  assert.equal(fl.estimate.bytesAfter, 3 * (1 << 20) * 4);
  assert.match(fl.notes.join(' '), /`b` keeps its store: `b` is read again later \(FL014\)/);
  const kernelText = fl.fix!.edits.map(e => e.newText).join('');
  assert.match(kernelText, /\w+\[i\] = b;/, 'b is kept in a register and stored once');
  assert.doesNotMatch(fd.fix!.edits.map(e => e.newText).join(''), /\w+\[i\] = b;/, 'a dead intermediate is never stored');
});

test('L5 (FL014): intermediates read on the next loop iteration are live', () => {
  const r = analyzeText(prog('  for (int it = 0; it < 10; ++it) {\n    shift<<<n / 256, 256>>>(b, c, n);\n    scale<<<n / 256, 256>>>(a, b, n);\n    square<<<n / 256, 256>>>(b, d, n);\n  }'));
  const f = r.findings.find(x => x.launches[0].callee === 'scale')!;
  assert.ok(f, JSON.stringify(r.findings.map(x => x.launches.map(l => l.callee))));
  assert.match(f.notes.join(' '), /`b` keeps its store/);
});

test('L6 (FL015): kernels whose body is not visible do not fuse', () => {
  const r = analyzeText(`${ewKernel('scale')}\n__global__ void external_k(const float* in, float* out, int n);\nvoid run() { const int n = 1024; float *a, *b, *c; cudaMalloc(&a, 4096); cudaMalloc(&b, 4096); cudaMalloc(&c, 4096);\n  scale<<<4, 256>>>(a, b, n);\n  external_k<<<4, 256>>>(b, c, n); }`);
  assert.equal(r.findings.length, 0);
});

test('L1 (FL010): a kernel that prints, calls the device-side API or reads the clock keeps its order', () => {
  const k = (name: string, extra: string) => `__global__ void ${name}(float* y, int n) {\n  int i = blockIdx.x * blockDim.x + threadIdx.x;\n  if (i < n) y[i] = y[i] * 2.0f;\n  ${extra}\n}\n`;
  for (const [extra, reason] of [['if (i == 0) printf("done\\n");', /calls printf/], ['long long t = clock64();', /reads the clock/]] as const) {
    const r = analyzeText(`${k('a', extra)}${k('b', '')}void run(float* __restrict__ y, int n) {\n  a<<<(n + 255) / 256, 256>>>(y, n);\n  b<<<(n + 255) / 256, 256>>>(y, n);\n}\n`);
    assert.equal(r.findings.filter(f => f.rule === 'FL001' || f.rule === 'FL021').length, 0, String(extra));
    assert.match(r.refusals.map(x => x.reason).join('; '), reason);
  }
});

test('a launch may leave out parameters with default arguments (no arity note); the fix that would need them is withheld', () => {
  const src = `__global__ void scale(const float* x, float* y, int n, float s = 2.0f) {\n  int i = blockIdx.x * blockDim.x + threadIdx.x;\n  if (i < n) y[i] = x[i] * s;\n}\n__global__ void offset(const float* y, float* z, int n) {\n  int i = blockIdx.x * blockDim.x + threadIdx.x;\n  if (i < n) z[i] = y[i] + 1.0f;\n}\nvoid run(const float* __restrict__ x, float* __restrict__ z, int n) {\n  float* y;\n  cudaMalloc(&y, n * sizeof(float));\n  scale<<<(n + 255) / 256, 256>>>(x, y, n);\n  offset<<<(n + 255) / 256, 256>>>(y, z, n);\n  cudaFree(y);\n}\n`;
  const r = analyzeText(src);
  assert.equal(r.problems.length, 0, r.problems.map(p => p.message).join('; '));
  const f = r.findings.find(x => x.rule === 'FL001');
  assert.ok(f);
  assert.equal(f.fixable, false);
  assert.match(f.fixUnavailable ?? '', /leaves `s` to its default argument/);
});
