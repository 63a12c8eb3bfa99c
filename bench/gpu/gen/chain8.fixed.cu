// 8 elementwise kernels y = x * a + b in a chain (the H200 calibration case, research/gpu-calibration.md).
__global__ void axpb(const float* __restrict__ x, float* __restrict__ y, float a, float b, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) y[i] = x[i] * a + b;
}

// Fusion Lens: fused axpb -> axpb -> axpb -> axpb -> axpb -> axpb -> axpb -> axpb (8 launches -> 1).
// `t1` and `t2` stay in registers instead of a round trip through device memory.
__global__ void axpb_to_axpb_fused(const float* __restrict__ x, float* __restrict__ y, float a, float b, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) {
    float t1;
    float t2;
    // axpb
    t1 = x[i] * a + b;
    // axpb
    t2 = t1 * a + b;
    // axpb
    t1 = t2 * a + b;
    // axpb
    t2 = t1 * a + b;
    // axpb
    t1 = t2 * a + b;
    // axpb
    t2 = t1 * a + b;
    // axpb
    t1 = t2 * a + b;
    // axpb
    y[i] = t1 * a + b;
  }
}

void pipeline(const float* __restrict__ x, float* __restrict__ y, int n, cudaStream_t s) {
  static float *t1 = nullptr, *t2 = nullptr;  // scratch allocated once per process
  if (!t1) cudaMalloc(&t1, n * sizeof(float));
  if (!t2) cudaMalloc(&t2, n * sizeof(float));
  const int block = 256;
  const int grid = (n + block - 1) / block;
  axpb_to_axpb_fused<<<grid, block, 0, s>>>(x, y, 1.0001f, 0.5f, n);
}

const char* bench_name() { return "chain8"; }
double bench_tolerance() { return 1e-6; }
std::vector<bench::Spec> bench_spec(size_t n) { return {{"x", bench::Kind::F32, n, false}, {"y", bench::Kind::F32, n, true}}; }
void bench_call(const bench::Bufs& b, cudaStream_t s) { pipeline(b.f(0), b.f(1), (int)b.n, s); }
