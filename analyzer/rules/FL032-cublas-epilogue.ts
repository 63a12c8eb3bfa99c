// FL032 cublas-epilogue: a GEMM whose output a separate kernel reads back to add a bias and/or apply
// ReLU/GELU. cuBLASLt's matmul epilogue does that while the tile is still on chip. Finding only: a
// cublasLtMatmul rewrite needs descriptors, layouts, a workspace and a heuristic query, and its
// result (bias per row of the column-major output) could not be verified here.

import type { Finding, Fix } from '../core/finding';
import type { LineIndex } from '../core/text';
import type { CudaProgram } from '../cuda/frontend';
import type { GpuProfile } from '../cost/profiles';
import { estimate, fmtBytes, fmtCount, type Traffic, type TrafficPart } from '../cost/model';
import { launchTraffic, type SizeOptions } from '../cost/traffic';
import { gemmDims, type EpilogueMatch } from '../libs/cublas';
import { localLookup } from '../libs/hostCalls';
import { shortGpu } from './FL001-vertical';
import { launchRef, toRange } from './findingUtil';
import { callRef } from './FL030-opencv-pipeline';

export function cublasFinding(program: CudaProgram, e: EpilogueMatch, profile: GpuProfile, opts: SizeOptions, lines: LineIndex): { finding: Finding; fix: () => Fix | undefined } {
  const { m, n, k } = gemmDims(program, e.fn, e.gemm);
  const facts: string[] = [];
  const epi = e.launches.map(l => launchTraffic(l, opts));
  const before: Traffic[] = [];
  const after: Traffic[] = [];
  const known = m !== undefined && n !== undefined && k !== undefined;
  if (known) {
    const ab = e.gemm.abBytes ?? 4;
    const cb = e.gemm.cBytes ?? 4;
    const betaZero = evalBeta(program, e, e.gemm.beta.text) === 0;
    const parts: TrafficPart[] = [
      { bytes: m * k * ab, width: 16, read: true, produced: false },
      { bytes: k * n * ab, width: 16, read: true, produced: false },
      ...(betaZero ? [] : [{ bytes: m * n * cb, width: 16, read: true, produced: false }]),
      { bytes: m * n * cb, width: 16, read: false, produced: false },
    ];
    const gemm: Traffic = { callee: e.gemm.api, bytes: parts.reduce((s, x) => s + x.bytes, 0), flops: 2 * m * n * k, parts, threads: m * n, cooperative: false };
    before.push(gemm);
    // the fused GEMM also reads the bias vector; the epilogue kernel's read and rewrite of C disappear
    const biasParts = e.bias ? [{ bytes: m * 4, width: 4, read: true, produced: false }] : [];
    after.push({ ...gemm, parts: [...parts, ...biasParts], bytes: gemm.bytes + biasParts.reduce((s, x) => s + x.bytes, 0) });
    facts.push(`GEMM ${m}×${n}×${k} (m×n×k from the call), ${fmtCount(2 * m * n * k)} flops timed at ${profile.fp32Tflops.value} TFLOP/s FP32 (${profile.fp32Tflops.source}); a tensor-core GEMM is faster, which makes the epilogue's share and the speedup larger than shown`);
    facts.push(betaZero ? 'beta is 0: the GEMM does not read C' : 'beta may be non-zero: the GEMM reads C');
  } else {
    facts.push(`GEMM dimensions (\`${e.gemm.m.text}\`, \`${e.gemm.n.text}\`, \`${e.gemm.k.text}\`) not known in the code: its time is left out of both sides (annotate \`// fusion-lens: ${e.gemm.m.text}=...\`)`);
    // the GEMM launch itself stays on both sides
    const t: Traffic = { callee: e.gemm.api, bytes: 0, flops: 0, parts: [], threads: 1, cooperative: false };
    before.push(t);
    after.push(t);
  }
  before.push(...epi);
  const elements = e.launches[0].space.value ?? (known ? m! * n! : opts.defaultElements);
  facts.push(`${e.launches.map(l => `\`${l.callee}\``).join(' and ')} read${e.launches.length === 1 ? 's' : ''} the GEMM's output back (${fmtCount(elements)} elements${e.launches[0].space.value === undefined ? ', assumed' : ''}) and write${e.launches.length === 1 ? 's' : ''} it again`);
  const ws = before.reduce((s, t) => s + t.parts.filter(p => !p.read).reduce((a, p) => a + p.bytes, 0), 0);
  const est = estimate({ before, after, workingSetBytes: ws, elements, sizeKnown: known && e.launches[0].space.value !== undefined, facts }, profile);
  const what = [e.bias ? 'bias add' : '', e.activation === 'relu' ? 'ReLU' : e.activation === 'gelu' ? 'GELU' : ''].filter(Boolean).join(' and ');
  const saved = est.bytesBefore - est.bytesAfter;
  const message = `${e.gemm.api} output \`${e.gemm.c.text}\` goes through ${e.launches.map(l => `\`${l.callee}\``).join(' → ')} for the ${what}: cuBLASLt's ${e.epilogue} does it in the GEMM epilogue, saving ${fmtBytes(saved)} of device-memory traffic and ${e.launches.length} launch${e.launches.length > 1 ? 'es' : ''}, ~${est.speedup}× on ${shortGpu(profile)}`;
  const notes = [
    `with cublasLtMatmul: set CUBLASLT_MATMUL_DESC_EPILOGUE to ${e.epilogue}${e.bias ? ` and CUBLASLT_MATMUL_DESC_BIAS_POINTER to \`${e.bias.name}\`` : ''}`,
  ];
  if (e.bias) notes.push(`cuBLASLt adds one bias value per row of the column-major m×n output (m values, broadcast along each column); \`${e.bias.name}\` is read as \`${e.bias.index}\` in the kernel: check it is per row, or swap the operands (Cᵀ = Bᵀ·Aᵀ) if it is per column`);
  if (e.activation === 'gelu') notes.push('cuBLASLt\'s GELU is the tanh approximation: compare with the kernel\'s formula');
  const first = e.gemm.call;
  const finding: Finding = {
    rule: 'FL032',
    ruleName: 'cublas-epilogue',
    kind: 'library',
    severity: 'info',
    message,
    file: program.file,
    span: first.span,
    range: toRange(lines, first.span),
    launches: [callRef(lines, e.gemm.api, first.span), ...e.launches.map(l => launchRef(lines, l))],
    estimate: est,
    fixable: false,
    fixUnavailable: 'a cublasLtMatmul call needs a matmul descriptor, matrix layouts, a workspace and a heuristic query, and Fusion Lens could not verify the rewritten result on a GPU',
    notes,
  };
  return { finding, fix: () => undefined };
}

/** Value of the `&beta` argument when a constant or a local initialised with one. */
function evalBeta(program: CudaProgram, e: EpilogueMatch, text: string): number | undefined {
  const name = text.replace(/^&/, '');
  if (!/^\w+$/.test(name)) return undefined;
  return localLookup(e.fn, program.constLookup)(name);
}
