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
  thrust::device_vector<float> squares(N);
  thrust::transform(samples.begin(), samples.end(), squares.begin(), squared_deviation{mean});
  const float variance = thrust::reduce(squares.begin(), squares.end(), 0.0f, thrust::plus<float>()) / N;
  const float stddev = std::sqrt(variance);

  // outliers: samples more than 3 standard deviations from the mean
  thrust::device_vector<float> deviations(N);
  thrust::transform(thrust::cuda::par.on(stream), samples.begin(), samples.end(), deviations.begin(), abs_deviation{mean});
  const long outliers = thrust::count_if(thrust::cuda::par.on(stream), deviations.begin(), deviations.end(), above{3.0f * stddev});

  // weighted mean: elementwise products, then their sum
  thrust::device_vector<float> products(N);
  thrust::transform(samples.begin(), samples.end(), weights.begin(), products.begin(), thrust::multiplies<float>());
  const float weighted = thrust::reduce(products.begin(), products.end());

  // running log-energy: transform, then an in-place prefix sum
  thrust::device_vector<float> energy(N);
  thrust::transform(samples.begin(), samples.end(), energy.begin(), log1p_op());
  thrust::inclusive_scan(energy.begin(), energy.end(), energy.begin());

  // the centred samples are kept for a later pass, so this transform must still write them
  thrust::device_vector<float> centred(N);
  thrust::transform(samples.begin(), samples.end(), centred.begin(), squared_deviation{0.0f});
  const float energySum = thrust::reduce(centred.begin(), centred.end(), 0.0f);
  const float first = centred[0];

  std::printf("mean %f stddev %f outliers %ld weighted %f energy %f %f %f\n", mean, stddev, outliers, weighted, (float)energy[N - 1], energySum, first);
  cudaStreamDestroy(stream);
  return 0;
}
