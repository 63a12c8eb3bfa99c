// FL031 thrust-fusion: a thrust::transform whose output only feeds the next Thrust algorithm. Each
// algorithm is its own kernel (reductions and scans two: CUB's pass over the data plus a small
// one); the fused form reads the transform's input directly and never writes the intermediate.

import type { Finding, Fix } from '../core/finding';
import type { LineIndex } from '../core/text';
import type { CudaProgram } from '../cuda/frontend';
import { thrustCosts, type GpuProfile } from '../cost/profiles';
import { estimate, fmtBytes, fmtCount, type Traffic, type TrafficPart } from '../cost/model';
import type { SizeOptions } from '../cost/traffic';
import { elemBytes, evalLen, iterBase, rangeLen, vectorElemType, type ThrustPair } from '../libs/thrust';
import { planThrust } from '../rewrite/thrust';
import { shortGpu } from './FL001-vertical';
import { toRange } from './findingUtil';
import { callRef } from './FL030-opencv-pipeline';

export function thrustFinding(program: CudaProgram, p: ThrustPair, profile: GpuProfile, opts: SizeOptions, lines: LineIndex, withFix: boolean): { finding: Finding; fix: () => Fix | undefined } {
  const plan = planThrust(program, p);
  const { pr, co } = { pr: p.producer, co: p.consumer };
  const len = rangeLen(p.fn, pr.args[0].text, pr.args[1].text);
  const value = evalLen(program, p.fn, len);
  const n = value ?? opts.defaultElements;
  const facts: string[] = [];
  facts.push(value !== undefined ? `${fmtCount(n)} elements (\`${len}\`)` : `element count ${len ? `\`${len}\`` : 'of the range'} not known in the code: assumed ${fmtCount(n)} (setting fusionLens.defaultProblemSize, or annotate \`// fusion-lens: ${firstSymbol(len)}=...\`)`);
  const types = new Set<string>();
  const bytesOf = (iter: string | undefined): { b: number; w: number } => {
    const base = iter ? iterBase(iter)?.base ?? iter.replace(/\W.*$/, '') : undefined;
    const t = base ? vectorElemType(p.fn, base) : undefined;
    const b = elemBytes(t);
    types.add(t ? `\`${t}\` = ${b ?? 4} B` : `elements of \`${iter}\`: type not known, 4 B assumed`);
    return { b: b ?? 4, w: Math.min(16, b ?? 4) };
  };
  // CUB's transforms and reductions load several elements per thread, at the 16-byte access rate;
  // its scans stream at about the one-element rate (bench/gpu thrust_* cases on an H200)
  const scans = co.fn.endsWith('scan');
  const width = (x: { w: number }, scanKernel: boolean) => (scanKernel ? x.w : 16);
  const rd = (iter: string, produced: boolean, scanKernel = false): TrafficPart => { const x = bytesOf(iter); return { bytes: n * x.b, width: width(x, scanKernel), read: true, produced }; };
  const wr = (iter: string, scanKernel = false): TrafficPart => { const x = bytesOf(iter); return { bytes: n * x.b, width: width(x, scanKernel), read: false, produced: false }; };
  const tempIter = `${p.temp}.begin()`;
  const inputs = p.binary ? [pr.args[0].text, pr.args[2].text] : [pr.args[0].text];
  const producerT = kernel('thrust::transform', [...inputs.map(i => rd(i, false)), wr(tempIter)], n, false);
  // the consumer's other input and its output
  const other = (co.fn === 'inner_product' || (co.fn === 'transform' && co.args.length === 5)) ? (iterBase(co.args[0].text)?.base === p.temp ? co.args[2].text : co.args[0].text) : undefined;
  const out = co.fn === 'transform' ? co.args[co.args.length - 2].text : co.fn.endsWith('scan') ? co.args[2].text : undefined;
  const reduces = co.fn === 'reduce' || co.fn === 'count_if' || co.fn === 'inner_product';
  const consumerParts = [rd(tempIter, true, scans), ...(other ? [rd(other, false, scans)] : []), ...(out ? [wr(out, scans)] : [])];
  // CUB's reductions and scans stream at close to full bandwidth, unlike hand-written block trees
  const before: Traffic[] = [producerT, kernel(co.call.callee, consumerParts, n, false)];
  const fusedParts = [...inputs.map(i => rd(i, false, scans)), ...(other ? [rd(other, false, scans)] : []), ...(out ? [wr(out, scans)] : [])];
  if (plan.tempLive) fusedParts.push(wr(tempIter, scans));
  const after: Traffic[] = [kernel(plan.form, fusedParts, n, false)];
  // CUB's second, one-block pass (reductions) or its tile-state init kernel (scans): in both versions
  if (reduces || co.fn.endsWith('scan')) {
    before.push(kernel(`${co.call.callee} (second pass)`, [], 1, false));
    after.push(kernel(`${plan.form} (second pass)`, [], 1, false));
    facts.push(reduces ? 'reductions run CUB\'s two passes, one over the data at streaming bandwidth and one small pass over the partial results, before and after' : 'scans run CUB\'s single-pass scan at streaming bandwidth after a small tile-state init kernel, before and after');
  }
  facts.push(`element types: ${[...types].join(', ')}`);
  if (plan.tempLive) facts.push(`\`${p.temp}\` is used elsewhere, so even fused it is written`);
  facts.push(scans ? 'the scan kernels stream at the one-element access rate, the transform at the 16-byte rate (CUB loads several elements per thread; measured, bench/gpu thrust_* cases on an H200)' : 'CUB\'s kernels load several elements per thread: traffic at the 16-byte access rate (measured, bench/gpu thrust_* cases on an H200)');
  // each call waits for its kernels before it returns; reductions and scans also allocate temporary storage
  const host = thrustCosts(profile);
  const temp = reduces || scans ? host.temp.value : 0;
  const hostUs = { before: 2 * host.call.value + temp, after: host.call.value + temp };
  facts.push(`${host.call.value} µs per Thrust call for its stream synchronization${temp ? `, ${temp} µs for the temporary storage of ${reduces ? 'a reduction and its result' : 'a scan'}` : ''} (${host.call.measured ? 'measured' : 'assumed'}: ${host.call.source})`);
  const ws = [...before[0].parts, ...before[1].parts].filter(x => !x.produced).reduce((s, x) => s + x.bytes, 0);
  const est = estimate({ before, after, workingSetBytes: ws, elements: n, sizeKnown: value !== undefined, facts, hostUs }, profile);
  const saved = est.bytesBefore - est.bytesAfter;
  const how = plan.tempLive ? `one kernel that still stores \`${p.temp}\` (it is read later)` : plan.form;
  const message = `${pr.call.callee} feeds ${co.call.callee} through \`${p.temp}\`: ${how} saves ${fmtBytes(saved)} of device-memory traffic and 1 launch, ~${est.speedup}× on ${shortGpu(profile)}${value === undefined ? ' at the assumed size' : ''}`;
  const makeFix = (): Fix | undefined => {
    const r = planThrust(program, p);
    if (!r.ok || !r.edits) return undefined;
    return { title: `Fuse ${pr.call.callee} + ${co.call.callee} into ${r.form}`, edits: r.edits.map(e => ({ file: program.file, span: e.span, range: toRange(lines, e.span), newText: e.newText })) };
  };
  const finding: Finding = {
    rule: 'FL031',
    ruleName: 'thrust-fusion',
    kind: 'library',
    severity: 'warning',
    message,
    file: program.file,
    span: pr.call.span,
    range: toRange(lines, pr.call.span),
    launches: [callRef(lines, pr.call.callee, pr.call.span), callRef(lines, co.call.callee, co.call.span)],
    estimate: est,
    fixable: plan.ok,
    fixUnavailable: plan.ok ? undefined : plan.reason,
    notes: [],
  };
  if (withFix && plan.ok) finding.fix = makeFix();
  return { finding, fix: makeFix };
}

function kernel(callee: string, parts: TrafficPart[], threads: number, cooperative: boolean): Traffic {
  return { callee, bytes: parts.reduce((s, x) => s + x.bytes, 0), flops: 0, parts, threads, cooperative };
}

function firstSymbol(expr: string | undefined): string {
  const m = expr ? /[A-Za-z_]\w*/.exec(expr) : null;
  return m ? m[0] : 'n';
}
