// CUDA Graph capture of a launch-bound loop body (FL022): when the launches of a loop cannot be
// fused (a stencil, a reduction) but each is so small that the launch overhead dominates, capturing
// them once in a CUDA Graph and replaying it per iteration cuts each launch to a graph node.
// Legal when every launch argument and configuration is the same on every iteration (the graph
// freezes them), all launches run on one explicit stream (the legacy default stream cannot be
// captured), and the loop body does nothing else on the device.

import type { LaunchNode, LoopInfo, Sequence } from '../core/ir';
import type { CudaLaunchData } from '../cuda/hostSequence';
import { isEvent } from './types';

export interface GraphLoop {
  seq: Sequence;
  loop: LoopInfo;
  launches: LaunchNode[];
  stream: string;
  /** Why a fix is withheld although capture is legal. */
  fixBlocker?: string;
}

export function planGraphLoops(seqs: Sequence[], fusedLaunchStarts: Set<number>): GraphLoop[] {
  const out: GraphLoop[] = [];
  for (const seq of seqs) {
    if (!seq.loop) continue;
    const launches = seq.items.filter((i): i is LaunchNode => i.type === 'launch');
    if (launches.length < 2) continue;
    // vertical fusion or batching is the better fix: leave loops they already cover
    if (launches.some(l => fusedLaunchStarts.has(l.span.start))) continue;
    if (launches.some(l => l.traits.opaque)) continue;
    // a loop of empty kernels measures launch overhead: that is its point
    if (launches.every(l => l.traits.empty)) continue;
    const blocked = seq.items.some(it => isEvent(it) && (it.sync || it.kind !== 'assign' || it.reads === '*' || it.writes === '*'));
    if (blocked) continue;
    const stream = launches[0].stream;
    if (launches.some(l => l.stream !== stream)) continue;
    const variant = launches.find(l => {
      const d = l.frontend as CudaLaunchData;
      return [d.config.grid, d.config.block, d.config.shmem, d.config.stream, ...d.args].some(a => a?.variant);
    });
    if (variant) continue;
    let fixBlocker: string | undefined;
    if (stream === '0') fixBlocker = 'the launches use the legacy default stream, which cannot be captured; launch them on a stream of your own';
    else if (launches.some(l => !(l.frontend as CudaLaunchData).standalone)) fixBlocker = 'a launch is part of a larger statement';
    out.push({ seq, loop: seq.loop, launches, stream, fixBlocker });
  }
  return out;
}
