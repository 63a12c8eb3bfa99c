// FL201 webgpu-dispatch-chain: consecutive WebGPU compute dispatches where each consumes what the
// previous produced run as one dispatch of a generated WGSL shader, with the intermediates in
// registers. Builds the finding (message, estimate, quick fix) from a legal group.

import type { Finding } from '../core/finding';
import type { LineIndex } from '../core/text';
import type { GpuProfile } from '../cost/profiles';
import { estimate } from '../cost/model';
import type { SizeOptions } from '../cost/traffic';
import type { Group } from '../planner/types';
import { savedText } from '../ts/cost';
import { gpuLabel, groupCost } from '../webgpu/cost';
import type { HostRewrite } from '../webgpu/fuseHost';
import { launchRef, toRange } from './findingUtil';

export function dispatchChainFinding(file: string, g: Group, rewrite: HostRewrite, profile: GpuProfile, profileFacts: string[], opts: SizeOptions, lines: LineIndex): Finding {
  const notes: string[] = [];
  const facts = [...profileFacts];
  // what the generated shader keeps in registers; without a fix, what a hand-fused shader would
  const registerKeys = new Set(rewrite.ok ? rewrite.shader.registers : g.intermediates.filter(i => !i.live).map(i => i.key));
  for (const i of g.intermediates) {
    // L5 words a buffer that outlives the function for CUDA (a parameter); say what it is here
    if (i.liveReason) i.liveReason = i.liveReason.replace(/is visible to the caller$/, 'outlives the function (module state, a field, a buffer made outside it or passed in)');
    if (i.live) {
      notes.push(`\`${i.name}\` keeps its store: ${i.liveReason} (FL014)`);
      facts.push(`\`${i.name}\` is still written: ${i.liveReason}`);
    } else if (registerKeys.has(i.key)) facts.push(`\`${i.name}\` stays in registers (not read after the group)`);
    else facts.push(`\`${i.name}\` is still loaded: its first write is conditional or partial`);
  }
  if (rewrite.ok && rewrite.shader.cached.length) facts.push(`buffers read or written by several dispatches at each invocation's own element are loaded and stored once`);
  facts.push('each dispatch reads its inputs from GPU memory and writes its outputs back');
  const name = rewrite.ok ? rewrite.names.pipeline : g.members.map(m => m.callee).join('_');
  const est = estimate(groupCost(g.members, registerKeys, opts, name, facts), profile);
  const n = g.members.length;
  const chain = g.members.map(m => m.callee).join(' → ');
  const message = `${n} dispatches can be one (${chain}): saves ${savedText(est, 'element')} and ${n - 1} dispatch${n > 2 ? 'es' : ''}, ~${est.speedup}× on ${gpuLabel(profile)}${est.sizeKnown ? '' : ' at the assumed size'}`;
  const uncertain = g.uncertain.length ? g.uncertain.join('; ') : undefined;
  const fixable = rewrite.ok && !uncertain;
  const first = g.members[0];
  return {
    rule: 'FL201',
    ruleName: 'webgpu-dispatch-chain',
    kind: 'vertical',
    severity: 'warning',
    message,
    file,
    span: { ...first.span },
    range: toRange(lines, first.span),
    launches: g.members.map(m => launchRef(lines, m)),
    estimate: est,
    fixable,
    fix: fixable && rewrite.ok ? { title: rewrite.title, edits: rewrite.edits.map(e => ({ file, span: e.span, range: toRange(lines, e.span), newText: e.newText })) } : undefined,
    fixUnavailable: fixable ? undefined : uncertain ?? (rewrite.ok ? undefined : rewrite.reason),
    notes,
  };
}
