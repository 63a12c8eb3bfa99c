// 2D: a 3x3 box blur (stencil) followed by a threshold that reads the blur per pixel.
__global__ void box_blur3(const float* __restrict__ in, float* __restrict__ out, int width, int height) {
  int x = blockIdx.x * blockDim.x + threadIdx.x;
  int y = blockIdx.y * blockDim.y + threadIdx.y;
  if (x >= width || y >= height) return;
  float acc = 0.f;
  for (int dy = -1; dy <= 1; ++dy) {
    for (int dx = -1; dx <= 1; ++dx) {
      int xx = min(max(x + dx, 0), width - 1);
      int yy = min(max(y + dy, 0), height - 1);
      acc += in[yy * width + xx];
    }
  }
  out[y * width + x] = acc / 9.f;
}

__global__ void threshold(const float* __restrict__ in, unsigned char* __restrict__ mask, float level, int width, int height) {
  int x = blockIdx.x * blockDim.x + threadIdx.x;
  int y = blockIdx.y * blockDim.y + threadIdx.y;
  if (x < width && y < height) mask[y * width + x] = in[y * width + x] > level ? 255 : 0;
}

void pipeline(const float* __restrict__ img, unsigned char* __restrict__ mask, int w, int h, cudaStream_t s) {
  static float* blurred = nullptr;
  if (!blurred) cudaMalloc(&blurred, (size_t)w * h * sizeof(float));
  dim3 block(32, 8);
  dim3 grid((w + block.x - 1) / block.x, (h + block.y - 1) / block.y);
  box_blur3<<<grid, block, 0, s>>>(img, blurred, w, h);
  threshold<<<grid, block, 0, s>>>(blurred, mask, 0.1f, w, h);
}

const char* bench_name() { return "blur_threshold_2d"; }
double bench_tolerance() { return 0; }
// n is the image width; the height is n * 9 / 16
std::vector<bench::Spec> bench_spec(size_t n) { size_t px = n * (n * 9 / 16); return {{"img", bench::Kind::F32, px, false}, {"mask", bench::Kind::U8, px, true}}; }
void bench_call(const bench::Bufs& b, cudaStream_t s) { pipeline(b.f(0), b.at<unsigned char>(1), (int)b.n, (int)(b.n * 9 / 16), s); }
