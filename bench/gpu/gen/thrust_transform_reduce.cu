// Thrust (FL031): thrust::transform writes squared deviations into a scratch vector, thrust::reduce
// sums them; the fix is thrust::transform_reduce. The scratch vector is allocated once per process.
#include <thrust/device_ptr.h>
#include <thrust/device_vector.h>
#include <thrust/execution_policy.h>
#include <thrust/functional.h>
#include <thrust/reduce.h>
#include <thrust/transform.h>

struct squared_deviation {
  float mean;
  __host__ __device__ float operator()(float x) const { return (x - mean) * (x - mean); }
};

void pipeline(const float* x, float* out, int n, cudaStream_t s) {
  static thrust::device_vector<float> squares(n);  // scratch, allocated on the first call
  thrust::device_ptr<const float> xs(x);
  thrust::transform(thrust::cuda::par.on(s), xs, xs + n, squares.begin(), squared_deviation{0.25f});
  const float total = thrust::reduce(thrust::cuda::par.on(s), squares.begin(), squares.end(), 0.0f, thrust::plus<float>());
  cudaMemcpyAsync(out, &total, sizeof(float), cudaMemcpyHostToDevice, s);
}

const char* bench_name() { return "thrust_transform_reduce"; }
// the sum runs in another order once fused
double bench_tolerance() { return 1e-4; }
std::vector<bench::Spec> bench_spec(size_t n) { return {{"x", bench::Kind::F32, n, false}, {"total", bench::Kind::F32, 1, true}}; }
void bench_call(const bench::Bufs& b, cudaStream_t s) { pipeline(b.f(0), b.f(1), (int)b.n, s); }
