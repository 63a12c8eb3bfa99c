// Prepares the GPU proof run: writes the generated cases (elementwise chains of 2/4/8 kernels, batch
// loops of 8/50/200 items), applies `fusion-lens fix` to every case, records the analyzer's
// predictions for each size on the H100 and H200 profiles, and builds the driver binaries with nvcc
// here (no GPU needed) so the device machine only runs them. gen/ is committed on purpose: the
// device machine receives tracked files only, and gen/ is the exact code bench/gpu/results timed
// (its .cu files repeat cases/ and the examples they come from).
// Usage: node bench/gpu/prepare.mjs [--no-build]
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;
const dir = join(root, 'bench/gpu');
const gen = join(dir, 'gen');
const cli = join(root, 'dist/cli.js');
rmSync(gen, { recursive: true, force: true });
mkdirSync(join(gen, 'bin'), { recursive: true });

// ---- generated cases
const chain = (N) => `// ${N} elementwise kernels y = x * a + b in a chain (the H200 calibration case, research/gpu-calibration.md).
__global__ void axpb(const float* __restrict__ x, float* __restrict__ y, float a, float b, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) y[i] = x[i] * a + b;
}

void pipeline(const float* __restrict__ x, float* __restrict__ y, int n, cudaStream_t s) {
  static float *t1 = nullptr, *t2 = nullptr;  // scratch allocated once per process
  if (!t1) cudaMalloc(&t1, n * sizeof(float));
  if (!t2) cudaMalloc(&t2, n * sizeof(float));
  const int block = 256;
  const int grid = (n + block - 1) / block;
${Array.from({ length: N }, (_, k) => `  axpb<<<grid, block, 0, s>>>(${k === 0 ? 'x' : k % 2 ? 't1' : 't2'}, ${k === N - 1 ? 'y' : k % 2 ? 't2' : 't1'}, 1.0001f, 0.5f, n);`).join('\n')}
}

const char* bench_name() { return "chain${N}"; }
double bench_tolerance() { return 1e-6; }
std::vector<bench::Spec> bench_spec(size_t n) { return {{"x", bench::Kind::F32, n, false}, {"y", bench::Kind::F32, n, true}}; }
void bench_call(const bench::Bufs& b, cudaStream_t s) { pipeline(b.f(0), b.f(1), (int)b.n, s); }
`;
const batch = (B) => `// ${B} launches of a small image scale, one per item (the H200 horizontal calibration case).
#define BATCH ${B}

__global__ void scale_img(const float* __restrict__ x, float* __restrict__ y, float s, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) y[i] = x[i] * s;
}

void pipeline(const float* __restrict__ in, float* __restrict__ out, int n, cudaStream_t st) {
  for (int b = 0; b < BATCH; ++b)
    scale_img<<<(n + 255) / 256, 256, 0, st>>>(in + b * n, out + b * n, 2.f, n);
}

const char* bench_name() { return "batch_scale_b${B}"; }
double bench_tolerance() { return 0; }
std::vector<bench::Spec> bench_spec(size_t n) { return {{"in", bench::Kind::F32, n * BATCH, false}, {"out", bench::Kind::F32, n * BATCH, true}}; }
void bench_call(const bench::Bufs& b, cudaStream_t s) { pipeline(b.f(0), b.f(1), (int)b.n, s); }
`;
const cases = {};
for (const N of [2, 4, 8]) cases[`chain${N}`] = { text: chain(N), sizes: [1 << 12, 1 << 16, 1 << 20, 1 << 24, 1 << 26] };
for (const B of [8, 50, 200]) cases[`batch_scale_b${B}`] = { text: batch(B), sizes: [60 * 120 * 3] };
const sizes = {
  normalize_u8: [1 << 16, 1 << 20, 1920 * 1080 * 3, 1 << 26],
  activation_live: [1 << 16, 1 << 20, 1 << 24, 1 << 26],
  sum_squares: [1 << 16, 1 << 20, 1 << 24, 1 << 26],
  blur_threshold_2d: [640, 1920, 3840],
  heat_graph: [4096, 65536],
  init_divergent: [4096, 65536],
  crop_chain_b50: [0],
  thrust_transform_reduce: [1 << 16, 1 << 20, 1 << 24, 1 << 26],
  thrust_count_if: [1 << 16, 1 << 20, 1 << 24, 1 << 26],
  thrust_inner_product: [1 << 16, 1 << 20, 1 << 24, 1 << 26],
  thrust_transform_scan: [1 << 16, 1 << 20, 1 << 24, 1 << 26],
};
for (const f of readdirSync(join(dir, 'cases')).filter(f => f.endsWith('.cu'))) {
  const name = f.replace(/\.cu$/, '');
  cases[name] = { text: readFileSync(join(dir, 'cases', f), 'utf8'), sizes: sizes[name] ?? [1 << 20] };
}

// ---- fix every case; predictions for each size on both Hopper profiles
const predictions = {};
for (const [name, c] of Object.entries(cases)) {
  const orig = join(gen, `${name}.cu`);
  const fixed = join(gen, `${name}.fixed.cu`);
  writeFileSync(orig, c.text);
  writeFileSync(fixed, c.text);
  const out = execFileSync(process.execPath, [cli, 'fix', fixed, '--default-size', String(c.sizes[0] || 1 << 20)], { encoding: 'utf8' });
  if (!/applied/.test(out)) throw new Error(`${name}: no fix applied\n${out}`);
  // the system headers of both versions, for the driver to include outside its namespaces
  const systemIncludes = [...new Set([c.text, readFileSync(fixed, 'utf8')].flatMap(t => t.split('\n')).filter(l => /^#include\s*</.test(l)))];
  if (systemIncludes.length) writeFileSync(join(gen, `${name}.prelude.cuh`), `${systemIncludes.join('\n')}\n`);
  predictions[name] = { sizes: c.sizes, byGpu: {} };
  for (const gpu of ['h100', 'h200']) {
    predictions[name].byGpu[gpu] = c.sizes.map(n => {
      let json;
      try {
        const elems = name === 'blur_threshold_2d' ? n * Math.floor((n * 9) / 16) : n || 1 << 20;
        json = execFileSync(process.execPath, [cli, 'check', orig, '--format', 'json', '--gpu', gpu, '--default-size', String(elems)], { encoding: 'utf8' });
      } catch (e) {
        json = e.stdout; // exit code 1: findings
      }
      const f = JSON.parse(json).files[0].findings;
      const pick = f.find(x => x.fixable) ?? f[0];
      return pick ? { n, rule: pick.rule, ...pick.estimate, assumptions: undefined } : { n };
    });
  }
  console.log(`${name}: fixed (${out.trim()})`);
}
writeFileSync(join(gen, 'predictions.json'), JSON.stringify(predictions, null, 1));
writeFileSync(join(gen, 'cases.json'), JSON.stringify(Object.fromEntries(Object.entries(cases).map(([k, c]) => [k, c.sizes]))));

// ---- build the binaries here: the device only runs them
if (!process.argv.includes('--no-build')) {
  const names = Object.keys(cases);
  let next = 0;
  const failures = [];
  const build = name => new Promise(res => {
    const prelude = existsSync(join(gen, `${name}.prelude.cuh`)) ? [`-DCASE_PRELUDE="gen/${name}.prelude.cuh"`] : [];
    const p = spawn('nvcc', ['-O3', '-std=c++17', '-arch=sm_90', '-lineinfo', ...prelude, `-DCASE_ORIG="gen/${name}.cu"`, `-DCASE_FUSED="gen/${name}.fixed.cu"`, '-o', `gen/bin/${name}`, 'driver.cu'], { cwd: dir });
    let log = '';
    p.stdout.on('data', d => (log += d));
    p.stderr.on('data', d => (log += d));
    p.on('close', code => { if (code !== 0) failures.push(`${name}:\n${log}`); else if (/warning/.test(log)) console.log(`${name}: warnings\n${log}`); res(); });
  });
  await Promise.all([0, 1].map(async () => { while (next < names.length) await build(names[next++]); }));
  execFileSync('nvcc', ['-O3', '-std=c++17', '-arch=sm_90', '-o', 'gen/bin/calib', 'calib.cu'], { cwd: dir, stdio: 'inherit' });
  if (failures.length) { console.error(failures.join('\n')); process.exit(1); }
  console.log(`built ${names.length} binaries in bench/gpu/gen/bin`);
}
