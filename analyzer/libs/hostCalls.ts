// Statement-level view of host code for library pipelines (OpenCV CUDA, Thrust, cuBLAS): each block
// of a host function as a list of calls, declarations, loops and other statements, with argument
// text and exact spans. Library calls are opaque to the kernel-launch analysis (hostSequence.ts);
// this view works on the same tokens and statements without touching it.

import type { Span } from '../core/text';
import type { FunctionDecl } from '../cuda/scanner';
import { matchAngle, matchClose, splitTopLevel } from '../cuda/scanner';
import { Tok, type Tokens } from '../cuda/lexer';
import { parseStatements, type Stmt } from '../cuda/statements';
import { isTransparentWrapper } from '../cuda/cudaApi';
import { evalText, type Lookup } from '../cuda/constEval';

export interface Arg {
  /** Source text, whitespace collapsed. */
  text: string;
  tokens: [number, number];
  span: Span;
}

interface ItemBase {
  /** Token range of the statement (inclusive, with its `;`). */
  first: number;
  last: number;
  span: Span;
  /** Identifiers the statement mentions (not member names after `.`/`->`). */
  idents: Set<string>;
}

export interface CallItem extends ItemBase {
  kind: 'call';
  /** Callee as written without spaces: `cv::cuda::resize`, `thrust::transform`. */
  callee: string;
  /** For `obj.method(...)`: the object expression text and the method name. */
  receiver?: string;
  method?: string;
  templateArgs?: string;
  args: Arg[];
  /** The call expression, callee to closing parenthesis. */
  callSpan: Span;
  /** `T x = f(...)` / `x = f(...)`: the variable receiving the result, and its declared type. */
  result?: { name: string; type?: string };
}

export interface DeclItem extends ItemBase {
  kind: 'decl';
  type: string;
  vars: Array<{ name: string; ctorArgs?: Arg[]; init?: Arg; array?: string }>;
}

export interface LoopItem extends ItemBase {
  kind: 'loop';
  /** Header with whitespace collapsed (for matching) and as written (for rewrites). */
  header: string;
  headerSrc: string;
  indexVar?: string;
  /** Loop bound text for `for (int i = 0; i < N; ++i)`. */
  bound?: string;
  body: HostItem[];
  bodySpan: Span;
}

export interface OtherItem extends ItemBase {
  kind: 'other';
  /** Nested blocks (if/while bodies): walked for calls too, but never part of a chain. */
  nested: HostItem[][];
}

export type HostItem = CallItem | DeclItem | LoopItem | OtherItem;

export interface HostFunction {
  fn: FunctionDecl;
  /** The function body's top-level items. */
  items: HostItem[];
  /** Declared variables (parameters and locals): name -> type text. */
  types: Map<string, VarDecl>;
  /** Token positions of every identifier in the body, by name (for "used elsewhere" checks). */
  mentions: Map<string, number[]>;
}

export interface VarDecl {
  type: string;
  param: boolean;
  ctorArgs?: Arg[];
  init?: Arg;
  declTok: number;
  /** `T name[N]`: the array bound text. */
  array?: string;
}

const TYPE_PREFIX = new Set(['const', 'constexpr', 'static', 'volatile', 'unsigned', 'signed', 'long', 'short', 'struct', 'typename', 'auto']);
const NOT_TYPE = new Set(['return', 'delete', 'new', 'throw', 'goto', 'case', 'else', 'using', 'typedef', 'if', 'for', 'while', 'do', 'switch', 'co_await', 'co_yield', 'namespace', 'template']);

export function hostFunctions(t: Tokens, functions: FunctionDecl[]): HostFunction[] {
  const out: HostFunction[] = [];
  for (const fn of functions) {
    if (fn.isKernel || !fn.isHost || fn.bodyOpen < 0) continue;
    const close = fn.bodyClose >= 0 ? fn.bodyClose : fn.end;
    const types = new Map<string, VarDecl>();
    parseParams(t, fn, types);
    const items = toItems(t, parseStatements(t, fn.bodyOpen + 1, close - 1), types);
    const mentions = new Map<string, number[]>();
    for (let i = fn.bodyOpen + 1; i < close; i++) {
      if (!isPlainIdent(t, i)) continue;
      const w = t.text(i);
      let list = mentions.get(w);
      if (!list) mentions.set(w, (list = []));
      list.push(i);
    }
    out.push({ fn, items, types, mentions });
  }
  return out;
}

/** An identifier that names a variable: not a member after `.`/`->`, not qualified by `::`. */
function isPlainIdent(t: Tokens, i: number): boolean {
  return t.kinds[i] === Tok.Ident && !t.is(i - 1, '.') && !t.is(i - 1, '->') && !t.is(i - 1, '::') && !t.is(i + 1, '::');
}

function parseParams(t: Tokens, fn: FunctionDecl, types: Map<string, VarDecl>): void {
  for (const [a, b] of splitTopLevel(t, fn.paramsOpen + 1, fn.paramsClose - 1)) {
    if (a > b) continue;
    let nameTok = -1;
    for (let i = b; i >= a; i--) if (t.kinds[i] === Tok.Ident) { nameTok = i; break; }
    if (nameTok <= a) continue;
    types.set(t.text(nameTok), { type: collapse(t.slice(a, nameTok - 1)), param: true, declTok: nameTok });
  }
}

function toItems(t: Tokens, stmts: Stmt[], types: Map<string, VarDecl>): HostItem[] {
  const out: HostItem[] = [];
  for (const s of stmts) out.push(toItem(t, s, types));
  return out;
}

function base(t: Tokens, s: { start: number; end: number }): ItemBase {
  const idents = new Set<string>();
  for (let i = s.start; i <= s.end; i++) if (isPlainIdent(t, i)) idents.add(t.text(i));
  return { first: s.start, last: s.end, span: { start: t.starts[s.start], end: t.ends[s.end] }, idents };
}

function toItem(t: Tokens, s: Stmt, types: Map<string, VarDecl>): HostItem {
  if (s.kind === 'for') {
    const header = collapse(t.slice(s.start, s.headClose));
    const m = /^for\s*\(\s*(?:(?:const\s+)?(?:unsigned\s+|signed\s+)?(?:int|size_t|long|unsigned|auto|std::size_t|int64_t|uint32_t)\s+)?([A-Za-z_]\w*)\s*=\s*0\s*;\s*\1\s*(<|!=)\s*([^;]+?)\s*;\s*(?:\+\+\s*\1|\1\s*\+\+|\1\s*\+=\s*1)\s*\)$/.exec(header);
    const body = s.body.kind === 'block' ? toItems(t, s.body.body, types) : [toItem(t, s.body, types)];
    return {
      ...base(t, s), kind: 'loop', header, headerSrc: t.slice(s.start, s.headClose), indexVar: m?.[1], bound: m?.[3], body,
      bodySpan: { start: t.starts[s.body.start], end: t.ends[s.body.end] },
    };
  }
  if (s.kind === 'block') return { ...base(t, s), kind: 'other', nested: [toItems(t, s.body, types)] };
  if (s.kind === 'simple') return simpleItem(t, s, types);
  const nested: HostItem[][] = [];
  const kids = s.kind === 'if' ? [s.then, ...(s.else ? [s.else] : [])] : s.kind === 'while' || s.kind === 'do' || s.kind === 'switch' ? [s.body] : s.kind === 'try' ? s.blocks : [];
  for (const k of kids) nested.push(k.kind === 'block' ? toItems(t, k.body, types) : [toItem(t, k, types)]);
  return { ...base(t, s), kind: 'other', nested };
}

function simpleItem(t: Tokens, s: { start: number; end: number }, types: Map<string, VarDecl>): HostItem {
  const b = base(t, s);
  let a = s.start;
  let e = t.is(s.end, ';') ? s.end - 1 : s.end;
  // unwrap error-check wrappers: CHECK(call(...));
  while (t.isIdent(a) && t.is(a + 1, '(') && matchClose(t, a + 1, e + 1) === e && t.isIdent(a + 2)) {
    const inner = a + 2;
    const innerCall = callAt(t, inner, e - 1);
    if (!innerCall || !isTransparentWrapper(t.text(a), true)) break;
    a = inner;
    e = e - 1;
  }
  const call = callAt(t, a, e);
  if (call) return { ...b, kind: 'call', ...call };
  // x = call(...)
  if (t.isIdent(a) && t.is(a + 1, '=') && !t.is(a + 2, '=')) {
    const c = callAt(t, a + 2, e);
    if (c) return { ...b, kind: 'call', ...c, result: { name: t.text(a) } };
  }
  const decl = declAt(t, a, e);
  if (decl) {
    for (const v of decl.vars) types.set(v.name, { type: decl.type, param: false, ctorArgs: v.ctorArgs, init: v.init, declTok: v.tok, array: v.array });
    // T x = call(...): a call whose result is declared here
    if (decl.vars.length === 1 && decl.vars[0].init) {
      const [ia, ib] = decl.vars[0].init.tokens;
      const c = callAt(t, ia, ib);
      if (c) return { ...b, kind: 'call', ...c, result: { name: decl.vars[0].name, type: decl.type } };
    }
    return { ...b, kind: 'decl', type: decl.type, vars: decl.vars.map(v => ({ name: v.name, ctorArgs: v.ctorArgs, init: v.init, array: v.array })) };
  }
  return { ...b, kind: 'other', nested: [] };
}

/** `a::b<T>(args)` or `obj.method(args)` spanning exactly tokens [a, e]. */
function callAt(t: Tokens, a: number, e: number): Omit<CallItem, keyof ItemBase | 'kind'> | undefined {
  if (!t.isIdent(a) || NOT_TYPE.has(t.text(a))) return undefined;
  let i = a;
  let receiver: string | undefined;
  let method: string | undefined;
  while (t.is(i + 1, '::') && t.isIdent(i + 2)) i += 2;
  let calleeEnd = i;
  // a ROI view as the object: `frame(roi).convertTo(...)`
  if (t.is(i + 1, '(')) {
    const c = matchClose(t, i + 1, e + 1);
    if (c > 0 && (t.is(c + 1, '.') || t.is(c + 1, '->')) && t.isIdent(c + 2) && t.is(c + 3, '(')) i = c;
  }
  if ((t.is(i + 1, '.') || t.is(i + 1, '->')) && t.isIdent(i + 2)) {
    receiver = collapse(t.slice(a, i));
    method = t.text(i + 2);
    i += 2;
    calleeEnd = i;
  }
  let templateArgs: string | undefined;
  if (t.is(i + 1, '<')) {
    const gt = matchAngle(t, i + 1, e + 1);
    if (gt < 0) return undefined;
    templateArgs = collapse(t.slice(i + 2, gt - 1));
    i = gt;
  }
  if (!t.is(i + 1, '(')) return undefined;
  const close = matchClose(t, i + 1, e + 1);
  if (close !== e) return undefined;
  return { callee: collapse(t.slice(a, calleeEnd)), receiver, method, templateArgs, args: argsOf(t, i + 1, close), callSpan: { start: t.starts[a], end: t.ends[close] } };
}

export function argsOf(t: Tokens, open: number, close: number): Arg[] {
  if (close === open + 1) return [];
  return splitTopLevel(t, open + 1, close - 1).map(([x, y]) => ({ text: collapse(t.slice(x, y)), tokens: [x, y] as [number, number], span: { start: t.starts[x], end: t.ends[y] } }));
}

interface ParsedDecl {
  type: string;
  vars: Array<{ name: string; tok: number; ctorArgs?: Arg[]; init?: Arg; array?: string }>;
}

/** `Type a(args), b{args}, c = init, d[N];` over tokens [a, e] (no `;`). */
function declAt(t: Tokens, a: number, e: number): ParsedDecl | undefined {
  let i = a;
  // `const float x`, `static constexpr int n`; but in `auto f = ...` auto is the type
  while (t.isIdent(i) && TYPE_PREFIX.has(t.text(i)) && t.isIdent(i + 1) && (t.isIdent(i + 2) || t.is(i + 2, '::') || t.is(i + 2, '<') || t.is(i + 2, '*') || t.is(i + 2, '&'))) i++;
  if (!t.isIdent(i) || NOT_TYPE.has(t.text(i))) return undefined;
  const typeStart = a;
  while (t.is(i + 1, '::') && t.isIdent(i + 2)) i += 2;
  if (t.is(i + 1, '<')) {
    const gt = matchAngle(t, i + 1, e + 1);
    if (gt < 0) return undefined;
    i = gt;
  }
  // `unsigned int`, `long long`
  while (t.isIdent(i + 1) && ['int', 'long', 'char', 'short', 'double'].includes(t.text(i + 1)) && t.isIdent(i + 2)) i++;
  while (t.is(i + 1, '*') || t.is(i + 1, '&') || t.is(i + 1, '&&') || t.is(i + 1, 'const')) i++;
  if (!t.isIdent(i + 1)) return undefined;
  const type = collapse(t.slice(typeStart, i));
  const vars: ParsedDecl['vars'] = [];
  for (const [x, y] of splitTopLevel(t, i + 1, e)) {
    let n = x;
    while (t.is(n, '*') || t.is(n, '&')) n++;
    if (!t.isIdent(n)) return undefined;
    const v: ParsedDecl['vars'][number] = { name: t.text(n), tok: n };
    let k = n + 1;
    if (t.is(k, '[')) {
      const c = matchClose(t, k, y + 1);
      if (c < 0) return undefined;
      v.array = collapse(t.slice(k + 1, c - 1));
      k = c + 1;
    }
    if (k <= y) {
      if (t.is(k, '(') || t.is(k, '{')) {
        const c = matchClose(t, k, y + 1);
        if (c !== y) return undefined;
        v.ctorArgs = argsOf(t, k, c);
      } else if (t.is(k, '=')) {
        if (k + 1 > y) return undefined;
        v.init = { text: collapse(t.slice(k + 1, y)), tokens: [k + 1, y], span: { start: t.starts[k + 1], end: t.ends[y] } };
      } else return undefined;
    }
    vars.push(v);
  }
  return vars.length ? { type, vars } : undefined;
}

export function collapse(s: string): string {
  return s.replace(/\s+/g, ' ').replace(/\s*(::|\.|->|\(|\)|\[|\]|,|<|>)\s*/g, (_m, p: string) => (p === ',' ? ', ' : p)).trim();
}

/** Every call in a list of items, depth first (loops and nested blocks included). */
export function allCalls(items: HostItem[]): CallItem[] {
  const out: CallItem[] = [];
  const walk = (xs: HostItem[]) => {
    for (const x of xs) {
      if (x.kind === 'call') out.push(x);
      else if (x.kind === 'loop') walk(x.body);
      else if (x.kind === 'other') for (const n of x.nested) walk(n);
    }
  };
  walk(items);
  return out;
}

/** Every block (list of sibling items) of a function, outermost first. */
export function allBlocks(items: HostItem[]): Array<{ items: HostItem[]; loop?: LoopItem }> {
  const out: Array<{ items: HostItem[]; loop?: LoopItem }> = [];
  const walk = (xs: HostItem[], loop?: LoopItem) => {
    out.push({ items: xs, loop });
    for (const x of xs) {
      if (x.kind === 'loop') walk(x.body, x);
      else if (x.kind === 'other') for (const n of x.nested) walk(n);
    }
  };
  walk(items);
  return out;
}

/**
 * The span a statement occupies including its indentation, a trailing line comment and its line
 * break when it is alone on its lines, so deleting it leaves no blank line.
 */
export function lineSpan(src: string, span: Span): Span {
  let s = span.start;
  while (s > 0 && (src[s - 1] === ' ' || src[s - 1] === '\t')) s--;
  let e = span.end;
  while (e < src.length && (src[e] === ' ' || src[e] === '\t')) e++;
  // a trailing `// comment` speaks of the statement: it goes with it (else it would dangle alone)
  if (src.startsWith('//', e)) while (e < src.length && src[e] !== '\n' && src[e] !== '\r') e++;
  const aloneBefore = s === 0 || src[s - 1] === '\n';
  if (aloneBefore && src[e] === '\n') return { start: s, end: e + 1 };
  if (aloneBefore && src.startsWith('\r\n', e)) return { start: s, end: e + 2 };
  return span;
}

/** Indentation of the line holding `offset`. */
export function indentAt(src: string, offset: number): string {
  let s = offset;
  while (s > 0 && src[s - 1] !== '\n') s--;
  const m = /^[ \t]*/.exec(src.slice(s, offset));
  return m ? m[0] : '';
}

/** Token positions where `name` is mentioned in the function outside the given token ranges. */
export function mentionsOutside(f: HostFunction, name: string, ranges: Array<[number, number]>): number[] {
  return (f.mentions.get(name) ?? []).filter(p => !ranges.some(([a, b]) => p >= a && p <= b));
}

/** Offset of the line after the last `#include` (where new includes go), or 0. */
export function includeInsertOffset(src: string): number {
  const re = /^[ \t]*#[ \t]*include[^\n]*\n?/gm;
  let end = 0;
  for (let m = re.exec(src); m; m = re.exec(src)) end = m.index + m[0].length;
  return end;
}

/**
 * Calls nested inside a statement (`float s = thrust::reduce(...) / n;`) whose callee passes `want`,
 * as CallItems of that statement: span and tokens are the statement's, callSpan the call's own.
 */
export function embeddedCalls(t: Tokens, item: HostItem, want: (callee: string) => boolean): CallItem[] {
  const out: CallItem[] = [];
  for (let i = item.first; i <= item.last; i++) {
    if (!t.isIdent(i) || t.is(i - 1, '::') || t.is(i - 1, '.') || t.is(i - 1, '->')) continue;
    let j = i;
    while (t.is(j + 1, '::') && t.isIdent(j + 2)) j += 2;
    const callee = collapse(t.slice(i, j));
    if (!want(callee)) continue;
    let k = j;
    let templateArgs: string | undefined;
    if (t.is(k + 1, '<')) {
      const gt = matchAngle(t, k + 1, item.last + 1);
      if (gt < 0) continue;
      templateArgs = collapse(t.slice(k + 2, gt - 1));
      k = gt;
    }
    if (!t.is(k + 1, '(')) continue;
    const close = matchClose(t, k + 1, item.last + 1);
    if (close < 0) continue;
    out.push({
      kind: 'call', first: item.first, last: item.last, span: item.span, idents: item.idents,
      callee, templateArgs, args: argsOf(t, k + 1, close), callSpan: { start: t.starts[i], end: t.ends[close] },
    });
    i = close;
  }
  return out;
}

/** Constant lookup that also sees the function's local constants (`const int n = 1 << 20;`). */
export function localLookup(f: HostFunction, outer: Lookup): Lookup {
  const busy = new Set<string>();
  const look: Lookup = (name: string) => {
    const d = f.types.get(name);
    const init = d && !d.param ? d.init ?? (d.ctorArgs?.length === 1 ? d.ctorArgs[0] : undefined) : undefined;
    if (init && !busy.has(name) && /\b(const|constexpr)\b/.test(d!.type)) {
      busy.add(name);
      const v = evalText(init.text, look);
      busy.delete(name);
      if (v !== undefined) return v;
    }
    return outer(name);
  };
  return look;
}
