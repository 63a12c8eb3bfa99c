// Library-style entry points that receive device pointers from their caller. Without __restrict__
// the pointers may overlap, so Fusion Lens reports the fusion but withholds the automatic fix; the
// second entry point promises no overlap and gets the fix.
#include <cuda_runtime.h>

__global__ void exp_kernel(const float* in, float* out, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) out[i] = __expf(in[i]);
}

__global__ void add_kernel(const float* a, const float* b, float* out, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) out[i] = a[i] + b[i];
}

// Fusion Lens: fused exp_kernel -> add_kernel (2 launches -> 1).
// `tmp` is kept in a register and stored once at the end (read after this kernel).
__global__ void exp_add_fused(const float* in, float* out, const float* b, float* out_2, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) {
    float tmp;
    // exp_kernel
    tmp = __expf(in[i]);
    // add_kernel
    out_2[i] = tmp + b[i];
    out[i] = tmp;
  }
}

// May alias: the caller could pass tmp == x.
void exp_add(const float* x, const float* y, float* tmp, float* out, int n, cudaStream_t stream) {
  int threads = 256;
  int blocks = (n + threads - 1) / threads;
  exp_kernel<<<blocks, threads, 0, stream>>>(x, tmp, n);
  add_kernel<<<blocks, threads, 0, stream>>>(tmp, y, out, n);
}

// The caller promises the buffers never overlap.
void exp_add_restrict(const float* __restrict__ x, const float* __restrict__ y, float* __restrict__ tmp,
                      float* __restrict__ out, int n, cudaStream_t stream) {
  int threads = 256;
  int blocks = (n + threads - 1) / threads;
  exp_add_fused<<<blocks, threads, 0, stream>>>(x, tmp, y, out, n);
}
