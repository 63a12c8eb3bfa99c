// The TensorFlow.js frontend: parses a TS/JS file with the lazily loaded `typescript` compiler API
// (no type checker), resolves the tf namespace syntactically, extracts op chains per function and
// caches what it can so that a one-line edit re-parses incrementally (ts.updateSourceFile) and
// re-extracts only the top-level declarations that changed.

import type * as TS from 'typescript';
import { editBetween, editTouchesWords, LineIndex, type Span } from '../core/text';
import { parseAnnotations, type Annotations } from '../core/annotations';
import { Extractor, Scope, isFunctionLike, moduleValues, resetModuleNamespaces, type Binding, type ModuleContext } from './extract';
import type { TFunction, TValue } from './model';
import { BINARY_EW, FUSABLE_PRODUCERS, OP_NAMESPACES, TENSOR_ONLY_METHODS, TERNARY_EW, TF_MODULE, UNARY_EW } from './ops';
import { reparseStatement, settle, settleAll } from './reparse';
import { parseOptions, typescript, typescriptLoadError, type TypeScriptApi } from './tsModule';

/** `node`: @tensorflow/tfjs-node-gpu (TensorFlow on CUDA); `node-cpu`: @tensorflow/tfjs-node (TensorFlow on the CPU: no GPU launches). */
export type TfBackend = 'webgl' | 'webgpu' | 'cpu' | 'wasm' | 'node' | 'node-cpu';

export interface TfImport {
  module: string;
  kind: 'import' | 'require';
  /** The `{ … }` of a named import or an object pattern, where `fused` can be added. */
  named?: { span: Span; names: string[]; multiline: boolean };
}

export interface TsProgram {
  file: string;
  fns: TFunction[];
  backend: TfBackend;
  backendFrom: string;
  imports: TfImport[];
  annotations: Annotations;
  /** The file mentions @tensorflow/tfjs at all. */
  usesTf: boolean;
  problems: Array<{ message: string; span: Span }>;
}

interface ParseEntry {
  text: string;
  sf: TS.SourceFile;
}

const MAX_CACHED_FILES = 32;
const parseCache = new Map<string, ParseEntry>();

interface DeclEntry {
  ctx: string;
  pos: number;
  fns: TFunction[];
  gradientNames: string[];
  /** Every span object of `fns`, once (collected on the first move; spans are shared between ops). */
  spans?: Span[];
}
const declCache = new WeakMap<TS.Node, DeclEntry>();
/** Callbacks of module-level calls (`describe(…, () => {…})`), by node: see Extractor.cachedClosure. */
const closureCache = new WeakMap<TS.Node, { key: string; pos: number; fns: TFunction[]; gradientNames: string[]; spans?: Span[] }>();

/** Counters for tests and benchmarks: how the last analysis was served. */
export const frontendStats = { parse: 'full' as 'full' | 'statement' | 'incremental' | 'cached', declsReused: 0, declsExtracted: 0, closuresReused: 0 };

export function scriptKind(ts: TypeScriptApi, file: string): TS.ScriptKind {
  if (/\.tsx$/i.test(file)) return ts.ScriptKind.TSX;
  if (/\.jsx$/i.test(file)) return ts.ScriptKind.JSX;
  if (/\.(js|mjs|cjs)$/i.test(file)) return ts.ScriptKind.JS;
  return ts.ScriptKind.TS;
}

/** Parses without parent pointers, re-using the previous tree of the same file when possible. */
export function parse(ts: TypeScriptApi, file: string, text: string): TS.SourceFile {
  const old = parseCache.get(file);
  if (old && old.text === text) {
    frontendStats.parse = 'cached';
    return old.sf;
  }
  let sf: TS.SourceFile | undefined;
  if (old) {
    const a = old.text;
    const { pre, suf } = editBetween(a, text);
    const oldLen = a.length - pre - suf;
    const newLen = text.length - pre - suf;
    if (oldLen + newLen < text.length / 4) {
      // one statement re-parsed (analyzer/ts/reparse.ts), else TypeScript's incremental parser
      sf = reparseStatement(ts, old.sf, text, pre, pre + oldLen, newLen, scriptKind(ts, file));
      if (sf) frontendStats.parse = 'statement';
      else {
        try {
          settleAll(ts, old.sf);
          sf = ts.updateSourceFile(old.sf, text, { span: { start: pre, length: oldLen }, newLength: newLen });
          frontendStats.parse = 'incremental';
        } catch {
          sf = undefined;
        }
      }
    }
  }
  if (!sf) {
    sf = ts.createSourceFile(file, text, parseOptions(ts), false, scriptKind(ts, file));
    frontendStats.parse = 'full';
  }
  parseCache.delete(file);
  parseCache.set(file, { text, sf });
  if (parseCache.size > MAX_CACHED_FILES) parseCache.delete(parseCache.keys().next().value!);
  return sf;
}

/** Forgets the cached tree and line index of a file (or of all files). */
export function forgetFile(file?: string): void {
  if (file === undefined) { parseCache.clear(); lineCache.clear(); factsCache.clear(); }
  else { parseCache.delete(file); lineCache.delete(file); factsCache.delete(file); }
}

const lineCache = new Map<string, LineIndex>();

/** The line index of a file's text, made from the previous one when an edit is small. */
export function linesOf(file: string, text: string): LineIndex {
  const prev = lineCache.get(file);
  const lines = prev ? LineIndex.afterText(prev, text) : new LineIndex(text);
  lineCache.delete(file);
  lineCache.set(file, lines);
  if (lineCache.size > MAX_CACHED_FILES) lineCache.delete(lineCache.keys().next().value!);
  return lines;
}

/** What the frontends test on a file's whole text before parsing it (fileTextFacts). */
export interface TextFacts {
  usesTf: boolean;
  /** Mentions @tensorflow/tfjs or calls a method named like a fusable op. */
  mayHaveOps: boolean;
  /** The last `setBackend('…')` of the file when it names a backend we model. */
  setBackend: 'webgl' | 'webgpu' | 'cpu' | 'wasm' | undefined;
  importsWebGpuBackend: boolean;
  /** Records compute dispatches (analyzer/webgpu). */
  webgpu: boolean;
  /** Has a `fusion-lens:` annotation comment (annotationComments searches for no other word). */
  annotated: boolean;
}

/**
 * Words every match of the tests in fileTextFacts contains, with blanks and a few characters more.
 * (`setBackend('…')` may quote a long word, but one long enough to be out of reach of an edit is no
 * backend we model either way, so the answer stays.)
 */
const FACT_WORDS = ['@tensorflow/tfjs', 'matMul', 'conv2d', 'relu', 'sigmoid', 'setBackend', 'tfjs-backend-webgpu', 'dispatchWorkgroups', 'fusion-lens:'];
const factsCache = new Map<string, { text: string; facts: TextFacts }>();

/**
 * The whole-text tests of a file, done again after an edit only when it is near one of the words
 * they look for: each is a search through the whole file, and they ran on every keystroke.
 */
export function fileTextFacts(file: string, text: string): TextFacts {
  const prev = factsCache.get(file);
  if (prev && prev.text !== text) {
    const { pre, suf } = editBetween(prev.text, text);
    if (!editTouchesWords(prev.text, text, pre, suf, FACT_WORDS)) prev.text = text;
  }
  if (prev && prev.text === text) return prev.facts;
  const usesTf = text.includes('@tensorflow/tfjs');
  let last: string | undefined;
  if (text.includes('setBackend')) for (const m of text.matchAll(/setBackend\(\s*['"`](\w+)['"`]/g)) last = m[1];
  const facts: TextFacts = {
    usesTf,
    mayHaveOps: usesTf || /\.\s*(matMul|conv2d|relu|sigmoid)\s*\(/.test(text),
    setBackend: last === 'webgl' || last === 'webgpu' || last === 'cpu' || last === 'wasm' ? last : undefined,
    importsWebGpuBackend: text.includes('tfjs-backend-webgpu') && /['"]@tensorflow\/tfjs-backend-webgpu['"]/.test(text),
    webgpu: text.includes('dispatchWorkgroups'),
    annotated: text.includes('fusion-lens:'),
  };
  factsCache.delete(file);
  factsCache.set(file, { text, facts });
  if (factsCache.size > MAX_CACHED_FILES) factsCache.delete(factsCache.keys().next().value!);
  return facts;
}

export function analyzeTsProgram(file: string, text: string): TsProgram {
  const program: TsProgram = { file, fns: [], backend: 'webgl', backendFrom: '', imports: [], annotations: emptyAnnotations(), usesTf: false, problems: [] };
  const facts = fileTextFacts(file, text);
  program.usesTf = facts.usesTf;
  const ts = typescript();
  if (!ts) {
    if (program.usesTf) program.problems.push({ message: `TensorFlow.js analysis needs the TypeScript 6.0 compiler API, which could not be loaded (${typescriptLoadError()})`, span: { start: 0, end: 0 } });
    return program;
  }
  if (!facts.mayHaveOps) return program;
  let sf: TS.SourceFile;
  try {
    sf = parse(ts, file, text);
  } catch (e) {
    // the compiler's recursive-descent parser overflows on pathological nesting
    forgetFile(file);
    program.problems.push({ message: `not analyzed: the TypeScript parser failed (${(e as Error).message})`, span: { start: 0, end: 0 } });
    return program;
  }
  program.annotations = facts.annotated ? annotationsOf(file, text) : emptyAnnotations();
  for (const e of program.annotations.errors) program.problems.push({ message: e.message, span: { start: e.start, end: e.end } });

  const scope = new Scope(undefined, true);
  const mod: ModuleContext = { scope, annotations: program.annotations, fields: new Map() };
  collectImports(ts, sf, scope, program);
  detectBackend(facts, program);

  // module-level code, every time (it is short in files of functions); declarations come from the cache
  const cacheable = (s: TS.Statement) => isCacheableDecl(ts, s);
  for (const s of sf.statements) if (!cacheable(s)) settle(ts, sf, s);
  frontendStats.closuresReused = 0;
  let lastKey: { scope: Scope; version: number; values: TValue[]; length: number; key: string } | undefined;
  const moduleEx = new Extractor(ts, sf, mod, 0);
  moduleEx.closureCache = {
    // bindings are replaced, never changed in place, and values only appended: the same version
    // and length mean the same key (a spec file's callbacks mostly see one module scope)
    scopeKey: (sc, values) => {
      if (lastKey && lastKey.scope === sc && lastKey.version === sc.vars.version && lastKey.values === values && lastKey.length === values.length) return lastKey.key;
      lastKey = { scope: sc, version: sc.vars.version, values, length: values.length, key: contextKey(sc, values, program) };
      return lastKey.key;
    },
    get: (node, key) => {
      const e = closureCache.get(node);
      if (!e || e.key !== key) return undefined;
      frontendStats.closuresReused++;
      if (e.pos !== node.pos) {
        const delta = node.pos - e.pos;
        e.spans ??= spansOf(e.fns);
        for (const x of e.spans) { x.start += delta; x.end += delta; }
        e.pos = node.pos;
      }
      return e;
    },
    set: (node, key, entry) => closureCache.set(node, { ...entry, key, pos: node.pos }),
  };
  moduleEx.runFunction(sf, '<module>', scope, { body: sf.statements, scope, skip: cacheable });
  const moduleFn = moduleEx.fns[0];
  resetModuleNamespaces(mod);
  moduleValues.set(mod, moduleFn.values);
  const fns: TFunction[] = [...moduleEx.fns];
  const gradientNames = new Set(moduleEx.gradientNames);

  const ctx = contextKey(scope, moduleFn.values, program);
  const mayHaveOps = opPattern(scope, program.annotations);
  frontendStats.declsReused = 0;
  frontendStats.declsExtracted = 0;
  for (const s of sf.statements) {
    if (!cacheable(s)) continue;
    let entry = declCache.get(s);
    if (entry && entry.ctx === ctx) {
      if (entry.pos !== s.pos) {
        const delta = s.pos - entry.pos;
        entry.spans ??= spansOf(entry.fns);
        for (const x of entry.spans) { x.start += delta; x.end += delta; }
        entry.pos = s.pos;
      }
      frontendStats.declsReused++;
    } else {
      settle(ts, sf, s);
      const declText = text.slice(s.pos, s.end);
      if (!mayHaveOps.test(declText)) {
        // no tf namespace, imported op or op method in it: nothing to extract, but keep what
        // gradient reachability and module liveness need (names called, names read)
        entry = { ctx, pos: s.pos, fns: [stubFunction(ts, sf, s, declText)], gradientNames: [] };
      } else {
        const ex = new Extractor(ts, sf, mod, 0);
        ex.topLevel(s, scope);
        entry = { ctx, pos: s.pos, fns: ex.fns, gradientNames: [...ex.gradientNames] };
      }
      declCache.set(s, entry);
      frontendStats.declsExtracted++;
    }
    fns.push(...entry.fns);
    for (const g of entry.gradientNames) gradientNames.add(g);
  }
  fns.forEach((fn, i) => (fn.id = i));
  markModuleEscapes(moduleFn, fns);
  resolveGradients(fns, gradientNames);
  program.fns = fns;
  return program;
}

const OP_METHODS = [...new Set([...UNARY_EW, ...BINARY_EW, ...TERNARY_EW, ...FUSABLE_PRODUCERS, ...TENSOR_ONLY_METHODS])];

/**
 * Text that a declaration must contain to hold a tf op we report: a namespace alias and a dot, an
 * imported tf function called, an op method called, or an annotated tensor name.
 */
function opPattern(scope: Scope, annotations: Annotations): RegExp {
  const ns: string[] = [];
  const fns: string[] = [];
  for (const [name, b] of scope.vars) {
    if (b.kind === 'ns' || b.kind === 'sub') ns.push(name);
    else if (b.kind === 'fn') fns.push(name);
  }
  const esc = (xs: string[]) => xs.map(x => x.replace(/\$/g, '\\$')).join('|');
  const parts = [`\\.\\s*(?:${esc(OP_METHODS)})\\s*\\(`];
  if (ns.length) parts.push(`(?<![\\w$.])(?:${esc(ns)})\\s*\\.`);
  if (fns.length) parts.push(`(?<![\\w$.])(?:${esc(fns)})\\s*\\(`);
  if (annotations.shapes.size) parts.push(`(?<![\\w$.])(?:${esc([...annotations.shapes.keys()])})(?![\\w$])`);
  return new RegExp(parts.join('|'));
}

/** A declaration with no tf op: its called and read names only. */
function stubFunction(ts: TypeScriptApi, sf: TS.SourceFile, s: TS.Statement, text: string): TFunction {
  const name = (ts.isFunctionDeclaration(s) || ts.isClassDeclaration(s)) && s.name ? s.name.text : ts.isVariableStatement(s) ? s.declarationList.declarations.map(d => d.name.getText(sf)).join(',') : '<decl>';
  const { calls, freeNames } = wordsOf(text);
  return {
    id: 0, name, span: { start: s.getStart(sf), end: s.end }, values: [], ops: [], events: [], blocks: [], reads: new Map(), loops: [], escaping: new Set(), loopOps: [], freeNames, calls,
  };
}

/**
 * Every word (`[A-Za-z_$][\w$]*`) of a text, and those followed by `(` after optional blanks: what
 * the regular expressions `/[A-Za-z_$][\w$]*\/g` and `/([A-Za-z_$][\w$]*)\s*\(/g` find, in one pass
 * (a stub is made for every declaration without tf code, which is most of an application's file).
 */
export function wordsOf(text: string): { calls: Set<string>; freeNames: Set<string> } {
  const calls = new Set<string>();
  const freeNames = new Set<string>();
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (!((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 36)) { i++; continue; }
    let j = i + 1;
    for (; j < n; j++) {
      const d = text.charCodeAt(j);
      if (!((d >= 97 && d <= 122) || (d >= 65 && d <= 90) || (d >= 48 && d <= 57) || d === 95 || d === 36)) break;
    }
    const w = text.slice(i, j);
    freeNames.add(w);
    let k = j;
    while (k < n && isSpace(text.charCodeAt(k))) k++;
    if (text.charCodeAt(k) === 40 /* ( */) calls.add(w);
    i = j;
  }
  return { calls, freeNames };
}

/** A character `\s` matches. */
function isSpace(c: number): boolean {
  if (c < 128) return c === 32 || (c >= 9 && c <= 13);
  return /\s/.test(String.fromCharCode(c));
}

function emptyAnnotations(): Annotations {
  return { values: new Map(), shapes: new Map(), ignoredLines: new Set(), ignoreFile: false, errors: [] };
}

const annotationCache = new Map<string, { key: string; annotations: Annotations }>();

/** Annotations, re-parsed only when a `fusion-lens:` comment or the line it sits on changes. */
function annotationsOf(file: string, text: string): Annotations {
  const comments = annotationComments(text);
  let key = '';
  let line = 0;
  let at = 0;
  for (const c of comments) {
    for (let i = text.indexOf('\n', at); i >= 0 && i < c.end; i = text.indexOf('\n', i + 1)) line++;
    at = c.end;
    key += `${line}:${text.slice(c.start, c.end)}\n`;
  }
  const hit = annotationCache.get(file);
  // errors carry offsets, which move with edits above them: re-parse when there are any
  if (hit && hit.key === key && !hit.annotations.errors.length) return hit.annotations;
  const annotations = parseAnnotations(text, comments);
  annotationCache.delete(file);
  annotationCache.set(file, { key, annotations });
  if (annotationCache.size > MAX_CACHED_FILES) annotationCache.delete(annotationCache.keys().next().value!);
  return annotations;
}

/** Comment spans that contain `fusion-lens:` (found by text search: cheaper than a scanner pass). */
export function annotationComments(text: string): Array<{ start: number; end: number }> {
  const out: Array<{ start: number; end: number }> = [];
  for (let at = text.indexOf('fusion-lens:'); at >= 0; at = text.indexOf('fusion-lens:', at + 12)) {
    const lineStart = text.lastIndexOf('\n', at) + 1;
    const line = text.slice(lineStart, at);
    const sl = line.indexOf('//');
    if (sl >= 0) {
      const end = text.indexOf('\n', at);
      out.push({ start: lineStart + sl, end: end < 0 ? text.length : end });
      continue;
    }
    const open = text.lastIndexOf('/*', at);
    const close = text.indexOf('*/', at);
    if (open >= 0 && close > at && text.lastIndexOf('*/', at) < open) out.push({ start: open, end: close + 2 });
  }
  return out;
}

function collectImports(ts: TypeScriptApi, sf: TS.SourceFile, scope: Scope, program: TsProgram): void {
  for (const s of sf.statements) {
    if (ts.isImportDeclaration(s) && ts.isStringLiteral(s.moduleSpecifier)) {
      const spec = s.moduleSpecifier.text;
      if (!TF_MODULE.test(spec)) continue;
      settle(ts, sf, s);
      const clause = s.importClause;
      const imp: TfImport = { module: spec, kind: 'import' };
      program.imports.push(imp);
      if (!clause || clause.isTypeOnly) continue;
      if (clause.name) scope.vars.set(clause.name.text, { kind: 'ns' });
      const nb = clause.namedBindings;
      if (nb && ts.isNamespaceImport(nb)) scope.vars.set(nb.name.text, { kind: 'ns' });
      else if (nb && ts.isNamedImports(nb)) {
        const names: string[] = [];
        for (const el of nb.elements) {
          const prop = (el.propertyName ?? el.name).text;
          names.push(el.name.text);
          if (el.isTypeOnly) continue;
          scope.vars.set(el.name.text, bindingFor(prop));
        }
        const text = sf.text.slice(nb.getStart(sf), nb.end);
        imp.named = { span: { start: nb.getStart(sf), end: nb.end }, names, multiline: text.includes('\n') };
      }
    } else if (ts.isVariableStatement(s)) {
      for (const d of s.declarationList.declarations) {
        const init = d.initializer;
        if (!init || !ts.isCallExpression(init) || !ts.isIdentifier(init.expression) || init.expression.text !== 'require') continue;
        const arg = init.arguments[0];
        if (!arg || !ts.isStringLiteral(arg) || !TF_MODULE.test(arg.text)) continue;
        settle(ts, sf, s);
        const imp: TfImport = { module: arg.text, kind: 'require' };
        program.imports.push(imp);
        if (ts.isObjectBindingPattern(d.name)) {
          const text = sf.text.slice(d.name.getStart(sf), d.name.end);
          imp.named = { span: { start: d.name.getStart(sf), end: d.name.end }, names: d.name.elements.map(e => e.name.getText(sf)), multiline: text.includes('\n') };
        }
      }
    }
  }
}

function bindingFor(prop: string): Binding {
  return prop === 'fused' || OP_NAMESPACES.has(prop) ? { kind: 'sub', path: prop } : { kind: 'fn', op: prop };
}

function detectBackend(facts: TextFacts, program: TsProgram): void {
  const last = facts.setBackend;
  if (last) { program.backend = last; program.backendFrom = `\`tf.setBackend('${last}')\` in the file`; return; }
  if (program.imports.some(i => /tfjs-node-gpu/.test(i.module))) { program.backend = 'node'; program.backendFrom = 'the file imports @tensorflow/tfjs-node-gpu'; return; }
  // the CPU build: ops are TensorFlow CPU kernels, and there is no GPU launch to fuse or estimate
  if (program.imports.some(i => /tfjs-node/.test(i.module))) { program.backend = 'node-cpu'; program.backendFrom = 'the file imports @tensorflow/tfjs-node, TensorFlow on the CPU'; return; }
  if (program.imports.some(i => /tfjs-backend-webgpu/.test(i.module)) || facts.importsWebGpuBackend) { program.backend = 'webgpu'; program.backendFrom = 'the file imports @tensorflow/tfjs-backend-webgpu'; return; }
  program.backend = 'webgl';
  program.backendFrom = 'WebGL is TF.js\'s default backend in browsers (no `tf.setBackend` in the file)';
}

function isCacheableDecl(ts: TypeScriptApi, s: TS.Statement): boolean {
  if (ts.isFunctionDeclaration(s) || ts.isClassDeclaration(s)) return true;
  if (ts.isVariableStatement(s)) return s.declarationList.declarations.length > 0 && s.declarationList.declarations.every(d => !!d.initializer && ts.isIdentifier(d.name) && isFunctionLike(ts, d.initializer));
  return false;
}

function contextKey(scope: Scope, values: TValue[], program: TsProgram): string {
  const parts: string[] = [program.backend];
  for (const [name, b] of scope.vars) {
    let sig: string = b.kind;
    // everything of a module tensor that extraction copies into a function (its shape's source
    // text is quoted in estimates)
    if (b.kind === 'tensor') { const v = values[b.value]; sig += `${v?.dims?.join('x') ?? '?'}${v?.dtype ?? ''}${b.stable ? 's' : ''}${v ? `${v.rank}${v.dtypeKnown}${v.origin}${v.spaceKey}${v.shapeFrom}` : ''}`; }
    else if (b.kind === 'num') sig += b.value;
    else if (b.kind === 'nums') sig += b.values.join('x');
    else if (b.kind === 'fn') sig += b.op;
    else if (b.kind === 'sub') sig += b.path;
    else if (b.kind === 'array') sig += b.values.map(v => values[v]?.dims?.join('x') ?? '?').join(';');
    parts.push(`${name}=${sig}`);
  }
  const a = program.annotations;
  for (const [n, s] of a.shapes) parts.push(`@${n}=${s.dims.join('x')}${s.dtype ?? ''}`);
  for (const [n, v] of a.values) parts.push(`#${n}=${v}`);
  return parts.join('|');
}

/**
 * The span objects of a declaration's functions, each once: they move together when the
 * declaration moves after an edit above it. Gradient contexts with a span are the declaration's
 * own closures' (resolveGradients shares them only between functions nested in one another).
 */
export function spansOf(fns: TFunction[]): Span[] {
  const spans = new Set<Span>();
  const add = (x: Span | undefined) => { if (x) spans.add(x); };
  for (const fn of fns) {
    add(fn.span);
    add(fn.gradient?.span);
    add(fn.baseGradient?.span);
    for (const op of fn.ops) {
      add(op.span); add(op.callSpan); add(op.nameSpan); add(op.stmtSpan); add(op.declOf?.stmtSpan); add(op.gradient?.span);
      for (const a of op.args) add(a.span);
    }
    for (const e of fn.events) add(e.span);
    for (const b of fn.blocks) add(b.loop?.span);
    for (const l of fn.loopOps) { add(l.loopSpan); add(l.mapCall?.span); }
  }
  return [...spans];
}

/** Module-level tensors read inside functions may be read at any time: they escape. */
function markModuleEscapes(moduleFn: TFunction, fns: TFunction[]): void {
  for (const v of moduleFn.values) {
    if (fns.some(fn => fn !== moduleFn && fn.freeNames.has(v.name))) moduleFn.escaping.add(v.key);
  }
}

/**
 * Functions passed by name to tf.grad / optimizer.minimize run under gradient recording; so do the
 * functions they call (by name, transitively) and the closures nested in any of them.
 */
function resolveGradients(fns: TFunction[], passed: Set<string>): void {
  const byName = new Map<string, TFunction[]>();
  for (const fn of fns) {
    const short = fn.name.includes('.') ? fn.name.slice(fn.name.lastIndexOf('.') + 1) : fn.name;
    for (const n of new Set([fn.name, short])) {
      const list = byName.get(n) ?? [];
      list.push(fn);
      byName.set(n, list);
    }
  }
  for (const fn of fns) fn.gradient = fn.baseGradient;
  for (const name of passed) for (const fn of byName.get(name) ?? []) if (!fn.gradient || fn.gradient.kind !== 'lexical') fn.gradient = { kind: 'lexical', via: `\`${name}\` is passed to a gradient function` };
  const work = fns.filter(f => f.gradient && f.gradient.kind !== 'layer');
  const seen = new Set(work);
  while (work.length) {
    const g = work.pop()!;
    for (const c of g.calls) {
      for (const fn of byName.get(c) ?? []) {
        if (seen.has(fn)) continue;
        seen.add(fn);
        if (!fn.gradient) fn.gradient = { kind: 'reachable', via: `\`${fn.name}\` is called from \`${g.name}\`, which runs under ${g.gradient!.kind === 'reachable' ? 'gradient recording' : g.gradient!.via.replace(/^`[^`]*` is passed to a gradient function$/, 'a gradient function')}` };
        work.push(fn);
      }
    }
  }
  // closures nested in a gradient-context function share its context
  const sorted = [...fns].sort((a, b) => a.span.start - b.span.start || b.span.end - a.span.end);
  const stack: TFunction[] = [];
  for (const fn of sorted) {
    while (stack.length && stack[stack.length - 1].span.end <= fn.span.start) stack.pop();
    const outer = stack.find(s => s.gradient && s.gradient.kind !== 'layer' && s.span.end >= fn.span.end);
    if (!fn.gradient && outer) fn.gradient = outer.gradient;
    stack.push(fn);
  }
  for (const fn of fns) for (const op of fn.ops) op.gradient = fn.gradient ?? op.gradient;
}
