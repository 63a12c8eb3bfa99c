// 2D image filter pipeline: brighten -> 3x3 box blur -> threshold. The blur reads neighbouring
// pixels, which other threads produce, so brighten cannot fuse into it (without a halo); the blur's
// own output is read per pixel by threshold, so those two fuse.
#include <cstdio>
#include <vector>
#include <cuda_runtime.h>

constexpr int W = 3840;
constexpr int H = 2160;

__global__ void brighten(const float* in, float* out, float gain, int width, int height) {
  int x = blockIdx.x * blockDim.x + threadIdx.x;
  int y = blockIdx.y * blockDim.y + threadIdx.y;
  if (x < width && y < height) out[y * width + x] = in[y * width + x] * gain;
}

__global__ void box_blur3(const float* in, float* out, int width, int height) {
  int x = blockIdx.x * blockDim.x + threadIdx.x;
  int y = blockIdx.y * blockDim.y + threadIdx.y;
  if (x >= width || y >= height) return;
  float acc = 0.f;
  int count = 0;
  for (int dy = -1; dy <= 1; ++dy) {
    for (int dx = -1; dx <= 1; ++dx) {
      int xx = min(max(x + dx, 0), width - 1);
      int yy = min(max(y + dy, 0), height - 1);
      acc += in[yy * width + xx];
      ++count;
    }
  }
  out[y * width + x] = acc / count;
}

__global__ void threshold(const float* in, unsigned char* mask, float level, int width, int height) {
  int x = blockIdx.x * blockDim.x + threadIdx.x;
  int y = blockIdx.y * blockDim.y + threadIdx.y;
  if (x < width && y < height) mask[y * width + x] = in[y * width + x] > level ? 255 : 0;
}

// Fusion Lens: fused box_blur3 -> threshold (2 launches -> 1).
// `d_blur` stays in registers instead of a round trip through device memory.
__global__ void box_blur3_threshold_fused(const float* in, unsigned char* mask, int width, int height, float level) {
  int x = blockIdx.x * blockDim.x + threadIdx.x;
  int y = blockIdx.y * blockDim.y + threadIdx.y;
  if (x >= width || y >= height) return;
  float blur;
  // box_blur3
  {
    float acc = 0.f;
    int count = 0;
    for (int dy = -1; dy <= 1; ++dy) {
      for (int dx = -1; dx <= 1; ++dx) {
        int xx = min(max(x + dx, 0), width - 1);
        int yy = min(max(y + dy, 0), height - 1);
        acc += in[yy * width + xx];
        ++count;
      }
    }
    blur = acc / count;
  }
  // threshold
  mask[y * width + x] = blur > level ? 255 : 0;
}

int main() {
  std::vector<float> img(W * H);
  for (int i = 0; i < W * H; ++i) img[i] = (i * 7919 % 1000) / 1000.f;
  float *d_img, *d_bright, *d_blur;
  unsigned char* d_mask;
  cudaMalloc(&d_img, W * H * sizeof(float));
  cudaMalloc(&d_bright, W * H * sizeof(float));
  cudaMalloc(&d_blur, W * H * sizeof(float));
  cudaMalloc(&d_mask, W * H);
  cudaMemcpy(d_img, img.data(), W * H * sizeof(float), cudaMemcpyHostToDevice);

  dim3 block(32, 8);
  dim3 grid((W + block.x - 1) / block.x, (H + block.y - 1) / block.y);
  brighten<<<grid, block>>>(d_img, d_bright, 1.2f, W, H);
  box_blur3_threshold_fused<<<grid, block>>>(d_bright, d_mask, W, H, 0.6f);

  std::vector<unsigned char> mask(W * H);
  cudaMemcpy(mask.data(), d_mask, W * H, cudaMemcpyDeviceToHost);
  long on = 0;
  for (int i = 0; i < W * H; ++i) on += mask[i] != 0;
  std::printf("mask pixels on: %ld\n", on);
  cudaFree(d_img); cudaFree(d_bright); cudaFree(d_blur); cudaFree(d_mask);
  return 0;
}
