// Source text of token ranges with some tokens replaced, keeping the original spacing and comments.
// Re-indentation lets copied kernel code sit at a new nesting depth.

import type { Tokens } from '../cuda/lexer';

/** Replacement for tokens [from, to] (inclusive). */
export interface TokenReplacement {
  from: number;
  to: number;
  text: string;
}

export function rewriteRange(t: Tokens, a: number, b: number, reps: TokenReplacement[]): string {
  if (a > b) return '';
  const sorted = reps.filter(r => r.from >= a && r.to <= b).sort((x, y) => x.from - y.from);
  let out = '';
  let at = t.starts[a];
  for (const r of sorted) {
    if (t.starts[r.from] < at) continue; // overlapping: keep the first
    out += t.src.slice(at, t.starts[r.from]) + r.text;
    at = t.ends[r.to];
  }
  return out + t.src.slice(at, t.ends[b]);
}

/**
 * Re-indents a block of code: strips the smallest common indentation of its lines after the first
 * (the first line starts at a token, so its own indentation is the source line's), then prefixes
 * every line with `indent`.
 */
export function reindent(code: string, firstLineIndent: number, indent: string): string {
  const lines = code.replace(/\r\n?/g, '\n').split('\n');
  const widths = lines.slice(1).filter(l => l.trim().length).map(l => leading(l));
  const common = Math.min(firstLineIndent, ...widths);
  return lines
    .map((l, k) => {
      if (!l.trim().length) return '';
      const body = k === 0 ? ' '.repeat(Math.max(0, firstLineIndent - common)) + l.trimStart() : l.slice(Math.min(common, leading(l)));
      return indent + body.replace(/\s+$/, '');
    })
    .join('\n');
}

function leading(l: string): number {
  let n = 0;
  for (const c of l) {
    if (c === ' ') n++;
    else if (c === '\t') n += 4;
    else break;
  }
  return n;
}

/** Column (in spaces) at which the line of `offset` starts its text. */
export function indentOfLine(src: string, offset: number): number {
  let s = offset;
  while (s > 0 && src.charCodeAt(s - 1) !== 10) s--;
  let n = 0;
  for (let i = s; i < src.length; i++) {
    const c = src[i];
    if (c === ' ') n++;
    else if (c === '\t') n += 4;
    else break;
  }
  return n;
}

/** The text between the start of the line and `offset`, when it is only whitespace. */
export function lineIndentText(src: string, offset: number): string {
  let s = offset;
  while (s > 0 && src.charCodeAt(s - 1) !== 10) s--;
  const pre = src.slice(s, offset);
  return /^\s*$/.test(pre) ? pre : '';
}

/**
 * Identifiers a new name must avoid: every word of the source plus names added since. Lookups
 * search the text (a native indexOf) instead of collecting all its words up front, which cost
 * milliseconds per finding on large files.
 */
export class UsedNames {
  private readonly added = new Set<string>();
  constructor(private readonly src: string) {}

  has(name: string): boolean {
    return this.added.has(name) || containsWord(this.src, name);
  }

  add(name: string): this {
    this.added.add(name);
    return this;
  }
}

/** `name` occurs in src as a whole identifier. */
export function containsWord(src: string, name: string): boolean {
  return wordAt(src, name, 0) >= 0;
}

/** Offset of the next whole-identifier occurrence of `name` in src at or after `from`, or -1. */
export function wordAt(src: string, name: string, from: number): number {
  if (!name) return -1;
  for (let at = src.indexOf(name, from); at >= 0; at = src.indexOf(name, at + 1)) {
    if (at > 0 && isWordChar(src.charCodeAt(at - 1))) continue;
    if (isWordChar(src.charCodeAt(at + name.length))) continue;
    return at;
  }
  return -1;
}

function isWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36;
}
