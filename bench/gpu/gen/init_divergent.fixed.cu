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

// Fusion Lens: one launch for `fill_value`, `fill_value`, `fill_iota`, `scale_copy` (independent of each other): each block runs one of them.
__global__ void fill_value_fill_value_fill_iota_scale_copy_hfused(float* __restrict__ p, float v, int n, float* __restrict__ p_2, float v_2, int n_2, int* __restrict__ idx, int n_3, const float* __restrict__ src, float* __restrict__ dst, float k, int n_4, unsigned int fill_value_blocks, unsigned int fill_value_blocks_2, unsigned int fill_iota_blocks) {
  if (blockIdx.x < fill_value_blocks) {
    // fill_value
    const unsigned int fl_block = blockIdx.x;
    int i = fl_block * blockDim.x + threadIdx.x;
    if (i < n) p[i] = v;
  } else if (blockIdx.x < fill_value_blocks + fill_value_blocks_2) {
    // fill_value
    const unsigned int fl_block = blockIdx.x - (fill_value_blocks);
    int i = fl_block * blockDim.x + threadIdx.x;
    if (i < n_2) p_2[i] = v_2;
  } else if (blockIdx.x < fill_value_blocks + fill_value_blocks_2 + fill_iota_blocks) {
    // fill_iota
    const unsigned int fl_block = blockIdx.x - (fill_value_blocks + fill_value_blocks_2);
    int i = fl_block * blockDim.x + threadIdx.x;
    if (i < n_3) idx[i] = i;
  } else {
    // scale_copy
    const unsigned int fl_block = blockIdx.x - (fill_value_blocks + fill_value_blocks_2 + fill_iota_blocks);
    int i = fl_block * blockDim.x + threadIdx.x;
    if (i < n_4) dst[i] = k * src[i];
  }
}

void pipeline(float* __restrict__ a, float* __restrict__ b, int* __restrict__ idx, const float* __restrict__ src, float* __restrict__ dst, int n, cudaStream_t s) {
  const int t = 256;
  fill_value_fill_value_fill_iota_scale_copy_hfused<<<((n + t - 1) / t) + ((n / 4 + t - 1) / t) + ((n + t - 1) / t) + ((n + t - 1) / t), t, 0, s>>>(a, 0.f, n, b, 1.f, n / 4, idx, n, src, dst, 3.f, n, (n + t - 1) / t, (n / 4 + t - 1) / t, (n + t - 1) / t);
}

const char* bench_name() { return "init_divergent"; }
double bench_tolerance() { return 0; }
std::vector<bench::Spec> bench_spec(size_t n) { return {{"a", bench::Kind::F32, n, true}, {"b", bench::Kind::F32, n / 4, true}, {"idx", bench::Kind::I32, n, true}, {"src", bench::Kind::F32, n, false}, {"dst", bench::Kind::F32, n, true}}; }
void bench_call(const bench::Bufs& b, cudaStream_t s) { pipeline(b.f(0), b.f(1), b.at<int>(2), b.f(3), b.f(4), (int)b.n, s); }
