// FL021: independent small launches merged into one launch (divergent horizontal fusion).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeText, applyFirstFix, ewKernel, readExample } from '../helpers/analyze';

const K = ewKernel('scale', 'in[i] * 2.0f') + ewKernel('shift', 'in[i] + 1.0f');
const prog = (body: string, n = '4096') => `${K}\nvoid run(cudaStream_t s) {\n  const int n = ${n};\n  float *a, *b, *c, *d;\n  cudaMalloc(&a, n * 4); cudaMalloc(&b, n * 4); cudaMalloc(&c, n * 4); cudaMalloc(&d, n * 4);\n${body}\n}\n`;
const fl021 = (r: ReturnType<typeof analyzeText>) => r.findings.find(f => f.rule === 'FL021');

test('small independent launches are merged, blocks split between the kernels', () => {
  const src = prog('  scale<<<n / 256, 256, 0, s>>>(a, b, n);\n  shift<<<n / 256, 256, 0, s>>>(c, d, n);');
  const r = analyzeText(src);
  const f = fl021(r)!;
  assert.ok(f, JSON.stringify(r.findings.map(x => x.rule)));
  assert.equal(f.estimate.bytesBefore, f.estimate.bytesAfter, 'bytes do not change, launches do');
  assert.ok(f.fixable, f.fixUnavailable);
  const fixed = applyFirstFix(src, r);
  assert.match(fixed, /if \(blockIdx\.x < scale_blocks\) \{\n\s+\/\/ scale\n\s+const unsigned int fl_block = blockIdx\.x;\n\s+int i = fl_block \* blockDim\.x \+ threadIdx\.x;/);
  assert.match(fixed, /const unsigned int fl_block = blockIdx\.x - \(scale_blocks\);/);
  assert.match(fixed, /scale_shift_hfused<<<n \/ 256 \+ n \/ 256|scale_shift_hfused<<<\(n \/ 256\) \+ \(n \/ 256\)/);
  assert.equal(analyzeText(fixed).findings.length, 0);
});

test('not merged: dependent launches, large (memory-bound) ones, different block sizes get no fix', () => {
  assert.equal(fl021(analyzeText(prog('  scale<<<n / 256, 256, 0, s>>>(a, b, n);\n  shift<<<n / 256, 256, 0, s>>>(b, d, n);'))), undefined);
  assert.equal(fl021(analyzeText(prog('  scale<<<n / 256, 256, 0, s>>>(a, b, n);\n  shift<<<n / 256, 256, 0, s>>>(c, d, n);', '1 << 26'))), undefined);
  const f = fl021(analyzeText(prog('  scale<<<n / 256, 256, 0, s>>>(a, b, n);\n  shift<<<n / 128, 128, 0, s>>>(c, d, n);')))!;
  assert.equal(f.fixable, false);
  assert.match(f.fixUnavailable!, /different block sizes/);
});

test('the init example merges four launches', () => {
  const r = analyzeText(readExample('cuda/init_small_buffers.cu'), '/virtual/init.cu');
  assert.deepEqual(r.findings.map(f => [f.rule, f.launches.length]), [['FL021', 4]]);
});

test('a kernel writing through an address it took after a cast is not independent of a reader', () => {
  const src = `struct S { unsigned long long data; };
__global__ void bench(S* t, unsigned long long mask) {
  size_t i = blockIdx.x * blockDim.x + threadIdx.x;
  unsigned long long* address = (unsigned long long*)&t[(i * 7) & mask].data;
  *address = 1;
}
__global__ void check(S* t, unsigned int* err, size_t n) {
  size_t i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n && t[i].data != 1) atomicAdd(err, 1u);
}
void run(S* t, unsigned int* err, size_t n) {
  bench<<<4, 64>>>(t, 1023);
  check<<<4, 64>>>(t, err, n);
}
`;
  const r = analyzeText(src);
  assert.ok(!r.findings.some(f => f.rule === 'FL021'), r.findings.map(f => f.message).join('\n'));
});
