// Re-parsing one top-level statement after an edit, instead of ts.updateSourceFile: that moves the
// offsets of every node after the edit (a third of a keystroke's time in a 5,000-line file), while
// most consumers look only at the statement that changed.
//
// The statement's new text is parsed alone and its nodes moved to its offset in the file. Every
// later top-level statement gets its own pos/end moved at once, but its children keep offsets that
// are off by a pending delta until `settle` moves them; code that reads below a top-level statement
// calls `settle` first (the TF.js module walk and extraction, the WebGPU host walk). Top-level
// statement nodes, the text and the statement list are always exact.
//
// The result equals a full parse only when the statement parses the same alone as in the file, so
// the fast path declines (and the caller runs ts.updateSourceFile) unless: the edit lies inside one
// statement other than the first (which holds the file's header comments), the text parses into
// exactly one statement covering it with no diagnostics, and neither that statement nor the one
// before can be continued by what follows it (see `closed`).

import type * as TS from 'typescript';
import type { TypeScriptApi } from './tsModule';

/** Per tree: top-level statement -> the delta its children's offsets still need. */
const pendingOf = new WeakMap<TS.SourceFile, Map<TS.Node, number>>();

type Mutable = { pos: number; end: number; jsDoc?: TS.Node[] };

/** Moves a node and everything below it by `d` (what TypeScript's incremental parser does). */
function shiftDeep(ts: TypeScriptApi, root: TS.Node, d: number): void {
  const visitArray = (a: TS.NodeArray<TS.Node>): undefined => {
    (a as unknown as Mutable).pos += d;
    (a as unknown as Mutable).end += d;
    for (const n of a) visit(n);
    return undefined;
  };
  const visit = (n: TS.Node): undefined => {
    const m = n as unknown as Mutable;
    m.pos += d;
    m.end += d;
    ts.forEachChild(n, visit, visitArray);
    if (m.jsDoc) for (const j of m.jsDoc) visit(j);
    return undefined;
  };
  visit(root);
}

/** Moves the children of a top-level statement to their offsets in the current text. */
export function settle(ts: TypeScriptApi, sf: TS.SourceFile, s: TS.Node): void {
  const pending = pendingOf.get(sf);
  const d = pending?.get(s);
  if (!d) return;
  pending!.delete(s);
  const m = s as unknown as Mutable;
  // shiftDeep moves the node itself too: undo that for the (already exact) statement node
  m.pos -= d;
  m.end -= d;
  shiftDeep(ts, s, d);
}

/** Makes the whole tree exact (before handing it to ts.updateSourceFile). */
export function settleAll(ts: TypeScriptApi, sf: TS.SourceFile): void {
  const pending = pendingOf.get(sf);
  if (!pending?.size) return;
  for (const s of [...pending.keys()]) settle(ts, sf, s);
}

/** The delta a top-level statement's children still need (tests). */
export function pendingDelta(sf: TS.SourceFile, s: TS.Node): number {
  return pendingOf.get(sf)?.get(s) ?? 0;
}

/**
 * Whether nothing after the statement can join it: it ends in `;` (and is not an `if`, which would
 * take a following `else`, nor a loop or label, which may end in one), or it is a declaration whose
 * body's `}` ends it. `const f = function () {}` followed by `(x)` on the next line is a call.
 */
function closed(ts: TypeScriptApi, s: TS.Statement, text: string, end: number): boolean {
  const K = ts.SyntaxKind;
  switch (s.kind) {
    case K.FunctionDeclaration: return !!(s as TS.FunctionDeclaration).body || text.charCodeAt(end - 1) === 59;
    case K.ClassDeclaration: case K.InterfaceDeclaration: case K.EnumDeclaration: case K.Block: case K.SwitchStatement:
      return text.charCodeAt(end - 1) === 125; // `}`
    // `try {} catch {}` takes a `finally` that follows
    case K.TryStatement: return !!(s as TS.TryStatement).finallyBlock && text.charCodeAt(end - 1) === 125;
    case K.ModuleDeclaration: return text.charCodeAt(end - 1) === 125;
    case K.VariableStatement: case K.ExpressionStatement: case K.ReturnStatement: case K.ThrowStatement: case K.BreakStatement: case K.ContinueStatement:
    case K.ImportDeclaration: case K.ExportDeclaration: case K.ExportAssignment: case K.TypeAliasDeclaration: case K.ImportEqualsDeclaration: case K.EmptyStatement: case K.DebuggerStatement:
      return text.charCodeAt(end - 1) === 59; // `;`
    default: return false;
  }
}

/** The statement of `stmts` whose [pos, end] holds [a, b], by binary search; -1 when none. */
function statementAt(stmts: readonly TS.Statement[], a: number, b: number): number {
  let lo = 0;
  let hi = stmts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (stmts[mid].pos <= a) lo = mid;
    else hi = mid - 1;
  }
  return lo < stmts.length && stmts[lo].pos <= a && b <= stmts[lo].end ? lo : -1;
}

type Internal = TS.SourceFile & {
  parseDiagnostics: TS.DiagnosticWithLocation[];
  jsDocDiagnostics?: TS.DiagnosticWithLocation[];
  /** How the tree was parsed (internal; `ts.updateSourceFile` reads it too). */
  jsDocParsingMode?: TS.JSDocParsingMode;
  commentDirectives?: Array<{ range: TS.TextRange; type: number }>;
  externalModuleIndicator?: TS.Node | true;
  lineMap?: readonly number[];
  text: string;
  end: number;
};

/**
 * The tree of `text`, made from `old` (the tree of the text before an edit that replaced
 * [start, oldEnd) by `newLen` characters) by re-parsing the one statement the edit is in; undefined
 * when the fast path does not apply. `old` itself is not valid afterwards (its later statements moved).
 */
export function reparseStatement(ts: TypeScriptApi, old: TS.SourceFile, text: string, start: number, oldEnd: number, newLen: number, kind: TS.ScriptKind): TS.SourceFile | undefined {
  const o = old as Internal;
  const stmts = o.statements;
  const i = statementAt(stmts, start, oldEnd);
  if (i <= 0) return undefined;
  const s = stmts[i];
  const prev = stmts[i - 1];
  // `closed` reads the last character: in a statement with errors (an unterminated string ending
  // in `;`) that may not be a token. Errors at the edge also belong to either side: decline.
  const near = (x: TS.Diagnostic) => x.start! >= prev.pos && x.start! <= s.end;
  if (o.parseDiagnostics.some(near) || o.jsDocDiagnostics?.some(near)) return undefined;
  if (!closed(ts, prev, o.text, prev.end)) return undefined;
  const delta = newLen - (oldEnd - start);
  const from = s.pos;
  const to = s.end + delta;
  const snippet = text.slice(from, to);
  // a shebang is trivia only at offset 0
  if (snippet.charCodeAt(0) === 35) return undefined;
  // the file's own parser settings (parseOptions: no JSDoc), so the snippet's tree is the file's
  const part = ts.createSourceFile(o.fileName, snippet, { languageVersion: o.languageVersion, jsDocParsingMode: o.jsDocParsingMode }, false, kind) as Internal;
  if (part.statements.length !== 1 || part.parseDiagnostics.length || part.jsDocDiagnostics?.length) return undefined;
  const n = part.statements[0];
  if (n.end !== snippet.length || !closed(ts, n, snippet, n.end) && i !== stmts.length - 1) return undefined;
  // top-level await and import.meta depend on the whole file being a module: not decided here
  const internal = ts as unknown as { TransformFlags: Record<string, number>; NodeFlags: Record<string, number> };
  if ((n as unknown as { transformFlags: number }).transformFlags & internal.TransformFlags.ContainsPossibleTopLevelAwait) return undefined;
  if (part.flags & internal.NodeFlags.PossiblyContainsImportMeta) return undefined;
  // whether the file is a module follows its first import/export statement
  if (o.externalModuleIndicator === s) return undefined;
  if (part.externalModuleIndicator && (!o.externalModuleIndicator || o.externalModuleIndicator === true || o.externalModuleIndicator.pos > s.pos)) return undefined;

  shiftDeep(ts, n, from);
  // the old tree is not valid after this: its pending deltas move to the new one
  const pending = pendingOf.get(old) ?? new Map<TS.Node, number>();
  pendingOf.delete(old);
  pending.delete(s);
  const list: TS.Statement[] = stmts.slice();
  list[i] = n;
  for (let j = i + 1; j < list.length; j++) {
    const m = list[j] as unknown as Mutable;
    m.pos += delta;
    m.end += delta;
    pending.set(list[j], (pending.get(list[j]) ?? 0) + delta);
  }
  const statements = ts.factory.createNodeArray(list, stmts.hasTrailingComma) as unknown as Mutable;
  statements.pos = stmts.pos;
  statements.end = stmts.end + delta;

  // a new tree object: caches keyed by the tree (fuseHost's identifier sets) must not see stale text
  const sf = Object.assign(Object.create(Object.getPrototypeOf(o)) as Internal, o);
  sf.text = text;
  sf.end = text.length;
  (sf as { statements: unknown }).statements = statements;
  sf.lineMap = undefined;
  shiftDeep(ts, o.endOfFileToken, delta);
  // diagnostics and comment directives: the statement's own replaced, later ones moved
  const moveRanges = <T>(xs: T[] | undefined, at: (x: T) => number, move: (x: T) => T, fresh: T[] | undefined): T[] | undefined => {
    if (!xs?.length && !fresh?.length) return xs;
    const out: T[] = [];
    for (const x of xs ?? []) if (at(x) < from) out.push(x);
    out.push(...(fresh ?? []));
    for (const x of xs ?? []) if (at(x) >= s.end) out.push(move(x));
    return out;
  };
  sf.parseDiagnostics = moveRanges(o.parseDiagnostics, x => x.start, x => ({ ...x, start: x.start + delta }), [])!;
  sf.jsDocDiagnostics = moveRanges(o.jsDocDiagnostics, x => x.start, x => ({ ...x, start: x.start + delta }), undefined);
  sf.commentDirectives = moveRanges(o.commentDirectives, x => x.range.pos, x => ({ ...x, range: { pos: x.range.pos + delta, end: x.range.end + delta } }),
    part.commentDirectives?.map(x => ({ ...x, range: { pos: x.range.pos + from, end: x.range.end + from } })));
  (sf as { flags: number }).flags |= part.flags & internal.NodeFlags.PossiblyContainsDynamicImport;
  pendingOf.set(sf, pending);
  return sf;
}
