// Library pipelines (issue 7): OpenCV CUDA chains (FL030) and loops of them (FL033), Thrust
// transform chains (FL031) and cuBLAS GEMM epilogues (FL032). One entry point that analyze() calls
// with the already-lexed and scanned program, so the kernel-launch passes stay untouched.

import type { Finding, Fix } from '../core/finding';
import type { LineIndex } from '../core/text';
import type { CudaProgram } from '../cuda/frontend';
import type { GpuProfile } from '../cost/profiles';
import { hostFunctions, type HostFunction } from './hostCalls';
import type { FunctionDecl } from '../cuda/scanner';
import { Tok } from '../cuda/lexer';
import type { AnalysisOptions } from '../analyze';
import { cudaProfile } from '../cost/profiles';
import { libraryFacts, type LibraryFacts } from './libraryFacts';
import { findCvChains } from './opencv';
import { findThrustPairs } from './thrust';
import { opencvFinding, type LibOptions } from '../rules/FL030-opencv-pipeline';
import { thrustFinding } from '../rules/FL031-thrust-fusion';
import { findEpilogues } from './cublas';
import { cublasFinding } from '../rules/FL032-cublas-epilogue';
import { batchOf } from './opencvBatch';
import { opencvBatchFinding } from '../rules/FL033-opencv-batch';

export interface LibraryFinding {
  finding: Finding;
  fix: () => Fix | undefined;
}

/**
 * Library findings as analyze() reports them: the minimum saving, ignore annotations, a severity
 * override and the profile's note applied. `within`: only these host functions' (an incremental
 * step re-reads the functions an edit touched).
 */
export function acceptedLibraryFindings(program: CudaProgram, options: AnalysisOptions, lines: LineIndex, within?: ReadonlySet<FunctionDecl>, facts = libraryFacts(program.text, options.libraryTarget)): LibraryFinding[] {
  if (!facts) return [];
  const withFixes = options.withFixes ?? true;
  const { profile, note } = cudaProfile(options.gpu);
  const ann = program.annotations;
  const out: LibraryFinding[] = [];
  for (const lf of libraryFindings(program, profile, { defaultElements: options.defaultElements, libraryTarget: options.libraryTarget }, lines, withFixes, facts, within)) {
    if (lf.finding.estimate.bytesBefore - lf.finding.estimate.bytesAfter < options.minSavingBytes) continue;
    if (ann.ignoreFile || ann.ignoredLines.has(lf.finding.range.start.line)) continue;
    if (options.severity) lf.finding.severity = options.severity;
    if (note) lf.finding.estimate.assumptions.unshift(note);
    out.push(lf);
  }
  return out;
}

export function libraryFindings(program: CudaProgram, profile: GpuProfile, opts: LibOptions & { defaultElements: number }, lines: LineIndex, withFixes: boolean, facts: LibraryFacts, within?: ReadonlySet<FunctionDecl>): LibraryFinding[] {
  const out: LibraryFinding[] = [];
  const fns = libraryFunctions(program, facts, within);
  for (const chain of findCvChains(program, fns('opencv'), facts)) {
    // a loop over crops: one batched call (FL033) replaces the per-iteration fix when it has one
    const batch = batchOf(program, chain);
    const b = batch ? opencvBatchFinding(program, batch, profile, opts, lines, withFixes) : undefined;
    if (b) out.push(b);
    if (!b?.finding.fixable) out.push(opencvFinding(program, chain, profile, opts, lines, withFixes));
  }
  for (const pair of findThrustPairs(program, fns('thrust'), facts)) out.push(thrustFinding(program, pair, profile, opts, lines, withFixes));
  for (const e of findEpilogues(program, fns('cublas'), facts)) out.push(cublasFinding(program, e, profile, opts, lines));
  return out;
}

type Library = 'opencv' | 'thrust' | 'cublas';

/** The cuBLAS calls the epilogue finder reads (findEpilogues): a function without one has no finding. */
const CUBLAS_GEMM = /^cublas\w*[Gg]emm/;

/**
 * The host functions each library's finder reads: those that name the library (its namespace, a
 * GpuMat or a cuBLAS call) among their tokens, or every one when a `using namespace` lets calls go
 * unqualified. Each finder matches calls within one function, so the others cannot hold a finding;
 * a large file that mentions cuBLAS once no longer turns all of its host code into items
 * (ggml-cuda.cu, 3,458 lines: two thirds of its analysis time). Items are built once per function.
 */
function libraryFunctions(program: CudaProgram, facts: LibraryFacts, within: ReadonlySet<FunctionDecl> | undefined): (lib: Library) => HostFunction[] {
  const t = program.tokens;
  const text = program.text;
  const all = { opencv: facts.usingCv || facts.usingCvCuda, thrust: facts.usingThrust, cublas: false };
  const built = new Map<FunctionDecl, HostFunction>();
  const names = (fn: FunctionDecl): { opencv: boolean; thrust: boolean; cublas: boolean } => {
    const r = { opencv: false, thrust: false, cublas: false };
    const end = fn.bodyClose >= 0 ? fn.bodyClose : fn.end;
    for (let i = Math.max(0, fn.paramsOpen); i < end; i++) {
      if (t.kinds[i] !== Tok.Ident) continue;
      // by length and first letter before any string is made (most identifiers are neither)
      const at = t.starts[i];
      const len = t.ends[i] - at;
      const c = text.charCodeAt(at);
      if (len === 2 && c === 99 /* c */ && text.charCodeAt(at + 1) === 118 /* v */) r.opencv = true;
      else if (len === 6 && c === 71 /* G */ && text.startsWith('GpuMat', at)) r.opencv = true;
      else if (len === 6 && c === 116 /* t */ && text.startsWith('thrust', at)) r.thrust = true;
      else if (len >= 10 && c === 99 && text.startsWith('cublas', at) && CUBLAS_GEMM.test(t.text(i))) r.cublas = true;
    }
    return r;
  };
  const host = program.scan.functions.filter(fn => !fn.isKernel && fn.isHost && fn.bodyOpen >= 0 && (!within || within.has(fn)));
  let mentions: Array<ReturnType<typeof names>> | undefined;
  return lib => {
    mentions ??= host.map(names);
    const out: HostFunction[] = [];
    host.forEach((fn, i) => {
      if (!all[lib] && !mentions![i][lib]) return;
      let h = built.get(fn);
      if (!h) built.set(fn, (h = hostFunctions(t, [fn])[0]));
      out.push(h);
    });
    return out;
  };
}
