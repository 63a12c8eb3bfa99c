// Thrust transform chains: a thrust::transform whose output vector is read by the next algorithm
// (reduce, scan, count_if, inner_product, another transform) and by nothing else. Each algorithm is
// its own kernel; the fused forms (transform_reduce, transform_*_scan, inner_product, or a
// make_transform_iterator over the transform's input) never write the intermediate.

import type { LibraryFacts } from './libraryFacts';
import type { CudaProgram } from '../cuda/frontend';
import { evalText } from '../cuda/constEval';
import { elementSize } from '../cuda/types';
import { allBlocks, embeddedCalls, localLookup, mentionsOutside, type Arg, type CallItem, type HostFunction, type HostItem } from './hostCalls';

export type ThrustFn = 'transform' | 'reduce' | 'inclusive_scan' | 'exclusive_scan' | 'count_if' | 'inner_product';

export interface ThrustCall {
  fn: ThrustFn;
  call: CallItem;
  policy?: string;
  /** Arguments without the policy. */
  args: Arg[];
}

export interface ThrustPair {
  fn: HostFunction;
  producer: ThrustCall;
  consumer: ThrustCall;
  /** The intermediate device_vector. */
  temp: string;
  /** Producer is a binary transform (two input ranges). */
  binary: boolean;
}

const FNS = new Set<ThrustFn>(['transform', 'reduce', 'inclusive_scan', 'exclusive_scan', 'count_if', 'inner_product']);
const POLICY = /^(::)?thrust::(device|host|seq|cuda::par(_nosync)?|system::\w+::par)(\.on\(.*\))?$/;

export function findThrustPairs(program: CudaProgram, functions: HostFunction[], facts: LibraryFacts): ThrustPair[] {
  if (!facts.thrust) return [];
  const usingThrust = facts.usingThrust;
  const out: ThrustPair[] = [];
  for (const f of functions) {
    for (const block of allBlocks(f.items)) out.push(...pairsInBlock(program, f, block.items, usingThrust));
  }
  return out;
}

export function parseThrustCall(f: HostFunction, c: CallItem, usingThrust: boolean): ThrustCall | undefined {
  if (c.method) return undefined;
  const m = /^(?:::)?thrust::(\w+)$/.exec(c.callee) ?? (usingThrust ? /^(\w+)$/.exec(c.callee) : null);
  if (!m || !FNS.has(m[1] as ThrustFn)) return undefined;
  let args = c.args;
  let policy: string | undefined;
  if (args.length && isPolicy(f, args[0].text)) {
    policy = args[0].text;
    args = args.slice(1);
  }
  return { fn: m[1] as ThrustFn, call: c, policy, args };
}

function isPolicy(f: HostFunction, text: string): boolean {
  if (POLICY.test(text)) return true;
  const d = /^\w+$/.test(text) ? f.types.get(text) : undefined;
  return !!d && (/execution_policy|par_t|seq_t/.test(d.type) || (!!d.init && POLICY.test(d.init.text)));
}

/** `v.begin()` / `v.cbegin()` -> v; `v.end()` -> v (end). */
export function iterBase(text: string): { base: string; end: boolean } | undefined {
  const m = /^(\w+)\.(c?begin|c?end)\(\)$/.exec(text);
  return m ? { base: m[1], end: m[2].endsWith('end') } : undefined;
}

function pairsInBlock(program: CudaProgram, f: HostFunction, items: HostItem[], usingThrust: boolean): ThrustPair[] {
  const isThrust = (callee: string) => /^(::)?thrust::\w+$/.test(callee) || (usingThrust && FNS.has(callee as ThrustFn));
  const out: ThrustPair[] = [];
  for (let i = 0; i < items.length; i++) {
    const it = items[i];
    if (it.kind !== 'call') continue;
    const p = parseThrustCall(f, it, usingThrust);
    if (!p || p.fn !== 'transform' || (p.args.length !== 4 && p.args.length !== 5) || p.call.result) continue;
    const res = iterBase(p.args[p.args.length - 2].text);
    if (!res || res.end) continue;
    const temp = res.base;
    const vars = new Set(p.call.idents);
    // the next statement that mentions the intermediate must be the consumer, with nothing in between touching the producer's data
    for (let j = i + 1; j < items.length; j++) {
      const nx = items[j];
      // the consumer may sit inside an expression: `float s = thrust::reduce(...) / n;`
      const calls = nx.kind === 'call' ? [nx] : nx.kind === 'decl' || (nx.kind === 'other' && !nx.nested.length) ? embeddedCalls(program.tokens, nx, isThrust) : [];
      const c = calls.map(x => parseThrustCall(f, x, usingThrust)).find(x => x && x.args.some(a => iterBase(a.text)?.base === temp));
      if (c) {
        out.push({ fn: f, producer: p, consumer: c, temp, binary: p.args.length === 5 });
        break;
      }
      if ([...nx.idents].some(x => vars.has(x))) break;
    }
  }
  return out;
}

/** Element type of a thrust/std vector or a thrust::device_ptr variable (`thrust::device_vector<float>`, `thrust::device_ptr<const float>` -> float). */
export function vectorElemType(f: HostFunction, name: string): string | undefined {
  const d = f.types.get(name);
  const m = d && /(?:vector|device_ptr)\s*<\s*(?:const\s+)?([\w:]+(?:\s*<[^>]*>)?)\s*>/.exec(d.type);
  return m?.[1];
}

export function isDeviceVector(f: HostFunction, name: string): boolean {
  const d = f.types.get(name);
  return !!d && /device_vector\s*</.test(d.type);
}

/** Element count of a vector variable as an expression, following copies (`t(x.size())`, `y = x`). */
export function vectorSize(f: HostFunction, name: string, depth = 0): string | undefined {
  const d = f.types.get(name);
  if (!d || depth > 4) return undefined;
  if (d.ctorArgs?.length) {
    const a0 = d.ctorArgs[0].text;
    const b = iterBase(a0);
    if (b && d.ctorArgs.length === 2 && iterBase(d.ctorArgs[1].text)?.base === b.base) return vectorSize(f, b.base, depth + 1) ?? `${b.base}.size()`;
    return normalizeLen(f, a0, depth + 1);
  }
  if (d.init && /^\w+$/.test(d.init.text)) return vectorSize(f, d.init.text, depth + 1);
  return undefined;
}

/** `x.size()` inside a length expression replaced by x's size when known. */
export function normalizeLen(f: HostFunction, text: string, depth = 0): string {
  return text.replace(/\b(\w+)\.size\(\)/g, (all, v: string) => (depth < 4 ? vectorSize(f, v, depth + 1) ?? all : all)).replace(/\s+/g, '');
}

/** Length of a range given by two iterator arguments, as a normalized expression. */
export function rangeLen(f: HostFunction, first: string, last: string): string | undefined {
  const a = iterBase(first);
  const b = iterBase(last);
  if (a && !a.end && b && b.end && a.base === b.base) return vectorSize(f, a.base) ?? `${a.base}.size()`;
  const m = /^(\w+)\.c?begin\(\)\+(.+)$/.exec(last.replace(/\s+/g, ''));
  if (a && !a.end && m && m[1] === a.base) return normalizeLen(f, m[2]);
  const p = /^(\w+)\+(.+)$/.exec(last.replace(/\s+/g, ''));
  if (p && p[1] === first) return normalizeLen(f, p[2]);
  return undefined;
}

export function evalLen(program: CudaProgram, f: HostFunction, len: string | undefined): number | undefined {
  if (!len) return undefined;
  return evalText(len, localLookup(f, program.constLookup));
}

export function elemBytes(type: string | undefined): number | undefined {
  return type ? elementSize(type.replace(/^(std::|thrust::)/, '')) : undefined;
}

/** Where else the intermediate is used, given the token ranges that may mention it. */
export function tempUses(p: ThrustPair): number[] {
  const d = p.fn.types.get(p.temp);
  const ranges: Array<[number, number]> = [[p.producer.call.first, p.producer.call.last], [p.consumer.call.first, p.consumer.call.last]];
  if (d) ranges.push([d.declTok, d.declTok]);
  return mentionsOutside(p.fn, p.temp, ranges);
}
