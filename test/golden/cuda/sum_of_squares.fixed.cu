// L2 norm of a vector: square every element, then reduce. The elementwise square may fuse into the
// reduction's input (each thread squares its element as it loads it), saving the round trip of
// the squares; nothing may follow the reduction inside the same kernel.
#include <cmath>
#include <cstdio>
#include <vector>
#include <cuda_runtime.h>

const int N = 1 << 26;
const int BLOCK = 512;

__global__ void square(const float* __restrict__ x, float* __restrict__ sq, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) sq[i] = x[i] * x[i];
}

__global__ void block_sum(const float* __restrict__ v, float* __restrict__ total, int n) {
  __shared__ float partial[BLOCK];
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  partial[threadIdx.x] = i < n ? v[i] : 0.f;
  __syncthreads();
  for (int stride = blockDim.x / 2; stride > 0; stride /= 2) {
    if (threadIdx.x < stride) partial[threadIdx.x] += partial[threadIdx.x + stride];
    __syncthreads();
  }
  if (threadIdx.x == 0) atomicAdd(total, partial[0]);
}

// Fusion Lens: fused square -> block_sum (2 launches -> 1).
// `square` runs where `block_sum` reads `d_sq`, which is never stored.
__device__ __forceinline__ float square_at(const float* __restrict__ x, int i) {
  float sq;
  // square
  sq = x[i] * x[i];
  return sq;
}

__global__ void square_block_sum_fused(const float* __restrict__ x, float* __restrict__ total, int n) {
  __shared__ float partial[BLOCK];
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  partial[threadIdx.x] = i < n ? square_at(x, i) : 0.f;
  __syncthreads();
  for (int stride = blockDim.x / 2; stride > 0; stride /= 2) {
    if (threadIdx.x < stride) partial[threadIdx.x] += partial[threadIdx.x + stride];
    __syncthreads();
  }
  if (threadIdx.x == 0) atomicAdd(total, partial[0]);
}

__global__ void take_sqrt(float* total) {
  *total = sqrtf(*total);
}

int main() {
  std::vector<float> h(N);
  for (int i = 0; i < N; ++i) h[i] = 1.f / (1 + i % 100);
  float *d_x, *d_sq, *d_total;
  cudaMalloc(&d_x, N * sizeof(float));
  cudaMalloc(&d_sq, N * sizeof(float));
  cudaMalloc(&d_total, sizeof(float));
  cudaMemcpy(d_x, h.data(), N * sizeof(float), cudaMemcpyHostToDevice);
  cudaMemset(d_total, 0, sizeof(float));

  int blocks = (N + BLOCK - 1) / BLOCK;
  square_block_sum_fused<<<blocks, BLOCK>>>(d_x, d_total, N);
  take_sqrt<<<1, 1>>>(d_total);

  float norm = 0;
  cudaMemcpy(&norm, d_total, sizeof(float), cudaMemcpyDeviceToHost);
  std::printf("norm %.6f\n", norm);
  cudaFree(d_x); cudaFree(d_sq); cudaFree(d_total);
  return 0;
}
