// Writes the fused WGSL compute shader for a legal group of dispatches: one bounds check, then
// each original entry point's body in its own block, in order. Buffers the group reads and writes
// only at the invocation's own element are loaded once into locals and stored once; intermediates
// no one reads after the group never touch memory. Statement text is copied from the original
// shaders (comments included), with names replaced token by token.

import * as W from 'wgsl_reflect/wgsl_reflect.module.js';
import type { LaunchNode } from '../core/ir';
import type { Intermediate } from '../planner/types';
import type { BindEntry, WgBindGroup } from './model';
import { monoEq, monoKey } from './sizes';
import type { WgLaunchData } from './toIr';
import { elementsOfBinding } from './toIr';
import { matching, tokenizeWgsl, WGSL_RESERVED, type WTok } from './wgslTokens';
import type { ShaderEntry, ShaderSummary, WgslBinding } from './wgslSummary';

export interface FusedBinding {
  binding: number;
  key: string;
  /** Name in the fused shader. */
  name: string;
  bindGroup: WgBindGroup;
  entry: BindEntry;
}

export type FusedShader =
  | {
    ok: true;
    code: string;
    bindings: FusedBinding[];
    /** Buffer keys held in registers only (never bound). */
    registers: string[];
    /** Buffer keys loaded once into a local (and stored once when written). */
    cached: string[];
    workgroupSize: number;
  }
  | { ok: false; reason: string };

type Mode = 'register' | 'cached' | 'memory';

interface KeyInfo {
  key: string;
  jsName: string;
  binding: WgslBinding;
  entry: BindEntry;
  bindGroup: WgBindGroup;
  members: Set<number>;
  written: boolean;
  /** Every access in every member is an element access at the invocation's own index. */
  identityOnly: boolean;
  firstFullStore: boolean;
  mode: Mode;
  name: string;
  local: string;
}

interface Member {
  l: LaunchNode;
  d: WgLaunchData;
  entry: ShaderEntry;
  shader: ShaderSummary;
  /** WGSL binding name -> buffer key. */
  keyOf: Map<string, string>;
}

const fail = (reason: string): FusedShader => ({ ok: false, reason });

export function fuseShaders(members: LaunchNode[], intermediates: Intermediate[]): FusedShader {
  const ms: Member[] = [];
  for (const l of members) {
    const d = l.frontend as WgLaunchData;
    const entry = d.entry;
    const shader = d.dispatch.pipeline?.shader?.summary;
    if (!entry || !shader) return fail(`the shader of \`${l.callee}\` is not known`);
    if (entry.fixBlockers.length) return fail(`\`${l.callee}\` ${entry.fixBlockers[0]}`);
    if (d.dispatch.pipeline?.constants) return fail(`\`${l.callee}\`'s pipeline sets overridable constants`);
    if (!d.dispatch.standalone) return fail(`the dispatch of \`${l.callee}\` is not a statement of its own`);
    const keyOf = new Map<string, string>();
    for (const b of d.dispatch.bindings) {
      if (b.binding.resource !== 'storage' && b.binding.resource !== 'uniform') return fail(`\`${l.callee}\` binds \`${b.binding.name}\`, a ${b.binding.resource}; only buffers are rebound`);
      if (!b.entry?.buffer) return fail(`\`${l.callee}\`'s binding \`${b.binding.name}\` is not a known buffer`);
      keyOf.set(b.binding.name, b.entry.buffer.key);
    }
    ms.push({ l, d, entry, shader, keyOf });
  }

  // ------------------------------------------------ what each buffer becomes
  const keys = new Map<string, KeyInfo>();
  ms.forEach((m, mi) => {
    for (const b of m.d.dispatch.bindings) {
      const key = b.entry!.buffer!.key;
      let k = keys.get(key);
      if (!k) {
        k = { key, jsName: b.entry!.buffer!.name, binding: b.binding, entry: b.entry!, bindGroup: b.group!, members: new Set(), written: false, identityOnly: true, firstFullStore: false, mode: 'memory', name: '', local: '' };
        keys.set(key, k);
        const first = m.entry.accesses.find(a => a.name === b.binding.name && a.ref !== 'length');
        k.firstFullStore = !!first && first.fullStore && first.stmt >= 0;
      } else if (k.binding.typeText !== b.binding.typeText || k.binding.resource !== b.binding.resource) {
        return;
      }
      k.members.add(mi);
      const guardStmt = m.entry.guard?.stmt;
      for (const a of m.entry.accesses) {
        if (a.name !== b.binding.name) continue;
        if (a.write) k.written = true;
        if (a.ref === 'length' && a.stmt === guardStmt) continue;
        if (a.ref !== 'element' || a.index.kind !== 'identity' || a.helper || a.atomic) k.identityOnly = false;
      }
    }
  });
  for (const m of ms) {
    for (const b of m.d.dispatch.bindings) {
      const k = keys.get(b.entry!.buffer!.key)!;
      const range = (e: BindEntry) => `${e.offsetText ?? '0'}|${e.size ? monoKey(e.size) : e.size === undefined ? '' : '?'}`;
      if (range(k.entry) !== range(b.entry!)) return fail(`\`${k.jsName}\` is bound at different offsets or sizes by the stages`);
      if (k.binding.typeText !== b.binding.typeText || k.binding.resource !== b.binding.resource) {
        return fail(`\`${k.jsName}\` is declared \`${k.binding.typeText}\` in one shader and \`${b.binding.typeText}\` in another`);
      }
    }
  }
  const dead = new Set(intermediates.filter(i => !i.live).map(i => i.key));
  for (const k of keys.values()) {
    if (k.binding.resource !== 'storage' || !k.identityOnly || k.binding.atomic || !k.binding.isArray) continue;
    if (dead.has(k.key)) k.mode = k.firstFullStore ? 'register' : 'cached';
    else if (k.members.size >= 2) k.mode = 'cached';
  }

  // ------------------------------------------------ names
  const taken = new Set<string>(WGSL_RESERVED);
  for (const m of ms) for (const n of m.entry.locals) if (n !== m.entry.gid) taken.add(n);
  const unique = (base: string): string => {
    let b = base.replace(/[^A-Za-z0-9_]/g, '_').replace(/^(\d)/, '_$1').replace(/__+/g, '_') || 'v';
    if (b.startsWith('__')) b = b.replace(/^_+/, '') || 'v';
    let n = b;
    for (let i = 2; taken.has(n); i++) n = `${b}_${i}`;
    taken.add(n);
    return n;
  };
  const gid = unique('gid');
  // module-scope names of every shader are taken too, so that bindings do not collide with them
  for (const m of ms) for (const d of m.shader.decls) if (d.name) taken.add(d.name);
  for (const k of keys.values()) {
    if (k.mode === 'register') { k.local = unique(k.jsName); continue; }
    const wgslName = ms.find(m => m.keyOf.get(k.binding.name) === k.key) ? k.binding.name : k.jsName;
    k.name = taken.has(wgslName) ? unique(k.jsName) : unique(wgslName);
    if (k.mode === 'cached') k.local = unique(`${k.name}_i`);
  }
  // the decl names were reserved only to keep bindings off them: release them for the decl table
  for (const m of ms) for (const d of m.shader.decls) if (d.name && ![...keys.values()].some(k => k.name === d.name || k.local === d.name)) taken.delete(d.name);

  // ------------------------------------------------ module-scope declarations
  const table = new Map<string, string>();
  const headers: string[] = [];
  const declOut: string[] = [];
  const renames: Array<Map<string, string>> = [];
  for (const [mi, m] of ms.entries()) {
    const code = m.shader.code;
    const bindingRename = new Map<string, string>();
    for (const [bn, key] of m.keyOf) bindingRename.set(bn, keys.get(key)!.name || keys.get(key)!.local);
    const byName = new Map(m.shader.decls.filter(d => d.name && !['enable', 'requires', 'diagnostic'].includes(d.kind)).map(d => [d.name, d]));
    for (const d of m.shader.decls) {
      if (['enable', 'requires', 'diagnostic'].includes(d.kind)) {
        const t = code.slice(d.span.start, d.span.end).trim();
        if (!headers.includes(t)) headers.push(t);
      }
    }
    // decls the entry needs, transitively
    const needed = new Set<string>();
    const work: string[] = [];
    const scan = (text: string) => { for (const t of tokenizeWgsl(text)) if (t.kind === 'ident' && byName.has(t.text) && !needed.has(t.text)) { needed.add(t.text); work.push(t.text); } };
    scan(code.slice(m.entry.fn.start, m.entry.fn.end));
    for (const b of m.entry.bindings) scan(b.typeText);
    while (work.length) { const n = work.pop()!; const d = byName.get(n)!; scan(code.slice(d.span.start, d.span.end)); }
    for (const n of needed) {
      const d = byName.get(n)!;
      if (d.kind === 'override') return fail(`\`${m.l.callee}\` uses the pipeline-overridable constant \`${n}\``);
      if (d.kind === 'var' && /var\s*<\s*workgroup/.test(code.slice(d.span.start, d.span.end))) return fail(`\`${m.l.callee}\` uses workgroup memory`);
    }
    const textOf = (n: string, map: Map<string, string>) => renameTokens(code.slice(byName.get(n)!.span.start, byName.get(n)!.span.end), map, byName.get(n)!.kind === 'struct');
    // a decl is shared when an identical one (same name, same text) is already there and every
    // decl it refers to is shared too; the others get fresh names where theirs are taken
    const refsOf = (n: string) => new Set(tokenizeWgsl(code.slice(byName.get(n)!.span.start, byName.get(n)!.span.end)).filter(t => t.kind === 'ident' && needed.has(t.text) && t.text !== n).map(t => t.text));
    // var<private> is per invocation and per dispatch: each stage keeps its own (never shared)
    const isPrivate = (n: string) => byName.get(n)!.kind === 'var';
    const shared = new Set([...needed].filter(n => !isPrivate(n) && table.get(n) === textOf(n, bindingRename)));
    for (let changed = true; changed;) {
      changed = false;
      for (const n of shared) if ([...refsOf(n)].some(r => !shared.has(r))) { shared.delete(n); changed = true; }
    }
    const rename = new Map(bindingRename);
    rename.set(m.entry.gid ?? 'gid', gid);
    for (const n of needed) {
      if (shared.has(n)) continue;
      const fresh = !table.has(n) && !taken.has(n) && !isPrivate(n) ? n : unique(`${n}_${mi + 1}`);
      taken.add(fresh);
      if (fresh !== n) rename.set(n, fresh);
    }
    // in source order (WGSL module-scope declarations may also come in any order)
    for (const n of [...needed].filter(x => !shared.has(x)).sort((a, b) => byName.get(a)!.span.start - byName.get(b)!.span.start)) {
      const name = rename.get(n) ?? n;
      const text = textOf(n, rename);
      table.set(name, text);
      declOut.push(text.trim());
    }
    renames.push(rename);
  }

  // ------------------------------------------------ the guard
  // the fused dispatch replaces the last one (it runs where the last one ran, as the legality rules
  // assume): its workgroup counts and size
  const anchor = ms[ms.length - 1].d;
  const wg = anchor.geometry.wg;
  if (!wg) return fail(`\`${ms[ms.length - 1].l.callee}\`'s @workgroup_size is not a constant`);
  let guard: string | undefined;
  if (anchor.entry?.guard) {
    for (const m of ms) {
      const b = m.entry.guard?.bound;
      if (!b || b.kind === 'unknown') continue;
      if (b.kind === 'const') { guard = `${b.value}u`; break; }
      const k = keys.get(m.keyOf.get(b.binding) ?? '');
      if (!k || k.mode === 'register') continue;
      guard = b.kind === 'length' ? `arrayLength(&${k.name})` : `u32(${k.name}.${b.path})`;
      break;
    }
    if (!guard) {
      // any bound array whose length is the processed element count
      const k = [...keys.values()].find(x => x.mode !== 'register' && x.binding.isArray && monoEq(elementsOfBinding(x.binding, x.entry), domainMono(anchor)));
      if (k) guard = `arrayLength(&${k.name})`;
    }
    if (!guard) return fail('no bounds check of the group can be expressed once its intermediates are in registers');
  }

  // ------------------------------------------------ bodies
  const blocks: string[] = [];
  for (const [mi, m] of ms.entries()) {
    const body = memberBody(m, keys, renames[mi]);
    if (typeof body !== 'string') return fail(body.reason);
    blocks.push(`  // ${m.l.callee}\n  {\n${indent(body, '    ')}\n  }`);
  }

  // ------------------------------------------------ assemble
  // in the order the stages bind them: the first stage's bindings by number, then the next's
  const bound = [...keys.values()].filter(k => k.mode !== 'register').sort((a, b) => Math.min(...a.members) - Math.min(...b.members) || a.binding.binding - b.binding.binding);
  const bindings: FusedBinding[] = bound.map((k, i) => ({ binding: i, key: k.key, name: k.name, bindGroup: k.bindGroup, entry: k.entry }));
  const bindingDecls = bound.map((k, i) => {
    const rename = renames[Math.min(...k.members)];
    const type = renameTokens(k.binding.typeText, rename, false);
    const space = k.binding.resource === 'uniform' ? 'uniform' : `storage, ${k.written ? 'read_write' : 'read'}`;
    return `@group(0) @binding(${i}) var<${space}> ${k.name}: ${type};`;
  });
  const locals: string[] = [];
  const stores: string[] = [];
  for (const k of keys.values()) {
    if (k.mode === 'memory') continue;
    const elem = renameTokens(k.binding.elemTypeText, renames[Math.min(...k.members)], false);
    if (k.mode === 'register' || k.firstFullStore) locals.push(`  var ${k.local}: ${elem};`);
    else locals.push(`  var ${k.local}: ${elem} = ${k.name}[${gid}.x];`);
    if (k.mode === 'cached' && k.written && !dead.has(k.key)) stores.push(`  ${k.name}[${gid}.x] = ${k.local};`);
  }
  const regs = [...keys.values()].filter(k => k.mode === 'register').map(k => k.local);
  const chain = ms.map(m => m.l.callee).join(' → ');
  const list = regs.length > 1 ? `${regs.slice(0, -1).join(', ')} and ${regs[regs.length - 1]}` : regs[0];
  const comment = `// Fusion Lens: fused ${chain} (${ms.length} dispatches → 1).${regs.length ? `\n// ${list} ${regs.length > 1 ? 'stay' : 'stays'} in registers instead of a round trip through memory.` : ''}`;
  const parts: string[] = [comment];
  if (headers.length) parts.push(headers.join('\n'));
  if (declOut.length) parts.push(declOut.join('\n\n'));
  parts.push(bindingDecls.join('\n'));
  const mainLines = [`@compute @workgroup_size(${wg[0]})`, `fn main(@builtin(global_invocation_id) ${gid}: vec3<u32>) {`];
  if (guard) mainLines.push(`  if (${gid}.x >= ${guard}) {`, '    return;', '  }');
  mainLines.push(...locals, ...blocks, ...stores, '}');
  parts.push(mainLines.join('\n'));
  const code = parts.join('\n\n') + '\n';
  const check = staticCheck(code, bound.length);
  if (check) return fail(`the generated shader did not pass the static check (${check})`);
  return {
    ok: true, code, bindings, workgroupSize: wg[0],
    registers: [...keys.values()].filter(k => k.mode === 'register').map(k => k.key),
    cached: [...keys.values()].filter(k => k.mode === 'cached').map(k => k.key),
  };
}

/** [start, end) grown to whole lines when nothing else is on them. */
function wholeLines(code: string, start: number, end: number): [number, number] {
  let a = start;
  while (a > 0 && (code[a - 1] === ' ' || code[a - 1] === '\t')) a--;
  let b = end;
  while (b < code.length && (code[b] === ' ' || code[b] === '\t')) b++;
  if ((a === 0 || code[a - 1] === '\n') && (b >= code.length || code[b] === '\n' || code[b] === '\r')) {
    if (code[b] === '\r') b++;
    if (code[b] === '\n') b++;
    return [a, b];
  }
  return [start, end];
}

function domainMono(d: WgLaunchData) {
  const s = d.geometry.domain;
  return d.geometry.domainMono ?? (s.value !== undefined ? { coef: s.value, syms: [] } : undefined);
}

/** A member's body with its guard dropped and its names replaced, dedented. */
function memberBody(m: Member, keys: Map<string, KeyInfo>, rename: Map<string, string>): string | { reason: string } {
  const code = m.shader.code;
  const fn = m.entry.fn;
  const toks = tokenizeWgsl(code, fn.start, fn.end);
  // the body's braces: the first `{` after the parameter list (attributes come before `fn`)
  const fnTok = toks.findIndex(t => t.text === 'fn');
  const open = toks.findIndex((t, i) => i > fnTok && t.text === '(');
  const close = open >= 0 ? matching(toks, open) : -1;
  const bodyOpen = toks.findIndex((t, i) => i > close && t.text === '{');
  const bodyClose = bodyOpen >= 0 ? matching(toks, bodyOpen) : -1;
  if (close < 0 || bodyOpen < 0 || bodyClose < 0) return { reason: `the body of \`${m.l.callee}\` could not be delimited` };
  const edits: Array<{ start: number; end: number; text: string }> = [];
  const skip: Array<[number, number]> = [];
  const g = m.entry.guard;
  if (g) {
    const s = fn.body[g.stmt];
    if (g.kind === 'early-return') {
      const [a, b] = wholeLines(code, s.start, s.end);
      edits.push({ start: a, end: b, text: '' });
      skip.push([s.start, s.end]);
    } else {
      const st = tokenizeWgsl(code, s.start, s.end);
      const o = st.findIndex(t => t.text === '{');
      const c = o >= 0 ? matching(st, o) : -1;
      if (o < 0 || c < 0) return { reason: `the bounds check of \`${m.l.callee}\` could not be delimited` };
      edits.push({ start: s.start, end: st[o].end, text: '' }, { start: st[c].start, end: s.end, text: '' });
      skip.push([s.start, st[o].end], [st[c].start, s.end]);
    }
  }
  const inSkip = (t: WTok) => skip.some(([a, b]) => t.start >= a && t.end <= b);
  const body = toks.slice(bodyOpen + 1, bodyClose);
  for (let i = 0; i < body.length; i++) {
    const t = body[i];
    if (t.kind !== 'ident' || inSkip(t)) continue;
    const prev = body[i - 1];
    if (prev && prev.text === '.') continue;
    const key = m.keyOf.get(t.text);
    const k = key ? keys.get(key) : undefined;
    if (k && k.mode !== 'memory') {
      const next = body[i + 1];
      if (!next || next.text !== '[') return { reason: `\`${m.l.callee}\` uses \`${t.text}\` as a whole` };
      const end = matching(body, i + 1);
      if (end < 0) return { reason: `unbalanced brackets in \`${m.l.callee}\`` };
      edits.push({ start: t.start, end: body[end].end, text: k.local });
      i = end;
      continue;
    }
    const r = rename.get(t.text);
    if (r && r !== t.text) edits.push({ start: t.start, end: t.end, text: r });
  }
  edits.sort((a, b) => a.start - b.start);
  let out = '';
  let at = toks[bodyOpen].end;
  for (const e of edits) {
    out += code.slice(at, e.start) + e.text;
    at = e.end;
  }
  out += code.slice(at, toks[bodyClose].start);
  return dropUnusedLets(dedent(out));
}

/** Removes top-level `let x = <no calls>;` lines whose name the rewritten body no longer uses. */
function dropUnusedLets(text: string): string {
  const toks = tokenizeWgsl(text);
  const cut: Array<[number, number]> = [];
  let depth = 0;
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i];
    if (t.text === '{') depth++;
    else if (t.text === '}') depth--;
    if (depth !== 0 || t.text !== 'let' || toks[i + 1]?.kind !== 'ident' || toks[i + 2]?.text !== '=') continue;
    const semi = toks.findIndex((x, k) => k > i && x.text === ';');
    if (semi < 0 || toks.slice(i + 3, semi).some(x => x.text === '(')) continue;
    const name = toks[i + 1].text;
    if (toks.some((x, k) => (k < i || k > semi) && x.text === name && toks[k - 1]?.text !== '.')) continue;
    cut.push(wholeLines(text, t.start, toks[semi].end));
  }
  let out = text;
  for (const [a, b] of cut.reverse()) out = out.slice(0, a) + out.slice(b);
  return out;
}

/** Replaces identifier tokens (not after `.`, not struct member names) by `map`. */
export function renameTokens(text: string, map: Map<string, string>, isStruct: boolean): string {
  const toks = tokenizeWgsl(text);
  let out = '';
  let at = 0;
  let depth = 0;
  toks.forEach((t, i) => {
    if (t.text === '{') depth++;
    else if (t.text === '}') depth--;
    if (t.kind !== 'ident') return;
    if (toks[i - 1]?.text === '.') return;
    if (isStruct && depth === 1 && toks[i + 1]?.text === ':') return;
    const r = map.get(t.text);
    if (!r || r === t.text) return;
    out += text.slice(at, t.start) + r;
    at = t.end;
  });
  return out + text.slice(at);
}

function dedent(text: string): string {
  const lines = text.replace(/^\s*\n/, '').replace(/\s+$/, '').split('\n');
  const ind = Math.min(...lines.filter(l => l.trim()).map(l => /^[ \t]*/.exec(l)![0].length));
  return lines.map(l => l.slice(Number.isFinite(ind) ? ind : 0).replace(/\s+$/, '')).join('\n').replace(/\n{3,}/g, '\n\n');
}

function indent(text: string, pad: string): string {
  return text.split('\n').map(l => (l ? pad + l : l)).join('\n');
}

const checked = new Map<string, string | undefined>();

/** Parses and reflects the generated shader: one compute entry, the bindings we meant (cached). */
function staticCheck(code: string, bindings: number): string | undefined {
  const key = `${bindings}\n${code}`;
  if (checked.has(key)) return checked.get(key);
  const r = staticCheckUncached(code, bindings);
  checked.set(key, r);
  if (checked.size > 64) checked.delete(checked.keys().next().value!);
  return r;
}

function staticCheckUncached(code: string, bindings: number): string | undefined {
  try {
    new W.WgslParser().parse(code);
    const r = new W.WgslReflect(code);
    const e = r.entry.compute.find(x => x.name === 'main');
    if (!e) return 'no compute entry point `main`';
    const n = r.getBindGroups().flat().filter(Boolean).length;
    if (n !== bindings) return `${n} bindings instead of ${bindings}`;
    return undefined;
  } catch (e) {
    return String((e as Error).message ?? e).split('\n')[0];
  }
}
