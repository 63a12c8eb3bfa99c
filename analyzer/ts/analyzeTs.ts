// TypeScript/JavaScript analysis: the TF.js frontend, library fusion (FL101), the shared vertical
// planner over elementwise chains (FL102) and batching of per-tensor loops (FL103). Called by
// analyze() for .ts/.tsx/.js/.mjs/.cjs files; fills the same AnalysisResult as the CUDA path.

import type { AnalysisOptions, AnalysisResult } from '../analyze';
import type { LaunchNode } from '../core/ir';
import type { Finding } from '../core/finding';
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
  /** Every op of the file as a launch (hover, report). */
  launches: LaunchNode[];
}

export function analyzeTypeScript(result: AnalysisResult, text: string, options: AnalysisOptions): void {
  const program = analyzeTsProgram(result.file, text);
  const lines = result.lines;
  for (const p of program.problems) result.problems.push({ message: p.message, span: p.span, range: toRange(lines, p.span) });
  const { profile, facts } = tsProfile(options.gpu, program.backend, program.backendFrom);
  result.profile = profile;
  const opts = { defaultElements: options.defaultElements };
  const all: LaunchNode[] = [];
  let nextId = 0;
  const idGen = () => nextId++;
  const findings: Finding[] = [];
  for (const fn of program.fns) {
    if (!fn.ops.length) continue;
    const launches = new Map<number, LaunchNode>();
    const launch = (id: number) => {
      let l = launches.get(id);
      if (!l) { l = launchOf(fn, fn.ops[id], idGen()); launches.set(id, l); }
      return l;
    };
    const { matches, refusals } = matchLibraryFusions(fn);
    const claimed = new Set<number>();
    for (const m of matches) {
      for (const op of m.ops) claimed.add(op.id);
      findings.push(libraryFinding(program, text, m, m.ops.map(o => launch(o.id)), profile, facts, opts, lines));
    }
    for (const r of refusals) {
      const meta = ruleMeta('FL101')!;
      result.refusals.push({ rule: meta.id, ruleName: meta.name, file: result.file, reason: r.reason, launches: r.ops.map(o => launchRef(lines, launch(o.id))) });
    }
    const seqs = sequencesOf(fn, result.file, claimed, idGen, launches);
    const plan = planVertical(seqs);
    for (const g of plan.groups) {
      if (!g.members.every(m => m.traits.elementwise)) continue;
      findings.push(elementwiseFinding(program, g, profile, facts, opts, lines));
    }
    for (const r of plan.refusals) {
      if (!r.candidate.traits.elementwise || !r.group.every(m => m.traits.elementwise)) continue;
      result.refusals.push({
        rule: r.rule.id, ruleName: r.rule.name, file: result.file, reason: r.reason, launches: [...r.group, r.candidate].map(l => launchRef(lines, l)),
        blocker: r.blocker ? { span: r.blocker.span, range: toRange(lines, r.blocker.span), text: r.blocker.text } : undefined,
      });
    }
    findings.push(...batchLoops(program, fn, claimed, launch, profile, facts, opts, lines));
    for (const op of fn.ops) all.push(launch(op.id));
  }
  result.ts = { program, launches: all };
  const ann = program.annotations;
  for (const f of findings) {
    if (options.severity) f.severity = options.severity;
    if (f.estimate.bytesBefore - f.estimate.bytesAfter < options.minSavingBytes && f.rule !== 'FL103') continue;
    if (ann.ignoreFile || ann.ignoredLines.has(f.range.start.line)) continue;
    result.findings.push(f);
  }
  result.findings.sort((a, b) => a.span.start - b.span.start);
}

function batchLoops(program: TsProgram, fn: TFunction, claimed: Set<number>, launch: (id: number) => LaunchNode, ...rest: [Parameters<typeof batchLoopFinding>[4], string[], Parameters<typeof batchLoopFinding>[6], Parameters<typeof batchLoopFinding>[7]]): Finding[] {
  const byLoop = new Map<number, TFunction['loopOps']>();
  for (const l of fn.loopOps) {
    if (claimed.has(l.op) || !isElementwise(fn.ops[l.op].op)) continue;
    const list = byLoop.get(l.loopSpan.start) ?? [];
    list.push(l);
    byLoop.set(l.loopSpan.start, list);
  }
  const out: Finding[] = [];
  for (const loop of byLoop.values()) {
    const f = batchLoopFinding(program, fn, loop, loop.map(l => launch(l.op)), ...rest);
    if (f) out.push(f);
  }
  return out;
}
