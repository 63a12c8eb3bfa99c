// GPU proof harness (bench/gpu): buffers described by each case, random inputs, poisoned outputs,
// event timing, output comparison. Included by driver.cu before the two versions of a case.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>
#include <cuda_runtime.h>

#define CK(call)                                                                              \
  do {                                                                                        \
    cudaError_t e_ = (call);                                                                  \
    if (e_ != cudaSuccess) {                                                                  \
      std::fprintf(stderr, "CUDA error %s at %s:%d: %s\n", cudaGetErrorName(e_), __FILE__, __LINE__, #call); \
      std::exit(2);                                                                           \
    }                                                                                         \
  } while (0)

namespace bench {

enum class Kind { F32, U8, I32, F64 };

struct Spec {
  const char* name;
  Kind kind;
  size_t elems;
  bool output;
  /** Inputs: values drawn uniformly from [lo, hi). */
  double lo = -1.0, hi = 1.0;
};

inline size_t elemBytes(Kind k) { return k == Kind::U8 ? 1 : k == Kind::F64 ? 8 : 4; }

/** Device buffers of one version of a case, in the order of the case's spec. */
struct Bufs {
  std::vector<void*> ptr;
  std::vector<Spec> spec;
  size_t n = 0;
  int batch = 0;
  template <typename T> T* at(int i) const { return static_cast<T*>(ptr[i]); }
  float* f(int i) const { return at<float>(i); }
};

inline uint64_t splitmix(uint64_t& s) {
  uint64_t z = (s += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

/** Fills host memory with seeded random values of the spec's kind (never zeros only). */
inline std::vector<uint8_t> randomHost(const Spec& s, uint64_t seed) {
  std::vector<uint8_t> h(s.elems * elemBytes(s.kind));
  uint64_t st = seed * 0x100000001B3ull + s.elems;
  for (size_t i = 0; i < s.elems; ++i) {
    double u = (splitmix(st) >> 11) * (1.0 / 9007199254740992.0);
    double v = s.lo + (s.hi - s.lo) * u;
    switch (s.kind) {
      case Kind::F32: reinterpret_cast<float*>(h.data())[i] = (float)v; break;
      case Kind::F64: reinterpret_cast<double*>(h.data())[i] = v; break;
      case Kind::I32: reinterpret_cast<int32_t*>(h.data())[i] = (int32_t)v; break;
      case Kind::U8: h[i] = (uint8_t)std::min(255.0, std::max(0.0, v)); break;
    }
  }
  return h;
}

inline void allocate(Bufs& b, const std::vector<Spec>& spec) {
  b.spec = spec;
  b.ptr.resize(spec.size());
  for (size_t i = 0; i < spec.size(); ++i) CK(cudaMalloc(&b.ptr[i], spec[i].elems * elemBytes(spec[i].kind)));
}

inline void release(Bufs& b) {
  for (void* p : b.ptr) CK(cudaFree(p));
  b.ptr.clear();
}

/** Poisons every output with 0xFF bytes (NaN for floats) so unwritten elements are caught. */
inline void poison(const Bufs& b) {
  for (size_t i = 0; i < b.spec.size(); ++i)
    if (b.spec[i].output) CK(cudaMemset(b.ptr[i], 0xFF, b.spec[i].elems * elemBytes(b.spec[i].kind)));
}

struct Compare {
  double maxRel = 0;
  size_t mismatches = 0;
  size_t compared = 0;
  bool exact = true;
};

/** Compares outputs of two versions: integers bitwise, floats by relative error (NaN never passes). */
inline Compare compareOutputs(const Bufs& a, const Bufs& b, double relTol) {
  Compare c;
  for (size_t i = 0; i < a.spec.size(); ++i) {
    if (!a.spec[i].output) continue;
    size_t bytes = a.spec[i].elems * elemBytes(a.spec[i].kind);
    std::vector<uint8_t> ha(bytes), hb(bytes);
    CK(cudaMemcpy(ha.data(), a.ptr[i], bytes, cudaMemcpyDeviceToHost));
    CK(cudaMemcpy(hb.data(), b.ptr[i], bytes, cudaMemcpyDeviceToHost));
    for (size_t k = 0; k < a.spec[i].elems; ++k) {
      c.compared++;
      double x, y;
      if (a.spec[i].kind == Kind::F32) { x = reinterpret_cast<float*>(ha.data())[k]; y = reinterpret_cast<float*>(hb.data())[k]; }
      else if (a.spec[i].kind == Kind::F64) { x = reinterpret_cast<double*>(ha.data())[k]; y = reinterpret_cast<double*>(hb.data())[k]; }
      else if (a.spec[i].kind == Kind::I32) { x = reinterpret_cast<int32_t*>(ha.data())[k]; y = reinterpret_cast<int32_t*>(hb.data())[k]; }
      else { x = ha[k]; y = hb[k]; }
      if (std::isnan(x) || std::isnan(y)) { c.mismatches++; c.exact = false; continue; }
      if (x != y) c.exact = false;
      double rel = std::fabs(x - y) / std::max(1e-30, std::max(std::fabs(x), std::fabs(y)));
      double absd = std::fabs(x - y);
      if (absd > 1e-6 && rel > relTol) c.mismatches++;
      if (absd > 1e-6) c.maxRel = std::max(c.maxRel, rel);
    }
  }
  return c;
}

static __global__ void spin_kernel(long long cycles) {
  long long t0 = clock64();
  while (clock64() - t0 < cycles) {
  }
}

/** Keeps the GPU busy ~50 ms so its clocks are up before small kernels are timed. */
inline void warmClocks(cudaStream_t s) {
  spin_kernel<<<132, 32, 0, s>>>(100000000ll);
  CK(cudaStreamSynchronize(s));
}

/** Median time in microseconds of `reps` event-timed calls of f (after `warm` untimed calls). */
template <class F>
double medianUs(F f, cudaStream_t s, int reps, int warm) {
  warmClocks(s);
  for (int i = 0; i < warm; ++i) f();
  CK(cudaStreamSynchronize(s));
  cudaEvent_t e0, e1;
  CK(cudaEventCreate(&e0));
  CK(cudaEventCreate(&e1));
  std::vector<float> t;
  for (int r = 0; r < reps; ++r) {
    CK(cudaEventRecord(e0, s));
    f();
    CK(cudaEventRecord(e1, s));
    CK(cudaEventSynchronize(e1));
    float ms = 0;
    CK(cudaEventElapsedTime(&ms, e0, e1));
    t.push_back(ms * 1000.f);
  }
  CK(cudaGetLastError());
  CK(cudaEventDestroy(e0));
  CK(cudaEventDestroy(e1));
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

}  // namespace bench
