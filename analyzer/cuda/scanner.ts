// Structural scanner: finds functions (kernels, device functions, host functions), `#define`s,
// `#include`s and namespace-scope constants in a token stream. It reads only structure (brace
// matching, declaration heads); statement-level work happens in hostSequence.ts and kernelSummary.ts.
//
// Recovery rule (research/parsing.md): a declaration keyword at column 0 while a body is still open
// closes that body with a problem report, so one missing `}` never swallows the rest of the file.

import { Ch, Tok, type Tokens } from './lexer';

export interface TemplateParam {
  kind: 'type' | 'value';
  name: string;
  /** Declared type for value parameters (`int`, `size_t`). */
  type?: string;
  defaultText?: string;
}

export interface FunctionDecl {
  name: string;
  /** Qualified name with enclosing namespaces/classes, `a::b::f`. */
  qualifiedName: string;
  nameTok: number;
  /** First token of the declaration (template keyword or first specifier). */
  headStart: number;
  paramsOpen: number;
  paramsClose: number;
  /** `{` and `}` token indices; bodyClose is -1 when the body never closed. */
  bodyOpen: number;
  bodyClose: number;
  /** Last token of the definition (bodyClose, or the recovery point). */
  end: number;
  isKernel: boolean;
  isDevice: boolean;
  isHost: boolean;
  isTemplate: boolean;
  templateParams: TemplateParam[];
  externC: boolean;
  launchBounds?: string;
  /** Tokens of the declaration head between headStart and paramsOpen (for qualifier checks). */
  qualifiers: string[];
}

export interface Prototype {
  name: string;
  nameTok: number;
  paramsOpen: number;
  paramsClose: number;
  isKernel: boolean;
  templateParams: TemplateParam[];
}

export interface Define {
  name: string;
  /** Parameter names for function-like macros, undefined for object-like ones. */
  params?: string[];
  variadic: boolean;
  body: string;
  /** Offset of the body text in the source (for mapping back). */
  bodyOffset: number;
  tok: number;
}

export interface Include {
  spec: string;
  system: boolean;
  tok: number;
}

export interface GlobalConst {
  name: string;
  /** Token range of the initializer expression. */
  initStart: number;
  initEnd: number;
  type: string;
}

export interface ScanProblem {
  message: string;
  tok: number;
}

export interface ScanResult {
  functions: FunctionDecl[];
  prototypes: Prototype[];
  defines: Define[];
  includes: Include[];
  globals: GlobalConst[];
  /** Names of namespace-scope variables that are pointers or device symbols (they escape). */
  globalVars: Set<string>;
  problems: ScanProblem[];
}

/** Column-0 words that close an open function body when the file's braces do not balance. */
const RECOVERY_WORDS = new Set(['__global__', '__device__', '__host__', 'template', 'namespace', 'extern', 'static', 'void', 'struct', 'class', 'int']);
/** The ones no statement inside a body starts with: they close it even in a balanced file. */
const STRONG_RECOVERY_WORDS = new Set(['__global__', '__device__', '__host__', 'template', 'namespace']);
const NOT_FUNCTION_NAMES = new Set(['__launch_bounds__', '__attribute__', '__declspec', 'alignas', 'decltype', '__align__', 'if', 'for', 'while', 'switch', 'return', 'sizeof', 'noexcept', 'throw', 'static_assert', 'operator']);

/** Index of the token matching the opener at `open` ((, [, {), or -1. `<` is not handled here. */
export function matchClose(t: Tokens, open: number, limit = t.count): number {
  const o = t.src.charCodeAt(t.starts[open]);
  const c = o === 40 ? 41 : o === 91 ? 93 : 125;
  let depth = 0;
  for (let i = open; i < limit; i++) {
    const k = t.ch(i);
    if (k === o) depth++;
    else if (k === c) {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

/**
 * Matches a template argument list starting at `<` (token lt). Returns the index of the closing `>`.
 * Stops (returns -1) at `;`, `{`, `}` or when parentheses close below the start: then `<` was a
 * less-than. `>` inside parentheses belongs to an expression.
 */
export function matchAngle(t: Tokens, lt: number, limit = t.count): number {
  let depth = 0;
  let paren = 0;
  for (let i = lt; i < limit; i++) {
    if (t.kinds[i] === Tok.LaunchOpen) return -1;
    if (t.kinds[i] !== Tok.Punct) continue;
    if (t.is(i, '(') || t.is(i, '[')) paren++;
    else if (t.is(i, ')') || t.is(i, ']')) {
      paren--;
      if (paren < 0) return -1;
    } else if (paren === 0 && t.is(i, '<')) depth++;
    else if (paren === 0 && t.is(i, '>')) {
      depth--;
      if (depth === 0) return i;
    } else if (t.is(i, ';') || t.is(i, '{') || t.is(i, '}')) return -1;
  }
  return -1;
}

export function parseTemplateParams(t: Tokens, lt: number, gt: number): TemplateParam[] {
  const out: TemplateParam[] = [];
  for (const [a, b] of splitTopLevel(t, lt + 1, gt - 1)) {
    if (a > b) continue;
    const words: number[] = [];
    let eq = -1;
    for (let i = a; i <= b; i++) {
      if (t.is(i, '=') && eq < 0) eq = i;
      if (eq < 0 && t.isIdent(i)) words.push(i);
    }
    const head = eq < 0 ? b : eq - 1;
    let nameTok = -1;
    for (let i = head; i >= a; i--) if (t.isIdent(i)) { nameTok = i; break; }
    const first = t.text(a);
    const isType = first === 'typename' || first === 'class' || (first === 'template');
    const name = nameTok >= 0 && nameTok !== a ? t.text(nameTok) : isType ? '' : t.text(nameTok);
    out.push({
      kind: isType ? 'type' : 'value',
      name,
      type: isType ? undefined : t.slice(a, nameTok - 1).trim() || undefined,
      defaultText: eq >= 0 ? t.slice(eq + 1, b) : undefined,
    });
  }
  return out;
}

/** Splits tokens [a, b] at top-level commas (ignoring commas inside (), [], {} and <> lists). */
export function splitTopLevel(t: Tokens, a: number, b: number, angles = true): Array<[number, number]> {
  const parts: Array<[number, number]> = [];
  if (a > b) return parts;
  let depth = 0;
  let start = a;
  for (let i = a; i <= b; i++) {
    const c = t.ch(i);
    if (c === 0) continue;
    if (c === Ch.LParen || c === Ch.LBracket || c === Ch.LBrace) depth++;
    else if (c === Ch.RParen || c === Ch.RBracket || c === Ch.RBrace) depth--;
    else if (angles && c === Ch.Lt && depth === 0) {
      // a template argument list: skip it as one unit when it closes before the end
      const gt = matchAngle(t, i, b + 1);
      if (gt > 0 && looksLikeTemplateOpen(t, i)) { i = gt; continue; }
    } else if (depth === 0 && c === Ch.Comma) {
      parts.push([start, i - 1]);
      start = i + 1;
    }
  }
  parts.push([start, b]);
  return parts;
}

/** `<` opens a template list when it follows a type-like identifier (heuristic, used in declarations). */
export function looksLikeTemplateOpen(t: Tokens, lt: number): boolean {
  const prev = lt - 1;
  if (!t.isIdent(prev)) return false;
  const w = t.text(prev);
  // an identifier followed by < in a declaration is a template; in an expression `a < b` is common,
  // so callers that parse expressions pass angles=false
  return /^[A-Za-z_]/.test(w);
}

function parseDefine(t: Tokens, tok: number): Define | Include | undefined {
  const text = t.text(tok);
  const base = t.starts[tok];
  const m = /^#\s*(define|include)\b/.exec(text);
  if (!m) return undefined;
  if (m[1] === 'include') {
    const inc = /^#\s*include\s*([<"])([^>"]+)[>"]/.exec(text);
    if (!inc) return undefined;
    return { spec: inc[2], system: inc[1] === '<', tok } as Include;
  }
  const d = /^#\s*define\s+([A-Za-z_]\w*)(\()?/.exec(text);
  if (!d) return undefined;
  let at = d[0].length;
  let params: string[] | undefined;
  let variadic = false;
  if (d[2]) {
    const close = text.indexOf(')', at);
    if (close < 0) return undefined;
    params = text.slice(at, close).split(',').map(s => s.trim()).filter(s => s.length > 0);
    if (params.length && params[params.length - 1] === '...') {
      params.pop();
      variadic = true;
    }
    at = close + 1;
  }
  // strip comments and line continuations from the body but keep its offset for mapping
  const rawBody = text.slice(at);
  const lead = rawBody.length - rawBody.trimStart().length;
  const body = rawBody
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/\/\/.*$/gm, '')
    .replace(/\\\r?\n/g, ' ')
    .trim();
  return { name: d[1], params, variadic, body, bodyOffset: base + at + lead, tok } as Define;
}

export function scan(t: Tokens): ScanResult {
  const res: ScanResult = { functions: [], prototypes: [], defines: [], includes: [], globals: [], globalVars: new Set(), problems: [] };
  scanScope(t, 0, t.count, [], false, res);
  return res;
}

function bracesBalance(t: Tokens): boolean {
  let depth = 0;
  for (let i = 0; i < t.count; i++) {
    if (t.kinds[i] !== Tok.Punct) continue;
    const c = t.ch(i);
    if (c === Ch.LBrace) depth++;
    else if (c === Ch.RBrace && --depth < 0) return false;
  }
  return depth === 0;
}

/**
 * Whether every `{` of the file has its `}`: counted when a recovery word is first met, once per
 * token list. Then only words that cannot begin a statement close a body early (recovery, for
 * half-typed code); else a declaration word at column 0 does too (`void`, `int`...), which
 * unindented code (locals at column 0, olcf's CUDA exercises) would trip on.
 */
export function fileBalanced(t: Tokens): boolean {
  let b = balancedCache.get(t);
  if (b === undefined) balancedCache.set(t, (b = bracesBalance(t)));
  return b;
}
const balancedCache = new WeakMap<Tokens, boolean>();

/** A word at column 0 inside a function body that closes the body there (see fileBalanced). */
function closesBody(t: Tokens, w: string): boolean {
  return STRONG_RECOVERY_WORDS.has(w) || (RECOVERY_WORDS.has(w) && !fileBalanced(t));
}

/** Scans declarations in [from, to): namespace scope, `extern "C"` blocks and class bodies. */
function scanScope(t: Tokens, from: number, to: number, scopeNames: string[], externC: boolean, res: ScanResult): void {
  let i = from;
  let declStart = i;
  let templateParams: TemplateParam[] = [];
  let isTemplate = false;
  while (i < to) {
    const k = t.kinds[i];
    if (k === Tok.Preproc) {
      const d = parseDefine(t, i);
      if (d && 'spec' in d) res.includes.push(d);
      else if (d) res.defines.push(d);
      i++;
      declStart = i;
      continue;
    }
    if (k === Tok.Ident) {
      const w = t.text(i);
      if (w === 'template' && t.is(i + 1, '<')) {
        const gt = matchAngle(t, i + 1, to);
        if (gt > 0) {
          templateParams = parseTemplateParams(t, i + 1, gt);
          isTemplate = true;
          i = gt + 1;
          continue;
        }
      }
      if (w === 'namespace' && i === declStart) {
        // namespace a::b { ... }  |  namespace x = y;
        let j = i + 1;
        const names: string[] = [];
        while (j < to && (t.isIdent(j) || t.is(j, '::'))) {
          if (t.isIdent(j)) names.push(t.text(j));
          j++;
        }
        if (t.is(j, '{')) {
          const close = findBodyClose(t, j, to, res, false);
          scanScope(t, j + 1, close.end, [...scopeNames, ...names], externC, res);
          i = close.end + 1;
          declStart = i;
          continue;
        }
      }
      if (w === 'extern' && i === declStart && t.kind(i + 1) === Tok.String && t.is(i + 2, '{')) {
        const close = findBodyClose(t, i + 2, to, res, false);
        scanScope(t, i + 3, close.end, scopeNames, true, res);
        i = close.end + 1;
        declStart = i;
        continue;
      }
    }
    if (k === Tok.Punct) {
      if (t.is(i, ';')) {
        handleDeclaration(t, declStart, i, scopeNames, templateParams, res);
        i++;
        declStart = i;
        templateParams = [];
        isTemplate = false;
        continue;
      }
      if (t.is(i, '}')) {
        // stray closer at this level (recovered body); skip it
        i++;
        declStart = i;
        continue;
      }
      if (t.is(i, '{')) {
        const fn = functionHead(t, declStart, i);
        const close = findBodyClose(t, i, to, res);
        if (fn) {
          const qualifiers: string[] = [];
          for (let q = declStart; q < fn.paramsOpen; q++) if (t.isIdent(q)) qualifiers.push(t.text(q));
          const lbTok = findWord(t, declStart, i, '__launch_bounds__');
          const lbClose = lbTok >= 0 && t.is(lbTok + 1, '(') ? matchClose(t, lbTok + 1, i) : -1;
          const name = t.text(fn.nameTok);
          const qual = fn.qualifiedPrefix ? fn.qualifiedPrefix + name : name;
          res.functions.push({
            name,
            qualifiedName: [...scopeNames, qual].join('::'),
            nameTok: fn.nameTok,
            headStart: declStart,
            paramsOpen: fn.paramsOpen,
            paramsClose: fn.paramsClose,
            bodyOpen: i,
            bodyClose: close.closed ? close.end : -1,
            end: close.closed ? close.end : close.end - 1,
            isKernel: qualifiers.includes('__global__'),
            isDevice: qualifiers.includes('__device__'),
            isHost: qualifiers.includes('__host__') || (!qualifiers.includes('__global__') && !qualifiers.includes('__device__')),
            isTemplate,
            templateParams,
            externC: externC || (qualifiers.includes('extern') && t.kind(findWord(t, declStart, i, 'extern') + 1) === Tok.String),
            launchBounds: lbClose > 0 ? t.slice(lbTok + 2, lbClose - 1) : undefined,
            qualifiers,
          });
          i = close.closed ? close.end + 1 : close.end;
        } else if (isClassHead(t, declStart, i)) {
          const nameTok = classNameTok(t, declStart, i);
          scanScope(t, i + 1, close.end, nameTok >= 0 ? [...scopeNames, t.text(nameTok)] : scopeNames, externC, res);
          i = close.end + 1;
          // `struct S { ... } s;` : skip to the `;`
          while (i < to && !t.is(i, ';') && !t.is(i, '{') && !t.is(i, '}')) i++;
          if (t.is(i, ';')) i++;
        } else {
          // initializer list, enum body, or something we do not model: skip the braces
          i = close.end + 1;
          // declaration continues to `;`
          continue;
        }
        declStart = i;
        templateParams = [];
        isTemplate = false;
        continue;
      }
    }
    i++;
  }
}

function findWord(t: Tokens, a: number, b: number, w: string): number {
  for (let i = a; i < b; i++) if (t.is(i, w)) return i;
  return -1;
}

function isClassHead(t: Tokens, a: number, b: number): boolean {
  for (let i = a; i < b; i++) {
    if (t.is(i, 'struct') || t.is(i, 'class') || t.is(i, 'union')) return true;
    if (t.is(i, '=') || t.is(i, '(')) return false;
  }
  return false;
}

function classNameTok(t: Tokens, a: number, b: number): number {
  for (let i = a; i < b; i++) {
    if ((t.is(i, 'struct') || t.is(i, 'class') || t.is(i, 'union')) && t.isIdent(i + 1)) {
      let j = i + 1;
      // skip attributes like __align__(16)
      while (t.isIdent(j) && t.is(j + 1, '(')) {
        const c = matchClose(t, j + 1, b);
        if (c < 0) break;
        j = c + 1;
      }
      return t.isIdent(j) ? j : -1;
    }
  }
  return -1;
}

interface Head {
  nameTok: number;
  paramsOpen: number;
  paramsClose: number;
  qualifiedPrefix: string;
}

/** Recognizes `... name ( params ) [qualifiers] {` as a function definition head. */
export function functionHead(t: Tokens, a: number, brace: number): Head | undefined {
  let sawEq = false;
  for (let i = a; i < brace; i++) {
    if (t.is(i, 'template') && t.is(i + 1, '<')) {
      // template parameter lists may hold defaults (`int N = 0`): not an initializer
      const gt = matchAngle(t, i + 1, brace);
      if (gt > 0) { i = gt; continue; }
    }
    if (t.kinds[i] !== Tok.Punct) continue;
    if (t.is(i, '=')) sawEq = true;
    if (!t.is(i, '(')) continue;
    const close = matchClose(t, i, brace);
    if (close < 0) return undefined;
    const nameTok = i - 1;
    if (t.isIdent(nameTok) && !NOT_FUNCTION_NAMES.has(t.text(nameTok)) && !sawEq) {
      // the rest of the head must look like qualifiers: const, noexcept, override, -> type, : inits
      let prefix = '';
      let p = nameTok - 1;
      while (t.is(p, '::') && t.isIdent(p - 1)) {
        prefix = t.text(p - 1) + '::' + prefix;
        p -= 2;
      }
      if (t.is(nameTok - 1, '~')) return undefined;
      return { nameTok, paramsOpen: i, paramsClose: close, qualifiedPrefix: prefix };
    }
    // attribute or launch-bounds group: skip it and keep looking
    i = close;
  }
  return undefined;
}

interface Close {
  end: number;
  closed: boolean;
}

/** Finds the `}` matching `{` at `open`, recovering at column-0 declaration keywords. */
/**
 * The `}` closing the body opened at `open`. `recover` (function bodies): a declaration word at
 * column 0 inside the body closes it there (closesBody), so one missing brace does not swallow
 * the file. Namespace and `extern "C"` bodies hold such declarations by design and do not recover.
 */
export function findBodyClose(t: Tokens, open: number, to: number, res: { problems: ScanProblem[] }, recover = true): Close {
  let depth = 0;
  for (let i = open; i < to; i++) {
    if (t.kinds[i] === Tok.Punct) {
      const c = t.ch(i);
      if (c === Ch.LBrace) depth++;
      else if (c === Ch.RBrace) {
        depth--;
        if (depth === 0) return { end: i, closed: true };
      }
    } else if (recover && depth > 0 && i > open && t.kinds[i] === Tok.Ident && t.lineFirst[i] && isColumnZero(t, i) && RECOVERY_WORDS.has(t.text(i)) && closesBody(t, t.text(i))) {
      res.problems.push({ message: 'unbalanced braces: this body is not closed before the next declaration', tok: open });
      return { end: i, closed: false };
    }
  }
  res.problems.push({ message: 'unbalanced braces: body runs to the end of the file', tok: open });
  return { end: to, closed: false };
}

/** Token i is a declaration word at column 0 (the scanner closes an open body there). */
export function isRecoveryPoint(t: Tokens, i: number): boolean {
  return t.kinds[i] === Tok.Ident && t.lineFirst[i] === 1 && isColumnZero(t, i) && RECOVERY_WORDS.has(t.text(i)) && closesBody(t, t.text(i));
}

/**
 * The scan of a text in which one function body changed while staying balanced, with no recovery
 * point inside (see findBodyClose): token indices from its closing brace `closeTok` on move by
 * dTok, text offsets from `closeAt` on by delta. Lists every index field of ScanResult: a new field
 * must be moved here too (test/unit/incremental.test.ts compares with a fresh scan).
 */
export function shiftScan(s: ScanResult, closeTok: number, dTok: number, closeAt: number, delta: number): ScanResult {
  const m = (x: number) => (x >= closeTok ? x + dTok : x);
  return {
    functions: s.functions.map(f => (f.end < closeTok ? f : {
      ...f, nameTok: m(f.nameTok), headStart: m(f.headStart), paramsOpen: m(f.paramsOpen), paramsClose: m(f.paramsClose),
      bodyOpen: m(f.bodyOpen), bodyClose: f.bodyClose < 0 ? f.bodyClose : m(f.bodyClose), end: m(f.end),
    })),
    prototypes: s.prototypes.map(x => (x.paramsClose < closeTok ? x : { ...x, nameTok: m(x.nameTok), paramsOpen: m(x.paramsOpen), paramsClose: m(x.paramsClose) })),
    defines: s.defines.map(d => (d.tok < closeTok ? d : { ...d, tok: m(d.tok), bodyOffset: d.bodyOffset >= closeAt ? d.bodyOffset + delta : d.bodyOffset })),
    includes: s.includes.map(x => (x.tok < closeTok ? x : { ...x, tok: m(x.tok) })),
    globals: s.globals.map(g => (g.initEnd < closeTok ? g : { ...g, initStart: m(g.initStart), initEnd: m(g.initEnd) })),
    globalVars: s.globalVars,
    problems: s.problems.map(x => (x.tok < closeTok ? x : { ...x, tok: m(x.tok) })),
  };
}

function isColumnZero(t: Tokens, i: number): boolean {
  const s = t.starts[i];
  return s === 0 || t.src.charCodeAt(s - 1) === 10;
}

/** Namespace-scope declarations ending in `;`: constants, prototypes and global variables. */
function handleDeclaration(t: Tokens, a: number, semi: number, scopeNames: string[], templateParams: TemplateParam[], res: ScanResult): void {
  if (a >= semi) return;
  let eq = -1;
  let paren = -1;
  for (let i = a; i < semi; i++) {
    if (t.is(i, '=') && eq < 0) eq = i;
    if (t.is(i, '(') && paren < 0 && eq < 0) paren = i;
  }
  const words: string[] = [];
  for (let i = a; i < (eq > 0 ? eq : semi); i++) if (t.isIdent(i)) words.push(t.text(i));
  if (paren > 0 && eq < 0 && t.isIdent(paren - 1) && !NOT_FUNCTION_NAMES.has(t.text(paren - 1))) {
    const close = matchClose(t, paren, semi + 1);
    if (close > 0) {
      res.prototypes.push({
        name: t.text(paren - 1),
        nameTok: paren - 1,
        paramsOpen: paren,
        paramsClose: close,
        isKernel: words.includes('__global__'),
        templateParams,
      });
      return;
    }
  }
  if (eq > 0 && t.isIdent(eq - 1)) {
    const isConst = words.includes('const') || words.includes('constexpr') || words.includes('__constant__');
    const type = t.slice(a, eq - 2);
    if (isConst) res.globals.push({ name: t.text(eq - 1), initStart: eq + 1, initEnd: semi - 1, type });
    else res.globalVars.add(t.text(eq - 1));
    return;
  }
  // `float* d_buf;` or `__device__ float g[N];` : a namespace-scope variable
  for (let i = semi - 1; i >= a; i--) {
    if (t.isIdent(i)) {
      res.globalVars.add(t.text(i));
      break;
    }
    if (t.is(i, ']')) {
      // skip array extents
      let d = 0;
      for (; i >= a; i--) {
        if (t.is(i, ']')) d++;
        else if (t.is(i, '[')) { d--; if (d === 0) break; }
      }
    }
  }
  void scopeNames;
}
