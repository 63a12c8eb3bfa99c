// Hover text (Markdown) for launches and kernels: bytes, estimated time, what bounds it, whether the
// launch is part of a fusable group, and if not, why not. Pure: the server only forwards it.

import type { AnalysisResult } from '../analyze';
import type { LaunchNode } from '../core/ir';
import type { Span } from '../core/text';
import type { KernelSummary } from '../cuda/kernelSummary';
import { elementSize } from '../cuda/types';
import { fitsL2, fmtBytes, fmtCount, fmtUs, kernelTimeUs } from '../cost/model';
import { launchElements, launchTraffic } from '../cost/traffic';
import { describe } from '../planner/rules/L2-index';
import { shortGpu } from '../rules/FL001-vertical';
import { hoverTs } from './hoverTs';

export interface HoverResult {
  markdown: string;
  span: Span;
}

const within = (s: Span, o: number) => o >= s.start && o <= s.end;

export function hoverAt(r: AnalysisResult, offset: number, defaultElements: number): HoverResult | undefined {
  if (r.ts) return hoverTs(r, offset, defaultElements);
  const p = r.cuda;
  if (!p) return undefined;
  const launch = p.launches.find(l => within(l.calleeSpan, offset)) ?? p.launches.find(l => within(l.span, offset));
  if (launch) return { markdown: launchHover(r, launch, defaultElements), span: launch.calleeSpan };
  const kernel = p.kernels.find(k => within(k.nameSpan, offset));
  if (kernel) return { markdown: kernelHover(r, kernel), span: kernel.nameSpan };
  return undefined;
}

function launchHover(r: AnalysisResult, l: LaunchNode, defaultElements: number): string {
  const prof = r.profile;
  const opts = { defaultElements };
  const { n, known } = launchElements(l, opts);
  const tr = launchTraffic(l, opts);
  const ws = l.uses.reduce((s, u) => s + (u.elements?.value ?? n) * (u.elemBytes ?? 4), 0);
  const k = kernelTimeUs(tr, prof, fitsL2(ws, prof));
  const reads = l.uses.filter(u => u.access !== 'write');
  const writes = l.uses.filter(u => u.access !== 'read');
  const bytesOf = (us: typeof l.uses) => us.reduce((s, u) => s + (u.elements?.value ?? n) * (u.elemBytes ?? 4), 0);
  const names = (us: typeof l.uses) => us.map(u => `\`${u.buffer.name}\``).join(', ') || '—';
  const out: string[] = [];
  out.push(`**\`${l.callee}\`** launch · ${known ? `${fmtCount(n)} elements` : `${fmtCount(n)} elements (assumed; \`${l.space.expr}\` unknown)`}${l.stream !== '0' ? ` · stream \`${l.stream.replace(/@[\w.]+/g, '')}\`` : ''}`);
  out.push('');
  out.push('| | |');
  out.push('|---|---|');
  out.push(`| reads | ${fmtBytes(bytesOf(reads))} (${names(reads)}) |`);
  out.push(`| writes | ${fmtBytes(bytesOf(writes))} (${names(writes)}) |`);
  out.push(`| estimated time | ${fmtUs(k.us)} on ${shortGpu(prof)} (${k.bound}-bound) |`);
  if (l.traits.opaque) out.push(`| note | kernel body not found: effects assumed unknown |`);
  out.push('');
  const f = r.findings.find(x => x.launches.some(x2 => x2.span.start === l.span.start));
  if (f) {
    const e = f.estimate;
    out.push(`**Fusable** (${f.rule} ${f.ruleName}): ${f.launches.map(x => `\`${x.callee}\``).join(' → ')} → 1 launch · ${fmtBytes(e.bytesBefore)} → ${fmtBytes(e.bytesAfter)} · ${fmtUs(e.timeBeforeUs)} → ${fmtUs(e.timeAfterUs)} (**~${e.speedup}×**)`);
    for (const note of f.notes) out.push(`- ${note}`);
    out.push(f.fixable ? `- Quick fix available: ${f.fix?.title ?? 'fuse into one kernel'} (Ctrl+.)` : `- No automatic fix: ${f.fixUnavailable}`);
  }
  const why = r.refusals.filter(x => x.launches.some(x2 => x2.span.start === l.span.start));
  for (const w of why) {
    const other = w.launches[w.launches.length - 1];
    const subject = other.span.start === l.span.start ? `with ${w.launches.slice(0, -1).map(x => `\`${x.callee}\``).join(' → ')}` : `with \`${other.callee}\``;
    out.push(`**Not fused ${subject}** (${w.rule} ${w.ruleName}): ${w.reason}${w.blocker ? ` (line ${w.blocker.range.start.line + 1})` : ''}`);
  }
  if (f) {
    out.push('');
    out.push('<sub>Assumptions: ' + f.estimate.assumptions.join('; ') + '</sub>');
  }
  return out.join('\n');
}

function kernelHover(r: AnalysisResult, k: KernelSummary): string {
  const out: string[] = [];
  const sh = k.shape;
  const shapeText = sh.kind === 'unknown' ? `shape not recognized (${sh.reason})` : `${sh.kind} ${sh.dims}D${sh.counts.length ? ` over \`${sh.counts.map(c => c.text).join(' × ')}\`` : ''}`;
  out.push(`**\`${k.name}\`** kernel · ${shapeText}`);
  out.push('');
  const ptrs = k.params.filter(p => p.isPointer);
  if (ptrs.length) {
    out.push('| parameter | type | access | index |');
    out.push('|---|---|---|---|');
    for (const p of ptrs) {
      const u = k.uses.get(p.name);
      out.push(`| \`${p.name}\` | \`${p.baseType}\` | ${u?.access ?? 'none'} | ${u ? indexText(u.index) : '—'} |`);
    }
    out.push('');
  }
  let bytes = 0;
  for (const p of ptrs) {
    const u = k.uses.get(p.name);
    if (!u || u.access === 'none' || u.index.kind === 'broadcast' || u.index.kind === 'reduction') continue;
    const size = elementSizeOf(p.baseType);
    bytes += size * (u.access === 'readwrite' ? 2 : 1);
  }
  const traits: string[] = [];
  if (k.usesShared) traits.push('shared memory');
  if (k.usesSync) traits.push('`__syncthreads`');
  if (k.usesShuffle) traits.push('warp shuffles');
  if (k.usesAtomics) traits.push('atomics');
  if (traits.length) out.push(`Cooperates across threads: ${traits.join(', ')}.`);
  if (bytes) {
    const ops = k.flopsPerElement ?? 0;
    const balance = (r.profile.fp32Tflops.value * 1e12) / (r.profile.effectiveBandwidthGBs.value * 1e9);
    out.push(`Per element: ${bytes} B of device memory, ~${ops} arithmetic op${ops === 1 ? '' : 's'} → arithmetic intensity ${(ops / bytes).toFixed(2)} op/B (${ops / bytes < balance ? 'memory-bound' : 'compute-bound'}: ${shortGpu(r.profile)} balances at ${balance.toFixed(0)} op/B).`);
  }
  return out.join('\n');
}

function indexText(p: Parameters<typeof describe>[0]): string {
  return p.kind === 'identity' ? 'own element' : describe(p).replace(/^at /, '');
}

function elementSizeOf(t: string): number {
  return elementSize(t) ?? 4;
}
