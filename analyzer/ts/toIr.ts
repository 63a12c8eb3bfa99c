// Turns extracted TF.js ops into the shared Program IR (core/ir.ts): one LaunchNode per op (TF.js
// runs one GPU program per op on the WebGL and WebGPU backends), one Sequence per block, with the
// function's reads, loops and escaping values, so the shared planner and cost model apply as is.

import type { BufferUse, EventNode, IndexPattern, LaunchNode, SeqItem, Sequence } from '../core/ir';
import type { TFunction, TOp, TValue } from './model';
import { dtypeBytes, flopsPerElement, isElementwise, opKind } from './ops';
import { matMulK, sizeOf } from './shapes';

export interface TsLaunchData {
  fn: TFunction;
  op: TOp;
}

/** Display name of a value: the variable, or the expression that makes the temporary. */
export function valueName(v: TValue): string {
  return v.name.startsWith('\u0000') ? v.name.slice(1) : v.name;
}

export function dimsText(d: number[] | undefined): string {
  return d ? `[${d.join(', ')}]` : '?';
}

export function launchOf(fn: TFunction, op: TOp, id: number): LaunchNode {
  const V = fn.values;
  const out = V[op.out];
  const n = out.dims ? sizeOf(out.dims) : undefined;
  const ew = isElementwise(op.op);
  const uses: BufferUse[] = [];
  const seen = new Set<number>();
  op.inputs.forEach((vi, k) => {
    if (seen.has(vi)) return;
    seen.add(vi);
    const v = V[vi];
    let index: IndexPattern = { kind: 'identity' };
    let elements: LaunchNode['space'] | undefined;
    if (ew) {
      if (v.dims && out.dims && sizeOf(v.dims) !== sizeOf(out.dims)) {
        index = { kind: 'broadcast' };
        elements = { value: sizeOf(v.dims), expr: dimsText(v.dims), key: v.spaceKey };
      }
    } else {
      index = { kind: 'unknown', reason: opKind(op.op) === 'producer' ? `${op.op} reads whole rows, columns or windows` : `${op.op} is not elementwise` };
      elements = v.dims ? { value: sizeOf(v.dims), expr: dimsText(v.dims), key: v.spaceKey } : { value: 0, expr: 'unknown', key: `?${v.key}` };
    }
    uses.push({
      buffer: { key: v.key, name: valueName(v), version: 0, offset: '0', provenance: v.origin === 'op' || v.origin === 'creator' ? 'allocation' : 'param' },
      access: 'read', index, elemType: v.dtype, elemBytes: dtypeBytes(v.dtype), param: `input${k}`, argText: valueName(v), elements,
    });
  });
  // a non-elementwise op computes each output element from many inputs: nothing may fuse after it
  // in one elementwise kernel (the planner's index rule refuses reads of this output)
  uses.push({
    buffer: { key: out.key, name: valueName(out), version: 0, offset: '0', provenance: 'allocation' },
    access: 'write', index: ew ? { kind: 'identity' } : { kind: 'unknown', reason: `${op.op} is not elementwise` }, elemType: out.dtype, elemBytes: dtypeBytes(out.dtype), param: 'output', argText: valueName(out),
  });
  let flops = ew ? flopsPerElement(op.op) : 0;
  if (op.op === 'matMul') {
    const a = V[op.inputs[0]];
    const k = matMulK(a?.dims, op.args[2]?.bool ?? false);
    flops = k ? 2 * k : 0;
  } else if ((op.op === 'conv2d' || op.op === 'depthwiseConv2d') && op.inputs[1] !== undefined) {
    const f = V[op.inputs[1]].dims;
    if (f && f.length === 4) flops = op.op === 'conv2d' ? 2 * f[0] * f[1] * f[2] : 2 * f[0] * f[1];
  }
  return {
    type: 'launch', id, callee: op.op, span: { ...op.span }, calleeSpan: { ...op.nameSpan }, stmtSpan: { ...op.stmtSpan }, uses, varsRead: [],
    space: { value: n, expr: out.dims ? dimsText(out.dims) : `${valueName(V[op.inputs[0]] ?? out)}.shape`, key: out.spaceKey },
    stream: '0',
    traits: { elementwise: ew, reduction: false, blockCooperative: false, opaque: false },
    flopsPerElement: flops,
    frontend: { fn, op } satisfies TsLaunchData,
  };
}

export function eventOf(e: TFunction['events'][number]): EventNode {
  return {
    type: 'event', kind: e.kind, span: { ...e.span }, text: e.text, reads: e.reads, writes: [], assigns: [], sync: e.kind === 'sync',
  };
}

/**
 * Sequences of one function, one per block, leaving out ops in `skip` (already claimed by a
 * library fusion). Launch ids come from `nextId` so they are unique in the file.
 */
export function sequencesOf(fn: TFunction, file: string, skip: Set<number>, nextId: () => number, launches: Map<number, LaunchNode>): Sequence[] {
  const out: Sequence[] = [];
  for (const b of fn.blocks) {
    const items: SeqItem[] = [];
    const positions: number[] = [];
    for (const it of b.items) {
      if ('op' in it) {
        if (skip.has(it.op)) continue;
        const op = fn.ops[it.op];
        let l = launches.get(op.id);
        if (!l) { l = launchOf(fn, op, nextId()); launches.set(op.id, l); }
        items.push(l);
        positions.push(op.pos);
      } else {
        const e = fn.events[it.event];
        items.push(eventOf(e));
        positions.push(e.pos);
      }
    }
    if (!items.some(i => i.type === 'launch')) continue;
    out.push({
      scope: `${fn.name}#${b.id}`, file, items, positions, reads: fn.reads, loops: fn.loops, escaping: fn.escaping,
    });
  }
  return out;
}
