// What host-side CUDA runtime calls (and common helpers) do to device memory and ordering.
// Anything not listed here and not visible in the workspace is opaque: a barrier to fusion.

export type ApiEffect =
  | { kind: 'sync' }
  | { kind: 'event' }
  | { kind: 'memcpy'; dst: number; src: number; sync: boolean }
  | { kind: 'memset'; dst: number; sync: boolean }
  | { kind: 'alloc'; ptr: number; bytes?: number; device: boolean }
  | { kind: 'free'; ptr: number }
  | { kind: 'harmless' }
  | { kind: 'opaque'; why: string };

export const CUDA_API: Record<string, ApiEffect> = {
  cudaDeviceSynchronize: { kind: 'sync' },
  cudaThreadSynchronize: { kind: 'sync' },
  cudaStreamSynchronize: { kind: 'sync' },
  cudaEventSynchronize: { kind: 'sync' },
  cudaStreamQuery: { kind: 'sync' },
  cudaEventQuery: { kind: 'sync' },
  cudaStreamWaitEvent: { kind: 'event' },
  cudaEventRecord: { kind: 'event' },
  cudaEventRecordWithFlags: { kind: 'event' },
  cudaSetDevice: { kind: 'event' },
  cudaStreamBeginCapture: { kind: 'event' },
  cudaStreamEndCapture: { kind: 'event' },
  cudaGraphLaunch: { kind: 'opaque', why: 'launches a CUDA graph' },
  cudaLaunchHostFunc: { kind: 'opaque', why: 'runs a host function in stream order' },
  cudaMemcpy: { kind: 'memcpy', dst: 0, src: 1, sync: true },
  cudaMemcpyAsync: { kind: 'memcpy', dst: 0, src: 1, sync: false },
  cudaMemcpy2D: { kind: 'memcpy', dst: 0, src: 2, sync: true },
  cudaMemcpy2DAsync: { kind: 'memcpy', dst: 0, src: 2, sync: false },
  cudaMemcpyToSymbol: { kind: 'memcpy', dst: 0, src: 1, sync: true },
  cudaMemcpyToSymbolAsync: { kind: 'memcpy', dst: 0, src: 1, sync: false },
  cudaMemcpyFromSymbol: { kind: 'memcpy', dst: 0, src: 1, sync: true },
  cudaMemcpyFromSymbolAsync: { kind: 'memcpy', dst: 0, src: 1, sync: false },
  cudaMemcpyPeer: { kind: 'memcpy', dst: 0, src: 2, sync: true },
  cudaMemcpyPeerAsync: { kind: 'memcpy', dst: 0, src: 2, sync: false },
  cudaMemset: { kind: 'memset', dst: 0, sync: true },
  cudaMemsetAsync: { kind: 'memset', dst: 0, sync: false },
  cudaMemset2D: { kind: 'memset', dst: 0, sync: true },
  cudaMalloc: { kind: 'alloc', ptr: 0, bytes: 1, device: true },
  cudaMallocManaged: { kind: 'alloc', ptr: 0, bytes: 1, device: true },
  cudaMallocAsync: { kind: 'alloc', ptr: 0, bytes: 1, device: true },
  cudaMallocPitch: { kind: 'alloc', ptr: 0, device: true },
  cudaMallocHost: { kind: 'alloc', ptr: 0, bytes: 1, device: false },
  cudaHostAlloc: { kind: 'alloc', ptr: 0, bytes: 1, device: false },
  cudaFree: { kind: 'free', ptr: 0 },
  cudaFreeAsync: { kind: 'free', ptr: 0 },
  cudaFreeHost: { kind: 'free', ptr: 0 },
};

const HARMLESS = new Set([
  'cudaGetLastError', 'cudaPeekAtLastError', 'cudaGetErrorString', 'cudaGetErrorName', 'cudaEventCreate',
  'cudaEventCreateWithFlags', 'cudaEventDestroy', 'cudaEventElapsedTime', 'cudaStreamCreate',
  'cudaStreamCreateWithFlags', 'cudaStreamCreateWithPriority', 'cudaStreamDestroy', 'cudaGetDevice',
  'cudaGetDeviceCount', 'cudaGetDeviceProperties', 'cudaDeviceGetAttribute', 'cudaFuncSetAttribute',
  'cudaFuncGetAttributes', 'cudaOccupancyMaxActiveBlocksPerMultiprocessor', 'cudaOccupancyMaxPotentialBlockSize',
  'cudaDriverGetVersion', 'cudaRuntimeGetVersion', 'cudaMemGetInfo', 'cudaPointerGetAttributes',
  'printf', 'fprintf', 'sprintf', 'snprintf', 'puts', 'fputs', 'fflush', 'perror', 'assert', 'rand', 'srand',
  'malloc', 'calloc', 'free', 'memset', 'memcpy', 'strcmp', 'strlen', 'atoi', 'atof', 'atol', 'strtol', 'getenv',
  'dim3', 'min', 'max', 'fmin', 'fmax', 'fminf', 'fmaxf', 'ceil', 'floor', 'sqrt', 'sqrtf', 'exp', 'expf', 'log',
  'logf', 'abs', 'fabs', 'fabsf', 'pow', 'powf', 'sizeof', 'alignof', 'static_cast', 'reinterpret_cast', 'const_cast',
  'dynamic_cast', 'decltype', 'make_float2', 'make_float3', 'make_float4', 'make_int2', 'make_int3', 'make_int4',
  'make_uchar3', 'make_uchar4', 'ceil_div', 'div_up', 'divUp', 'iDivUp', 'cdiv', 'DIV_UP', 'CEIL_DIV',
]);

/** Error-checking wrappers: their argument is what runs. */
const TRANSPARENT = new Set([
  'checkCudaErrors', 'getLastCudaError', 'gpuErrchk', 'cudaCheckError', 'cudaCheck', 'CUDA_CHECK', 'CHECK_CUDA',
  'CUDA_SAFE_CALL', 'HANDLE_ERROR', 'CUDA_CALL', 'CUDA_RT_CALL', 'CHECK', 'CK', 'cuda_check', 'checkCuda', 'C10_CUDA_CHECK',
]);

export function apiEffect(name: string): ApiEffect | undefined {
  const base = name.replace(/^::/, '');
  if (base in CUDA_API) return CUDA_API[base];
  if (HARMLESS.has(base)) return { kind: 'harmless' };
  if (base.startsWith('std::') || base.startsWith('cuda::std::')) return { kind: 'harmless' };
  return undefined;
}

/**
 * Wrappers whose arguments run as written. An unknown ALL_CAPS macro (defined in a header we cannot
 * see) is taken as an error-check wrapper only when its single argument is itself a call, as in
 * `CUDA_CHECK(cudaMalloc(...))`; with several arguments it might launch a kernel, so it stays opaque.
 */
export function isTransparentWrapper(name: string, singleCallArgument: boolean): boolean {
  return TRANSPARENT.has(name) || (singleCallArgument && /^[A-Z][A-Z0-9_]*$/.test(name));
}

/** Container types that own device memory: the variable itself is the buffer. */
export const DEVICE_CONTAINERS = /^(thrust::)?device_vector\b|^(thrust::)?device_ptr\b|^(cv::)?cuda::GpuMat\b|^GpuMat\b|^(fk::)?Ptr2D\b|^(fk::)?Tensor\b|^rmm::device_(u?vector|buffer)\b|^cuda::std::|^DeviceBuffer\b|^DeviceArray\b/;

/** Methods on buffer containers that yield the raw device pointer. */
export const POINTER_METHODS = new Set(['data', 'get', 'ptr', 'begin', 'cudaPtr']);
