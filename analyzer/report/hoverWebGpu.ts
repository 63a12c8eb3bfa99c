// Hover for WebGPU dispatches: the shader entry point, what each binding reads or writes and at
// which index, bytes and estimated time on the browser profile, the finding it belongs to (with
// the fix or why there is none) and why it was not fused with its neighbours.

import type { AnalysisResult } from '../analyze';
import type { LaunchNode } from '../core/ir';
import type { Span } from '../core/text';
import { fitsL2, fmtBytes, fmtCount, fmtUs, kernelTimeUs } from '../cost/model';
import { launchElements, launchTraffic } from '../cost/traffic';
import { describe } from '../planner/rules/L2-index';
import { gpuLabel } from '../webgpu/cost';
import type { WgLaunchData } from '../webgpu/toIr';

const within = (s: Span, o: number) => o >= s.start && o <= s.end;

export function hoverWebGpu(r: AnalysisResult, offset: number, defaultElements: number): { markdown: string; span: Span } | undefined {
  const w = r.webgpu;
  if (!w) return undefined;
  const l = w.launches.find(x => within(x.calleeSpan, offset)) ?? w.launches.find(x => within(x.span, offset));
  if (!l) return undefined;
  return { markdown: dispatchHover(r, l, defaultElements), span: l.calleeSpan };
}

function dispatchHover(r: AnalysisResult, l: LaunchNode, defaultElements: number): string {
  const { dispatch, entry, geometry } = l.frontend as WgLaunchData;
  const prof = r.webgpu!.profile;
  const opts = { defaultElements };
  const out: string[] = [];
  const { n, known } = launchElements(l, opts);
  const geo = geometry.wg ? `${dispatch.indirect ? 'indirect' : `${dispatch.argsText.join(' × ')} workgroups`} × @workgroup_size(${geometry.wg.join(', ')})` : 'workgroup size unknown';
  out.push(`**\`${entry?.name ?? l.callee}\`** · WebGPU dispatch · ${known ? `${fmtCount(n)} elements` : `${fmtCount(n)} elements (assumed; \`${l.space.expr}\` unknown)`} · ${geo}`);
  out.push('');
  if (dispatch.opaque) {
    out.push(`Not analyzed: ${dispatch.opaque}.`);
    return out.join('\n');
  }
  const tr = launchTraffic(l, opts);
  const k = kernelTimeUs(tr, prof, fitsL2(tr.bytes, prof));
  out.push('| binding | buffer | access | index |');
  out.push('|---|---|---|---|');
  for (const u of l.uses) out.push(`| \`${u.param}\` | \`${u.buffer.name}\` | ${u.access} | ${u.index.kind === 'identity' ? 'own element' : describe(u.index)} |`);
  out.push('');
  out.push(`${fmtBytes(tr.bytes)} of GPU memory traffic · ~${fmtUs(k.us)} on ${gpuLabel(prof)} (${k.bound}-bound)${geometry.guard ? ` · bounds check \`${geometry.guard.text}\`` : ''}`);
  const same = (x: { span: Span }) => x.span.start === l.span.start && x.span.end === l.span.end;
  const f = r.findings.find(x => x.launches.some(same));
  if (f) {
    const e = f.estimate;
    out.push('');
    out.push(`**${f.rule} ${f.ruleName}**: ${f.launches.map(x => `\`${x.callee}\``).join(' → ')} · ${fmtBytes(e.bytesBefore)} → ${fmtBytes(e.bytesAfter)} · ${e.launchesBefore} → ${e.launchesAfter} dispatches · ${fmtUs(e.timeBeforeUs)} → ${fmtUs(e.timeAfterUs)} (**~${e.speedup}×**)`);
    for (const note of f.notes) out.push(`- ${note}`);
    out.push(f.fix ? `- Quick fix: ${f.fix.title}` : `- No automatic fix: ${f.fixUnavailable}`);
  }
  for (const x of r.refusals.filter(y => y.launches.some(same))) out.push(`**Not fused** (${x.rule} ${x.ruleName}): ${x.reason}`);
  if (f) out.push('', '<sub>Assumptions: ' + f.estimate.assumptions.join('; ') + '</sub>');
  return out.join('\n');
}
