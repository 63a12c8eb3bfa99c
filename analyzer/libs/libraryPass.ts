// Library pipelines (issue 7): OpenCV CUDA chains (FL030), batched OpenCV loops (FL033), Thrust
// transform chains (FL031) and cuBLAS GEMM epilogues (FL032). One entry point that analyze() calls
// with the already-lexed and scanned program, so the kernel-launch passes stay untouched.

import type { Finding, Fix } from '../core/finding';
import type { LineIndex } from '../core/text';
import type { CudaProgram } from '../cuda/frontend';
import type { GpuProfile } from '../cost/profiles';
import { hostFunctions } from './hostCalls';
import { findCvChains } from './opencv';
import { opencvFinding, type LibOptions } from '../rules/FL030-opencv-pipeline';

export interface LibraryFinding {
  finding: Finding;
  fix: () => Fix | undefined;
}

export function libraryFindings(program: CudaProgram, profile: GpuProfile, opts: LibOptions & { defaultElements: number }, lines: LineIndex, withFixes: boolean): LibraryFinding[] {
  const text = program.text;
  // cheap gate: most CUDA files use none of these libraries
  if (!/cv::|GpuMat|thrust::|cublas/.test(text)) return [];
  const out: LibraryFinding[] = [];
  const functions = hostFunctions(program.tokens, program.scan.functions);
  for (const chain of findCvChains(program, functions)) out.push(opencvFinding(program, chain, profile, opts, lines, withFixes));
  return out;
}
