// L3 reductions (FL012): an elementwise producer may feed a reduction's input, but nothing may run
// after a reduction inside the same kernel: its result exists only once every block has finished.

import type { LegalityRule, RuleContext, Verdict } from '../types';

export const reductionRule: LegalityRule = {
  id: 'FL012',
  label: 'L3',
  name: 'reduction-last',
  check(ctx: RuleContext): Verdict {
    const red = ctx.group.find(m => m.traits.reduction);
    if (red) {
      return { level: 'refuse', reason: `\`${red.callee}\` is a grid-wide reduction; \`${ctx.candidate.callee}\` after it needs a grid-wide barrier (a kernel boundary)` };
    }
    const coop = ctx.group.find(m => m.traits.blockCooperative);
    if (coop) {
      return { level: 'refuse', reason: `\`${coop.callee}\` cooperates across threads (shared memory or barriers); only elementwise launches may come before others in a fused kernel` };
    }
    return { level: 'ok' };
  },
};
