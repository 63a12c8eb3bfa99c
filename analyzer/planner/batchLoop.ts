// Horizontal fusion of a batch loop (FL020): a loop that launches the same kernel (or the same
// fusable chain) once per item can launch it once for all items, the item index in a grid
// dimension. Legal when iterations are independent: no buffer written by one item is read or
// written by another, nothing in the loop synchronizes or does other device work, and every item
// has the same launch geometry.

import type { BufferId, EventNode, LaunchNode, LoopInfo, Sequence, Size } from '../core/ir';
import type { CudaLaunchData } from '../cuda/hostSequence';
import { lex } from '../cuda/lexer';
import { evalText } from '../cuda/constEval';
import { toPoly, polyKey, type Poly } from '../cuda/symbolic';
import type { Group } from './types';
import { isEvent, varName } from './types';
import { planVertical } from './vertical';

export interface BatchLoop {
  seq: Sequence;
  loop: LoopInfo;
  launches: LaunchNode[];
  /** The vertical group that runs per item when the loop launches more than one kernel. */
  vertical?: Group;
  batch: Size;
  /** Grid dimension that carries the item index: 'y' for 1D kernels, 'z' for 2D ones. */
  itemDim: 'y' | 'z';
  /** Why a fix cannot be justified although batching looks legal (outputs that may overlap...). */
  uncertain: string[];
}

export interface BatchRefusal {
  seq: Sequence;
  loop: LoopInfo;
  launches: LaunchNode[];
  reason: string;
  blocker?: { span: { start: number; end: number }; text: string };
}

export function planBatchLoops(seqs: Sequence[], lookup: (name: string) => number | undefined = () => undefined): { loops: BatchLoop[]; refusals: BatchRefusal[] } {
  const loops: BatchLoop[] = [];
  const refusals: BatchRefusal[] = [];
  for (const seq of seqs) {
    if (!seq.loop) continue;
    const launches = seq.items.filter((i): i is LaunchNode => i.type === 'launch');
    // a loop of empty kernels measures launch overhead: that is its point
    if (!launches.length || launches.every(l => l.traits.empty)) continue;
    const r = planOne(seq, seq.loop, launches, lookup);
    if ('reason' in r) refusals.push(r);
    else loops.push(r);
  }
  return { loops, refusals };
}

function planOne(seq: Sequence, loop: LoopInfo, launches: LaunchNode[], lookup: (name: string) => number | undefined): BatchLoop | BatchRefusal {
  const refuse = (reason: string, blocker?: BatchRefusal['blocker']): BatchRefusal => ({ seq, loop, launches, reason, blocker });
  if (!loop.indexVar) return refuse('the loop is not a counted `for` loop over items');
  // conditional compilation is named only when nothing else in the loop stands in the way
  let directive: EventNode | undefined;
  for (const it of seq.items) {
    if (!isEvent(it)) continue;
    if (it.kind === 'assign' && it.reads !== '*' && it.writes !== '*' && !it.reads.length && !it.writes.length && !it.sync) continue;
    if (it.kind === 'entry' && it.text.startsWith('#')) { directive ??= it; continue; }
    if (it.kind === 'exit' || it.kind === 'entry') return refuse(`\`${it.text}\` may skip or end iterations: not every item would run as it does now`, { span: it.span, text: it.text });
    return refuse(`\`${it.text}\` runs in the loop ${it.sync ? 'and synchronizes with the host' : 'besides the launches'}`, { span: it.span, text: it.text });
  }
  if (directive) return refuse(`\`${directive.text}\` compiles part of the loop conditionally`, { span: directive.span, text: directive.text });
  if (launches.some(l => l.traits.opaque)) return refuse(`the body of \`${launches.find(l => l.traits.opaque)!.callee}\` is not visible`);
  const effect = launches.find(l => l.traits.effects);
  if (effect) return refuse(`\`${effect.callee}\` ${effect.traits.effects}`);
  // buffers that rotate (`tmp = dst; dst = src; src = tmp;`): each iteration reads what the one before wrote
  const argVars = new Set(launches.flatMap(l => l.varsRead.map(v => v.split('@')[0])));
  for (const it of seq.items) {
    if (!isEvent(it) || it.kind !== 'assign') continue;
    const m = /^\s*(\w+)\s*=\s*([A-Za-z_]\w*)\s*;?\s*$/.exec(it.text);
    if (m && m[1] !== m[2] && (argVars.has(m[1]) || argVars.has(m[2])) && m[2] !== loop.indexVar) {
      return refuse(`\`${it.text.replace(/;\s*$/, '')}\` hands one iteration's buffer to the next: the items are not independent`, { span: it.span, text: it.text });
    }
  }
  const first = launches[0];
  if (launches.some(l => l.stream !== first.stream)) return refuse('the launches in the loop use different streams');
  for (const l of launches) {
    const d = l.frontend as CudaLaunchData;
    const cfg = [d.config.grid, d.config.block, d.config.shmem, d.config.stream].find(c => c?.variant);
    if (cfg) return refuse(`the launch configuration of \`${l.callee}\` changes from item to item (\`${cfg.text}\`)`);
    const k = d.kernel!;
    const countParams = new Set(k.shape.counts.flatMap(c => c.params));
    const variantCount = k.params.find(p => countParams.has(p.name) && d.args[p.index]?.variant);
    if (variantCount) return refuse(`items have different sizes (\`${d.args[variantCount.index].text}\`) and no bound is known`);
  }
  let vertical: Group | undefined;
  if (launches.length > 1) {
    const plan = planVertical([seq]);
    vertical = plan.groups.find(g => g.members.length === launches.length);
    if (!vertical) return refuse('the launches in the loop do not form one fusable chain' + (plan.refusals[0] ? `: ${plan.refusals[0].reason}` : ''));
  }
  // geometry: the item index needs a grid dimension the kernels do not use
  const uses = (dim: string) => launches.some(l => usesDimension(l, dim));
  const itemDim = !uses('y') ? 'y' : !uses('z') ? 'z' : undefined;
  if (!itemDim) return refuse('the kernels already use all three grid dimensions');
  // independence between iterations
  const registers = new Set((vertical?.intermediates ?? []).filter(i => !i.live).map(i => i.key));
  const uncertain: string[] = [];
  const perItemWrites: Array<{ l: LaunchNode; b: BufferId; argText: string }> = [];
  const perItemReads: Array<{ l: LaunchNode; b: BufferId }> = [];
  for (const l of launches) {
    const d = l.frontend as CudaLaunchData;
    for (const u of l.uses) {
      const p = d.kernel!.params.find(x => x.name === u.param);
      const arg = p ? d.args[p.index] : undefined;
      const perItem = !!arg?.variant;
      if (!perItem) {
        if (u.access !== 'read' && !registers.has(u.buffer.key)) return refuse(`\`${varName(u.buffer.key)}\` is written by every item (shared between iterations)`);
        continue;
      }
      if (u.access !== 'read') perItemWrites.push({ l, b: u.buffer, argText: arg!.text });
      else perItemReads.push({ l, b: u.buffer });
    }
  }
  for (const w of perItemWrites) {
    if (registers.has(w.b.key)) continue;
    const why = disjointAcrossItems(w.b, w.l, loop.indexVar, lookup);
    if (why) uncertain.push(why);
    for (const r of perItemReads) {
      if (r.b.key === w.b.key && r.b.offset !== w.b.offset) return refuse(`an item reads \`${varName(w.b.key)}\` at a different offset than it writes it`);
    }
  }
  const batch: Size = loop.tripCount ?? { expr: '?', key: '?' };
  return { seq, loop, launches, vertical, batch, itemDim, uncertain: [...new Set(uncertain)] };
}

/** Whether a launch's kernel uses blockIdx/gridDim/threadIdx/blockDim in dimension `dim`. */
function usesDimension(l: LaunchNode, dim: string): boolean {
  const k = (l.frontend as CudaLaunchData).kernel!;
  const t = k.tokens;
  const end = k.decl.bodyClose >= 0 ? k.decl.bodyClose : k.decl.end;
  for (let i = k.decl.bodyOpen; i < end; i++) {
    if ((t.is(i, 'blockIdx') || t.is(i, 'gridDim') || t.is(i, 'threadIdx') || t.is(i, 'blockDim')) && t.is(i + 1, '.') && t.is(i + 2, dim)) return true;
  }
  return false;
}

/**
 * Undefined when the per-item output buffers provably do not overlap: separately allocated
 * elements (`cudaMalloc(&out[b], ...)`), or one buffer at offsets `b * stride` with stride at
 * least the item's element count. Otherwise the reason the fix is withheld.
 */
function disjointAcrossItems(b: BufferId, l: LaunchNode, indexVar: string, lookup: (name: string) => number | undefined): string | undefined {
  if (b.elementOf) {
    if (b.elementOf.separatelyAllocated) return undefined;
    return `\`${b.elementOf.array}[${b.elementOf.index}]\` may point into the same memory for two items; allocate each item separately (\`cudaMalloc(&${b.elementOf.array}[i], ...)\`) or use one buffer with per-item offsets`;
  }
  if (b.offset !== '0') {
    const stride = strideOf(b.offset, indexVar);
    if (stride !== undefined) {
      const n = l.space;
      const sv = evalText(stride, lookup) ?? NaN;
      const use = l.uses.find(u => u.buffer.key === b.key && u.access !== 'read');
      if (use && use.index.kind !== 'identity') return `\`${b.name}\` is written ${use.index.kind === 'strided' ? `at \`${use.index.text}\`` : 'not per element'}, so how far one item writes is not known`;
      if (stride === n.expr.replace(/\s+/g, '') || stride === n.key.replace(/\s+/g, '') || (Number.isFinite(sv) && n.value !== undefined && sv >= n.value)) return undefined;
      return `items write \`${b.name}\` at a stride of \`${stride}\` elements, which is not provably at least the \`${n.expr}\` elements each item writes`;
    }
  }
  return `\`${b.name}\` is written by every item at an offset we cannot follow`;
}

/** For an offset `b * S` (or `S * b`) the stride S as normalized text; undefined otherwise. */
function strideOf(offset: string, indexVar: string): string | undefined {
  const t = lex(offset);
  const poly: Poly | undefined = toPoly(t, 0, t.count - 1, () => undefined);
  if (!poly) return undefined;
  let stride: string | undefined;
  for (const [mono, coeff] of poly) {
    const atoms = mono ? mono.split('*') : [];
    if (!atoms.includes(indexVar)) continue; // a term that shifts every item alike

    const rest = atoms.filter(a => a !== indexVar);
    if (rest.length > 1 || stride !== undefined) return undefined;
    stride = rest.length ? (coeff === 1 ? rest[0] : `${coeff}*${rest[0]}`) : String(coeff);
  }
  void polyKey;
  return stride;
}
