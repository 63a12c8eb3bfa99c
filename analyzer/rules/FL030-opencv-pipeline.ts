// FL030 opencv-pipeline: a chain of OpenCV CUDA calls (resize, cvtColor, convertTo, arithmetic,
// split), one kernel each, that cvGPUSpeedup or FKL runs as one kernel. The estimate comes from the
// cost model over each call's reads and writes; the fix is offered only when every call maps onto
// an operation the library has, with matching types (rewrite/cvPlan.ts).

import type { Finding, Fix, LaunchRef } from '../core/finding';
import type { LineIndex } from '../core/text';
import type { CudaProgram } from '../cuda/frontend';
import type { GpuProfile } from '../cost/profiles';
import { estimate, fmtBytes, fmtCount, type Traffic, type TrafficPart } from '../cost/model';
import type { CvChain, CvOp } from '../libs/opencv';
import { opencvOutType } from '../libs/opencv';
import { cvTypeName, depthBytes, pixelBytes, type CvType } from '../libs/cvTypes';
import { resolveTarget, type LibraryTarget } from '../libs/libTarget';
import { opName, planCvChain, type CvPlan } from '../rewrite/cvPlan';
import { cvgsEdits } from '../rewrite/cvgs';
import { fklEdits } from '../rewrite/fkl';
import { shortGpu } from './FL001-vertical';
import { toRange } from './findingUtil';

/** Frame assumed when the code does not say an image's size. */
export const DEFAULT_FRAME = { width: 1920, height: 1080 };

export interface LibOptions {
  libraryTarget?: LibraryTarget;
}

export function opencvFinding(program: CudaProgram, chain: CvChain, profile: GpuProfile, opts: LibOptions, lines: LineIndex, withFix: boolean): { finding: Finding; fix: () => Fix | undefined } {
  const plan = planCvChain(chain);
  const target = resolveTarget(program.text, opts.libraryTarget);
  const { traffic, facts, pixels, known } = chainTraffic(chain, plan);
  const est = estimate({ ...traffic, elements: pixels, sizeKnown: known, facts }, profile);
  const names = chain.ops.map(o => opName(o));
  const saved = est.bytesBefore - est.bytesAfter;
  const libName = target === 'fkl' ? 'FKL' : 'cvGPUSpeedup';
  const message = `${chain.ops.length} OpenCV CUDA calls run ${chain.ops.length} kernels (${names.map(n => n.replace(/^cv::cuda::/, '')).join(' → ')}): one ${libName} kernel saves ${fmtBytes(saved)} of device-memory traffic and ${chain.ops.length - 1} launch${chain.ops.length > 2 ? 'es' : ''}, ~${est.speedup}× on ${shortGpu(profile)}${known ? '' : ' at the assumed size'}`;
  let fixUnavailable: string | undefined;
  if (!plan.ok) fixUnavailable = `blocked by ${plan.blockers.map(b => (b.op ? `\`${opName(b.op)}\` (line ${lines.position(b.op.call.span.start).line + 1}): ` : '') + b.reason).join('; ')}`;
  else if (!target) fixUnavailable = 'this file uses neither cvGPUSpeedup nor FKL: add `#include <cvGPUSpeedup.cuh>` (or set fusionLens.libraryTarget to "cvgs" or "fkl") to get a rewrite';
  const notes: string[] = [];
  if (plan.ok) notes.push(...plan.notes);
  if (chain.loop) notes.push(`the chain runs once per iteration of \`${chain.loop.header}\`; see FL033 for batching the iterations`);
  const first = chain.ops[0];
  const makeFix = (): Fix | undefined => {
    if (!plan.ok || !target) return undefined;
    const edits = target === 'cvgs' ? cvgsEdits(program.text, chain, plan) : fklEdits(program.text, chain, plan);
    return {
      title: `Run ${names.join(' → ')} as one ${target === 'cvgs' ? 'cvGS::executeOperations' : 'fk::executeOperations'} call`,
      edits: edits.map(e => ({ file: program.file, span: e.span, range: toRange(lines, e.span), newText: e.newText })),
    };
  };
  const finding: Finding = {
    rule: 'FL030',
    ruleName: 'opencv-pipeline',
    kind: 'library',
    severity: 'warning',
    message,
    file: program.file,
    span: first.call.span,
    range: toRange(lines, first.call.span),
    launches: chain.ops.map(o => callRef(lines, opName(o), o.call.span)),
    estimate: est,
    fixable: !fixUnavailable,
    fixUnavailable,
    notes,
  };
  if (withFix && finding.fixable) finding.fix = makeFix();
  return { finding, fix: makeFix };
}

export function callRef(lines: LineIndex, callee: string, span: { start: number; end: number }): LaunchRef {
  return { callee, span, range: toRange(lines, span) };
}

/** Bytes each OpenCV call moves (one kernel per call) and what one fused kernel moves. */
export function chainTraffic(chain: CvChain, plan: CvPlan): { traffic: { before: Traffic[]; after: Traffic[]; workingSetBytes: number }; facts: string[]; pixels: number; known: boolean } {
  const facts: string[] = [];
  const inp = chain.input;
  const known = inp.width !== undefined && inp.type !== undefined;
  const w = inp.width ?? DEFAULT_FRAME.width;
  const h = inp.height ?? DEFAULT_FRAME.height;
  const type0: CvType = inp.type ?? { depth: '8U', cn: 3 };
  facts.push(inp.width !== undefined ? `input \`${chain.ops[0].src}\` is ${w}×${h} (from ${inp.sizeFrom})` : `input size of \`${chain.ops[0].src}\` unknown: assumed ${w}×${h} (annotate \`// fusion-lens: ${chain.ops[0].srcVar}.width=..., ${chain.ops[0].srcVar}.height=...\`)`);
  facts.push(inp.type ? `input type ${cvTypeName(inp.type)} (from ${inp.typeFrom})` : `input type unknown: assumed CV_8UC3`);
  let pix = w * h;
  let type: CvType | undefined = type0;
  const before: Traffic[] = [];
  const buffers = new Map<string, number>();
  const inputPixels = pix;
  let firstRead = 0;
  let resized = false;
  for (let i = 0; i < chain.ops.length; i++) {
    const op = chain.ops[i];
    const outType: CvType = opencvOutType(op, type) ?? type ?? type0;
    const inT = type ?? type0;
    let outPix = pix;
    let readPix = pix;
    if (op.kind === 'resize') {
      const o = chain.outSize;
      outPix = o ? o.width * o.height : pix;
      if (o) facts.push(`resize to ${o.width}×${o.height} (${o.from})`);
      else facts.push('resize output size not known: assumed equal to the input');
      // bilinear: each output pixel reads a 2×2 neighbourhood, so a strong downscale reads at most 4 source pixels per output pixel
      readPix = Math.min(pix, 4 * outPix);
      resized = true;
    }
    const parts: TrafficPart[] = [];
    parts.push(part(readPix * pixelBytes(inT), depthBytes(inT.depth), true, i > 0));
    if (op.operand?.kind === 'mat') parts.push(part(pix * pixelBytes(inT), depthBytes(inT.depth), true, false));
    // split writes every channel, one plane each
    const written = op.kind === 'split' ? pixelBytes(inT) : pixelBytes(outType);
    parts.push(part(outPix * written, depthBytes(outType.depth), false, false));
    if (i === 0) firstRead = readPix * pixelBytes(inT);
    before.push(traffic(opName(op), parts, outPix));
    buffers.set(i === 0 ? op.src : `${op.src}#${i}`, Math.max(buffers.get(op.src) ?? 0, pix * pixelBytes(inT)));
    buffers.set(`${op.dst}#out${i}`, outPix * written);
    pix = outPix;
    type = outType;
  }
  // one fused kernel: reads the input (as the first call does), each image operand, writes the final output
  const lastT = before[before.length - 1];
  const afterParts: TrafficPart[] = [part(firstRead, depthBytes(type0.depth), true, false)];
  for (let i = 0; i < chain.ops.length; i++) {
    const op = chain.ops[i];
    if (op.operand?.kind === 'mat') afterParts.push(before[i].parts[1]);
  }
  afterParts.push(lastT.parts[lastT.parts.length - 1]);
  // an intermediate used elsewhere must still be written
  chain.intermediates.forEach((im, k) => {
    if (!im.local || im.usedAt) {
      const t = before[chain.ops.findIndex(o => o.dst === im.name)] ?? before[k];
      afterParts.push(t.parts[t.parts.length - 1]);
      facts.push(`\`${im.name}\` is used outside the chain, so even a fused kernel writes it`);
    }
  });
  const after = [traffic('fused', afterParts, pix)];
  facts.push(`one kernel per OpenCV CUDA call (${chain.ops.length} launches), each reading its input from and writing its output to device memory`);
  if (resized) facts.push('bilinear resize reads at most 4 source pixels per output pixel');
  if (!plan.ok) facts.push('the fused figures assume every call could join one kernel');
  facts.push(`${fmtCount(inputPixels)} input pixels, ${fmtCount(pix)} output pixels`);
  let ws = 0;
  for (const v of buffers.values()) ws += v;
  return { traffic: { before, after, workingSetBytes: ws }, facts, pixels: pix, known };
}

function part(bytes: number, width: number, read: boolean, produced: boolean): TrafficPart {
  return { bytes, width, read, produced };
}

function traffic(callee: string, parts: TrafficPart[], threads: number): Traffic {
  return { callee, bytes: parts.reduce((s, p) => s + p.bytes, 0), flops: 0, parts, threads, cooperative: false };
}

export type { CvOp };
