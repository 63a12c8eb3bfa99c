// Cost model (DESIGN.md, "Cost model"), fitted to measurements (bench/gpu, docs/benchmarks.md):
//
//   t_kernel = max(L, ramp + max(t_mem, t_compute))                        one launch
//   t_mem    = sum over accesses of bytes / BW(level, access width)       per buffer access
//              (at least one DRAM latency per wave of threads when it reads DRAM)
//   t_seq    = submit latency + sum of t_kernel                            a launch sequence
//
// L is the back-to-back launch cost, `ramp` the fixed cost of running a kernel (filling the GPU,
// first memory round trips, draining). Bandwidth depends on where the bytes are and on how wide each
// thread's access is: one-byte loads reach a fifth of what 16-byte loads do (measured, H200).
// Data a kernel reads that an earlier kernel of the same sequence produced comes from L2 when the
// sequence's working set fits in half of L2 (it is split in two partitions on Hopper); inputs come
// from DRAM. Kernels that cooperate across threads (shared-memory trees, barriers) reach only a
// fraction of the bandwidth (fitted).

import type { Estimate } from '../core/finding';
import type { GpuProfile } from './profiles';

export interface TrafficPart {
  bytes: number;
  /** Bytes per thread access (1 for uchar, 4 for float, 16 for float4; a float3 is three 4-byte accesses). */
  width: number;
  read: boolean;
  /** Data produced by an earlier launch of the same sequence: in L2 when the working set fits. */
  produced: boolean;
}

export interface Traffic {
  callee: string;
  bytes: number;
  flops: number;
  parts: TrafficPart[];
  /** Threads the launch runs (its iteration space), for the wave count. */
  threads: number;
  cooperative: boolean;
}

export interface CostInput {
  before: Traffic[];
  after: Traffic[];
  /** Bytes of distinct buffers touched by the unfused sequence. */
  workingSetBytes: number;
  elements: number;
  sizeKnown: boolean;
  /** Human-readable facts from the frontend (size origin, element types, kept stores). */
  facts: string[];
  /** Host-side time of each version beyond its launches (library calls that synchronize). */
  hostUs?: { before: number; after: number };
}

export type Level = 'dram' | 'l2';

/** Whether the working set stays in L2 between the launches of a sequence. */
export function fitsL2(workingSetBytes: number, p: GpuProfile): boolean {
  return workingSetBytes <= p.l2Bytes.value / 2;
}

/** @deprecated-compatible alias used by hover: 'l2' when the working set fits. */
export function levelOf(workingSetBytes: number, p: GpuProfile): Level {
  return fitsL2(workingSetBytes, p) ? 'l2' : 'dram';
}

/** GB/s at a level for an access width, interpolated on log2(width) between measured widths. */
const widthsCache = new WeakMap<object, number[]>();

export function bandwidthGBs(p: GpuProfile, level: Level, width: number): number {
  const table = p.bandwidthByWidthGBs[level];
  let widths = widthsCache.get(table);
  if (!widths) widthsCache.set(table, widths = Object.keys(table).map(Number).sort((a, b) => a - b));
  const w = Math.min(widths[widths.length - 1], Math.max(widths[0], width));
  let lo = widths[0];
  for (const x of widths) if (x <= w) lo = x;
  const hi = widths.find(x => x >= w) ?? lo;
  if (hi === lo) return table[String(lo)];
  const f = (Math.log2(w) - Math.log2(lo)) / (Math.log2(hi) - Math.log2(lo));
  return table[String(lo)] * (1 - f) + table[String(hi)] * f;
}

/** A kernel whose inputs total less than this is taken to find them in L2 (recently written or read). */
export const SMALL_INPUT_BYTES = 1 << 20;

/** Bytes the kernel reads that no earlier kernel of the group produced in L2 (a loop: estimated per finding, often). */
function inputBytesOf(t: Traffic, fits: boolean): number {
  let bytes = 0;
  for (const x of t.parts) if (x.read && !(fits && x.produced)) bytes += x.bytes;
  return bytes;
}

export function memoryTimeUs(t: Traffic, p: GpuProfile, fits: boolean): number {
  let us = 0;
  let readsDram = false;
  const inputBytes = inputBytesOf(t, fits);
  for (const part of t.parts) {
    const inL2 = part.read ? (fits && part.produced) || inputBytes <= SMALL_INPUT_BYTES : fits;
    const level: Level = inL2 ? 'l2' : 'dram';
    if (level === 'dram' && part.read) readsDram = true;
    us += part.bytes / (bandwidthGBs(p, level, part.width) * 1e3);
  }
  if (t.cooperative) us /= p.cooperativeEfficiency.value;
  // a kernel that streams from DRAM pays the memory pipeline's fill once
  if (readsDram) us += p.dramFillUs.value;
  return us;
}

/**
 * DRAM bytes of a launch sequence: inputs are read from DRAM; data an earlier launch produced is
 * partly still in L2 (the last `l2RetainedBytes` it wrote); every write reaches DRAM, except what
 * is still dirty in L2 when the sequence ends. With the working set in L2, only inputs do.
 */
export function dramBytes(ts: Traffic[], p: GpuProfile, fits: boolean): number {
  const retained = p.l2Bytes.value * p.l2RetainedFraction.value;
  let bytes = 0;
  let lastWrites = 0;
  for (const t of ts) {
    const inputBytes = inputBytesOf(t, fits);
    lastWrites = 0;
    for (const part of t.parts) {
      if (part.read) {
        if (fits && part.produced) continue;
        if (inputBytes <= SMALL_INPUT_BYTES) continue;
        bytes += part.produced ? Math.max(0, part.bytes - retained) : part.bytes;
      } else {
        lastWrites += part.bytes;
        if (!fits) bytes += part.bytes;
      }
    }
  }
  return Math.max(0, bytes - (fits ? 0 : Math.min(retained, lastWrites)));
}

export function kernelTimeUs(t: Traffic, p: GpuProfile, fits: boolean): { us: number; bound: 'memory' | 'launch' | 'compute' } {
  const mem = memoryTimeUs(t, p, fits);
  const comp = t.flops / (p.fp32Tflops.value * 1e6);
  const work = p.kernelRampUs.value + Math.max(mem, comp);
  const us = Math.max(p.launchOverheadUs.value, work);
  // launch-bound: the fixed costs of a launch outweigh the work itself
  if (Math.max(mem, comp) < Math.max(p.launchOverheadUs.value, p.kernelRampUs.value)) return { us, bound: 'launch' };
  return { us, bound: comp > mem ? 'compute' : 'memory' };
}

export function sequenceTimeUs(ts: Traffic[], p: GpuProfile, fits: boolean): { us: number; bound: 'memory' | 'launch' } {
  let us = p.submitLatencyUs.value;
  let launchBound = 0;
  for (const t of ts) {
    const k = kernelTimeUs(t, p, fits);
    us += k.us;
    if (k.bound === 'launch') launchBound++;
  }
  return { us, bound: launchBound * 2 > ts.length ? 'launch' : 'memory' };
}

export function estimate(input: CostInput, p: GpuProfile): Estimate {
  const fits = fitsL2(input.workingSetBytes, p);
  const before = sequenceTimeUs(input.before, p, fits);
  const after = sequenceTimeUs(input.after, p, fits);
  if (input.hostUs) {
    before.us += input.hostUs.before;
    after.us += input.hostUs.after;
  }
  const bytesBefore = sum(input.before.map(t => t.bytes));
  const bytesAfter = sum(input.after.map(t => t.bytes));
  const assumptions = [...input.facts];
  const bw = p.bandwidthByWidthGBs;
  assumptions.push(
    fits
      ? `working set ${fmtBytes(input.workingSetBytes)} fits in half of the ${fmtBytes(p.l2Bytes.value)} L2: what one launch writes, the next reads from L2 (${fmtBw(bw.l2['4'])} for 4-byte accesses); inputs come from DRAM`
      : `working set ${fmtBytes(input.workingSetBytes)} exceeds half of the ${fmtBytes(p.l2Bytes.value)} L2: traffic at DRAM speed`,
    `DRAM ${fmtBw(bw.dram['1'])} / ${fmtBw(bw.dram['4'])} / ${fmtBw(bw.dram['16'])} for 1-, 4- and 16-byte accesses (${bw.measured ? 'measured' : 'derived'}: ${bw.source})`,
    `${p.launchOverheadUs.value} µs per back-to-back launch (${p.launchOverheadUs.measured ? 'measured' : 'assumed'}: ${p.launchOverheadUs.source})`,
    `${p.kernelRampUs.value} µs to run a kernel beyond its memory time and ${p.submitLatencyUs.value} µs submit latency per sequence (${p.kernelRampUs.source})`,
  );
  if ([...input.before, ...input.after].some(t => t.cooperative)) {
    assumptions.push(`kernels that cooperate across threads reach ${Math.round(p.cooperativeEfficiency.value * 100)}% of the bandwidth (${p.cooperativeEfficiency.source})`);
  }
  if (input.before.some(t => kernelTimeUs(t, p, fits).bound === 'compute')) {
    assumptions.push(`arithmetic is a rough operator count against ${p.fp32Tflops.value} TFLOP/s FP32 (${p.fp32Tflops.source})`);
  }
  const round = (x: number) => Math.round(x * 100) / 100;
  return {
    gpu: p.id,
    gpuName: p.name,
    bytesBefore,
    bytesAfter,
    dramBytesBefore: Math.round(dramBytes(input.before, p, fits)),
    dramBytesAfter: Math.round(dramBytes(input.after, p, fits)),
    launchesBefore: input.before.length,
    launchesAfter: input.after.length,
    timeBeforeUs: round(before.us),
    timeAfterUs: round(after.us),
    speedup: round(before.us / after.us),
    elements: input.elements,
    sizeKnown: input.sizeKnown,
    bytesPerElementBefore: input.elements ? round(bytesBefore / input.elements) : 0,
    bytesPerElementAfter: input.elements ? round(bytesAfter / input.elements) : 0,
    boundBefore: before.bound,
    boundAfter: after.bound,
    assumptions,
  };
}

/**
 * Steady-state time of one iteration whose launches are replayed as a CUDA Graph: each node costs
 * at least the measured graph-node time, else half the kernel ramp plus its memory time; the
 * replay as a whole is never cheaper than one launch (fitted, bench/gpu heat_graph).
 */
export function graphIterationUs(ts: Traffic[], p: GpuProfile, fits: boolean): number {
  let nodes = 0;
  for (const t of ts) nodes += Math.max(p.graphNodeUs.value, p.kernelRampUs.value / 2 + Math.max(memoryTimeUs(t, p, fits), t.flops / (p.fp32Tflops.value * 1e6)));
  return Math.max(p.launchOverheadUs.value, nodes);
}

/** Steady-state time of one loop iteration that launches `ts` back to back (no submit latency). */
export function launchIterationUs(ts: Traffic[], p: GpuProfile, fits: boolean): number {
  return ts.reduce((s, t) => s + kernelTimeUs(t, p, fits).us, 0);
}

function sum(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}

export function fmtBytes(b: number): string {
  if (b >= 1 << 30) return `${trim(b / (1 << 30))} GiB`;
  if (b >= 1 << 20) return `${trim(b / (1 << 20))} MiB`;
  if (b >= 1 << 10) return `${trim(b / (1 << 10))} KiB`;
  return `${Math.round(b)} B`;
}

export function fmtBw(gbs: number): string {
  return gbs >= 1000 ? `${trim(gbs / 1000)} TB/s` : `${trim(gbs)} GB/s`;
}

export function fmtUs(us: number): string {
  if (us >= 1000) return `${trim(us / 1000)} ms`;
  return `${trim(us)} µs`;
}

export function fmtCount(n: number): string {
  // same output as toLocaleString('en-US'), without the cost of Intl (hundreds of findings per file)
  return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

function trim(x: number): string {
  const s = x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2);
  if (s.indexOf('.') < 0) return s;
  // drop trailing zeros, then a bare point (without regular expressions: thousands of numbers per file)
  let e = s.length;
  while (s.charCodeAt(e - 1) === 48) e--;
  if (s.charCodeAt(e - 1) === 46) e--;
  return e === s.length ? s : s.slice(0, e);
}
