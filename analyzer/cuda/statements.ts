// Statement structure inside a function body: blocks, if/else, loops, switch, return and simple
// statements (expressions and declarations up to `;`). Used by both the host sequence analysis and
// the kernel summary. Token indices are inclusive.

import { Tok, type Tokens } from './lexer';
import { matchClose } from './scanner';

export type Stmt =
  | { kind: 'block'; start: number; end: number; body: Stmt[] }
  | { kind: 'if'; start: number; end: number; condOpen: number; condClose: number; then: Stmt; else?: Stmt }
  | { kind: 'for'; start: number; end: number; headOpen: number; headClose: number; body: Stmt }
  | { kind: 'while'; start: number; end: number; condOpen: number; condClose: number; body: Stmt }
  | { kind: 'do'; start: number; end: number; body: Stmt; condOpen: number; condClose: number }
  | { kind: 'switch'; start: number; end: number; condOpen: number; condClose: number; body: Stmt }
  | { kind: 'try'; start: number; end: number; blocks: Stmt[] }
  | { kind: 'return'; start: number; end: number }
  | { kind: 'jump'; start: number; end: number }
  | { kind: 'label'; start: number; end: number }
  | { kind: 'preproc'; start: number; end: number }
  | { kind: 'simple'; start: number; end: number };

const MAX_NESTING = 200;

/** Parses statements in tokens [a, b] (inclusive). */
export function parseStatements(t: Tokens, a: number, b: number): Stmt[] {
  const out: Stmt[] = [];
  const p = new StmtParser(t, b);
  let i = a;
  while (i <= b) {
    const s = p.stmt(i, 0);
    if (!s) break;
    out.push(s);
    i = s.end + 1;
  }
  return out;
}

class StmtParser {
  constructor(private t: Tokens, private limit: number) {}

  stmt(i: number, nest: number): Stmt | undefined {
    const t = this.t;
    const b = this.limit;
    if (i > b) return undefined;
    if (nest > MAX_NESTING) return { kind: 'simple', start: i, end: b };
    if (t.kinds[i] === Tok.Preproc) return { kind: 'preproc', start: i, end: i };
    if (t.is(i, '{')) {
      const close = this.close(i);
      const body: Stmt[] = [];
      let j = i + 1;
      while (j < close) {
        const s = this.withLimit(close - 1, () => this.stmt(j, nest + 1));
        if (!s) break;
        body.push(s);
        j = s.end + 1;
      }
      return { kind: 'block', start: i, end: close, body };
    }
    if (t.is(i, ';')) return { kind: 'simple', start: i, end: i };
    if (t.kinds[i] === Tok.Ident) {
      const w = t.text(i);
      if ((w === 'if' || w === 'while' || w === 'switch') && t.is(i + 1, '(')) {
        // `if constexpr (...)` is handled by skipping `constexpr`
        const open = i + 1;
        const close = this.close(open);
        const body = this.stmt(close + 1, nest + 1) ?? { kind: 'simple', start: close, end: close };
        if (w === 'if') {
          let end = body.end;
          let elseStmt: Stmt | undefined;
          if (t.is(end + 1, 'else') && end + 1 <= b) {
            elseStmt = this.stmt(end + 2, nest + 1);
            if (elseStmt) end = elseStmt.end;
            else end = end + 1;
          }
          return { kind: 'if', start: i, end, condOpen: open, condClose: close, then: body, else: elseStmt };
        }
        if (w === 'while') return { kind: 'while', start: i, end: body.end, condOpen: open, condClose: close, body };
        return { kind: 'switch', start: i, end: body.end, condOpen: open, condClose: close, body };
      }
      if (w === 'if' && t.is(i + 1, 'constexpr') && t.is(i + 2, '(')) {
        const close = this.close(i + 2);
        const body = this.stmt(close + 1, nest + 1) ?? { kind: 'simple', start: close, end: close };
        let end = body.end;
        let elseStmt: Stmt | undefined;
        if (t.is(end + 1, 'else')) {
          elseStmt = this.stmt(end + 2, nest + 1);
          end = elseStmt ? elseStmt.end : end + 1;
        }
        return { kind: 'if', start: i, end, condOpen: i + 2, condClose: close, then: body, else: elseStmt };
      }
      if (w === 'for' && t.is(i + 1, '(')) {
        const close = this.close(i + 1);
        const body = this.stmt(close + 1, nest + 1) ?? { kind: 'simple', start: close, end: close };
        return { kind: 'for', start: i, end: body.end, headOpen: i + 1, headClose: close, body };
      }
      if (w === 'do') {
        const body = this.stmt(i + 1, nest + 1);
        if (body && t.is(body.end + 1, 'while') && t.is(body.end + 2, '(')) {
          const close = this.close(body.end + 2);
          const end = t.is(close + 1, ';') ? close + 1 : close;
          return { kind: 'do', start: i, end, body, condOpen: body.end + 2, condClose: close };
        }
        return { kind: 'simple', start: i, end: body ? body.end : i };
      }
      if (w === 'try' && t.is(i + 1, '{')) {
        const blocks: Stmt[] = [];
        let s = this.stmt(i + 1, nest + 1)!;
        blocks.push(s);
        let end = s.end;
        while (t.is(end + 1, 'catch') && t.is(end + 2, '(')) {
          const close = this.close(end + 2);
          s = this.stmt(close + 1, nest + 1)!;
          if (!s) break;
          blocks.push(s);
          end = s.end;
        }
        return { kind: 'try', start: i, end, blocks };
      }
      if (w === 'return' || w === 'co_return') return { kind: 'return', start: i, end: this.semi(i) };
      if (w === 'break' || w === 'continue' || w === 'goto') return { kind: 'jump', start: i, end: this.semi(i) };
      if ((w === 'case' || w === 'default') ) {
        for (let j = i + 1; j <= b; j++) if (t.is(j, ':') && !t.is(j + 1, ':')) return { kind: 'label', start: i, end: j };
      }
      if (t.is(i + 1, ':') && !t.is(i + 2, ':') && w !== 'public' && w !== 'private' && w !== 'protected') {
        return { kind: 'label', start: i, end: i + 1 };
      }
    }
    return { kind: 'simple', start: i, end: this.semi(i) };
  }

  private withLimit<T>(limit: number, f: () => T): T {
    const old = this.limit;
    this.limit = limit;
    try {
      return f();
    } finally {
      this.limit = old;
    }
  }

  private close(open: number): number {
    const c = matchClose(this.t, open, this.limit + 1);
    return c < 0 ? this.limit : c;
  }

  /**
   * End of a simple statement: the `;` at depth 0. Braces inside (lambdas, initializer lists) nest.
   * Recovery: a half-typed launch must not swallow the next line's launch, so a new line starting
   * with `name<<<` or `name<...><<<` ends the statement when the current one is still open.
   */
  private semi(i: number): number {
    const t = this.t;
    let depth = 0;
    let firstLaunch = -1;
    let lastLineStart = -1;
    for (let j = i; j <= this.limit; j++) {
      const k = t.kinds[j];
      if (j > i && t.lineFirst[j]) lastLineStart = j;
      if (k === Tok.LaunchOpen) {
        if (firstLaunch >= 0 && depth > 0 && lastLineStart > firstLaunch) return lastLineStart - 1;
        if (firstLaunch < 0) firstLaunch = j;
      }
      if (k !== Tok.Punct) continue;
      if (t.is(j, '(') || t.is(j, '[') || t.is(j, '{')) depth++;
      else if (t.is(j, ')') || t.is(j, ']') || t.is(j, '}')) {
        depth--;
        // ran into the enclosing block's closer; a stray closer that starts a statement is one (no zero-length statements: the callers loop on end + 1)
        if (depth < 0) return Math.max(i, j - 1);
      } else if (depth === 0 && t.is(j, ';')) return j;
    }
    return this.limit;
  }
}

/** Visits every statement in a tree, depth first, in source order. */
export function walkStatements(stmts: Stmt[], f: (s: Stmt) => void): void {
  for (const s of stmts) {
    f(s);
    for (const c of children(s)) walkStatements([c], f);
  }
}

export function children(s: Stmt): Stmt[] {
  switch (s.kind) {
    case 'block': return s.body;
    case 'if': return s.else ? [s.then, s.else] : [s.then];
    case 'for': case 'while': case 'do': case 'switch': return [s.body];
    case 'try': return s.blocks;
    default: return [];
  }
}
