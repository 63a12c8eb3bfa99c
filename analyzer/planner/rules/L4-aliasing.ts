// L4 aliasing (FL013): fusing interleaves the launches per element, which is only equivalent when
// the buffers involved are either the same buffer at the same offset (in-place is fine) or provably
// different allocations. Pointers of unknown origin (function parameters without __restrict__,
// arrays of pointers) may overlap: the finding stays, the quick fix is withheld.

import type { BufferId } from '../../core/ir';
import type { LegalityRule, RuleContext, Verdict } from '../types';

export const aliasingRule: LegalityRule = {
  id: 'FL013',
  label: 'L4',
  name: 'aliasing',
  check(ctx: RuleContext): Verdict {
    const all = [...ctx.group, ctx.candidate];
    const bufs = new Map<string, { b: BufferId; written: boolean; offsets: Set<string> }>();
    for (const l of all) {
      for (const u of l.uses) {
        const e = bufs.get(u.buffer.key) ?? { b: u.buffer, written: false, offsets: new Set<string>() };
        e.written ||= u.access !== 'read';
        e.offsets.add(u.buffer.offset);
        bufs.set(u.buffer.key, e);
      }
    }
    for (const e of bufs.values()) {
      if (e.written && e.offsets.size > 1) {
        return { level: 'refuse', reason: `\`${e.b.name}\` is written and used at different offsets (${[...e.offsets].join(', ')}): elements overlap across threads` };
      }
    }
    const list = [...bufs.values()];
    for (let i = 0; i < list.length; i++) {
      for (let j = i + 1; j < list.length; j++) {
        const a = list[i];
        const b = list[j];
        if (!a.written && !b.written) continue;
        if (distinct(a.b, b.b)) continue;
        const hint = a.b.aliasHint ?? b.b.aliasHint ?? 'mark the host pointers `__restrict__` if they never overlap';
        return { level: 'uncertain', reason: `\`${a.b.name}\` and \`${b.b.name}\` may point into the same memory (${origin(a.b)}, ${origin(b.b)}); ${hint}` };
      }
    }
    return { level: 'ok' };
  },
};

function distinct(a: BufferId, b: BufferId): boolean {
  if (a.provenance === 'allocation' && b.provenance === 'allocation') return true;
  if (a.provenance === 'restrict-param' || b.provenance === 'restrict-param') return a.provenance !== 'unknown' && b.provenance !== 'unknown';
  if ((a.provenance === 'allocation' && b.provenance === 'param') || (a.provenance === 'param' && b.provenance === 'allocation')) return true;
  if (a.provenance === 'global' && b.provenance === 'global') return a.name !== b.name;
  return false;
}

function origin(b: BufferId): string {
  switch (b.provenance) {
    case 'allocation': return `\`${b.name}\` is allocated here`;
    case 'param': return `\`${b.name}\` is a parameter`;
    case 'restrict-param': return `\`${b.name}\` is a __restrict__ parameter`;
    case 'global': return `\`${b.name}\` is a global`;
    default: return `\`${b.name}\` has unknown origin`;
  }
}
