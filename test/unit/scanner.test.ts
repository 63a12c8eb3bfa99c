import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lex } from '../../analyzer/cuda/lexer';
import { fileBalanced, scan } from '../../analyzer/cuda/scanner';

const scanText = (src: string) => scan(lex(src));

test('kernels: templates, __launch_bounds__, extern "C", qualifiers in any order', () => {
  const s = scanText(`
template <typename T, int BLOCK = 256>
__global__ void __launch_bounds__(256, 2) tk(const T* x, T* y, int n) { y[0] = x[0]; }
extern "C" __global__ void ck(float* p) { p[0] = 1; }
static __global__ void sk(float* p) { }
__global__ static void sk2(float* p) { }
__device__ __forceinline__ float helper(float v) { return v * 2; }
__host__ __device__ float both(float v) { return v; }
void host_fn() { }
namespace ns { namespace inner { __global__ void nk(int* a) {} } }
extern "C" { __global__ void ek(int* a) {} }
struct S { __host__ void method() {} };
`);
  const byName = new Map(s.functions.map(f => [f.name, f]));
  assert.ok(byName.get('tk')?.isKernel);
  assert.equal(byName.get('tk')?.launchBounds, '256, 2');
  assert.deepEqual(byName.get('tk')?.templateParams.map(p => [p.kind, p.name, p.defaultText]), [['type', 'T', undefined], ['value', 'BLOCK', '256']]);
  assert.ok(byName.get('ck')?.isKernel && byName.get('ck')?.externC);
  assert.ok(byName.get('sk')?.isKernel && byName.get('sk2')?.isKernel);
  assert.ok(byName.get('helper')?.isDevice && !byName.get('helper')?.isHost);
  assert.ok(byName.get('both')?.isDevice && byName.get('both')?.isHost);
  assert.ok(byName.get('host_fn')?.isHost && !byName.get('host_fn')?.isKernel);
  assert.equal(byName.get('nk')?.qualifiedName, 'ns::inner::nk');
  assert.ok(byName.get('ek')?.externC);
  assert.equal(byName.get('method')?.qualifiedName, 'S::method');
});

test('defines, includes and constants', () => {
  const s = scanText('#include "kernels.cuh"\n#include <cstdio>\n#define N (1 << 20)\n#define LAUNCH(k, ...) k<<<1, 1>>>(__VA_ARGS__)\nconstexpr int kBlock = 256;\nconst size_t bytes = N * sizeof(float);\n');
  assert.deepEqual(s.includes.map(i => [i.spec, i.system]), [['kernels.cuh', false], ['cstdio', true]]);
  assert.equal(s.defines[0].name, 'N');
  assert.equal(s.defines[0].body, '(1 << 20)');
  assert.deepEqual(s.defines[1].params, ['k']);
  assert.ok(s.defines[1].variadic);
  assert.deepEqual(s.globals.map(g => g.name), ['kBlock', 'bytes']);
});

test('an unclosed body is closed at the next column-0 declaration', () => {
  const s = scanText('__global__ void a(float* p) {\n  if (p) {\n    p[0] = 1;\n\n__global__ void b(float* q) { q[0] = 2; }\nvoid host() { b<<<1,1>>>(0); }\n');
  assert.deepEqual(s.functions.map(f => f.name), ['a', 'b', 'host']);
  assert.equal(s.functions[0].bodyClose, -1);
  assert.ok(s.problems.length >= 1);
});

test('unindented bodies of a balanced file keep their column-0 locals; a missing brace still recovers', () => {
  // olcf/cuda-training-series writes main() without indentation: `void *args[2] = {...};` and
  // `int i` at column 0 once closed main early ("unbalanced braces") and lost what followed
  const body = '__global__ void k(float* y) { y[0] = 1; }\nint main(){\nfloat* d;\nvoid *args[1] = {(void *)&d};\nint n = 4;\nstatic int calls = 0;\nfor (int i = 0; i < n; ++i){\nk<<<1, 1>>>(d);\n}\nreturn 0;\n}\n__global__ void after(float* q) { q[0] = 2; }\n';
  const ok = scanText(body);
  assert.deepEqual(ok.problems, []);
  assert.ok(fileBalanced(lex(body)));
  assert.deepEqual(ok.functions.map(f => f.name), ['k', 'main', 'after']);
  assert.equal(ok.functions[1].bodyClose, ok.functions[1].end, 'main closes at its own brace');
  // the same with main's closing brace missing: the file does not balance, and `__global__`
  // (and in an unbalanced file also `void`, `int`...) at column 0 closes main
  const broken = scanText(body.replace('return 0;\n}\n', 'return 0;\n'));
  assert.ok(!fileBalanced(lex(body.replace('return 0;\n}\n', 'return 0;\n'))));
  assert.match(broken.problems.map(p => p.message).join(), /not closed before the next declaration/);
  assert.deepEqual(broken.functions.map(f => f.name).slice(-1), ['after']);
});

test('lambdas and initializer braces do not end declarations early', () => {
  const s = scanText('int table[] = {1, 2, 3};\nauto f = [](int x) { return x; };\nstd::vector<int> v{1, 2};\n__global__ void k(int* p) { p[0] = 0; }\n');
  assert.deepEqual(s.functions.map(f => f.name), ['k']);
});
