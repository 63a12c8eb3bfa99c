// Bytes each launch moves, per buffer access, and what a fused group would move, from the IR.

import type { BufferUse, LaunchNode } from '../core/ir';
import type { CostInput, Traffic, TrafficPart } from './model';
import { fmtCount } from './model';

export interface SizeOptions {
  /** Elements assumed when the code does not say (setting fusionLens.defaultProblemSize). */
  defaultElements: number;
}

export function launchElements(l: LaunchNode, opts: SizeOptions): { n: number; known: boolean } {
  return l.space.value !== undefined ? { n: l.space.value, known: true } : { n: opts.defaultElements, known: false };
}

function useBytes(u: BufferUse, n: number): number {
  const count = u.elements?.value ?? n;
  return count * (u.elemBytes ?? 4);
}

/** Bytes per thread access: the element size, or the component size of 3-vectors (float3 = 3 x 4 B). */
export function accessWidth(u: BufferUse): number {
  const size = u.elemBytes ?? 4;
  if (/3$/.test(u.elemType)) return Math.max(1, size / 3);
  return Math.min(16, size);
}

/**
 * Traffic of one launch; `produced` holds buffers an earlier launch of the sequence wrote (their
 * reads may come from L2).
 */
export function launchTraffic(l: LaunchNode, opts: SizeOptions, produced: Set<string> = new Set()): Traffic {
  const { n } = launchElements(l, opts);
  const parts: TrafficPart[] = [];
  for (const u of l.uses) {
    const b = useBytes(u, n);
    const width = accessWidth(u);
    if (u.access !== 'write') parts.push({ bytes: b, width, read: true, produced: produced.has(u.buffer.key) });
    if (u.access !== 'read') parts.push({ bytes: b, width, read: false, produced: false });
  }
  return {
    callee: l.callee,
    bytes: parts.reduce((s, x) => s + x.bytes, 0),
    flops: (l.flopsPerElement ?? 0) * n,
    parts,
    threads: n,
    cooperative: l.traits.blockCooperative,
  };
}

/** Traffic of each launch of a sequence, in order, with what earlier ones produced. */
export function sequenceTraffic(launches: LaunchNode[], opts: SizeOptions): Traffic[] {
  const produced = new Set<string>();
  return launches.map(l => {
    const t = launchTraffic(l, opts, produced);
    for (const u of l.uses) if (u.access !== 'read') produced.add(u.buffer.key);
    return t;
  });
}

/**
 * Traffic of one fused kernel: each external input read once, each output written once, and
 * intermediates held in registers (`registerKeys`) neither written nor read back.
 */
export function fusedTraffic(members: LaunchNode[], registerKeys: Set<string>, opts: SizeOptions, name: string): Traffic {
  const seen = new Map<string, { read: boolean; written: boolean; bytes: number; width: number }>();
  let flops = 0;
  let threads = 0;
  for (const l of members) {
    const { n } = launchElements(l, opts);
    threads = Math.max(threads, n);
    flops += (l.flopsPerElement ?? 0) * n;
    for (const u of l.uses) {
      const b = useBytes(u, n);
      let e = seen.get(u.buffer.key);
      if (!e) {
        // the first access decides whether the old contents are needed
        e = { read: u.access !== 'write', written: false, bytes: b, width: accessWidth(u) };
        seen.set(u.buffer.key, e);
      }
      if (u.access !== 'read') e.written = true;
      e.bytes = Math.max(e.bytes, b);
    }
  }
  const parts: TrafficPart[] = [];
  for (const [key, e] of seen) {
    if (registerKeys.has(key)) continue;
    if (e.read) parts.push({ bytes: e.bytes, width: e.width, read: true, produced: false });
    if (e.written) parts.push({ bytes: e.bytes, width: e.width, read: false, produced: false });
  }
  return {
    callee: name,
    bytes: parts.reduce((s, x) => s + x.bytes, 0),
    flops,
    parts,
    threads,
    cooperative: members.some(m => m.traits.blockCooperative),
  };
}

/** Several launches' traffic as one launch (divergent horizontal fusion, batched items). */
export function mergedTraffic(ts: Traffic[], name: string): Traffic {
  return {
    callee: name,
    bytes: ts.reduce((s, t) => s + t.bytes, 0),
    flops: ts.reduce((s, t) => s + t.flops, 0),
    parts: ts.flatMap(t => t.parts),
    threads: ts.reduce((s, t) => s + t.threads, 0),
    cooperative: ts.some(t => t.cooperative),
  };
}

export function workingSet(members: LaunchNode[], opts: SizeOptions): number {
  const seen = new Map<string, number>();
  for (const l of members) {
    const { n } = launchElements(l, opts);
    for (const u of l.uses) seen.set(u.buffer.key, Math.max(seen.get(u.buffer.key) ?? 0, useBytes(u, n)));
  }
  let s = 0;
  for (const v of seen.values()) s += v;
  return s;
}

/** Cost input for a group, with the facts the estimate rests on. */
export function groupCostInput(members: LaunchNode[], registerKeys: Set<string>, opts: SizeOptions, fusedName: string, extraFacts: string[]): CostInput {
  const sizes = members.map(m => launchElements(m, opts));
  const known = sizes.every(s => s.known);
  const n = sizes[0].n;
  const facts: string[] = [];
  const expr = members[0].space.expr;
  if (known) facts.push(`${fmtCount(n)} elements per launch (\`${expr}\` in the code)`);
  else facts.push(`element count \`${expr}\` is not known in the code: assumed ${fmtCount(n)} (setting fusionLens.defaultProblemSize, or annotate \`// fusion-lens: ${firstSymbol(expr)}=...\`)`);
  const types = new Map<string, number | undefined>();
  for (const m of members) for (const u of m.uses) types.set(u.elemType, u.elemBytes);
  const typeFacts = [...types].map(([t, b]) => (b === undefined ? `\`${t}\` size unknown, assumed 4 B` : `\`${t}\` = ${b} B`));
  if (typeFacts.length) facts.push(`element types: ${typeFacts.join(', ')}`);
  facts.push(...extraFacts);
  return {
    before: sequenceTraffic(members, opts),
    after: [fusedTraffic(members, registerKeys, opts, fusedName)],
    workingSetBytes: workingSet(members, opts),
    elements: n,
    sizeKnown: known,
    facts,
  };
}

function firstSymbol(expr: string): string {
  const m = /[A-Za-z_]\w*/.exec(expr);
  return m ? m[0] : 'n';
}
