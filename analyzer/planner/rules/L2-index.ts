// L2 index identity (FL011): the consumer reads each intermediate only at the element its own thread
// would have produced, over the same iteration space. Stencil (x[i-1]), strided, transposed or
// gathered reads need values other threads produce, which a single kernel cannot wait for.

import type { IndexPattern, LaunchNode } from '../../core/ir';
import type { LegalityRule, RuleContext, Verdict } from '../types';
import { varName, writesOf } from '../types';

export const indexRule: LegalityRule = {
  id: 'FL011',
  label: 'L2',
  name: 'index-identity',
  check(ctx: RuleContext): Verdict {
    const { group, candidate } = ctx;
    const written = new Map<string, LaunchNode>();
    for (const m of group) for (const k of writesOf(m)) written.set(k, m);
    for (const u of candidate.uses) {
      const producer = written.get(u.buffer.key);
      if (!producer) continue;
      if (u.index.kind !== 'identity') {
        return { level: 'refuse', reason: `\`${candidate.callee}\` reads \`${varName(u.buffer.key)}\` ${describe(u.index)}, not at its own thread's element` };
      }
      const pu = producer.uses.find(p => p.buffer.key === u.buffer.key && p.access !== 'read');
      if (pu && pu.index.kind !== 'identity') {
        return { level: 'refuse', reason: `\`${producer.callee}\` writes \`${varName(u.buffer.key)}\` ${describe(pu.index)}` };
      }
      if (pu && u.buffer.offset !== pu.buffer.offset) {
        return { level: 'refuse', reason: `\`${varName(u.buffer.key)}\` is passed at different offsets (${pu.buffer.offset} and ${u.buffer.offset})` };
      }
    }
    // writes into a buffer an earlier member reads must also be per-element (write-after-read)
    for (const u of candidate.uses) {
      if (u.access === 'read') continue;
      for (const m of group) {
        const r = m.uses.find(p => p.buffer.key === u.buffer.key);
        if (r && (r.index.kind !== 'identity' || u.index.kind !== 'identity')) {
          return { level: 'refuse', reason: `\`${candidate.callee}\` overwrites \`${varName(u.buffer.key)}\`, which \`${m.callee}\` reads ${describe(r.index)}` };
        }
      }
    }
    const first = group[0];
    // a kernel without a plain bounds check (a reduction reading `i < n ? v[i] : 0`) covers the
    // same elements when every read of an intermediate is bounded by the producer's count
    const boundedReads = candidate.uses.filter(u => written.has(u.buffer.key));
    const bounded = boundedReads.length > 0 && boundedReads.every(u => u.bound && (u.bound.key === first.space.key || (u.bound.value !== undefined && u.bound.value === first.space.value)));
    if (!bounded && !sameSpace(first, candidate)) {
      return { level: 'refuse', reason: `\`${candidate.callee}\` covers ${first.space.expr === candidate.space.expr ? 'a different' : `\`${candidate.space.expr}\` elements, not \`${first.space.expr}\``} (iteration spaces differ)` };
    }
    return { level: 'ok' };
  },
};

function sameSpace(a: LaunchNode, b: LaunchNode): boolean {
  if (a.space.value !== undefined && b.space.value !== undefined) return a.space.value === b.space.value && a.space.key.includes('x') === b.space.key.includes('x');
  return a.space.key === b.space.key;
}

export function describe(p: IndexPattern): string {
  switch (p.kind) {
    case 'identity': return 'at its own element';
    case 'affine': return `at neighbouring elements (offsets ${p.offsets.join(', ')})`;
    case 'broadcast': return 'at a fixed element';
    case 'indirect': return `through an index array${p.via ? ` (\`${p.via}\`)` : ''}`;
    case 'reduction': return `as a ${p.how === 'atomic' ? 'atomic' : 'block'} reduction`;
    case 'strided': return `at \`${p.text}\``;
    case 'unknown': return `in a way we cannot follow (${p.reason})`;
  }
}
