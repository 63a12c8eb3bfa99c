// FL102 tfjs-elementwise-chain: two or more elementwise TF.js ops in a row, each one GPU program
// that reads and writes the whole tensor. TF.js has no API that fuses them (tfjs#5198, #5458), so
// the finding reports what one custom kernel would save and offers no rewrite.

import type { Finding } from '../core/finding';
import type { LineIndex } from '../core/text';
import type { GpuProfile } from '../cost/profiles';
import { estimate } from '../cost/model';
import type { SizeOptions } from '../cost/traffic';
import type { Group } from '../planner/types';
import { gpuLabel, groupCost, savedText } from '../ts/cost';
import type { TsProgram } from '../ts/frontend';
import { launchRef, toRange } from './findingUtil';

export const NO_FUSED_API = 'TF.js has no public API that fuses elementwise ops (tensorflow/tfjs#5198, #5458): the estimate is what one kernel would save (a custom WebGL or WGSL program run through the backend, outside the public op API, or folding constant operands ahead of time)';

export function elementwiseFinding(program: TsProgram, g: Group, profile: GpuProfile, profileFacts: string[], opts: SizeOptions, lines: LineIndex): Finding {
  const notes: string[] = [];
  const facts = [...profileFacts];
  const registerKeys = new Set<string>();
  for (const i of g.intermediates) {
    if (i.live) {
      notes.push(`\`${i.name}\` is still materialized: ${i.liveReason} (FL014)`);
      facts.push(`\`${i.name}\` is still written: ${i.liveReason}`);
    } else {
      registerKeys.add(i.key);
      facts.push(`\`${i.name}\` would stay in registers`);
    }
  }
  facts.push('each op reads its inputs from GPU memory and writes its whole output back');
  const est = estimate(groupCost(g.members, registerKeys, opts, 'fused elementwise kernel', facts), profile);
  const chain = g.members.map(m => m.callee).join(' → ');
  const gpu = gpuLabel(profile, program.backend);
  const n = g.members.length;
  const message = `${n} elementwise ops run as ${n} GPU programs (${chain}): one fused kernel would save ${savedText(est, 'element')} and ${n - 1} dispatch${n > 2 ? 'es' : ''}, ~${est.speedup}× on ${gpu}${est.sizeKnown ? '' : ' at the assumed size'}`;
  const first = g.members[0];
  return {
    rule: 'FL102',
    ruleName: 'tfjs-elementwise-chain',
    kind: 'vertical',
    severity: 'info',
    message,
    file: program.file,
    span: { ...first.span },
    range: toRange(lines, first.span),
    launches: g.members.map(m => launchRef(lines, m)),
    estimate: est,
    fixable: false,
    fixUnavailable: NO_FUSED_API,
    notes,
  };
}
