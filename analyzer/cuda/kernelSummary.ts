// Kernel body analysis: for each pointer parameter, whether the kernel reads or writes it and at
// which index relative to its own thread (identity, stencil offset, broadcast, gather, reduction);
// the kernel's shape (guarded, early-return, grid-stride), its element-count parameter(s), and the
// per-element code the fused-kernel generator reuses.

import type { Access, IndexPattern } from '../core/ir';
import type { Span } from '../core/text';
import { Ch, Tok, type Tokens } from './lexer';
import type { FunctionDecl, TemplateParam } from './scanner';
import { splitTopLevel, matchClose } from './scanner';
import { parseStatements, walkStatements, type Stmt } from './statements';
import { addPoly, atomPoly, isThreadDependent, mulPoly, polyAtoms, polyEquals, polyToText, toPoly, type Poly } from './symbolic';
import { baseType, elementSize } from './types';

export interface KernelParam {
  index: number;
  name: string;
  typeText: string;
  baseType: string;
  isPointer: boolean;
  /** The pointee is const (`const float*`). */
  isConst: boolean;
  restrict: boolean;
  /** Declared with a default argument (`int* partial = NULL`): a launch may leave it out. */
  hasDefault: boolean;
  /** Token index in the summary's own tokens (no text offsets: a moved summary shares its parameters). */
  nameTok: number;
}

export interface SubscriptUse {
  nameTok: number;
  /** `[` and `]` token indices. */
  open: number;
  close: number;
  read: boolean;
  write: boolean;
  pattern: IndexPattern;
  /** Parameters `P` such that the access only happens when its index is `< P` (if or ?: guard). */
  guards?: string[];
}

export interface ParamUse {
  access: Access | 'none';
  index: IndexPattern;
  subscripts: SubscriptUse[];
  /** Non-subscript references (pointer passed on, arithmetic): make the pattern unknown. */
  otherUses: number[];
  atomic: boolean;
}

export type ShapeKind = 'guarded' | 'early-return' | 'grid-stride' | 'unguarded' | 'unknown';

export interface KernelShape {
  kind: ShapeKind;
  dims: 1 | 2;
  /** Primary index variables: [i] for 1D; [x, y] for 2D. Declared in `primaryDecls`. */
  indexVars: string[];
  /** Statements (token ranges) declaring the primary index variables. */
  primaryDecls: Array<[number, number]>;
  /** Guard condition tokens (inside the parentheses) for guarded / early-return shapes. */
  guard?: [number, number];
  /** The element count expression per dimension, in terms of parameters (text) and the params it reads. */
  counts: Array<{ text: string; params: string[]; tokens: [number, number] }>;
  /** For 2D identity: the row stride expression text and params (y * stride + x). */
  rowStride?: { text: string; params: string[] };
  /** Other statements before the guard (executed per element in a fused kernel). */
  prologue: Array<[number, number]>;
  /** Per-element statements (token ranges). */
  element: Array<[number, number]>;
  /** The grid-stride loop statement, when that is the shape. */
  loop?: { headOpen: number; headClose: number };
  reason?: string;
}

export interface KernelSummary {
  name: string;
  qualifiedName: string;
  file: string;
  decl: FunctionDecl;
  tokens: Tokens;
  span: Span;
  nameSpan: Span;
  bodySpan: Span;
  params: KernelParam[];
  uses: Map<string, ParamUse>;
  shape: KernelShape;
  templateParams: TemplateParam[];
  usesShared: boolean;
  usesSync: boolean;
  usesShuffle: boolean;
  usesAtomics: boolean;
  /** Refers to thread/block builtins outside the primary index declarations. */
  geometryDependent: boolean;
  /** A `return` inside the per-element code (other than the early-return guard). */
  returnInElement: boolean;
  /** Device functions / unknown calls that receive a pointer parameter. */
  pointerEscapes: string[];
  /** Rough arithmetic operator count per element (operators outside subscripts, math calls). */
  flopsPerElement: number;
  /** What the body does beyond its buffers that fusion would reorder (`printf`, a device-side CUDA API call, a clock read), if anything. */
  effects?: string;
  /** The body has no statements: a marker or a launch-overhead benchmark, not work to batch. */
  emptyBody: boolean;
  launchBounds?: string;
}

const GID_X = gid('x');
const GID_Y = gid('y');
const STRIDE_X = mulPoly(atomPoly('blockDim.x'), atomPoly('gridDim.x'));
const STRIDE_Y = mulPoly(atomPoly('blockDim.y'), atomPoly('gridDim.y'));

function gid(d: string): Poly {
  return addPoly(mulPoly(atomPoly(`blockDim.${d}`), atomPoly(`blockIdx.${d}`)), atomPoly(`threadIdx.${d}`));
}

const SYNC_WORDS = new Set(['__syncthreads', '__syncwarp', '__syncthreads_or', '__syncthreads_and', '__syncthreads_count', 'sync', 'grid_sync']);
const SHUFFLE_RE = /^__(shfl|reduce)_\w*sync$/;
const ATOMIC_RE = /^atomic[A-Z]\w*$/;
const GEOMETRY_OBJECTS = new Set(['threadIdx', 'blockIdx', 'blockDim', 'gridDim']);
const ASSIGN_OPS = new Set(['=', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '<<=']);

export function parseParams(t: Tokens, open: number, close: number): KernelParam[] {
  const out: KernelParam[] = [];
  if (close <= open + 1) return out;
  let idx = 0;
  for (const [a, b] of splitTopLevel(t, open + 1, close - 1)) {
    if (a > b) continue;
    // drop a default argument
    let end = b;
    for (let i = a; i <= b; i++) if (t.is(i, '=')) { end = i - 1; break; }
    let nameTok = -1;
    for (let i = end; i >= a; i--) {
      if (t.isIdent(i)) { nameTok = i; break; }
      if (t.is(i, ']')) {
        // array parameter `float x[]`
        for (; i >= a && !t.is(i, '['); i--);
      }
    }
    if (a === end && t.is(a, 'void')) continue;
    const typeText = nameTok > a ? t.slice(a, nameTok - 1) : t.slice(a, end);
    const hasArray = nameTok >= 0 && t.is(nameTok + 1, '[');
    const ty = typeTraits(typeText);
    const isPointer = ty.star || hasArray;
    out.push({
      index: idx++,
      name: nameTok >= 0 ? t.text(nameTok) : '',
      typeText: ty.trimmed,
      baseType: ty.base,
      isPointer,
      isConst: isPointer ? ty.constPointee : ty.hasConst,
      restrict: ty.restrict,
      hasDefault: end < b,
      nameTok,
    });
  }
  return out;
}

interface TypeTraits { trimmed: string; base: string; star: boolean; hasConst: boolean; constPointee: boolean; restrict: boolean }
/** What a parameter's type text says, memoized: a file spells the same few types many times. */
const typeTraitsCache = new Map<string, TypeTraits>();
function typeTraits(typeText: string): TypeTraits {
  let r = typeTraitsCache.get(typeText);
  if (!r) {
    // const applies to the pointee when it comes before the last `*`
    const lastStar = typeText.lastIndexOf('*');
    const constPos = typeText.search(/\bconst\b/);
    r = {
      trimmed: typeText.trim(),
      base: baseType(typeText),
      star: lastStar >= 0,
      hasConst: constPos >= 0,
      constPointee: constPos >= 0 && (lastStar < 0 || constPos < lastStar),
      restrict: /__restrict__|__restrict\b|\brestrict\b/.test(typeText),
    };
    if (typeTraitsCache.size > 10_000) typeTraitsCache.clear();
    typeTraitsCache.set(typeText, r);
  }
  return r;
}

/** What a summary knows from the kernel's body (all of it but the head): made when first read. */
type BodyFacts = Pick<KernelSummary, 'uses' | 'shape' | 'usesShared' | 'usesSync' | 'usesShuffle' | 'usesAtomics' | 'geometryDependent' | 'returnInElement' | 'pointerEscapes' | 'flopsPerElement' | 'effects' | 'emptyBody'>;

/**
 * A kernel's summary: the head (name, spans, parameters, template list) at once, the body facts
 * when something first reads one. Most kernels a file or a workspace index defines are never
 * launched where a plan needs their body (real code: 0 to 9 of 50-65 kernels in launch sequences
 * of two or more), and the body analysis is most of a summary's cost. Body facts are in token
 * indices of the summary's own tokens, so a moved summary shares them (`holder`).
 */
class LazySummary implements KernelSummary {
  readonly params: KernelParam[];
  readonly templateParams: TemplateParam[];
  readonly launchBounds?: string;
  constructor(
    readonly name: string, readonly qualifiedName: string, readonly file: string,
    readonly decl: FunctionDecl, readonly tokens: Tokens,
    readonly span: Span, readonly nameSpan: Span, readonly bodySpan: Span,
    params: KernelParam[], private readonly holder: { facts?: BodyFacts },
  ) {
    this.params = params;
    this.templateParams = decl.templateParams;
    this.launchBounds = decl.launchBounds;
  }
  private get body(): BodyFacts { return (this.holder.facts ??= bodyFacts(this.tokens, this.decl, this.params)); }
  get uses() { return this.body.uses; }
  get shape() { return this.body.shape; }
  get usesShared() { return this.body.usesShared; }
  get usesSync() { return this.body.usesSync; }
  get usesShuffle() { return this.body.usesShuffle; }
  get usesAtomics() { return this.body.usesAtomics; }
  get geometryDependent() { return this.body.geometryDependent; }
  get returnInElement() { return this.body.returnInElement; }
  get pointerEscapes() { return this.body.pointerEscapes; }
  get flopsPerElement() { return this.body.flopsPerElement; }
  get effects() { return this.body.effects; }
  get emptyBody() { return this.body.emptyBody; }
  /** The same kernel `delta` characters further on (an edit above it): body facts shared. */
  moved(delta: number): LazySummary {
    const mv = (x: Span): Span => ({ start: x.start + delta, end: x.end + delta });
    return new LazySummary(this.name, this.qualifiedName, this.file, this.decl, this.tokens, mv(this.span), mv(this.nameSpan), mv(this.bodySpan), this.params, this.holder);
  }
  /** Whether the body has been analyzed (tests, benchmarks). */
  get bodyAnalyzed(): boolean { return this.holder.facts !== undefined; }
}

/**
 * `bodyNow`: the caller knows the body will be read (a launch in the file names the kernel): a
 * plain object with every fact, whose fields are read without the getters' indirection (the
 * dense benchmark file, all of whose kernels are launched, took 5% longer through them).
 */
export function summarizeKernel(t: Tokens, decl: FunctionDecl, file: string, bodyNow = false): KernelSummary {
  const params = parseParams(t, decl.paramsOpen, decl.paramsClose);
  const endTok = decl.bodyClose >= 0 ? decl.bodyClose : decl.end;
  const span = { start: t.starts[decl.headStart], end: t.ends[endTok] };
  const nameSpan = { start: t.starts[decl.nameTok], end: t.ends[decl.nameTok] };
  const bodySpan = { start: t.starts[decl.bodyOpen], end: t.ends[endTok] };
  if (!bodyNow) return new LazySummary(decl.name, decl.qualifiedName, file, decl, t, span, nameSpan, bodySpan, params, {});
  return {
    name: decl.name, qualifiedName: decl.qualifiedName, file, decl, tokens: t, span, nameSpan, bodySpan,
    params, templateParams: decl.templateParams, launchBounds: decl.launchBounds,
    ...bodyFacts(t, decl, params),
  };
}

/** Whether a summary's body facts have been made (a plain object's always are). */
export function bodyAnalyzed(k: KernelSummary): boolean {
  return k instanceof LazySummary ? k.bodyAnalyzed : true;
}

function bodyFacts(t: Tokens, decl: FunctionDecl, params: KernelParam[]): BodyFacts {
  const bodyEnd = decl.bodyClose >= 0 ? decl.bodyClose - 1 : decl.end;
  const stmts = parseStatements(t, decl.bodyOpen + 1, bodyEnd);
  const paramNames = new Set<string>();
  const pointerParams = new Set<string>();
  for (const p of params) {
    paramNames.add(p.name);
    if (p.isPointer) pointerParams.add(p.name);
  }

  // 1. index variables: declarations whose initializers depend on the thread position
  const vars = new Map<string, Poly>();
  const assignedLater = collectAssignedNames(t, decl.bodyOpen + 1, bodyEnd);
  const subst = (name: string) => vars.get(name);
  const declStmts = new Map<string, [number, number]>();
  walkStatements(stmts, s => {
    if (s.kind === 'simple') collectIndexDecls(t, s.start, s.end, subst, vars, declStmts, assignedLater, pointerParams);
    if (s.kind === 'for') collectIndexDecls(t, s.headOpen + 1, firstSemi(t, s.headOpen + 1, s.headClose), subst, vars, declStmts, assignedLater, pointerParams, true);
  });
  const dependent = threadDependentLocals(t, decl.bodyOpen + 1, bodyEnd, vars);
  const threadVar = (atom: string) => atomMentionsVar(atom, vars, dependent);

  // 2. builtins and cooperation
  let usesShared = false, usesSync = false, usesShuffle = false, usesAtomics = false;
  for (let i = decl.bodyOpen + 1; i <= bodyEnd; i++) {
    if (t.kinds[i] !== Tok.Ident) continue;
    // every builtin of interest starts with `_`, `a` (atomic*), `s` (sync) or `g` (grid_sync)
    const c0 = t.src.charCodeAt(t.starts[i]);
    if (c0 !== 95 && c0 !== 97 && c0 !== 115 && c0 !== 103) continue;
    const w = t.text(i);
    if (w === '__shared__') usesShared = true;
    else if (SYNC_WORDS.has(w) && t.is(i + 1, '(')) usesSync = true;
    else if (SHUFFLE_RE.test(w)) usesShuffle = true;
    else if (ATOMIC_RE.test(w)) usesAtomics = true;
  }

  // 3. parameter uses
  const uses = new Map<string, ParamUse>();
  const pointerEscapes: string[] = [];
  for (const p of params) if (p.isPointer) uses.set(p.name, { access: 'none', index: { kind: 'identity' }, subscripts: [], otherUses: [], atomic: false });
  const shadowed = localShadows(t, decl.bodyOpen + 1, bodyEnd, pointerParams);
  for (let i = decl.bodyOpen + 1; i <= bodyEnd; i++) {
    if (t.kinds[i] !== Tok.Ident) continue;
    const name = t.text(i);
    const use = uses.get(name);
    if (!use || shadowed.has(name)) continue;
    if (t.is(i - 1, '.') || t.is(i - 1, '->') || t.is(i - 1, '::')) continue;
    if (t.is(i + 1, '[')) {
      const close = matchClose(t, i + 1, bodyEnd + 1);
      if (close < 0) { use.otherUses.push(i); continue; }
      const { read, write } = subscriptAccess(t, i, close);
      const atomicCall = enclosingAtomic(t, i);
      const pattern = atomicCall ? { kind: 'reduction', how: 'atomic' } as IndexPattern : classifyIndex(t, i + 2, close - 1, subst, threadVar, vars);
      if (atomicCall) use.atomic = true;
      use.subscripts.push({ nameTok: i, open: i + 1, close, read: read || !!atomicCall, write: write || !!atomicCall, pattern });
      i = close;
      continue;
    }
    // non-subscript: atomicAdd(p, v), *p, p + k, f(p), null checks
    const atomicCall = enclosingAtomic(t, i);
    if (atomicCall) {
      use.atomic = true;
      use.subscripts.push({ nameTok: i, open: i, close: i, read: true, write: true, pattern: { kind: 'reduction', how: 'atomic' } });
      continue;
    }
    if (t.is(i + 1, '==') || t.is(i + 1, '!=') || t.is(i - 1, '!')) continue;
    if (t.is(i - 1, '*') && !isOperandBefore(t, i - 1)) {
      const w = isWriteAfter(t, i);
      use.subscripts.push({ nameTok: i, open: i, close: i, read: !w.write || w.read, write: w.write, pattern: { kind: 'broadcast' } });
      continue;
    }
    use.otherUses.push(i);
    const callee = enclosingCallName(t, i);
    if (callee) pointerEscapes.push(callee);
  }
  for (const [name, use] of uses) finishUse(name, use, usesShared || usesSync);

  // 4. shape
  const shape = detectShape(t, stmts, vars, declStmts, paramNames, subst);
  // bounds checks around identity accesses, for kernels whose shape is not a plain guard
  for (const use of uses.values()) {
    for (const sub of use.subscripts) {
      if (sub.pattern.kind === 'identity' && sub.close === sub.open + 2 && t.isIdent(sub.open + 1)) {
        sub.guards = guardsAround(t, stmts, sub.nameTok, t.text(sub.open + 1), paramNames);
      }
    }
  }

  // 5. geometry dependence and returns in per-element code
  const primaryRanges: Array<[number, number]> = [...shape.primaryDecls];
  if (shape.loop) primaryRanges.push([shape.loop.headOpen, shape.loop.headClose]);
  const primaryTokens = { has: (i: number) => primaryRanges.some(([a, b]) => i >= a && i <= b) };
  let geometryDependent = false;
  let returnInElement = false;
  const elementRanges = [...shape.prologue, ...shape.element];
  for (const [a, b] of elementRanges) {
    for (let i = a; i <= b; i++) {
      if (primaryTokens.has(i)) continue;
      if (t.kinds[i] === Tok.Ident) {
        const w = t.text(i);
        if (GEOMETRY_OBJECTS.has(w)) geometryDependent = true;
        if (w === 'return') returnInElement = true;
        if (vars.has(w) && !shape.indexVars.includes(w)) {
          // a secondary thread-dependent variable (e.g. tid = threadIdx.x) used per element
          const poly = vars.get(w)!;
          if (!polyEquals(poly, GID_X) && !polyEquals(poly, GID_Y)) geometryDependent = true;
        }
      }
    }
  }
  if (shape.kind === 'unknown' || shape.kind === 'unguarded') geometryDependent = true;
  const flopsPerElement = countFlops(t, elementRanges.length ? elementRanges : [[decl.bodyOpen + 1, bodyEnd]]);

  return {
    uses,
    shape,
    usesShared,
    usesSync,
    usesShuffle,
    usesAtomics,
    geometryDependent: geometryDependent || usesShared || usesSync || usesShuffle,
    returnInElement,
    pointerEscapes,
    flopsPerElement,
    effects: effectsIn(t, decl.bodyOpen + 1, bodyEnd),
    emptyBody: bodyEnd < decl.bodyOpen + 1,
  };
}

/**
 * Effects other threads or the host can observe in their order: output (`printf`), device-side
 * CUDA API calls (graph conditionals, device launches), traps and asserts, and clock reads (timing
 * and spin-waits). Fusing such a kernel with another interleaves or reorders them.
 */
function effectsIn(t: Tokens, a: number, b: number): string | undefined {
  for (let i = a; i <= b; i++) {
    if (!t.isIdent(i) || !t.is(i + 1, '(')) continue;
    const w = t.text(i);
    if (w === 'printf') return 'calls printf: fused, its output would interleave with the other kernels\'';
    if (/^cuda[A-Z]\w*$/.test(w)) return `calls the device-side CUDA API (\`${w}\`)`;
    if (w === '__trap' || w === 'assert' || w === '__brkpt') return `may stop the kernel (\`${w}\`)`;
    if (w === 'clock' || w === 'clock64' || w === '__globaltimer') return `reads the clock (\`${w}\`): its timing is part of what it does`;
  }
  return undefined;
}

const ARITH = new Set(['+', '-', '*', '/', '%', '+=', '-=', '*=', '/=']);
const MATH_CALL = /^(__)?(exp|log|sqrt|rsqrt|sin|cos|tan|tanh|pow|fma|fmax|fmin|max|min|abs|fabs|erf|ceil|floor|round)(f|10f|2f|f2)?$/;

/** Arithmetic operators outside subscripts plus math calls: a rough per-element operation count. */
function countFlops(t: Tokens, ranges: Array<[number, number]>): number {
  let n = 0;
  for (const [a, b] of ranges) {
    let sub = 0;
    for (let i = a; i <= b; i++) {
      // one-character punctuators by their character (t.ch), texts only for the rest
      const ch = t.ch(i);
      if (ch === 91 /* [ */) sub++;
      else if (ch === 93 /* ] */) sub--;
      else if (sub !== 0) continue;
      else if (t.kinds[i] === Tok.Punct && ARITH.has(t.text(i)) && t.ch(i - 1) !== 40 /* ( */ && t.ch(i - 1) !== 44 /* , */) n++;
      else if (t.kinds[i] === Tok.Ident && t.ch(i + 1) === 40 /* ( */ && MATH_CALL.test(t.text(i))) n++;
    }
  }
  return n;
}

function firstSemi(t: Tokens, a: number, b: number): number {
  for (let i = a; i <= b; i++) if (t.is(i, ';')) return i;
  return b;
}

/** Names assigned anywhere in [a, b] (other than in their declaration): `x = ...`, `x += ...`, `++x`. */
function collectAssignedNames(t: Tokens, a: number, b: number): Map<string, number> {
  const m = new Map<string, number>();
  for (let i = a; i <= b; i++) {
    if (t.kinds[i] !== Tok.Ident) continue;
    const next = i + 1;
    // assignment operators end with `=`: tested on that character before the operator's text
    const isAssign = (t.kinds[next] === Tok.Punct && t.src.charCodeAt(t.ends[next] - 1) === 61 && ASSIGN_OPS.has(t.text(next)) && !isDeclarator(t, i)) || t.is(next, '++') || t.is(next, '--') || t.is(i - 1, '++') || t.is(i - 1, '--');
    if (isAssign && !t.is(i - 1, '.') && !t.is(i - 1, '->')) m.set(t.text(i), (m.get(t.text(i)) ?? 0) + 1);
  }
  return m;
}

/** `int i = ...` / `auto i = ...` / `, j = ...`: the identifier is being declared, not assigned. */
function isDeclarator(t: Tokens, i: number): boolean {
  const prev = i - 1;
  if (t.is(prev, ',')) return true; // conservative: `int a = 0, b = 1;`
  if (t.isIdent(prev)) {
    const w = t.text(prev);
    return !['return', 'case', 'else', 'do'].includes(w);
  }
  return t.is(prev, '*') || t.is(prev, '&') || t.is(prev, '>');
}

function collectIndexDecls(
  t: Tokens, a: number, b: number, subst: (n: string) => Poly | undefined,
  vars: Map<string, Poly>, declStmts: Map<string, [number, number]>, assigned: Map<string, number>,
  pointers: Set<string>, inForHead = false,
): void {
  // declaration: <type words> name = expr [, name = expr]* ;
  if (!t.isIdent(a)) return;
  const first = t.text(a);
  if (['return', 'if', 'for', 'while', 'else'].includes(first)) return;
  // a declaration starts with a type: `int i`, `const int i`, `unsigned int i`, `std::size_t i`, `auto i`
  const isDecl = t.isIdent(a + 1) || t.is(a + 1, '::') || t.is(a + 1, '<');
  if (!isDecl) return;
  let end = b;
  if (t.is(end, ';')) end--;
  for (const [pa, pb] of splitTopLevel(t, a, end, false)) {
    let eq = -1;
    for (let i = pa; i <= pb; i++) if (t.is(i, '=')) { eq = i; break; }
    if (eq < 0 || !t.isIdent(eq - 1)) continue;
    const nameTok = eq - 1;
    // must be a declaration: something type-like before the name (or a comma continuing one)
    if (!(t.isIdent(nameTok - 1) || t.is(nameTok - 1, '>') || pa === nameTok)) continue;
    if (t.is(nameTok - 1, '*') || pointers.has(t.text(nameTok))) continue;
    const name = t.text(nameTok);
    // only the thread builtins and index variables found so far make an index: without one of
    // them the initializer (often long: tiles, fragments, constants) is not worth a polynomial
    if (!mentionsIndexWord(t, eq + 1, pb, vars)) continue;
    const poly = toPoly(t, eq + 1, pb, subst);
    if (!poly) continue;
    if (!isThreadDependent(poly) && !isStrideLike(poly)) continue;
    // a variable assigned again is not a stable index, except the grid-stride loop variable
    if ((assigned.get(name) ?? 0) > (inForHead ? 1 : 0)) continue;
    vars.set(name, poly);
    declStmts.set(name, [a, b]);
  }
}

const INDEX_BUILTINS = new Set(['threadIdx', 'blockIdx', 'blockDim', 'gridDim']);

/** Whether tokens [a, b] name a thread builtin or one of `vars`: what a thread-dependent or stride polynomial needs. */
function mentionsIndexWord(t: Tokens, a: number, b: number, vars: Map<string, Poly>): boolean {
  for (let i = a; i <= b; i++) {
    if (t.kinds[i] !== Tok.Ident) continue;
    const w = t.text(i);
    if (INDEX_BUILTINS.has(w) || vars.has(w)) return true;
  }
  return false;
}

function isStrideLike(p: Poly): boolean {
  return polyEquals(p, STRIDE_X) || polyEquals(p, STRIDE_Y);
}

/** True when an opaque atom's text names a thread-dependent variable or builtin (not `.y` members). */
function atomMentionsVar(atom: string, vars: Map<string, Poly>, dependent: Set<string>): boolean {
  for (const w of atomNames(atom)) {
    if (w === 'threadIdx' || w === 'blockIdx') return true;
    if (dependent.has(w)) return true;
    const p = vars.get(w);
    if (p && isThreadDependent(p)) return true;
  }
  return false;
}

/** Names an atom's text mentions (not members after `.` or `->`), memoized per atom text. */
const atomNamesCache = new Map<string, string[]>();
function atomNames(atom: string): string[] {
  let names = atomNamesCache.get(atom);
  if (!names) {
    names = [...atom.matchAll(/(?<![.\w>])[A-Za-z_]\w*/g)].map(m => m[0]);
    if (atomNamesCache.size > 50_000) atomNamesCache.clear();
    atomNamesCache.set(atom, names);
  }
  return names;
}

/**
 * Locals whose value depends on the thread's position, directly or through other locals
 * (`int xx = min(x + dx, w - 1);`). Two passes settle chains written in any order.
 */
function threadDependentLocals(t: Tokens, a: number, b: number, vars: Map<string, Poly>): Set<string> {
  const dep = new Set<string>();
  for (const [n, p] of vars) if (isThreadDependent(p)) dep.add(n);
  for (let pass = 0; pass < 2; pass++) {
    for (let i = a; i <= b; i++) {
      if (!t.isIdent(i) || t.kinds[i + 1] !== Tok.Punct) continue;
      // every assignment operator ends with `=`: tested on the character before the text
      if (t.src.charCodeAt(t.ends[i + 1] - 1) !== 61 || !ASSIGN_OPS.has(t.text(i + 1))) continue;
      if (t.is(i + 1, '==')) continue;
      // `s.field = ...` makes the local struct `s` depend on what is assigned (gups.cu's `ran.data`)
      const member = t.is(i - 1, '.') && t.isIdent(i - 2) && !t.is(i - 3, '.') && !t.is(i - 3, '->');
      if (!member && (t.is(i - 1, '.') || t.is(i - 1, '->'))) continue;
      const name = t.text(member ? i - 2 : i);
      if (dep.has(name)) continue;
      // right-hand side up to `;` or `,` at depth 0
      let depth = 0;
      for (let j = i + 2; j <= b; j++) {
        const ch = t.ch(j);
        if (ch === 40 /* ( */ || ch === 91 /* [ */ || ch === 123 /* { */) depth++;
        else if (ch === 41 /* ) */ || ch === 93 /* ] */ || ch === 125 /* } */) { if (--depth < 0) break; }
        else if (depth === 0 && (ch === 59 /* ; */ || ch === 44 /* , */)) break;
        if (t.isIdent(j) && !t.is(j - 1, '.') && !t.is(j - 1, '->')) {
          const w = t.text(j);
          if (w === 'threadIdx' || w === 'blockIdx' || dep.has(w)) { dep.add(name); break; }
        }
      }
    }
  }
  return dep;
}

function subscriptAccess(t: Tokens, nameTok: number, close: number): { read: boolean; write: boolean } {
  // skip member access after the subscript: p[i].x = ...
  let j = close + 1;
  while ((t.is(j, '.') || t.is(j, '->')) && t.isIdent(j + 1)) j += 2;
  const pre = nameTok - 1;
  if (t.is(pre, '++') || t.is(pre, '--') || t.is(j, '++') || t.is(j, '--')) return { read: true, write: true };
  const op = t.text(j);
  if (op === '=' ) return { read: false, write: true };
  if (ASSIGN_OPS.has(op)) return { read: true, write: true };
  // `>>=` is lexed as `>` `>=`
  if (t.is(j, '>') && t.is(j + 1, '>=') && t.adjacent(j, j + 1)) return { read: true, write: true };
  // address taken: `&p[i]`, also after a cast (`(unsigned long long*)&t[k].data`, gups.cu), where
  // the `)` before the `&` would otherwise make it a binary and
  if (t.is(pre, '&') && (!isOperandBefore(t, pre) || closesCast(t, pre - 1))) return { read: true, write: true };
  return { read: true, write: false };
}

function isWriteAfter(t: Tokens, i: number): { read: boolean; write: boolean } {
  const op = t.text(i + 1);
  if (op === '=') return { read: false, write: true };
  if (ASSIGN_OPS.has(op) || op === '++' || op === '--') return { read: true, write: true };
  return { read: true, write: false };
}

const CAST_TYPE_WORDS = new Set(['void', 'char', 'short', 'int', 'long', 'unsigned', 'signed', 'float', 'double', 'bool', 'const', 'volatile', 'struct', 'half', 'size_t']);

/** Whether the `)` at `close` ends a C-style cast `(type*)`: only type words, `::`, `*` and `&` inside, and a pointer or a type word. */
function closesCast(t: Tokens, close: number): boolean {
  if (!t.is(close, ')')) return false;
  let open = close - 1;
  let typeLike = t.is(close - 1, '*') || t.is(close - 1, '&');
  for (; open >= 0 && !t.is(open, '('); open--) {
    if (t.isIdent(open)) {
      const w = t.text(open);
      if (CAST_TYPE_WORDS.has(w) || w.endsWith('_t')) typeLike = true;
    } else if (!t.is(open, '*') && !t.is(open, '&') && !t.is(open, '::')) return false;
  }
  return open >= 0 && open < close - 1 && typeLike;
}

/** True when token i (a `*` or `&`) is a binary operator (an operand precedes it). */
function isOperandBefore(t: Tokens, i: number): boolean {
  const p = i - 1;
  if (t.isIdent(p)) return !['return', 'case'].includes(t.text(p));
  return t.kind(p) === Tok.Number || t.is(p, ')') || t.is(p, ']');
}

/** If token i is (inside) the first argument of an atomicXxx(...) call, the call name. */
function enclosingAtomic(t: Tokens, i: number): string | undefined {
  let depth = 0;
  for (let j = i - 1; j >= Math.max(0, i - 12); j--) {
    const c = t.ch(j);
    if (c === 0) continue;
    if (c === Ch.RParen || c === Ch.RBracket) depth++;
    else if (c === Ch.LBracket) { if (depth === 0) return undefined; depth--; }
    else if (c === Ch.LParen) {
      if (depth === 0) {
        const w = t.text(j - 1);
        return ATOMIC_RE.test(w) ? w : undefined;
      }
      depth--;
    } else if (depth === 0 && (c === Ch.Comma || c === Ch.Semi || c === Ch.LBrace || c === Ch.RBrace)) return undefined;
  }
  return undefined;
}

function enclosingCallName(t: Tokens, i: number): string | undefined {
  let depth = 0;
  for (let j = i - 1; j >= Math.max(0, i - 64); j--) {
    if (t.is(j, ')')) depth++;
    else if (t.is(j, '(')) {
      if (depth === 0) return t.isIdent(j - 1) ? t.text(j - 1) : undefined;
      depth--;
    } else if (depth === 0 && (t.is(j, ';') || t.is(j, '{') || t.is(j, '}'))) return undefined;
  }
  return undefined;
}

/** Local declarations that shadow a parameter name make the analysis unreliable; we refuse them. */
function localShadows(t: Tokens, a: number, b: number, names: Set<string>): Set<string> {
  const s = new Set<string>();
  for (let i = a; i <= b; i++) {
    if (!t.isIdent(i) || !names.has(t.text(i))) continue;
    if ((t.isIdent(i - 1) && !['return', 'case'].includes(t.text(i - 1))) || (t.is(i - 1, '*') && t.isIdent(i - 2) && !isOperandBefore(t, i - 1))) {
      if (t.is(i + 1, '=') || t.is(i + 1, ';') || t.is(i + 1, '[') || t.is(i + 1, ',')) s.add(t.text(i));
    }
  }
  return s;
}

function classifyIndex(t: Tokens, a: number, b: number, subst: (n: string) => Poly | undefined, threadVar: (atom: string) => boolean, vars: Map<string, Poly>): IndexPattern {
  if (a > b) return { kind: 'unknown', reason: 'empty subscript' };
  const poly = toPoly(t, a, b, subst);
  if (!poly) return { kind: 'unknown', reason: `cannot read index \`${t.slice(a, b)}\`` };
  if (polyEquals(poly, GID_X)) return { kind: 'identity' }; // the common `p[i]`, without the general test below
  const text = t.slice(a, b);
  const atoms = polyAtoms(poly);
  for (const atom of atoms) if (atom.includes('[')) return { kind: 'indirect', via: atom.slice(0, atom.indexOf('[')) };
  if (!isThreadDependent(poly, threadVar)) return { kind: 'broadcast' };
  // opaque thread-dependent atoms (i / 2, i % w) are not affine
  for (const atom of atoms) {
    if (threadVar(atom) && !isPlainThreadAtom(atom)) {
      const mod = /%\(?([A-Za-z_]\w*)\)?$/.exec(atom.replace(/\s+/g, ''));
      return mod && atoms.size === 1 ? { kind: 'strided', text, modulo: mod[1] } : { kind: 'strided', text };
    }
  }
  const d1 = addPoly(poly, GID_X, -1);
  if (!isThreadDependent(d1, threadVar)) return d1.size === 0 ? { kind: 'identity' } : { kind: 'affine', offsets: [polyToText(d1)] };
  // 2D linear: gidY * W + gidX (+ offset)
  const stride = rowStrideOf(d1);
  if (stride) {
    const rest = addPoly(d1, mulPoly(GID_Y, stride), -1);
    if (!isThreadDependent(rest, threadVar)) return rest.size === 0 ? { kind: 'identity' } : { kind: 'affine', offsets: [polyToText(rest)] };
  }
  void vars;
  return { kind: 'strided', text };
}

function isPlainThreadAtom(atom: string): boolean {
  return /^(threadIdx|blockIdx)\.[xyz]$/.test(atom);
}

function mentionsAtom(p: Poly, atom: string): boolean {
  for (const k of p.keys()) if (k.includes(atom)) return true;
  return false;
}

/** If p contains threadIdx.y * W, return W (as a polynomial). */
export function rowStrideOf(p: Poly): Poly | undefined {
  for (const [k, v] of p) {
    const atoms = k.split('*');
    const idx = atoms.indexOf('threadIdx.y');
    if (idx >= 0) {
      const rest = atoms.filter((_, j) => j !== idx);
      return new Map([[rest.join('*'), v]]);
    }
  }
  return undefined;
}

function finishUse(_name: string, use: ParamUse, cooperative: boolean): void {
  let read = false;
  let write = false;
  for (const s of use.subscripts) {
    read ||= s.read;
    write ||= s.write;
  }
  use.access = read && write ? 'readwrite' : write ? 'write' : read ? 'read' : 'none';
  if (use.otherUses.length) {
    use.index = { kind: 'unknown', reason: 'the pointer is used other than by subscript (passed on, offset or aliased)' };
    if (use.access === 'none' || use.access === 'read') use.access = 'readwrite';
    return;
  }
  const pats = use.subscripts.map(s => s.pattern);
  if (pats.some(p => p.kind === 'reduction')) { use.index = { kind: 'reduction', how: 'atomic' }; return; }
  if (pats.some(p => p.kind === 'unknown')) { use.index = pats.find(p => p.kind === 'unknown')!; return; }
  if (pats.some(p => p.kind === 'indirect')) { use.index = pats.find(p => p.kind === 'indirect')!; return; }
  if (pats.some(p => p.kind === 'strided')) {
    // writes at an index that depends only on blockIdx (out[blockIdx.x]) are block partial results
    const w = use.subscripts.find(s => s.write && s.pattern.kind === 'strided');
    if (w && cooperative && !use.subscripts.some(s => s.read)) { use.index = { kind: 'reduction', how: 'block' }; return; }
    use.index = pats.find(p => p.kind === 'strided')!;
    return;
  }
  const offsets = new Set<string>();
  let identity = false;
  let broadcast = false;
  for (const p of pats) {
    if (p.kind === 'identity') identity = true;
    else if (p.kind === 'affine') p.offsets.forEach(o => offsets.add(o));
    else if (p.kind === 'broadcast') broadcast = true;
  }
  if (offsets.size) { use.index = { kind: 'affine', offsets: [...offsets] }; return; }
  if (identity && broadcast) {
    use.index = use.subscripts.some(s => s.write && s.pattern.kind === 'broadcast')
      ? { kind: 'unknown', reason: 'written at a fixed element by every thread' }
      : { kind: 'unknown', reason: 'read both per thread and at a fixed element' };
    return;
  }
  if (broadcast) {
    use.index = use.subscripts.some(s => s.write) ? (cooperative ? { kind: 'reduction', how: 'block' } : { kind: 'unknown', reason: 'every thread writes the same element' }) : { kind: 'broadcast' };
    return;
  }
  use.index = { kind: 'identity' };
}

// ---------------------------------------------------------------------------------------------
// Shape detection

function detectShape(
  t: Tokens, stmts: Stmt[], vars: Map<string, Poly>, declStmts: Map<string, [number, number]>,
  paramNames: Set<string>, subst: (n: string) => Poly | undefined,
): KernelShape {
  const unknown = (reason: string): KernelShape => ({ kind: 'unknown', dims: 1, indexVars: [], primaryDecls: [], counts: [], prologue: [], element: [], reason });
  let xVar: string | undefined;
  let yVar: string | undefined;
  let lin2d: [string, Poly] | undefined;
  for (const [n, p] of vars) {
    if (xVar === undefined && polyEquals(p, GID_X)) xVar = n;
    else if (yVar === undefined && polyEquals(p, GID_Y)) yVar = n;
    else if (lin2d === undefined && mentionsAtom(p, 'threadIdx.y')) {
      const d = addPoly(p, GID_X, -1);
      const s = rowStrideOf(d);
      if (s && addPoly(d, mulPoly(GID_Y, s), -1).size === 0) lin2d = [n, p];
    }
  }
  const prologue: Array<[number, number]> = [];
  const primaryDecls: Array<[number, number]> = [];
  const isPrimaryDecl = (s: Stmt): string[] => {
    if (s.kind !== 'simple') return [];
    const names: string[] = [];
    for (const [n, [a, b]] of declStmts) if (a === s.start && b === s.end) names.push(n);
    return names;
  };

  for (let k = 0; k < stmts.length; k++) {
    const s = stmts[k];
    const declared = isPrimaryDecl(s);
    if (declared.length) {
      primaryDecls.push([s.start, s.end]);
      continue;
    }
    if (s.kind === 'preproc') continue;
    const rest = stmts.slice(k + 1);
    // grid-stride loop
    if (s.kind === 'for') {
      const loopVar = gridStrideVar(t, s, subst);
      if (loopVar) {
        if (rest.length) return unknown('statements after the grid-stride loop');
        const cond = loopCondition(t, s);
        const count = cond && countOf(t, cond[0], cond[1], loopVar.name, paramNames);
        if (!count) return unknown('grid-stride loop bound is not `i < n`');
        return {
          kind: 'grid-stride', dims: 1, indexVars: [loopVar.name], primaryDecls, counts: [count], prologue,
          element: [[s.body.kind === 'block' ? s.body.start + 1 : s.body.start, s.body.kind === 'block' ? s.body.end - 1 : s.body.end]],
          loop: { headOpen: s.headOpen, headClose: s.headClose },
        };
      }
    }
    if (s.kind === 'if') {
      const g = guardOf(t, s.condOpen + 1, s.condClose - 1, xVar, yVar, lin2d?.[0], paramNames);
      if (g) {
        const thenIsReturn = s.then.kind === 'return' || (s.then.kind === 'block' && s.then.body.length === 1 && s.then.body[0].kind === 'return');
        if (g.negated && thenIsReturn && !s.else) {
          return {
            kind: 'early-return', dims: g.dims, indexVars: g.vars, primaryDecls, guard: [s.condOpen + 1, s.condClose - 1],
            counts: g.counts, rowStride: strideInfo(t, lin2d, paramNames), prologue,
            element: rest.filter(r => r.kind !== 'preproc').map(r => [r.start, r.end] as [number, number]),
          };
        }
        if (!g.negated && !s.else && rest.every(r => r.kind === 'preproc')) {
          const body = s.then;
          return {
            kind: 'guarded', dims: g.dims, indexVars: g.vars, primaryDecls, guard: [s.condOpen + 1, s.condClose - 1],
            counts: g.counts, rowStride: strideInfo(t, lin2d, paramNames), prologue,
            element: [[body.kind === 'block' ? body.start + 1 : body.start, body.kind === 'block' ? body.end - 1 : body.end]],
          };
        }
        return unknown('the bounds check is followed by other code');
      }
    }
    if (s.kind === 'simple') {
      prologue.push([s.start, s.end]);
      continue;
    }
    // anything else before a recognized guard
    if (xVar || lin2d) {
      const all = stmts.slice(k).filter(r => r.kind !== 'preproc').map(r => [r.start, r.end] as [number, number]);
      return { kind: 'unguarded', dims: yVar ? 2 : 1, indexVars: [xVar ?? lin2d![0]], primaryDecls, counts: [], prologue, element: all };
    }
    return unknown('no thread index and bounds check recognized');
  }
  if (xVar || lin2d) {
    // straight-line body with no guard: exact-size launches only
    return { kind: 'unguarded', dims: yVar ? 2 : 1, indexVars: [xVar ?? lin2d![0]], primaryDecls, counts: [], prologue: [], element: prologue };
  }
  return unknown('no thread index recognized');
}

function strideInfo(t: Tokens, lin2d: [string, Poly] | undefined, paramNames: Set<string>): { text: string; params: string[] } | undefined {
  if (!lin2d) return undefined;
  const d = addPoly(lin2d[1], GID_X, -1);
  const s = rowStrideOf(d);
  if (!s) return undefined;
  const text = polyToText(s);
  void t;
  return { text, params: [...text.matchAll(/[A-Za-z_]\w*/g)].map(m => m[0]).filter(n => paramNames.has(n)) };
}

function gridStrideVar(t: Tokens, s: Extract<Stmt, { kind: 'for' }>, subst: (n: string) => Poly | undefined): { name: string } | undefined {
  // for (int i = gid; i < n; i += stride)
  const parts: Array<[number, number]> = [];
  let start = s.headOpen + 1;
  let depth = 0;
  for (let i = s.headOpen + 1; i < s.headClose; i++) {
    if (t.is(i, '(')) depth++;
    else if (t.is(i, ')')) depth--;
    else if (depth === 0 && t.is(i, ';')) { parts.push([start, i - 1]); start = i + 1; }
  }
  parts.push([start, s.headClose - 1]);
  if (parts.length !== 3) return undefined;
  const [init, , inc] = parts;
  let eq = -1;
  for (let i = init[0]; i <= init[1]; i++) if (t.is(i, '=')) { eq = i; break; }
  if (eq < 0 || !t.isIdent(eq - 1)) return undefined;
  const name = t.text(eq - 1);
  const initPoly = toPoly(t, eq + 1, init[1], subst);
  if (!initPoly || !polyEquals(initPoly, GID_X)) return undefined;
  // increment: i += stride
  if (!(t.is(inc[0], name) && t.is(inc[0] + 1, '+='))) return undefined;
  const incPoly = toPoly(t, inc[0] + 2, inc[1], subst);
  if (!incPoly || !polyEquals(incPoly, STRIDE_X)) return undefined;
  return { name };
}

function loopCondition(t: Tokens, s: Extract<Stmt, { kind: 'for' }>): [number, number] | undefined {
  let first = -1;
  let second = -1;
  let depth = 0;
  for (let i = s.headOpen + 1; i < s.headClose; i++) {
    if (t.is(i, '(')) depth++;
    else if (t.is(i, ')')) depth--;
    else if (depth === 0 && t.is(i, ';')) {
      if (first < 0) first = i;
      else { second = i; break; }
    }
  }
  return first >= 0 && second > first ? [first + 1, second - 1] : undefined;
}

/** `i < n` (or `n > i`) in [a, b]: the count expression when `i` is the variable. */
function countOf(t: Tokens, a: number, b: number, v: string, paramNames: Set<string>): KernelShape['counts'][0] | undefined {
  if (t.is(a, v) && t.is(a + 1, '<') && b >= a + 2) return count(t, a + 2, b, paramNames);
  if (t.is(b, v) && t.is(b - 1, '>') && b - 2 >= a) return count(t, a, b - 2, paramNames);
  return undefined;
}

function count(t: Tokens, a: number, b: number, paramNames: Set<string>): KernelShape['counts'][0] {
  const params: string[] = [];
  for (let i = a; i <= b; i++) if (t.isIdent(i) && paramNames.has(t.text(i))) params.push(t.text(i));
  return { text: t.slice(a, b), params, tokens: [a, b] };
}

interface Guard {
  negated: boolean;
  dims: 1 | 2;
  vars: string[];
  counts: KernelShape['counts'];
}

/**
 * Recognizes bounds checks: `i < n`, `i >= n` (negated), `x < w && y < h`, `x >= w || y >= h`,
 * and for a 2D linear index `idx < w * h`.
 */
function guardOf(t: Tokens, a: number, b: number, xVar: string | undefined, yVar: string | undefined, lin: string | undefined, paramNames: Set<string>): Guard | undefined {
  const conj = splitLogical(t, a, b, '&&');
  const disj = splitLogical(t, a, b, '||');
  const tryCmp = (ra: number, rb: number, neg: boolean): { v: string; c: KernelShape['counts'][0] } | undefined => {
    for (const v of [xVar, yVar, lin]) {
      if (!v) continue;
      // v < n | n > v | v >= n (neg) | n <= v (neg)
      if (t.is(ra, v) && t.is(ra + 1, neg ? '>=' : '<') && rb >= ra + 2) return { v, c: count(t, ra + 2, rb, paramNames) };
      if (t.is(rb, v) && t.is(rb - 1, neg ? '<=' : '>') && rb - 2 >= ra) return { v, c: count(t, ra, rb - 2, paramNames) };
    }
    return undefined;
  };
  for (const neg of [false, true]) {
    const parts = neg ? disj : conj;
    if (parts.length === 1) {
      const c = tryCmp(parts[0][0], parts[0][1], neg);
      if (c && (c.v === xVar || c.v === lin) && (!yVar || c.v === lin)) return { negated: neg, dims: c.v === lin && yVar ? 2 : 1, vars: [c.v], counts: [c.c] };
    }
    if (parts.length === 2 && xVar && yVar) {
      const c1 = tryCmp(parts[0][0], parts[0][1], neg);
      const c2 = tryCmp(parts[1][0], parts[1][1], neg);
      if (c1 && c2) {
        const cx = c1.v === xVar ? c1 : c2.v === xVar ? c2 : undefined;
        const cy = c1.v === yVar ? c1 : c2.v === yVar ? c2 : undefined;
        if (cx && cy) return { negated: neg, dims: 2, vars: [xVar, yVar], counts: [cx.c, cy.c] };
      }
    }
  }
  return undefined;
}

function splitLogical(t: Tokens, a: number, b: number, op: string): Array<[number, number]> {
  const parts: Array<[number, number]> = [];
  let depth = 0;
  let start = a;
  // strip one level of wrapping parentheses
  if (t.is(a, '(') && matchClose(t, a, b + 1) === b) return splitLogical(t, a + 1, b - 1, op);
  for (let i = a; i <= b; i++) {
    if (t.is(i, '(')) depth++;
    else if (t.is(i, ')')) depth--;
    else if (depth === 0 && t.is(i, op)) { parts.push(strip(t, start, i - 1)); start = i + 1; }
  }
  parts.push(strip(t, start, b));
  return parts;
}

function strip(t: Tokens, a: number, b: number): [number, number] {
  while (t.is(a, '(') && matchClose(t, a, b + 1) === b) { a++; b--; }
  return [a, b];
}

/** Element size of a parameter's pointee, or undefined (templates, structs). */
export function paramElementSize(p: KernelParam, templateArgs?: Map<string, string>): number | undefined {
  const bt = templateArgs?.get(p.baseType) ?? p.baseType;
  return elementSize(bt);
}

/**
 * Parameters P bounding an access by `v < P` (or `P > v`) in an enclosing `if` condition or in the
 * condition of a `?:` it belongs to: `partial[t] = i < n ? v[i] : 0.f;`.
 */
function guardsAround(t: Tokens, stmts: Stmt[], tok: number, v: string, params: Set<string>): string[] {
  const found = new Set<string>();
  const scanCond = (a: number, b: number) => {
    for (let i = a; i <= b; i++) {
      if (t.is(i, v) && t.is(i + 1, '<') && t.isIdent(i + 2) && params.has(t.text(i + 2)) && !t.is(i + 3, '(') && !t.is(i + 3, '[')) found.add(t.text(i + 2));
      if (t.is(i, v) && t.is(i - 1, '>') && t.isIdent(i - 2) && params.has(t.text(i - 2))) found.add(t.text(i - 2));
    }
  };
  // enclosing if statements (the access in their then-branch)
  walkStatements(stmts, s => {
    if (s.kind === 'if' && tok > s.condClose && tok <= s.then.end) scanCond(s.condOpen + 1, s.condClose - 1);
  });
  // a ternary: walk back at depth 0 to `?`, then its condition back to the expression start
  let depth = 0;
  for (let i = tok - 1; i > 0; i--) {
    if (t.is(i, ')') || t.is(i, ']')) depth++;
    else if (t.is(i, '(') || t.is(i, '[')) { if (depth === 0) break; depth--; }
    else if (depth === 0 && (t.is(i, ';') || t.is(i, '{') || t.is(i, '}') || t.is(i, ':'))) break;
    else if (depth === 0 && t.is(i, '?')) {
      let j = i - 1;
      for (let d = 0; j > 0; j--) {
        if (t.is(j, ')') || t.is(j, ']')) d++;
        else if (t.is(j, '(') || t.is(j, '[')) { if (d === 0) break; d--; }
        else if (d === 0 && (t.is(j, '=') || t.is(j, ';') || t.is(j, '{') || t.is(j, ',') || t.is(j, 'return'))) break;
      }
      scanCond(j + 1, i - 1);
      break;
    }
  }
  return [...found];
}

/**
 * The summary of the same kernel text found `delta` characters later (its tokens and token
 * indices are its own, so only the text offsets move).
 */
/**
 * The kernel's body as written, read through its own tokens: a summary moved by an edit above it
 * has spans for the current text but tokens (and their source) from the text it was made from.
 */
export function kernelBodyText(k: KernelSummary): string {
  const t = k.tokens;
  const d = k.decl;
  return t.src.slice(t.starts[d.bodyOpen], t.ends[d.bodyClose >= 0 ? d.bodyClose : d.end]);
}

export function moveSummary(k: KernelSummary, delta: number): KernelSummary {
  if (delta === 0) return k;
  if (k instanceof LazySummary) return k.moved(delta);
  const mv = (x: Span): Span => ({ start: x.start + delta, end: x.end + delta });
  return { ...k, span: mv(k.span), nameSpan: mv(k.nameSpan), bodySpan: mv(k.bodySpan) };
}

/** What a kernel summary depends on: its qualified name and its text (head, template list, body). */
export function summaryKey(qualifiedName: string, text: string, start: number, end: number): string {
  return `${qualifiedName}\u0000${text.slice(start, end)}`;
}
