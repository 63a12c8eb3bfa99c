// Measures the cost-model constants on the GPU at hand: back-to-back launch cost, one-launch
// latency, CUDA Graph node cost, DRAM and L2 copy bandwidth, and the fixed per-kernel ramp (fitted
// from copy kernels of growing size). Prints one JSON line.
#include "harness.cuh"

__global__ void empty_kernel() {}
__global__ void copy_kernel(const float4* __restrict__ x, float4* __restrict__ y, size_t n) {
  size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) y[i] = x[i];
}

// y = x + 1 in elements of T: a one-thread-per-element kernel like the ones users write
template <typename T>
__global__ void touch_kernel(const T* __restrict__ x, T* __restrict__ y, size_t n) {
  size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) y[i] = x[i];
}

// the same, over a buffer that stays in L2, `passes` times in one launch
template <typename T>
__global__ void touch_l2_kernel(const T* __restrict__ x, T* __restrict__ y, size_t n, int passes) {
  for (int p = 0; p < passes; ++p)
    for (size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (size_t)blockDim.x * gridDim.x) y[i] = x[i];
}

template <typename T>
void widthRow(const char* name, void* x, void* y, cudaStream_t s, bool first) {
  size_t bytes = (size_t)1 << 30;
  size_t n = bytes / sizeof(T);
  double tD = bench::medianUs([&] { touch_kernel<T><<<(unsigned)((n + 255) / 256), 256, 0, s>>>((const T*)x, (T*)y, n); }, s, 15, 3);
  size_t l2bytes = (size_t)8 << 20, nl = l2bytes / sizeof(T);
  int passes = 64;
  double tL = bench::medianUs([&] { touch_l2_kernel<T><<<132 * 8, 256, 0, s>>>((const T*)x, (T*)y, nl, passes); }, s, 11, 2);
  std::printf("%s{\"width\":%zu,\"type\":\"%s\",\"dramGBs\":%.1f,\"l2GBs\":%.1f}", first ? "" : ",", sizeof(T), name, 2.0 * bytes / tD / 1e3, 2.0 * l2bytes * passes / tL / 1e3);
}

int main() {
  cudaDeviceProp prop;
  CK(cudaGetDeviceProperties(&prop, 0));
  cudaStream_t s;
  CK(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking));
  // back-to-back launches and single-launch latency
  const int K = 2000;
  double tK = bench::medianUs([&] { for (int k = 0; k < K; ++k) empty_kernel<<<1, 32, 0, s>>>(); }, s, 9, 2);
  double t1 = bench::medianUs([&] { empty_kernel<<<1, 32, 0, s>>>(); }, s, 201, 20);
  // graph of K empty nodes
  cudaGraph_t g;
  cudaGraphExec_t ge;
  CK(cudaStreamBeginCapture(s, cudaStreamCaptureModeThreadLocal));
  for (int k = 0; k < K; ++k) empty_kernel<<<1, 32, 0, s>>>();
  CK(cudaStreamEndCapture(s, &g));
  CK(cudaGraphInstantiate(&ge, g, 0));
  double tG = bench::medianUs([&] { CK(cudaGraphLaunch(ge, s)); }, s, 9, 2);
  // copy bandwidth: 1 GiB (DRAM) and 8 MiB repeated (L2)
  size_t big = (size_t)1 << 28;  // floats
  float4 *x, *y;
  CK(cudaMalloc(&x, big * 4));
  CK(cudaMalloc(&y, big * 4));
  CK(cudaMemset(x, 1, big * 4));
  auto copy = [&](size_t floats) { size_t n4 = floats / 4; copy_kernel<<<(unsigned)((n4 + 255) / 256), 256, 0, s>>>(x, y, n4); };
  double tBig = bench::medianUs([&] { copy(big); }, s, 21, 3);
  size_t small = (size_t)1 << 21;  // 8 MiB
  double tSmall100 = bench::medianUs([&] { for (int r = 0; r < 100; ++r) copy(small); }, s, 11, 2);
  // ramp: copies of 1..256 MiB, least squares t = ramp + bytes / bw (DRAM-sized ones only)
  std::printf("{\"device\":\"%s\",\"sms\":%d,\"l2\":%d,\"launchUs\":%.3f,\"singleLaunchUs\":%.3f,\"graphNodeUs\":%.3f,\"dramCopyGBs\":%.1f,\"l2CopyGBs\":%.1f,\"copies\":[",
              prop.name, prop.multiProcessorCount, prop.l2CacheSize, tK / K, t1, tG / K, 2.0 * big * 4 / tBig / 1e3, 2.0 * small * 4 * 100 / tSmall100 / 1e3);
  bool first = true;
  for (size_t mb = 1; mb <= 256; mb *= 2) {
    size_t floats = mb << 18;
    double t = bench::medianUs([&] { copy(floats); }, s, 31, 3);
    std::printf("%s{\"MiB\":%zu,\"us\":%.3f}", first ? "" : ",", mb, t);
    first = false;
  }
  std::printf("],\"widths\":[");
  widthRow<unsigned char>("uchar", x, y, s, true);
  widthRow<unsigned short>("ushort", x, y, s, false);
  widthRow<float>("float", x, y, s, false);
  widthRow<float2>("float2", x, y, s, false);
  widthRow<float4>("float4", x, y, s, false);
  std::printf("]}\n");
  return 0;
}
