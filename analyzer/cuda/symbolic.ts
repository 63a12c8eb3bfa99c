// A small polynomial normal form for index expressions: sums of products of atoms with integer
// coefficients. `blockIdx.x * blockDim.x + threadIdx.x`, `threadIdx.x + blockDim.x*blockIdx.x` and
// `(size_t)blockIdx.x * blockDim.x + threadIdx.x` all normalize to the same polynomial, which is how
// the kernel summary recognizes thread indices, identity accesses and stencil offsets.
// Anything non-polynomial (division, modulo, calls) becomes one opaque atom named by its text.

import { Ch, Tok, type Tokens } from './lexer';
import { isTypeName } from './constEval';

/** monomial key (atoms sorted, joined by '*', '' for the constant term) -> coefficient */
export type Poly = Map<string, number>;

export const THREAD_ATOMS = ['threadIdx.x', 'threadIdx.y', 'threadIdx.z', 'blockIdx.x', 'blockIdx.y', 'blockIdx.z'];
const THREAD_ATOM_SET = new Set(THREAD_ATOMS);
const BUILTIN_OBJECTS = new Set(['threadIdx', 'blockIdx', 'blockDim', 'gridDim']);

// Polynomials are never changed once made (sums copy before adding), so the one-term polynomials
// every index expression starts from are shared instead of allocated per token.
const atomPolys = new Map<string, Poly>();
const constPolys = new Map<number, Poly>();
/** Number literal text -> its polynomial. */
const numberPolys = new Map<string, Poly>();

export function constPoly(c: number): Poly {
  let p = constPolys.get(c);
  if (!p) {
    p = c === 0 ? new Map() : new Map([['', c]]);
    if (constPolys.size > 4096) constPolys.clear();
    constPolys.set(c, p);
  }
  return p;
}

export function atomPoly(a: string): Poly {
  let p = atomPolys.get(a);
  if (!p) {
    p = new Map([[a, 1]]);
    if (atomPolys.size > 50_000) atomPolys.clear();
    atomPolys.set(a, p);
  }
  return p;
}

export function addPoly(a: Poly, b: Poly, sign = 1): Poly {
  const r = new Map(a);
  addInto(r, b, sign);
  return r;
}

/** r += sign * b, in place. */
function addInto(r: Poly, b: Poly, sign: number): void {
  for (const [k, v] of b) {
    const nv = (r.get(k) ?? 0) + sign * v;
    if (nv === 0) r.delete(k);
    else r.set(k, nv);
  }
}

/** Atoms of a monomial key, memoized: keys repeat across every index expression of a file. */
const atomsCache = new Map<string, readonly string[]>();
export function monomialAtoms(key: string): readonly string[] {
  let a = atomsCache.get(key);
  if (!a) {
    a = key ? key.split('*') : [];
    if (atomsCache.size > 50_000) atomsCache.clear();
    atomsCache.set(key, a);
  }
  return a;
}

/** Products of monomial keys, memoized by both keys (no key string built per product). */
const productCache = new Map<string, Map<string, string>>();
let productCount = 0;
function mulKeys(ka: string, kb: string): string {
  if (!ka) return kb;
  if (!kb) return ka;
  if (kb < ka) { const x = ka; ka = kb; kb = x; }
  let row = productCache.get(ka);
  if (!row) {
    if (productCount > 50_000) { productCache.clear(); productCount = 0; }
    productCache.set(ka, (row = new Map()));
  }
  let r = row.get(kb);
  if (r === undefined) {
    r = [...monomialAtoms(ka), ...monomialAtoms(kb)].sort().join('*');
    row.set(kb, r);
    productCount++;
  }
  return r;
}

export function mulPoly(a: Poly, b: Poly): Poly {
  const r: Poly = new Map();
  for (const [ka, va] of a) {
    for (const [kb, vb] of b) {
      const k = mulKeys(ka, kb);
      const nv = (r.get(k) ?? 0) + va * vb;
      if (nv === 0) r.delete(k);
      else r.set(k, nv);
    }
  }
  return r;
}

export function polyEquals(a: Poly, b: Poly): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}

export function polyKey(p: Poly): string {
  return [...p.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `${v}*${k}`).join('+');
}

/** True when some monomial contains a per-thread atom (threadIdx.*, blockIdx.*) or an atom marked thread-dependent. */
export function isThreadDependent(p: Poly, extra?: (atom: string) => boolean): boolean {
  for (const k of p.keys()) {
    if (!k) continue;
    for (const a of monomialAtoms(k)) {
      if (THREAD_ATOM_SET.has(a)) return true;
      if (extra?.(a)) return true;
    }
  }
  return false;
}

export function polyAtoms(p: Poly): Set<string> {
  const s = new Set<string>();
  for (const k of p.keys()) for (const a of monomialAtoms(k)) s.add(a);
  return s;
}

export function polyToText(p: Poly): string {
  if (p.size === 0) return '0';
  const parts: string[] = [];
  for (const [k, v] of [...p.entries()].sort(([a], [b]) => (a === '' ? 1 : b === '' ? -1 : a < b ? -1 : 1))) {
    const mono = k ? k.split('*').join(' * ') : '';
    if (!mono) parts.push(String(v));
    else if (v === 1) parts.push(mono);
    else if (v === -1) parts.push('-' + mono);
    else parts.push(`${v} * ${mono}`);
  }
  return parts.join(' + ').replace(/\+ -/g, '- ');
}

/**
 * Normalizes tokens [a, b]. `subst` maps variable names to their polynomials (index aliases);
 * `atomName` can rename atoms (e.g. a kernel parameter to `param:n`).
 */
export function toPoly(t: Tokens, a: number, b: number, subst: (name: string) => Poly | undefined): Poly | undefined {
  const p = new PolyParser(t, a, b, subst);
  const r = p.sum();
  return r && p.pos > b ? r : undefined;
}

class PolyParser {
  pos: number;
  private depth = 0;
  private startOfLevel: number;
  constructor(private t: Tokens, a: number, private b: number, private subst: (name: string) => Poly | undefined) {
    this.pos = a;
    this.startOfLevel = a;
  }

  private at(s: string): boolean {
    return this.pos <= this.b && this.t.is(this.pos, s);
  }

  sum(): Poly | undefined {
    if (++this.depth > 64) return undefined;
    let r = this.product();
    if (!r) return undefined;
    // r may be shared (a substituted variable's polynomial): copied once, then summed in place
    let own = false;
    for (;;) {
      if (this.at('+') || this.at('-')) {
        const sign = this.at('+') ? 1 : -1;
        this.pos++;
        const q = this.product();
        if (!q) return undefined;
        if (!own) { r = new Map(r); own = true; }
        addInto(r, q, sign);
      } else break;
    }
    // anything else at this level (<<, /, %, ?:, comparisons) makes the whole thing opaque
    this.depth--;
    if (this.pos <= this.b && !this.at(')') && !this.at(']') && !this.at(',')) return this.opaqueFrom();
    return r;
  }

  /** Turns the rest of the expression into an opaque atom (keeps thread-dependence visible). */
  private opaqueFrom(): Poly | undefined {
    // consume to the end of this nesting level
    let d = 0;
    const start = this.startOfLevel;
    while (this.pos <= this.b) {
      if (this.at('(') || this.at('[')) d++;
      else if (this.at(')') || this.at(']')) {
        if (d === 0) break;
        d--;
      } else if (d === 0 && this.at(',')) break;
      this.pos++;
    }
    return atomPoly(normText(this.t, start, this.pos - 1));
  }

  private product(): Poly | undefined {
    let r = this.unary();
    if (!r) return undefined;
    while (this.at('*')) {
      this.pos++;
      const q = this.unary();
      if (!q) return undefined;
      r = mulPoly(r, q);
    }
    return r;
  }

  private unary(): Poly | undefined {
    const t = this.t;
    if (this.pos > this.b) return undefined;
    if (this.at('-')) { this.pos++; const u = this.unary(); return u && mulPoly(u, constPoly(-1)); }
    if (this.at('+')) { this.pos++; return this.unary(); }
    if (this.at('(')) {
      const close = this.close(this.pos);
      if (close < 0) return undefined;
      const inner = t.slice(this.pos + 1, close - 1).trim();
      if (isTypeName(inner)) {
        this.pos = close + 1;
        return this.unary();
      }
      const saveStart = this.startOfLevel;
      this.startOfLevel = this.pos + 1;
      this.pos++;
      const r = this.sum();
      this.startOfLevel = saveStart;
      if (!this.at(')')) return undefined;
      this.pos++;
      return r;
    }
    const k = t.kinds[this.pos];
    if (k === Tok.Number) {
      const raw = t.text(this.pos);
      this.pos++;
      let p = numberPolys.get(raw);
      if (!p) {
        const txt = raw.replace(/[uUlLzZ']+$/g, '').replace(/'/g, '');
        const v = /^\d+$/.test(txt) ? parseInt(txt, 10) : /^0[xX][0-9a-fA-F]+$/.test(txt) ? parseInt(txt, 16) : NaN;
        p = Number.isNaN(v) ? atomPoly(txt) : constPoly(v);
        if (numberPolys.size > 4096) numberPolys.clear();
        numberPolys.set(raw, p);
      }
      return p;
    }
    if (k === Tok.Ident) {
      const name = t.text(this.pos);
      if ((name === 'static_cast' || name === 'reinterpret_cast') && this.at2('<')) {
        let j = this.pos + 1;
        let d = 0;
        for (; j <= this.b; j++) {
          if (t.is(j, '<')) d++;
          else if (t.is(j, '>') && --d === 0) break;
        }
        if (!t.is(j + 1, '(')) return undefined;
        const close = this.close(j + 1);
        if (close < 0) return undefined;
        const inner = toPoly(t, j + 2, close - 1, this.subst);
        this.pos = close + 1;
        return inner;
      }
      if (BUILTIN_OBJECTS.has(name) && this.at2('.') && t.isIdent(this.pos + 2)) {
        const atom = `${name}.${t.text(this.pos + 2)}`;
        this.pos += 3;
        return atomPoly(atom);
      }
      if (isTypeName(name) && this.at2('(')) {
        // functional cast size_t(x)
        const close = this.close(this.pos + 1);
        if (close < 0) return undefined;
        const inner = toPoly(t, this.pos + 2, close - 1, this.subst);
        this.pos = close + 1;
        return inner;
      }
      // qualified name, member access, call or subscript: opaque atom unless a plain variable
      let j = this.pos + 1;
      while (j <= this.b && (t.is(j, '::') || t.is(j, '.') || t.is(j, '->')) && t.isIdent(j + 1)) j += 2;
      if (j <= this.b && (t.is(j, '(') || t.is(j, '['))) {
        let end = this.close(j);
        if (end < 0) return undefined;
        while (t.is(end + 1, '[') && end + 1 <= this.b) {
          const e2 = this.close(end + 1);
          if (e2 < 0) break;
          end = e2;
        }
        const atom = normText(t, this.pos, end);
        this.pos = end + 1;
        return atomPoly(atom);
      }
      const atomText = normText(t, this.pos, j - 1);
      const plain = j === this.pos + 1;
      this.pos = j;
      if (plain) {
        const s = this.subst(atomText);
        if (s) return s;
      }
      return atomPoly(atomText);
    }
    return undefined;
  }

  private at2(s: string): boolean {
    return this.pos + 1 <= this.b && this.t.is(this.pos + 1, s);
  }

  private close(open: number): number {
    let d = 0;
    for (let i = open; i <= this.b; i++) {
      const c = this.t.ch(i);
      if (c === Ch.LParen || c === Ch.LBracket || c === Ch.LBrace) d++;
      else if (c === Ch.RParen || c === Ch.RBracket || c === Ch.RBrace) {
        d--;
        if (d === 0) return i;
      }
    }
    return -1;
  }
}

/** Whitespace-free text of tokens [a, b], used as a stable atom name. */
export function normText(t: Tokens, a: number, b: number): string {
  if (a === b) return t.text(a);
  let s = '';
  let prevWord = false;
  for (let i = a; i <= b; i++) {
    const w = t.text(i);
    if (!w) continue;
    if (prevWord && isWordChar(w.charCodeAt(0))) s += ' ';
    s += w;
    prevWord = isWordChar(w.charCodeAt(w.length - 1));
  }
  return s;
}

function isWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}
