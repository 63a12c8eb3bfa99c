// Row-wise softmax written as four kernels: row max, exp(x - max), row sum, divide. The two
// reductions need every element of a row before the next step can run, so only the elementwise
// exp can fuse forward into the sum; Fusion Lens explains the other boundaries on hover.
#include <cfloat>
#include <cmath>
#include <cstdio>
#include <vector>
#include <cuda_runtime.h>

#define ROWS 8192
#define COLS 1024
#define THREADS 256

__global__ void row_max(const float* __restrict__ x, float* __restrict__ row_maxima, int cols) {
  __shared__ float tile[THREADS];
  const float* row = x + (size_t)blockIdx.x * cols;
  float m = -FLT_MAX;
  for (int c = threadIdx.x; c < cols; c += blockDim.x) m = fmaxf(m, row[c]);
  tile[threadIdx.x] = m;
  __syncthreads();
  for (int s = blockDim.x / 2; s > 0; s >>= 1) {
    if (threadIdx.x < s) tile[threadIdx.x] = fmaxf(tile[threadIdx.x], tile[threadIdx.x + s]);
    __syncthreads();
  }
  if (threadIdx.x == 0) row_maxima[blockIdx.x] = tile[0];
}

__global__ void exp_shifted(const float* __restrict__ x, const float* __restrict__ row_maxima,
                            float* __restrict__ e, int cols, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) e[i] = __expf(x[i] - row_maxima[i / cols]);
}

__global__ void row_sum(const float* __restrict__ e, float* __restrict__ sums, int n) {
  __shared__ float tile[THREADS];
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  tile[threadIdx.x] = (i < n) ? e[i] : 0.f;
  __syncthreads();
  for (int s = blockDim.x / 2; s > 0; s >>= 1) {
    if (threadIdx.x < s) tile[threadIdx.x] += tile[threadIdx.x + s];
    __syncthreads();
  }
  if (threadIdx.x == 0) atomicAdd(&sums[(blockIdx.x * blockDim.x) / COLS], tile[0]);
}

__global__ void divide_by_sum(float* __restrict__ e, const float* __restrict__ sums, int cols, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) e[i] = e[i] / sums[i / cols];
}

int main() {
  const int n = ROWS * COLS;
  std::vector<float> h(n);
  for (int i = 0; i < n; ++i) h[i] = std::cos(0.37f * i) * 4.f;
  float *d_x, *d_max, *d_e, *d_sum;
  cudaMalloc(&d_x, n * sizeof(float));
  cudaMalloc(&d_max, ROWS * sizeof(float));
  cudaMalloc(&d_e, n * sizeof(float));
  cudaMalloc(&d_sum, ROWS * sizeof(float));
  cudaMemcpy(d_x, h.data(), n * sizeof(float), cudaMemcpyHostToDevice);
  cudaMemset(d_sum, 0, ROWS * sizeof(float));

  const int blocks = (n + THREADS - 1) / THREADS;
  row_max<<<ROWS, THREADS>>>(d_x, d_max, COLS);
  exp_shifted<<<blocks, THREADS>>>(d_x, d_max, d_e, COLS, n);
  row_sum<<<blocks, THREADS>>>(d_e, d_sum, n);
  divide_by_sum<<<blocks, THREADS>>>(d_e, d_sum, COLS, n);

  cudaMemcpy(h.data(), d_e, n * sizeof(float), cudaMemcpyDeviceToHost);
  double s = 0;
  for (int i = 0; i < n; ++i) s += h[i] * (i % 5);
  std::printf("checksum %.6e first %.6e\n", s, h[0]);
  cudaFree(d_x); cudaFree(d_max); cudaFree(d_e); cudaFree(d_sum);
  return 0;
}
