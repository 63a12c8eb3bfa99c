// One fully connected layer of an MLP: Y = ReLU(W·X + b) with cuBLAS for the GEMM and a small
// kernel for the bias and the activation, which reads the whole GEMM output back and writes it again.
#include <cstdio>
#include <cublas_v2.h>
#include <cuda_runtime.h>

constexpr int OUT_FEATURES = 4096;  // m: rows of W and of Y (column-major)
constexpr int IN_FEATURES = 4096;   // k
constexpr int BATCH = 512;          // n: columns of X and of Y

// y is column-major OUT_FEATURES x BATCH: element i belongs to row i % rows.
__global__ void bias_relu(float* y, const float* bias, int rows, int total) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < total) y[i] = fmaxf(y[i] + bias[i % rows], 0.0f);
}

int main() {
  float *d_W, *d_X, *d_Y, *d_bias;
  cudaMalloc(&d_W, sizeof(float) * OUT_FEATURES * IN_FEATURES);
  cudaMalloc(&d_X, sizeof(float) * IN_FEATURES * BATCH);
  cudaMalloc(&d_Y, sizeof(float) * OUT_FEATURES * BATCH);
  cudaMalloc(&d_bias, sizeof(float) * OUT_FEATURES);
  cublasHandle_t handle;
  cublasCreate(&handle);
  const float alpha = 1.0f;
  const float beta = 0.0f;
  cublasSgemm(handle, CUBLAS_OP_N, CUBLAS_OP_N, OUT_FEATURES, BATCH, IN_FEATURES,
              &alpha, d_W, OUT_FEATURES, d_X, IN_FEATURES, &beta, d_Y, OUT_FEATURES);
  const int total = OUT_FEATURES * BATCH;
  bias_relu<<<(total + 255) / 256, 256>>>(d_Y, d_bias, OUT_FEATURES, total);
  cudaDeviceSynchronize();
  std::printf("done\n");
  cublasDestroy(handle);
  cudaFree(d_W); cudaFree(d_X); cudaFree(d_Y); cudaFree(d_bias);
  return 0;
}
