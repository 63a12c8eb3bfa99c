// The analyzer's public entry point: one file's text in, plain-data findings out.
// No editor or I/O code: files beyond the one analyzed come in through AnalyzerHost.

import type { Finding, Fix, ParseProblem, Refusal, Severity } from './core/finding';
import { LineIndex } from './core/text';
import { dirname, joinPath } from './core/paths';
import { analyzeCuda, type CudaProgram } from './cuda/frontend';
import type { KernelSummary } from './cuda/kernelSummary';
import { KernelIndex } from './index/kernelIndex';
import { DEFAULT_GPU, findProfile, type GpuProfile } from './cost/profiles';
import { planVertical } from './planner/vertical';
import { verticalFinding, verticalFix } from './rules/FL001-vertical';
import { batchedLoopFinding, batchedLoopFix } from './rules/FL020-batched-loop';
import { planBatchLoops } from './planner/batchLoop';
import { planGraphLoops } from './planner/graphLoop';
import { planIndependentLaunches } from './planner/independentLaunches';
import { independentFinding, independentFix } from './rules/FL021-independent-launches';
import { graphLoopFinding, graphLoopFix } from './rules/FL022-cuda-graph';
import { launchRef, toRange } from './rules/findingUtil';
import { analyzeTypeScript, type TsAnalysis } from './ts/analyzeTs';
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

export function analyze(file: string, text: string, host: AnalyzerHost, options: AnalysisOptions = DEFAULT_OPTIONS): AnalysisResult {
  const profile = findProfile(options.gpu) ?? findProfile(DEFAULT_GPU)!;
  const lines = new LineIndex(text);
  const language = languageOf(file) ?? 'cuda';
  const fixers = new Map<Finding, () => Fix | undefined>();
  const result: AnalysisResult = {
    file, language, findings: [], refusals: [], problems: [], profile, lines,
    resolveFix: f => {
      if (f.fix || !f.fixable) return f.fix;
      f.fix = fixers.get(f)?.();
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

  indexIncludes(file, text, host, 0);
  const included = includedFiles(file, text, host);
  const external = (name: string) => resolveExternalKernel(name, file, included, host);
  const program = analyzeCuda(file, text, external);
  result.cuda = program;
  for (const p of program.problems) result.problems.push({ message: p.message, span: p.span, range: toRange(lines, p.span) });
  for (const e of program.annotations.errors) {
    const span = { start: e.start, end: e.end };
    result.problems.push({ message: e.message, span, range: toRange(lines, span) });
  }

  const plan = planVertical(program.sequences);
  const sizeOpts = { defaultElements: options.defaultElements };
  const withFixes = options.withFixes ?? true;
  for (const g of plan.groups) {
    const f = verticalFinding(program, g, profile, sizeOpts, lines, withFixes);
    fixers.set(f, () => verticalFix(program, g, lines));
    if (options.severity) f.severity = options.severity;
    const saved = f.estimate.bytesBefore - f.estimate.bytesAfter;
    if (saved < options.minSavingBytes) continue;
    result.findings.push(f);
  }
  // horizontal: batch loops (FL020). A fixable batch replaces the vertical finding of its loop body.
  const batches = planBatchLoops(program.sequences, program.constLookup);
  for (const bl of batches.loops) {
    const f = batchedLoopFinding(program, bl, profile, { ...sizeOpts, defaultBatch: options.defaultBatch ?? 16 }, lines, withFixes);
    fixers.set(f, () => batchedLoopFix(program, bl, lines));
    if (options.severity) f.severity = options.severity;
    if (f.fixable) {
      const inLoop = new Set(bl.launches.map(l => l.span.start));
      result.findings = result.findings.filter(x => x.rule !== 'FL001' || !x.launches.every(l => inLoop.has(l.span.start)));
    }
    result.findings.push(f);
  }
  for (const r of batches.refusals) {
    result.refusals.push({
      rule: 'FL020', ruleName: 'batched-loop', file, reason: r.reason,
      launches: r.launches.map(l => launchRef(lines, l)),
      blocker: r.blocker ? { span: r.blocker.span, range: toRange(lines, r.blocker.span), text: r.blocker.text } : undefined,
    });
  }
  // CUDA Graphs (FL022) for launch-bound loops nothing else fuses
  const covered = new Set(result.findings.flatMap(f => f.launches.map(l => l.span.start)));
  for (const gl of planGraphLoops(program.sequences, covered)) {
    const f = graphLoopFinding(program, gl, profile, { ...sizeOpts, defaultBatch: options.defaultBatch ?? 16 }, lines, withFixes);
    if (!f) continue;
    fixers.set(f, () => graphLoopFix(program, gl, lines));
    if (options.severity) f.severity = options.severity;
    result.findings.push(f);
  }
  // divergent horizontal fusion (FL021) of independent small launches nothing else covers
  const covered2 = new Set(result.findings.flatMap(f => f.launches.map(l => l.span.start)));
  for (const g of planIndependentLaunches(program.sequences, covered2)) {
    const f = independentFinding(program, g, profile, sizeOpts, lines, withFixes);
    if (!f) continue;
    fixers.set(f, () => independentFix(program, g, lines));
    if (options.severity) f.severity = options.severity;
    result.findings.push(f);
  }
  result.findings.sort((a, b) => a.span.start - b.span.start);
  for (const r of plan.refusals) {
    result.refusals.push({
      rule: r.rule.id,
      ruleName: r.rule.name,
      file,
      reason: r.reason,
      launches: [...r.group, r.candidate].map(l => launchRef(lines, l)),
      blocker: r.blocker ? { span: r.blocker.span, range: toRange(lines, r.blocker.span), text: r.blocker.text } : undefined,
    });
  }
  const ann = program.annotations;
  if (ann.ignoreFile) result.findings = [];
  else if (ann.ignoredLines.size) result.findings = result.findings.filter(f => !ann.ignoredLines.has(f.range.start.line));
  return result;
}

/** Indexes `#include "..."` files reachable from `file` (three levels deep). */
function indexIncludes(file: string, text: string, host: AnalyzerHost, depth: number): void {
  if (depth > 3 || !host.readFile) return;
  const specs = depth === 0 ? includeSpecs(text) : host.index.includesOf(file).filter(i => !i.system).map(i => i.spec);
  for (const spec of specs) {
    const path = joinPath(dirname(file), spec);
    if (!host.index.has(path)) {
      const t = host.readFile(path);
      if (t === undefined) continue;
      host.index.update(path, t);
    }
    indexIncludes(path, '', host, depth + 1);
  }
}

function includeSpecs(text: string): string[] {
  const out: string[] = [];
  const re = /^[ \t]*#[ \t]*include[ \t]*"([^"\n]+)"/gm;
  for (let m = re.exec(text); m; m = re.exec(text)) out.push(m[1]);
  return out;
}

/** Files reachable through `#include "..."` that the index holds. */
function includedFiles(file: string, text: string, host: AnalyzerHost): Set<string> {
  const included = new Set<string>();
  const walk = (f: string, t: string | undefined, depth: number) => {
    if (depth > 3) return;
    const specs = t !== undefined ? includeSpecs(t) : host.index.includesOf(f).filter(i => !i.system).map(i => i.spec);
    for (const spec of specs) {
      const p = joinPath(dirname(f), spec);
      if (included.has(p) || !host.index.has(p)) continue;
      included.add(p);
      walk(p, undefined, depth + 1);
    }
  };
  walk(file, text, 0);
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
