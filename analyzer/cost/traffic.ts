// Bytes each launch moves, and what a fused group would move, from the IR's buffer uses.

import type { LaunchNode } from '../core/ir';
import type { CostInput, Traffic } from './model';
import { fmtCount } from './model';

export interface SizeOptions {
  /** Elements assumed when the code does not say (setting fusionLens.defaultProblemSize). */
  defaultElements: number;
}

export function launchElements(l: LaunchNode, opts: SizeOptions): { n: number; known: boolean } {
  return l.space.value !== undefined ? { n: l.space.value, known: true } : { n: opts.defaultElements, known: false };
}

function useBytes(l: LaunchNode, u: LaunchNode['uses'][number], n: number): number {
  const count = u.elements?.value ?? n;
  return count * (u.elemBytes ?? 4);
}

export function launchTraffic(l: LaunchNode, opts: SizeOptions): Traffic {
  const { n } = launchElements(l, opts);
  let bytes = 0;
  for (const u of l.uses) bytes += useBytes(l, u, n) * (u.access === 'readwrite' ? 2 : 1);
  return { callee: l.callee, bytes, flops: (l.flopsPerElement ?? 0) * n };
}

/**
 * Traffic of one fused kernel: each external input read once, each output written once, and
 * intermediates held in registers (`registerKeys`) neither written nor read back.
 */
export function fusedTraffic(members: LaunchNode[], registerKeys: Set<string>, opts: SizeOptions, name: string): Traffic {
  const seen = new Map<string, { read: boolean; written: boolean; bytes: number }>();
  let flops = 0;
  for (const l of members) {
    const { n } = launchElements(l, opts);
    flops += (l.flopsPerElement ?? 0) * n;
    for (const u of l.uses) {
      const b = useBytes(l, u, n);
      let e = seen.get(u.buffer.key);
      if (!e) {
        // the first access decides whether the old contents are needed
        e = { read: u.access !== 'write', written: false, bytes: b };
        seen.set(u.buffer.key, e);
      }
      if (u.access !== 'read') e.written = true;
      e.bytes = Math.max(e.bytes, b);
    }
  }
  let bytes = 0;
  for (const [key, e] of seen) {
    if (registerKeys.has(key)) continue;
    if (e.read) bytes += e.bytes;
    if (e.written) bytes += e.bytes;
  }
  return { callee: name, bytes, flops };
}

export function workingSet(members: LaunchNode[], opts: SizeOptions): number {
  const seen = new Map<string, number>();
  for (const l of members) {
    const { n } = launchElements(l, opts);
    for (const u of l.uses) seen.set(u.buffer.key, Math.max(seen.get(u.buffer.key) ?? 0, useBytes(l, u, n)));
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
    before: members.map(m => launchTraffic(m, opts)),
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
