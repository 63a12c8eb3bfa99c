// WebGPU's own legality rules, checked before the shared ones (L1-L6 in planner/rules) whose
// wording is CUDA's. Each dispatch is its own usage scope and the only barrier across workgroups;
// workgroupBarrier() orders one workgroup. A fused dispatch must also fit one pipeline's limits.

import type { LaunchNode } from '../core/ir';
import type { LegalityRule, RuleContext, Verdict } from '../planner/types';
import { varName, writesOf } from '../planner/types';
import { describe } from '../planner/rules/L2-index';
import { liveness } from '../planner/rules/L5-liveness';
import { VERTICAL_RULES } from '../planner/vertical';
import type { WgLaunchData } from './toIr';

/** WebGPU's default limits (a device gets these unless it asks the adapter for more). */
export const MAX_STORAGE_BUFFERS_PER_STAGE = 8;
export const MAX_UNIFORM_BUFFERS_PER_STAGE = 12;

const data = (l: LaunchNode) => l.frontend as WgLaunchData;

/** FL210: a dependence across invocations needs a dispatch boundary. */
export const workgroupScopeRule: LegalityRule = {
  id: 'FL210',
  label: 'WebGPU',
  name: 'webgpu-workgroup-scope',
  check(ctx: RuleContext): Verdict {
    const { group, candidate } = ctx;
    const coop = group.find(m => m.traits.reduction || m.traits.blockCooperative);
    if (coop) {
      const how = coop.traits.reduction ? (coop.uses.some(u => u.index.kind === 'reduction' && u.index.how === 'atomic') ? 'combines values across invocations with atomics' : 'combines values across a workgroup (workgroup memory and workgroupBarrier) into per-workgroup results') : 'shares data between invocations through workgroup memory';
      return { level: 'refuse', reason: `\`${coop.callee}\` ${how}: its result is complete only when the whole dispatch has finished. workgroupBarrier() orders one workgroup, not the dispatch, so \`${candidate.callee}\` needs a dispatch boundary after it` };
    }
    const written = new Map<string, LaunchNode>();
    for (const m of group) for (const k of writesOf(m)) written.set(k, m);
    for (const u of candidate.uses) {
      const producer = written.get(u.buffer.key);
      if (!producer || u.access === 'write' || u.index.kind === 'identity') continue;
      return { level: 'refuse', reason: `\`${candidate.callee}\` reads \`${varName(u.buffer.key)}\` ${describe(u.index)}: other invocations, possibly in other workgroups, write those elements in \`${producer.callee}\`, and only a dispatch boundary makes their writes visible (workgroupBarrier() orders one workgroup)` };
    }
    return { level: 'ok' };
  },
};

/** FL211: the fused dispatch must process the same elements as each of the originals. */
export const dispatchGeometryRule: LegalityRule = {
  id: 'FL211',
  label: 'WebGPU',
  name: 'webgpu-dispatch-geometry',
  check(ctx: RuleContext): Verdict {
    const { group, candidate } = ctx;
    if (candidate.traits.opaque) return { level: 'ok' }; // the budget rule explains
    const c = data(candidate);
    if (!c.geometry.wg) return { level: 'refuse', reason: `\`${candidate.callee}\`'s @workgroup_size is not a constant` };
    if (!c.geometry.oneD) return { level: 'refuse', reason: `\`${candidate.callee}\` is a multi-dimensional dispatch; only one-dimensional ones (indexed by global_invocation_id.x) are compared` };
    const ind = c.dispatch.indirect?.buffer;
    if (ind) {
      const w = group.find(m => writesOf(m).has(ind.key));
      if (w) return { level: 'refuse', reason: `\`${candidate.callee}\` takes its workgroup counts from \`${ind.name}\`, which \`${w.callee}\` writes: they exist only once \`${w.callee}\` has finished` };
    }
    const first = group[0];
    const a = first.space;
    const b = candidate.space;
    const same = a.value !== undefined && b.value !== undefined ? a.value === b.value : a.key === b.key;
    if (!same) {
      const why = [...new Set([data(first).geometry.note, c.geometry.note].filter(Boolean))].join('; ');
      return { level: 'refuse', reason: `\`${candidate.callee}\` processes ${elements(b.expr)} and \`${first.callee}\` ${elements(a.expr)}: fusing needs matching dispatch sizes or the same bounds check${why ? ` (${why})` : ''}` };
    }
    return { level: 'ok' };
  },
};

function elements(expr: string): string {
  return `${expr} element${expr === '1' ? '' : 's'}`;
}

/** FL212: one dispatch, one usage scope, one pipeline's binding limits. */
export const usageScopeRule: LegalityRule = {
  id: 'FL212',
  label: 'WebGPU',
  name: 'webgpu-usage-scope',
  check(ctx: RuleContext): Verdict {
    const all = [...ctx.group, ctx.candidate];
    if (all.some(l => l.traits.opaque)) return { level: 'ok' };
    const storage = new Set<string>();
    const uniform = new Set<string>();
    const writer = new Map<string, LaunchNode>();
    const otherUse = new Map<string, { l: LaunchNode; how: string }>();
    for (const l of all) {
      const d = data(l);
      for (const u of l.uses) {
        if (u.param === 'indirect') { otherUse.set(u.buffer.key, { l, how: 'as its indirect dispatch arguments' }); continue; }
        const b = d.dispatch.bindings.find(x => x.binding.name === u.param)?.binding;
        if (b?.resource === 'uniform') { uniform.add(u.buffer.key); otherUse.set(u.buffer.key, { l, how: 'as a uniform buffer' }); continue; }
        if (b?.resource === 'storage') storage.add(u.buffer.key);
        if (u.access !== 'read') writer.set(u.buffer.key, l);
      }
    }
    for (const [k, w] of writer) {
      const o = otherUse.get(k);
      if (o) return { level: 'refuse', reason: `\`${w.callee}\` writes \`${varName(k)}\` as a storage buffer and \`${o.l.callee}\` reads it ${o.how}: one dispatch (one usage scope) cannot use a buffer both ways` };
    }
    // intermediates that die inside the group need no binding in the fused shader
    const seq = ctx.seq;
    const firstPos = seq.positions[ctx.groupIndices[0]];
    const lastPos = seq.positions[ctx.candidateIndex];
    let bound = 0;
    for (const k of storage) {
      const w = writer.get(k);
      const readAfter = w && all.some(l => all.indexOf(l) > all.indexOf(w) && l.uses.some(u => u.buffer.key === k && u.access !== 'write'));
      const identityOnly = all.every(l => l.uses.every(u => u.buffer.key !== k || u.index.kind === 'identity'));
      const prov = all.flatMap(l => l.uses).find(u => u.buffer.key === k)!.buffer.provenance;
      if (readAfter && identityOnly && !liveness(seq, k, prov, firstPos, lastPos).live) continue;
      bound++;
    }
    if (bound > MAX_STORAGE_BUFFERS_PER_STAGE) {
      return { level: 'refuse', reason: `the fused shader would bind ${bound} storage buffers; WebGPU guarantees ${MAX_STORAGE_BUFFERS_PER_STAGE} per shader stage (maxStorageBuffersPerShaderStage) unless the device requests more` };
    }
    if (uniform.size > MAX_UNIFORM_BUFFERS_PER_STAGE) {
      return { level: 'refuse', reason: `the fused shader would bind ${uniform.size} uniform buffers; WebGPU guarantees ${MAX_UNIFORM_BUFFERS_PER_STAGE} per shader stage` };
    }
    return { level: 'ok' };
  },
};

/** WebGPU's rules first (their wording fits), then the shared ones. */
export const WEBGPU_RULES: LegalityRule[] = [usageScopeRule, workgroupScopeRule, dispatchGeometryRule, ...VERTICAL_RULES];
