// The analyzer's public entry point: one file's text in, plain-data findings out.
// No editor or I/O code: files beyond the one analyzed come in through AnalyzerHost.

import type { Finding, Fix, ParseProblem, Refusal, Severity } from './core/finding';
import { LineIndex } from './core/text';
import { toRange } from './rules/findingUtil';
import { cudaFindings, sortFindings, sortProblems } from './cudaFindings';
import { analyzeCudaIncrementally, rememberCudaState, reusableSummaries } from './incremental';
import { dirname, joinPath } from './core/paths';
import { analyzeCuda, type CudaProgram } from './cuda/frontend';
import type { KernelSummary } from './cuda/kernelSummary';
import { KernelIndex } from './index/kernelIndex';
import { cudaProfile, DEFAULT_GPU, findProfile, type GpuProfile } from './cost/profiles';
import { analyzeTypeScript, type TsAnalysis } from './ts/analyzeTs';
import { linesOf } from './ts/frontend';
import { acceptedLibraryFindings } from './libs/libraryPass';
import { libraryFacts } from './libs/libraryFacts';
import type { LibraryTarget } from './libs/libTarget';
import { analyzeWebGpu, type WebGpuAnalysis } from './webgpu/analyzeWebGpu';

export type Language = 'cuda' | 'typescript';

export interface AnalyzerHost {
  /** Kernel definitions of the workspace (and of included files, indexed on demand). */
  index: KernelIndex;
  /** Reads another file (for `#include "..."`); undefined when it does not exist. */
  readFile?(path: string): string | undefined;
}

export interface AnalysisOptions {
  gpu: string;
  /** Elements assumed per launch when the code does not say. */
  defaultElements: number;
  /** Items assumed for a batch loop whose bound the code does not say. */
  defaultBatch?: number;
  /** Findings that save fewer device-memory bytes than this are not reported. */
  minSavingBytes: number;
  /** Severity of findings (rule defaults when absent). */
  severity?: Severity;
  /**
   * Compute each finding's fix edits now (CLI, tests). The server leaves this off and asks
   * resolveFix() for the one fix the user wants, keeping keystroke analysis fast.
   */
  withFixes?: boolean;
  /** Library API for rewriting OpenCV CUDA chains: auto (what the file includes), cvgs, fkl, none. */
  libraryTarget?: LibraryTarget;
}

export const DEFAULT_OPTIONS: AnalysisOptions = { gpu: DEFAULT_GPU, defaultElements: 1 << 24, minSavingBytes: 0, withFixes: true };

export interface AnalysisResult {
  file: string;
  language: Language;
  findings: Finding[];
  refusals: Refusal[];
  problems: ParseProblem[];
  profile: GpuProfile;
  lines: LineIndex;
  /** Frontend output, for hover and the report (not serialized). */
  cuda?: CudaProgram;
  ts?: TsAnalysis;
  webgpu?: WebGpuAnalysis;
  /** The fix of a finding of this result, computed on demand (not serialized). */
  resolveFix(f: Finding): Fix | undefined;
}

export function languageOf(file: string): Language | undefined {
  if (/\.(cu|cuh)$/i.test(file)) return 'cuda';
  if (/\.(cc|cpp|cxx|c\+\+|hpp|hxx|h|hh)$/i.test(file)) return 'cuda';
  if (/\.(ts|tsx|js|mjs|cjs|jsx)$/i.test(file)) return 'typescript';
  return undefined;
}

/**
 * Analyzes one file. `previous` (the result for an earlier text of the same file, same options and
 * workspace) lets an edit inside one function body be re-analyzed incrementally.
 */
export function analyze(file: string, text: string, host: AnalyzerHost, options: AnalysisOptions = DEFAULT_OPTIONS, previous?: AnalysisResult): AnalysisResult {
  if (previous && !(options.withFixes ?? true) && previous.language === 'cuda' && (languageOf(file) ?? 'cuda') === 'cuda') {
    const r = analyzeCudaIncrementally(previous, file, text, host, options, (f2, t2, h2, o2) => analyze(f2, t2, h2, o2));
    if (r) return r;
  }
  const language = languageOf(file) ?? 'cuda';
  const profile = language === 'cuda' ? cudaProfile(options.gpu).profile : findProfile(options.gpu) ?? findProfile(DEFAULT_GPU)!;
  // TS/JS files: the previous line index of the file, moved by the edit (a keystroke's worth of work)
  const lines = language === 'typescript' ? linesOf(file, text) : new LineIndex(text);
  const fixers = new Map<Finding, () => Fix | undefined>();
  const result: AnalysisResult = {
    file, language, findings: [], refusals: [], problems: [], profile, lines,
    resolveFix: f => {
      if (f.fix || !f.fixable) return f.fix;
      f.fix = fixers.get(f)?.();
      if (!f.fix && fixers.has(f)) {
        // the plan looked fusable but writing the code failed (rare, found by the property tests):
        // the finding stands, without a fix, and says so
        f.fixable = false;
        f.fixUnavailable ??= 'the fused code could not be written for this input (the analysis without fixes was optimistic)';
      }
      return f.fix;
    },
  };
  if (language === 'typescript') {
    // TF.js fixes are a few lines of text: always computed (Finding.fix), so resolveFix returns them
    analyzeTypeScript(result, text, options);
    // WebGPU compute passes (FL201): the same tree, parsed once
    analyzeWebGpu(result, text, host, options);
    return result;
  }


  const specs = includeSpecs(text); // once, for indexing and for resolving kernels
  indexIncludes(file, specs, host, 0);
  const included = includedFiles(file, specs, host);
  const external = (name: string) => resolveExternalKernel(name, file, included, host);
  const program = analyzeCuda(file, text, external, reusableSummaries(previous, file));
  result.cuda = program;
  const problems = program.problems.map(p => ({ message: p.message, span: p.span }));
  for (const e of program.annotations.errors) problems.push({ message: e.message, span: { start: e.start, end: e.end } });
  result.problems = sortProblems(problems).map(p => ({ ...p, range: toRange(lines, p.span) }));
  const found = cudaFindings(program, program.sequences, profile, options, lines, fixers);
  result.findings = found.findings;
  result.refusals = found.refusals;
  // library pipelines: OpenCV CUDA, Thrust, cuBLAS (analyzer/libs)
  // what the library finders read from the whole text: made once, kept for incremental steps
  const facts = libraryFacts(text, options.libraryTarget);
  const lib = acceptedLibraryFindings(program, options, lines, undefined, facts);
  for (const lf of lib) {
    fixers.set(lf.finding, lf.fix);
    result.findings.push(lf.finding);
  }
  if (lib.length) sortFindings(result.findings);
  rememberCudaState(result, program, options, external, facts);
  return result;
}

/** Indexes `#include "..."` files reachable from `file` (three levels deep). */
function indexIncludes(file: string, topSpecs: string[], host: AnalyzerHost, depth: number): void {
  if (depth > 3 || !host.readFile) return;
  const specs = depth === 0 ? topSpecs : host.index.includesOf(file).filter(i => !i.system).map(i => i.spec);
  for (const spec of specs) {
    const path = joinPath(dirname(file), spec);
    if (!host.index.has(path)) {
      const t = host.readFile(path);
      if (t === undefined) continue;
      host.index.update(path, t);
    }
    indexIncludes(path, [], host, depth + 1);
  }
}

export function includeSpecs(text: string): string[] {
  // what /^[ \t]*#[ \t]*include[ \t]*"([^"\n]+)"/gm finds, from each `include` found by indexOf:
  // the line-anchored expression tried every line of the file (3% of a full analysis)
  const out: string[] = [];
  for (let at = text.indexOf('include'); at >= 0; at = text.indexOf('include', at + 7)) {
    let i = at - 1;
    while (i >= 0 && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i--;
    if (i < 0 || text.charCodeAt(i) !== 35 /* # */) continue;
    i--;
    while (i >= 0 && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i--;
    if (i >= 0 && !isLineTerminator(text.charCodeAt(i))) continue;
    QUOTED_SPEC.lastIndex = at + 7;
    const m = QUOTED_SPEC.exec(text);
    if (m) out.push(m[1]);
  }
  return out;
}
const QUOTED_SPEC = /[ \t]*"([^"\n]+)"/y;
/** Where a multiline `^` may match after: \n, \r, U+2028, U+2029. */
const isLineTerminator = (c: number) => c === 10 || c === 13 || c === 0x2028 || c === 0x2029;

/** Files reachable through `#include "..."` that the index holds. */
function includedFiles(file: string, topSpecs: string[], host: AnalyzerHost): Set<string> {
  const included = new Set<string>();
  const walk = (f: string, top: string[] | undefined, depth: number) => {
    if (depth > 3) return;
    const specs = top ?? host.index.includesOf(f).filter(i => !i.system).map(i => i.spec);
    for (const spec of specs) {
      const p = joinPath(dirname(f), spec);
      if (included.has(p) || !host.index.has(p)) continue;
      included.add(p);
      walk(p, undefined, depth + 1);
    }
  };
  walk(file, topSpecs, 0);
  return included;
}

/** A kernel defined in an included file, else the one other workspace file that defines it. */
function resolveExternalKernel(name: string, file: string, included: Set<string>, host: AnalyzerHost): KernelSummary | undefined {
  const files = host.index.filesDefining(name).filter(f => f !== file);
  const inc = files.find(f => included.has(f));
  const chosen = inc ?? (files.length === 1 ? files[0] : undefined);
  return chosen ? host.index.kernelsIn(chosen).find(k => k.name === name) : undefined;
}

export function newHost(readFile?: (path: string) => string | undefined): AnalyzerHost {
  return { index: new KernelIndex(), readFile };
}
