// A pipeline with a debugging round trip left in: the host copies an intermediate back to check it,
// which forces a synchronization, so the first pair cannot fuse across it. After the check, the
// remaining two launches fuse. Delete the check and Fusion Lens offers to fuse all three.
#include <cstdio>
#include <cmath>
#include <vector>
#include <cuda_runtime.h>

static const int kN = 1 << 24;

__global__ void log1p_kernel(const float* x, float* y, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) y[i] = log1pf(x[i]);
}

__global__ void clamp_kernel(float* y, float lo, float hi, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) y[i] = fminf(fmaxf(y[i], lo), hi);
}

__global__ void square_kernel(const float* y, float* z, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) z[i] = y[i] * y[i];
}

// Fusion Lens: fused clamp_kernel -> square_kernel (2 launches -> 1).
// `d_y` stays in registers instead of a round trip through device memory.
__global__ void clamp_square_fused(float* y, float* z, float lo, float hi, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) {
    float d_y = y[i];
    // clamp_kernel
    d_y = fminf(fmaxf(d_y, lo), hi);
    // square_kernel
    z[i] = d_y * d_y;
  }
}

int main() {
  std::vector<float> h(kN);
  for (int i = 0; i < kN; ++i) h[i] = (i % 1000) * 0.01f;
  float *d_x, *d_y, *d_z;
  cudaMalloc(&d_x, kN * sizeof(float));
  cudaMalloc(&d_y, kN * sizeof(float));
  cudaMalloc(&d_z, kN * sizeof(float));
  cudaMemcpy(d_x, h.data(), kN * sizeof(float), cudaMemcpyHostToDevice);
  const int threads = 512;
  const int blocks = (kN + threads - 1) / threads;

  log1p_kernel<<<blocks, threads>>>(d_x, d_y, kN);
  float probe = 0.f;
  cudaMemcpy(&probe, d_y, sizeof(float), cudaMemcpyDeviceToHost);  // debugging check
  if (std::isnan(probe)) std::printf("NaN after log1p!\n");
  clamp_square_fused<<<blocks, threads>>>(d_y, d_z, 0.f, 5.f, kN);

  cudaMemcpy(h.data(), d_z, kN * sizeof(float), cudaMemcpyDeviceToHost);
  double s = 0;
  for (int i = 0; i < kN; ++i) s += h[i];
  std::printf("checksum %.6e\n", s);
  cudaFree(d_x); cudaFree(d_y); cudaFree(d_z);
  return 0;
}
