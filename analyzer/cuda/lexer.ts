// CUDA C++ lexer: one pass over char codes into typed arrays (research/parsing.md, section 3).
// Comments, strings, raw strings and whole preprocessor lines (with `\` continuations) become
// single tokens or are skipped, so every later stage works on tokens with exact source offsets.
// `<<<` is one token; `>` is never merged (`>>` and `>>>` are settled by the scanner at the right
// depth, as template closers or launch closers).

/** Character codes of the brackets and separators the structure passes test with Tokens.ch(). */
export const enum Ch {
  LParen = 40, RParen = 41, LBracket = 91, RBracket = 93, LBrace = 123, RBrace = 125, Comma = 44, Semi = 59, Lt = 60, Gt = 62,
}

export const enum Tok {
  Ident = 0,
  Number = 1,
  String = 2,
  Char = 3,
  Punct = 4,
  Preproc = 5,
  LaunchOpen = 6,
}

export interface Comment {
  start: number;
  end: number;
}

export interface LexProblem {
  message: string;
  start: number;
  end: number;
}

export class Tokens {
  constructor(
    readonly src: string,
    readonly count: number,
    readonly kinds: Uint8Array,
    readonly starts: Int32Array,
    readonly ends: Int32Array,
    /** 1 when the token is the first non-blank thing on its line. */
    readonly lineFirst: Uint8Array,
    readonly comments: Comment[],
    readonly problems: LexProblem[],
    /** How many token texts this object caches itself (fewer when it inherits the rest: relexBody). */
    textSlots = count,
  ) {
    this.texts = new Array<string | undefined>(textSlots);
  }

  /**
   * Token texts, sliced once: the analysis asks for the same identifiers many times. Sized up
   * front: writes far past the end of an empty array would turn it into a slow dictionary.
   */
  texts: Array<string | undefined>;

  /** After relexBody: where unchanged tokens' texts are cached (no copying up front); `texts` then holds the body's. */
  inherited?: { from: Tokens; open: number; at: number; shift: number; depth: number };

  text(i: number): string {
    if (i < 0 || i >= this.count) return '';
    const h = this.inherited;
    if (h) {
      // texts outside the re-lexed body come from the tokens it was spliced into
      if (i < h.open) return h.from.text(i);
      if (i >= h.at) return h.from.text(i - h.shift);
      const k = i - h.open;
      let r = this.texts[k];
      if (r === undefined) this.texts[k] = r = this.src.slice(this.starts[i], this.ends[i]);
      return r;
    }
    let s = this.texts[i];
    if (s === undefined) this.texts[i] = s = intern(this.src.slice(this.starts[i], this.ends[i]));
    return s;
  }

  kind(i: number): Tok | -1 {
    return i >= 0 && i < this.count ? (this.kinds[i] as Tok) : -1;
  }

  /** True when token i is exactly `s` (no allocation). */
  is(i: number, s: string): boolean {
    if (i < 0 || i >= this.count) return false;
    const st = this.starts[i];
    if (this.ends[i] - st !== s.length) return false;
    for (let k = 0; k < s.length; k++) if (this.src.charCodeAt(st + k) !== s.charCodeAt(k)) return false;
    return true;
  }

  /** The character of a one-character punctuator token, else 0 (fast bracket and separator tests). */
  ch(i: number): number {
    if (i < 0 || i >= this.count || this.kinds[i] !== Tok.Punct) return 0;
    const st = this.starts[i];
    return this.ends[i] - st === 1 ? this.src.charCodeAt(st) : 0;
  }

  isIdent(i: number): boolean {
    return i >= 0 && i < this.count && this.kinds[i] === Tok.Ident;
  }

  /** Source text between the start of token a and the end of token b (inclusive). */
  slice(a: number, b: number): string {
    if (a > b || a < 0 || b >= this.count) return '';
    return this.src.slice(this.starts[a], this.ends[b]);
  }

  /** True when token j starts right where token i ends (no space), e.g. the `>` `>` `>` of `>>>`. */
  adjacent(i: number, j: number): boolean {
    return this.ends[i] === this.starts[j];
  }

  /** Index of the first token whose end is after `offset` (binary search). */
  indexAt(offset: number): number {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.ends[mid] <= offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/**
 * One string per distinct token text across analyses. A re-analysis of a file (every keystroke
 * the incremental path cannot take) then keeps long-lived strings instead of tens of thousands of
 * new ones that the young-generation GC would copy twice before promoting them.
 */
const interned = new Map<string, string>();
function intern(s: string): string {
  const c = interned.get(s);
  if (c !== undefined) return c;
  if (interned.size >= 100_000) interned.clear(); // a bound on memory: about 4 MB
  interned.set(s, s);
  return s;
}

/** 1 for ASCII characters that may start an identifier, 2 for those that may only continue one (digits). */
const ID_CHAR = new Uint8Array(128);
for (let c = 0; c < 128; c++) ID_CHAR[c] = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 36 ? 1 : c >= 48 && c <= 57 ? 2 : 0;
// one table load per character (identifiers are most of the lexer's time); anything past ASCII
// counts as a letter, and NaN (past the end) as nothing
const isIdStart = (c: number) => (c < 128 ? ID_CHAR[c] === 1 : c > 127);
const isIdPart = (c: number) => (c < 128 ? ID_CHAR[c] !== 0 : c > 127);
const isDigit = (c: number) => c >= 48 && c <= 57;

// Multi-character punctuators we merge. `>`-led ones other than `>=` and `->` are left single.
// Three-character ones: `...`, `<<=`, `->*` (punctLength).
const PUNCT2 = new Set(['::', '->', '++', '--', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '==', '!=', '<=', '>=', '&&', '||', '<<', '.*']);
/** 1 at [first * 128 + second] when the two characters make one of PUNCT2 (a table, not a Map: the lexer asks per punctuator). */
const PUNCT2_TABLE = new Uint8Array(128 * 128);
for (const p of PUNCT2) PUNCT2_TABLE[p.charCodeAt(0) * 128 + p.charCodeAt(1)] = 1;

/** Length of the punctuator at i (1, 2 or 3), without allocating. */
function punctLength(src: string, i: number, c: number): number {
  const c2 = src.charCodeAt(i + 1);
  if (c < 128 && c2 < 128 && PUNCT2_TABLE[c * 128 + c2] === 1) {
    // the three-character ones (PUNCT3) extend a two-character one, except `...`
    const c3 = src.charCodeAt(i + 2);
    return (c === 60 && c2 === 60 && c3 === 61) || (c === 45 && c2 === 62 && c3 === 42) ? 3 : 2;
  }
  return c === 46 && c2 === 46 && src.charCodeAt(i + 2) === 46 ? 3 : 1;
}
const STRING_PREFIXES = new Set(['L', 'u', 'U', 'u8', 'R', 'LR', 'uR', 'UR', 'u8R']);

/**
 * Lexes src, or only [from, to) of it (incremental re-lexing of one function body): offsets stay
 * those of src. A range must start and end outside comments and literals; the caller checks.
 */
export function lex(src: string, from = 0, to = src.length): Tokens {
  const n = to;
  // Upper bound on tokens is n; start small and grow to keep memory proportional to real counts.
  let cap = Math.max(64, (n - from) >> 2);
  let kinds = new Uint8Array(cap);
  let starts = new Int32Array(cap);
  let ends = new Int32Array(cap);
  let lineFirst = new Uint8Array(cap);
  let count = 0;
  const comments: Comment[] = [];
  const problems: LexProblem[] = [];
  let atLineStart = true;
  for (let k = from - 1; k >= 0; k--) {
    const c = src.charCodeAt(k);
    if (c === 10) break;
    if (c !== 32 && c !== 9 && c !== 13) { atLineStart = false; break; }
  }

  // One loop, no closures: every branch either skips trivia (`continue`) or sets the token's kind
  // and end for the one push at the bottom (closures over the growing arrays and the line flag
  // made each token cost several times a plain loop).
  let i = from;
  while (i < n) {
    const c = src.charCodeAt(i);
    // whitespace
    if (c === 10) { atLineStart = true; i++; continue; }
    if (c === 32 || c === 9 || c === 13 || c === 12 || c === 11) { i++; continue; }
    let kind: Tok;
    let e: number;
    // line continuation outside a directive
    if (c === 92 && (src.charCodeAt(i + 1) === 10 || (src.charCodeAt(i + 1) === 13 && src.charCodeAt(i + 2) === 10))) {
      i += src.charCodeAt(i + 1) === 13 ? 3 : 2;
      continue;
    }
    // comments
    if (c === 47) {
      const d = src.charCodeAt(i + 1);
      if (d === 47) {
        // to the newline (indexOf: a comment is searched, not stepped through), unless a
        // backslash continues it
        let j = i + 2;
        for (;;) {
          const nl = src.indexOf('\n', j);
          if (nl < 0 || nl >= n) { j = n; break; }
          const p = src.charCodeAt(nl - 1);
          if (p === 92 || (p === 13 && src.charCodeAt(nl - 2) === 92)) { j = nl + 1; continue; }
          j = nl;
          break;
        }
        comments.push({ start: i, end: j });
        i = j;
        continue;
      }
      if (d === 42) {
        const close = src.indexOf('*/', i + 2);
        const j = close < 0 ? n : close + 2;
        if (close < 0) problems.push({ message: 'unterminated block comment', start: i, end: n });
        comments.push({ start: i, end: j });
        i = j;
        continue;
      }
    }
    if (c === 35 && atLineStart) {
      // preprocessor line
      let j = i + 1;
      while (j < n) {
        const x = src.charCodeAt(j);
        if (x === 10) {
          let k = j - 1;
          if (src.charCodeAt(k) === 13) k--;
          if (src.charCodeAt(k) === 92) { j++; continue; }
          break;
        }
        if (x === 47 && src.charCodeAt(j + 1) === 42) {
          // a block comment inside a directive may span lines
          const close = src.indexOf('*/', j + 2);
          j = close < 0 ? n : close + 2;
          continue;
        }
        j++;
      }
      kind = Tok.Preproc;
      e = j;
    } else if (isIdStart(c)) {
      // identifiers, keywords, and prefixed string/char literals
      let j = i + 1;
      while (j < n && isIdPart(src.charCodeAt(j))) j++;
      const q = src.charCodeAt(j);
      kind = Tok.Ident;
      e = j;
      if ((q === 34 || q === 39) && j - i <= 3 && STRING_PREFIXES.has(src.slice(i, j))) {
        const prefix = src.slice(i, j);
        let raw = false;
        if (q === 34 && prefix.endsWith('R')) {
          // raw string R"delim( ... )delim"
          const paren = src.indexOf('(', j + 1);
          const delim = paren >= 0 && paren - j - 1 <= 16 ? src.slice(j + 1, paren) : null;
          if (delim !== null && !/[\s\\)]/.test(delim)) {
            const close = src.indexOf(')' + delim + '"', paren + 1);
            e = close < 0 ? n : close + delim.length + 2;
            if (close < 0) problems.push({ message: 'unterminated raw string literal', start: i, end: n });
            kind = Tok.String;
            raw = true;
          }
        }
        if (!raw) {
          e = lexQuoted(src, n, j, q, problems);
          kind = q === 34 ? Tok.String : Tok.Char;
        }
      }
    } else if (isDigit(c) || (c === 46 && isDigit(src.charCodeAt(i + 1)))) {
      // numbers (digit separators, hex, exponents with signs, suffixes)
      let j = i + 1;
      while (j < n) {
        const x = src.charCodeAt(j);
        if (isIdPart(x) || x === 46) { j++; continue; }
        if (x === 39 && isIdPart(src.charCodeAt(j + 1))) { j += 2; continue; }
        if (x === 43 || x === 45) {
          // exponent sign: 1e-5 (decimal) or 0x1p-3 (hex float)
          const prev = src.charCodeAt(j - 1) | 32;
          const hex = src.charCodeAt(i) === 48 && (src.charCodeAt(i + 1) | 32) === 120;
          if ((!hex && prev === 101) || (hex && prev === 112)) { j++; continue; }
        }
        break;
      }
      kind = Tok.Number;
      e = j;
    } else if (c === 34 || c === 39) {
      e = lexQuoted(src, n, i, c, problems);
      kind = c === 34 ? Tok.String : Tok.Char;
    } else if (c === 60 && src.charCodeAt(i + 1) === 60 && src.charCodeAt(i + 2) === 60) {
      kind = Tok.LaunchOpen;
      e = i + 3;
    } else {
      // punctuation
      kind = Tok.Punct;
      e = i + punctLength(src, i, c);
    }
    if (count === cap) {
      cap *= 2;
      const k2 = new Uint8Array(cap); k2.set(kinds); kinds = k2;
      const s2 = new Int32Array(cap); s2.set(starts); starts = s2;
      const e2 = new Int32Array(cap); e2.set(ends); ends = e2;
      const l2 = new Uint8Array(cap); l2.set(lineFirst); lineFirst = l2;
    }
    kinds[count] = kind;
    starts[count] = i;
    ends[count] = e;
    lineFirst[count] = atLineStart ? 1 : 0;
    count++;
    atLineStart = false;
    i = e;
  }
  return new Tokens(src, count, kinds, starts, ends, lineFirst, comments, problems);
}

/** The end offset of a "..." or '...' literal whose quote is at `open` (to the line's end when unterminated). */
function lexQuoted(src: string, n: number, open: number, quote: number, problems: LexProblem[]): number {
  let j = open + 1;
  while (j < n) {
    const c = src.charCodeAt(j);
    if (c === 92) { j += 2; continue; }
    if (c === quote) return j + 1;
    if (c === 10) break;
    j++;
  }
  problems.push({ message: quote === 34 ? 'unterminated string literal' : 'unterminated character literal', start: open, end: Math.min(j, n) });
  return Math.min(j, n);
}

/**
 * The tokens of `text` after an edit that only changed blanks between tokens `k - 1` and `k` of
 * `old` (the caller checks): the same tokens, those from `k` on moved by delta.
 */
export function shiftTokens(old: Tokens, text: string, k: number, delta: number, gap?: { from: number; to: number; comments: Comment[] }): Tokens {
  const starts = old.starts.slice(0, old.count);
  const ends = old.ends.slice(0, old.count);
  for (let i = k; i < old.count; i++) {
    starts[i] += delta;
    ends[i] += delta;
  }
  const at = k < old.count ? old.starts[k] : Number.MAX_SAFE_INTEGER;
  const moved = <T extends { start: number; end: number }>(x: T): T => (x.start >= at ? { ...x, start: x.start + delta, end: x.end + delta } : x);
  // kinds and line flags are the old arrays: nothing writes to them after lexing
  const chain = (old.inherited?.depth ?? 0) + 1;
  // the comments of the gap [from, to) before token k, when the edit changed them (lexed again)
  const comments = gap
    ? [...old.comments.filter(c => c.end <= gap.from), ...gap.comments, ...old.comments.filter(c => c.start >= gap.to).map(moved)]
    : old.comments.map(moved);
  const t = new Tokens(text, old.count, old.kinds, starts, ends, old.lineFirst, comments, old.problems.map(moved), chain <= 3 ? 0 : old.count);
  if (chain <= 3) t.inherited = { from: old, open: old.count, at: old.count, shift: 0, depth: chain };
  return t;
}

/**
 * The tokens of `text` after an edit that stayed inside the braces `open`..`close` of `old`
 * (delta: the change in length): the body is re-lexed alone and spliced between the old tokens
 * before it and the old tokens after it, moved by delta. Undefined when the new body is not one
 * balanced `{...}` of its own (an opened comment, a brace typed): then lex the whole file.
 */
export function relexBody(old: Tokens, text: string, open: number, close: number, delta: number): Tokens | undefined {
  const from = old.starts[open];
  const oldTo = old.ends[close];
  const to = oldTo + delta;
  if (to <= from) return undefined;
  const region = lex(text, from, to);
  const rc = region.count;
  if (rc < 2 || !region.is(0, '{') || !region.is(rc - 1, '}') || region.ends[rc - 1] !== to) return undefined;
  let depth = 0;
  for (let i = 0; i < rc; i++) {
    if (region.kinds[i] !== Tok.Punct) continue;
    if (region.is(i, '{')) depth++;
    else if (region.is(i, '}') && --depth === 0 && i !== rc - 1) return undefined;
  }
  if (depth !== 0) return undefined;
  for (const c of region.comments) if (c.end > to) return undefined;
  for (const p of region.problems) if (p.end > to) return undefined;

  const tail = old.count - close - 1;
  const count = open + rc + tail;
  const kinds = new Uint8Array(count);
  const starts = new Int32Array(count);
  const ends = new Int32Array(count);
  const lineFirst = new Uint8Array(count);
  kinds.set(old.kinds.subarray(0, open));
  starts.set(old.starts.subarray(0, open));
  ends.set(old.ends.subarray(0, open));
  lineFirst.set(old.lineFirst.subarray(0, open));
  kinds.set(region.kinds.subarray(0, rc), open);
  starts.set(region.starts.subarray(0, rc), open);
  ends.set(region.ends.subarray(0, rc), open);
  lineFirst.set(region.lineFirst.subarray(0, rc), open);
  const at = open + rc;
  kinds.set(old.kinds.subarray(close + 1, old.count), at);
  lineFirst.set(old.lineFirst.subarray(close + 1, old.count), at);
  for (let i = 0; i < tail; i++) {
    starts[at + i] = old.starts[close + 1 + i] + delta;
    ends[at + i] = old.ends[close + 1 + i] + delta;
  }
  const moved = <T extends { start: number; end: number }>(x: T): T => ({ ...x, start: x.start + delta, end: x.end + delta });
  const comments = [
    ...old.comments.filter(c => c.end <= from),
    ...region.comments,
    ...old.comments.filter(c => c.start >= oldTo).map(moved),
  ];
  const problems = [
    ...old.problems.filter(p => p.end <= from),
    ...region.problems,
    ...old.problems.filter(p => p.start >= oldTo).map(moved),
  ];
  // the texts of unchanged tokens carry over
  // a short chain only: each link keeps an older token array alive
  const chain = (old.inherited?.depth ?? 0) + 1;
  const t = new Tokens(text, count, kinds, starts, ends, lineFirst, comments, problems, chain <= 3 ? rc : count);
  if (chain <= 3) t.inherited = { from: old, open, at, shift: at - (close + 1), depth: chain };
  return t;
}
