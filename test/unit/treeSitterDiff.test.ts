// Differential test: our lexer/scanner/host analysis against tree-sitter-cuda (a devDependency used
// only as an oracle) on every example and on generated files (bench/gen-cuda.mjs). Both must find
// the same `__global__` definitions (name and offset) and the same `<<<` launch sites.
//
// Where the two legitimately differ, the rule is applied here and nowhere else:
//  - Launch macros (`KERNEL_LAUNCH(k, g, b, ...)`, `LAUNCH(k, ...)`) and `cudaLaunchKernel(...)` are
//    launches for us (form 'macro' / 'cudaLaunchKernel') but plain calls for tree-sitter, which does
//    not expand macros: only our 'chevron' launches are compared.
//  - `<<<` inside `#define` bodies, strings and comments is a launch for neither (tree-sitter keeps
//    a macro body as opaque preproc_arg text); the generated file has all three, so this is checked.
//  - Our host analysis records launches in host code only. A `<<<` inside a `__global__` or
//    `__device__` body (dynamic parallelism) is still a launch site for our lexer (a LaunchOpen token),
//    so the token-level comparison covers it; the host-level comparison leaves it out.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import type { Parser } from 'web-tree-sitter';
import type { CudaLaunchData } from '../../analyzer/cuda/hostSequence';
import { Tok } from '../../analyzer/cuda/lexer';
import { EXAMPLES } from '../helpers/analyze';
import { overlayHost, readExamples } from '../helpers/propCheck';
import { analyze, DEFAULT_OPTIONS } from '../../analyzer/analyze';
import { loadParser, treeSitterFacts } from '../helpers/treeSitterCuda';
// @ts-expect-error plain ESM generator shared with the shell
import { generateCuda } from '../../bench/gen-cuda.mjs';

let parser: Parser;
before(async () => {
  parser = await loadParser();
});

const baseName = (callee: string) => callee.replace(/<[^]*$/, '').replace(/^.*::/, '').trim();

interface Compared { kernels: number; tokenLaunches: number; hostLaunches: number; macroLaunches: number }

function compare(file: string, text: string): Compared {
  const ts = treeSitterFacts(parser, text);
  assert.equal(ts.errors, 0, `${file}: tree-sitter-cuda reports ${ts.errors} syntax errors; the oracle is only trusted on clean parses`);
  const r = analyze(file, text, overlayHost(), { ...DEFAULT_OPTIONS, withFixes: false });
  const prog = r.cuda!;

  const ours = prog.kernels.map(k => `${k.name}@${k.nameSpan.start}`).sort();
  const theirs = ts.kernels.map(k => `${k.name}@${k.offset}`).sort();
  assert.deepEqual(ours, theirs, `${file}: kernel definitions differ`);

  // token level: every `<<<` our lexer sees outside comments, strings and preprocessor lines
  const tok = prog.tokens;
  const tokenSites: number[] = [];
  for (let i = 0; i < tok.count; i++) if (tok.kinds[i] === Tok.LaunchOpen) tokenSites.push(tok.starts[i]);
  const tsSites = ts.launches.map(l => l.offset).sort((a, b) => a - b);
  assert.deepEqual(tokenSites, tsSites, `${file}: launch sites (<<< tokens) differ`);

  // host level: the launches our host analysis built, with their callees
  const inDeviceCode = (at: number) => prog.kernels.some(k => at > k.bodySpan.start && at < k.bodySpan.end)
    || prog.scan.functions.some(f => f.isDevice && !f.isHost && at > tok.starts[f.bodyOpen] && f.bodyClose >= 0 && at < tok.ends[f.bodyClose]);
  const hostChevron = prog.launches.filter(l => (l.frontend as CudaLaunchData).form === 'chevron');
  const oursHost = hostChevron.map(l => `${baseName(l.callee)}@${text.indexOf('<<<', l.calleeSpan.start)}`).sort();
  const theirsHost = ts.launches.filter(l => !inDeviceCode(l.offset)).map(l => `${l.callee}@${l.offset}`).sort();
  assert.deepEqual(oursHost, theirsHost, `${file}: host launches differ`);
  return { kernels: ours.length, tokenLaunches: tokenSites.length, hostLaunches: oursHost.length, macroLaunches: prog.launches.length - hostChevron.length };
}

test('tree-sitter-cuda and our scanner agree on every example', () => {
  const totals: Compared = { kernels: 0, tokenLaunches: 0, hostLaunches: 0, macroLaunches: 0 };
  for (const ex of readExamples(path.join(EXAMPLES, 'cuda'))) {
    const c = compare(ex.file, ex.text);
    for (const k of Object.keys(totals) as Array<keyof Compared>) totals[k] += c[k];
  }
  console.log(`# examples: ${JSON.stringify(totals)}`);
  assert.ok(totals.kernels > 20 && totals.hostLaunches > 30);
  assert.ok(totals.macroLaunches >= 2, 'the macro and cudaLaunchKernel launches of launch_macros.cu are ours only');
});

test('tree-sitter-cuda and our scanner agree on generated files', () => {
  for (const [lines, seed] of [[10000, 1], [3000, 2], [3000, 3]]) {
    const text: string = generateCuda(lines, seed);
    const c = compare(`/gen/synth-${seed}.cu`, text);
    console.log(`# generated ${lines} lines, seed ${seed}: ${JSON.stringify(c)}`);
    // the generator writes `<<<` in a string, a comment and a #define: none of them is a launch
    assert.equal(c.tokenLaunches, (text.match(/^ {2}[\w:]+(<[^<>]*>)?<<<.*;$/gm) ?? []).length);
    assert.ok(c.macroLaunches > 0);
  }
});

test('offsets agree past non-ASCII text (UTF-16 code units on both sides)', () => {
  const text = `// température, 温度 and 🌡️ before the code\n__global__ void k(float* p) { p[0] = 1.f; }\nvoid h(float* p) { k<<<1, 1>>>(p); }\n`;
  const c = compare('/virtual/unicode.cu', text);
  assert.deepEqual(c, { kernels: 1, tokenLaunches: 1, hostLaunches: 1, macroLaunches: 0 });
});

test('edge cases: namespaces, templates, wrappers, `>>` in configs, dynamic parallelism, strings and comments', () => {
  const text = `#include <cuda_runtime.h>
#define CHECK(x) x
#define LAUNCH(k, g, b, ...) k<<<g, b>>>(__VA_ARGS__)
namespace ops {
  template <typename T, int B = 256>
  __global__ void __launch_bounds__(B) scale(const T* in, T* out, int n) { int i = blockIdx.x * B + threadIdx.x; if (i < n) out[i] = in[i] * T(2); }
}
extern "C" __global__ void child(float* p) { p[threadIdx.x] = 0.f; }
__global__ void parent(float* p) { if (threadIdx.x == 0) child<<<1, 32>>>(p); }
static __global__ void plain(float* p, int n) { int i = threadIdx.x; if (i < n) p[i] += 1.f; }
const char* doc = "plain<<<1, 1>>>(p, n)"; // plain<<<1, 1>>>(p, n)
/* ops::scale<float><<<1, 1>>>(a, b, n); */
void host(float* a, float* b, int n, cudaStream_t s) {
  ops::scale<float><<<(n + 255) >> 8, 256, 0, s>>>(a, b, n);
  ops::scale<float, 128><<<dim3(n >> 7), dim3(128)>>>(b, a, n);
  CHECK((plain<<<1, 256>>>(a, n)));
  LAUNCH(plain, 1, 256, b, n);
  parent<<<1, 1, 0, s>>>(a);
}
`;
  const c = compare('/virtual/edge.cu', text);
  assert.deepEqual(c, { kernels: 4, tokenLaunches: 5, hostLaunches: 4, macroLaunches: 1 });
});

// Found by this test: a declaration at column 0 inside `namespace x { ... }` used to trigger the
// scanner's missing-brace recovery (meant for function bodies), closing the namespace there and
// losing the kernel. Namespace and extern "C" bodies no longer recover (scanner.findBodyClose).
test('kernels declared at column 0 inside a namespace', () => {
  const text = `namespace ops {
__global__ void scale(const float* in, float* out, int n) { int i = threadIdx.x; if (i < n) out[i] = in[i] * 2.f; }
__global__ void shift(const float* in, float* out, int n) { int i = threadIdx.x; if (i < n) out[i] = in[i] + 1.f; }
}
void host(const float* a, float* b, float* c, int n) {
  ops::scale<<<1, 256>>>(a, b, n);
  ops::shift<<<1, 256>>>(b, c, n);
}
`;
  assert.deepEqual(compare('/virtual/ns.cu', text), { kernels: 2, tokenLaunches: 2, hostLaunches: 2, macroLaunches: 0 });
});
