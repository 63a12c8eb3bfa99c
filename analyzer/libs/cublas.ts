// cuBLAS GEMM followed by a kernel that adds a bias and/or applies an activation to its output:
// cuBLASLt runs both inside the GEMM's epilogue (CUBLASLT_EPILOGUE_BIAS / _RELU_BIAS / _GELU_BIAS),
// so the output is written once instead of written, read back and written again.

import type { LibraryFacts } from './libraryFacts';
import type { CudaProgram } from '../cuda/frontend';
import type { LaunchNode } from '../core/ir';
import type { CudaLaunchData } from '../cuda/hostSequence';
import { evalText } from '../cuda/constEval';
import { kernelBodyText } from '../cuda/kernelSummary';
import { allBlocks, embeddedCalls, localLookup, type Arg, type CallItem, type HostFunction, type HostItem } from './hostCalls';

export interface GemmCall {
  call: CallItem;
  api: 'cublasSgemm' | 'cublasGemmEx' | 'cublasHgemm' | 'cublasDgemm';
  m: Arg;
  n: Arg;
  k: Arg;
  a: Arg;
  b: Arg;
  beta: Arg;
  c: Arg;
  /** Bytes per element of A/B and of C (from the API or the cudaDataType arguments). */
  abBytes?: number;
  cBytes?: number;
}

export interface EpilogueMatch {
  fn: HostFunction;
  gemm: GemmCall;
  /** The kernel launches that read the GEMM's output (one or two: bias, then activation). */
  launches: LaunchNode[];
  bias?: { name: string; index: string };
  activation?: 'relu' | 'gelu';
  epilogue: string;
}

const DTYPE_BYTES: Record<string, number> = { CUDA_R_32F: 4, CUDA_R_16F: 2, CUDA_R_16BF: 2, CUDA_R_64F: 8, CUDA_R_8I: 1, CUDA_R_32I: 4, CUDA_R_8F_E4M3: 1, CUDA_R_8F_E5M2: 1 };

export function parseGemm(c: CallItem): GemmCall | undefined {
  const a = c.args;
  const name = c.callee.replace(/^::/, '');
  if ((name === 'cublasSgemm' || name === 'cublasSgemm_v2' || name === 'cublasDgemm' || name === 'cublasHgemm') && a.length === 14) {
    const bytes = name.startsWith('cublasD') ? 8 : name.startsWith('cublasH') ? 2 : 4;
    return { call: c, api: name.replace(/_v2$/, '') as GemmCall['api'], m: a[3], n: a[4], k: a[5], a: a[7], b: a[9], beta: a[11], c: a[12], abBytes: bytes, cBytes: bytes };
  }
  if (name === 'cublasGemmEx' && a.length === 19) {
    return { call: c, api: 'cublasGemmEx', m: a[3], n: a[4], k: a[5], a: a[7], b: a[10], beta: a[13], c: a[14], abBytes: DTYPE_BYTES[a[8].text], cBytes: DTYPE_BYTES[a[15].text] };
  }
  return undefined;
}

/** The pointer variable an argument names (`d_C`, `C.data()`, `thrust::raw_pointer_cast(...)`). */
function pointerName(text: string): string | undefined {
  const m = /^(?:\(\w+\s*\*\)\s*)?&?(\w+)(?:\.data\(\)|\.get\(\))?$/.exec(text) ?? /^thrust::raw_pointer_cast\((\w+)\.data\(\)\)$/.exec(text);
  return m?.[1];
}

export function findEpilogues(program: CudaProgram, functions: HostFunction[], facts: LibraryFacts): EpilogueMatch[] {
  if (!facts.gemm) return [];
  const out: EpilogueMatch[] = [];
  const byStmt = new Map<number, LaunchNode>();
  for (const l of program.launches) byStmt.set(l.stmtSpan.start, l);
  for (const f of functions) {
    for (const block of allBlocks(f.items)) {
      const items = block.items;
      for (let i = 0; i < items.length; i++) {
        const gemm = gemmIn(program, items[i]);
        const cName = gemm ? pointerName(gemm.c.text) : undefined;
        if (!gemm || !cName) continue;
        const launches: LaunchNode[] = [];
        let current = cName;
        for (let j = i + 1; j < items.length && launches.length < 2; j++) {
          const l = launchAt(program, items[j]);
          const reads = l?.uses.find(u => u.buffer.name === current && u.access !== 'write' && u.index.kind === 'identity');
          if (l && reads) {
            launches.push(l);
            const w = l.uses.find(u => u.access !== 'read' && u.index.kind === 'identity');
            current = w ? w.buffer.name : current;
            continue;
          }
          // anything else that touches the output (or any launch) ends the search
          if (items[j].idents.has(current) || l) break;
        }
        if (!launches.length) continue;
        const m = classify(launches, [cName]);
        if (!m.bias && !m.activation) continue;
        const epilogue = `CUBLASLT_EPILOGUE_${m.activation ? m.activation.toUpperCase() + (m.bias ? '_BIAS' : '') : 'BIAS'}`;
        out.push({ fn: f, gemm, launches, ...m, epilogue });
      }
    }
  }
  return out;
}

function gemmIn(program: CudaProgram, it: HostItem): GemmCall | undefined {
  if (it.kind === 'call') return parseGemm(it);
  if (it.kind === 'decl' || (it.kind === 'other' && !it.nested.length)) {
    for (const c of embeddedCalls(program.tokens, it, x => /^(::)?cublas\w*[Gg]emm/.test(x))) {
      const g = parseGemm(c);
      if (g) return g;
    }
  }
  return undefined;
}

function launchAt(program: CudaProgram, it: HostItem): LaunchNode | undefined {
  return program.launches.find(l => l.span.start >= it.span.start && l.span.end <= it.span.end);
}

/** Bias: another input read per row (broadcast or `i % m`); activation: max(x, 0) or tanh/erf. */
function classify(launches: LaunchNode[], outputs: string[]): { bias?: { name: string; index: string }; activation?: 'relu' | 'gelu' } {
  let bias: { name: string; index: string } | undefined;
  let activation: 'relu' | 'gelu' | undefined;
  const produced = new Set(outputs);
  for (const l of launches) {
    const d = l.frontend as CudaLaunchData;
    if (!d.kernel || l.traits.reduction || l.traits.blockCooperative) return {};
    for (const u of l.uses) {
      if (u.access !== 'read' || produced.has(u.buffer.name)) continue;
      if (u.index.kind === 'identity') return {}; // an elementwise second operand (residual): not an epilogue
      bias = { name: u.buffer.name, index: u.index.kind === 'strided' ? u.index.text : u.index.kind };
    }
    for (const u of l.uses) if (u.access !== 'read') produced.add(u.buffer.name);
    const body = kernelBodyText(d.kernel).replace(/\/\/[^\n]*|\/\*[\s\S]*?\*\//g, '');
    if (/\b(tanhf?|erff?|normcdff?)\s*\(/.test(body)) activation = 'gelu';
    else if (/\bf?max[f]?\s*\([^;]*\b0(\.0*)?f?\s*\)|>\s*0(\.0*)?f?\s*\?/.test(body)) activation ??= 'relu';
  }
  return { bias, activation };
}

export function gemmDims(p: CudaProgram, f: HostFunction, g: GemmCall): { m?: number; n?: number; k?: number } {
  const look = localLookup(f, p.constLookup);
  const ev = (a: Arg) => evalText(a.text, look);
  return { m: ev(g.m), n: ev(g.n), k: ev(g.k) };
}
