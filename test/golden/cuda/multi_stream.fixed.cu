// Two independent chains on two streams, joined by an event. Launches fuse only within a stream;
// the event wait orders work across streams, so nothing fuses across it.
#include <cstdio>
#include <vector>
#include <cuda_runtime.h>

#define N (1 << 22)

__global__ void scale(const float* in, float* out, float s, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) out[i] = in[i] * s;
}

__global__ void offset(const float* in, float* out, float o, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) out[i] = in[i] + o;
}

// Fusion Lens: fused scale -> offset (2 launches -> 1).
// `d_b1` stays in registers instead of a round trip through device memory.
__global__ void scale_offset_fused_2(const float* in, float* out, float s, int n, float o) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) {
    float b1;
    // scale
    b1 = in[i] * s;
    // offset
    out[i] = b1 + o;
  }
}

// Fusion Lens: fused scale -> offset (2 launches -> 1).
// `d_a1` stays in registers instead of a round trip through device memory.
__global__ void scale_offset_fused(const float* in, float* out, float s, int n, float o) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) {
    float a1;
    // scale
    a1 = in[i] * s;
    // offset
    out[i] = a1 + o;
  }
}

__global__ void combine(const float* a, const float* b, float* out, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) out[i] = a[i] * b[i];
}

int main() {
  std::vector<float> h(N);
  for (int i = 0; i < N; ++i) h[i] = 0.5f + (i % 13) * 0.25f;
  float *d_a, *d_b, *d_a1, *d_a2, *d_b1, *d_b2, *d_out;
  cudaMalloc(&d_a, N * sizeof(float));
  cudaMalloc(&d_b, N * sizeof(float));
  cudaMalloc(&d_a1, N * sizeof(float));
  cudaMalloc(&d_a2, N * sizeof(float));
  cudaMalloc(&d_b1, N * sizeof(float));
  cudaMalloc(&d_b2, N * sizeof(float));
  cudaMalloc(&d_out, N * sizeof(float));
  cudaMemcpy(d_a, h.data(), N * sizeof(float), cudaMemcpyHostToDevice);
  cudaMemcpy(d_b, h.data(), N * sizeof(float), cudaMemcpyHostToDevice);

  cudaStream_t s1, s2;
  cudaStreamCreate(&s1);
  cudaStreamCreate(&s2);
  cudaEvent_t b_ready;
  cudaEventCreate(&b_ready);
  const int threads = 256, blocks = (N + threads - 1) / threads;

  scale_offset_fused<<<blocks, threads, 0, s1>>>(d_a, d_a2, 2.f, N, 1.f);

  scale_offset_fused_2<<<blocks, threads, 0, s2>>>(d_b, d_b2, 3.f, N, -1.f);
  cudaEventRecord(b_ready, s2);

  cudaStreamWaitEvent(s1, b_ready, 0);
  combine<<<blocks, threads, 0, s1>>>(d_a2, d_b2, d_out, N);

  cudaMemcpyAsync(h.data(), d_out, N * sizeof(float), cudaMemcpyDeviceToHost, s1);
  cudaStreamSynchronize(s1);
  double s = 0;
  for (int i = 0; i < N; ++i) s += h[i];
  std::printf("checksum %.6e\n", s);
  cudaStreamDestroy(s1); cudaStreamDestroy(s2); cudaEventDestroy(b_ready);
  cudaFree(d_a); cudaFree(d_b); cudaFree(d_a1); cudaFree(d_a2); cudaFree(d_b1); cudaFree(d_b2); cudaFree(d_out);
  return 0;
}
