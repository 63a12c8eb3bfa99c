// `fusion-lens:` comment annotations (docs/annotations.md):
//   // fusion-lens: n=1<<24, width=1920        sizes for symbols the code cannot fold
//   // fusion-lens: x=[1024,1024] float32     tensor shapes (TypeScript frontends)
//   // fusion-lens: ignore-next-line          suppress findings that start on the next line
//   // fusion-lens: ignore-file               suppress every finding in this file

import { evalText } from '../cuda/constEval';

export interface ShapeAnnotation {
  dims: number[];
  dtype?: string;
}

export interface Annotations {
  values: Map<string, number>;
  shapes: Map<string, ShapeAnnotation>;
  /** 0-based line numbers whose findings are suppressed. */
  ignoredLines: Set<number>;
  ignoreFile: boolean;
  /** Annotation parts that could not be understood (reported to the user). */
  errors: Array<{ message: string; start: number; end: number }>;
}

export function parseAnnotations(text: string, comments: ReadonlyArray<{ start: number; end: number }>): Annotations {
  const out: Annotations = { values: new Map(), shapes: new Map(), ignoredLines: new Set(), ignoreFile: false, errors: [] };
  // line numbers counted incrementally: comments come in text order (a rescan per comment was
  // quadratic, 15 ms on a 5,000-line file with 90 annotations)
  let lineAt = 0;
  let line = 0;
  for (const c of comments) {
    const body = text.slice(c.start, c.end);
    const at = body.indexOf('fusion-lens:');
    if (at < 0) continue;
    const rest = body.slice(at + 'fusion-lens:'.length).replace(/\*\/\s*$/, '').trim();
    if (c.end < lineAt) { lineAt = 0; line = 0; }
    line += lineOf(text, c.end, lineAt);
    lineAt = Math.min(c.end, text.length);
    for (const part of splitParts(rest)) {
      if (part === 'ignore-next-line') { out.ignoredLines.add(line + 1); continue; }
      if (part === 'ignore-line' || part === 'ignore') { out.ignoredLines.add(line); continue; }
      if (part === 'ignore-file') { out.ignoreFile = true; continue; }
      const m = /^([A-Za-z_$][\w$.]*)\s*=\s*(.+)$/.exec(part);
      if (!m) {
        out.errors.push({ message: `fusion-lens annotation not understood: \`${part}\``, start: c.start, end: c.end });
        continue;
      }
      const [, name, value] = m;
      const shape = /^\[([^\]]*)\]\s*(\w+)?$/.exec(value.trim());
      if (shape) {
        const dims = shape[1].split(',').map(s => s.trim()).filter(Boolean).map(s => evalText(s, () => undefined));
        if (dims.some(d => d === undefined || d < 0)) {
          out.errors.push({ message: `fusion-lens annotation: bad shape for \`${name}\``, start: c.start, end: c.end });
          continue;
        }
        out.shapes.set(name, { dims: dims as number[], dtype: shape[2] });
        continue;
      }
      const v = evalText(value, n => out.values.get(n));
      if (v === undefined || !Number.isFinite(v)) {
        // `n=512 m=64`: the second item read as part of the first value
        const hint = /\s[A-Za-z_$][\w$.]*\s*=/.test(value) ? ' (separate items with commas: `a=1, b=2`)' : '';
        out.errors.push({ message: `fusion-lens annotation: cannot evaluate \`${value}\` for \`${name}\`${hint}`, start: c.start, end: c.end });
        continue;
      }
      out.values.set(name, v);
    }
  }
  return out;
}

/** Splits `a=1, b=[2,3] float32, ignore-next-line` at commas outside brackets. */
function splitParts(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '[' || ch === '(') depth++;
    if (ch === ']' || ch === ')') depth--;
    if (ch === ',' && depth === 0) { parts.push(cur.trim()); cur = ''; continue; }
    cur += ch;
  }
  if (cur.trim()) parts.push(cur.trim());
  return parts.filter(Boolean);
}

/** Newlines in text[from, offset). */
function lineOf(text: string, offset: number, from = 0): number {
  let n = 0;
  for (let i = from; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}
