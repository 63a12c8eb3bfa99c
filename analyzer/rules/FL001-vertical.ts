// FL001 vertical-fusion: a producer -> consumer chain of launches that can run as one kernel.
// Builds the finding (message, estimate, quick fix) from a legal group.

import type { Finding, Fix } from '../core/finding';
import type { LineIndex } from '../core/text';
import type { CudaProgram } from '../cuda/frontend';
import type { GpuProfile } from '../cost/profiles';
import { estimate, fmtBytes } from '../cost/model';
import { groupCostInput, type SizeOptions } from '../cost/traffic';
import type { Group } from '../planner/types';
import { fuseVertical } from '../rewrite/cudaVertical';
import { toRange, launchRef } from './findingUtil';

export function verticalFinding(program: CudaProgram, group: Group, profile: GpuProfile, opts: SizeOptions, lines: LineIndex, withFix: boolean): Finding {
  const rewrite = fuseVertical(program, group, withFix);
  // dead intermediates held in registers move no bytes; live ones are stored once (traffic counts that)
  const registerKeys = new Set(rewrite.ok
    ? group.intermediates.filter(i => !i.live && rewrite.registers.includes(i.name)).map(i => i.key)
    : group.intermediates.filter(i => !i.live).map(i => i.key));
  const notes: string[] = [];
  const facts: string[] = [];
  for (const i of group.intermediates) {
    if (i.live) {
      notes.push(`\`${i.name}\` keeps its store: ${i.liveReason} (FL014)`);
      facts.push(`\`${i.name}\` is still written: ${i.liveReason}`);
    } else if (registerKeys.has(i.key)) {
      facts.push(`\`${i.name}\` stays in registers (not read after the group)`);
    } else {
      facts.push(`\`${i.name}\` keeps its store: its first write is conditional or not per element`);
    }
  }
  const name = rewrite.ok && rewrite.kernelName ? rewrite.kernelName : `${group.members.map(m => m.callee).join('_')}_fused`;
  const est = estimate(groupCostInput(group.members, registerKeys, opts, name, facts), profile);
  const chain = group.members.map(m => m.callee).join(' → ');
  const saved = est.bytesBefore - est.bytesAfter;
  const pct = est.bytesBefore ? Math.round((100 * saved) / est.bytesBefore) : 0;
  const savedText = est.sizeKnown
    ? `saves ${fmtBytes(saved)} of device-memory traffic (${pct}%)`
    : `saves ${trimNum(est.bytesPerElementBefore - est.bytesPerElementAfter)} B per element (${pct}%)`;
  const message = `${group.members.length} launches can be fused (${chain}): ${savedText}, ${group.members.length - 1} fewer launch${group.members.length > 2 ? 'es' : ''}, ~${est.speedup}× on ${shortGpu(profile)}${est.sizeKnown ? '' : ' at the assumed size'}`;
  const first = group.members[0];
  return {
    rule: 'FL001',
    ruleName: 'vertical-fusion',
    kind: 'vertical',
    severity: 'warning',
    message,
    file: program.file,
    span: first.span,
    range: toRange(lines, first.span),
    launches: group.members.map(m => launchRef(lines, m)),
    estimate: est,
    fixable: rewrite.ok,
    fix: rewrite.ok && withFix ? verticalFix(program, group, lines, rewrite) : undefined,
    fixUnavailable: rewrite.ok ? undefined : rewrite.reason,
    notes,
  };
}

export function shortGpu(p: GpuProfile): string {
  return p.name.replace(/^NVIDIA\s+(GeForce\s+)?/, '').replace(/\s+\d+GB$/, '');
}

function trimNum(x: number): string {
  return (Math.round(x * 10) / 10).toString();
}

/** The quick fix of a vertical group: writes the fused kernel and replaces the launches. */
export function verticalFix(program: CudaProgram, group: Group, lines: LineIndex, planned?: ReturnType<typeof fuseVertical>): Fix | undefined {
  const rewrite = planned && planned.ok && planned.kernelName ? planned : fuseVertical(program, group, true);
  if (!rewrite.ok) return undefined;
  const chain = group.members.map(m => m.callee).join(' → ');
  return {
    title: `Fuse ${chain} into \`${rewrite.kernelName}\``,
    edits: rewrite.edits.map(e => ({ file: program.file, span: e.span, range: toRange(lines, e.span), newText: e.newText })),
  };
}
