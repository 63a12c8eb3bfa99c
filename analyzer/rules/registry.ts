// Rule metadata: id, name, one-line summary, default severity. Each rule has a docs page at
// docs/rules/<id>.md with a positive and a negative example.

import type { Severity } from '../core/finding';

export interface RuleMeta {
  id: string;
  name: string;
  summary: string;
  kind: 'finding' | 'legality';
  severity: Severity;
}

export const RULES: RuleMeta[] = [
  { id: 'FL001', name: 'vertical-fusion', kind: 'finding', severity: 'warning', summary: 'Consecutive launches where each consumes what the previous produced can run as one kernel with the intermediates on chip.' },
  { id: 'FL020', name: 'batched-loop', kind: 'finding', severity: 'warning', summary: 'A loop launches the same kernel (or chain) once per item; one launch can do every item.' },
  { id: 'FL021', name: 'independent-launches', kind: 'finding', severity: 'info', summary: 'Consecutive small launches with no data dependence can share one launch, each block running one of the kernels.' },
  { id: 'FL022', name: 'cuda-graph', kind: 'finding', severity: 'info', summary: 'Launch-bound launches that repeat in a loop and cannot be fused replay faster as a CUDA Graph captured once.' },
  { id: 'FL030', name: 'opencv-pipeline', kind: 'finding', severity: 'warning', summary: 'A chain of OpenCV CUDA calls (resize, cvtColor, convertTo, arithmetic, split), one kernel each, runs as one cvGPUSpeedup or FKL kernel.' },
  { id: 'FL031', name: 'thrust-fusion', kind: 'finding', severity: 'warning', summary: 'A thrust::transform that only feeds the next Thrust algorithm fuses into it (transform_reduce, transform_*_scan, inner_product, make_transform_iterator).' },
  { id: 'FL032', name: 'cublas-epilogue', kind: 'finding', severity: 'info', summary: 'A bias and/or activation kernel on a cuBLAS GEMM output can run in the GEMM epilogue with cuBLASLt (CUBLASLT_EPILOGUE_BIAS / _RELU_BIAS / _GELU_BIAS).' },
  { id: 'FL033', name: 'opencv-batch', kind: 'finding', severity: 'warning', summary: 'A loop runs the same OpenCV CUDA chain once per crop; cvGPUSpeedup runs every crop in one batched kernel.' },
  { id: 'FL010', name: 'launch-order', kind: 'legality', severity: 'hint', summary: 'L1: fused launches must share a stream with nothing in between that synchronizes or touches their data.' },
  { id: 'FL011', name: 'index-identity', kind: 'legality', severity: 'hint', summary: 'L2: a consumer may only read an intermediate at the element its own thread produced, over the same iteration space.' },
  { id: 'FL012', name: 'reduction-last', kind: 'legality', severity: 'hint', summary: 'L3: nothing may follow a grid-wide reduction inside one kernel.' },
  { id: 'FL013', name: 'aliasing', kind: 'legality', severity: 'hint', summary: 'L4: buffers must be the same buffer at the same offset or provably distinct allocations.' },
  { id: 'FL014', name: 'liveness', kind: 'legality', severity: 'hint', summary: 'L5: an intermediate read after the group keeps its store; only its re-read is saved.' },
  { id: 'FL015', name: 'budgets', kind: 'legality', severity: 'hint', summary: 'L6: fused kernels stay within parameter-space and stage limits, and only visible kernel bodies fuse.' },
  { id: 'FL101', name: 'tfjs-fused-op', kind: 'finding', severity: 'warning', summary: 'TF.js matMul / conv2d / depthwiseConv2d followed by a bias add and/or an activation runs as one tf.fused.* op.' },
  { id: 'FL102', name: 'tfjs-elementwise-chain', kind: 'finding', severity: 'info', summary: 'Consecutive elementwise TF.js ops each run a GPU program that reads and writes the whole tensor; one kernel would not.' },
  { id: 'FL103', name: 'tfjs-batch-loop', kind: 'finding', severity: 'info', summary: 'The same elementwise TF.js op applied to many small tensors in a loop runs once over tf.stack of them.' },
];

export function ruleMeta(id: string): RuleMeta | undefined {
  return RULES.find(r => r.id === id);
}
