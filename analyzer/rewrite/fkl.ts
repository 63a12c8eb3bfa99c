// Writes an OpenCV CUDA chain as one fk::executeOperations<fk::TransformDPP<>> call over the
// GpuMats' raw device pointers (FKL 0.1.9+ API, LTS-C++17 include paths; fkl.md sections 2-6):
// pointers are wrapped with MemType::Device (the nvcc default, DeviceAndPinned, throws when
// wrapping), colour codes are the enum class, and each op's input type is the previous op's output.

import type { CvChain } from '../libs/opencv';
import { cudaBase, cudaType, isFloat, type CvType } from '../libs/cvTypes';
import { includeInsertOffset, indentAt, lineSpan } from '../libs/hostCalls';
import type { CvPlanOk, LibStep } from './cvPlan';
import { headerComment, outputSetup, type TextEditSpan } from './cvgs';

const H = {
  fused: '#include <fused_kernel/fused_kernel.h>',
  memory: '#include <fused_kernel/algorithms/basic_ops/memory_operations.h>',
  arithmetic: '#include <fused_kernel/algorithms/basic_ops/arithmetic.h>',
  saturate: '#include <fused_kernel/algorithms/image_processing/saturate.h>',
  resize: '#include <fused_kernel/algorithms/image_processing/resize.h>',
  color: '#include <fused_kernel/algorithms/image_processing/color_conversion.h>',
  accessor: '#include <opencv2/core/cuda_stream_accessor.hpp>',
};

export function fklEdits(src: string, chain: CvChain, plan: CvPlanOk): TextEditSpan[] {
  const last = chain.ops[chain.ops.length - 1];
  const outer = indentAt(src, last.call.span.start);
  const indent = outer + '  ';
  const needed = new Set<string>([H.accessor, H.fused, H.memory]);
  const inT = cudaType(plan.input);
  const lines: string[] = [`${outer}{`];
  lines.push(headerComment(chain, plan, 'FKL', indent).replace(/\n$/, ''));
  lines.push(...outputSetup(plan, indent));
  const o = plan.output;
  const outT = cudaType(o.type);
  let writeOp: string;
  if (o.kind === 'split') {
    const planeT = cudaBase(o.type);
    lines.push(`${indent}std::vector<fk::Ptr2D<${planeT}>> planePtrs;`);
    lines.push(`${indent}for (auto& plane : ${o.name}) planePtrs.emplace_back(reinterpret_cast<${planeT}*>(plane.data), plane.cols, plane.rows, static_cast<uint>(plane.step), fk::MemType::Device);`);
    writeOp = `fk::SplitWrite<fk::ND::_2D, ${outT}>::build(planePtrs)`;
  } else {
    lines.push(`${indent}const fk::Ptr2D<${outT}> outputPtr(reinterpret_cast<${outT}*>(${o.name}.data), ${o.name}.cols, ${o.name}.rows, static_cast<uint>(${o.name}.step), fk::MemType::Device);`);
    writeOp = `fk::PerThreadWrite<fk::ND::_2D, ${outT}>::build(outputPtr)`;
  }
  const inputVar = /^\w+$/.test(plan.src) ? plan.src : 'input';
  if (inputVar === 'input') lines.push(`${indent}const cv::cuda::GpuMat input = ${plan.src};`);
  lines.push(`${indent}const fk::Ptr2D<${inT}> inputPtr(reinterpret_cast<${inT}*>(${inputVar}.data), ${inputVar}.cols, ${inputVar}.rows, static_cast<uint>(${inputVar}.step), fk::MemType::Device);`);
  lines.push(`${indent}fk::Stream fkStream(cv::cuda::StreamAccessor::getStream(${plan.stream ?? 'cv::cuda::Stream::Null()'}));`);
  const iops = [`fk::PerThreadRead<fk::ND::_2D, ${inT}>::build(inputPtr)`];
  for (const s of plan.steps) iops.push(...fklStep(s, needed));
  iops.push(writeOp);
  lines.push(`${indent}fk::executeOperations<fk::TransformDPP<>>(fkStream,`);
  iops.forEach((x, i) => lines.push(`${indent}    ${x}${i === iops.length - 1 ? ');' : ','}`));
  if (!plan.stream) lines.push(`${indent}fkStream.sync(); // OpenCV's default-stream calls return when done`);
  lines.push(`${outer}}`);
  const edits: TextEditSpan[] = [];
  for (const op of chain.ops.slice(0, -1)) edits.push({ span: lineSpan(src, op.call.span), newText: '' });
  edits.push({ span: last.call.span, newText: lines.join('\n').slice(outer.length) });
  const missing = [...needed].filter(h => !src.includes(h.slice('#include '.length)));
  if (missing.length) {
    const at = includeInsertOffset(src);
    edits.push({ span: { start: at, end: at }, newText: missing.join('\n') + '\n' });
  }
  return edits;
}

function fklStep(s: LibStep, needed: Set<string>): string[] {
  switch (s.k) {
    case 'resize':
      needed.add(H.resize);
      return [`fk::Resize<fk::InterpolationType::INTER_LINEAR>::build(${fkSize(s.dsize)})`];
    case 'cvtColor':
      needed.add(H.color);
      return [`fk::ColorConversion<fk::ColorConversionCodes::${s.code}, ${cudaType(s.in)}, ${cudaType(s.out)}>::build()`];
    case 'convert': {
      // OpenCV: saturate_cast<O>(src * alpha + beta), computed in float for integral outputs
      needed.add(H.saturate);
      const out: string[] = [];
      const f: CvType = isFloat(s.out) ? s.out : { depth: '32F', cn: s.out.cn };
      const fT = cudaType(f);
      if (!s.alpha && !s.beta) return [`fk::SaturateCast<${cudaType(s.in)}, ${cudaType(s.out)}>::build()`];
      needed.add(H.arithmetic);
      if (cudaType(s.in) !== fT) out.push(`fk::SaturateCast<${cudaType(s.in)}, ${fT}>::build()`);
      if (s.alpha) out.push(`fk::Mul<${fT}>::build(${broadcast(s.alpha, f)})`);
      if (s.beta) out.push(`fk::Add<${fT}>::build(${broadcast(s.beta, f)})`);
      if (fT !== cudaType(s.out)) out.push(`fk::SaturateCast<${fT}, ${cudaType(s.out)}>::build()`);
      return out;
    }
    case 'scale': {
      needed.add(H.arithmetic);
      const out: string[] = [];
      if (s.alpha) out.push(`fk::Mul<${cudaType(s.type)}>::build(${broadcast(s.alpha, s.type)})`);
      if (s.beta) out.push(`fk::Add<${cudaType(s.type)}>::build(${broadcast(s.beta, s.type)})`);
      return out;
    }
    case 'arith': {
      needed.add(H.arithmetic);
      const op = { add: 'Add', subtract: 'Sub', multiply: 'Mul', divide: 'Div' }[s.fn];
      return [`fk::${op}<${cudaType(s.type)}>::build(${scalarVec(s.operand, s.type)})`];
    }
  }
}

/** One value for every channel. */
function broadcast(x: string, t: CvType): string {
  return t.cn === 1 ? `static_cast<${cudaBase(t)}>(${x})` : `fk::make_set<${cudaType(t)}>(${x})`;
}

/** A cv::Scalar expression as the op's vector type (channels beyond the Scalar's are 0, as in OpenCV). */
function scalarVec(text: string, t: CvType): string {
  const base = cudaBase(t);
  const all = /^(?:cv::)?Scalar(?:_<\w+>)?::all\((.+)\)$/.exec(text);
  if (all) return broadcast(all[1], t);
  const ctor = /^(?:cv::)?Scalar(?:_<\w+>)?\((.*)\)$/.exec(text);
  let comps: string[];
  if (ctor) {
    comps = splitArgs(ctor[1]);
    while (comps.length < t.cn) comps.push('0');
  } else {
    comps = Array.from({ length: t.cn }, (_, i) => `${text}[${i}]`);
  }
  if (t.cn === 1) return `static_cast<${base}>(${comps[0]})`;
  return `fk::make_<${cudaType(t)}>(${comps.slice(0, t.cn).map(c => `static_cast<${base}>(${c})`).join(', ')})`;
}

function fkSize(dsize: string): string {
  const m = /^(?:cv::)?Size(?:2i)?[({](.+)[)}]$/.exec(dsize);
  if (m) return `fk::Size(${m[1]})`;
  return `fk::Size(${dsize}.width, ${dsize}.height)`;
}

function splitArgs(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(' || ch === '[' || ch === '{') depth++;
    if (ch === ')' || ch === ']' || ch === '}') depth--;
    if (ch === ',' && depth === 0) { out.push(cur.trim()); cur = ''; } else cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}
