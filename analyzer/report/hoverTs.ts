// Hover for TF.js ops: what the op reads and writes, its estimated time on the profile, the
// finding it belongs to (with the fix or why there is none), and why it was not fused.

import type { AnalysisResult } from '../analyze';
import type { LaunchNode } from '../core/ir';
import type { Span } from '../core/text';
import { fitsL2, fmtBytes, fmtCount, fmtUs, kernelTimeUs } from '../cost/model';
import { launchElements, launchTraffic } from '../cost/traffic';
import { shortGpu } from '../rules/FL001-vertical';
import type { TsLaunchData } from '../ts/toIr';
import { dimsText, valueName } from '../ts/toIr';

const within = (s: Span, o: number) => o >= s.start && o <= s.end;

export function hoverTs(r: AnalysisResult, offset: number, defaultElements: number): { markdown: string; span: Span } | undefined {
  const launches = r.ts?.launches ?? [];
  const l = launches.find(x => within(x.calleeSpan, offset));
  if (!l) return undefined;
  return { markdown: opHover(r, l, defaultElements), span: l.calleeSpan };
}

function opHover(r: AnalysisResult, l: LaunchNode, defaultElements: number): string {
  const { fn, op } = l.frontend as TsLaunchData;
  const prof = r.profile;
  const opts = { defaultElements };
  const { n, known } = launchElements(l, opts);
  const tr = launchTraffic(l, opts);
  const k = kernelTimeUs(tr, prof, fitsL2(tr.bytes, prof));
  const out = fn.values[op.out];
  const ins = op.inputs.map(i => fn.values[i]);
  const lines: string[] = [];
  lines.push(`**\`${op.display}\`** · TF.js op → ${known ? `${dimsText(out.dims)} ${out.dtype} (${fmtCount(n)} elements)` : `shape unknown (assumed ${fmtCount(n)} elements)`}`);
  lines.push('');
  lines.push('| | |');
  lines.push('|---|---|');
  lines.push(`| inputs | ${ins.map(v => `\`${valueName(v)}\` ${dimsText(v.dims)}`).join(', ') || '—'} |`);
  if (r.ts?.program.backend === 'node-cpu') {
    lines.push(`| runs on | the CPU (${r.ts.program.backendFrom}): no GPU program, no GPU estimate |`);
  } else {
    lines.push(`| GPU memory traffic | ${fmtBytes(tr.bytes)} |`);
    lines.push(`| estimated time | ${fmtUs(k.us)} on ${shortGpu(prof)} (${k.bound}-bound) |`);
  }
  if (op.gradient) lines.push(`| gradients | ${op.gradient.via} |`);
  lines.push('');
  const f = r.findings.find(x => x.launches.some(y => y.span.start === l.span.start && y.span.end === l.span.end));
  if (f) {
    const e = f.estimate;
    lines.push(`**${f.rule} ${f.ruleName}**: ${f.launches.map(x => `\`${x.callee}\``).join(' → ')} · ${fmtBytes(e.bytesBefore)} → ${fmtBytes(e.bytesAfter)} · ${e.launchesBefore} → ${e.launchesAfter} GPU programs · ${fmtUs(e.timeBeforeUs)} → ${fmtUs(e.timeAfterUs)} (**~${e.speedup}×**)`);
    for (const note of f.notes) lines.push(`- ${note}`);
    lines.push(f.fix ? `- Quick fix: ${f.fix.title}` : `- No automatic fix: ${f.fixUnavailable}`);
  }
  for (const w of r.refusals.filter(x => x.launches.some(y => y.span.start === l.span.start && y.span.end === l.span.end))) {
    lines.push(`**Not fused** (${w.rule} ${w.ruleName}): ${w.reason}`);
  }
  if (f) lines.push('', '<sub>Assumptions: ' + f.estimate.assumptions.join('; ') + '</sub>');
  return lines.join('\n');
}
