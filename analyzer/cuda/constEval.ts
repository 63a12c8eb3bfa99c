// Integer/float constant folding over a token range: literals, `#define` constants, `const` and
// `constexpr` variables, `sizeof(type)`, casts, `std::min/max`, and the C operators. Division of two
// integers truncates as in C. Anything it cannot see yields undefined (never a guess).

import { Tok, lex, type Tokens } from './lexer';
import { elementSize } from './types';

export type Lookup = (name: string) => number | undefined;

interface Val {
  v: number;
  int: boolean;
}

const MAX_DEPTH = 64;

export function evalTokens(t: Tokens, a: number, b: number, lookup: Lookup): number | undefined {
  if (a > b) return undefined;
  const p = new Parser(t, a, b, lookup);
  try {
    const r = p.expr(0);
    if (!r || p.pos <= b) return undefined;
    return Number.isFinite(r.v) ? r.v : undefined;
  } catch {
    return undefined;
  }
}

/** Evaluates a standalone expression string (define bodies, annotations). */
export function evalText(text: string, lookup: Lookup): number | undefined {
  const t = lexExpression(text);
  return evalTokens(t, 0, t.count - 1, lookup);
}

/**
 * The tokens of a short expression text, memoized: element counts and define bodies repeat across
 * a file's launches, and lexing allocates four typed arrays each time. Tokens are read-only.
 */
export function lexExpression(text: string): Tokens {
  let t = exprTokens.get(text);
  if (!t) {
    t = lex(text);
    if (exprTokens.size > 1024) exprTokens.clear();
    exprTokens.set(text, t);
  }
  return t;
}
const exprTokens = new Map<string, Tokens>();

const BINARY: Record<string, number> = {
  '||': 1, '&&': 2, '|': 3, '^': 4, '&': 5, '==': 6, '!=': 6, '<': 7, '>': 7, '<=': 7, '>=': 7,
  '<<': 8, '>>': 8, '+': 9, '-': 9, '*': 10, '/': 10, '%': 10,
};

class Parser {
  pos: number;
  private depth = 0;
  constructor(private t: Tokens, a: number, private b: number, private lookup: Lookup) {
    this.pos = a;
  }

  private peek(s: string): boolean {
    return this.pos <= this.b && this.t.is(this.pos, s);
  }

  /** The binary operator at pos, folding `>` `>` into `>>` (the lexer never merges `>`). */
  private binop(): string | undefined {
    if (this.pos > this.b) return undefined;
    const t = this.t;
    if (t.kinds[this.pos] !== Tok.Punct) return undefined;
    if (t.is(this.pos, '>') && this.pos + 1 <= this.b && t.is(this.pos + 1, '>') && t.adjacent(this.pos, this.pos + 1)) return '>>';
    const s = t.text(this.pos);
    return s in BINARY ? s : s === '?' ? '?' : undefined;
  }

  expr(minPrec: number): Val | undefined {
    if (++this.depth > MAX_DEPTH) throw new Error('too deep');
    let left = this.unary();
    if (!left) return undefined;
    for (;;) {
      const op = this.binop();
      if (!op) break;
      if (op === '?') {
        if (minPrec > 0) break;
        this.pos++;
        const yes = this.expr(0);
        if (!this.peek(':')) return undefined;
        this.pos++;
        const no = this.expr(0);
        if (!yes || !no) return undefined;
        left = left.v ? yes : no;
        continue;
      }
      const prec = BINARY[op];
      if (prec <= minPrec) break;
      this.pos += op === '>>' ? 2 : 1;
      const right = this.expr(prec);
      if (!right) return undefined;
      left = apply(op, left, right);
    }
    this.depth--;
    return left;
  }

  private unary(): Val | undefined {
    const t = this.t;
    if (this.pos > this.b) return undefined;
    if (this.peek('-')) { this.pos++; const v = this.unary(); return v && { v: -v.v, int: v.int }; }
    if (this.peek('+')) { this.pos++; return this.unary(); }
    if (this.peek('~')) { this.pos++; const v = this.unary(); return v && { v: ~v.v, int: true }; }
    if (this.peek('!')) { this.pos++; const v = this.unary(); return v && { v: v.v ? 0 : 1, int: true }; }
    if (this.peek('(')) {
      // a C cast `(int)x` / `(size_t)(x)` or a parenthesized expression
      const close = this.findClose(this.pos);
      if (close < 0) return undefined;
      const inner = t.slice(this.pos + 1, close - 1).trim();
      if (isTypeName(inner) && close + 1 <= this.b && !isBinaryStart(t, close + 1)) {
        this.pos = close + 1;
        const v = this.unary();
        return v && castTo(inner, v);
      }
      this.pos++;
      const v = this.expr(0);
      if (!this.peek(')')) return undefined;
      this.pos++;
      return v;
    }
    const k = t.kinds[this.pos];
    if (k === Tok.Number) {
      const v = parseNumber(t.text(this.pos));
      this.pos++;
      return v;
    }
    if (k === Tok.Char) {
      const s = t.text(this.pos);
      this.pos++;
      const m = /'(\\?.)'/.exec(s);
      return m ? { v: m[1].length === 1 ? m[1].charCodeAt(0) : escapeCode(m[1]), int: true } : undefined;
    }
    if (k === Tok.Ident) {
      let name = t.text(this.pos);
      // qualified names: std::min, ns::N
      while (this.pos + 2 <= this.b && t.is(this.pos + 1, '::') && t.isIdent(this.pos + 2)) {
        this.pos += 2;
        name += '::' + t.text(this.pos);
      }
      this.pos++;
      if (name === 'sizeof') return this.sizeofExpr();
      if (name === 'true') return { v: 1, int: true };
      if (name === 'false') return { v: 0, int: true };
      if ((name === 'static_cast' || name === 'reinterpret_cast') && this.peek('<')) {
        const gt = this.findAngle(this.pos);
        if (gt < 0) return undefined;
        const ty = t.slice(this.pos + 1, gt - 1).trim();
        this.pos = gt + 1;
        if (!this.peek('(')) return undefined;
        this.pos++;
        const v = this.expr(0);
        if (!this.peek(')')) return undefined;
        this.pos++;
        return v && castTo(ty, v);
      }
      if (this.peek('(')) {
        // functional cast `size_t(x)`, `int(x)`, or min/max/ceil
        const close = this.findClose(this.pos);
        if (close < 0) return undefined;
        const args = this.args(this.pos + 1, close - 1);
        this.pos = close + 1;
        if (!args) return undefined;
        const base = name.replace(/^std::/, '');
        if (isTypeName(name) && args.length === 1) return castTo(name, args[0]);
        if ((base === 'min' || base === 'fminf' || base === 'fmin') && args.length === 2) return args[0].v <= args[1].v ? args[0] : args[1];
        if ((base === 'max' || base === 'fmaxf' || base === 'fmax') && args.length === 2) return args[0].v >= args[1].v ? args[0] : args[1];
        if ((base === 'ceil' || base === 'ceilf') && args.length === 1) return { v: Math.ceil(args[0].v), int: false };
        if ((base === 'floor' || base === 'floorf') && args.length === 1) return { v: Math.floor(args[0].v), int: false };
        return undefined;
      }
      if (this.peek('{') ) {
        // brace-init `size_t{4}`
        const close = this.findClose(this.pos);
        if (close < 0) return undefined;
        const args = this.args(this.pos + 1, close - 1);
        this.pos = close + 1;
        return args && args.length === 1 && isTypeName(name) ? castTo(name, args[0]) : undefined;
      }
      const v = this.lookup(name);
      if (v === undefined) return undefined;
      return { v, int: Number.isInteger(v) };
    }
    return undefined;
  }

  private sizeofExpr(): Val | undefined {
    if (!this.peek('(')) return undefined;
    const close = this.findClose(this.pos);
    if (close < 0) return undefined;
    const inner = this.t.slice(this.pos + 1, close - 1).trim();
    this.pos = close + 1;
    const size = elementSize(inner.replace(/\s*\*\s*$/, '*'));
    return size === undefined ? undefined : { v: size, int: true };
  }

  private args(a: number, b: number): Val[] | undefined {
    const out: Val[] = [];
    if (a > b) return out;
    let depth = 0;
    let start = a;
    for (let i = a; i <= b + 1; i++) {
      if (i <= b && (this.t.is(i, '(') || this.t.is(i, '['))) depth++;
      else if (i <= b && (this.t.is(i, ')') || this.t.is(i, ']'))) depth--;
      if (i === b + 1 || (depth === 0 && this.t.is(i, ','))) {
        const v = evalTokens(this.t, start, i - 1, this.lookup);
        if (v === undefined) return undefined;
        out.push({ v, int: Number.isInteger(v) });
        start = i + 1;
      }
    }
    return out;
  }

  private findClose(open: number): number {
    let d = 0;
    for (let i = open; i <= this.b; i++) {
      if (this.t.is(i, '(') || this.t.is(i, '{') || this.t.is(i, '[')) d++;
      else if (this.t.is(i, ')') || this.t.is(i, '}') || this.t.is(i, ']')) {
        d--;
        if (d === 0) return i;
      }
    }
    return -1;
  }

  private findAngle(lt: number): number {
    let d = 0;
    for (let i = lt; i <= this.b; i++) {
      if (this.t.is(i, '<')) d++;
      else if (this.t.is(i, '>')) {
        d--;
        if (d === 0) return i;
      }
    }
    return -1;
  }
}

/** After `(type)`: a token that cannot start an operand means the parentheses were not a cast. */
function isBinaryStart(t: Tokens, i: number): boolean {
  const s = t.text(i);
  if (s === ')' || s === ',' || s === ';') return true;
  return s in BINARY && s !== '-' && s !== '+' && s !== '&' && s !== '*';
}

const TYPE_WORDS = new Set(['int', 'unsigned', 'signed', 'long', 'short', 'char', 'float', 'double', 'size_t', 'int64_t', 'uint64_t', 'int32_t', 'uint32_t', 'uint8_t', 'int8_t', 'uint16_t', 'int16_t', 'std::size_t', 'ptrdiff_t', 'bool', 'const', 'dim3', 'uint', 'unsigned int', 'long long', 'unsigned long long', 'unsigned long']);

export function isTypeName(s: string): boolean {
  if (TYPE_WORDS.has(s)) return true;
  if (!/\s/.test(s)) return false;
  const words = s.replace(/\s+/g, ' ').trim();
  if (TYPE_WORDS.has(words)) return true;
  return words.split(' ').every(w => TYPE_WORDS.has(w));
}

function castTo(type: string, v: Val): Val {
  if (/float|double/.test(type)) return { v: v.v, int: false };
  return { v: Math.trunc(v.v), int: true };
}

function escapeCode(e: string): number {
  const map: Record<string, number> = { n: 10, t: 9, r: 13, '0': 0, '\\': 92, "'": 39, '"': 34 };
  return map[e[1]] ?? e.charCodeAt(1);
}

export function parseNumber(text: string): Val | undefined {
  // plain decimals (most literals) without regular expressions
  let plain = text.length > 0 && text.length < 16 && text.charCodeAt(0) !== 48 || text === '0';
  for (let k = 0; plain && k < text.length; k++) {
    const c = text.charCodeAt(k);
    if (c < 48 || c > 57) plain = false;
  }
  if (plain) return { v: Number(text), int: true };
  const s = text.replace(/'/g, '');
  if (/^0[xX][0-9a-fA-F]+[uUlL]*$/.test(s)) return { v: parseInt(s.replace(/[uUlL]+$/, ''), 16), int: true };
  if (/^0[bB][01]+[uUlL]*$/.test(s)) return { v: parseInt(s.slice(2).replace(/[uUlL]+$/, ''), 2), int: true };
  if (/^0[0-7]+[uUlL]*$/.test(s)) return { v: parseInt(s.replace(/[uUlL]+$/, ''), 8), int: true };
  if (/^\d+[uUlLzZ]*$/.test(s)) return { v: parseInt(s.replace(/[uUlLzZ]+$/, ''), 10), int: true };
  const f = /^(\d*\.?\d*(?:[eE][+-]?\d+)?)[fFlL]?$/.exec(s);
  if (f && f[1] && f[1] !== '.') return { v: parseFloat(f[1]), int: false };
  return undefined;
}

function apply(op: string, a: Val, b: Val): Val {
  const int = a.int && b.int;
  switch (op) {
    case '+': return { v: a.v + b.v, int };
    case '-': return { v: a.v - b.v, int };
    case '*': return { v: a.v * b.v, int };
    case '/':
      if (b.v === 0) throw new Error('division by zero');
      return { v: int ? Math.trunc(a.v / b.v) : a.v / b.v, int };
    case '%':
      if (b.v === 0) throw new Error('division by zero');
      return { v: a.v % b.v, int };
    case '<<': return { v: a.v * Math.pow(2, b.v), int: true };
    case '>>': return { v: Math.floor(a.v / Math.pow(2, b.v)), int: true };
    case '&': return { v: Number(BigInt(Math.trunc(a.v)) & BigInt(Math.trunc(b.v))), int: true };
    case '|': return { v: Number(BigInt(Math.trunc(a.v)) | BigInt(Math.trunc(b.v))), int: true };
    case '^': return { v: Number(BigInt(Math.trunc(a.v)) ^ BigInt(Math.trunc(b.v))), int: true };
    case '==': return { v: a.v === b.v ? 1 : 0, int: true };
    case '!=': return { v: a.v !== b.v ? 1 : 0, int: true };
    case '<': return { v: a.v < b.v ? 1 : 0, int: true };
    case '>': return { v: a.v > b.v ? 1 : 0, int: true };
    case '<=': return { v: a.v <= b.v ? 1 : 0, int: true };
    case '>=': return { v: a.v >= b.v ? 1 : 0, int: true };
    case '&&': return { v: a.v && b.v ? 1 : 0, int: true };
    case '||': return { v: a.v || b.v ? 1 : 0, int: true };
  }
  throw new Error('unknown operator ' + op);
}
