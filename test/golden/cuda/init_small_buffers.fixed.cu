// Start of an optimizer step: zero the gradient buffers of a small layer, reset the loss
// accumulator and fill the index buffer. The kernels do not depend on each other and each is tiny,
// so four launches cost more than the work; one launch can run all four side by side.
#include <cstdio>
#include <cuda_runtime.h>

#define N_WEIGHTS (256 * 256)
#define N_BIAS 256
#define N_IDX 4096

__global__ void fill_zero(float* __restrict__ p, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) p[i] = 0.f;
}

__global__ void fill_iota(int* __restrict__ idx, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) idx[i] = i;
}

__global__ void reset_scalar(float* __restrict__ loss) {
  if (blockIdx.x == 0 && threadIdx.x == 0) *loss = 0.f;
}

// Fusion Lens: one launch for `fill_zero`, `fill_zero`, `fill_iota`, `reset_scalar` (independent of each other): each block runs one of them.
__global__ void fill_zero_fill_zero_fill_iota_reset_scalar_hfused(float* __restrict__ p, int n, float* __restrict__ p_2, int n_2, int* __restrict__ idx, int n_3, float* __restrict__ loss, unsigned int fill_zero_blocks, unsigned int fill_zero_blocks_2, unsigned int fill_iota_blocks) {
  if (blockIdx.x < fill_zero_blocks) {
    // fill_zero
    const unsigned int fl_block = blockIdx.x;
    int i = fl_block * blockDim.x + threadIdx.x;
    if (i < n) p[i] = 0.f;
  } else if (blockIdx.x < fill_zero_blocks + fill_zero_blocks_2) {
    // fill_zero
    const unsigned int fl_block = blockIdx.x - (fill_zero_blocks);
    int i = fl_block * blockDim.x + threadIdx.x;
    if (i < n_2) p_2[i] = 0.f;
  } else if (blockIdx.x < fill_zero_blocks + fill_zero_blocks_2 + fill_iota_blocks) {
    // fill_iota
    const unsigned int fl_block = blockIdx.x - (fill_zero_blocks + fill_zero_blocks_2);
    int i = fl_block * blockDim.x + threadIdx.x;
    if (i < n_3) idx[i] = i;
  } else {
    // reset_scalar
    const unsigned int fl_block = blockIdx.x - (fill_zero_blocks + fill_zero_blocks_2 + fill_iota_blocks);
    if (fl_block == 0 && threadIdx.x == 0) *loss = 0.f;
  }
}

int main() {
  float *grad_w, *grad_b, *loss;
  int* idx;
  cudaMalloc(&grad_w, N_WEIGHTS * sizeof(float));
  cudaMalloc(&grad_b, N_BIAS * sizeof(float));
  cudaMalloc(&loss, sizeof(float));
  cudaMalloc(&idx, N_IDX * sizeof(int));
  cudaStream_t stream;
  cudaStreamCreate(&stream);
  const int threads = 256;
  fill_zero_fill_zero_fill_iota_reset_scalar_hfused<<<((N_WEIGHTS + threads - 1) / threads) + ((N_BIAS + threads - 1) / threads) + ((N_IDX + threads - 1) / threads) + 1, threads, 0, stream>>>(grad_w, N_WEIGHTS, grad_b, N_BIAS, idx, N_IDX, loss, (N_WEIGHTS + threads - 1) / threads, (N_BIAS + threads - 1) / threads, (N_IDX + threads - 1) / threads);
  int h_idx[4];
  float h_loss = 1.f;
  cudaMemcpyAsync(h_idx, idx + N_IDX - 4, sizeof(h_idx), cudaMemcpyDeviceToHost, stream);
  cudaMemcpyAsync(&h_loss, loss, sizeof(float), cudaMemcpyDeviceToHost, stream);
  cudaStreamSynchronize(stream);
  std::printf("idx tail %d %d %d %d, loss %f\n", h_idx[0], h_idx[1], h_idx[2], h_idx[3], h_loss);
  cudaFree(grad_w); cudaFree(grad_b); cudaFree(loss); cudaFree(idx);
  cudaStreamDestroy(stream);
  return 0;
}
