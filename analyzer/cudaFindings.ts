// CUDA findings of a program's host sequences: every planner (vertical FL001, batch loops FL020,
// CUDA Graphs FL022, independent launches FL021) run in order, annotations applied. Shared by the
// full and the incremental analysis, which runs it on the functions an edit touched.

import type { AnalysisOptions } from './analyze';
import type { Finding, Fix, Refusal } from './core/finding';
import type { Sequence } from './core/ir';
import type { LineIndex, Span } from './core/text';
import { cudaProfile, type GpuProfile } from './cost/profiles';
import type { CudaProgram } from './cuda/frontend';
import { planVertical } from './planner/vertical';
import { verticalFinding, verticalFix } from './rules/FL001-vertical';
import { batchedLoopFinding, batchedLoopFix } from './rules/FL020-batched-loop';
import { planBatchLoops } from './planner/batchLoop';
import { planGraphLoops } from './planner/graphLoop';
import { planIndependentLaunches } from './planner/independentLaunches';
import { independentFinding, independentFix } from './rules/FL021-independent-launches';
import { graphLoopFinding, graphLoopFix } from './rules/FL022-cuda-graph';
import { launchRef, toRange } from './rules/findingUtil';

/**
 * Findings and refusals of some of a program's host sequences (all of them, or those of the
 * functions an edit touched), sorted by position, annotations applied.
 */
export function cudaFindings(
  program: CudaProgram, sequences: Sequence[], profile: GpuProfile, options: AnalysisOptions, lines: LineIndex,
  fixers: Map<Finding, () => Fix | undefined>,
): { findings: Finding[]; refusals: Refusal[] } {
  const file = program.file;
  let findings: Finding[] = [];
  const refusals: Refusal[] = [];
  const plan = planVertical(sequences);
  const sizeOpts = { defaultElements: options.defaultElements };
  const withFixes = options.withFixes ?? true;
  for (const g of plan.groups) {
    const f = verticalFinding(program, g, profile, sizeOpts, lines, withFixes);
    fixers.set(f, () => verticalFix(program, g, lines));
    if (options.severity) f.severity = options.severity;
    const saved = f.estimate.bytesBefore - f.estimate.bytesAfter;
    if (saved < options.minSavingBytes) continue;
    findings.push(f);
  }
  // horizontal: batch loops (FL020). A fixable batch replaces the vertical finding of its loop body.
  const batches = planBatchLoops(sequences, program.constLookup);
  for (const bl of batches.loops) {
    const f = batchedLoopFinding(program, bl, profile, { ...sizeOpts, defaultBatch: options.defaultBatch ?? 16 }, lines, withFixes);
    fixers.set(f, () => batchedLoopFix(program, bl, lines));
    if (options.severity) f.severity = options.severity;
    if (f.fixable) {
      const inLoop = new Set(bl.launches.map(l => l.span.start));
      findings = findings.filter(x => x.rule !== 'FL001' || !x.launches.every(l => inLoop.has(l.span.start)));
    }
    findings.push(f);
  }
  for (const r of batches.refusals) {
    refusals.push({
      rule: 'FL020', ruleName: 'batched-loop', file, reason: r.reason,
      launches: r.launches.map(l => launchRef(lines, l)),
      blocker: r.blocker ? { span: r.blocker.span, range: toRange(lines, r.blocker.span), text: r.blocker.text } : undefined,
    });
  }
  // CUDA Graphs (FL022) for launch-bound loops nothing else fuses
  const covered = launchStarts(findings);
  for (const gl of planGraphLoops(sequences, covered)) {
    const f = graphLoopFinding(program, gl, profile, { ...sizeOpts, defaultBatch: options.defaultBatch ?? 16 }, lines, withFixes);
    if (!f) continue;
    fixers.set(f, () => graphLoopFix(program, gl, lines));
    if (options.severity) f.severity = options.severity;
    findings.push(f);
  }
  // divergent horizontal fusion (FL021) of independent small launches nothing else covers
  const covered2 = launchStarts(findings);
  for (const g of planIndependentLaunches(sequences, covered2)) {
    const f = independentFinding(program, g, profile, sizeOpts, lines, withFixes);
    if (!f) continue;
    fixers.set(f, () => independentFix(program, g, lines));
    if (options.severity) f.severity = options.severity;
    findings.push(f);
  }
  for (const r of plan.refusals) {
    refusals.push({
      rule: r.rule.id,
      ruleName: r.rule.name,
      file,
      reason: r.reason,
      launches: [...r.group, r.candidate].map(l => launchRef(lines, l)),
      blocker: r.blocker ? { span: r.blocker.span, range: toRange(lines, r.blocker.span), text: r.blocker.text } : undefined,
    });
  }
  const note = cudaProfile(options.gpu).note;
  if (note) for (const f of findings) f.estimate.assumptions.unshift(note);
  const ann = program.annotations;
  if (ann.ignoreFile) findings = [];
  else if (ann.ignoredLines.size) findings = findings.filter(f => !ann.ignoredLines.has(f.range.start.line));
  return { findings: sortFindings(findings), refusals: sortRefusals(refusals) };
}

/** Where the launches the findings cover start. */
function launchStarts(findings: Finding[]): Set<number> {
  const out = new Set<number>();
  for (const f of findings) for (const l of f.launches) out.add(l.span.start);
  return out;
}

// Total orders (position first) so that a full and an incremental analysis list the same things
// in the same order.
const cmpStr = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
export function sortFindings<T extends { span: Span; rule: string; message: string }>(xs: T[]): T[] {
  return xs.sort((a, b) => a.span.start - b.span.start || cmpStr(a.rule, b.rule) || cmpStr(a.message, b.message));
}
export function sortRefusals<T extends { launches: Array<{ span: Span }>; rule: string; reason: string }>(xs: T[]): T[] {
  const at = (r: T) => r.launches[0]?.span.start ?? -1;
  return xs.sort((a, b) => at(a) - at(b) || cmpStr(a.rule, b.rule) || cmpStr(a.reason, b.reason));
}
export function sortProblems<T extends { span: Span; message: string }>(xs: T[]): T[] {
  return xs.sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end || cmpStr(a.message, b.message));
}

