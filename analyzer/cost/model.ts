// Cost model (DESIGN.md, "Cost model"): per launch, bytes moved and a roofline time with a floor
// of one back-to-back launch interval; per sequence, one submit latency plus the launches.
//
//   t_kernel = max(L, ramp + max(bytes / BW, flops / peak))      BW = L2 or DRAM
//   t_seq    = submit latency + sum of t_kernel
//
// L is the measured back-to-back launch cost, `ramp` the fixed cost of filling and draining the
// GPU. The working set decides the level: when all buffers of the sequence fit in half of L2
// (it is split in two partitions on Hopper) repeated traffic is served from L2.

import type { Estimate } from '../core/finding';
import type { GpuProfile } from './profiles';

export interface Traffic {
  callee: string;
  bytes: number;
  flops: number;
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
}

export type Level = 'dram' | 'l2';

export function levelOf(workingSetBytes: number, p: GpuProfile): Level {
  return workingSetBytes <= p.l2Bytes.value / 2 ? 'l2' : 'dram';
}

export function kernelTimeUs(t: Traffic, p: GpuProfile, level: Level): { us: number; bound: 'memory' | 'launch' | 'compute' } {
  const bw = (level === 'l2' ? p.l2BandwidthGBs.value : p.effectiveBandwidthGBs.value) * 1e3; // bytes per us
  const mem = t.bytes / bw;
  const comp = t.flops / (p.fp32Tflops.value * 1e6);
  const work = p.kernelRampUs.value + Math.max(mem, comp);
  if (p.launchOverheadUs.value >= work) return { us: p.launchOverheadUs.value, bound: 'launch' };
  return { us: work, bound: comp > mem ? 'compute' : 'memory' };
}

export function sequenceTimeUs(ts: Traffic[], p: GpuProfile, level: Level): { us: number; bound: 'memory' | 'launch' } {
  let us = p.submitLatencyUs.value;
  let launchBound = 0;
  for (const t of ts) {
    const k = kernelTimeUs(t, p, level);
    us += k.us;
    if (k.bound === 'launch') launchBound++;
  }
  return { us, bound: launchBound * 2 > ts.length ? 'launch' : 'memory' };
}

export function estimate(input: CostInput, p: GpuProfile): Estimate {
  const level = levelOf(input.workingSetBytes, p);
  const before = sequenceTimeUs(input.before, p, level);
  const after = sequenceTimeUs(input.after, p, level);
  const bytesBefore = sum(input.before.map(t => t.bytes));
  const bytesAfter = sum(input.after.map(t => t.bytes));
  const assumptions = [...input.facts];
  assumptions.push(
    level === 'l2'
      ? `working set ${fmtBytes(input.workingSetBytes)} fits in half of the ${fmtBytes(p.l2Bytes.value)} L2: traffic at L2 speed, ${fmtBw(p.l2BandwidthGBs.value)} (${p.l2BandwidthGBs.source})`
      : `working set ${fmtBytes(input.workingSetBytes)} exceeds half of the ${fmtBytes(p.l2Bytes.value)} L2: DRAM at ${fmtBw(p.effectiveBandwidthGBs.value)} effective (${p.effectiveBandwidthGBs.measured ? 'measured' : 'assumed'}: ${p.effectiveBandwidthGBs.source})`,
    `${p.launchOverheadUs.value} µs per back-to-back launch (${p.launchOverheadUs.measured ? 'measured' : 'assumed'}: ${p.launchOverheadUs.source})`,
    `plus ${p.kernelRampUs.value} µs to fill and drain the GPU per kernel and ${p.submitLatencyUs.value} µs submit latency per sequence (fitted, research/gpu-calibration.md)`,
  );
  if (input.before.some(t => kernelTimeUs(t, p, level).bound === 'compute')) {
    assumptions.push(`arithmetic is a rough operator count against ${p.fp32Tflops.value} TFLOP/s FP32 (${p.fp32Tflops.source})`);
  }
  const sizeKnown = input.sizeKnown;
  const round = (x: number) => Math.round(x * 100) / 100;
  return {
    gpu: p.id,
    gpuName: p.name,
    bytesBefore,
    bytesAfter,
    launchesBefore: input.before.length,
    launchesAfter: input.after.length,
    timeBeforeUs: round(before.us),
    timeAfterUs: round(after.us),
    speedup: round(before.us / after.us),
    elements: input.elements,
    sizeKnown,
    bytesPerElementBefore: input.elements ? round(bytesBefore / input.elements) : 0,
    bytesPerElementAfter: input.elements ? round(bytesAfter / input.elements) : 0,
    boundBefore: before.bound,
    boundAfter: after.bound,
    assumptions,
  };
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
  return s.replace(/\.0+$/, '').replace(/(\.\d*[1-9])0+$/, '$1');
}

/**
 * Steady-state time of one iteration whose launches are replayed as a CUDA Graph: each node costs
 * at least the measured graph-node time, else half the fill/drain ramp plus its memory time; the
 * replay as a whole is never cheaper than one launch. Fitted to the graph rows of
 * research/anchors.md 6.2 (H100: 3 small kernels 3.1 µs, 1 M elements 10.7 µs).
 */
export function graphIterationUs(ts: Traffic[], p: GpuProfile, level: Level): number {
  const bw = (level === 'l2' ? p.l2BandwidthGBs.value : p.effectiveBandwidthGBs.value) * 1e3;
  let nodes = 0;
  for (const t of ts) nodes += Math.max(p.graphNodeUs.value, p.kernelRampUs.value / 2 + Math.max(t.bytes / bw, t.flops / (p.fp32Tflops.value * 1e6)));
  return Math.max(p.launchOverheadUs.value, nodes);
}

/** Steady-state time of one loop iteration that launches `ts` back to back (no submit latency). */
export function launchIterationUs(ts: Traffic[], p: GpuProfile, level: Level): number {
  return ts.reduce((s, t) => s + kernelTimeUs(t, p, level).us, 0);
}
