// FL022: CUDA Graph capture for launch-bound loops whose launches cannot be fused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeText, applyFirstFix, readExample } from '../helpers/analyze';

const stencil = `__global__ void smooth(const float* u, float* v, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i > 0 && i < n - 1) v[i] = 0.5f * (u[i - 1] + u[i + 1]);
}
`;
const prog = (n: string, stream: string, loopBody: string) => `${stencil}void run(cudaStream_t s, int steps) {
  const int n = ${n};
  float *a, *b;
  cudaMalloc(&a, n * 4); cudaMalloc(&b, n * 4);
  for (int t = 0; t < steps; ++t) {
${loopBody.replace(/STREAM/g, stream)}
  }
}
`;
const body = '    smooth<<<(n + 255) / 256, 256, 0, STREAM>>>(a, b, n);\n    smooth<<<(n + 255) / 256, 256, 0, STREAM>>>(b, a, n);';
const fl022 = (src: string) => analyzeText(src).findings.find(f => f.rule === 'FL022');

test('small stencil steps in a loop: capture them in a graph (with a fix)', () => {
  const src = prog('4096', 's', body);
  const r = analyzeText(src);
  const f = r.findings.find(x => x.rule === 'FL022')!;
  assert.ok(f, JSON.stringify(r.refusals));
  assert.equal(f.kind, 'graph');
  assert.ok(f.estimate.speedup >= 1.2);
  assert.ok(f.fixable, f.fixUnavailable);
  const fixed = applyFirstFix(src, r);
  assert.match(fixed, /cudaStreamBeginCapture\(s, cudaStreamCaptureModeThreadLocal\);\n\s+smooth<<<\(n \+ 255\) \/ 256, 256, 0, s>>>\(a, b, n\);\n\s+smooth<<<[^\n]+\(b, a, n\);\n\s+cudaStreamEndCapture\(s, &fl_graph\);/);
  assert.match(fixed, /for \(int t = 0; t < steps; \+\+t\) \{\n\s+cudaGraphLaunch\(fl_graph_exec, s\);\n\s+\}\n\s+cudaGraphExecDestroy\(fl_graph_exec\);/);
  assert.equal(analyzeText(fixed).findings.length, 0);
});

test('no graph: memory-bound steps, arguments that change, the default stream', () => {
  assert.equal(fl022(prog('1 << 26', 's', body)), undefined, 'large steps are memory-bound');
  const pingPong = `${stencil}void run(cudaStream_t s, int steps) {\n  const int n = 4096;\n  float *a, *b;\n  cudaMalloc(&a, n * 4); cudaMalloc(&b, n * 4);\n  for (int t = 0; t < steps; ++t) {\n    smooth<<<16, 256, 0, s>>>(a, b, n);\n    smooth<<<16, 256, 0, s>>>(b, a, n);\n    float* tmp = a; a = b; b = tmp;\n  }\n}\n`;
  assert.equal(fl022(pingPong), undefined, 'pointers swapped every iteration: a graph would freeze them');
  const f = fl022(prog('4096', '0', body))!;
  assert.ok(f, 'still reported on the default stream');
  assert.equal(f.fixable, false);
  assert.match(f.fixUnavailable!, /legacy default stream/);
});

test('the heat-diffusion example gets a graph, not a fusion', () => {
  const r = analyzeText(readExample('cuda/heat_diffusion_steps.cu'), '/virtual/heat.cu');
  assert.deepEqual(r.findings.map(f => f.rule), ['FL022']);
  assert.equal(r.findings[0].estimate.launchesBefore, 4000);
});
