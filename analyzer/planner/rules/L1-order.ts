// L1 order (FL010): the launches run on the same stream, none has effects whose order others observe
// (printf, device-side CUDA API calls, clock reads), and nothing between them synchronizes with
// the host, waits on or records an event, calls code we cannot see, or touches the data the earlier
// launches produce or consume (the fused launch runs where the last one was).

import type { LegalityRule, RuleContext, Verdict } from '../types';
import { isEvent, readsOf, varName, writesOf } from '../types';

export const orderRule: LegalityRule = {
  id: 'FL010',
  label: 'L1',
  name: 'launch-order',
  check(ctx: RuleContext): Verdict {
    const { group, candidate } = ctx;
    // printf, device-side API calls, clock reads: what others observe would change order
    const effect = [...group, candidate].find(l => l.traits.effects);
    if (effect) return { level: 'refuse', reason: `\`${effect.callee}\` ${effect.traits.effects}` };
    if (candidate.stream !== group[0].stream) {
      return { level: 'refuse', reason: `\`${candidate.callee}\` runs on stream \`${streamName(candidate.stream)}\`, the earlier launches on \`${streamName(group[0].stream)}\`` };
    }
    for (const { item, index } of ctx.between) {
      // only group members launched before this item are moved past it
      const earlier = group.filter((_, k) => ctx.groupIndices[k] < index);
      if (!earlier.length) continue;
      const w = new Set<string>();
      const r = new Set<string>();
      const vars = new Set<string>();
      for (const m of earlier) {
        writesOf(m).forEach(x => w.add(x));
        readsOf(m).forEach(x => r.add(x));
        m.varsRead.forEach(v => vars.add(v));
      }
      const blocker = { span: item.span, text: isEvent(item) ? item.text : `${item.callee}<<<...>>>` };
      if (isEvent(item)) {
        if (item.sync) return { level: 'refuse', reason: `\`${item.text}\` synchronizes with the host between the launches`, blocker };
        if (item.kind === 'event') return { level: 'refuse', reason: `\`${item.text}\` orders work across streams between the launches`, blocker };
        if (item.kind === 'exit') return { level: 'refuse', reason: `\`${item.text}\` may leave before the later launches run`, blocker };
        if (item.kind === 'entry' && item.text.startsWith('#')) return { level: 'refuse', reason: `\`${item.text}\` compiles the launches on either side of it under different conditions`, blocker };
        if (item.kind === 'entry') return { level: 'refuse', reason: `\`${item.text}\` can be jumped to: the launches after it do not always follow the ones before`, blocker };
        if (item.reads === '*' || item.writes === '*') return { level: 'refuse', reason: `\`${item.text}\` may touch the device data and we cannot see into it`, blocker };
        const touched = [...item.reads, ...item.writes].find(k => w.has(k)) ?? item.writes.find(k => r.has(k));
        if (touched) return { level: 'refuse', reason: `\`${item.text}\` uses \`${varName(touched)}\` between the launches`, blocker };
        const assigned = item.assigns.find(a => [...vars].some(v => varName(v) === a));
        if (assigned) return { level: 'refuse', reason: `\`${assigned}\` changes between the launches (\`${item.text}\`)`, blocker };
      } else {
        if (item.traits.opaque) return { level: 'refuse', reason: `\`${item.callee}\` runs between the launches and its body is not visible`, blocker };
        if (item.stream !== group[0].stream) continue; // another stream: independent unless it shares data
        const iw = writesOf(item);
        const ir = readsOf(item);
        const clash = [...ir].find(k => w.has(k)) ?? [...iw].find(k => w.has(k) || r.has(k));
        if (clash) return { level: 'refuse', reason: `\`${item.callee}\` between the launches uses \`${varName(clash)}\``, blocker };
      }
    }
    return { level: 'ok' };
  },
};

function streamName(s: string): string {
  return s === '0' ? 'default' : s.replace(/@[\w.]+/g, '');
}
