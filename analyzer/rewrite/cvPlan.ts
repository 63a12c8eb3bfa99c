// Legality and typing of an OpenCV CUDA chain as one cvGPUSpeedup / FKL kernel (fkl.md section 6):
// the chain is read -> (resize) -> pointwise ops -> write/split; resize is the read step and outputs
// float; adjacent types match exactly; only the colour codes and interpolation the libraries have;
// only scalar operands. Every call that stops the rewrite is named with its reason.

import type { CvChain, CvOp } from '../libs/opencv';
import { opencvOutType } from '../libs/opencv';
import { colorChannels, colorCodeName, cvTypeName, isFloat, SUPPORTED_COLOR_CODES, type CvType } from '../libs/cvTypes';

export type LibStep =
  | { k: 'resize'; op: CvOp; in: CvType; out: CvType; dsize: string; fx: string; fy: string }
  | { k: 'cvtColor'; op: CvOp; code: string; in: CvType; out: CvType }
  | { k: 'convert'; op: CvOp; in: CvType; out: CvType; alpha?: string; beta?: string }
  | { k: 'scale'; op: CvOp; type: CvType; alpha?: string; beta?: string }
  | { k: 'arith'; op: CvOp; fn: 'add' | 'subtract' | 'multiply' | 'divide'; type: CvType; operand: string };

export interface CvPlanOk {
  ok: true;
  input: CvType;
  /** Source expression of the read (`src`, `frame(roi)`). */
  src: string;
  steps: LibStep[];
  /** The last op's output: an image or the planes of a split. */
  output: { kind: 'write' | 'split'; name: string; type: CvType; size: string };
  stream?: string;
  /** Facts the generated comment and the finding mention (convertTo became a multiply...). */
  notes: string[];
}

export interface CvPlanFail {
  ok: false;
  reason: string;
  /** The calls that block the rewrite, each with why. */
  blockers: Array<{ op?: CvOp; reason: string }>;
}

export type CvPlan = CvPlanOk | CvPlanFail;

const INTER_LINEAR = /^(cv::)?(InterpolationFlags::)?INTER_LINEAR$|^1$/;

export function planCvChain(chain: CvChain): CvPlan {
  const blockers: CvPlanFail['blockers'] = [];
  const ops = chain.ops;
  const input = chain.input.type;
  if (!input) blockers.push({ reason: `the type of \`${ops[0].srcVar}\` is not known in the code (declare it with a CV_ type, call \`${ops[0].srcVar}.create(...)\`, or add \`CV_Assert(${ops[0].srcVar}.type() == CV_8UC3)\`)` });
  for (const i of chain.intermediates) {
    if (!i.local) blockers.push({ reason: `\`${i.name}\` is not a local GpuMat of this function: the caller may read it, and a fused kernel has one output` });
    else if (i.usedAt) blockers.push({ reason: `\`${i.name}\` is used outside the chain: a fused kernel has one output, so it would never be written` });
  }
  const last = ops[ops.length - 1];
  if (ops.some(o => o.kind === 'resize') && last.dst === ops[0].srcVar) blockers.push({ op: last, reason: `the chain writes its own input \`${last.dst}\` after resizing it` });

  const steps: LibStep[] = [];
  const notes: string[] = [];
  let cv: CvType | undefined = input; // what OpenCV computes at this point
  let lib: CvType | undefined = input; // what the fused chain carries at this point
  for (let idx = 0; idx < ops.length; idx++) {
    const op = ops[idx];
    const name = opName(op);
    const cvOut = opencvOutType(op, cv);
    if (op.unsupported) blockers.push({ op, reason: op.unsupported });
    if (op.kind === 'resize') {
      if (idx > 0) blockers.push({ op, reason: `\`${name}\` is not the first call: FKL's resize is the read step of the fused kernel` });
      if (!INTER_LINEAR.test(op.interp ?? '')) blockers.push({ op, reason: `\`${name}\` uses \`${op.interp}\`: cvGPUSpeedup and FKL only implement INTER_LINEAR` });
      if (/^(cv::)?Size\(\s*\)$/.test(op.dsize!.text)) blockers.push({ op, reason: `\`${name}\` computes its size from fx/fy: pass the output size` });
      if (lib) {
        const out: CvType = { depth: '32F', cn: lib.cn };
        steps.push({ k: 'resize', op, in: lib, out, dsize: op.dsize!.text, fx: op.fx ?? '0', fy: op.fy ?? '0' });
        if (!isFloat(lib)) notes.push(`resize is the read step and outputs float (${cvTypeName(out)}), so the 8-bit resized image OpenCV rounds is never formed: values differ from OpenCV's by that rounding`);
        lib = out;
      }
    } else if (op.kind === 'cvtColor') {
      const code = op.code ? colorCodeName(op.code) : undefined;
      if (!code || !SUPPORTED_COLOR_CODES[code]) blockers.push({ op, reason: `\`${name}\` with \`${op.code}\`: cvGPUSpeedup and FKL only convert between BGR/RGB/BGRA/RGBA and to GRAY` });
      else if (lib) {
        const [cin, cout] = SUPPORTED_COLOR_CODES[code];
        if (lib.cn !== cin) blockers.push({ op, reason: `\`${name}\` expects ${cin} channels, the image has ${lib.cn}` });
        if (!['8U', '16U', '32F'].includes(lib.depth)) blockers.push({ op, reason: `\`${name}\` on ${cvTypeName(lib)}: the libraries convert colours of 8U, 16U and 32F data only` });
        if (op.dcn && op.dcn !== '0' && Number(op.dcn) !== cout) blockers.push({ op, reason: `\`${name}\` asks for ${op.dcn} output channels` });
        // checked in the headers: the libraries' opaque alpha is the 8-bit maximum (ColorDepth::p8bit, 255)
        // unless told otherwise, and their gray is float 0.299/0.587/0.114 rounded, not OpenCV's fixed point
        if (cout === 4 && cin === 3 && lib.depth !== '8U') blockers.push({ op, reason: `\`${name}\` adds an alpha channel to ${cvTypeName(lib)} data: cvGPUSpeedup/FKL write 255 (8-bit opaque) where OpenCV writes ${lib.depth === '32F' ? '1.0' : 'the depth maximum'}` });
        if (cout === 1 && !isFloat(lib)) blockers.push({ op, reason: `\`${name}\` on ${cvTypeName(lib)} data: OpenCV's integer gray conversion uses fixed-point weights and may differ by one from the libraries' rounded float formula` });
        const out: CvType = { depth: lib.depth, cn: cout };
        steps.push({ k: 'cvtColor', op, code, in: lib, out });
        lib = out;
      }
    } else if (op.kind === 'convertTo') {
      if (lib && cv && op.rtype) {
        const target: CvType = op.rtype === 'same' ? cv : { depth: op.rtype.depth, cn: cv.cn };
        if (lib.depth !== cv.depth) {
          // after a resize the chain already carries float
          if (target.depth !== lib.depth) blockers.push({ op, reason: `\`${name}\` converts to ${cvTypeName(target)} after a resize: FKL's resize outputs float and a narrowing cast's rounding was not checked` });
          else {
            const alpha = isOne(op.alpha) ? undefined : op.alpha;
            const beta = isZero(op.beta) ? undefined : op.beta;
            steps.push({ k: 'scale', op, type: lib, alpha, beta });
            if (alpha || beta) notes.push(`\`${name}\` becomes ${alpha ? `a multiply by \`${alpha}\`` : ''}${alpha && beta ? ' and ' : ''}${beta ? `an add of \`${beta}\`` : ''} (the data is already float after the resize)`);
            else notes.push(`\`${name}\` disappears: the data is already ${cvTypeName(lib)} after the resize`);
          }
        } else {
          const out: CvType = { depth: target.depth, cn: lib.cn };
          steps.push({ k: 'convert', op, in: lib, out, alpha: isOne(op.alpha) && isZero(op.beta) ? undefined : op.alpha ?? '1', beta: isZero(op.beta) ? undefined : op.beta });
          lib = out;
        }
      }
    } else if (op.kind === 'split') {
      if (idx !== ops.length - 1) blockers.push({ op, reason: `\`${name}\` is not the last call` });
      if (!isPlaneVector(chain, op.dst)) blockers.push({ op, reason: `\`${name}\` writes to \`${op.dst}\`, which is not a std::vector<cv::cuda::GpuMat> (cvGS::split and FKL's SplitWrite take a vector)` });
      if (lib && lib.cn < 2) blockers.push({ op, reason: `\`${name}\` of a one-channel image` });
    } else {
      const fn = op.kind;
      if (op.operand?.kind === 'mat') blockers.push({ op, reason: `\`${name}\` has an image operand (\`${op.operand.text}\`): cvGPUSpeedup has no image–image operation` });
      else if (op.operand?.kind === 'unknown') blockers.push({ op, reason: `\`${name}\`: cannot tell whether \`${op.operand.text}\` is a scalar or an image` });
      else if (lib && cv) {
        if (!isFloat(cv)) blockers.push({ op, reason: `\`${name}\` on ${cvTypeName(cv)} data: OpenCV saturates integer arithmetic, the fused ${cvTypeName(lib)} arithmetic would not (convert to CV_32F first)` });
        else if (lib.depth !== cv.depth) blockers.push({ op, reason: `\`${name}\`: the fused chain carries ${cvTypeName(lib)} where OpenCV computes in ${cvTypeName(cv)}` });
        let operand = op.operand!.text;
        if (/^-?[\d.]+(e-?\d+)?f?$/i.test(operand)) {
          if (lib.cn > 1) blockers.push({ op, reason: `\`${name}\` with the plain number \`${operand}\` on a ${lib.cn}-channel image: OpenCV reads it as Scalar(${operand}, 0, 0, 0); write cv::Scalar::all(${operand}) if every channel was meant` });
          operand = `cv::Scalar(${operand})`;
        }
        steps.push({ k: 'arith', op, fn, type: lib, operand });
      }
    }
    cv = cvOut;
  }
  // the output must have the type OpenCV gives it
  if (last.kind !== 'split' && lib && cv && (lib.depth !== cv.depth || lib.cn !== cv.cn)) {
    blockers.push({ op: last, reason: `the chain ends in ${cvTypeName(cv)} in OpenCV but ${cvTypeName(lib)} once fused (FKL's resize outputs float; a final narrowing cast's rounding was not checked)` });
  }
  if (blockers.length || !input || !lib) {
    return { ok: false, reason: blockers.map(b => b.reason).join('; ') || 'the chain could not be typed', blockers };
  }
  const size = ops[0].kind === 'resize' ? ops[0].dsize!.text : `${ops[0].src}.size()`;
  return {
    ok: true,
    input,
    src: ops[0].src,
    steps,
    output: { kind: last.kind === 'split' ? 'split' : 'write', name: last.dst, type: lib, size },
    stream: ops[0].stream,
    notes,
  };
}

export function opName(op: CvOp): string {
  return op.kind === 'convertTo' ? `${op.src}.convertTo` : op.call.callee;
}

function isOne(x: string | undefined): boolean {
  return x === undefined || /^1(\.0*)?f?$/.test(x);
}

function isZero(x: string | undefined): boolean {
  return x === undefined || /^0(\.0*)?f?$/.test(x);
}

export { colorChannels };

/** `planes` declared std::vector<cv::cuda::GpuMat>, or `planes[i]` of a vector/array of such vectors. */
export function isPlaneVector(chain: CvChain, dst: string): boolean {
  const VEC = /^(const)?std::vector<(cv::)?(cuda::)?GpuMat>&?$/;
  const plain = /^\w+$/.test(dst) ? chain.fn.types.get(dst) : undefined;
  if (plain) return VEC.test(plain.type.replace(/\s+/g, ''));
  const m = /^(\w+)\[(.+)\]$/.exec(dst);
  const d = m ? chain.fn.types.get(m[1]) : undefined;
  return !!d && /^(const)?std::(vector|array)<std::vector<(cv::)?(cuda::)?GpuMat>(,[^>]+)?>&?$/.test(d.type.replace(/\s+/g, ''));
}
