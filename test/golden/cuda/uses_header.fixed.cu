// A gated linear unit, out = x * sigmoid(gate), with its kernels defined in a shared header.
// Fusion Lens resolves the launches through the #include.
#include <cstdio>
#include <vector>
#include "pointwise_kernels.cuh"

// Fusion Lens: fused sigmoid_kernel -> mul_kernel (2 launches -> 1).
// `sig` stays in registers instead of a round trip through device memory.
__global__ void sigmoid_mul_fused(const float* __restrict__ in, const float* __restrict__ a, float* __restrict__ out, size_t n) {
  size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) {
    float sig;
    // sigmoid_kernel
    sig = 1.f / (1.f + __expf(-in[i]));
    // mul_kernel
    out[i] = a[i] * sig;
  }
}

void glu(const float* h_x, const float* h_gate, float* h_out, size_t n) {
  float *x, *gate, *sig, *out;
  cudaMalloc(&x, n * sizeof(float));
  cudaMalloc(&gate, n * sizeof(float));
  cudaMalloc(&sig, n * sizeof(float));
  cudaMalloc(&out, n * sizeof(float));
  cudaMemcpy(x, h_x, n * sizeof(float), cudaMemcpyHostToDevice);
  cudaMemcpy(gate, h_gate, n * sizeof(float), cudaMemcpyHostToDevice);
  const unsigned threads = 256;
  const unsigned blocks = (unsigned)((n + threads - 1) / threads);
  // fusion-lens: n=1<<24
  sigmoid_mul_fused<<<blocks, threads>>>(gate, x, out, n);
  cudaMemcpy(h_out, out, n * sizeof(float), cudaMemcpyDeviceToHost);
  cudaFree(x); cudaFree(gate); cudaFree(sig); cudaFree(out);
}

int main() {
  const size_t n = 1 << 24;
  std::vector<float> x(n), g(n), o(n);
  for (size_t i = 0; i < n; ++i) { x[i] = 0.001f * (i % 2000); g[i] = 0.01f * (int)(i % 300) - 1.5f; }
  glu(x.data(), g.data(), o.data(), n);
  double s = 0;
  for (size_t i = 0; i < n; ++i) s += o[i];
  std::printf("checksum %.6e\n", s);
  return 0;
}
