// FL033 opencv-batch: a loop that runs one OpenCV CUDA chain per crop. cvGPUSpeedup runs every
// crop's chain in one batched kernel: N × k launches become one (horizontal + vertical fusion, the
// cvGPUSpeedup README's 50-crop case).

import type { Finding, Fix } from '../core/finding';
import type { LineIndex } from '../core/text';
import type { CudaProgram } from '../cuda/frontend';
import type { GpuProfile } from '../cost/profiles';
import { estimate, fmtBytes, fmtCount, type Traffic } from '../cost/model';
import { mergedTraffic } from '../cost/traffic';
import type { CvBatch } from '../libs/opencvBatch';
import { resolveTarget } from '../libs/libTarget';
import { opName, planCvChain } from '../rewrite/cvPlan';
import { cvgsBatchEdits } from '../rewrite/cvgs';
import { shortGpu } from './FL001-vertical';
import { toRange } from './findingUtil';
import { callRef, chainTraffic, type LibOptions } from './FL030-opencv-pipeline';

export function opencvBatchFinding(program: CudaProgram, b: CvBatch, profile: GpuProfile, opts: LibOptions, lines: LineIndex, withFix: boolean): { finding: Finding; fix: () => Fix | undefined } {
  const chain = b.chain;
  const plan = planCvChain(chain);
  const target = resolveTarget(program.text, opts.libraryTarget);
  const per = chainTraffic(chain, plan);
  const before: Traffic[] = [];
  for (let k = 0; k < b.count; k++) before.push(...per.traffic.before);
  const after = [mergedTraffic(Array.from({ length: b.count }, () => per.traffic.after[0]), 'batched')];
  const facts = [`${fmtCount(b.count)} iterations (\`${b.bound}\`), each a chain of ${chain.ops.length} OpenCV CUDA calls`, ...per.facts];
  const est = estimate({ before, after, workingSetBytes: per.traffic.workingSetBytes * b.count, elements: per.pixels * b.count, sizeKnown: per.known, facts }, profile);
  let fixUnavailable: string | undefined;
  if (b.reason) fixUnavailable = b.reason;
  else if (!plan.ok) fixUnavailable = `blocked by ${plan.blockers.map(x => (x.op ? `\`${opName(x.op)}\`: ` : '') + x.reason).join('; ')}`;
  else if (target !== 'cvgs') fixUnavailable = target === 'fkl'
    ? 'the batched rewrite is written for cvGPUSpeedup (set fusionLens.libraryTarget to "cvgs"); FL030 still fuses each iteration with FKL'
    : 'this file uses neither cvGPUSpeedup nor FKL: add `#include <cvGPUSpeedup.cuh>` (or set fusionLens.libraryTarget to "cvgs") to get a rewrite';
  const names = chain.ops.map(o => opName(o).replace(/^cv::cuda::/, ''));
  const saved = est.bytesBefore - est.bytesAfter;
  const message = `Loop runs ${names.join(' → ')} once per crop (${fmtCount(b.count)} crops, ${fmtCount(est.launchesBefore)} launches): one batched cvGPUSpeedup kernel saves ${fmtCount(est.launchesBefore - 1)} launches and ${fmtBytes(saved)} of device-memory traffic, ~${est.speedup}× on ${shortGpu(profile)}${per.known ? '' : ' at the assumed size'}`;
  const makeFix = (): Fix | undefined => {
    if (fixUnavailable || !plan.ok) return undefined;
    const edits = cvgsBatchEdits(program.text, b, plan);
    return { title: `Run the ${fmtCount(b.count)} iterations' ${names.join(' → ')} as one batched cvGS::executeOperations call`, edits: edits.map(e => ({ file: program.file, span: e.span, range: toRange(lines, e.span), newText: e.newText })) };
  };
  const first = chain.ops[0];
  const finding: Finding = {
    rule: 'FL033',
    ruleName: 'opencv-batch',
    kind: 'horizontal',
    severity: 'warning',
    message,
    file: program.file,
    span: first.call.span,
    range: toRange(lines, first.call.span),
    launches: chain.ops.map(o => callRef(lines, opName(o), o.call.span)),
    estimate: est,
    fixable: !fixUnavailable,
    fixUnavailable,
    notes: plan.ok ? [...plan.notes] : [],
  };
  if (withFix && finding.fixable) finding.fix = makeFix();
  return { finding, fix: makeFix };
}
