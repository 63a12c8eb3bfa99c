// L6 budgets (FL015): the fused kernel must stay within hardware and readability limits: kernel
// parameter space, the number of fused stages, and launch bodies we can see (library calls and
// kernels defined nowhere in the workspace fuse only through vendor epilogues).

import type { LegalityRule, RuleContext, Verdict } from '../types';

/** Classic limit for __global__ parameters (CUDA 12.1+ allows 32,764 bytes on Volta and newer). */
export const KERNEL_PARAM_BYTES = 4096;
/** Beyond this many stages register pressure and readability suffer (Inductor caps at 64 nodes). */
export const MAX_STAGES = 16;

export const budgetRule: LegalityRule = {
  id: 'FL015',
  label: 'L6',
  name: 'budgets',
  check(ctx: RuleContext): Verdict {
    const c = ctx.candidate;
    if (c.traits.opaque) return { level: 'refuse', reason: `the body of \`${c.callee}\` is not visible (not defined in this file, its includes or the workspace)` };
    if (ctx.group.length + 1 > MAX_STAGES) return { level: 'refuse', reason: `more than ${MAX_STAGES} stages in one kernel (register pressure)` };
    const params = new Set<string>();
    let bytes = 0;
    for (const l of [...ctx.group, c]) {
      for (const u of l.uses) if (!params.has(u.buffer.key)) { params.add(u.buffer.key); bytes += 8; }
      bytes += 8 * Math.max(0, l.varsRead.length - l.uses.length);
    }
    if (bytes > KERNEL_PARAM_BYTES) return { level: 'refuse', reason: `the fused kernel would need ~${bytes} bytes of parameters (limit ${KERNEL_PARAM_BYTES})` };
    return { level: 'ok' };
  },
};
