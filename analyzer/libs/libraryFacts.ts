// What the library finders (analyzer/libs) read from a file as a whole rather than from one host
// function: whether it may use each library at all, its `using namespace` directives, and which
// fused library its fixes target. Computed once per text (regular expressions over the whole file);
// an incremental step that provably keeps them passes them on instead of testing the text again.

import { resolveTarget, type LibraryTarget } from './libTarget';

export interface LibraryFacts {
  /** The text names OpenCV CUDA (`cuda::` or `GpuMat`). */
  opencv: boolean;
  thrust: boolean;
  /** A cuBLAS GEMM call. */
  gemm: boolean;
  usingCv: boolean;
  usingCvCuda: boolean;
  usingThrust: boolean;
  /** Only where the file names OpenCV (what else would the target be for). */
  target: 'cvgs' | 'fkl' | undefined;
  /** All of the above in one string, to compare before and after an edit. */
  key: string;
}

/** Whether a text may hold library pipelines (a cheap gate before any function is read). */
export function mayUseLibraries(text: string): boolean {
  return /cv::|GpuMat|thrust::|cublas/.test(text);
}

/** The facts, or undefined when the text names none of the libraries. */
export function libraryFacts(text: string, libraryTarget: LibraryTarget | undefined): LibraryFacts | undefined {
  if (!mayUseLibraries(text)) return undefined;
  // the three directives in one pass over the text
  const using = new Set<string>();
  for (const m of text.matchAll(/using\s+namespace\s+(cv::cuda|cv|thrust)\s*;/g)) using.add(m[1]);
  const opencv = /cuda::|GpuMat/.test(text);
  const f = {
    opencv,
    thrust: text.includes('thrust::'),
    gemm: /cublas(S|D|H)?gemm|cublasGemmEx/.test(text),
    usingCv: using.has('cv'),
    usingCvCuda: using.has('cv::cuda'),
    usingThrust: using.has('thrust'),
    // which fused library OpenCV fixes target: two searches of the whole text, for files without
    // OpenCV wasted (0.35 ms on 11,000 lines of llama.cpp)
    target: opencv ? resolveTarget(text, libraryTarget) : undefined,
  };
  return { ...f, key: JSON.stringify(f) };
}

/**
 * Words every match of the tests above contains (besides blanks, at most a few dozen characters):
 * an edit that makes or breaks a match has one of them within 48 non-blank characters.
 */
export const LIBRARY_WORDS = ['cv::', 'cuda::', 'GpuMat', 'thrust::', 'cublas', 'namespace', 'include'];
