// The host side of a WebGPU fix: the fused shader as a constant, its pipeline and bind group created
// right after the last of the originals (same device, same buffers), and one dispatch in place of
// the first original; the other dispatches, and the setPipeline/setBindGroup calls only they used,
// are removed.

import type * as TS from 'typescript';
import type { Span, TextEdit } from '../core/text';
import type { Group } from '../planner/types';
import type { TypeScriptApi } from '../ts/tsModule';
import type { HostProgram } from './host';
import type { DefSite } from './model';
import { fuseShaders, type FusedShader } from './fuseWgsl';
import type { WgLaunchData } from './toIr';

export type HostRewrite =
  | { ok: true; shader: Extract<FusedShader, { ok: true }>; edits: TextEdit[]; title: string; names: { wgsl: string; pipeline: string; bindGroup: string } }
  | { ok: false; reason: string; shader?: FusedShader };

export function fuseDispatchGroup(ts: TypeScriptApi, sf: TS.SourceFile, host: HostProgram, g: Group): HostRewrite {
  const shader = fuseShaders(g.members, g.intermediates);
  if (!shader.ok) return { ok: false, reason: shader.reason, shader };
  const text = sf.text;
  const ds = g.members.map(m => (m.frontend as WgLaunchData).dispatch);
  const fail = (reason: string): HostRewrite => ({ ok: false, reason, shader });

  // ------------------------------------------------ where the new objects go
  const defs: Array<{ what: string; def: DefSite }> = [];
  for (const d of ds) {
    const p = d.pipeline!;
    if (!p.def) return fail(`pipeline \`${p.name}\` is not created by a statement the fix can follow`);
    defs.push({ what: `pipeline \`${p.name}\``, def: p.def });
  }
  const bgDefs: DefSite[] = [];
  for (const b of shader.bindings) {
    if (!b.bindGroup.def) return fail(`bind group \`${b.bindGroup.name}\` is not created by a statement the fix can follow`);
    bgDefs.push(b.bindGroup.def);
    defs.push({ what: `bind group \`${b.bindGroup.name}\``, def: b.bindGroup.def });
  }
  // after the last of the originals' pipelines and bind groups (when they sit in the same block)
  const placement = [...defs.map(x => x.def), ...ds.flatMap(d => d.bindings.map(b => b.group?.def))].filter((x): x is DefSite => !!x && x.block === defs[0].def.block);
  const at = [...defs.map(x => x.def), ...placement].reduce((a, b) => (b.stmt.end > a.stmt.end && (b.block === a.block || containsNode(a.block, b.block)) ? b : a));
  const block = at.block;
  const inBlock = (s: Span) => s.start >= block.pos && s.end <= block.end;
  // a local (const next to the last original) or, when the originals are assigned to module
  // variables or fields (`pipeline = ...` in init, used in frame), a sibling declared the same way
  const holder = at.declaration ? undefined : at.holder;
  if (!at.declaration && !holder) return fail(`\`${at.ref}\` is assigned, not declared, and the fix cannot tell where it lives`);
  if (holder?.kind === 'module' && !holder.decl) return fail(`\`${at.ref}\` is not declared at the top level`);
  if (!holder) {
    for (const d of ds) {
      if (!inBlock(d.stmt)) return fail(`the dispatches are outside the scope where \`${at.ref}\` is created, so a pipeline created next to it would not be visible there`);
      if (d.stmt.start < at.stmt.end && !insideFunctionBelow(ts, sf, block, d.stmt.start)) return fail(`\`${at.ref}\` is created after the dispatches`);
    }
  }
  for (const b of bgDefs) if (!(b.block.pos <= block.pos && block.end <= b.block.end)) return fail('the bind groups are created in different scopes; their buffers are not all visible in one place');

  // ------------------------------------------------ pass state
  // the fused dispatch takes the last one's place: the legality rules (FL010) checked that the
  // earlier ones may move down to it
  const anchor = ds[ds.length - 1];
  const members = new Set(ds.map(d => d.id));
  const byId = new Map(host.dispatches.map(d => [d.id, d]));
  for (const id of anchor.pass.dispatches) {
    const x = byId.get(id)!;
    if (members.has(id) || x.stmt.start < anchor.stmt.start) continue;
    const relies = (s: { stmt: Span } | undefined) => !!s && s.stmt.start < anchor.stmt.start;
    if (relies(x.pipelineSetter) || relies(x.groupSetters.get(0))) return fail(`a later dispatch in the same pass relies on the pipeline or bind group 0 set before \`${g.members[g.members.length - 1].callee}\``);
  }
  const setters = new Map<number, { stmt: Span; users: number[]; standalone: boolean }>();
  for (const d of ds) {
    if (d.pipelineSetter) setters.set(d.pipelineSetter.id, d.pipelineSetter);
    for (const s of d.groupSetters.values()) if (s) setters.set(s.id, s);
  }

  // ------------------------------------------------ names
  const callees = g.members.map(m => m.callee);
  // named after the pipelines (`exposurePipeline` -> exposure) when they have plain names
  const stems = ds.map(d => d.pipeline!.name.replace(/_?Pipeline$/i, ''));
  const named = stems.every(x => /^[A-Za-z_$][\w$]*$/.test(x) && x) ? stems : callees.map(c => (c === 'pipeline' || c === 'dispatch' ? '' : c));
  // repeated stages name the chain once; a chain of unnamed stages is just `fused`
  const parts = named.filter((x, i) => x && x !== named[i - 1]);
  if (!parts.length) parts.push('fused');
  const base = camel(parts.length <= 3 ? parts : [parts[0], 'to', parts[parts.length - 1]]);
  const ids = identifiersOf(sf);
  const used = (n: string) => ids.has(n);
  const fresh = (n: string) => { let x = n; for (let i = 2; used(x); i++) x = `${n}${i}`; return x; };
  const names = { wgsl: fresh(`${base}Wgsl`), pipeline: fresh(`${base}Pipeline`), bindGroup: fresh(`${base}BindGroup`) };
  const refs = holder?.kind === 'field' ? { pipeline: `this.${names.pipeline}`, bindGroup: `this.${names.bindGroup}` } : { pipeline: names.pipeline, bindGroup: names.bindGroup };

  // ------------------------------------------------ edits
  const edits: TextEdit[] = [];
  const top = topLevelStatement(sf, at.stmt.start);
  const topAt = lineStart(text, leadingCommentStart(ts, sf, top));
  const literal = shader.code.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${');
  edits.push({ span: { start: topAt, end: topAt }, newText: `const ${names.wgsl} = /* wgsl */ \`\n${literal}\`;\n\n` });

  const ind = indentOf(text, at.stmt.start);
  const dev = at.device;
  const entries = shader.bindings.map(b => `${ind}    { binding: ${b.binding}, resource: ${b.entry.resourceText} },`).join('\n');
  const lhs = (ref: string) => (holder ? ref : `const ${ref}`);
  const create = [
    '',
    `${ind}${lhs(refs.pipeline)} = ${dev}.createComputePipeline({`,
    `${ind}  layout: 'auto',`,
    `${ind}  compute: { module: ${dev}.createShaderModule({ code: ${names.wgsl} }), entryPoint: 'main' },`,
    `${ind}});`,
    `${ind}${lhs(refs.bindGroup)} = ${dev}.createBindGroup({`,
    `${ind}  layout: ${refs.pipeline}.getBindGroupLayout(0),`,
    `${ind}  entries: [`,
    entries,
    `${ind}  ],`,
    `${ind}});`,
  ].join('\n');
  edits.push({ span: { start: at.stmt.end, end: at.stmt.end }, newText: create });
  if (holder) {
    // declare the two new holders next to the originals' declarations
    const pHolder = ds.map(d => d.pipeline!.def!.holder).find(h => h?.kind === holder.kind && h.template);
    const bHolder = bgDefs.map(b => b.holder).find(h => h?.kind === holder.kind && h.template);
    const decls = [pHolder, bHolder].filter(h => h?.decl);
    if (decls.length) {
      const after = decls.reduce((a, b) => (b!.decl!.end > a!.decl!.end ? b : a))!.decl!;
      const dIndent = indentOf(text, after.start);
      const lines = [pHolder ? pHolder.template!.replace('NAME', names.pipeline) : undefined, bHolder ? bHolder.template!.replace('NAME', names.bindGroup) : undefined].filter(Boolean).map(l => `\n${dIndent}${l}`);
      edits.push({ span: { start: after.end, end: after.end }, newText: lines.join('') });
    } else if (holder.kind === 'module') return fail('the pipelines and bind groups have no declarations to copy');
  }

  const dInd = indentOf(text, anchor.stmt.start);
  const pass = anchor.pass.text;
  const dispatchCall = anchor.indirect ? `${pass}.dispatchWorkgroupsIndirect(${anchor.indirect.argsText});` : `${pass}.dispatchWorkgroups(${anchor.argsText.join(', ')});`;
  edits.push({ span: anchor.stmt, newText: `${pass}.setPipeline(${refs.pipeline});\n${dInd}${pass}.setBindGroup(0, ${refs.bindGroup});\n${dInd}${dispatchCall}` });
  for (const d of ds.slice(0, -1)) edits.push({ span: wholeLines(text, d.stmt), newText: '' });
  for (const s of setters.values()) {
    if (!s.standalone || !s.users.every(u => members.has(u))) continue;
    edits.push({ span: wholeLines(text, s.stmt), newText: '' });
  }
  // passes left with nothing in them go too (begin and end)
  const deleted = new Set([...setters.values()].filter(s => s.standalone && s.users.every(u => members.has(u))).map(s => s.stmt.start));
  const passes = new Map(ds.slice(0, -1).map(d => [d.pass.id, d.pass]));
  passes.delete(anchor.pass.id);
  for (const p of passes.values()) {
    if (!p.begin || !p.end || p.others || !p.dispatches.every(id => members.has(id)) || !p.setters.every(s => deleted.has(s.stmt.start))) continue;
    edits.push({ span: wholeLines(text, p.begin), newText: '' }, { span: wholeLines(text, p.end), newText: '' });
  }
  tidyDeletions(text, edits);
  edits.sort((a, b) => a.span.start - b.span.start);
  for (let i = 1; i < edits.length; i++) if (edits[i].span.start < edits[i - 1].span.end) return fail('the edits would overlap (a setter shares a line with a dispatch)');
  return { ok: true, shader, edits, title: `Fuse ${callees.join(' → ')} into one dispatch (\`${refs.pipeline}\`)`, names };
}

const identifierSets = new WeakMap<TS.SourceFile, Set<string>>();

/** Every identifier-like word of the file (new names must not shadow or collide with any). */
function identifiersOf(sf: TS.SourceFile): Set<string> {
  let set = identifierSets.get(sf);
  if (!set) identifierSets.set(sf, set = new Set(sf.text.match(/[A-Za-z_$][\w$]*/g) ?? []));
  return set;
}

function containsNode(outer: TS.Node, inner: TS.Node): boolean {
  return outer.pos <= inner.pos && inner.end <= outer.end;
}

/**
 * Deletions that are separated only by blank lines become one, and a deletion between two blank
 * lines takes one of them: removing passes leaves no run of empty lines behind.
 */
function tidyDeletions(text: string, edits: TextEdit[]): void {
  const dels = edits.filter(e => !e.newText && e.span.end > e.span.start).sort((a, b) => a.span.start - b.span.start);
  for (let i = 1; i < dels.length; i++) {
    const a = dels[i - 1];
    const b = dels[i];
    if (/^\s*$/.test(text.slice(a.span.end, b.span.start))) {
      a.span = { start: a.span.start, end: b.span.end };
      edits.splice(edits.indexOf(b), 1);
      dels.splice(i, 1);
      i--;
    }
  }
  for (const d of dels) {
    const before = text.slice(Math.max(0, d.span.start - 256), d.span.start);
    const after = text.slice(d.span.end, d.span.end + 256);
    const blankBefore = /\n[ \t]*\r?\n$/.test(before) || (d.span.start <= 256 && /^\s*$/.test(before));
    const m = /^[ \t]*\r?\n/.exec(after);
    if (blankBefore && m) d.span = { start: d.span.start, end: d.span.end + m[0].length };
  }
}

function camel(parts: string[]): string {
  const words = parts.flatMap(p => p.split(/[^A-Za-z0-9]+/)).filter(Boolean);
  const s = words.map((w, i) => (i ? w[0].toUpperCase() + w.slice(1) : w[0].toLowerCase() + w.slice(1))).join('');
  return /^[A-Za-z_$]/.test(s) ? s : `fused${s}`;
}

/** A dispatch at `pos` runs later than the block's code when it sits in a function nested in it. */
function insideFunctionBelow(ts: TypeScriptApi, sf: TS.SourceFile, block: TS.Node, pos: number): boolean {
  let found = false;
  const visit = (n: TS.Node) => {
    if (found || pos < n.pos || pos >= n.end) return;
    if (n !== block && ts.isFunctionLike(n)) { found = true; return; }
    ts.forEachChild(n, visit);
  };
  visit(block === sf ? sf : block);
  return found;
}

function topLevelStatement(sf: TS.SourceFile, pos: number): TS.Statement {
  return sf.statements.find(s => pos >= s.pos && pos < s.end) ?? sf.statements[sf.statements.length - 1];
}

function leadingCommentStart(ts: TypeScriptApi, sf: TS.SourceFile, s: TS.Statement): number {
  const c = ts.getLeadingCommentRanges(sf.text, s.pos);
  const start = s.getStart(sf);
  if (!c || !c.length) return start;
  // keep a file header (the first comment of the file, followed by a blank line) above the constant
  const blank = (a: number, b: number) => /\n[ \t]*\r?\n/.test(sf.text.slice(a, b));
  let from = start;
  for (let i = c.length - 1; i >= 0; i--) {
    if (blank(c[i].end, from)) break;
    from = c[i].pos;
  }
  return from;
}

function lineStart(text: string, pos: number): number {
  return text.lastIndexOf('\n', pos - 1) + 1;
}

function indentOf(text: string, pos: number): string {
  const ls = lineStart(text, pos);
  return /^[ \t]*/.exec(text.slice(ls, pos))![0];
}

/** The statement's span grown to whole lines when nothing else is on them. */
function wholeLines(text: string, s: Span): Span {
  let a = s.start;
  while (a > 0 && (text[a - 1] === ' ' || text[a - 1] === '\t')) a--;
  let b = s.end;
  while (b < text.length && (text[b] === ' ' || text[b] === '\t')) b++;
  if ((a === 0 || text[a - 1] === '\n') && (b >= text.length || text[b] === '\n' || text[b] === '\r')) {
    if (text[b] === '\r') b++;
    if (text[b] === '\n') b++;
    return { start: a, end: b };
  }
  return s;
}

