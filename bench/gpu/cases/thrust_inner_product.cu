// Thrust (FL031): a binary thrust::transform multiplies samples by weights, thrust::reduce sums the
// products; the fix is thrust::inner_product. The scratch vector is allocated once per process.
#include <thrust/device_ptr.h>
#include <thrust/device_vector.h>
#include <thrust/execution_policy.h>
#include <thrust/functional.h>
#include <thrust/inner_product.h>
#include <thrust/reduce.h>
#include <thrust/transform.h>

void pipeline(const float* x, const float* w, float* out, int n, cudaStream_t s) {
  static thrust::device_vector<float> products(n);  // scratch, allocated on the first call
  thrust::device_ptr<const float> xs(x);
  thrust::device_ptr<const float> ws(w);
  thrust::transform(thrust::cuda::par.on(s), xs, xs + n, ws, products.begin(), thrust::multiplies<float>());
  const float dot = thrust::reduce(thrust::cuda::par.on(s), products.begin(), products.end(), 0.0f, thrust::plus<float>());
  cudaMemcpyAsync(out, &dot, sizeof(float), cudaMemcpyHostToDevice, s);
}

const char* bench_name() { return "thrust_inner_product"; }
// the sum runs in another order once fused; terms of both signs: compare loosely
double bench_tolerance() { return 1e-3; }
std::vector<bench::Spec> bench_spec(size_t n) { return {{"x", bench::Kind::F32, n, false}, {"w", bench::Kind::F32, n, false}, {"dot", bench::Kind::F32, 1, true}}; }
void bench_call(const bench::Bufs& b, cudaStream_t s) { pipeline(b.f(0), b.f(1), b.f(2), (int)b.n, s); }
