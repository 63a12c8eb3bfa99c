// Divergent horizontal fusion (FL021): consecutive launches of different kernels with no data
// dependence either way can share one launch, each block running one of the original bodies
// (blocks [0, g1) the first kernel, the next g2 blocks the second, ...). Worth it when the
// launches are small: it removes launch overhead and lets the kernels run concurrently.

import type { LaunchNode, Sequence } from '../core/ir';
import type { CudaLaunchData } from '../cuda/hostSequence';
import type { KernelSummary } from '../cuda/kernelSummary';
import { Tok, type Tokens } from '../cuda/lexer';
import { isEvent, readsOf, writesOf } from './types';

export interface IndependentGroup {
  seq: Sequence;
  launches: LaunchNode[];
  /** Why a fix is withheld although the launches look independent. */
  fixBlocker?: string;
}

const MAX_KERNELS = 8;

export function planIndependentLaunches(seqs: Sequence[], taken: Set<number>): IndependentGroup[] {
  const out: IndependentGroup[] = [];
  for (const seq of seqs) {
    let run: LaunchNode[] = [];
    const flush = () => {
      if (run.length >= 2) out.push(check(seq, run));
      run = [];
    };
    for (const it of seq.items) {
      if (isEvent(it)) {
        // only bookkeeping may sit between the launches of a group
        if (it.kind === 'assign' && !it.sync && it.reads !== '*' && it.writes !== '*' && !it.reads.length && !it.writes.length && !run.some(l => l.varsRead.some(v => it.assigns.includes(v.split('@')[0])))) continue;
        flush();
        continue;
      }
      // kernels with observable effects keep their order; empty ones are markers or benchmarks
      if (taken.has(it.span.start) || it.traits.opaque || it.traits.effects || it.traits.empty || !eligible(it)) { flush(); continue; }
      if (run.length && (it.stream !== run[0].stream || run.length >= MAX_KERNELS || run.some(l => dependent(l, it)))) flush();
      run.push(it);
    }
    flush();
  }
  return out;
}

/** One-dimensional grid and blocks, kernel body visible, does not read the grid's y or z. */
function eligible(l: LaunchNode): boolean {
  const k = (l.frontend as CudaLaunchData).kernel;
  if (!k) return false;
  // a property of the kernel's body (kept per summary: a kernel is launched many times)
  let r = oneDimensional.get(k);
  if (r === undefined) oneDimensional.set(k, (r = !readsYOrZ(k.tokens, k.decl.bodyOpen, k.decl.bodyClose >= 0 ? k.decl.bodyClose : k.decl.end)));
  return r;
}
const oneDimensional = new WeakMap<KernelSummary, boolean>();

/** `blockIdx.y`, `gridDim.z`, `threadIdx.y`, `blockDim.z` and the like in tokens [a, b). */
function readsYOrZ(t: Tokens, a: number, b: number): boolean {
  for (let i = a; i < b; i++) {
    if (t.kinds[i] !== Tok.Ident || !t.is(i + 1, '.') || !(t.is(i + 2, 'y') || t.is(i + 2, 'z'))) continue;
    if (t.is(i, 'blockIdx') || t.is(i, 'gridDim') || t.is(i, 'threadIdx') || t.is(i, 'blockDim')) return true;
  }
  return false;
}

function dependent(a: LaunchNode, b: LaunchNode): boolean {
  const wa = writesOf(a);
  const wb = writesOf(b);
  const ra = readsOf(a);
  const rb = readsOf(b);
  for (const k of wa) if (rb.has(k) || wb.has(k)) return true;
  for (const k of wb) if (ra.has(k)) return true;
  return false;
}

function check(seq: Sequence, launches: LaunchNode[]): IndependentGroup {
  const g: IndependentGroup = { seq, launches };
  const datas = launches.map(l => l.frontend as CudaLaunchData);
  const blockText = (d: CudaLaunchData) => d.config.block.value !== undefined ? String(d.config.block.value) : d.config.block.text.replace(/\s+/g, '');
  if (datas.some(d => blockText(d) !== blockText(datas[0]))) g.fixBlocker = 'the launches use different block sizes; one launch has one block size';
  else if (datas.some(d => d.config.shmem && d.config.shmem.value !== 0)) g.fixBlocker = 'a launch uses dynamic shared memory';
  else if (launches.slice(0, -1).some(l => !(l.frontend as CudaLaunchData).standalone)) g.fixBlocker = 'a launch is part of a larger statement';
  else if (datas.some(d => d.kernel!.templateParams.length && !d.templateArgs)) g.fixBlocker = 'template arguments are deduced; write them explicitly';
  // buffers that might overlap make "independent" unprovable
  const bufs = launches.flatMap(l => l.uses.map(u => ({ l, u })));
  for (let i = 0; i < bufs.length && !g.fixBlocker; i++) {
    for (let j = i + 1; j < bufs.length; j++) {
      const x = bufs[i], y = bufs[j];
      if (x.l === y.l || x.u.buffer.key === y.u.buffer.key) continue;
      if (x.u.access === 'read' && y.u.access === 'read') continue;
      const distinct = (x.u.buffer.provenance === 'allocation' || x.u.buffer.provenance === 'restrict-param') && (y.u.buffer.provenance === 'allocation' || y.u.buffer.provenance === 'restrict-param');
      if (!distinct) { g.fixBlocker = `\`${x.u.buffer.name}\` and \`${y.u.buffer.name}\` may point into the same memory`; break; }
    }
  }
  return g;
}
