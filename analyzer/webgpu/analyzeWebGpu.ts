// WebGPU analysis of a TS/JS file: host frontend (compute passes and their dispatches), WGSL
// summaries, the shared vertical planner with WebGPU's rules first, FL201 findings with a fused
// WGSL shader as the fix. Called by analyze() for TypeScript and JavaScript files after the TF.js
// analysis; reuses the TypeScript tree the TF.js frontend parsed (analyzer/ts/frontend.ts).

import type { AnalysisOptions, AnalysisResult, AnalyzerHost } from '../analyze';
import { parseAnnotations } from '../core/annotations';
import type { LaunchNode, Sequence } from '../core/ir';
import type { GpuProfile } from '../cost/profiles';
import { planVertical } from '../planner/vertical';
import { dispatchChainFinding } from '../rules/FL201-webgpu-dispatch-chain';
import { launchRef, toRange } from '../rules/findingUtil';
import { annotationComments, fileTextFacts, forgetFile, parse } from '../ts/frontend';
import { typescript, typescriptLoadError } from '../ts/tsModule';
import { webgpuProfile } from './cost';
import { fuseDispatchGroup } from './fuseHost';
import { extractHost, type HostProgram } from './host';
import { WEBGPU_RULES } from './legality';
import { sequencesOf } from './toIr';

export interface WebGpuAnalysis {
  host: HostProgram;
  /** Every dispatch as a launch (hover, report). */
  launches: LaunchNode[];
  sequences: Sequence[];
  profile: GpuProfile;
}

export function analyzeWebGpu(result: AnalysisResult, text: string, host: AnalyzerHost, options: AnalysisOptions): void {
  // the TF.js frontend tested the text already (kept across edits that do not touch the word)
  if (!fileTextFacts(result.file, text).webgpu) return;
  try {
    run(result, text, host, options);
  } catch (e) {
    // a bug here must not cost the file its other findings: say so, visibly
    result.problems.push({ message: `WebGPU analysis failed: ${(e as Error).message}`, span: { start: 0, end: 0 }, range: toRange(result.lines, { start: 0, end: 0 }) });
  }
}

function run(result: AnalysisResult, text: string, host: AnalyzerHost, options: AnalysisOptions): void {
  const file = result.file;
  const lines = result.lines;
  const ts = typescript();
  if (!ts) {
    result.problems.push({ message: `WebGPU analysis needs the TypeScript 6.0 compiler API, which could not be loaded (${typescriptLoadError()})`, span: { start: 0, end: 0 }, range: toRange(lines, { start: 0, end: 0 }) });
    return;
  }
  let sf;
  try {
    sf = parse(ts, file, text);
  } catch (e) {
    forgetFile(file);
    result.problems.push({ message: `not analyzed: the TypeScript parser failed (${(e as Error).message})`, span: { start: 0, end: 0 }, range: toRange(lines, { start: 0, end: 0 }) });
    return;
  }
  // the TF.js frontend parsed them when it walked the file (its cache is keyed by the comments)
  const annotations = result.ts?.program.fns.length ? result.ts.program.annotations : parseAnnotations(text, fileTextFacts(file, text).annotated ? annotationComments(text) : []);
  const prog = extractHost(ts, sf, file, host.readFile ? p => host.readFile!(p) : undefined, annotations);
  for (const p of prog.problems) result.problems.push({ message: p.message, span: p.span, range: toRange(lines, p.span) });
  const { sequences, launches } = sequencesOf(prog, file);
  const { profile, facts } = webgpuProfile(options.gpu);
  result.webgpu = { host: prog, launches, sequences, profile };
  if (!prog.dispatches.length) return;
  if (!result.findings.length && !result.ts?.program.usesTf) result.profile = profile;

  const plan = planVertical(sequences, WEBGPU_RULES);
  const opts = { defaultElements: options.defaultElements };
  for (const g of plan.groups) {
    const rewrite = fuseDispatchGroup(ts, sf, prog, g);
    const f = dispatchChainFinding(file, g, rewrite, profile, facts, opts, lines);
    if (options.severity) f.severity = options.severity;
    if (f.estimate.bytesBefore - f.estimate.bytesAfter < options.minSavingBytes) continue;
    if (annotations.ignoreFile || annotations.ignoredLines.has(f.range.start.line)) continue;
    result.findings.push(f);
  }
  for (const r of plan.refusals) {
    result.refusals.push({
      rule: r.rule.id, ruleName: r.rule.name, file, reason: r.reason, launches: [...r.group, r.candidate].map(l => launchRef(lines, l)),
      blocker: r.blocker ? { span: r.blocker.span, range: toRange(lines, r.blocker.span), text: r.blocker.text } : undefined,
    });
  }
  result.findings.sort((a, b) => a.span.start - b.span.start);
}
