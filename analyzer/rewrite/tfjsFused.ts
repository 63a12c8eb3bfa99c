// Rewrites a matched TF.js chain (matMul/conv2d/depthwiseConv2d + bias add + activation) into one
// `tf.fused.*` call with the library's exact option names (anchors.md section 4):
//   tf.fused.matMul({a, b, transposeA, transposeB, bias, activation, preluActivationWeights, leakyreluAlpha})
//   tf.fused.conv2d({x, filter, strides, pad, dataFormat, dilations, dimRoundingMode, bias, activation, ...})
// The call replaces the last op of the chain; statements that only declared intermediates are
// removed; `fused` is added to a named import when no tf namespace is in scope.

import type { TextEdit } from '../core/text';
import type { LibraryMatch } from '../ts/libraryFusion';
import type { TfImport, TsProgram } from '../ts/frontend';
import type { TArg } from '../ts/model';

export type FusedRewrite = { ok: true; title: string; edits: TextEdit[]; callText: string } | { ok: false; reason: string };

const FUSED_EXPORTERS = /^@tensorflow\/tfjs(?:-core|-node|-node-gpu)?$/;

export function rewriteLibraryFusion(m: LibraryMatch, program: TsProgram, text: string): FusedRewrite {
  if (m.blockers.length) return { ok: false, reason: m.blockers[0] };
  const last = m.ops[m.ops.length - 1];
  const edits: TextEdit[] = [];
  let ref = last.fusedRef;
  if (!ref) {
    const imp = program.imports.find(i => i.named && FUSED_EXPORTERS.test(i.module));
    if (!imp || !last.fusedFree) return { ok: false, reason: 'no tf namespace is in scope and no named import from @tensorflow/tfjs can take `fused`' };
    edits.push(importEdit(imp, text));
    ref = 'fused';
  }
  const callText = fusedCall(m, ref);
  edits.push({ span: { ...last.callSpan }, newText: callText });
  const deleted = new Set<number>();
  for (const op of m.ops.slice(0, -1)) {
    if (!op.declOf) continue;
    const s = op.declOf.stmtSpan;
    if (deleted.has(s.start)) continue;
    deleted.add(s.start);
    edits.push({ span: statementDeletion(text, s), newText: '' });
  }
  const chain = m.ops.map(o => o.op).join(' → ');
  return { ok: true, title: `Fuse ${chain} into ${ref}.${m.producer.op}`, edits, callText };
}

function arg(a: TArg | undefined): string | undefined {
  return a?.text.trim();
}

export function fusedCall(m: LibraryMatch, ref: string): string {
  const p = m.producer;
  const props: string[] = [];
  const [first, second, ...rest] = p.args;
  if (p.op === 'matMul') {
    props.push(`a: ${arg(first)}`, `b: ${arg(second)}`);
    const [tA, tB] = rest;
    if (tA && tA.bool !== false) props.push(`transposeA: ${arg(tA)}`);
    if (tB && tB.bool !== false) props.push(`transposeB: ${arg(tB)}`);
  } else {
    props.push(`x: ${arg(first)}`, `filter: ${arg(second)}`);
    const [strides, pad, dataFormat, dilations, dimRoundingMode] = rest;
    props.push(`strides: ${arg(strides)}`, `pad: ${arg(pad)}`);
    if (dataFormat && dataFormat.str !== 'NHWC') props.push(`dataFormat: ${arg(dataFormat)}`);
    if (dilations && !(dilations.num === 1 || (dilations.nums && dilations.nums.every(d => d === 1)))) props.push(`dilations: ${arg(dilations)}`);
    if (dimRoundingMode && dimRoundingMode.text.trim() !== 'undefined') props.push(`dimRoundingMode: ${arg(dimRoundingMode)}`);
  }
  if (m.bias) props.push(`bias: ${arg(m.bias.arg)}`);
  if (m.act) {
    props.push(`activation: '${m.act.name}'`);
    if (m.act.weights) props.push(`preluActivationWeights: ${arg(m.act.weights)}`);
    if (m.act.alpha) props.push(`leakyreluAlpha: ${arg(m.act.alpha)}`);
  }
  return `${ref}.${p.op}({${props.join(', ')}})`;
}

/** The statement's span widened to its whole line(s) when nothing else is on them. */
export function statementDeletion(text: string, s: { start: number; end: number }): { start: number; end: number } {
  let start = s.start;
  let end = s.end;
  let i = start;
  while (i > 0 && (text[i - 1] === ' ' || text[i - 1] === '\t')) i--;
  const lineStartClean = i === 0 || text[i - 1] === '\n';
  let j = end;
  while (j < text.length && (text[j] === ' ' || text[j] === '\t')) j++;
  const lineEndClean = j === text.length || text[j] === '\n' || text[j] === '\r';
  if (lineStartClean && lineEndClean) {
    start = i;
    end = j;
    if (text[end] === '\r') end++;
    if (text[end] === '\n') end++;
  }
  return { start, end };
}

function importEdit(imp: TfImport, text: string): TextEdit {
  const n = imp.named!;
  // insert before the closing brace, after the last name (and its comma, if any)
  let k = n.span.end - 1;
  while (k > n.span.start && /\s/.test(text[k - 1])) k--;
  const hasComma = text[k - 1] === ',';
  const insert = n.multiline ? (hasComma ? ' fused,' : ', fused') : hasComma ? ' fused' : ', fused';
  return { span: { start: k, end: k }, newText: insert };
}
