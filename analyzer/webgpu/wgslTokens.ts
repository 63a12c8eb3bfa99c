// A small WGSL tokenizer for the rewriter: identifiers, numbers, punctuation and their offsets, with
// comments skipped. wgsl_reflect's AST has spans for statements only, so the fused shader is written
// by copying statement text and replacing tokens in it (names, buffer accesses).

export interface WTok {
  kind: 'ident' | 'number' | 'punct';
  text: string;
  start: number;
  end: number;
}

const PUNCT3 = ['<<=', '>>='];
const PUNCT2 = ['->', '<=', '>=', '==', '!=', '&&', '||', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '++', '--', '<<', '>>'];

export function tokenizeWgsl(text: string, from = 0, to = text.length): WTok[] {
  const out: WTok[] = [];
  let i = from;
  while (i < to) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13) { i++; continue; }
    if (c === 47 && text.charCodeAt(i + 1) === 47) { // line comment
      const nl = text.indexOf('\n', i);
      i = nl < 0 || nl > to ? to : nl + 1;
      continue;
    }
    if (c === 47 && text.charCodeAt(i + 1) === 42) { // block comments nest in WGSL
      let depth = 1;
      i += 2;
      while (i < to && depth > 0) {
        if (text.startsWith('/*', i)) { depth++; i += 2; } else if (text.startsWith('*/', i)) { depth--; i += 2; } else i++;
      }
      continue;
    }
    if (isIdStart(c)) {
      let j = i + 1;
      while (j < to && isIdPart(text.charCodeAt(j))) j++;
      out.push({ kind: 'ident', text: text.slice(i, j), start: i, end: j });
      i = j;
      continue;
    }
    if ((c >= 48 && c <= 57) || (c === 46 && isDigit(text.charCodeAt(i + 1)))) {
      const hex = c === 48 && (text.charCodeAt(i + 1) | 32) === 120;
      let j = i + 1;
      while (j < to) {
        const d = text.charCodeAt(j);
        const prev = text.charCodeAt(j - 1) | 32;
        const sign = (d === 43 || d === 45) && (hex ? prev === 112 : prev === 101); // 1e-3, 0x1p+4
        if (isIdPart(d) || d === 46 || sign) j++;
        else break;
      }
      out.push({ kind: 'number', text: text.slice(i, j), start: i, end: j });
      i = j;
      continue;
    }
    const three = text.slice(i, i + 3);
    const two = text.slice(i, i + 2);
    const p = PUNCT3.includes(three) ? three : PUNCT2.includes(two) ? two : text[i];
    out.push({ kind: 'punct', text: p, start: i, end: i + p.length });
    i += p.length;
  }
  return out;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isIdStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c > 127;
}
function isIdPart(c: number): boolean {
  return isIdStart(c) || isDigit(c);
}

/** Index of the token closing the bracket opened at `open` (`(`, `[`, `{`, or `<` of a template). */
export function matching(toks: WTok[], open: number): number {
  const o = toks[open].text;
  const c = o === '(' ? ')' : o === '[' ? ']' : o === '{' ? '}' : '>';
  let depth = 0;
  for (let k = open; k < toks.length; k++) {
    const t = toks[k].text;
    if (t === o) depth++;
    else if (t === c) {
      depth--;
      if (depth === 0) return k;
    } else if (o === '<' && t === '>>') {
      depth -= 2;
      if (depth <= 0) return k;
    }
  }
  return -1;
}

/** Reserved words and predeclared names a generated identifier must not take. */
export const WGSL_RESERVED = new Set([
  'alias', 'break', 'case', 'const', 'const_assert', 'continue', 'continuing', 'default', 'diagnostic', 'discard', 'else', 'enable', 'false', 'fn', 'for', 'if', 'let', 'loop', 'override', 'requires', 'return', 'struct', 'switch', 'true', 'var', 'while',
  'array', 'atomic', 'bool', 'f16', 'f32', 'i32', 'u32', 'mat2x2', 'mat3x3', 'mat4x4', 'ptr', 'sampler', 'vec2', 'vec3', 'vec4', 'vec2f', 'vec3f', 'vec4f', 'vec2u', 'vec3u', 'vec4u', 'vec2i', 'vec3i', 'vec4i',
  'main', 'storage', 'uniform', 'workgroup', 'private', 'function', 'read', 'write', 'read_write',
  // words WGSL reserves for the future (a subset that plausible JavaScript names hit)
  'this', 'self', 'new', 'null', 'await', 'async', 'class', 'do', 'enum', 'export', 'extends', 'final', 'finally', 'import', 'in', 'instanceof', 'interface', 'macro', 'module', 'namespace', 'package', 'public', 'static', 'super', 'throw', 'try', 'typeof', 'using', 'void', 'with', 'yield', 'target', 'type', 'goto', 'handle', 'unless',
]);
