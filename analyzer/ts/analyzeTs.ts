// TypeScript/JavaScript analysis: the TF.js frontend, library fusion (FL101), the shared vertical
// planner over elementwise chains (FL102) and batching of per-tensor loops (FL103). Called by
// analyze() for .ts/.tsx/.js/.mjs/.cjs files; fills the same AnalysisResult as the CUDA path.

import type { AnalysisOptions, AnalysisResult } from '../analyze';
import type { LaunchNode } from '../core/ir';
import type { Finding, LaunchRef, Range, Refusal } from '../core/finding';
import type { LineIndex, Span } from '../core/text';
import type { GpuProfile } from '../cost/profiles';
import type { SizeOptions } from '../cost/traffic';
import { planVertical } from '../planner/vertical';
import { libraryFinding } from '../rules/FL101-tfjs-fused-op';
import { elementwiseFinding } from '../rules/FL102-tfjs-elementwise-chain';
import { batchLoopFinding } from '../rules/FL103-tfjs-batch-loop';
import { launchRef, toRange } from '../rules/findingUtil';
import { ruleMeta } from '../rules/registry';
import { tsProfile } from './cost';
import { analyzeTsProgram, type TsProgram } from './frontend';
import { matchLibraryFusions } from './libraryFusion';
import type { TFunction } from './model';
import { isElementwise } from './ops';
import { launchOf, sequencesOf } from './toIr';

export interface TsAnalysis {
  program: TsProgram;
  /** Every op of the file as a launch (hover, report); materialized on first access. */
  readonly launches: LaunchNode[];
}

interface FnResult {
  common: string;
  key: string;
  /** fn.span.start when computed: offsets move with the function after edits above it. */
  start: number;
  /** The line and column of `start`: unchanged offset and line mean every range inside is unchanged too. */
  startLine: number;
  startChar: number;
  findings: Finding[];
  refusals: Refusal[];
  /** Launches at `launchStart` (they move lazily: only hover and the report need them). */
  launches: LaunchNode[];
  launchStart: number;
}

/**
 * Results per extracted function. A function whose declaration survived an edit unchanged (same
 * TFunction object from the frontend's cache) is not analyzed again: its findings are copied with
 * their offsets moved and their line/column ranges recomputed.
 */
const fnResults = new WeakMap<TFunction, FnResult>();
let lastCommon = '';

export function analyzeTypeScript(result: AnalysisResult, text: string, options: AnalysisOptions): void {
  const program = analyzeTsProgram(result.file, text);
  const lines = result.lines;
  for (const p of program.problems) result.problems.push({ message: p.message, span: p.span, range: toRange(lines, p.span) });
  const { profile, facts } = tsProfile(options.gpu, program.backend, program.backendFrom);
  result.profile = profile;
  const opts = { defaultElements: options.defaultElements };
  const parts: Array<{ r: FnResult; start: number }> = [];
  let nextId = 0;
  const idGen = () => nextId++;
  const findings: Finding[] = [];
  let common = [profile.id, profile.launchOverheadUs.value, options.defaultElements, options.severity ?? '', program.backend, program.imports.map(i => `${i.module}:${i.named?.names.join(',') ?? ''}`).join(';'), facts.join(';')].join('|');
  // one string object per distinct context, so the per-function comparisons below are identity checks
  if (common === lastCommon) common = lastCommon;
  else lastCommon = common;
  for (const fn of program.fns) {
    if (!fn.ops.length) continue;
    const key = fn.gradient ? fn.gradient.kind + fn.gradient.via : '';
    const cached = fnResults.get(fn);
    let r: FnResult;
    if (cached && cached.key === key && cached.common === common) {
      // unchanged offset and line: the cached objects are exact; else copies with moved offsets
      if (cached.start === fn.span.start && cached.startLine === lines.position(fn.span.start).line) {
        r = cached;
      } else {
        r = moved(cached, fn.span.start - cached.start, lines, result.file);
        fnResults.set(fn, r);
      }
    } else {
      r = analyzeFunction(program, text, fn, result.file, lines, profile, facts, opts, idGen, key, common);
      for (const f of r.findings) if (options.severity) f.severity = options.severity;
      const inside = r.findings.every(f => !f.fix || f.fix.edits.every(e => e.span.start >= fn.span.start && e.span.end <= fn.span.end));
      if (inside) fnResults.set(fn, r);
      else fnResults.delete(fn);
    }
    findings.push(...r.findings);
    result.refusals.push(...r.refusals);
    parts.push({ r, start: fn.span.start });
  }
  let launches: LaunchNode[] | undefined;
  result.ts = {
    program,
    get launches(): LaunchNode[] {
      if (!launches) {
        let id = 0;
        launches = parts.flatMap(({ r, start }) => {
          const d = start - r.launchStart;
          const sp = (x: Span): Span => ({ start: x.start + d, end: x.end + d });
          return r.launches.map(l => ({ ...l, id: id++, span: sp(l.span), calleeSpan: sp(l.calleeSpan), stmtSpan: sp(l.stmtSpan) }));
        });
      }
      return launches;
    },
  };
  const ann = program.annotations;
  if (program.backend === 'node-cpu') {
    // @tensorflow/tfjs-node runs TensorFlow's CPU kernels: no GPU program to fuse, and no GPU
    // estimate that would hold (tfjs-node-gpu, WebGL and WebGPU code is reported)
    result.refusals.length = 0;
    return;
  }
  for (const f of findings) {
    if (f.estimate.bytesBefore - f.estimate.bytesAfter < options.minSavingBytes && f.rule !== 'FL103') continue;
    if (ann.ignoreFile || ann.ignoredLines.has(f.range.start.line)) continue;
    result.findings.push(f);
  }
  result.findings.sort((a, b) => a.span.start - b.span.start);
}

function analyzeFunction(program: TsProgram, text: string, fn: TFunction, file: string, lines: LineIndex, profile: GpuProfile, facts: string[], opts: SizeOptions, idGen: () => number, key: string, common: string): FnResult {
  const launches = new Map<number, LaunchNode>();
  const launch = (id: number) => {
    let l = launches.get(id);
    if (!l) { l = launchOf(fn, fn.ops[id], idGen()); launches.set(id, l); }
    return l;
  };
  const findings: Finding[] = [];
  const refusals: Refusal[] = [];
  const { matches, refusals: libRefusals } = matchLibraryFusions(fn);
  const claimed = new Set<number>();
  for (const m of matches) {
    for (const op of m.ops) claimed.add(op.id);
    findings.push(libraryFinding(program, text, m, m.ops.map(o => launch(o.id)), profile, facts, opts, lines));
  }
  const meta = ruleMeta('FL101')!;
  for (const r of libRefusals) refusals.push({ rule: meta.id, ruleName: meta.name, file, reason: r.reason, launches: r.ops.map(o => launchRef(lines, launch(o.id))) });
  const plan = planVertical(sequencesOf(fn, file, claimed, idGen, launches));
  for (const g of plan.groups) {
    if (g.members.every(m => m.traits.elementwise)) findings.push(elementwiseFinding(program, g, profile, facts, opts, lines));
  }
  for (const r of plan.refusals) {
    if (!r.candidate.traits.elementwise || !r.group.every(m => m.traits.elementwise)) continue;
    refusals.push({
      rule: r.rule.id, ruleName: r.rule.name, file, reason: r.reason, launches: [...r.group, r.candidate].map(l => launchRef(lines, l)),
      blocker: r.blocker ? { span: r.blocker.span, range: toRange(lines, r.blocker.span), text: r.blocker.text } : undefined,
    });
  }
  findings.push(...batchLoops(program, fn, claimed, launch, profile, facts, opts, lines));
  const at = lines.position(fn.span.start);
  return { common, key, start: fn.span.start, startLine: at.line, startChar: at.character, findings, refusals, launches: fn.ops.map(op => launch(op.id)), launchStart: fn.span.start };
}

/**
 * A copy of cached results with offsets moved by `d`. The function's text is unchanged, so when it
 * still starts at the same column every range moves by whole lines; otherwise ranges are recomputed.
 */
function moved(c: FnResult, d: number, lines: LineIndex, file: string): FnResult {
  const at = lines.position(c.start + d);
  const dl = at.line - c.startLine;
  const sameColumn = at.character === c.startChar;
  const sp = (s: Span): Span => (d ? { start: s.start + d, end: s.end + d } : s);
  // results are not mutated once made: unchanged ranges (same line and column) are shared
  const rg = (r: Range, s: Span): Range => (!sameColumn ? toRange(lines, s) : dl ? { start: { line: r.start.line + dl, character: r.start.character }, end: { line: r.end.line + dl, character: r.end.character } } : r);
  const ref = (l: LaunchRef): LaunchRef => { const span = sp(l.span); return { ...l, span, range: rg(l.range, span) }; };
  const findings = c.findings.map(f => {
    const span = sp(f.span);
    return {
      ...f, file, span, range: rg(f.range, span), launches: f.launches.map(ref),
      fix: f.fix ? { ...f.fix, edits: f.fix.edits.map(e => { const s2 = sp(e.span); return { ...e, file, span: s2, range: rg(e.range, s2) }; }) } : undefined,
    };
  });
  const refusals = c.refusals.map(r => ({
    ...r, file, launches: r.launches.map(ref),
    blocker: r.blocker ? { ...r.blocker, span: sp(r.blocker.span), range: rg(r.blocker.range, sp(r.blocker.span)) } : undefined,
  }));
  return { common: c.common, key: c.key, start: c.start + d, startLine: at.line, startChar: at.character, findings, refusals, launches: c.launches, launchStart: c.launchStart };
}

function batchLoops(program: TsProgram, fn: TFunction, claimed: Set<number>, launch: (id: number) => LaunchNode, profile: GpuProfile, facts: string[], opts: SizeOptions, lines: LineIndex): Finding[] {
  const byLoop = new Map<number, TFunction['loopOps']>();
  for (const l of fn.loopOps) {
    if (claimed.has(l.op) || !isElementwise(fn.ops[l.op].op)) continue;
    const list = byLoop.get(l.loopSpan.start) ?? [];
    list.push(l);
    byLoop.set(l.loopSpan.start, list);
  }
  const out: Finding[] = [];
  for (const loop of byLoop.values()) {
    const f = batchLoopFinding(program, fn, loop, loop.map(l => launch(l.op)), profile, facts, opts, lines);
    if (f) out.push(f);
  }
  return out;
}
