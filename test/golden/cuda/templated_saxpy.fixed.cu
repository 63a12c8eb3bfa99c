// Templated kernels with grid-stride loops and explicit template arguments at the launch, as in a
// small numerics library: y = a*x + y, then y = y * s. The rewrite instantiates the templates.
#include <cstdio>
#include <vector>
#include <cuda_runtime.h>

template <typename T>
__global__ void axpy(int n, T a, const T* __restrict__ x, T* __restrict__ y) {
  for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += blockDim.x * gridDim.x) {
    y[i] = a * x[i] + y[i];
  }
}

template <typename T, int UNUSED = 0>
__global__ void scal(int n, T s, T* __restrict__ y) {
  for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += blockDim.x * gridDim.x) {
    y[i] *= s;
  }
}

// Fusion Lens: fused axpy -> scal (2 launches -> 1).
// `y` is kept in a register and stored once at the end (read after this kernel).
__global__ void axpy_scal_fused(const double* __restrict__ x, double* __restrict__ y, int n, double a, double s) {
  for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += blockDim.x * gridDim.x) {
    double y_val = y[i];
    // axpy
    y_val = a * x[i] + y_val;
    // scal
    y_val *= s;
    y[i] = y_val;
  }
}

int main() {
  const int n = 1 << 25;
  std::vector<double> hx(n, 1.0), hy(n);
  for (int i = 0; i < n; ++i) hy[i] = i % 3;
  double *x, *y;
  cudaMalloc(&x, n * sizeof(double));
  cudaMalloc(&y, n * sizeof(double));
  cudaMemcpy(x, hx.data(), n * sizeof(double), cudaMemcpyHostToDevice);
  cudaMemcpy(y, hy.data(), n * sizeof(double), cudaMemcpyHostToDevice);

  int sms = 132;
  axpy_scal_fused<<<4 * sms, 256>>>(x, y, n, 2.0, 0.5);

  cudaMemcpy(hy.data(), y, n * sizeof(double), cudaMemcpyDeviceToHost);
  double s = 0;
  for (int i = 0; i < n; ++i) s += hy[i];
  std::printf("checksum %.6e\n", s);
  cudaFree(x); cudaFree(y);
  return 0;
}
