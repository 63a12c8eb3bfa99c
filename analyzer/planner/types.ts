// Planner data: candidate groups, rule verdicts, refusals. Legality rules are modules in rules/.

import type { EventNode, LaunchNode, SeqItem, Sequence } from '../core/ir';
import type { Span } from '../core/text';

/**
 * A rule's answer for adding `candidate` to `group`.
 * - ok: legal as far as this rule can tell.
 * - uncertain: probably legal, but not provably; the finding is reported without a quick fix.
 * - refuse: illegal; the group stops here and the refusal is shown on hover ("why not").
 */
export type Verdict =
  | { level: 'ok' }
  | { level: 'uncertain'; reason: string }
  | { level: 'refuse'; reason: string; blocker?: { span: Span; text: string } };

export interface RuleContext {
  seq: Sequence;
  /** Launches already in the group, in program order. */
  group: LaunchNode[];
  groupIndices: number[];
  candidate: LaunchNode;
  candidateIndex: number;
  /** Items strictly between the first group member and the candidate that are not members. */
  between: Array<{ item: SeqItem; index: number }>;
}

export interface LegalityRule {
  /** Rule id, e.g. FL011. */
  id: string;
  /** Legality label from DESIGN.md, e.g. L2. */
  label: string;
  name: string;
  check(ctx: RuleContext): Verdict;
}

export interface Intermediate {
  key: string;
  name: string;
  /** Index (in group) of the member that first writes it, and of the first reader after that. */
  producer: number;
  firstConsumer: number;
  /** Read after the group, escapes, or read again on the next loop iteration: the store stays (L5). */
  live: boolean;
  liveReason?: string;
}

export interface Group {
  seq: Sequence;
  members: LaunchNode[];
  indices: number[];
  intermediates: Intermediate[];
  /** Reasons a quick fix cannot be justified although the group is legal as far as we can tell. */
  uncertain: string[];
}

export interface PlannerRefusal {
  seq: Sequence;
  rule: LegalityRule;
  reason: string;
  group: LaunchNode[];
  candidate: LaunchNode;
  blocker?: { span: Span; text: string };
}

export interface PlanResult {
  groups: Group[];
  refusals: PlannerRefusal[];
}

export function isEvent(i: SeqItem): i is EventNode {
  return i.type === 'event';
}

/** Buffer keys a launch writes / reads. */
export function writesOf(l: LaunchNode): Set<string> {
  return new Set(l.uses.filter(u => u.access !== 'read').map(u => u.buffer.key));
}
export function readsOf(l: LaunchNode): Set<string> {
  return new Set(l.uses.filter(u => u.access !== 'write').map(u => u.buffer.key));
}

/** Base variable name of a versioned key `alpha@3.1` -> `alpha`. */
export function varName(key: string): string {
  // `?:expr` keys an argument that is no variable we track (`args.dst`): the text is its name
  const k = key.startsWith('?:') ? key.slice(2) : key;
  const at = k.indexOf('@');
  return at < 0 ? k : k.slice(0, at);
}
