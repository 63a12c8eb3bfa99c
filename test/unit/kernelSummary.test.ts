import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lex } from '../../analyzer/cuda/lexer';
import { scan } from '../../analyzer/cuda/scanner';
import { bodyAnalyzed, moveSummary, summarizeKernel, type KernelSummary } from '../../analyzer/cuda/kernelSummary';
import { analyzeText } from '../helpers/analyze';

function kernel(src: string): KernelSummary {
  const t = lex(src);
  const s = scan(t);
  const f = s.functions.find(x => x.isKernel)!;
  return summarizeKernel(t, f, 'k.cu');
}
const use = (k: KernelSummary, p: string) => { const u = k.uses.get(p)!; return { access: u.access, index: u.index.kind }; };

test('identity index: common spellings of the global thread index', () => {
  for (const idx of [
    'blockIdx.x * blockDim.x + threadIdx.x',
    'threadIdx.x + blockIdx.x * blockDim.x',
    'blockDim.x * blockIdx.x + threadIdx.x',
    '(size_t)blockIdx.x * blockDim.x + threadIdx.x',
    'static_cast<int>(blockIdx.x * blockDim.x) + threadIdx.x',
  ]) {
    const k = kernel(`__global__ void k(const float* x, float* y, int n) { int i = ${idx}; if (i < n) y[i] = x[i] + 1.f; }`);
    assert.deepEqual(use(k, 'x'), { access: 'read', index: 'identity' }, idx);
    assert.deepEqual(use(k, 'y'), { access: 'write', index: 'identity' }, idx);
    assert.equal(k.shape.kind, 'guarded');
    assert.deepEqual(k.shape.counts.map(c => c.text), ['n']);
  }
});

test('index through aliases: tid and block offset variables', () => {
  const k = kernel('__global__ void k(float* y, int n) { int tid = threadIdx.x; int base = blockIdx.x * blockDim.x; int i = base + tid; if (i >= n) return; y[i] *= 2.f; }');
  assert.deepEqual(use(k, 'y'), { access: 'readwrite', index: 'identity' });
  assert.equal(k.shape.kind, 'early-return');
});

test('grid-stride loops', () => {
  const k = kernel('__global__ void k(const float* x, float* y, int n) { for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += blockDim.x * gridDim.x) y[i] = x[i]; }');
  assert.equal(k.shape.kind, 'grid-stride');
  assert.deepEqual(use(k, 'x'), { access: 'read', index: 'identity' });
  const k2 = kernel('__global__ void k(float* y, int n) { int stride = gridDim.x * blockDim.x; for (int i = threadIdx.x + blockIdx.x * blockDim.x; i < n; i += stride) { y[i] = 0.5f * y[i]; } }');
  assert.equal(k2.shape.kind, 'grid-stride');
  assert.deepEqual(use(k2, 'y'), { access: 'readwrite', index: 'identity' });
});

test('2D indexing with a row stride', () => {
  const k = kernel('__global__ void k(const float* in, float* out, int w, int h) { int x = blockIdx.x * blockDim.x + threadIdx.x; int y = blockIdx.y * blockDim.y + threadIdx.y; if (x < w && y < h) out[y * w + x] = in[x + w * y]; }');
  assert.equal(k.shape.dims, 2);
  assert.equal(k.shape.kind, 'guarded');
  assert.deepEqual(use(k, 'in'), { access: 'read', index: 'identity' });
  assert.deepEqual(use(k, 'out'), { access: 'write', index: 'identity' });
});

test('stencils are affine with their offsets', () => {
  const k = kernel('__global__ void k(const float* in, float* out, int n) { int i = blockIdx.x * blockDim.x + threadIdx.x; if (i > 0 && i < n - 1) out[i] = in[i - 1] + in[i] + in[i + 1]; }');
  const u = k.uses.get('in')!;
  assert.equal(u.index.kind, 'affine');
  assert.deepEqual(u.index.kind === 'affine' && u.index.offsets.sort(), ['-1', '1']);
});

test('gathers are indirect; neighbours through locals are not identity', () => {
  const k = kernel('__global__ void k(const float* x, const int* idx, float* y, int n) { int i = blockIdx.x * blockDim.x + threadIdx.x; if (i < n) y[i] = x[idx[i]]; }');
  assert.equal(k.uses.get('x')!.index.kind, 'indirect');
  assert.equal(k.uses.get('idx')!.index.kind, 'identity');
  const k2 = kernel('__global__ void k(const float* in, float* out, int w, int h) { int x = blockIdx.x * blockDim.x + threadIdx.x; int y = blockIdx.y * blockDim.y + threadIdx.y; if (x >= w || y >= h) return; int xx = min(x + 1, w - 1); out[y * w + x] = in[y * w + xx]; }');
  assert.notEqual(k2.uses.get('in')!.index.kind, 'identity');
  assert.notEqual(k2.uses.get('in')!.index.kind, 'broadcast');
});

test('reductions: atomics, shared-memory trees, warp shuffles', () => {
  const k = kernel('__global__ void k(const float* v, float* total, int n) { __shared__ float s[256]; int i = blockIdx.x * blockDim.x + threadIdx.x; s[threadIdx.x] = i < n ? v[i] : 0.f; __syncthreads(); for (int st = blockDim.x / 2; st > 0; st >>= 1) { if (threadIdx.x < st) s[threadIdx.x] += s[threadIdx.x + st]; __syncthreads(); } if (threadIdx.x == 0) atomicAdd(total, s[0]); }');
  assert.equal(k.uses.get('total')!.index.kind, 'reduction');
  assert.equal(k.uses.get('v')!.index.kind, 'identity');
  assert.ok(k.usesShared && k.usesSync && k.usesAtomics);
  const k2 = kernel('__global__ void k(const float* v, float* partial, int n) { __shared__ float s[256]; int i = blockIdx.x * blockDim.x + threadIdx.x; s[threadIdx.x] = v[i]; __syncthreads(); if (threadIdx.x == 0) partial[blockIdx.x] = s[0]; }');
  assert.deepEqual(k2.uses.get('partial')!.index, { kind: 'reduction', how: 'block' });
  const k3 = kernel('__global__ void k(const float* v, float* out) { float x = v[threadIdx.x]; for (int o = 16; o > 0; o /= 2) x += __shfl_down_sync(0xffffffff, x, o); if (threadIdx.x == 0) atomicAdd(&out[blockIdx.x], x); }');
  assert.ok(k3.usesShuffle);
  assert.equal(k3.uses.get('out')!.index.kind, 'reduction');
});

test('pointer parameters passed on or offset are unknown; const and element types are read', () => {
  const k = kernel('__global__ void k(const half* __restrict__ a, float4* b, unsigned char* c, int n) { int i = blockIdx.x * blockDim.x + threadIdx.x; if (i < n) { helper(b, i); c[i] = 1; float* q = (float*)(a + 1); } }');
  const a = k.params.find(p => p.name === 'a')!;
  assert.ok(a.isPointer && a.isConst && a.restrict);
  assert.equal(a.baseType, 'half');
  assert.equal(k.params.find(p => p.name === 'b')!.baseType, 'float4');
  assert.equal(k.uses.get('b')!.index.kind, 'unknown');
  assert.equal(k.uses.get('a')!.index.kind, 'unknown');
  assert.deepEqual(use(k, 'c'), { access: 'write', index: 'identity' });
});

test('geometry dependence and early returns inside the element code are flagged', () => {
  const k = kernel('__global__ void k(float* y, int n) { int i = blockIdx.x * blockDim.x + threadIdx.x; if (i < n) { if (y[i] < 0) return; y[i] = threadIdx.x; } }');
  assert.ok(k.returnInElement);
  assert.ok(k.geometryDependent);
});

test('a half-typed `if idx >= n)` (no opening parenthesis) is read without hanging', () => {
  // found by the incremental-analysis fuzz test: a stray `)` once made the statement parser loop
  const r = analyzeText('__global__ void k(const float* x, float* y, int n) {\n  const int idx = blockIdx.x * blockDim.x + threadIdx.x;\n  if idx >= n) return;\n  y[idx] = x[idx];\n}\n');
  assert.equal(r.cuda!.kernels.length, 1);
});

test('a kernel body is analyzed when something first reads it; a moved summary shares the result', () => {
  const src = [
    '__global__ void scale(const float* x, float* y, int n) { int i = blockIdx.x * blockDim.x + threadIdx.x; if (i < n) y[i] = 2.f * x[i]; }',
    '__global__ void unused(float* y, int n) { int i = blockIdx.x * blockDim.x + threadIdx.x; if (i < n) y[i] = 0.f; }',
    'void run(const float* x, float* y, int n) { scale<<<(n + 255) / 256, 256>>>(x, y, n); }',
  ].join('\n');
  const r = analyzeText(src);
  const [scale, unused] = r.cuda!.kernels;
  // the launched kernel's body was needed by the launch; the other's is not read at all
  assert.ok(bodyAnalyzed(scale));
  assert.ok(!bodyAnalyzed(unused));
  assert.equal(unused.params.length, 2, 'the head is there at once');
  const moved = moveSummary(unused, 10);
  assert.equal(moved.nameSpan.start, unused.nameSpan.start + 10);
  assert.deepEqual(use(moved, 'y'), { access: 'write', index: 'identity' });
  assert.ok(bodyAnalyzed(unused), 'reading the moved copy analyzed the body both share');
  assert.equal(moved.uses, unused.uses);
  // the same facts as a summary made and read at once
  const fresh = kernel(src.split('\n')[1]);
  assert.deepEqual([...fresh.uses.keys()], [...unused.uses.keys()]);
  assert.equal(fresh.shape.kind, unused.shape.kind);
  assert.equal(fresh.flopsPerElement, unused.flopsPerElement);
});

test('an element address taken after a cast is a write through an alias; a struct local assigned per thread is per thread', () => {
  // NVIDIA-developer-blog gups.cu: `address = (unsigned long long*)&t[ran.data & mask].data;
  // *address = 1;` counted as a read of t, so the kernel that checks t was "independent" of it
  const k = kernel(`struct S { unsigned long long data; };
__global__ void bench(S* t, unsigned long long mask) {
  size_t thread_num = blockIdx.x * blockDim.x + threadIdx.x;
  S ran;
  ran.data = thread_num * 2654435761u;
  unsigned long long* address = (unsigned long long*)&t[ran.data & mask].data;
  *address = 1;
}`);
  assert.equal(k.uses.get('t')!.access, 'readwrite');
  assert.notEqual(k.uses.get('t')!.index.kind, 'broadcast', 'the index depends on the thread through `ran`');
  // a binary and after a parenthesized expression is still a read
  const and = kernel('__global__ void k(const int* in, int* out, int n) { int i = blockIdx.x * blockDim.x + threadIdx.x; if (i < n) out[i] = (n >> 1) & in[i]; }');
  assert.deepEqual(use(and, 'in'), { access: 'read', index: 'identity' });
});
