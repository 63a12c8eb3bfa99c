// Small programs exercising each rewrite path; unit tests check the text, nvcc tests compile it.
export interface RewriteCase {
  name: string;
  src: string;
  files?: Record<string, string>;
  /** Patterns the fixed text must contain / must not contain. */
  expect: RegExp[];
  reject?: RegExp[];
}

const ew = (name: string, body: string, params = 'const float* in, float* out, int n') =>
  `__global__ void ${name}(${params}) {\n  int i = blockIdx.x * blockDim.x + threadIdx.x;\n  if (i < n) ${body}\n}\n`;

export const REWRITE_CASES: RewriteCase[] = [
  {
    name: 'grid-stride and early-return stages mix into one grid-stride loop',
    src: `${ew('a', 'out[i] = in[i] + 1.f;')}
__global__ void b(const float* in, float* out, int n) {
  int idx = threadIdx.x + blockDim.x * blockIdx.x;
  if (idx >= n) return;
  out[idx] = in[idx] * 3.f;
}
__global__ void c(float* z, int n) {
  for (int j = blockIdx.x * blockDim.x + threadIdx.x; j < n; j += blockDim.x * gridDim.x) z[j] = sqrtf(z[j]);
}
void run() { const int n = 4096; float *x, *y, *t; cudaMalloc(&x, n * 4); cudaMalloc(&y, n * 4); cudaMalloc(&t, n * 4);
  a<<<16, 256>>>(x, t, n);
  b<<<16, 256>>>(t, y, n);
  c<<<16, 256>>>(y, n);
  float h[16];
  cudaMemcpy(h, y, sizeof(h), cudaMemcpyDeviceToHost);
  cudaFree(x); cudaFree(y); cudaFree(t); }
`,
    expect: [/for \(int i = blockIdx\.x \* blockDim\.x \+ threadIdx\.x; i < n; i \+= blockDim\.x \* gridDim\.x\) \{/, /t = in\[i\] \+ 1\.f;/, /y = t \* 3\.f;/, /y = sqrtf\(y\);\n\s+out\[i\] = y;/, /a_b_c_fused<<<16, 256>>>\(x, y, n\);/],
    reject: [/\ba<<</, /Fusion Lens[\s\S]*\bidx\b/],
  },
  {
    // "An Even Easier Introduction to CUDA", as Learn-CUDA-Programming's unified-memory sample has
    // it: the fused loop once read `index` and `stride` that only the stages' blocks declared
    name: 'grid-stride loops bounded by index and stride declared before the loop',
    src: `__global__ void init(int n, float *x, float *y) {
    int index = threadIdx.x + blockIdx.x * blockDim.x;
    int stride = blockDim.x * gridDim.x;
    for (int i = index; i < n; i += stride) {
        x[i] = 1.0f;
        y[i] = 2.0f;
    }
}
__global__ void add(int n, float *x, float *y) {
    int index = blockIdx.x * blockDim.x + threadIdx.x;
    int stride = blockDim.x * gridDim.x;
    for (int i = index; i < n; i += stride)
        y[i] = x[i] + y[i];
}
int main() { int N = 1 << 20; float *x, *y; cudaMallocManaged(&x, N * sizeof(float)); cudaMallocManaged(&y, N * sizeof(float));
  int blockSize = 256; int numBlocks = (N + blockSize - 1) / blockSize;
  init<<<numBlocks, blockSize>>>(N, x, y);
  add<<<numBlocks, blockSize>>>(N, x, y);
  cudaDeviceSynchronize();
  float e = y[0] - 3.0f;
  cudaFree(x); cudaFree(y); return e != 0.0f; }
`,
    expect: [/__global__ void init_add_fused\(float\* y, int n\) \{\n    int index = threadIdx\.x \+ blockIdx\.x \* blockDim\.x;\n    int stride = blockDim\.x \* gridDim\.x;\n    for \(int i = index; i < n; i \+= stride\) \{/, /y_val = x \+ y_val;/, /init_add_fused<<<numBlocks, blockSize>>>\(y, N\);/],
    // each stage's own loop bounds are dead in the fused loop: declared once, before it
    reject: [/Fusion Lens[\s\S]*int index[\s\S]*int index[\s\S]*int main/, /Fusion Lens[\s\S]*int stride[\s\S]*int stride[\s\S]*int main/],
  },
  {
    name: 'templates are instantiated from explicit and default arguments',
    src: `template <typename T, int K = 2>
__global__ void scale_t(const T* in, T* out, int n) { int i = blockIdx.x * blockDim.x + threadIdx.x; if (i < n) out[i] = in[i] * T(K); }
template <typename T>
__global__ void add_t(const T* in, T* out, T v, int n) { int i = blockIdx.x * blockDim.x + threadIdx.x; if (i < n) out[i] = in[i] + v; }
void run() { const int n = 1 << 16; double *x, *t, *y; cudaMalloc(&x, n * 8); cudaMalloc(&t, n * 8); cudaMalloc(&y, n * 8);
  scale_t<double><<<n / 128, 128>>>(x, t, n);
  add_t<double><<<n / 128, 128>>>(t, y, 1.0, n);
}
`,
    expect: [/__global__ void scale_t_add_t_fused\(const double\* in, double\* out, int n, double v\)/, /t = in\[i\] \* double\(2\);/],
  },
  {
    name: 'kernels defined after the host function get a prototype',
    src: `__global__ void p(const float* in, float* out, int n);
__global__ void q(const float* in, float* out, int n);
void run() { const int n = 2048; float *x, *t, *y; cudaMalloc(&x, n * 4); cudaMalloc(&t, n * 4); cudaMalloc(&y, n * 4);
  p<<<8, 256>>>(x, t, n);
  q<<<8, 256>>>(t, y, n);
}
${ew('p', 'out[i] = in[i] * in[i];')}${ew('q', 'out[i] = in[i] - 1.f;')}`,
    expect: [/^__global__ void p_q_fused\(const float\* in, float\* out, int n\);$/m, /p_q_fused<<<8, 256>>>\(x, y, n\);/],
  },
  {
    name: 'kernels from an included header',
    src: `#include "ops.cuh"
void run() { const int n = 2048; float *x, *t, *y; cudaMalloc(&x, n * 4); cudaMalloc(&t, n * 4); cudaMalloc(&y, n * 4);
  neg<<<8, 256>>>(x, t, n);
  twice<<<8, 256>>>(t, y, n);
}
`,
    files: { '/virtual/ops.cuh': `#pragma once\n${ew('neg', 'out[i] = -in[i];')}${ew('twice', 'out[i] = 2.f * in[i];')}` },
    expect: [/__global__ void neg_twice_fused/, /neg_twice_fused<<<8, 256>>>\(x, y, n\);\n\}/],
  },
  {
    name: 'launch macro and cudaLaunchKernel forms',
    src: `#define KERNEL_LAUNCH(k, g, b, ...) k<<<g, b>>>(__VA_ARGS__)
${ew('u', 'out[i] = in[i] + 2.f;')}${ew('v', 'out[i] = in[i] * 0.25f;')}${ew('w', 'out[i] = in[i] - 3.f;')}
void run() { int n = 4096; float *a, *b, *c, *d; cudaMalloc(&a, n * 4); cudaMalloc(&b, n * 4); cudaMalloc(&c, n * 4); cudaMalloc(&d, n * 4);
  KERNEL_LAUNCH(u, 16, 256, a, b, n);
  KERNEL_LAUNCH(v, 16, 256, b, c, n);
}
void run2() { int n = 4096; float *a, *b, *c; cudaMalloc(&a, n * 4); cudaMalloc(&b, n * 4); cudaMalloc(&c, n * 4);
  dim3 g(16), bl(256);
  u<<<g, bl>>>(a, b, n);
  void* args[] = {&b, &c, &n};
  cudaLaunchKernel((const void*)w, g, bl, args, 0, 0);
}
`,
    expect: [/KERNEL_LAUNCH\(u_v_fused, 16, 256, a, c, n\);/, /void\* args\[\] = \{&a, &c, &n\};/, /cudaLaunchKernel\(\(const void\*\)u_w_fused, g, bl, args, 0, 0\)/],
  },
  {
    name: '2D kernels fuse with their row stride',
    src: `__global__ void gain(const float* in, float* out, int w, int h) {
  int x = blockIdx.x * blockDim.x + threadIdx.x;
  int y = blockIdx.y * blockDim.y + threadIdx.y;
  if (x < w && y < h) out[y * w + x] = in[y * w + x] * 1.5f;
}
__global__ void clip(const float* src, float* dst, int width, int height) {
  int col = threadIdx.x + blockIdx.x * blockDim.x;
  int row = threadIdx.y + blockIdx.y * blockDim.y;
  if (col < width && row < height) dst[col + row * width] = fminf(src[col + row * width], 1.f);
}
void run() { const int W = 640, H = 480; float *a, *b, *c; cudaMalloc(&a, W * H * 4); cudaMalloc(&b, W * H * 4); cudaMalloc(&c, W * H * 4);
  dim3 block(16, 16), grid(W / 16, H / 16);
  gain<<<grid, block>>>(a, b, W, H);
  clip<<<grid, block>>>(b, c, W, H);
}
`,
    expect: [/float b;/, /b = in\[y \* w \+ x\] \* 1\.5f;/, /dst\[x \+ y \* w\] = fminf\(b, 1\.f\);/],
  },
  {
    name: 'an elementwise producer is computed where a reduction reads it',
    src: `${ew('sq', 'out[i] = in[i] * in[i];')}
__global__ void sum(const float* v, float* total, int n) {
  __shared__ float s[256];
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  s[threadIdx.x] = i < n ? v[i] : 0.f;
  __syncthreads();
  for (int k = 128; k > 0; k >>= 1) { if (threadIdx.x < k) s[threadIdx.x] += s[threadIdx.x + k]; __syncthreads(); }
  if (threadIdx.x == 0) atomicAdd(total, s[0]);
}
void run() { const int n = 1 << 20; float *x, *t, *tot; cudaMalloc(&x, n * 4); cudaMalloc(&t, n * 4); cudaMalloc(&tot, 4);
  sq<<<n / 256, 256>>>(x, t, n);
  sum<<<n / 256, 256>>>(t, tot, n);
  cudaFree(t);
}
`,
    expect: [/__device__ __forceinline__ float sq_at\(const float\* in, int i\)/, /s\[threadIdx\.x\] = i < n \? sq_at\(in, i\) : 0\.f;/, /sq_sum_fused<<<n \/ 256, 256>>>\(x, tot, n\);/],
  },
];

REWRITE_CASES.push(
  {
    name: 'a batch loop becomes one launch (by value)',
    src: `__global__ void gain(const float* in, float* out, float g, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) out[i] = in[i] * g;
}
void run(cudaStream_t s) {
  const int B = 32, n = 2048;
  float *in, *out;
  cudaMalloc(&in, B * n * 4); cudaMalloc(&out, B * n * 4);
  float gains[32];
  for (int b = 0; b < B; ++b) gains[b] = 1.f + b;
  for (int b = 0; b < B; ++b) {
    gain<<<(n + 255) / 256, 256, 0, s>>>(in + b * n, out + b * n, gains[b], n);
  }
}
`,
    expect: [/gain_batched<<<dim3\(\(n \+ 255\) \/ 256, B\), 256, 0, s>>>\(fl_batch, n\);/, /fl_batch\.items\[b\] = \{in \+ b \* n, out \+ b \* n, gains\[b\]\};/],
  },
  {
    name: 'a batch loop with an unknown count goes through a device array',
    src: `__global__ void gain(const float* in, float* out, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) out[i] = in[i] * 3.f;
}
void run(cudaStream_t s, int count) {
  const int n = 2048;
  float *in, *out;
  cudaMalloc(&in, 1 << 26); cudaMalloc(&out, 1 << 26);
  for (int b = 0; b < count; ++b) gain<<<8, 256, 0, s>>>(in + b * n, out + b * n, n);
}
`,
    expect: [/std::vector<gain_item> fl_items\(count\);/, /gain_batched<<<dim3\(8, count\), 256, 0, s>>>\(fl_items_d, n\);/],
  },
);
