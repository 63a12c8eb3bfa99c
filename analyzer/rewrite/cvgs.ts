// Writes an OpenCV CUDA chain as one cvGS::executeOperations call (cvGPUSpeedup's OpenCV look-alike
// API, fkl.md section 4): the resize (when there is one) is the read, the last op writes.

import type { Span } from '../core/text';
import type { CvChain } from '../libs/opencv';
import type { CvBatch } from '../libs/opencvBatch';
import { cvTypeName } from '../libs/cvTypes';
import { includeInsertOffset, indentAt, lineSpan } from '../libs/hostCalls';
import type { CvPlanOk, LibStep } from './cvPlan';

export interface TextEditSpan {
  span: Span;
  newText: string;
}

export const CVGS_INCLUDE = '#include <cvGPUSpeedup.cuh>';

export function cvgsEdits(src: string, chain: CvChain, plan: CvPlanOk): TextEditSpan[] {
  const last = chain.ops[chain.ops.length - 1];
  const indent = indentAt(src, last.call.span.start);
  const stream = plan.stream ?? 'cv::cuda::Stream::Null()';
  const iops: string[] = [];
  const first = plan.steps[0];
  const hasRead = first?.k === 'resize';
  for (const s of plan.steps) iops.push(...cvgsStep(s));
  const lines: string[] = [];
  lines.push(...outputSetup(plan, indent));
  const o = plan.output;
  if (o.kind === 'split') iops.push(`cvGS::split<${cvTypeName(o.type)}>(${o.name})`);
  else iops.push(`cvGS::write<${cvTypeName(o.type)}>(${o.name})`);
  const head = hasRead ? `cvGS::executeOperations(${stream},` : `cvGS::executeOperations(${plan.src}, ${stream},`;
  lines.push(`${indent}${head}`);
  iops.forEach((x, i) => lines.push(`${indent}    ${x}${i === iops.length - 1 ? ');' : ','}`));
  if (!plan.stream) lines.push(`${indent}cv::cuda::Stream::Null().waitForCompletion(); // OpenCV's default-stream calls return when done`);
  const comment = headerComment(chain, plan, 'cvGPUSpeedup', indent);
  const edits: TextEditSpan[] = [];
  for (const op of chain.ops.slice(0, -1)) edits.push({ span: lineSpan(src, op.call.span), newText: '' });
  edits.push({ span: last.call.span, newText: (comment + lines.join('\n')).slice(indent.length) });
  if (!src.includes('cvGPUSpeedup.cuh')) edits.push({ span: { start: includeInsertOffset(src), end: includeInsertOffset(src) }, newText: CVGS_INCLUDE + '\n' });
  return edits;
}

function cvgsStep(s: LibStep): string[] {
  switch (s.k) {
    case 'resize':
      return [`cvGS::resize<${cvTypeName(s.in)}, cv::INTER_LINEAR>(${s.op.src}, ${s.dsize}, ${s.fx}, ${s.fy})`];
    case 'cvtColor':
      return [`cvGS::cvtColor<cv::${s.code}, ${cvTypeName(s.in)}${s.out.cn !== s.in.cn ? `, ${cvTypeName(s.out)}` : ''}>()`];
    case 'convert':
      return [`cvGS::convertTo<${cvTypeName(s.in)}, ${cvTypeName(s.out)}>(${[s.alpha, s.beta].filter(x => x !== undefined).join(', ')})`];
    case 'scale': {
      const parts: string[] = [];
      if (s.alpha) parts.push(`cvGS::multiply<${cvTypeName(s.type)}>(cv::Scalar::all(${s.alpha}))`);
      if (s.beta) parts.push(`cvGS::add<${cvTypeName(s.type)}>(cv::Scalar::all(${s.beta}))`);
      return parts;
    }
    case 'arith':
      return [`cvGS::${s.fn}<${cvTypeName(s.type)}>(${s.operand})`];
  }
}

/** Allocates what OpenCV would have allocated: the output image or the planes of a split. */
export function outputSetup(plan: CvPlanOk, indent: string): string[] {
  const o = plan.output;
  if (o.kind === 'split') {
    return [
      `${indent}${o.name}.resize(${o.type.cn});`,
      `${indent}for (auto& plane : ${o.name}) plane.create(${o.size}, CV_${o.type.depth}C1);`,
    ];
  }
  return [`${indent}${o.name}.create(${o.size}, ${cvTypeName(o.type)});`];
}

export function headerComment(chain: CvChain, plan: CvPlanOk, lib: string, indent: string): string {
  const names = chain.ops.map(o => (o.kind === 'convertTo' ? 'convertTo' : o.kind)).join(' → ');
  const inter = chain.intermediates.map(i => `\`${i.name}\``);
  const lines = [`// Fusion Lens: ${names} run as one ${lib} kernel (${chain.ops.length} launches → 1)${inter.length ? `; ${inter.join(', ')} ${inter.length > 1 ? 'are' : 'is'} never written` : ''}.`];
  for (const n of plan.notes) lines.push(`// ${n.replace(/`/g, '')}.`);
  return lines.map(l => indent + l).join('\n') + '\n';
}

/**
 * The loop over crops as one batched call: the crops go in a std::array (a compile-time batch),
 * each iteration's planes in a std::array of vectors (GpuMat copies share the planes' memory).
 */
export function cvgsBatchEdits(src: string, b: CvBatch, plan: CvPlanOk): TextEditSpan[] {
  const loop = b.loop;
  const indent = indentAt(src, loop.span.start);
  const inner = indent + '  ';
  const chain = b.chain;
  const o = plan.output;
  const free = (name: string) => { let n = name; for (let k = 2; new RegExp(`\\b${n}\\b`).test(src); k++) n = `${name}${k}`; return n; };
  const inputs = free('batchInputs');
  const outputs = free('batchOutputs');
  const stream = plan.stream ?? 'cv::cuda::Stream::Null()';
  const names = chain.ops.map(op => (op.kind === 'convertTo' ? 'convertTo' : op.kind)).join(' → ');
  const lines: string[] = [];
  lines.push(`${indent}// Fusion Lens: ${names} for all ${b.bound} crops as one batched cvGPUSpeedup kernel (${b.count} × ${chain.ops.length} launches → 1).`);
  for (const n of plan.notes) lines.push(`${indent}// ${n.replace(/`/g, '')}.`);
  lines.push(`${indent}std::array<cv::cuda::GpuMat, ${b.bound}> ${inputs};`);
  lines.push(`${indent}std::array<std::vector<cv::cuda::GpuMat>, ${b.bound}> ${outputs};`);
  lines.push(`${indent}${loop.headerSrc} {`);
  for (const d of b.inputDecls) lines.push(`${inner}${src.slice(d.span.start, d.span.end)}`);
  lines.push(`${inner}${inputs}[${b.indexVar}] = ${plan.src};`);
  lines.push(...outputSetup(plan, inner));
  lines.push(`${inner}${outputs}[${b.indexVar}] = ${o.name};`);
  lines.push(`${indent}}`);
  const iops: string[] = [];
  for (const s of plan.steps) {
    if (s.k === 'resize') iops.push(`cvGS::resize<${cvTypeName(s.in)}, cv::INTER_LINEAR, ${b.bound}>(${inputs}, ${s.dsize}, ${b.bound})`);
    else iops.push(...cvgsStep(s));
  }
  iops.push(`cvGS::split<${cvTypeName(o.type)}>(${outputs})`);
  lines.push(`${indent}cvGS::executeOperations(${stream},`);
  iops.forEach((x, k) => lines.push(`${indent}    ${x}${k === iops.length - 1 ? ');' : ','}`));
  if (!plan.stream) lines.push(`${indent}cv::cuda::Stream::Null().waitForCompletion(); // OpenCV's default-stream calls return when done`);
  const edits: TextEditSpan[] = [{ span: loop.span, newText: lines.join('\n').slice(indent.length) }];
  if (!src.includes('cvGPUSpeedup.cuh')) edits.push({ span: { start: includeInsertOffset(src), end: includeInsertOffset(src) }, newText: CVGS_INCLUDE + '\n' });
  if (!/#\s*include\s*<array>/.test(src)) edits.push({ span: { start: includeInsertOffset(src), end: includeInsertOffset(src) }, newText: '#include <array>\n' });
  return edits;
}
