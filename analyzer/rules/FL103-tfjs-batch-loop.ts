// FL103 tfjs-batch-loop: the same elementwise op applied to each tensor of a collection (a loop or
// `.map`) runs one small GPU program per tensor; one op over `tf.stack(tensors)` runs one. Worth it
// when the tensors are small (dispatch-bound). Fix only for `xs.map(x => tf.op(x))` over tensors of
// one known shape: `tf.unstack(tf.op(tf.stack(xs)))` computes the same values element for element.

import type { Finding } from '../core/finding';
import type { LaunchNode } from '../core/ir';
import type { LineIndex, Span } from '../core/text';
import type { GpuProfile } from '../cost/profiles';
import { estimate, fmtCount } from '../cost/model';
import { sequenceTraffic, type SizeOptions } from '../cost/traffic';
import type { TsProgram } from '../ts/frontend';
import type { TFunction, TLoopOp } from '../ts/model';
import { dimsText } from '../ts/toIr';
import { launchRef, toRange } from './findingUtil';
import { batchedTraffic, copyTraffic, gpuLabel } from '../ts/cost';

/** Trip count assumed when neither the loop nor the array says. */
export const ASSUMED_TRIP_COUNT = 16;

export function batchLoopFinding(program: TsProgram, fn: TFunction, loop: TLoopOp[], launches: LaunchNode[], profile: GpuProfile, profileFacts: string[], opts: SizeOptions, lines: LineIndex): Finding | undefined {
  const first = loop[0];
  const trip = first.tripCount ?? ASSUMED_TRIP_COUNT;
  const facts = [...profileFacts];
  facts.push(first.tripCount !== undefined ? `${trip} iterations (${first.tripFrom})` : `trip count unknown: assumed ${ASSUMED_TRIP_COUNT}`);
  const known = launches.every(l => l.space.value !== undefined);
  const n = launches[0].space.value ?? opts.defaultElements;
  facts.push(known ? `${fmtCount(n)} elements per tensor (shape ${launches[0].space.expr})` : `tensor shape unknown: assumed ${fmtCount(n)} elements (annotate \`// fusion-lens: x=[…]\`)`);
  facts.push('after: tf.stack copies the tensors into one (1 program), each op runs once over the batch, tf.unstack along axis 0 returns views (assumed: contiguous slices are shallow on the WebGL backend)');
  const per = sequenceTraffic(launches, opts);
  const before = Array.from({ length: trip }, () => per).flat();
  const bytesPer = per.reduce((s, t) => s + t.bytes, 0);
  const inBytes = n * 4 * trip;
  const after = [copyTraffic('stack', inBytes, inBytes, n * trip, false), ...per.map(t => batchedTraffic(t, trip))];
  const est = estimate({ before, after, workingSetBytes: bytesPer * trip, elements: n * trip, sizeKnown: known && first.tripCount !== undefined, facts }, profile);
  if (est.speedup < 1.05) return undefined;
  const ops = launches.map(l => l.callee).join(' → ');
  const gpu = gpuLabel(profile, program.backend);
  const elemText = first.mapCall?.elemDims ? ` of shape ${dimsText(first.mapCall.elemDims)}` : '';
  const message = `${ops} runs once per tensor${elemText} (${trip}${first.tripCount === undefined ? ' assumed' : ''} × ${launches.length} GPU program${launches.length > 1 ? 's' : ''}): one batched op over tf.stack(…) needs ${est.launchesAfter}, ~${est.speedup}× on ${gpu}`;
  const fixable = program.backend !== 'node' && first.mapCall && first.mapCall.elemDims && loop.length === 1 && first.mapCall.extraArgs.every(a => /^-?[\d.]+(e-?\d+)?$/.test(a.trim()));
  const op = fn.ops[first.op];
  const ns = op.fusedRef?.endsWith('.fused') ? op.fusedRef.slice(0, -'.fused'.length) : undefined;
  let fix: Finding['fix'];
  let fixUnavailable: string | undefined;
  if (fixable && ns) {
    const mc = first.mapCall!;
    const extra = mc.extraArgs.length ? `, ${mc.extraArgs.join(', ')}` : '';
    const newText = `${ns}.unstack(${ns}.${op.op}(${ns}.stack(${mc.arrayText})${extra}))`;
    const span: Span = { ...mc.span };
    fix = { title: `Apply ${op.op} once to tf.stack(${mc.arrayText})`, edits: [{ file: program.file, span, range: toRange(lines, span), newText }] };
  } else {
    fixUnavailable = !first.mapCall
      ? 'only `xs.map(x => tf.op(x))` is rewritten automatically'
      : !first.mapCall.elemDims
        ? 'tf.stack needs every tensor to have the same shape, which the code does not show (the array\'s elements are not all created with one literal shape)'
        : !ns ? 'no tf namespace is in scope for tf.stack' : 'the op has arguments other than numbers';
  }
  return {
    rule: 'FL103',
    ruleName: 'tfjs-batch-loop',
    kind: 'horizontal',
    severity: 'info',
    message,
    file: program.file,
    span: { ...launches[0].span },
    range: toRange(lines, launches[0].span),
    launches: launches.map(l => launchRef(lines, l)),
    estimate: est,
    fixable: !!fix,
    fix,
    fixUnavailable,
    notes: [],
  };
}
