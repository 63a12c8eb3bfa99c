// Incremental analysis (analyzer/incremental.ts) must agree with a full analysis of the same text:
// random edits inside function bodies of every example and of generated files, one at a time and
// in chains, compared finding by finding, refusal by refusal, problem by problem; fixes of an
// incremental result are those of the full analysis.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyze, newHost, DEFAULT_OPTIONS, type AnalysisResult, type AnalyzerHost } from '../../analyzer/analyze';
import { incrementalInternals, incrementalSteps } from '../../analyzer/incremental';
import { lex, type Tokens } from '../../analyzer/cuda/lexer';
import { scan, type ScanResult } from '../../analyzer/cuda/scanner';
import { EXAMPLES } from '../helpers/analyze';
// @ts-expect-error plain ESM generator shared with the benchmarks
import { generateCuda } from '../../bench/gen-cuda.mjs';

const OPTS = { ...DEFAULT_OPTIONS, withFixes: false };

function rng(seed: number) {
  let s = seed >>> 0;
  return (n: number) => { s = (s * 1664525 + 1013904223) >>> 0; return s % n; };
}

const SNIPPETS = ['x', ' ', '\n', ';', '0', '(', ')', '{', '}', '[', ']', '/*', '*/', '//', '"', "'", '<<<', '>>>', ',', '*',
  'cudaDeviceSynchronize();', 'k0<<<1, 256>>>(a, b, n);', 'float* q = a;', 'cudaFree(b);', 'if (n) ', 'for (int j = 0; j < 4; ++j) ',
  '#define Z 3\n', '// fusion-lens: ignore-next-line\n', 'return;', '__syncthreads();', 'out[i] = in[i];', 'i + 1',
  // words the library finders' file-wide gates read
  'thrust::', 'cv::cuda::', 'cublasSgemm', 'using namespace thrust;', '#include <cvGPUSpeedup.cuh>\n'];

/** An edit at a random place inside some function body (or anywhere, sometimes). */
function randomEdit(text: string, r: (n: number) => number): string {
  const opens = [...text.matchAll(/\{/g)].map(m => m.index!);
  const at = r(5) === 0 || !opens.length ? r(text.length + 1) : Math.min(text.length, opens[r(opens.length)] + 1 + r(120));
  const kind = r(3);
  if (kind === 0) return text.slice(0, at) + SNIPPETS[r(SNIPPETS.length)] + text.slice(at);
  if (kind === 1) return text.slice(0, at) + text.slice(Math.min(text.length, at + 1 + r(8)));
  return text.slice(0, at) + SNIPPETS[r(SNIPPETS.length)] + text.slice(Math.min(text.length, at + 1 + r(4)));
}

function comparable(r: AnalysisResult) {
  return {
    findings: r.findings.map(f => ({ ...f, fix: undefined })),
    refusals: r.refusals,
    problems: r.problems,
  };
}

function tokenView(t: Tokens) {
  const texts: string[] = [];
  for (let i = 0; i < t.count; i++) texts.push(t.text(i));
  return {
    count: t.count, kinds: [...t.kinds.subarray(0, t.count)], starts: [...t.starts.subarray(0, t.count)], ends: [...t.ends.subarray(0, t.count)],
    lineFirst: [...t.lineFirst.subarray(0, t.count)], comments: t.comments, problems: t.problems, texts,
  };
}

function scanView(s: ScanResult) {
  return { ...s, globalVars: [...s.globalVars].sort() };
}

function hostFor(dir: string): AnalyzerHost {
  return newHost(p => (p.startsWith(dir) && fs.existsSync(p) ? fs.readFileSync(p, 'utf8') : undefined));
}

function sources(): Array<{ file: string; text: string }> {
  const out: Array<{ file: string; text: string }> = [];
  // library pipelines too (OpenCV, cuBLAS; Thrust is among the CUDA examples): their findings are re-read per function
  for (const sub of ['cuda', 'opencv', 'cublas']) {
    const d = path.join(EXAMPLES, sub);
    for (const f of fs.readdirSync(d).sort()) if (/\.(cu|cuh)$/.test(f)) out.push({ file: path.join(d, f), text: fs.readFileSync(path.join(d, f), 'utf8') });
  }
  const dir = path.join(EXAMPLES, 'cuda');
  for (const seed of [1, 2, 3]) out.push({ file: path.join(dir, `generated_${seed}.cu`), text: generateCuda(400, seed) });
  return out;
}

/**
 * Checks a result for `text` against a fresh full analysis; when it came from an incremental step,
 * also its spliced or moved tokens and scan against a fresh lex and scan. True for an incremental step.
 */
function assertSameAsFull(file: string, text: string, inc: AnalysisResult, where: string): boolean {
  const full = analyze(file, text, hostFor(path.dirname(file)), OPTS);
  const internals = incrementalInternals(inc);
  if (internals) {
    const fresh = lex(text);
    assert.deepEqual(tokenView(internals.tokens), tokenView(fresh), `${where}: tokens`);
    assert.deepEqual(scanView(internals.scan), scanView(scan(fresh)), `${where}: scan`);
  }
  assert.deepEqual(comparable(inc), comparable(full), `${where}: incremental differs from full`);
  return !!internals;
}

test('incremental analysis equals full analysis after random edits (chains of 12)', () => {
  let edits = 0;
  let fast = 0;
  for (const { file, text } of sources()) {
    const r = rng(text.length);
    for (let chain = 0; chain < 4; chain++) {
      let cur = text;
      let prev = analyze(file, cur, hostFor(path.dirname(file)), OPTS);
      for (let step = 0; step < 12; step++) {
        const next = randomEdit(cur, r);
        const inc = analyze(file, next, hostFor(path.dirname(file)), OPTS, prev);
        edits++;
        if (assertSameAsFull(file, next, inc, `${path.basename(file)} chain ${chain} step ${step}`)) fast++;
        prev = inc;
        cur = next;
      }
    }
  }
  // the fast path must really be taken for most edits inside bodies
  assert.ok(fast > edits * 0.3, `incremental path taken for ${fast} of ${edits} edits`);
});

test('fixes of an incremental result are those of the full analysis', () => {
  const file = path.join(EXAMPLES, 'cuda', 'image_normalize.cu');
  const text = fs.readFileSync(file, 'utf8');
  const prev = analyze(file, text, hostFor(path.dirname(file)), OPTS);
  // a blank inserted inside the host function's body, before its first launch
  const at = text.indexOf('<<<');
  const lineStart = text.lastIndexOf('\n', at) + 1;
  const edited = text.slice(0, lineStart) + '  \n' + text.slice(lineStart);
  const inc = analyze(file, edited, hostFor(path.dirname(file)), OPTS, prev);
  assert.ok(incrementalSteps(inc) > 0, 'the edit is inside one host function: incremental');
  const full = analyze(file, edited, hostFor(path.dirname(file)), { ...OPTS, withFixes: true });
  assert.ok(full.findings.some(f => f.fix), 'the example has a fix');
  for (const f of inc.findings) {
    const g = full.findings.find(x => x.rule === f.rule && x.span.start === f.span.start)!;
    assert.deepEqual(inc.resolveFix(f), g.fix);
  }
  assert.ok(inc.cuda && inc.cuda.launches.length > 0, 'the program behind an incremental result is the full one');
});

test('an edit between functions, or one that opens a comment, falls back to the full analysis', () => {
  const file = path.join(EXAMPLES, 'cuda', 'activation_chain.cu');
  const text = fs.readFileSync(file, 'utf8');
  const prev = analyze(file, text, hostFor(path.dirname(file)), OPTS);
  const between = text.replace('\n__global__', '\nstatic int z;\n__global__');
  assert.equal(incrementalSteps(analyze(file, between, hostFor(path.dirname(file)), OPTS, prev)), 0);
  const at = text.indexOf('<<<');
  const opened = text.slice(0, at) + '/*' + text.slice(at);
  const r = analyze(file, opened, hostFor(path.dirname(file)), OPTS, prev);
  assert.equal(incrementalSteps(r), 0);
  assert.deepEqual(comparable(r), comparable(analyze(file, opened, hostFor(path.dirname(file)), OPTS)));
});

test('blanks typed between functions move everything without analyzing again, and equal a full analysis', () => {
  let edits = 0;
  let fast = 0;
  const BLANKS = ['\n', '\n\n', '  ', '\t', ' \n  '];
  for (const { file, text } of sources()) {
    const r = rng(text.length + 7);
    // gaps after a `}` or `;` at the end of a line, and at random places (most of which must fall back)
    const ends = [...text.matchAll(/[};]\n/g)].map(m => m.index! + 1);
    let cur = text;
    let prev = analyze(file, cur, hostFor(path.dirname(file)), OPTS);
    for (let step = 0; step < 16; step++) {
      const at = step % 4 === 3 || !ends.length ? r(cur.length + 1) : Math.min(cur.length, ends[r(ends.length)] + (cur.length - text.length));
      const kind = r(3);
      let next: string;
      if (kind < 2) next = cur.slice(0, at) + BLANKS[r(BLANKS.length)] + cur.slice(at);
      else {
        // delete blanks around `at` (a blank line typed earlier, or indentation)
        let b = at;
        while (b < cur.length && b < at + 3 && ' \t\n'.includes(cur[b])) b++;
        next = cur.slice(0, at) + cur.slice(b);
      }
      const inc = analyze(file, next, hostFor(path.dirname(file)), OPTS, prev);
      edits++;
      if (assertSameAsFull(file, next, inc, `${path.basename(file)} step ${step}`)) fast++;
      prev = inc;
      cur = next;
    }
  }
  assert.ok(fast > edits * 0.4, `blank edits taken incrementally: ${fast} of ${edits}`);
});

test('a blank line between a line-based ignore annotation and its launch falls back', () => {
  const file = path.join(EXAMPLES, 'cuda', 'activation_chain.cu');
  const text = fs.readFileSync(file, 'utf8');
  const at = text.indexOf('\n__global__') + 1;
  const annotated = text.slice(0, at) + 'static int z;\n// fusion-lens: ignore-next-line\n' + text.slice(at);
  const prev = analyze(file, annotated, hostFor(path.dirname(file)), OPTS);
  const after = annotated.indexOf('static int z;') + 'static int z;'.length;
  const edited = annotated.slice(0, after + 1) + '\n' + annotated.slice(after + 1);
  const inc = analyze(file, edited, hostFor(path.dirname(file)), OPTS, prev);
  assert.equal(incrementalSteps(inc), 0, 'lines shift under an ignore annotation: full analysis');
  assert.deepEqual(comparable(inc), comparable(analyze(file, edited, hostFor(path.dirname(file)), OPTS)));
});

test('in files that use libraries, an edit in a host function is incremental and re-reads its library findings', () => {
  for (const rel of ['opencv/dnn_preprocess.cu', 'cublas/gemm_bias_relu.cu', 'cuda/thrust_statistics.cu']) {
    const file = path.join(EXAMPLES, rel);
    const text = fs.readFileSync(file, 'utf8');
    const prev = analyze(file, text, hostFor(path.dirname(file)), OPTS);
    const lib = prev.findings.filter(f => /^FL03/.test(f.rule));
    assert.ok(lib.length, `${rel}: a library finding to keep`);
    // a blank typed at the start of the line of the first library finding: inside its host function
    const lineStart = text.lastIndexOf('\n', lib[0].span.start) + 1;
    const edited = text.slice(0, lineStart) + ' ' + text.slice(lineStart);
    const inc = analyze(file, edited, hostFor(path.dirname(file)), OPTS, prev);
    assert.ok(incrementalSteps(inc) > 0, `${rel}: incremental`);
    assertSameAsFull(file, edited, inc, rel);
    assert.equal(inc.findings.filter(f => /^FL03/.test(f.rule)).length, lib.length);
    // `using namespace thrust;` typed at the top changes what every function's calls mean: full analysis
    const directive = 'using namespace thrust;\n' + text;
    assert.equal(incrementalSteps(analyze(file, directive, hostFor(path.dirname(file)), OPTS, prev)), 0, `${rel}: a directive is not a body edit`);
  }
});

test('kernel summaries reused after an edit above them read their own text (cuBLAS epilogue activation)', () => {
  // a declaration typed above the kernels: a full analysis that reuses the moved summaries
  const file = path.join(EXAMPLES, 'cublas', 'gemm_bias_relu.cu');
  const text = fs.readFileSync(file, 'utf8');
  const prev = analyze(file, text, hostFor(path.dirname(file)), OPTS);
  const at = text.indexOf('__global__');
  // longer than the kernel's body: text read at the moved offsets in the old source would miss it
  const edited = text.slice(0, at) + `static const char kNote[] = "${'x'.repeat(200)}";\n` + text.slice(at);
  const inc = analyze(file, edited, hostFor(path.dirname(file)), OPTS, prev);
  assert.equal(incrementalSteps(inc), 0, 'a declaration between functions: full analysis');
  assert.match(inc.findings.find(f => f.rule === 'FL032')?.message ?? '', /RELU_BIAS/);
  assertSameAsFull(file, edited, inc, 'declaration above the kernels');
});

test('an edit inside a __device__ function is incremental; fixes still come from a full analysis', () => {
  const file = path.join(EXAMPLES, 'cuda', 'activation_chain.cu');
  const text = fs.readFileSync(file, 'utf8');
  const prev = analyze(file, text, hostFor(path.dirname(file)), OPTS);
  const body = text.indexOf('{', text.indexOf('__device__ __forceinline__ float gelu_tanh')) + 1;
  const edited = text.slice(0, body) + '\n  // typed in the helper' + text.slice(body);
  const inc = analyze(file, edited, hostFor(path.dirname(file)), OPTS, prev);
  assert.ok(incrementalSteps(inc) > 0, 'inside a device function: incremental');
  assertSameAsFull(file, edited, inc, 'device function edit');
  const full = analyze(file, edited, hostFor(path.dirname(file)), { ...OPTS, withFixes: true });
  const f = inc.findings.find(x => x.fixable);
  assert.ok(f, 'a fixable finding');
  const g = full.findings.find(x => x.rule === f.rule && x.span.start === f.span.start)!;
  assert.deepEqual(inc.resolveFix(f), g.fix, 'the fix is the full analysis\'s');
});

test('same-named kernels (overloads, #if branches) are told apart by position', () => {
  const file = path.join(EXAMPLES, 'cuda', 'overloads_synthetic.cu');
  const text = `#include <cuda_runtime.h>
#if USE_HALF
__global__ void scale(float* out, const float* in, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) out[i] = in[i] * 0.5f;
}
#else
__global__ void scale(float* out, const float* in, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) out[i] = in[i] * 2.0f;
}
#endif
__global__ void shift(float* out, const float* in, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) out[i] = in[i] + 1.0f;
}
void run(float* a, float* b, float* c, int n) {
  scale<<<(n + 255) / 256, 256>>>(b, a, n);
  shift<<<(n + 255) / 256, 256>>>(c, b, n);
}
`;
  const host = newHost();
  let prev = analyze(file, text, host, OPTS);
  let cur = text;
  for (const [needle, insert] of [['* 2.0f', ' + 0.0f'], ['* 0.5f', ' * 1.0f'], ['* 2.0f', ';\n  out[i] = in[i + 1]']]) {
    const at = cur.indexOf(needle) + needle.length;
    const next = cur.slice(0, at) + insert + cur.slice(at);
    const inc = analyze(file, next, host, OPTS, prev);
    assert.ok(incrementalSteps(inc) > 0, `${insert}: incremental`);
    assert.deepEqual(comparable(inc), comparable(analyze(file, next, newHost(), OPTS)), `${insert}: same as full`);
    prev = inc;
    cur = next;
  }
});

test('typing in comments between functions moves everything without analyzing again, and equals a full analysis', () => {
  let edits = 0;
  let fast = 0;
  const TYPED = ['x', ' ', 'word ', '\n', '\n// ', '*', '/', '*/', '/*', '//', '"', '#', '\\', '}', 'fusion-lens: ignore-file'];
  for (const { file, text } of sources()) {
    const r = rng(text.length + 11);
    // a doc comment before every kernel, so that every file has comments between top-level items
    let cur = text.replace(/\n__global__/g, '\n/* Scales the input.\n * Reads `in`, writes `out`. */\n__global__');
    let prev = analyze(file, cur, hostFor(path.dirname(file)), OPTS);
    for (let step = 0; step < 16; step++) {
      const comments = [...cur.matchAll(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g)].map(m => ({ start: m.index!, end: m.index! + m[0].length }));
      if (!comments.length) break;
      const c = comments[r(comments.length)];
      const at = c.start + r(c.end - c.start + 1);
      const next = r(4) === 0 ? cur.slice(0, at) + cur.slice(Math.min(c.end, at + 1 + r(3))) : cur.slice(0, at) + TYPED[r(TYPED.length)] + cur.slice(at);
      const inc = analyze(file, next, hostFor(path.dirname(file)), OPTS, prev);
      edits++;
      if (assertSameAsFull(file, next, inc, `${path.basename(file)} comment step ${step}`)) fast++;
      prev = inc;
      cur = next;
    }
  }
  assert.ok(fast > edits * 0.4, `comment edits taken incrementally: ${fast} of ${edits}`);
});
