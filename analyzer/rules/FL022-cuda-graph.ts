// FL022 cuda-graph: a loop whose launches cannot be fused but are launch-bound replays faster as a
// CUDA Graph captured once.

import type { Finding, Fix } from '../core/finding';
import type { LineIndex } from '../core/text';
import type { CudaProgram } from '../cuda/frontend';
import type { GpuProfile } from '../cost/profiles';
import { dramBytes, fitsL2, fmtBytes, fmtCount, fmtUs, graphIterationUs, launchIterationUs } from '../cost/model';
import { sequenceTraffic, workingSet, type SizeOptions } from '../cost/traffic';
import type { GraphLoop } from '../planner/graphLoop';
import { graphLoopRewrite } from '../rewrite/cudaGraph';
import { shortGpu } from './FL001-vertical';
import { launchRef, toRange } from './findingUtil';

/** Below this speedup a graph is not worth suggesting. */
export const MIN_GRAPH_SPEEDUP = 1.2;

export function graphLoopFinding(program: CudaProgram, gl: GraphLoop, profile: GpuProfile, opts: SizeOptions & { defaultBatch: number }, lines: LineIndex, withFix: boolean): Finding | undefined {
  const ts = sequenceTraffic(gl.launches, opts);
  const fits = fitsL2(workingSet(gl.launches, opts), profile);
  const before = launchIterationUs(ts, profile, fits);
  const after = graphIterationUs(ts, profile, fits);
  const speedup = Math.round((before / after) * 100) / 100;
  if (speedup < MIN_GRAPH_SPEEDUP) return undefined;
  const iters = gl.loop.tripCount?.value ?? opts.defaultBatch;
  const bytes = ts.reduce((s, t) => s + t.bytes, 0);
  const rewrite = graphLoopRewrite(program, gl);
  const first = gl.launches[0];
  const assumptions = [
    `per iteration: ${gl.launches.length} launches moving ${fmtBytes(bytes)} (${fmtCount(first.space.value ?? opts.defaultElements)} elements${first.space.value === undefined ? ', assumed' : ''})`,
    `${profile.launchOverheadUs.value} µs per back-to-back launch (${profile.launchOverheadUs.source}) against ${profile.graphNodeUs.value} µs per graph node (${profile.graphNodeUs.source})`,
    'graph node time fitted to research/anchors.md 6.2 (H100): max(node, half the fill/drain ramp + memory time)',
    gl.loop.tripCount?.value !== undefined ? `${fmtCount(iters)} iterations (\`${gl.loop.tripCount.expr}\`)` : `iterations unknown: ${fmtCount(iters)} assumed for the totals`,
    'the loop body\'s launches cannot be fused (see the hover for why), so a graph is the remaining gain',
  ];
  const round = (x: number) => Math.round(x * 100) / 100;
  return {
    rule: 'FL022',
    ruleName: 'cuda-graph',
    kind: 'graph',
    severity: 'info',
    message: `${gl.launches.length} launch-bound launches repeat on every iteration: capture them once in a CUDA Graph, ~${speedup}× per iteration on ${shortGpu(profile)} (${fmtUs(before)} → ${fmtUs(after)})`,
    file: program.file,
    span: first.span,
    range: toRange(lines, first.span),
    launches: gl.launches.map(l => launchRef(lines, l)),
    estimate: {
      gpu: profile.id, gpuName: profile.name,
      bytesBefore: bytes * iters, bytesAfter: bytes * iters,
      dramBytesBefore: Math.round(dramBytes(ts, profile, fits) * iters), dramBytesAfter: Math.round(dramBytes(ts, profile, fits) * iters),
      launchesBefore: gl.launches.length * iters, launchesAfter: iters,
      timeBeforeUs: round(before * iters), timeAfterUs: round(after * iters), speedup,
      elements: first.space.value ?? opts.defaultElements, sizeKnown: first.space.value !== undefined,
      bytesPerElementBefore: 0, bytesPerElementAfter: 0, boundBefore: 'launch', boundAfter: after > profile.launchOverheadUs.value ? 'memory' : 'launch',
      assumptions,
    },
    fixable: rewrite.ok,
    fix: rewrite.ok && withFix ? { title: `Capture the ${gl.launches.length} launches in a CUDA Graph and replay it`, edits: rewrite.edits.map(e => ({ file: program.file, span: e.span, range: toRange(lines, e.span), newText: e.newText })) } : undefined,
    fixUnavailable: rewrite.ok ? undefined : rewrite.reason,
    notes: [],
  };
}

export function graphLoopFix(program: CudaProgram, gl: GraphLoop, lines: LineIndex): Fix | undefined {
  const r = graphLoopRewrite(program, gl);
  return r.ok ? { title: `Capture the ${gl.launches.length} launches in a CUDA Graph and replay it`, edits: r.edits.map(e => ({ file: program.file, span: e.span, range: toRange(lines, e.span), newText: e.newText })) } : undefined;
}
