// Image normalization: 8-bit pixels -> float, subtract the mean, divide by the standard deviation.
__global__ void u8_to_f32(const unsigned char* __restrict__ src, float* __restrict__ dst, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) dst[i] = static_cast<float>(src[i]);
}

__global__ void subtract_mean(const float* __restrict__ in, float* __restrict__ out, float mean, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) out[i] = in[i] - mean;
}

__global__ void divide_std(const float* __restrict__ in, float* __restrict__ out, float stdev, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) out[i] = in[i] / stdev;
}

void pipeline(const unsigned char* __restrict__ img, float* __restrict__ out, int n, cudaStream_t s) {
  static float *f = nullptr, *centered = nullptr;
  if (!f) cudaMalloc(&f, n * sizeof(float));
  if (!centered) cudaMalloc(&centered, n * sizeof(float));
  const int block = 256;
  const int grid = (n + block - 1) / block;
  u8_to_f32<<<grid, block, 0, s>>>(img, f, n);
  subtract_mean<<<grid, block, 0, s>>>(f, centered, 114.8f, n);
  divide_std<<<grid, block, 0, s>>>(centered, out, 57.4f, n);
}

const char* bench_name() { return "normalize_u8"; }
double bench_tolerance() { return 1e-6; }
std::vector<bench::Spec> bench_spec(size_t n) { return {{"img", bench::Kind::U8, n, false, 0, 256}, {"out", bench::Kind::F32, n, true}}; }
void bench_call(const bench::Bufs& b, cudaStream_t s) { pipeline(b.at<unsigned char>(0), b.f(1), (int)b.n, s); }
