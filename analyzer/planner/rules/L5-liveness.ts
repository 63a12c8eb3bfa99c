// L5 liveness (FL014): an intermediate whose value is needed after the fused kernel (read later,
// returned, a parameter or global, or read again on the next loop iteration) keeps its store;
// only the re-read is saved. Not a refusal: it changes the estimate and the generated code.

import type { Sequence } from '../../core/ir';
import type { Intermediate } from '../types';
import { varName } from '../types';

export const livenessRule = { id: 'FL014', label: 'L5', name: 'liveness' } as const;

/**
 * Decides whether buffer `key` is live after the group, whose members sit at positions
 * [firstPos, lastPos] of the function's program order.
 */
export function liveness(seq: Sequence, key: string, provenance: string, firstPos: number, lastPos: number): { live: boolean; reason?: string } {
  const name = varName(key);
  if (seq.escaping.has(key) || provenance === 'param' || provenance === 'restrict-param') return { live: true, reason: `\`${name}\` is visible to the caller` };
  if (provenance === 'global') return { live: true, reason: `\`${name}\` is a global` };
  if (provenance === 'unknown') return { live: true, reason: `we cannot tell who else reads \`${name}\`` };
  const reads = seq.reads.get(key) ?? [];
  const any = seq.reads.get('*') ?? [];
  const later = reads.find(p => p > lastPos);
  if (later !== undefined) return { live: true, reason: `\`${name}\` is read again later` };
  if (any.some(p => p > lastPos)) return { live: true, reason: `a later call we cannot see may read \`${name}\`` };
  for (const [lo, hi] of seq.loops) {
    if (reads.some(p => p >= lo && p <= hi && (p < firstPos || p > lastPos)) || any.some(p => p >= lo && p <= hi && (p < firstPos || p > lastPos))) {
      return { live: true, reason: `\`${name}\` is read elsewhere in the enclosing loop` };
    }
  }
  return { live: false };
}

export type { Intermediate };
