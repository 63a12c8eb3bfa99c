// 4 elementwise kernels y = x * a + b in a chain (the H200 calibration case, research/gpu-calibration.md).
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
  axpb<<<grid, block, 0, s>>>(x, t1, 1.0001f, 0.5f, n);
  axpb<<<grid, block, 0, s>>>(t1, t2, 1.0001f, 0.5f, n);
  axpb<<<grid, block, 0, s>>>(t2, t1, 1.0001f, 0.5f, n);
  axpb<<<grid, block, 0, s>>>(t1, y, 1.0001f, 0.5f, n);
}

const char* bench_name() { return "chain4"; }
double bench_tolerance() { return 1e-6; }
std::vector<bench::Spec> bench_spec(size_t n) { return {{"x", bench::Kind::F32, n, false}, {"y", bench::Kind::F32, n, true}}; }
void bench_call(const bench::Bufs& b, cudaStream_t s) { pipeline(b.f(0), b.f(1), (int)b.n, s); }
