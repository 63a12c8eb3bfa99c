// Vertical fusion planner: grows producer -> consumer chains of launches within one sequence.
// A candidate joins a group when it reads something a member writes and every legality rule
// agrees; the first refusal ends the chain and is kept for hover ("why not").

import type { LaunchNode, Sequence } from '../core/ir';
import type { Group, Intermediate, LegalityRule, PlannerRefusal, PlanResult, RuleContext } from './types';
import { isEvent, readsOf, varName, writesOf } from './types';
import { orderRule } from './rules/L1-order';
import { indexRule } from './rules/L2-index';
import { reductionRule } from './rules/L3-reduction';
import { aliasingRule } from './rules/L4-aliasing';
import { liveness } from './rules/L5-liveness';
import { budgetRule } from './rules/L6-budgets';

/** Rules in the order their refusals are most useful to read. */
export const VERTICAL_RULES: LegalityRule[] = [budgetRule, orderRule, reductionRule, indexRule, aliasingRule];

/** `rules` lets a frontend add its platform's rules (WebGPU: analyzer/webgpu/legality.ts). */
export function planVertical(seqs: Sequence[], rules: LegalityRule[] = VERTICAL_RULES): PlanResult {
  const groups: Group[] = [];
  const refusals: PlannerRefusal[] = [];
  for (const seq of seqs) planSequence(seq, groups, refusals, rules);
  return { groups, refusals };
}

function planSequence(seq: Sequence, groups: Group[], refusals: PlannerRefusal[], rules: LegalityRule[]): void {
  const used = new Set<number>();
  const items = seq.items;
  for (let i = 0; i < items.length; i++) {
    const first = items[i];
    if (first.type !== 'launch' || used.has(i) || first.traits.opaque) continue;
    const members: LaunchNode[] = [first];
    const indices = [i];
    const uncertain: string[] = [];
    for (let j = i + 1; j < items.length; j++) {
      const item = items[j];
      if (isEvent(item)) {
        if (isHardBarrier(item)) {
          const next = nextDependent(seq, j + 1, members);
          // past a `case` or goto label the launches are alternatives or another path, not a pair
          // that a barrier keeps apart: no refusal to explain
          if (next && !items.slice(j, items.indexOf(next)).some(x => isEvent(x) && x.kind === 'entry')) {
            refusals.push({ seq, rule: orderRule, reason: barrierReason(item), group: [...members], candidate: next, blocker: { span: item.span, text: item.text } });
          }
          break;
        }
        continue;
      }
      if (used.has(j)) continue;
      if (!dependsOn(item, members)) continue;
      const ctx: RuleContext = {
        seq, group: members, groupIndices: indices, candidate: item, candidateIndex: j,
        between: betweenItems(seq, indices, j),
      };
      let refused = false;
      const pending: string[] = [];
      for (const rule of rules) {
        const v = rule.check(ctx);
        if (v.level === 'refuse') {
          refusals.push({ seq, rule, reason: v.reason, group: [...members], candidate: item, blocker: v.blocker });
          refused = true;
          break;
        }
        if (v.level === 'uncertain') pending.push(v.reason);
      }
      if (refused) break;
      members.push(item);
      indices.push(j);
      for (const p of pending) if (!uncertain.includes(p)) uncertain.push(p);
    }
    if (members.length >= 2) {
      indices.forEach(k => used.add(k));
      groups.push({ seq, members, indices, intermediates: intermediatesOf(seq, members, indices), uncertain });
    }
  }
}

function isHardBarrier(e: { kind: string; sync: boolean; reads: string[] | '*'; writes: string[] | '*' }): boolean {
  return e.sync || e.kind === 'event' || e.kind === 'opaque' || e.kind === 'exit' || e.kind === 'entry' || e.reads === '*' || e.writes === '*';
}

function barrierReason(e: { kind: string; text: string; sync: boolean }): string {
  if (e.sync) return `\`${e.text}\` synchronizes with the host between the launches; remove it if the host does not need the intermediate results`;
  if (e.kind === 'event') return `\`${e.text}\` orders work across streams between the launches`;
  if (e.kind === 'exit') return `\`${e.text}\` may leave before the later launches run, and the fused launch would run at the last one's place`;
  if (e.kind === 'entry' && e.text.startsWith('#')) return `\`${e.text}\` compiles the launches on either side of it under different conditions`;
  if (e.kind === 'entry') return `\`${e.text}\` can be jumped to: the launches after it do not always follow the ones before`;
  return `\`${e.text}\` may touch the device data and we cannot see into it`;
}

/** The next launch after `from` that reads something the group writes. */
function nextDependent(seq: Sequence, from: number, members: LaunchNode[]): LaunchNode | undefined {
  for (let j = from; j < seq.items.length; j++) {
    const it = seq.items[j];
    if (it.type === 'launch' && dependsOn(it, members)) return it;
  }
  return undefined;
}

/** Read-after-write dependence on any member. */
function dependsOn(l: LaunchNode, members: LaunchNode[]): boolean {
  const r = readsOf(l);
  for (const m of members) for (const w of writesOf(m)) if (r.has(w)) return true;
  return false;
}

function betweenItems(seq: Sequence, indices: number[], candidate: number): RuleContext['between'] {
  const out: RuleContext['between'] = [];
  const set = new Set(indices);
  for (let k = indices[0] + 1; k < candidate; k++) if (!set.has(k)) out.push({ item: seq.items[k], index: k });
  return out;
}

function intermediatesOf(seq: Sequence, members: LaunchNode[], indices: number[]): Intermediate[] {
  const out: Intermediate[] = [];
  const firstPos = seq.positions[indices[0]];
  const lastPos = seq.positions[indices[indices.length - 1]];
  const seen = new Set<string>();
  members.forEach((m, pi) => {
    for (const u of m.uses) {
      if (u.access === 'read' || seen.has(u.buffer.key)) continue;
      const consumer = members.findIndex((c, ci) => ci > pi && c.uses.some(cu => cu.buffer.key === u.buffer.key && cu.access !== 'write'));
      if (consumer < 0) continue;
      seen.add(u.buffer.key);
      const l = liveness(seq, u.buffer.key, u.buffer.provenance, firstPos, lastPos);
      out.push({ key: u.buffer.key, name: varName(u.buffer.key), producer: pi, firstConsumer: consumer, live: l.live, liveReason: l.reason });
    }
  });
  return out;
}
