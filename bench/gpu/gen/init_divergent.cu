// Four small independent initialization kernels (divergent horizontal fusion).
__global__ void fill_value(float* __restrict__ p, float v, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) p[i] = v;
}

__global__ void fill_iota(int* __restrict__ idx, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) idx[i] = i;
}

__global__ void scale_copy(const float* __restrict__ src, float* __restrict__ dst, float k, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) dst[i] = k * src[i];
}

void pipeline(float* __restrict__ a, float* __restrict__ b, int* __restrict__ idx, const float* __restrict__ src, float* __restrict__ dst, int n, cudaStream_t s) {
  const int t = 256;
  fill_value<<<(n + t - 1) / t, t, 0, s>>>(a, 0.f, n);
  fill_value<<<(n / 4 + t - 1) / t, t, 0, s>>>(b, 1.f, n / 4);
  fill_iota<<<(n + t - 1) / t, t, 0, s>>>(idx, n);
  scale_copy<<<(n + t - 1) / t, t, 0, s>>>(src, dst, 3.f, n);
}

const char* bench_name() { return "init_divergent"; }
double bench_tolerance() { return 0; }
std::vector<bench::Spec> bench_spec(size_t n) { return {{"a", bench::Kind::F32, n, true}, {"b", bench::Kind::F32, n / 4, true}, {"idx", bench::Kind::I32, n, true}, {"src", bench::Kind::F32, n, false}, {"dst", bench::Kind::F32, n, true}}; }
void bench_call(const bench::Bufs& b, cudaStream_t s) { pipeline(b.f(0), b.f(1), b.at<int>(2), b.f(3), b.f(4), (int)b.n, s); }
