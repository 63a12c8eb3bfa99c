// Fused Thrust forms of a transform feeding another algorithm:
//   transform + reduce          -> transform_reduce            (binary transform + reduce -> inner_product)
//   transform + inclusive_scan  -> transform_inclusive_scan
//   transform + exclusive_scan  -> transform_exclusive_scan
//   transform + count_if / inner_product / transform -> the consumer over make_transform_iterator
// Offered only when the intermediate is a local device_vector read by nothing else, both calls use
// the same execution policy, the consumer reads exactly the elements the transform wrote, and the
// functor's result type is the intermediate's element type (so no conversion is skipped).

import type { Span } from '../core/text';
import type { CudaProgram } from '../cuda/frontend';
import { includeInsertOffset, indentAt, lineSpan } from '../libs/hostCalls';
import { isDeviceVector, iterBase, rangeLen, tempUses, vectorElemType, type ThrustPair } from '../libs/thrust';

export interface ThrustPlan {
  ok: boolean;
  reason?: string;
  /** Name of the fused form (for messages). */
  form: string;
  edits?: Array<{ span: Span; newText: string }>;
  /** The intermediate keeps being written (used later): what fusing can still save is less. */
  tempLive: boolean;
}

const INCLUDES: Record<string, string> = {
  transform_reduce: '#include <thrust/transform_reduce.h>',
  inner_product: '#include <thrust/inner_product.h>',
  scan: '#include <thrust/transform_scan.h>',
  iterator: '#include <thrust/iterator/transform_iterator.h>',
  functional: '#include <thrust/functional.h>',
};

export function planThrust(program: CudaProgram, p: ThrustPair): ThrustPlan {
  const { producer: pr, consumer: co, temp } = p;
  const form = fusedForm(p);
  const fail = (reason: string, tempLive = false): ThrustPlan => ({ ok: false, reason, form, tempLive });
  const uses = tempUses(p);
  const overwrites = consumerOverwritesTemp(p);
  const after = uses.filter(u => u > co.call.last);
  const elsewhere = uses.filter(u => u <= co.call.last || !overwrites);
  const tempLive = elsewhere.length > 0;
  const t = program.tokens;
  const where = (tok: number) => `line ${lineOf(program.text, t.starts[tok])}`;
  if (!isDeviceVector(p.fn, temp) || p.fn.types.get(temp)!.param) return fail(`\`${temp}\` is not a local thrust::device_vector: the caller may read it`, true);
  if (elsewhere.length) return fail(`\`${temp}\` is also used at ${where(elsewhere[0])}: the fused form never writes it`, true);
  if ((pr.policy ?? '') !== (co.policy ?? '')) return fail(`the two calls use different execution policies (\`${pr.policy ?? 'none'}\` and \`${co.policy ?? 'none'}\`)`);
  if (pr.policy && /thrust::(host|seq)\b/.test(pr.policy)) return fail('the calls run on the host');
  const et = vectorElemType(p.fn, temp);
  if (!et) return fail(`the element type of \`${temp}\` is not known`);
  const [a0, a1] = [pr.args[0].text, pr.args[1].text];
  const f = pr.args[pr.args.length - 1].text;
  const ret = functorResult(program, p, f);
  if (!ret) return fail(`cannot tell what \`${f}\` returns: the fused form would skip the conversion to \`${et}\``);
  if (ret !== et) return fail(`\`${f}\` returns \`${ret}\` but \`${temp}\` holds \`${et}\`: the fused form would skip that conversion`);
  // the consumer must read exactly the elements the transform wrote
  const lenP = rangeLen(p.fn, a0, a1);
  const tempArgIdx = co.args.findIndex(a => iterBase(a.text)?.base === temp);
  const pol = pr.policy ? `${pr.policy}, ` : '';
  const needs: string[] = [];
  let call: string | undefined;
  const twoInputs = co.fn === 'inner_product' || (co.fn === 'transform' && co.args.length === 5);
  if (tempArgIdx !== 0 && !(twoInputs && tempArgIdx === 2)) return fail(`\`${temp}\` is not an input range of \`${co.call.callee}\``);
  if (iterBase(co.args[tempArgIdx].text)?.end) return fail(`\`${co.call.callee}\` does not start reading at \`${temp}.begin()\``);
  const coLen = rangeLen(p.fn, co.args[0].text, co.args[1].text);
  if (!lenP || !coLen || lenP !== coLen) return fail(`cannot prove that \`${co.call.callee}\` reads exactly the elements \`${pr.call.callee}\` wrote to \`${temp}\``);
  const rest = co.args.slice(2);
  if (p.binary) {
    if (co.fn !== 'reduce') return fail(`a two-input transform feeding \`${co.call.callee}\` needs a zip iterator; only transform + reduce (inner_product) is rewritten`);
    const b0 = pr.args[2].text;
    const init = rest[0]?.text ?? `${et}()`;
    const op = rest[1]?.text ?? `thrust::plus<${et}>()`;
    if (!rest[1]) needs.push(INCLUDES.functional);
    needs.push(INCLUDES.inner_product);
    call = `thrust::inner_product(${pol}${a0}, ${a1}, ${b0}, ${init}, ${op}, ${f})`;
  } else {
    const ti = (it: string) => `thrust::make_transform_iterator(${it}, ${f})`;
    switch (co.fn) {
      case 'reduce': {
        const init = rest[0]?.text ?? `${et}()`;
        const op = rest[1]?.text ?? `thrust::plus<${et}>()`;
        if (!rest[1]) needs.push(INCLUDES.functional);
        needs.push(INCLUDES.transform_reduce);
        call = `thrust::transform_reduce(${pol}${a0}, ${a1}, ${f}, ${init}, ${op})`;
        break;
      }
      case 'inclusive_scan': {
        if (rest.length < 1 || rest.length > 2) return fail(`unexpected arguments to \`${co.call.callee}\``);
        const op = rest[1]?.text ?? `thrust::plus<${et}>()`;
        if (!rest[1]) needs.push(INCLUDES.functional);
        needs.push(INCLUDES.scan);
        call = `thrust::transform_inclusive_scan(${pol}${a0}, ${a1}, ${rest[0].text}, ${f}, ${op})`;
        break;
      }
      case 'exclusive_scan': {
        if (rest.length < 1 || rest.length > 3) return fail(`unexpected arguments to \`${co.call.callee}\``);
        const init = rest[1]?.text ?? `${et}()`;
        const op = rest[2]?.text ?? `thrust::plus<${et}>()`;
        if (!rest[2]) needs.push(INCLUDES.functional);
        needs.push(INCLUDES.scan);
        call = `thrust::transform_exclusive_scan(${pol}${a0}, ${a1}, ${rest[0].text}, ${f}, ${init}, ${op})`;
        break;
      }
      case 'count_if':
      case 'transform':
      case 'inner_product': {
        if (/^\[/.test(f)) return fail(`\`${f}\` is a lambda expression: two copies of it would be two different types; name it first`);
        needs.push(INCLUDES.iterator);
        const args = co.args.map(a => a.text);
        if (tempArgIdx === 0) {
          args[0] = ti(a0);
          args[1] = ti(a1);
        } else args[2] = ti(a0);
        call = `thrust::${co.fn}(${co.policy ? `${co.policy}, ` : ''}${args.join(', ')})`;
        break;
      }
    }
  }
  if (!call) return fail('no fused form');
  const src = program.text;
  const indent = indentAt(src, co.call.span.start);
  const what = overwrites ? `the transform's output is no longer stored and read back before \`${co.call.callee}\` overwrites \`${temp}\`` : `\`${temp}\` is never written`;
  const comment = `// Fusion Lens: ${pr.call.callee} + ${co.call.callee} fused into ${form}; ${what}.\n${indent}`;
  const edits: Array<{ span: Span; newText: string }> = [
    { span: lineSpan(src, pr.call.span), newText: '' },
    { span: { start: co.call.span.start, end: co.call.callSpan.end }, newText: comment + src.slice(co.call.span.start, co.call.callSpan.start) + call },
  ];
  // the intermediate's own declaration (an allocation and a fill kernel) goes too when it declares only it
  const decl = p.fn.types.get(temp)!;
  const declItem = findDeclItem(p, decl.declTok);
  if (declItem && !tempLive && !overwrites) edits.push({ span: lineSpan(src, declItem), newText: '' });
  const missing = [...new Set(needs)].filter(h => !src.includes(h.slice('#include '.length)));
  if (missing.length) {
    const at = includeInsertOffset(src);
    edits.push({ span: { start: at, end: at }, newText: missing.join('\n') + '\n' });
  }
  return { ok: true, form, edits, tempLive: false };
}

export function fusedForm(p: ThrustPair): string {
  if (p.binary) return p.consumer.fn === 'reduce' ? 'thrust::inner_product' : 'one kernel';
  switch (p.consumer.fn) {
    case 'reduce': return 'thrust::transform_reduce';
    case 'inclusive_scan': return 'thrust::transform_inclusive_scan';
    case 'exclusive_scan': return 'thrust::transform_exclusive_scan';
    default: return `thrust::${p.consumer.fn} over thrust::make_transform_iterator`;
  }
}

/** The consumer writes its output over the whole intermediate (an in-place scan or transform). */
function consumerOverwritesTemp(p: ThrustPair): boolean {
  const co = p.consumer;
  if (co.fn !== 'inclusive_scan' && co.fn !== 'exclusive_scan' && co.fn !== 'transform') return false;
  const out = co.fn === 'transform' ? co.args[co.args.length - 2] : co.args[2];
  return !!out && iterBase(out.text)?.base === p.temp && !iterBase(out.text)!.end;
}

function findDeclItem(p: ThrustPair, declTok: number): Span | undefined {
  const walk = (items: import('../libs/hostCalls').HostItem[]): Span | undefined => {
    for (const it of items) {
      if (it.kind === 'decl' && it.first <= declTok && declTok <= it.last) return it.vars.length === 1 ? it.span : undefined;
      if (it.kind === 'loop') { const r = walk(it.body); if (r) return r; }
      if (it.kind === 'other') for (const n of it.nested) { const r = walk(n); if (r) return r; }
    }
    return undefined;
  };
  return walk(p.fn.items);
}

/** The type a functor expression returns, when the code says it. */
export function functorResult(program: CudaProgram, p: ThrustPair, f: string): string | undefined {
  const builtin = /^thrust::(negate|square|identity|plus|minus|multiplies|divides|modulus|maximum|minimum)<([\w:]+)>(\(\)|\{\})$/.exec(f);
  if (builtin) return builtin[2];
  let typeName: string | undefined;
  let templArg: string | undefined;
  const ctor = /^(\w+)(?:<([\w:]+)>)?(?:\(.*\)|\{.*\})$/.exec(f);
  if (ctor) { typeName = ctor[1]; templArg = ctor[2]; }
  const v = /^\w+$/.test(f) ? p.fn.types.get(f) : undefined;
  if (v) {
    const lam = v.init?.text ?? '';
    const trailing = /^\[.*?\]\s*(?:__host__\s*)?(?:__device__\s*)?\(.*?\)\s*(?:mutable\s*)?->\s*([\w:]+)\s*\{/.exec(lam);
    if (trailing) return trailing[1];
    if (/^\[/.test(lam)) return undefined;
    const tm = /^(?:const\s+)?(\w+)(?:<([\w:]+)>)?$/.exec(v.type);
    if (tm && tm[1] !== 'auto') { typeName = tm[1]; templArg = tm[2]; }
  }
  const trailing = /^\[.*?\]\s*(?:__host__\s*)?(?:__device__\s*)?\(.*?\)\s*(?:mutable\s*)?->\s*([\w:]+)\s*\{/.exec(f);
  if (trailing) return trailing[1];
  if (!typeName) return undefined;
  // struct NAME { ... RET operator()(...) ... }
  const re = new RegExp(`(?:template\\s*<\\s*(?:typename|class)\\s+(\\w+)\\s*>\\s*)?(?:struct|class)\\s+${typeName}\\b[^;{]*\\{([\\s\\S]*?)\\boperator\\s*\\(\\s*\\)\\s*\\(`);
  const m = re.exec(program.text);
  if (!m) return undefined;
  const before = m[2].split(/[;{}]/).pop() ?? '';
  const words = before.replace(/\b(__host__|__device__|__forceinline__|inline|constexpr|static|virtual)\b/g, ' ').trim().split(/\s+/);
  const ret = words[words.length - 1];
  if (!ret || ret === 'auto') return undefined;
  if (m[1] && ret === m[1]) return templArg;
  return ret;
}

function lineOf(text: string, offset: number): number {
  let n = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}
