// Generates a workspace of N source files for the workspace-scale benchmarks (never committed):
// CUDA files of 80-600 lines from gen-cuda.mjs in module folders, a shared header per module whose
// kernels other files of the module launch (cross-file resolution through `#include`), and a few
// C++ and TypeScript files. Deterministic for a given seed.
// Usage: node bench/gen-tree.mjs DIR [files=2000] [seed=1]
import * as fs from 'node:fs';
import * as path from 'node:path';
import { generateCuda } from './gen-cuda.mjs';

export function generateTree(dir, files = 2000, seed = 1) {
  let s = seed >>> 0;
  const rnd = (n) => { s = (s * 1664525 + 1013904223) >>> 0; return s % n; };
  const perModule = 50;
  let bytes = 0;
  let lines = 0;
  const write = (p, text) => {
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, text);
    bytes += text.length;
    lines += text.split('\n').length;
  };
  for (let i = 0; i < files; i++) {
    const mod = `mod_${String(Math.floor(i / perModule)).padStart(3, '0')}`;
    const mdir = path.join(dir, 'src', mod);
    const idx = i % perModule;
    if (idx === 0) {
      // the module's header: kernels the other files launch
      write(path.join(mdir, 'ops.cuh'), [
        '#pragma once',
        `__global__ void ${mod}_scale(const float* in, float* out, int n) {`, '  int i = blockIdx.x * blockDim.x + threadIdx.x;', '  if (i < n) out[i] = in[i] * 2.0f;', '}',
        `__global__ void ${mod}_bias(const float* in, float* out, int n) {`, '  int i = blockIdx.x * blockDim.x + threadIdx.x;', '  if (i < n) out[i] = in[i] + 1.0f;', '}', '',
      ].join('\n'));
      continue;
    }
    const kind = rnd(20);
    if (kind === 0) {
      write(path.join(mdir, `tool_${idx}.ts`), `// host-side tool\nexport function f${idx}(x: number): number {\n  return x * ${idx};\n}\n`);
      continue;
    }
    const body = generateCuda(80 + rnd(520), seed * 100000 + i);
    const uses = kind < 8
      ? `\n#include "ops.cuh"\nvoid uses_header_${idx}(const float* __restrict__ x, float* __restrict__ t, float* __restrict__ y, int n) {\n  ${mod}_scale<<<(n + 255) / 256, 256>>>(x, t, n);\n  ${mod}_bias<<<(n + 255) / 256, 256>>>(t, y, n);\n}\n`
      : '';
    write(path.join(mdir, kind === 19 ? `file_${idx}.cpp` : `file_${idx}.cu`), body + uses);
  }
  return { files, bytes, lines };
}

if (process.argv[1]?.endsWith('gen-tree.mjs')) {
  const dir = process.argv[2];
  if (!dir) {
    console.error('usage: node bench/gen-tree.mjs DIR [files=2000] [seed=1]');
    process.exit(2);
  }
  const r = generateTree(dir, Number(process.argv[3] ?? 2000), Number(process.argv[4] ?? 1));
  console.log(JSON.stringify(r));
}
