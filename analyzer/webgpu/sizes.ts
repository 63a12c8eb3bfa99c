// Symbolic sizes for WebGPU host code: a product of a constant and named factors (`N * 4`,
// `width * height * 16`), enough to compare buffer sizes, element counts and dispatch sizes that
// the code does not fold to numbers. Factors are identifiers with their declaration offset
// (`N@120`) or, for anything else, the normalized expression text in parentheses.

import type { Size } from '../core/ir';

export interface Mono {
  coef: number;
  /** Sorted factor keys. */
  syms: string[];
}

export function monoConst(v: number): Mono {
  return { coef: v, syms: [] };
}

export function monoSym(key: string): Mono {
  return { coef: 1, syms: [key] };
}

export function monoMul(a: Mono, b: Mono): Mono {
  return { coef: a.coef * b.coef, syms: [...a.syms, ...b.syms].sort() };
}

/** a / k when it divides exactly (symbolic factors stay), else undefined. */
export function monoDiv(a: Mono, k: number): Mono | undefined {
  if (!k) return undefined;
  const c = a.coef / k;
  // symbolic sizes keep a fractional constant (`pixels.length / 4`): they are only compared
  if (!a.syms.length) return Number.isInteger(c) ? monoConst(c) : undefined;
  return { coef: c, syms: a.syms };
}

/** a / b for monomials when b's factors all appear in a and the constants divide. */
export function monoDivMono(a: Mono, b: Mono): Mono | undefined {
  const rest = [...a.syms];
  for (const s of b.syms) {
    const i = rest.indexOf(s);
    if (i < 0) return undefined;
    rest.splice(i, 1);
  }
  return monoDiv({ coef: a.coef, syms: rest }, b.coef);
}

export function monoEq(a: Mono | undefined, b: Mono | undefined): boolean {
  return !!a && !!b && a.coef === b.coef && a.syms.length === b.syms.length && a.syms.every((s, i) => s === b.syms[i]);
}

export function monoKey(m: Mono): string {
  return m.syms.length ? `${m.coef === 1 ? '' : `${m.coef}*`}${m.syms.join('*')}` : String(m.coef);
}

/** Text for people: factor keys without their declaration offsets. */
export function monoText(m: Mono): string {
  const parts = m.syms.map(s => s.replace(/@\d+$/, ''));
  if (m.coef !== 1 || !parts.length) parts.unshift(String(m.coef));
  return parts.join(' * ');
}

export function monoSize(m: Mono): Size {
  return { value: m.syms.length ? undefined : m.coef, expr: monoText(m), key: monoKey(m) };
}

export function monoValue(m: Mono | undefined): number | undefined {
  return m && !m.syms.length ? m.coef : undefined;
}
