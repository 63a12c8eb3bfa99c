// Positions and edits. The analyzer works in UTF-16 offsets (JavaScript string indices), which is
// also what LSP positions count in, so no conversion is ever lossy.

/** Half-open offset range [start, end) into one document's text. */
export interface Span {
  start: number;
  end: number;
}

/** 0-based line and UTF-16 column, as in LSP. */
export interface Position {
  line: number;
  character: number;
}

export interface TextEdit {
  span: Span;
  newText: string;
}

/** Maps offsets to line/column and back in O(log lines). */
export class LineIndex {
  private readonly starts: number[];

  constructor(private readonly text: string, knownStarts?: number[]) {
    if (knownStarts) {
      this.starts = knownStarts;
      return;
    }
    const starts = [0];
    if (!text.includes('\r')) {
      // the common case: jump from newline to newline (a search, not a loop over every character)
      for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
      this.starts = starts;
      return;
    }
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10) starts.push(i + 1);
      else if (c === 13) {
        if (text.charCodeAt(i + 1) === 10) i++;
        starts.push(i + 1);
      }
    }
    this.starts = starts;
  }

  /**
   * The index of `text`, made from `prev` (the index of the text before an edit that replaced
   * [p, so) of the old text by [p, sn) of the new one): line starts before the edit are kept,
   * those after it move. Falls back to a full scan around carriage returns.
   */
  static afterEdit(prev: LineIndex, text: string, p: number, so: number, sn: number): LineIndex {
    const old = prev.text;
    const near = (t: string, a: number, b: number) => t.slice(Math.max(0, a - 1), b + 1).includes('\r');
    if (near(old, p, so) || near(text, p, sn)) return new LineIndex(text);
    const delta = sn - so;
    const ps = prev.starts;
    // sized once (a keystroke re-indexes 10,000 lines: no growing copies)
    let i0 = 0;
    while (i0 < ps.length && ps[i0] <= p) i0++;
    let i1 = i0;
    while (i1 < ps.length && ps[i1] <= so) i1++;
    let added = 0;
    for (let j = p; j < sn; j++) if (text.charCodeAt(j) === 10) added++;
    const starts = new Array<number>(i0 + added + ps.length - i1);
    let n = 0;
    for (let i = 0; i < i0; i++) starts[n++] = ps[i];
    for (let j = p; j < sn; j++) if (text.charCodeAt(j) === 10) starts[n++] = j + 1;
    for (let i = i1; i < ps.length; i++) starts[n++] = ps[i] + delta;
    return new LineIndex(text, starts);
  }

  /**
   * The index of `text`, made from the index of an earlier text of the same document: the edit
   * between them is found by comparing the texts (prefix and suffix), then line starts are moved
   * as in `afterEdit`. A change of more than a quarter of the text is indexed from scratch.
   */
  static afterText(prev: LineIndex, text: string): LineIndex {
    const old = prev.text;
    if (old === text) return prev;
    const { pre, suf } = editBetween(old, text);
    if (old.length - pre - suf + text.length - pre - suf > text.length / 4) return new LineIndex(text);
    return LineIndex.afterEdit(prev, text, pre, old.length - suf, text.length - suf);
  }

  get lineCount(): number {
    return this.starts.length;
  }

  position(offset: number): Position {
    const o = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: o - this.starts[lo] };
  }

  offset(pos: Position): number {
    if (pos.line < 0) return 0;
    if (pos.line >= this.starts.length) return this.text.length;
    const lineEnd = pos.line + 1 < this.starts.length ? this.starts[pos.line + 1] : this.text.length;
    return Math.min(this.starts[pos.line] + Math.max(0, pos.character), lineEnd);
  }

  lineStart(line: number): number {
    return this.starts[Math.max(0, Math.min(line, this.starts.length - 1))];
  }
}

const CHUNK = 2048;

/** Length of the common prefix of two strings, at most `max`: whole chunks compared as strings (memcmp), then characters. */
export function commonPrefix(a: string, b: string, max: number): number {
  let i = 0;
  while (i + CHUNK <= max && a.slice(i, i + CHUNK) === b.slice(i, i + CHUNK)) i += CHUNK;
  while (i < max && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

let lastEdit: { a: string; b: string; pre: number; suf: number } | undefined;

/**
 * The edit that turned `a` into `b`, as the lengths of their common prefix and (non-overlapping)
 * suffix. The last pair is remembered: the line index and the parser of one TypeScript analysis
 * both ask for it, and each answer reads the whole file.
 */
export function editBetween(a: string, b: string): { pre: number; suf: number } {
  if (lastEdit && lastEdit.a === a && lastEdit.b === b) return lastEdit;
  const max = Math.min(a.length, b.length);
  const pre = commonPrefix(a, b, max);
  lastEdit = { a, b, pre, suf: commonSuffix(a, b, max - pre) };
  return lastEdit;
}

/**
 * Whether an edit (old [pre, old.length - suf) became new [pre, new.length - suf)) has one of `words`
 * within `reach` non-blank characters of it, in the old text or the new. A test over the whole text
 * whose matches are one of these words plus blanks and fewer than `reach` other characters gives
 * the same answer after an edit that touches none: no match was made or broken.
 */
export function editTouchesWords(old: string, text: string, pre: number, suf: number, words: readonly string[], reach = 48): boolean {
  const near = (a: string, from: number, to: number) => {
    let lo = from;
    for (let n = 0; lo > 0 && n < reach; lo--) if (!isBlankChar(a.charCodeAt(lo - 1))) n++;
    let hi = to;
    for (let n = 0; hi < a.length && n < reach; hi++) if (!isBlankChar(a.charCodeAt(hi))) n++;
    const w = a.slice(lo, hi);
    return words.some(x => w.includes(x));
  };
  return near(old, pre, old.length - suf) || near(text, pre, text.length - suf);
}

/** A character `\s` matches. */
function isBlankChar(c: number): boolean {
  if (c < 128) return c === 32 || (c >= 9 && c <= 13);
  return /\s/.test(String.fromCharCode(c));
}

/** Length of the common suffix of two strings, at most `max`. */
export function commonSuffix(a: string, b: string, max: number): number {
  let i = 0;
  while (i + CHUNK <= max && a.slice(a.length - i - CHUNK, a.length - i) === b.slice(b.length - i - CHUNK, b.length - i)) i += CHUNK;
  while (i < max && a.charCodeAt(a.length - 1 - i) === b.charCodeAt(b.length - 1 - i)) i++;
  return i;
}

/** Applies non-overlapping edits (any order) and returns the new text. Throws on overlap. */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const sorted = [...edits].sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end);
  let out = '';
  let at = 0;
  for (const e of sorted) {
    if (e.span.start < at) throw new Error(`overlapping edits at offset ${e.span.start}`);
    out += text.slice(at, e.span.start) + e.newText;
    at = e.span.end;
  }
  return out + text.slice(at);
}

/** A single-line excerpt of source text, whitespace collapsed, for messages. */
export function excerpt(text: string, max = 80): string {
  const s = text.replace(/\s+/g, ' ').trim();
  return s.length > max ? s.slice(0, max - 1) + '…' : s;
}
