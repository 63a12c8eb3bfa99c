// Summary statistics of a sensor trace with Thrust. Each algorithm call is its own kernel, and
// every thrust::transform below writes a full temporary vector that the next call reads once.
#include <cmath>
#include <cstdio>
#include <thrust/count.h>
#include <thrust/device_vector.h>
#include <thrust/execution_policy.h>
#include <thrust/functional.h>
#include <thrust/reduce.h>
#include <thrust/scan.h>
#include <thrust/sequence.h>
#include <thrust/transform.h>
#include <thrust/transform_reduce.h>
#include <thrust/iterator/transform_iterator.h>
#include <thrust/inner_product.h>
#include <thrust/transform_scan.h>

constexpr int N = 1 << 24;

struct squared_deviation {
  float mean;
  __host__ __device__ float operator()(float x) const { return (x - mean) * (x - mean); }
};

struct abs_deviation {
  float mean;
  __host__ __device__ float operator()(float x) const { return fabsf(x - mean); }
};

struct above {
  float limit;
  __host__ __device__ bool operator()(float x) const { return x > limit; }
};

struct log1p_op {
  __host__ __device__ float operator()(float x) const { return log1pf(fabsf(x)); }
};

int main() {
  cudaStream_t stream;
  cudaStreamCreate(&stream);
  thrust::device_vector<float> samples(N);
  thrust::device_vector<float> weights(N, 1.0f / N);
  thrust::sequence(samples.begin(), samples.end(), 0.0f, 1e-6f);

  const float mean = thrust::reduce(samples.begin(), samples.end(), 0.0f) / N;

  // variance: squared deviations, then their sum
  // Fusion Lens: thrust::transform + thrust::reduce fused into thrust::transform_reduce; `squares` is never written.
  const float variance = thrust::transform_reduce(samples.begin(), samples.end(), squared_deviation{mean}, 0.0f, thrust::plus<float>()) / N;
  const float stddev = std::sqrt(variance);

  // outliers: samples more than 3 standard deviations from the mean
  // Fusion Lens: thrust::transform + thrust::count_if fused into thrust::count_if over thrust::make_transform_iterator; `deviations` is never written.
  const long outliers = thrust::count_if(thrust::cuda::par.on(stream), thrust::make_transform_iterator(samples.begin(), abs_deviation{mean}), thrust::make_transform_iterator(samples.end(), abs_deviation{mean}), above{3.0f * stddev});

  // weighted mean: elementwise products, then their sum
  // Fusion Lens: thrust::transform + thrust::reduce fused into thrust::inner_product; `products` is never written.
  const float weighted = thrust::inner_product(samples.begin(), samples.end(), weights.begin(), float(), thrust::plus<float>(), thrust::multiplies<float>());

  // running log-energy: transform, then an in-place prefix sum
  thrust::device_vector<float> energy(N);
  // Fusion Lens: thrust::transform + thrust::inclusive_scan fused into thrust::transform_inclusive_scan; the transform's output is no longer stored and read back before `thrust::inclusive_scan` overwrites `energy`.
  thrust::transform_inclusive_scan(samples.begin(), samples.end(), energy.begin(), log1p_op(), thrust::plus<float>());

  // the centred samples are kept for a later pass, so this transform must still write them
  thrust::device_vector<float> centred(N);
  thrust::transform(samples.begin(), samples.end(), centred.begin(), squared_deviation{0.0f});
  const float energySum = thrust::reduce(centred.begin(), centred.end(), 0.0f);
  const float first = centred[0];

  std::printf("mean %f stddev %f outliers %ld weighted %f energy %f %f %f\n", mean, stddev, outliers, weighted, (float)energy[N - 1], energySum, first);
  cudaStreamDestroy(stream);
  return 0;
}
