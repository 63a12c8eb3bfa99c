// Thrust (FL031): thrust::transform writes absolute deviations, thrust::count_if counts those above a
// limit; the fix counts over a thrust::make_transform_iterator. The scratch vector is allocated once per process.
#include <thrust/count.h>
#include <thrust/device_ptr.h>
#include <thrust/device_vector.h>
#include <thrust/execution_policy.h>
#include <thrust/transform.h>

struct abs_deviation {
  float mean;
  __host__ __device__ float operator()(float x) const { return fabsf(x - mean); }
};

struct above {
  float limit;
  __host__ __device__ bool operator()(float x) const { return x > limit; }
};

void pipeline(const float* x, int* out, int n, cudaStream_t s) {
  static thrust::device_vector<float> deviations(n);  // scratch, allocated on the first call
  thrust::device_ptr<const float> xs(x);
  thrust::transform(thrust::cuda::par.on(s), xs, xs + n, deviations.begin(), abs_deviation{0.1f});
  const int count = (int)thrust::count_if(thrust::cuda::par.on(s), deviations.begin(), deviations.end(), above{0.5f});
  cudaMemcpyAsync(out, &count, sizeof(int), cudaMemcpyHostToDevice, s);
}

const char* bench_name() { return "thrust_count_if"; }
double bench_tolerance() { return 0; }
std::vector<bench::Spec> bench_spec(size_t n) { return {{"x", bench::Kind::F32, n, false}, {"count", bench::Kind::I32, 1, true}}; }
void bench_call(const bench::Bufs& b, cudaStream_t s) { pipeline(b.f(0), b.at<int>(1), (int)b.n, s); }
