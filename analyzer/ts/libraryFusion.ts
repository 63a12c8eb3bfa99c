// Library fusion for TF.js: a matMul / conv2d / depthwiseConv2d whose result is only used by a
// bias add and/or an activation becomes one tf.fused.* call (one GPU program on the WebGL and
// WebGPU backends). The matcher follows single-use values, so a kept-alive intermediate (read
// later, returned, logged) stops the chain there. Legality of the quick fix follows the library's
// own checks in tfjs-core 4.22 (ops/fused/*.ts, anchors.md section 4).

import type { Span } from '../core/text';
import type { GradientContext, TArg, TFunction, TOp } from './model';
import { ACTIVATIONS, FUSABLE_PRODUCERS } from './ops';
import { broadcastsInto } from './shapes';
import { valueName, dimsText } from './toIr';

export interface LibraryMatch {
  fn: TFunction;
  producer: TOp;
  bias?: { op: TOp; arg: TArg };
  act?: { op: TOp; name: string; alpha?: TArg; weights?: TArg };
  ops: TOp[];
  /** Value ids that stop being materialized. */
  intermediates: number[];
  /** Why a quick fix cannot be offered (empty: it can). */
  blockers: string[];
  /** The fused op falls back to unfused ops here: no speedup (gradient recording, non-linear activation). */
  noGain?: string;
  notes: string[];
  gradient?: GradientContext;
}

export interface LibraryRefusal {
  fn: TFunction;
  ops: TOp[];
  reason: string;
  blocker?: Span;
}

export function consumersOf(fn: TFunction): Map<number, TOp[]> {
  const m = new Map<number, TOp[]>();
  for (const op of fn.ops) {
    for (const v of new Set(op.inputs)) {
      const list = m.get(v) ?? [];
      list.push(op);
      m.set(v, list);
    }
  }
  return m;
}

/** Why value `v` must stay materialized after its consumer, or undefined when it need not. */
export function liveReason(fn: TFunction, v: number, consumers: Map<number, TOp[]>): string | undefined {
  const val = fn.values[v];
  const name = valueName(val);
  const cs = consumers.get(v) ?? [];
  if (cs.length > 1) return `\`${name}\` is also used by \`${cs[1].display}\``;
  if (fn.escaping.has(val.key)) return `\`${name}\` is used after the chain (returned, stored or passed to a function)`;
  const reads = fn.reads.get(val.key) ?? [];
  if (reads.length > 1) return `\`${name}\` is read again later`;
  for (const [lo, hi] of fn.loops) if (reads.some(p => p >= lo && p <= hi) && val.producer !== undefined && !(fn.ops[val.producer].pos >= lo && fn.ops[val.producer].pos <= hi)) return `\`${name}\` is read in a loop`;
  return undefined;
}

export function matchLibraryFusions(fn: TFunction): { matches: LibraryMatch[]; refusals: LibraryRefusal[] } {
  const matches: LibraryMatch[] = [];
  const refusals: LibraryRefusal[] = [];
  const consumers = consumersOf(fn);
  const single = (v: number): TOp | undefined => {
    const cs = consumers.get(v) ?? [];
    return cs.length === 1 ? cs[0] : undefined;
  };
  for (const p of fn.ops) {
    if (!FUSABLE_PRODUCERS.has(p.op) || p.inputs.length < 2) continue;
    const ops: TOp[] = [p];
    const intermediates: number[] = [];
    let cur = p.out;
    let bias: LibraryMatch['bias'];
    let act: LibraryMatch['act'];
    const tryExtend = (next: TOp | undefined, ok: (c: TOp) => boolean): TOp | undefined => {
      if (!next || next.block !== p.block || !ok(next)) return undefined;
      const why = liveReason(fn, cur, consumers);
      if (why) {
        refusals.push({ fn, ops: [...ops, next], reason: `${why}: it keeps its own GPU program and store, so \`${next.display}\` is not folded into tf.fused.${p.op}` });
        return undefined;
      }
      return next;
    };
    // a bias tensor, or a number (tf.fused takes any TensorLike bias)
    const addOp = tryExtend(single(cur), c => c.op === 'add' && c.args.length === 2 && ((c.inputs.length === 2 && c.inputs[0] !== c.inputs[1]) || (c.inputs.length === 1 && c.args.some(a => a.num !== undefined))));
    if (addOp) {
      bias = { op: addOp, arg: addOp.args.find(a => a.value !== cur)! };
      intermediates.push(cur);
      ops.push(addOp);
      cur = addOp.out;
    }
    const actOp = tryExtend(single(cur), c => !!ACTIVATIONS[c.op] && c.args[0]?.value === cur && activationArgsOk(c));
    if (actOp) {
      act = { op: actOp, name: ACTIVATIONS[actOp.op] };
      if (actOp.op === 'prelu') act.weights = actOp.args[1];
      if (actOp.op === 'leakyRelu' && actOp.args[1]) act.alpha = actOp.args[1];
      intermediates.push(cur);
      ops.push(actOp);
    }
    if (ops.length < 2) continue;
    const m: LibraryMatch = { fn, producer: p, bias, act, ops, intermediates, blockers: [], notes: [], gradient: ops[ops.length - 1].gradient ?? p.gradient };
    checkLegality(m);
    matches.push(m);
  }
  return { matches, refusals };
}

function activationArgsOk(c: TOp): boolean {
  switch (c.op) {
    case 'relu': case 'relu6': case 'elu': case 'sigmoid': return c.args.length === 1;
    case 'prelu': return c.args.length === 2 && c.args[1].value !== undefined && c.inputs.length === 2;
    case 'leakyRelu': return c.args.length <= 2 && (c.args.length === 1 || c.args[1].value === undefined);
    default: return false;
  }
}

function checkLegality(m: LibraryMatch): void {
  const { fn, producer: p, bias, act } = m;
  const V = fn.values;
  const nonLinear = !!act;
  const g = m.gradient;
  const last = m.ops[m.ops.length - 1];
  const out = V[p.out].dims;
  if (g && nonLinear) {
    if (g.kind === 'lexical') {
      m.noGain = `it runs under gradient recording (${g.via}): tf.fused.${p.op} with a non-linear activation falls back to the same unfused ops there (tfjs-core shouldFuse), so fusing gains nothing`;
      m.blockers.push(m.noGain);
    } else {
      m.notes.push(`${g.via}; while gradients are recorded tf.fused.${p.op} with activation '${act!.name}' falls back to the unfused ops (same results, no gain), so only inference gets faster`);
    }
  }
  // arguments move into one call at the position of the last op. In one expression
  // (`x.as2D(-1, k).matMul(w).add(b)`, `tf.add(tf.matMul(x, w), b)`) the producer's operands are
  // evaluated where and when they are now, first; only the later ops' operands (bias, alpha,
  // weights) come before the producer runs, so only those must be unable to change what it reads
  const oneExpression = m.ops.every((o, i) => i === 0 || (o.callSpan.start <= m.ops[i - 1].callSpan.start && m.ops[i - 1].callSpan.end <= o.callSpan.end));
  const args = [...(oneExpression ? [] : p.args), ...(bias ? [bias.arg] : []), ...(act?.alpha ? [act.alpha] : []), ...(act?.weights ? [act.weights] : [])];
  const fixed = args.find(a => !a.movable);
  if (fixed) m.blockers.push(`\`${short(fixed.text)}\` could change value before \`${last.display}\` runs (it is reassigned or calls a function we cannot see into)`);
  // statements of the intermediates are deleted
  for (const op of m.ops.slice(0, -1)) {
    const v = V[op.out];
    if (v.name.startsWith('\u0000')) {
      if (op.callSpan.start < last.callSpan.start || op.callSpan.end > last.callSpan.end) {
        if (!m.ops.some(o => o !== op && o.declOf && o.declOf.stmtSpan.start <= op.callSpan.start && op.callSpan.end <= o.declOf.stmtSpan.end)) m.blockers.push(`\`${short(op.display)}\` sits in another statement that cannot be removed`);
      }
    } else if (!op.declOf || !op.declOf.single) {
      m.blockers.push(`\`${valueName(v)}\` is assigned in a statement that does more than declare it (or is reassigned)`);
    }
  }
  if (!last.fusedRef && !last.fusedFree) m.blockers.push('the name `fused` is taken here');
  // library limits
  const pArgs = p.args.slice(2);
  if (p.op === 'matMul') {
    if (pArgs.some(a => a.value !== undefined)) m.blockers.push('matMul has unexpected tensor arguments');
    if (bias) biasCheck(m, bias.arg, out, false);
  } else {
    if (pArgs.length < 2) m.blockers.push(`${p.op} needs its strides and pad arguments`);
    const dataFormat = pArgs[2]?.str ?? (pArgs[2] ? undefined : 'NHWC');
    if (pArgs[2] && dataFormat === undefined) m.blockers.push('the data format is not a string literal');
    if (dataFormat === 'NCHW') {
      if (p.op === 'depthwiseConv2d') m.blockers.push('tf.fused.depthwiseConv2d supports only NHWC (tfjs-core 4.22 checks the channel count on dimension 3)');
      if (bias) {
        const bd = bias.arg.value === undefined ? [] : V[bias.arg.value].dims;
        if (!bd || bd.reduce((a, b) => a * b, 1) !== 1) m.blockers.push('with NCHW, `add` broadcasts the bias along the last axis (width) but tf.fused.conv2d adds it per channel: equivalent only for a scalar bias');
      }
      if (act?.weights) m.blockers.push('with NCHW, `prelu` broadcasts its weights along the last axis but tf.fused.conv2d applies them per channel');
      if (g) m.blockers.push(`under gradient recording (${g.via}) tf.fused.conv2d supports only NHWC`);
    } else if (bias) biasCheck(m, bias.arg, out, true);
    if (p.op === 'depthwiseConv2d' && pArgs[1] && pArgs[1].str === undefined && pArgs[1].num === undefined) m.blockers.push('tf.fused.depthwiseConv2d takes pad as \'valid\', \'same\' or a number only');
    if (act?.weights && p.op === 'conv2d') {
      const wd = V[act.weights.value!].dims;
      if (wd && wd.length === 2) m.blockers.push('tf.fused.conv2d takes PReLU weights of rank 0, 1 or 3 only');
    }
  }
}

function biasCheck(m: LibraryMatch, arg: TArg, out: number[] | undefined, conv: boolean): void {
  if (arg.value === undefined) return; // a number: a scalar bias
  const b = m.fn.values[arg.value];
  if (b.dims && out) {
    if (!broadcastsInto(b.dims, out)) m.blockers.push(`the bias ${dimsText(b.dims)} does not broadcast into the ${conv ? 'conv2d' : 'matMul'} output ${dimsText(out)} without growing it`);
    else if (!conv && b.dims.length >= 3 && out.length >= 4) m.blockers.push('tf.fused.matMul reshapes batched inputs to rank 3 before adding a bias of rank 3 or more');
    return;
  }
  const rank = b.dims?.length ?? b.rank;
  if (rank === undefined || rank < 0) {
    m.blockers.push(`the shape of the bias \`${valueName(b)}\` is unknown: tf.fused.${m.producer.op} needs a bias that broadcasts into the output (give it a type such as \`tf.Tensor1D\`, create it with a literal shape, or annotate \`// fusion-lens: ${valueName(b)}=[n]\`)`);
  } else if (rank >= 3 && !conv) {
    m.blockers.push('tf.fused.matMul reshapes batched inputs to rank 3 before adding a bias of rank 3 or more');
  }
}

function short(s: string): string {
  const t = s.replace(/\s+/g, ' ');
  return t.length > 40 ? t.slice(0, 39) + '…' : t;
}
