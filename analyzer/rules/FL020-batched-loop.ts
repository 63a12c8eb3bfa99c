// FL020 batched-loop: a loop that launches the same kernel (or chain) once per item can launch it
// once for all items. The gain is mostly launch overhead for small items (the FKL paper's
// horizontal fusion); for large items it is only the saved launches.

import type { Finding, Fix } from '../core/finding';
import type { LaunchNode } from '../core/ir';
import type { LineIndex } from '../core/text';
import type { CudaProgram } from '../cuda/frontend';
import type { CudaLaunchData } from '../cuda/hostSequence';
import type { GpuProfile } from '../cost/profiles';
import { estimate, fmtBytes, fmtCount, type Traffic } from '../cost/model';
import { fusedTraffic, launchElements, mergedTraffic, sequenceTraffic, workingSet, type SizeOptions } from '../cost/traffic';
import type { BatchLoop } from '../planner/batchLoop';
import { batchLoopRewrite } from '../rewrite/cudaBatched';
import { shortGpu } from './FL001-vertical';
import { launchRef, toRange } from './findingUtil';

export interface BatchOptions extends SizeOptions {
  /** Items assumed when the loop bound is not known in the code. */
  defaultBatch: number;
}

export function batchedLoopFinding(program: CudaProgram, bl: BatchLoop, profile: GpuProfile, opts: BatchOptions, lines: LineIndex, withFix: boolean): Finding {
  const plan = batchLoopRewrite(program, bl, false);
  const B = bl.batch.value ?? opts.defaultBatch;
  const registers = new Set((bl.vertical?.intermediates ?? []).filter(i => !i.live).map(i => i.key));
  const perItem = sequenceTraffic(bl.launches, opts);
  const fusedItem = fusedTraffic(bl.launches, registers, opts, 'batched');
  const before: Traffic[] = [];
  for (let b = 0; b < B; b++) before.push(...perItem);
  const after: Traffic[] = [mergedTraffic(Array.from({ length: B }, () => fusedItem), 'batched')];
  const { n, known } = launchElements(bl.launches[0], opts);
  const facts: string[] = [];
  facts.push(bl.batch.value !== undefined ? `${fmtCount(B)} items (loop bound \`${bl.batch.expr}\`)` : `loop bound \`${bl.batch.expr}\` not known in the code: assumed ${fmtCount(B)} items (annotate \`// fusion-lens: ${firstSymbol(bl.batch.expr)}=...\`)`);
  facts.push(known ? `${fmtCount(n)} elements per item (\`${bl.launches[0].space.expr}\`)` : `elements per item unknown: assumed ${fmtCount(n)}`);
  facts.push(`per item ${fmtBytes(perItem.reduce((s, t) => s + t.bytes, 0))} moved by ${bl.launches.length} launch${bl.launches.length > 1 ? 'es' : ''}${bl.vertical ? `, ${fmtBytes(fusedItem.bytes)} once the chain is fused` : ''}`);
  const blocks = gridBlocks(bl.launches[0], n);
  if (blocks !== undefined) {
    const total = blocks * B;
    const perSm = 2048 / Math.max(32, blockSize(bl.launches[0]) ?? 256);
    const waves = total / (profile.smCount.value * perSm);
    facts.push(`one item launches ${fmtCount(blocks)} block${blocks === 1 ? '' : 's'}: ${waves >= 1 ? `the batched launch of ${fmtCount(total)} blocks fills the ${profile.smCount.value} SMs ${waves.toFixed(1)} times` : `even the batched launch (${fmtCount(total)} blocks) fills only ${Math.round(waves * 100)}% of the ${profile.smCount.value} SMs`}`);
  }
  const est = estimate({ before, after, workingSetBytes: workingSet(bl.launches, opts) * B, elements: n * B, sizeKnown: known && bl.batch.value !== undefined, facts }, profile);
  const chain = bl.launches.map(l => `\`${l.callee}\``).join(' → ');
  const message = `Loop launches ${chain} once per item${bl.batch.value !== undefined ? ` (${fmtCount(B)} items)` : ''}: one batched launch saves ${fmtCount(est.launchesBefore - 1)} launch${est.launchesBefore - 1 === 1 ? '' : 'es'}${bl.vertical ? ' and fuses the chain' : ''}, ~${est.speedup}× on ${shortGpu(profile)}${bl.batch.value === undefined ? ` with ${B} items assumed` : ''}`;
  const first = bl.launches[0];
  const f: Finding = {
    rule: 'FL020',
    ruleName: 'batched-loop',
    kind: 'horizontal',
    severity: 'warning',
    message,
    file: program.file,
    span: first.span,
    range: toRange(lines, first.span),
    launches: bl.launches.map(l => launchRef(lines, l)),
    estimate: est,
    fixable: plan.ok,
    fixUnavailable: plan.ok ? undefined : plan.reason,
    notes: plan.ok && !plan.byValue ? ['per-item arguments go through a device array (the batch size is not a compile-time constant, or the struct exceeds the 4 KB parameter limit)'] : [],
  };
  if (withFix && plan.ok) f.fix = batchedLoopFix(program, bl, lines);
  return f;
}

export function batchedLoopFix(program: CudaProgram, bl: BatchLoop, lines: LineIndex): Fix | undefined {
  const r = batchLoopRewrite(program, bl, true);
  if (!r.ok) return undefined;
  return {
    title: `Launch ${bl.launches.map(l => l.callee).join(' → ')} once for all items (\`${r.kernelName}\`)`,
    edits: r.edits.map(e => ({ file: program.file, span: e.span, range: toRange(lines, e.span), newText: e.newText })),
  };
}

function gridBlocks(l: LaunchNode, n: number): number | undefined {
  const d = l.frontend as CudaLaunchData;
  if (d.config.grid.value !== undefined) return d.config.grid.value;
  const bs = blockSize(l);
  return bs ? Math.ceil(n / bs) : undefined;
}

function blockSize(l: LaunchNode): number | undefined {
  return (l.frontend as CudaLaunchData).config.block.value;
}

function firstSymbol(expr: string): string {
  const m = /[A-Za-z_]\w*/.exec(expr);
  return m ? m[0] : 'B';
}
