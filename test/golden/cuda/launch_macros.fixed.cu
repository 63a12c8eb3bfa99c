// Launch styles seen in real code bases: an error-checking wrapper around each launch, a launch
// macro, and cudaLaunchKernel with an argument array. All three are recognized.
#include <cstdio>
#include <cstdlib>
#include <cuda_runtime.h>

#define CHECK_LAUNCH(launch)                                              \
  do {                                                                    \
    launch;                                                               \
    cudaError_t e_ = cudaGetLastError();                                  \
    if (e_ != cudaSuccess) { std::printf("%s\n", cudaGetErrorString(e_)); std::abort(); } \
  } while (0)

#define KERNEL_LAUNCH(kernel, grid, block, ...) kernel<<<grid, block>>>(__VA_ARGS__)

__global__ void negate(const float* in, float* out, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) out[i] = -in[i];
}

__global__ void add_one(const float* in, float* out, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) out[i] = in[i] + 1.f;
}

__global__ void halve(const float* in, float* out, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) out[i] = in[i] * 0.5f;
}

// Fusion Lens: fused negate -> add_one -> halve (3 launches -> 1).
// `b` and `c` stay in registers instead of a round trip through device memory.
__global__ void negate_add_one_halve_fused(const float* in, float* out, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) {
    float b;
    float c;
    // negate
    b = -in[i];
    // add_one
    c = b + 1.f;
    // halve
    out[i] = c * 0.5f;
  }
}

int main() {
  int n = 1 << 20;
  float *a, *b, *c, *d;
  cudaMalloc(&a, n * sizeof(float));
  cudaMalloc(&b, n * sizeof(float));
  cudaMalloc(&c, n * sizeof(float));
  cudaMalloc(&d, n * sizeof(float));
  cudaMemset(a, 0, n * sizeof(float));
  dim3 grid((n + 255) / 256), block(256);

  void* args[] = {&a, &d, &n};
  cudaLaunchKernel((const void*)negate_add_one_halve_fused, grid, block, args, 0, nullptr);

  float h = 0;
  cudaMemcpy(&h, d, sizeof(float), cudaMemcpyDeviceToHost);
  std::printf("d[0] = %f\n", h);
  cudaFree(a); cudaFree(b); cudaFree(c); cudaFree(d);
  return 0;
}
