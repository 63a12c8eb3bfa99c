// Thrust (FL031): thrust::transform writes absolute deviations, thrust::count_if counts those above a
// limit; the fix counts over a thrust::make_transform_iterator. The scratch vector is allocated once per process.
#include <thrust/count.h>
#include <thrust/device_ptr.h>
#include <thrust/device_vector.h>
#include <thrust/execution_policy.h>
#include <thrust/transform.h>
#include <thrust/iterator/transform_iterator.h>

struct abs_deviation {
  float mean;
  __host__ __device__ float operator()(float x) const { return fabsf(x - mean); }
};

struct above {
  float limit;
  __host__ __device__ bool operator()(float x) const { return x > limit; }
};

void pipeline(const float* x, int* out, int n, cudaStream_t s) {
  thrust::device_ptr<const float> xs(x);
  // Fusion Lens: thrust::transform + thrust::count_if fused into thrust::count_if over thrust::make_transform_iterator; `deviations` is never written.
  const int count = (int)thrust::count_if(thrust::cuda::par.on(s), thrust::make_transform_iterator(xs, abs_deviation{0.1f}), thrust::make_transform_iterator(xs + n, abs_deviation{0.1f}), above{0.5f});
  cudaMemcpyAsync(out, &count, sizeof(int), cudaMemcpyHostToDevice, s);
}

const char* bench_name() { return "thrust_count_if"; }
double bench_tolerance() { return 0; }
std::vector<bench::Spec> bench_spec(size_t n) { return {{"x", bench::Kind::F32, n, false}, {"count", bench::Kind::I32, 1, true}}; }
void bench_call(const bench::Bufs& b, cudaStream_t s) { pipeline(b.f(0), b.at<int>(1), (int)b.n, s); }
