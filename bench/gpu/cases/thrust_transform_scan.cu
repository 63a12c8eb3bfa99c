// Thrust (FL031): thrust::transform writes log-energies into a scratch vector, thrust::inclusive_scan
// writes their running sum to the output; the fix is thrust::transform_inclusive_scan. The scratch
// vector is allocated once per process.
#include <thrust/device_ptr.h>
#include <thrust/device_vector.h>
#include <thrust/execution_policy.h>
#include <thrust/functional.h>
#include <thrust/scan.h>
#include <thrust/transform.h>

struct log1p_op {
  __host__ __device__ float operator()(float x) const { return log1pf(fabsf(x)); }
};

void pipeline(const float* x, float* energy, int n, cudaStream_t s) {
  static thrust::device_vector<float> logs(n);  // scratch, allocated on the first call
  thrust::device_ptr<const float> xs(x);
  thrust::device_ptr<float> es(energy);
  thrust::transform(thrust::cuda::par.on(s), xs, xs + n, logs.begin(), log1p_op());
  thrust::inclusive_scan(thrust::cuda::par.on(s), logs.begin(), logs.end(), es, thrust::plus<float>());
}

const char* bench_name() { return "thrust_transform_scan"; }
// running sums of up to 2^26 terms: the fused scan may add in another order
double bench_tolerance() { return 1e-4; }
std::vector<bench::Spec> bench_spec(size_t n) { return {{"x", bench::Kind::F32, n, false}, {"energy", bench::Kind::F32, n, true}}; }
void bench_call(const bench::Bufs& b, cudaStream_t s) { pipeline(b.f(0), b.f(1), (int)b.n, s); }
