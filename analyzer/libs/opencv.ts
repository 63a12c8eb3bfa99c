// OpenCV CUDA pipelines: recognises cv::cuda::resize / cvtColor / add / subtract / multiply / divide
// / split and GpuMat::convertTo calls, follows each call's output into the next call in the same
// block (same stream, nothing in between touching the data), and works out sizes and types where
// the code says them. Each such chain runs one kernel per call in OpenCV; cvGPUSpeedup and FKL run
// it as one kernel (rewrite/cvgs.ts, rewrite/fkl.ts).

import type { CudaProgram } from '../cuda/frontend';
import { evalText } from '../cuda/constEval';
import type { Span } from '../core/text';
import type { LibraryFacts } from './libraryFacts';
import { allBlocks, localLookup, mentionsOutside, type Arg, type CallItem, type HostFunction, type HostItem, type LoopItem } from './hostCalls';
import { colorChannels, colorCodeName, parseCvType, type CvType } from './cvTypes';

export type CvOpKind = 'resize' | 'cvtColor' | 'convertTo' | 'add' | 'subtract' | 'multiply' | 'divide' | 'split';

export interface CvOp {
  kind: CvOpKind;
  call: CallItem;
  /** Source expression as written (`src`, `frame(roi)`) and the GpuMat variable it reads. */
  src: string;
  srcVar: string;
  /** Output variable (for split: the vector of planes). */
  dst: string;
  /** Stream argument as written; undefined for the default stream. */
  stream?: string;
  dsize?: Arg;
  fx?: string;
  fy?: string;
  interp?: string;
  code?: string;
  dcn?: string;
  /** convertTo target: a type, `same` (rtype -1) or undefined when not understood. */
  rtype?: CvType | 'same';
  rtypeText?: string;
  alpha?: string;
  beta?: string;
  operand?: { kind: 'scalar' | 'mat' | 'unknown'; text: string };
  /** Why the libraries cannot mirror this call as written (mask, scale, dtype...). */
  unsupported?: string;
}

export interface ImageInfo {
  type?: CvType;
  typeFrom?: string;
  width?: number;
  height?: number;
  sizeFrom?: string;
}

export interface CvChain {
  fn: HostFunction;
  ops: CvOp[];
  /** Items between the first and last op that are not ops (kept in place). */
  between: HostItem[];
  /** Enclosing loop when the chain is in a loop body. */
  loop?: LoopItem;
  /** Intermediates (outputs of all ops but the last) with where else they are used. */
  intermediates: Array<{ name: string; local: boolean; usedAt?: Span }>;
  input: ImageInfo;
  /** Output size of the resize (or input size) when known. */
  outSize?: { width: number; height: number; from: string };
}

const CV_FUNCS = new Set(['resize', 'cvtColor', 'add', 'subtract', 'multiply', 'divide', 'split']);

export function findCvChains(program: CudaProgram, functions: HostFunction[], facts: LibraryFacts): CvChain[] {
  if (!facts.opencv) return [];
  const ns = { cv: facts.usingCv, cvcuda: facts.usingCvCuda };
  const out: CvChain[] = [];
  for (const f of functions) {
    for (const block of allBlocks(f.items)) {
      for (const c of chainsInBlock(f, block.items, ns, program)) {
        c.loop = block.loop;
        out.push(c);
      }
    }
  }
  return out;
}

/** The OpenCV CUDA function a callee names, accounting for `using namespace`. */
function cvFunction(callee: string, ns: { cv: boolean; cvcuda: boolean }): string | undefined {
  let m = /^(?:::)?cv::cuda::(\w+)$/.exec(callee);
  if (!m && ns.cv) m = /^cuda::(\w+)$/.exec(callee);
  if (!m && ns.cvcuda) m = /^(\w+)$/.exec(callee);
  return m && CV_FUNCS.has(m[1]) ? m[1] : undefined;
}

function isGpuMatType(type: string | undefined): boolean {
  return !!type && /(^|::|\s)GpuMat\b/.test(type) && !/vector|array/.test(type);
}

function isStreamType(type: string | undefined): boolean {
  return !!type && /(^|::|\s)Stream\b/.test(type) && !/fk::/.test(type);
}

function isScalarType(type: string | undefined): boolean {
  return !!type && /(^|::|\s)Scalar(_<\w+>)?\b/.test(type);
}

function varOf(text: string): string | undefined {
  const m = /^([A-Za-z_]\w*)(?:\(.*\))?$/.exec(text);
  return m?.[1];
}

/** Parses one call as an OpenCV CUDA op, or undefined when it is not one. */
export function parseCvOp(f: HostFunction, c: CallItem, ns: { cv: boolean; cvcuda: boolean }): CvOp | undefined {
  const isStream = (a: Arg | undefined) => !!a && (/Stream::Null\(\)$/.test(a.text) || isStreamType(f.types.get(a.text)?.type));
  const nullStream = (a: Arg | undefined) => !a || /^(cv::)?(cuda::)?Stream::Null\(\)$/.test(a.text);
  const streamOf = (a: Arg | undefined) => (nullStream(a) ? undefined : a!.text);
  if (c.method === 'convertTo' && c.receiver) {
    const a = c.args;
    if (a.length < 2 || a.length > 5) return undefined;
    const op: CvOp = { kind: 'convertTo', call: c, src: c.receiver, srcVar: varOf(c.receiver) ?? c.receiver, dst: a[0].text, rtypeText: a[1].text };
    const t = a[1].text === '-1' ? 'same' : parseCvType(a[1].text);
    op.rtype = t;
    const rest = a.slice(2);
    if (rest.length && isStream(rest[rest.length - 1])) op.stream = streamOf(rest.pop());
    else if (rest.length === 3) return { ...op, unsupported: `cannot tell which argument of \`${c.callee}(...)\` is the stream` };
    if (rest.length >= 1) op.alpha = rest[0].text;
    if (rest.length >= 2) op.beta = rest[1].text;
    if (!t) op.unsupported = `convertTo target type \`${a[1].text}\` is not a literal CV_ type`;
    return op;
  }
  const fn = cvFunction(c.callee, ns);
  if (!fn || c.method) return undefined;
  const a = c.args;
  const srcOf = (x: Arg) => ({ src: x.text, srcVar: varOf(x.text) ?? x.text });
  switch (fn) {
    case 'resize': {
      if (a.length < 3 || a.length > 7) return undefined;
      const op: CvOp = { kind: 'resize', call: c, ...srcOf(a[0]), dst: a[1].text, dsize: a[2], fx: a[3]?.text ?? '0', fy: a[4]?.text ?? '0', interp: a[5]?.text ?? 'cv::INTER_LINEAR', stream: streamOf(a[6]) };
      return op;
    }
    case 'cvtColor': {
      if (a.length < 3 || a.length > 5) return undefined;
      const op: CvOp = { kind: 'cvtColor', call: c, ...srcOf(a[0]), dst: a[1].text, code: a[2].text, dcn: a[3]?.text ?? '0', stream: streamOf(a[4]) };
      return op;
    }
    case 'split': {
      if (a.length < 2 || a.length > 3) return undefined;
      return { kind: 'split', call: c, ...srcOf(a[0]), dst: a[1].text, stream: streamOf(a[2]) };
    }
    default: {
      // add/subtract(src1, src2, dst, mask, dtype, stream); multiply/divide(src1, src2, dst, scale, dtype, stream)
      if (a.length < 3 || a.length > 6) return undefined;
      const kind = fn as 'add' | 'subtract' | 'multiply' | 'divide';
      const op: CvOp = { kind, call: c, ...srcOf(a[0]), dst: a[2].text, stream: streamOf(a[5]), operand: operandKind(f, a[1]) };
      const fourth = a[3]?.text;
      if (kind === 'add' || kind === 'subtract') {
        if (fourth && !/^(cv::)?noArray\(\)$/.test(fourth)) op.unsupported = `\`${fn}\` with a mask (\`${fourth}\`)`;
      } else if (fourth && !/^1(\.0*)?f?$/.test(fourth)) op.unsupported = `\`${fn}\` with a scale factor (\`${fourth}\`): cvGPUSpeedup does not mirror OpenCV's scale argument`;
      if (a[4] && a[4].text !== '-1') op.unsupported ??= `\`${fn}\` with an explicit output depth (\`${a[4].text}\`)`;
      if (a[1] && isGpuMatVar(f, a[0].text) === false && isGpuMatVar(f, a[1].text)) {
        // scalar first: divide(scale, src, dst) style; not a pipeline step we mirror
        return { ...op, ...srcOf(a[1]), operand: { kind: 'unknown', text: a[0].text }, unsupported: `\`${fn}\` with the image as second operand` };
      }
      return op;
    }
  }
}

function isGpuMatVar(f: HostFunction, text: string): boolean | undefined {
  const v = varOf(text);
  if (!v) return undefined;
  const d = f.types.get(v);
  if (!d) return undefined;
  return isGpuMatType(d.type);
}

function operandKind(f: HostFunction, a: Arg): CvOp['operand'] {
  const t = a.text;
  if (/^(cv::)?Scalar(_<\w+>)?(::all)?\(.*\)$/.test(t) || /^-?[\d.]+(e-?\d+)?f?$/i.test(t)) return { kind: 'scalar', text: t };
  const v = varOf(t);
  const d = v ? f.types.get(v) : undefined;
  if (d && isScalarType(d.type) && v === t) return { kind: 'scalar', text: t };
  if (d && isGpuMatType(d.type)) return { kind: 'mat', text: t };
  return { kind: 'unknown', text: t };
}

/** Splits a block into chains: each op reads what the previous one wrote, on the same stream. */
function chainsInBlock(f: HostFunction, items: HostItem[], ns: { cv: boolean; cvcuda: boolean }, program: CudaProgram): CvChain[] {
  const chains: CvChain[] = [];
  let ops: CvOp[] = [];
  let between: HostItem[] = [];
  let pending: HostItem[] = [];
  let vars = new Set<string>();
  const close = () => {
    if (ops.length >= 2) chains.push(finishChain(f, ops, between, program));
    ops = [];
    between = [];
    pending = [];
    vars = new Set();
  };
  for (const it of items) {
    const op = it.kind === 'call' ? parseCvOp(f, it, ns) : undefined;
    if (op) {
      const last = ops[ops.length - 1];
      const continues = last && last.kind !== 'split' && op.srcVar === last.dst && op.src === last.dst && op.stream === last.stream;
      if (!continues) {
        close();
      } else {
        between.push(...pending);
        pending = [];
      }
      ops.push(op);
      for (const a of op.call.idents) vars.add(a);
      continue;
    }
    if (!ops.length) continue;
    // a statement that mentions anything the chain reads or writes ends it
    if ([...it.idents].some(x => vars.has(x))) close();
    else pending.push(it);
  }
  close();
  return chains;
}

function finishChain(f: HostFunction, ops: CvOp[], between: HostItem[], program: CudaProgram): CvChain {
  const opRanges: Array<[number, number]> = ops.map(o => [o.call.first, o.call.last]);
  const intermediates: CvChain['intermediates'] = [];
  const seen = new Set<string>();
  for (const o of ops.slice(0, -1)) {
    if (seen.has(o.dst) || o.dst === ops[ops.length - 1].dst) continue;
    seen.add(o.dst);
    const d = f.types.get(o.dst);
    const local = !!d && !d.param && isGpuMatType(d.type);
    const ranges = d ? [...opRanges, [d.declTok, d.declTok] as [number, number]] : opRanges;
    const others = mentionsOutside(f, o.dst, ranges);
    const t = program.tokens;
    intermediates.push({ name: o.dst, local, usedAt: others.length ? { start: t.starts[others[0]], end: t.ends[others[0]] } : undefined });
  }
  const input = imageInfo(f, ops[0], program);
  const chain: CvChain = { fn: f, ops, between, intermediates, input };
  const r = ops[0].kind === 'resize' ? sizeOf(f, ops[0].dsize!.text, program) : undefined;
  if (r) chain.outSize = r;
  return chain;
}

/** Type and size of the chain's input image, from declarations, create/upload calls, CV_Assert, annotations. */
export function imageInfo(f: HostFunction, first: CvOp, program: CudaProgram): ImageInfo {
  const info: ImageInfo = {};
  const v = first.srcVar;
  const rv = v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'); // srcVar may be an expression
  const d = f.types.get(v);
  const lookup = localLookup(f, program.constLookup);
  const setSize = (w: string, h: string, from: string) => {
    const wv = evalText(w, lookup);
    const hv = evalText(h, lookup);
    if (wv !== undefined && hv !== undefined && info.width === undefined) Object.assign(info, { width: wv, height: hv, sizeFrom: from });
  };
  const fromCtor = (args: Arg[] | undefined, from: string) => {
    if (!args) return;
    if (args.length >= 3) {
      const t = parseCvType(args[2].text);
      if (t && !info.type) Object.assign(info, { type: t, typeFrom: from });
      setSize(args[1].text, args[0].text, from);
    } else if (args.length === 2) {
      const t = parseCvType(args[1].text);
      if (t && !info.type) Object.assign(info, { type: t, typeFrom: from });
      const s = sizeOf(f, args[0].text, program);
      if (s && info.width === undefined) Object.assign(info, { width: s.width, height: s.height, sizeFrom: from });
    }
  };
  if (d) fromCtor(d.ctorArgs, `the declaration of \`${v}\``);
  const t = program.tokens;
  const src = program.text;
  const body = src.slice(t.starts[f.fn.bodyOpen], t.ends[Math.max(f.fn.bodyOpen, f.fn.bodyClose)]);
  // v.create(rows, cols, type) / v.create(size, type)
  const create = new RegExp(`\\b${rv}\\s*\\.\\s*create\\s*\\(([^;]*)\\)\\s*;`).exec(body);
  if (create) fromCtor(create[1].split(',').map(s => ({ text: s.trim(), tokens: [0, 0], span: { start: 0, end: 0 } })), `\`${v}.create(...)\``);
  // CV_Assert(v.type() == CV_8UC3)
  const asserted = new RegExp(`CV_Assert\\s*\\(\\s*${rv}\\s*\\.\\s*type\\s*\\(\\s*\\)\\s*==\\s*(\\w+)`).exec(body);
  if (asserted && !info.type) {
    const at = parseCvType(asserted[1]);
    if (at) Object.assign(info, { type: at, typeFrom: `\`CV_Assert(${v}.type() == ${asserted[1]})\`` });
  }
  // v.upload(m) with cv::Mat m(rows, cols, type)
  const upload = new RegExp(`\\b${rv}\\s*\\.\\s*upload\\s*\\(\\s*(\\w+)`).exec(body);
  if (upload) {
    const m = f.types.get(upload[1]);
    if (m?.ctorArgs) fromCtor(m.ctorArgs, `the host image \`${upload[1]}\``);
    else if (m?.init && /imread\(/.test(m.init.text) && !info.type) {
      const gray = /IMREAD_GRAYSCALE/.test(m.init.text);
      Object.assign(info, { type: { depth: '8U', cn: gray ? 1 : 3 }, typeFrom: `\`cv::imread\` (${gray ? 'grayscale' : 'colour'})` });
    }
  }
  // ROI: src(rect)
  const roi = /^\w+\((.+)\)$/.exec(first.src);
  if (roi) {
    info.width = undefined;
    info.height = undefined;
    const r = rectSize(f, roi[1], program);
    if (r) Object.assign(info, { width: r.width, height: r.height, sizeFrom: `the ROI \`${roi[1]}\`` });
  }
  const ann = program.annotations.values;
  if (info.width === undefined) {
    const w = ann.get(`${v}.width`) ?? ann.get('width');
    const h = ann.get(`${v}.height`) ?? ann.get('height');
    if (w !== undefined && h !== undefined) Object.assign(info, { width: w, height: h, sizeFrom: 'a `fusion-lens:` annotation' });
  }
  return info;
}

/** Width and height of a cv::Size expression or variable. */
export function sizeOf(f: HostFunction, text: string, program: CudaProgram, depth = 0): { width: number; height: number; from: string } | undefined {
  const lookup = localLookup(f, program.constLookup);
  const m = /^(?:cv::)?Size(?:2i)?[({](.+),(.+)[)}]$/.exec(text);
  if (m) {
    const w = evalText(m[1], lookup);
    const h = evalText(m[2], lookup);
    return w !== undefined && h !== undefined ? { width: w, height: h, from: `\`${text}\`` } : undefined;
  }
  const d = /^\w+$/.test(text) && depth < 3 ? f.types.get(text) : undefined;
  if (!d) return undefined;
  if (d.ctorArgs?.length === 2) {
    const w = evalText(d.ctorArgs[0].text, lookup);
    const h = evalText(d.ctorArgs[1].text, lookup);
    if (w !== undefined && h !== undefined) return { width: w, height: h, from: `\`${text}\`` };
  }
  if (d.init) return sizeOf(f, d.init.text, program, depth + 1);
  return undefined;
}

function rectSize(f: HostFunction, text: string, program: CudaProgram): { width: number; height: number } | undefined {
  const lookup = localLookup(f, program.constLookup);
  const m = /^(?:cv::)?Rect(?:2d|2i)?[({](.+),(.+),(.+),(.+)[)}]$/.exec(text);
  if (m) {
    const w = evalText(m[3], lookup);
    const h = evalText(m[4], lookup);
    return w !== undefined && h !== undefined ? { width: w, height: h } : undefined;
  }
  const d = /^\w+$/.test(text) ? f.types.get(text) : undefined;
  if (d?.ctorArgs?.length === 4) return rectSize(f, `cv::Rect(${d.ctorArgs.map(a => a.text).join(',')})`, program);
  if (d?.init) return rectSize(f, d.init.text, program);
  return undefined;
}

/** OpenCV's output type of an op given its input type (what OpenCV computes, not the libraries). */
export function opencvOutType(op: CvOp, t: CvType | undefined): CvType | undefined {
  if (!t) return undefined;
  switch (op.kind) {
    case 'resize': case 'add': case 'subtract': case 'multiply': case 'divide': return t;
    case 'convertTo': return op.rtype === 'same' ? t : op.rtype ? { depth: op.rtype.depth, cn: t.cn } : undefined;
    case 'cvtColor': {
      const code = op.code ? colorCodeName(op.code) : undefined;
      const ch = code ? colorChannels(code) : undefined;
      return ch ? { depth: t.depth, cn: ch[1] } : undefined;
    }
    case 'split': return { depth: t.depth, cn: 1 };
  }
}
