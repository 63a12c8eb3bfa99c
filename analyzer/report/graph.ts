// Data for the "Show report" webview: the file's launch graph (launches as nodes, buffers as edges
// with the bytes they carry), fusable groups, refusals and the findings table. Plain JSON.

import type { AnalysisResult } from '../analyze';
import type { LaunchNode } from '../core/ir';
import { launchTraffic } from '../cost/traffic';

export interface ReportNode {
  id: number;
  callee: string;
  line: number;
  scope: string;
  bytes: number;
  group?: number;
}

export interface ReportEdge {
  from: number;
  to: number;
  buffer: string;
  bytes: number;
  /** The edge stays on chip when its group is fused. */
  fused: boolean;
}

export interface ReportData {
  file: string;
  gpu: string;
  nodes: ReportNode[];
  edges: ReportEdge[];
  findings: Array<{ rule: string; message: string; line: number; speedup: number; bytesBefore: number; bytesAfter: number; launches: number; fixable: boolean; group: number }>;
  refusals: Array<{ rule: string; reason: string; line: number; launches: string[] }>;
}

export function reportData(r: AnalysisResult, defaultElements = 1 << 24): ReportData {
  const launches = r.cuda?.launches ?? r.ts?.launches ?? [];
  const groupOf = new Map<number, number>();
  r.findings.forEach((f, gi) => {
    for (const l of f.launches) {
      const node = launches.find(x => x.span.start === l.span.start);
      if (node) groupOf.set(node.id, gi);
    }
  });
  const nodes: ReportNode[] = launches.map(l => ({
    id: l.id,
    callee: l.callee,
    line: r.lines.position(l.span.start).line + 1,
    scope: (l.frontend as { hostFunction?: string } | undefined)?.hostFunction ?? '',
    bytes: launchTraffic(l, { defaultElements }).bytes,
    group: groupOf.get(l.id),
  }));
  const edges: ReportEdge[] = [];
  for (const seq of r.cuda?.sequences ?? []) {
    const lastWriter = new Map<string, LaunchNode>();
    for (const it of seq.items) {
      if (it.type !== 'launch') continue;
      for (const u of it.uses) {
        if (u.access === 'write') continue;
        const w = lastWriter.get(u.buffer.key);
        if (w) {
          const g1 = groupOf.get(w.id);
          edges.push({ from: w.id, to: it.id, buffer: u.buffer.name, bytes: (u.elements?.value ?? it.space.value ?? defaultElements) * (u.elemBytes ?? 4), fused: g1 !== undefined && g1 === groupOf.get(it.id) });
        }
      }
      for (const u of it.uses) if (u.access !== 'read') lastWriter.set(u.buffer.key, it);
    }
  }
  return {
    file: r.file,
    gpu: r.profile.name,
    nodes,
    edges,
    findings: r.findings.map((f, gi) => ({
      rule: f.rule, message: f.message, line: f.range.start.line + 1, speedup: f.estimate.speedup,
      bytesBefore: f.estimate.bytesBefore, bytesAfter: f.estimate.bytesAfter, launches: f.estimate.launchesBefore, fixable: f.fixable, group: gi,
    })),
    refusals: r.refusals.map(x => ({ rule: x.rule, reason: x.reason, line: x.launches[x.launches.length - 1].range.start.line + 1, launches: x.launches.map(l => l.callee) })),
  };
}
