// FL021 independent-launches: consecutive small launches with no data dependence either way can
// run as one launch whose blocks are divided between the kernels (divergent horizontal fusion).

import type { Finding, Fix } from '../core/finding';
import type { LineIndex } from '../core/text';
import type { CudaProgram } from '../cuda/frontend';
import type { GpuProfile } from '../cost/profiles';
import { estimate, fmtBytes } from '../cost/model';
import { launchTraffic, mergedTraffic, workingSet, launchElements, type SizeOptions } from '../cost/traffic';
import type { IndependentGroup } from '../planner/independentLaunches';
import { divergentRewrite } from '../rewrite/cudaDivergent';
import { shortGpu } from './FL001-vertical';
import { launchRef, toRange } from './findingUtil';

export const MIN_DIVERGENT_SPEEDUP = 1.2;

export function independentFinding(program: CudaProgram, g: IndependentGroup, profile: GpuProfile, opts: SizeOptions, lines: LineIndex, withFix: boolean): Finding | undefined {
  const before = g.launches.map(l => launchTraffic(l, opts));
  const after = [mergedTraffic(before, 'merged')];
  const known = g.launches.every(l => launchElements(l, opts).known);
  const est = estimate({
    before, after, workingSetBytes: workingSet(g.launches, opts), elements: launchElements(g.launches[0], opts).n, sizeKnown: known,
    facts: [`${g.launches.length} launches with no data dependence between them: their bytes (${fmtBytes(after[0].bytes)}) do not change, only the launches do`],
  }, profile);
  if (est.speedup < MIN_DIVERGENT_SPEEDUP) return undefined;
  const plan = divergentRewrite(program, { ...g, fixBlocker: g.fixBlocker }, );
  const first = g.launches[0];
  const f: Finding = {
    rule: 'FL021',
    ruleName: 'independent-launches',
    kind: 'horizontal',
    severity: 'info',
    message: `${g.launches.length} independent launches (${g.launches.map(l => l.callee).join(', ')}) can share one launch, each block running one of them: ${g.launches.length - 1} fewer launch${g.launches.length > 2 ? 'es' : ''}, ~${est.speedup}× on ${shortGpu(profile)}`,
    file: program.file,
    span: first.span,
    range: toRange(lines, first.span),
    launches: g.launches.map(l => launchRef(lines, l)),
    estimate: est,
    fixable: plan.ok,
    fixUnavailable: plan.ok ? undefined : plan.reason,
    notes: [],
  };
  if (withFix && plan.ok) f.fix = independentFix(program, g, lines);
  return f;
}

export function independentFix(program: CudaProgram, g: IndependentGroup, lines: LineIndex): Fix | undefined {
  const r = divergentRewrite(program, g);
  if (!r.ok) return undefined;
  return {
    title: `Run ${g.launches.map(l => l.callee).join(', ')} in one launch (\`${r.kernelName}\`)`,
    edits: r.edits.map(e => ({ file: program.file, span: e.span, range: toRange(lines, e.span), newText: e.newText })),
  };
}
