// FL101 tfjs-fused-op: matMul / conv2d / depthwiseConv2d followed by a bias add and/or an
// activation is one tf.fused.* call (one GPU program instead of two or three).

import type { Finding } from '../core/finding';
import type { LaunchNode } from '../core/ir';
import type { LineIndex } from '../core/text';
import type { GpuProfile } from '../cost/profiles';
import { estimate, type Traffic } from '../cost/model';
import { launchTraffic, sequenceTraffic, type SizeOptions } from '../cost/traffic';
import { copyTraffic, gpuLabel, groupCost, savedText } from '../ts/cost';
import type { TsProgram } from '../ts/frontend';
import type { LibraryMatch } from '../ts/libraryFusion';
import { rewriteLibraryFusion } from '../rewrite/tfjsFused';
import { valueName } from '../ts/toIr';
import { sizeOf } from '../ts/shapes';
import { launchRef, toRange } from './findingUtil';

export function libraryFinding(program: TsProgram, text: string, m: LibraryMatch, launches: LaunchNode[], profile: GpuProfile, profileFacts: string[], opts: SizeOptions, lines: LineIndex): Finding {
  const V = m.fn.values;
  const registerKeys = new Set(m.intermediates.map(v => V[v].key));
  const facts = [...profileFacts];
  for (const v of m.intermediates) facts.push(`\`${valueName(V[v])}\` is never written to GPU memory: the fused program adds the bias and applies the activation in its epilogue`);
  let after: Traffic[] | undefined;
  if (m.noGain) after = sequenceTraffic(launches, opts);
  else if (program.backend === 'webgpu' && m.producer.op === 'matMul') {
    // tfjs-backend-webgpu's split-K path (batch 1, M <= 128, N <= 48, K >= 2000) runs a separate
    // BiasActivation program (anchors.md section 4)
    const a = V[m.producer.inputs[0]].dims;
    const out = V[m.producer.out].dims;
    const tA = m.producer.args[2]?.bool ?? false;
    if (a && out && out.length >= 2 && sizeOf(out.slice(0, -2)) === 1 && out[out.length - 2] <= 128 && out[out.length - 1] <= 48 && (tA ? a[a.length - 2] : a[a.length - 1]) >= 2000 && (m.bias || m.act)) {
      const outBytes = sizeOf(out) * 4;
      after = [{ ...launchTraffic(launches[0], opts), callee: 'fused matMul (split-K)' }, copyTraffic('BiasActivation', outBytes, outBytes, sizeOf(out), true)];
      facts.push('WebGPU runs this shape (batch 1, M ≤ 128, N ≤ 48, K ≥ 2000) through split-K plus a separate BiasActivation program: 2 dispatches after fusing (tfjs-backend-webgpu BatchMatMul_impl)');
    }
  }
  const est = estimate(groupCost(launches, registerKeys, opts, `fused.${m.producer.op}`, facts, after), profile);
  const rw = rewriteLibraryFusion(m, program, text);
  const chain = m.ops.map(o => o.op).join(' → ');
  const gpu = gpuLabel(profile, program.backend);
  const fewer = est.launchesBefore - est.launchesAfter;
  const message = m.noGain
    ? `${chain} would be one tf.fused.${m.producer.op}, but ${m.noGain}`
    : `${chain} can be one tf.fused.${m.producer.op}: saves ${fewer} GPU program${fewer === 1 ? '' : 's'} and ${savedText(est, 'output element')}, ~${est.speedup}× on ${gpu}${est.sizeKnown ? '' : ' at the assumed size'}`;
  const first = m.ops[0];
  return {
    rule: 'FL101',
    ruleName: 'tfjs-fused-op',
    kind: 'library',
    severity: 'warning',
    message,
    file: program.file,
    span: { ...first.span },
    range: toRange(lines, first.span),
    launches: launches.map(l => launchRef(lines, l)),
    estimate: est,
    fixable: rw.ok,
    fix: rw.ok ? { title: rw.title, edits: rw.edits.map(e => ({ file: program.file, span: e.span, range: toRange(lines, e.span), newText: e.newText })) } : undefined,
    fixUnavailable: rw.ok ? undefined : rw.reason,
    notes: m.notes,
  };
}
