// 8 launches of a small image scale, one per item (the H200 horizontal calibration case).
#define BATCH 8

__global__ void scale_img(const float* __restrict__ x, float* __restrict__ y, float s, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) y[i] = x[i] * s;
}

void pipeline(const float* __restrict__ in, float* __restrict__ out, int n, cudaStream_t st) {
  for (int b = 0; b < BATCH; ++b)
    scale_img<<<(n + 255) / 256, 256, 0, st>>>(in + b * n, out + b * n, 2.f, n);
}

const char* bench_name() { return "batch_scale_b8"; }
double bench_tolerance() { return 0; }
std::vector<bench::Spec> bench_spec(size_t n) { return {{"in", bench::Kind::F32, n * BATCH, false}, {"out", bench::Kind::F32, n * BATCH, true}}; }
void bench_call(const bench::Bufs& b, cudaStream_t s) { pipeline(b.f(0), b.f(1), (int)b.n, s); }
