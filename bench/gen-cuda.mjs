// Generates a synthetic CUDA file of about N lines: kernels of every shape (guarded, early return,
// grid-stride, 2D, templates with __launch_bounds__, shared-memory reductions), host functions with
// launch chains in all configuration forms, macros, and `<<<` inside strings and comments.
// `mixed` puts plain C++ host code (data handling, a small class, loops, I/O) after each group of
// kernels, for about the kernel density of the real files in research/parsing.md's corpus.
// Usage: node bench/gen-cuda.mjs [lines=10000] [seed=1] [mixed] > file.cu
export function generateCuda(targetLines = 10000, seed = 1, mixed = false) {
  let s = seed >>> 0;
  const rnd = (n) => { s = (s * 1664525 + 1013904223) >>> 0; return s % n; };
  const out = ['#include <cuda_runtime.h>', '#include <cstdio>', '#define N (1 << 20)', '#define BLOCK 256',
    '#define CHECK(x) do { cudaError_t e = (x); if (e != cudaSuccess) { printf("%s\\n", cudaGetErrorString(e)); } } while (0)',
    '#define LAUNCH(k, g, b, ...) \\', '  k<<<g, b>>>(__VA_ARGS__)', 'static const char* kMsg = "not a launch: k<<<1, 1>>>()";', ''];
  let kernels = [];
  let k = 0;
  const ops = ['in[i] * 2.0f', 'in[i] + 1.0f', 'fmaxf(in[i], 0.f)', 'in[i] * in[i]', '__expf(in[i])', 'in[i] - 0.5f'];
  while (out.length < targetLines) {
    // a batch of kernels
    const batch = [];
    for (let j = 0; j < 6; j++) {
      const name = `k${k++}`;
      const shape = rnd(6);
      const op = ops[rnd(ops.length)];
      if (shape === 0) out.push(`__global__ void ${name}(const float* __restrict__ in, float* __restrict__ out, int n) {`, '  int i = blockIdx.x * blockDim.x + threadIdx.x;', `  if (i < n) out[i] = ${op};`, '}');
      else if (shape === 1) out.push(`__global__ void ${name}(const float* in, float* out, int n) {`, '  int i = threadIdx.x + blockIdx.x * blockDim.x;', '  if (i >= n) return;', `  out[i] = ${op};`, '}');
      else if (shape === 2) out.push(`__global__ void ${name}(const float* in, float* out, int n) {`, '  for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += blockDim.x * gridDim.x) {', `    out[i] = ${op};`, '  }', '}');
      else if (shape === 3) out.push(`template <typename T, int BS = 256>`, `__global__ void __launch_bounds__(256) ${name}(const T* in, T* out, int n) {`, '  __shared__ T tile[BS];', '  int i = blockIdx.x * blockDim.x + threadIdx.x;', '  tile[threadIdx.x] = i < n ? in[i] : T(0);', '  __syncthreads();', '  if (i < n) out[i] = tile[threadIdx.x] * T(2);', '}');
      else if (shape === 4) out.push(`__global__ void ${name}(const float* in, float* out, int w, int h) {`, '  int x = blockIdx.x * blockDim.x + threadIdx.x;', '  int y = blockIdx.y * blockDim.y + threadIdx.y;', `  if (x < w && y < h) out[y * w + x] = in[y * w + x] * 0.5f; // k<<<1,1>>> in a comment`, '}');
      else out.push(`__global__ void ${name}(const float* in, float* out, int n) {`, '  int i = blockIdx.x * blockDim.x + threadIdx.x;', '  if (i > 0 && i < n - 1) out[i] = in[i - 1] + in[i + 1];', '}');
      out.push('');
      batch.push({ name, shape });
    }
    kernels.push(...batch);
    // a host function launching a chain over this batch
    const fn = `run_${k}`;
    out.push(`void ${fn}(cudaStream_t stream) {`, '  const int n = N;', '  float *a, *b, *c, *d;', '  CHECK(cudaMalloc(&a, n * sizeof(float)));', '  cudaMalloc(&b, n * sizeof(float));', '  cudaMalloc(&c, n * sizeof(float));', '  cudaMalloc(&d, n * sizeof(float));', '  const int grid = (n + BLOCK - 1) / BLOCK;');
    const bufs = ['a', 'b', 'c', 'd'];
    let cur = 0;
    for (const kk of batch) {
      const src = bufs[cur % 4];
      const dst = bufs[(cur + 1) % 4];
      cur++;
      const form = rnd(5);
      if (kk.shape === 3) out.push(`  ${kk.name}<float, 256><<<grid, BLOCK, 0, stream>>>(${src}, ${dst}, n);`);
      else if (kk.shape === 4) out.push(`  ${kk.name}<<<dim3(64, 64), dim3(16, 16)>>>(${src}, ${dst}, 1024, 1024);`);
      else if (form === 0) out.push(`  ${kk.name}<<<grid, BLOCK>>>(${src}, ${dst}, n);`);
      else if (form === 1) out.push(`  ${kk.name}<<<grid, BLOCK, 0>>>(${src}, ${dst}, n);`);
      else if (form === 2) out.push(`  LAUNCH(${kk.name}, grid, BLOCK, ${src}, ${dst}, n);`);
      else if (form === 3) out.push(`  ${kk.name}<<<grid, BLOCK, 0, stream>>>(${src}, ${dst}, n);`);
      else out.push(`  ${kk.name}<<<grid, BLOCK>>>(${src}, ${dst}, n);`, '  CHECK(cudaGetLastError());');
      if (rnd(7) === 0) out.push('  cudaDeviceSynchronize();');
    }
    out.push('  cudaFree(a); cudaFree(b); cudaFree(c); cudaFree(d);', '}', '');
    if (mixed) out.push(...hostCode(k, rnd));
  }
  return out.join('\n') + '\n';
}

/** About 60 lines of ordinary host C++ with no kernel launches. */
function hostCode(k, rnd) {
  const c = `Stats${k}`;
  return [
    `struct ${c} {`, '  std::vector<double> values;', '  double sum = 0, sumSq = 0;', '  int count = 0;',
    '  void add(double v) {', '    values.push_back(v);', '    sum += v;', '    sumSq += v * v;', '    ++count;', '  }',
    '  double mean() const { return count ? sum / count : 0.0; }',
    '  double variance() const {', '    if (count < 2) return 0.0;', '    const double m = mean();', '    return (sumSq - count * m * m) / (count - 1);', '  }',
    '  double percentile(double p) const {', '    std::vector<double> s = values;', '    std::sort(s.begin(), s.end());',
    '    const size_t at = static_cast<size_t>(p * (s.size() - 1));', '    return s.empty() ? 0.0 : s[at];', '  }', '};', '',
    `static bool parse_line_${k}(const std::string& line, std::vector<float>& out) {`, '  std::stringstream ss(line);', '  std::string field;',
    "  while (std::getline(ss, field, ',')) {", '    if (field.empty()) return false;', '    char* end = nullptr;', '    const float v = std::strtof(field.c_str(), &end);',
    '    if (end == field.c_str()) return false;', '    out.push_back(v);', '  }', '  return !out.empty();', '}', '',
    `int load_${k}(const char* path, std::vector<float>& data) {`, '  std::ifstream in(path);', '  if (!in) {', '    std::fprintf(stderr, "cannot open %s\\n", path);', '    return -1;', '  }',
    '  std::string line;', '  int rows = 0;', '  while (std::getline(in, line)) {', `    if (!parse_line_${k}(line, data)) continue;`, '    ++rows;', `    if (rows % ${100 + rnd(900)} == 0) std::printf("%d rows\\n", rows);`, '  }',
    `  ${c} st;`, '  for (float v : data) st.add(v);', '  std::printf("mean %f var %f p90 %f\\n", st.mean(), st.variance(), st.percentile(0.9));', '  return rows;', '}', '',
  ];
}

if (process.argv[1]?.endsWith('gen-cuda.mjs')) {
  process.stdout.write(generateCuda(Number(process.argv[2] ?? 10000), Number(process.argv[3] ?? 1), process.argv[4] === 'mixed'));
}
