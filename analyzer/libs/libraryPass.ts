// Library pipelines (issue 7): OpenCV CUDA chains (FL030) and loops of them (FL033), Thrust
// transform chains (FL031) and cuBLAS GEMM epilogues (FL032). One entry point that analyze() calls
// with the already-lexed and scanned program, so the kernel-launch passes stay untouched.

import type { Finding, Fix } from '../core/finding';
import type { LineIndex } from '../core/text';
import type { CudaProgram } from '../cuda/frontend';
import type { GpuProfile } from '../cost/profiles';
import { hostFunctions } from './hostCalls';
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

/** Whether a text may hold library pipelines (a cheap gate; the incremental analysis defers to it). */
export function mayUseLibraries(text: string): boolean {
  return /cv::|GpuMat|thrust::|cublas/.test(text);
}

export function libraryFindings(program: CudaProgram, profile: GpuProfile, opts: LibOptions & { defaultElements: number }, lines: LineIndex, withFixes: boolean): LibraryFinding[] {
  const text = program.text;
  // cheap gate: most CUDA files use none of these libraries
  if (!mayUseLibraries(text)) return [];
  const out: LibraryFinding[] = [];
  const functions = hostFunctions(program.tokens, program.scan.functions);
  for (const chain of findCvChains(program, functions)) {
    // a loop over crops: one batched call (FL033) replaces the per-iteration fix when it has one
    const batch = batchOf(program, chain);
    const b = batch ? opencvBatchFinding(program, batch, profile, opts, lines, withFixes) : undefined;
    if (b) out.push(b);
    if (!b?.finding.fixable) out.push(opencvFinding(program, chain, profile, opts, lines, withFixes));
  }
  for (const pair of findThrustPairs(program, functions)) out.push(thrustFinding(program, pair, profile, opts, lines, withFixes));
  for (const e of findEpilogues(program, functions)) out.push(cublasFinding(program, e, profile, opts, lines));
  return out;
}
