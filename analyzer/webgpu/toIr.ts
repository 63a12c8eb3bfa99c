// WebGPU dispatches as the shared Program IR: one LaunchNode per dispatch with a BufferUse per
// bound buffer (access and index pattern from the WGSL summary), its iteration space (the
// elements its invocations actually process: the bounds guard when the dispatch covers it, else
// the invocations dispatched), and one Sequence per block of host code.

import type { BufferUse, EventNode, IndexPattern, LaunchNode, Sequence, Size } from '../core/ir';
import type { HostBlock, HostFunction, HostProgram } from './host';
import type { BindEntry, WgDispatch } from './model';
import { monoConst, monoDiv, monoEq, monoKey, monoMul, monoSize, monoSym, monoText, monoValue, type Mono } from './sizes';
import type { GuardBound, ShaderEntry, WgslBinding } from './wgslSummary';

/** How many invocations a dispatch runs and which elements they process. */
export interface Geometry {
  wg?: [number, number, number];
  /** One-dimensional: y and z counts and workgroup sizes are 1. */
  oneD: boolean;
  /** Invocations along x (workgroups x workgroup size), when the counts are known. */
  threads?: Mono;
  /** Items the x count provably covers (`Math.ceil(n / 64)` with @workgroup_size(64): n). */
  covers?: Mono;
  /** The guard's bound as a size (elements), when it can be named. */
  guard?: { bound: GuardBound; size?: Mono; text: string };
  /** The elements processed: the launch's iteration space. */
  domain: Size;
  /** The same as a symbolic size, when it is one. */
  domainMono?: Mono;
  /** Why `domain` is not a plain count (shown by the geometry rule). */
  note?: string;
}

export interface WgLaunchData {
  dispatch: WgDispatch;
  entry?: ShaderEntry;
  geometry: Geometry;
}

export function elementsOfBinding(binding: WgslBinding, e: BindEntry | undefined): Mono | undefined {
  if (!e?.buffer) return undefined;
  if (!binding.isArray) return monoConst(1);
  let bytes: Mono | undefined = e.size;
  if (!bytes) {
    const total = e.buffer.size;
    if (!total) return undefined;
    if (!e.offset || monoValue(e.offset) === 0) bytes = total;
    else {
      const t = monoValue(total);
      const o = monoValue(e.offset);
      if (t === undefined || o === undefined || !Number.isFinite(o)) return undefined;
      bytes = monoConst(t - o);
    }
  }
  return binding.elemBytes ? monoDiv(bytes, binding.elemBytes) : undefined;
}

export function geometryOf(d: WgDispatch): Geometry {
  const entry = d.entry;
  const wg = entry?.workgroupSize;
  const g: Geometry = { wg, oneD: true, domain: { expr: 'unknown', key: `dispatch#${d.id}` } };
  if (!entry || !wg) return g;
  const counts = d.counts;
  const extra = counts ? counts.slice(1) : [];
  // an indirect dispatch's counts are read at run time; shaders that index by global_invocation_id.x
  // alone compute the same per invocation whatever its y and z counts, and two dispatches reading
  // the same arguments (that no stage writes: FL211) have the same counts
  g.oneD = wg[1] === 1 && wg[2] === 1 && extra.every(c => monoValue(c) === 1);
  if (counts && counts.length >= 1) {
    g.threads = monoMul(counts[0], monoConst(wg[0]));
    const ceil = d.countCeil?.[0];
    if (ceil && ceil.k === wg[0]) g.covers = ceil.x;
  }
  const dispatchKey = d.indirect ? `indirect(${d.indirect.buffer?.key ?? d.indirect.argsText}@${d.indirect.offsetText})*${wg[0]}` : g.threads ? monoKey(g.threads) : `count(${d.argsText.join(',')})`;
  const dispatchText = d.indirect ? `the workgroups in \`${d.indirect.buffer?.name ?? d.indirect.argsText}\` × ${wg[0]}` : g.threads && monoValue(g.threads) !== undefined ? monoText(g.threads) : `${d.argsText[0]} × ${wg[0]}`;
  if (entry.guard) {
    const b = entry.guard.bound;
    let size: Mono | undefined;
    let text = '';
    let sizeText: string | undefined;
    if (b.kind === 'const') { size = monoConst(b.value); text = String(b.value); }
    else if (b.kind === 'length') {
      const bb = d.bindings.find(x => x.binding.name === b.binding);
      size = bb ? elementsOfBinding(bb.binding, bb.entry) : undefined;
      text = `arrayLength(&${b.binding})`;
      if (!size && bb?.entry?.buffer) { size = monoSym(`len(${bb.entry.buffer.key})`); sizeText = `the length of \`${bb.entry.buffer.name}\``; }
    } else if (b.kind === 'uniform') {
      const bb = d.bindings.find(x => x.binding.name === b.binding);
      text = `${b.binding}.${b.path}`;
      if (bb?.entry?.buffer) { size = monoSym(`${bb.entry.buffer.name}.${b.path}@${bb.entry.buffer.key}`); sizeText = `\`${b.binding}.${b.path}\` in \`${bb.entry.buffer.name}\``; }
    } else text = b.text;
    g.guard = { bound: b, size, text };
    if (!size) {
      g.domain = { expr: `min(${dispatchText}, ${text})`, key: `guard#${d.id}` };
      g.note = `its bound \`${text}\` is not a size the analyzer can compare`;
      return g;
    }
    const tv = g.threads ? monoValue(g.threads) : undefined;
    const sv = monoValue(size);
    const covered = (tv !== undefined && sv !== undefined && tv >= sv) || monoEq(g.covers, size) || monoEq(g.threads, size);
    if (covered) {
      g.domainMono = size;
      g.domain = monoSize(size);
      g.domain.expr = sv !== undefined ? String(sv) : sizeText ?? monoText(size);
      return g;
    }
    if (tv !== undefined && sv !== undefined) {
      g.domain = { value: Math.min(tv, sv), expr: String(Math.min(tv, sv)), key: String(Math.min(tv, sv)) };
      return g;
    }
    g.domain = { expr: `min(${dispatchText}, ${sizeText ?? monoText(size)})`, key: `min(${dispatchKey},${monoKey(size)})` };
    g.note = `the dispatch (${dispatchText} invocations) may not cover \`${text}\``;
    return g;
  }
  if (g.threads) { g.domain = monoSize(g.threads); g.domainMono = g.threads; }
  else g.domain = { expr: dispatchText, key: dispatchKey };
  return g;
}

function callee(d: WgDispatch): string {
  const e = d.entry?.name;
  if (e && !/^(main|cs_?main|compute_?main|computeMain|cs)$/i.test(e)) return e;
  const p = d.pipeline?.name;
  if (p && !/@/.test(p)) return p.replace(/_?Pipeline$/i, '') || p;
  return e ?? 'dispatch';
}

export function launchOf(d: WgDispatch, id: number): LaunchNode {
  const geometry = geometryOf(d);
  const entry = d.entry;
  const uses: BufferUse[] = [];
  const opaque = !!d.opaque || !entry;
  if (!opaque && entry) {
    for (const { binding, entry: be } of d.bindings) {
      const u = entry.uses.get(binding.name);
      if (!u || !be) continue;
      const key = be.buffer?.key ?? be.otherKey;
      if (!key) continue;
      let index: IndexPattern = u.index;
      if (!geometry.oneD && (index.kind === 'identity' || index.kind === 'affine')) index = { kind: 'unknown', reason: 'a multi-dimensional dispatch' };
      const elems = elementsOfBinding(binding, be);
      let elements: Size | undefined;
      if (binding.resource === 'uniform' || index.kind === 'broadcast') elements = { value: 1, expr: '1', key: '1' };
      else if (index.kind !== 'identity' && index.kind !== 'affine' && elems) elements = monoSize(elems);
      const buffer = be.buffer;
      uses.push({
        buffer: {
          key, name: buffer?.name ?? key.replace(/@.*$/, ''), version: 0, offset: be.offsetText ?? '0',
          provenance: buffer ? (buffer.allocated ? 'allocation' : 'param') : 'unknown',
          aliasHint: 'distinct GPUBuffer objects never overlap; pass buffers created in this file, or fuse where the buffers are known',
        },
        access: u.access, index, elemType: binding.elemTypeText, elemBytes: binding.elemBytes, param: binding.name, argText: be.resourceText, elements,
      });
    }
    if (d.indirect?.buffer) {
      uses.push({
        buffer: { key: d.indirect.buffer.key, name: d.indirect.buffer.name, version: 0, offset: d.indirect.offsetText, provenance: d.indirect.buffer.allocated ? 'allocation' : 'param' },
        access: 'read', index: { kind: 'broadcast' }, elemType: 'u32', elemBytes: 4, param: 'indirect', argText: d.indirect.argsText, elements: { value: 3, expr: '3', key: '3' },
      });
    }
  }
  const patterns = uses.map(u => u.index.kind);
  return {
    type: 'launch', id, callee: callee(d), span: d.call, calleeSpan: d.nameSpan, stmtSpan: d.stmt, uses,
    varsRead: [...new Set(d.argsText.join(' ').match(/[A-Za-z_$][\w$]*/g) ?? [])].filter(n => n !== 'Math'),
    space: geometry.domain,
    stream: 'queue',
    traits: {
      elementwise: !opaque && !entry!.cooperative && !entry!.reduction && patterns.every(p => p === 'identity' || p === 'broadcast'),
      reduction: !opaque && entry!.reduction,
      blockCooperative: !opaque && entry!.cooperative,
      opaque,
    },
    flopsPerElement: entry?.flopsPerElement ?? 0,
    frontend: { dispatch: d, entry, geometry } satisfies WgLaunchData,
  };
}

/** One Sequence per host block with dispatches; launches indexed by dispatch id. */
export function sequencesOf(host: HostProgram, file: string): { sequences: Sequence[]; launches: LaunchNode[] } {
  const launches = host.dispatches.map(d => launchOf(d, d.id));
  // one entry point name in several pipelines (webgpufundamentals' `computeSomething` doubling in
  // one module, adding 3 in another): those dispatches are named after their pipelines instead
  const pipelinesOf = new Map<string, Set<string>>();
  host.dispatches.forEach((d, i) => {
    const p = d.pipeline?.name;
    if (!p) return;
    const set = pipelinesOf.get(launches[i].callee) ?? new Set<string>();
    pipelinesOf.set(launches[i].callee, set.add(p));
  });
  host.dispatches.forEach((d, i) => {
    const p = d.pipeline?.name;
    if (p && !/@/.test(p) && (pipelinesOf.get(launches[i].callee)?.size ?? 0) > 1) launches[i].callee = p;
  });
  const sequences: Sequence[] = [];
  for (const fn of host.functions) for (const b of fn.blocks) sequences.push(sequenceOf(fn, b, launches, file));
  return { sequences, launches };
}

function sequenceOf(fn: HostFunction, b: HostBlock, launches: LaunchNode[], file: string): Sequence {
  const escaping = new Set(fn.escaping);
  const items = b.items.map(it => {
    if ('dispatch' in it) {
      const l = launches[it.dispatch.id];
      // buffers made outside this function (module state, captured by a closure, parameters)
      // outlive it: what the dispatches leave in them is read later
      for (const be of it.dispatch.bindings) {
        const buf = be.entry?.buffer;
        const bg = be.group?.def;
        // a bind group kept where other code can use it (module level, a field, another function)
        const bgShared = !bg || !bg.declaration || (bg.block as { fileName?: string }).fileName !== undefined || bg.stmt.start < fn.node.pos || bg.stmt.end > fn.node.end;
        if (buf && (buf.shared || bgShared || !buf.def || buf.def.stmt.start < fn.node.pos || buf.def.stmt.end > fn.node.end)) escaping.add(buf.key);
      }
      return l;
    }
    const e = it.event;
    const ev: EventNode = { type: 'event', kind: e.kind, span: e.span, text: e.text, reads: e.reads, writes: e.writes, assigns: e.assigns, sync: e.sync };
    return ev;
  });
  return {
    scope: b.scope, file, items, positions: b.positions, reads: fn.reads, loops: b.loops, escaping,
    loop: b.loop ? { span: b.loop.span, bodySpan: b.loop.bodySpan, header: b.loop.header } : undefined,
  };
}
