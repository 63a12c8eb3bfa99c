// 8 launches of a small image scale, one per item (the H200 horizontal calibration case).
#define BATCH 8

__global__ void scale_img(const float* __restrict__ x, float* __restrict__ y, float s, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) y[i] = x[i] * s;
}

// Fusion Lens: one launch for every item of `for (int b = 0; b < BATCH; ++b)` (scale_img per item).
// Each item runs in its own blockIdx.y slice; per-item arguments come by value in a struct.
struct scale_img_item {
  const float* x;
  float* y;
};
struct scale_img_batch {
  scale_img_item items[8];
};
__global__ void scale_img_batched(const __grid_constant__ scale_img_batch batch, float s, int n) {
  const scale_img_item& item_2 = batch.items[blockIdx.y];
  const float* __restrict__ x = item_2.x;
  float* __restrict__ y = item_2.y;
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) {
    // scale_img
    y[i] = x[i] * s;
  }
}

void pipeline(const float* __restrict__ in, float* __restrict__ out, int n, cudaStream_t st) {
  scale_img_batch fl_batch;
  for (int b = 0; b < BATCH; ++b)
    fl_batch.items[b] = {in + b * n, out + b * n};
  scale_img_batched<<<dim3((n + 255) / 256, BATCH), 256, 0, st>>>(fl_batch, 2.f, n);
}

const char* bench_name() { return "batch_scale_b8"; }
double bench_tolerance() { return 0; }
std::vector<bench::Spec> bench_spec(size_t n) { return {{"in", bench::Kind::F32, n * BATCH, false}, {"out", bench::Kind::F32, n * BATCH, true}}; }
void bench_call(const bench::Bufs& b, cudaStream_t s) { pipeline(b.f(0), b.f(1), (int)b.n, s); }
