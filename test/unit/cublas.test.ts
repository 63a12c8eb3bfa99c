// FL032: cuBLAS GEMM followed by a bias/activation kernel on its output -> cuBLASLt epilogue (finding only).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeText } from '../helpers/analyze';

const KERNELS = `__global__ void bias_relu(float* y, const float* b, int rows, int total) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < total) y[i] = fmaxf(y[i] + b[i % rows], 0.0f);
}
__global__ void gelu(const float* y, float* z, int total) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < total) { float v = y[i]; z[i] = 0.5f * v * (1.0f + tanhf(0.79788456f * (v + 0.044715f * v * v * v))); }
}
__global__ void add_residual(float* y, const float* r, int total) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < total) y[i] = y[i] + r[i];
}
`;
const prog = (body: string) => `#include <cublas_v2.h>\n${KERNELS}\nvoid layer(cublasHandle_t h, const float* W, const float* X, float* Y, float* Z, const float* bias, const float* res) {\n  const int M = 1024, N = 256, K = 1024;\n  const float alpha = 1.0f, beta = 0.0f;\n${body}\n}\n`;
const SGEMM = '  cublasSgemm(h, CUBLAS_OP_N, CUBLAS_OP_N, M, N, K, &alpha, W, M, X, K, &beta, Y, M);';
const fl032 = (r: ReturnType<typeof analyzeText>) => r.findings.filter(f => f.rule === 'FL032');

test('Sgemm + bias/ReLU kernel -> CUBLASLT_EPILOGUE_RELU_BIAS, estimated, no fix', () => {
  const f = fl032(analyzeText(prog(`${SGEMM}\n  bias_relu<<<(M * N + 255) / 256, 256>>>(Y, bias, M, M * N);`)))[0];
  assert.ok(f);
  assert.match(f.message, /CUBLASLT_EPILOGUE_RELU_BIAS/);
  assert.equal(f.fixable, false);
  assert.match(f.fixUnavailable!, /cublasLtMatmul/);
  assert.equal(f.estimate.launchesBefore, 2);
  assert.equal(f.estimate.launchesAfter, 1);
  // saved: the kernel's read and write of Y (its bias read moves into the GEMM)
  assert.equal(f.estimate.bytesBefore - f.estimate.bytesAfter, 2 * 4 * 1024 * 256);
  assert.ok(f.estimate.speedup > 1);
  assert.ok(f.estimate.assumptions.some(a => /GEMM 1024×256×1024/.test(a)));
  assert.ok(f.notes.some(n => /BIAS_POINTER to `bias`/.test(n)));
  assert.ok(f.notes.some(n => /per row/.test(n)));
});

test('GemmEx + GELU kernel writing elsewhere -> CUBLASLT_EPILOGUE_GELU', () => {
  const gemmEx = '  cublasGemmEx(h, CUBLAS_OP_N, CUBLAS_OP_N, M, N, K, &alpha, W, CUDA_R_32F, M, X, CUDA_R_32F, K, &beta, Y, CUDA_R_32F, M, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT);';
  const f = fl032(analyzeText(prog(`${gemmEx}\n  gelu<<<(M * N + 255) / 256, 256>>>(Y, Z, M * N);`)))[0];
  assert.ok(f);
  assert.match(f.message, /CUBLASLT_EPILOGUE_GELU\b/);
});

test('no finding: a residual (elementwise) operand, or something touching the output in between', () => {
  assert.equal(fl032(analyzeText(prog(`${SGEMM}\n  add_residual<<<(M * N + 255) / 256, 256>>>(Y, res, M * N);`))).length, 0);
  assert.equal(fl032(analyzeText(prog(`${SGEMM}\n  cudaMemset(Y, 0, 4);\n  bias_relu<<<(M * N + 255) / 256, 256>>>(Y, bias, M, M * N);`))).length, 0);
});
