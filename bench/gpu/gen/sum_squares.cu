// Squared L2 norm: square every element, then a shared-memory block reduction with one atomic per block.
__global__ void square(const float* __restrict__ x, float* __restrict__ sq, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) sq[i] = x[i] * x[i];
}

__global__ void block_sum(const float* __restrict__ v, float* __restrict__ total, int n) {
  __shared__ float partial[256];
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  partial[threadIdx.x] = i < n ? v[i] : 0.f;
  __syncthreads();
  for (int stride = blockDim.x / 2; stride > 0; stride /= 2) {
    if (threadIdx.x < stride) partial[threadIdx.x] += partial[threadIdx.x + stride];
    __syncthreads();
  }
  if (threadIdx.x == 0) atomicAdd(total, partial[0]);
}

void pipeline(const float* __restrict__ x, float* __restrict__ total, int n, cudaStream_t s) {
  static float* sq = nullptr;
  if (!sq) cudaMalloc(&sq, n * sizeof(float));
  cudaMemsetAsync(total, 0, sizeof(float), s);
  const int grid = (n + 255) / 256;
  square<<<grid, 256, 0, s>>>(x, sq, n);
  block_sum<<<grid, 256, 0, s>>>(sq, total, n);
}

const char* bench_name() { return "sum_squares"; }
// float atomics add in a different order on every run: compare the totals loosely
double bench_tolerance() { return 1e-3; }
std::vector<bench::Spec> bench_spec(size_t n) { return {{"x", bench::Kind::F32, n, false}, {"total", bench::Kind::F32, 1, true}}; }
void bench_call(const bench::Bufs& b, cudaStream_t s) { pipeline(b.f(0), b.f(1), (int)b.n, s); }
