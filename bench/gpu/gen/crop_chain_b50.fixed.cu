// The FKL paper's case: 50 crops of one frame, each converted to float, normalized and split into
// planes (three kernels per crop, 150 launches).
#define NUM_CROPS 50
#define CROP_W 60
#define CROP_H 120
#define FRAME_W 1920

__global__ void crop_to_float(const uchar3* __restrict__ frame, int frame_w, int x0, int y0, float3* __restrict__ out, int w, int h) {
  int x = blockIdx.x * blockDim.x + threadIdx.x;
  int y = blockIdx.y * blockDim.y + threadIdx.y;
  if (x < w && y < h) {
    uchar3 p = frame[(y0 + y) * frame_w + (x0 + x)];
    out[y * w + x] = make_float3(p.x, p.y, p.z);
  }
}

__global__ void normalize_px(const float3* __restrict__ in, float3* __restrict__ out, float3 mean, float3 inv_std, int w, int h) {
  int x = blockIdx.x * blockDim.x + threadIdx.x;
  int y = blockIdx.y * blockDim.y + threadIdx.y;
  if (x < w && y < h) {
    float3 v = in[y * w + x];
    out[y * w + x] = make_float3((v.x - mean.x) * inv_std.x, (v.y - mean.y) * inv_std.y, (v.z - mean.z) * inv_std.z);
  }
}

__global__ void split_planes(const float3* __restrict__ in, float* __restrict__ r, float* __restrict__ g, float* __restrict__ b, int w, int h) {
  int x = blockIdx.x * blockDim.x + threadIdx.x;
  int y = blockIdx.y * blockDim.y + threadIdx.y;
  if (x < w && y < h) {
    float3 v = in[y * w + x];
    r[y * w + x] = v.x;
    g[y * w + x] = v.y;
    b[y * w + x] = v.z;
  }
}

// Fusion Lens: one launch for every item of `for (int k = 0; k < NUM_CROPS; ++k)` (crop_to_float -> normalize_px -> split_planes per item).
// Each item runs in its own blockIdx.z slice; per-item arguments come by value in a struct.
struct crop_to_float_normalize_px_split_planes_item {
  float* r;
  float* g;
  float* b;
  int x0;
  int y0;
};
struct crop_to_float_normalize_px_split_planes_batch {
  crop_to_float_normalize_px_split_planes_item items[50];
};
__global__ void crop_to_float_normalize_px_split_planes_batched(const __grid_constant__ crop_to_float_normalize_px_split_planes_batch batch, const uchar3* __restrict__ frame, int frame_w, int w, int h, float3 mean, float3 inv_std) {
  const crop_to_float_normalize_px_split_planes_item& item = batch.items[blockIdx.z];
  float* __restrict__ r = item.r;
  float* __restrict__ g = item.g;
  float* __restrict__ b = item.b;
  int x0 = item.x0;
  int y0 = item.y0;
  int x = blockIdx.x * blockDim.x + threadIdx.x;
  int y = blockIdx.y * blockDim.y + threadIdx.y;
  if (x < w && y < h) {
    float3 crop;
    float3 norm;
    // crop_to_float
    {
      uchar3 p = frame[(y0 + y) * frame_w + (x0 + x)];
      crop = make_float3(p.x, p.y, p.z);
    }
    // normalize_px
    {
      float3 v = crop;
      norm = make_float3((v.x - mean.x) * inv_std.x, (v.y - mean.y) * inv_std.y, (v.z - mean.z) * inv_std.z);
    }
    // split_planes
    {
      float3 v = norm;
      r[y * w + x] = v.x;
      g[y * w + x] = v.y;
      b[y * w + x] = v.z;
    }
  }
}

void pipeline(const uchar3* __restrict__ frame, float* __restrict__ r, float* __restrict__ g, float* __restrict__ b, cudaStream_t stream) {
  const int plane = CROP_W * CROP_H;
  static float3 *crop = nullptr, *norm = nullptr;
  if (!crop) cudaMalloc(&crop, plane * sizeof(float3));
  if (!norm) cudaMalloc(&norm, plane * sizeof(float3));
  const float3 mean = make_float3(123.7f, 116.3f, 103.5f);
  const float3 inv_std = make_float3(1 / 58.4f, 1 / 57.1f, 1 / 57.4f);
  dim3 block(32, 8);
  dim3 grid((CROP_W + block.x - 1) / block.x, (CROP_H + block.y - 1) / block.y);
  crop_to_float_normalize_px_split_planes_batch fl_batch;
  for (int k = 0; k < NUM_CROPS; ++k) {
    fl_batch.items[k] = {r + k * plane, g + k * plane, b + k * plane, (k * 37) % 1800, (k * 53) % 900};
  }
  crop_to_float_normalize_px_split_planes_batched<<<dim3((grid).x, (grid).y, NUM_CROPS), block, 0, stream>>>(fl_batch, frame, FRAME_W, CROP_W, CROP_H, mean, inv_std);
}

const char* bench_name() { return "crop_chain_b50"; }
double bench_tolerance() { return 1e-6; }
// the frame is 1920x1080 uchar3 (n is ignored)
std::vector<bench::Spec> bench_spec(size_t) {
  const size_t planes = (size_t)NUM_CROPS * CROP_W * CROP_H;
  return {{"frame", bench::Kind::U8, (size_t)FRAME_W * 1080 * 3, false, 0, 256}, {"r", bench::Kind::F32, planes, true}, {"g", bench::Kind::F32, planes, true}, {"b", bench::Kind::F32, planes, true}};
}
void bench_call(const bench::Bufs& bb, cudaStream_t s) { pipeline(bb.at<uchar3>(0), bb.f(1), bb.f(2), bb.f(3), s); }
