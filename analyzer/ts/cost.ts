// Cost inputs for TF.js findings, built from the shared IR with cost/traffic.ts, plus the facts an
// estimate rests on (shapes and where they came from, backend, per-op dispatch cost).

import type { LaunchNode } from '../core/ir';
import type { CostInput, Traffic } from '../cost/model';
import { fmtBytes, fmtCount } from '../cost/model';
import type { Estimate } from '../core/finding';
import { shortGpu } from '../rules/FL001-vertical';
import { findProfile, DEFAULT_BROWSER_GPU, type GpuProfile } from '../cost/profiles';
import { fusedTraffic, sequenceTraffic, workingSet, type SizeOptions } from '../cost/traffic';
import type { TfBackend } from './frontend';
import type { TsLaunchData } from './toIr';
import { dtypeBytes } from './ops';

export interface TsProfile {
  profile: GpuProfile;
  facts: string[];
}

/**
 * The profile TF.js estimates use: a browser profile with the backend's per-op dispatch cost, or
 * the CUDA profile as is for tfjs-node. A CUDA card chosen for a browser program falls back to
 * the default laptop profile, and the estimate says so.
 */
export function tsProfile(gpu: string, backend: TfBackend, backendFrom: string): TsProfile {
  const chosen = findProfile(gpu);
  const facts: string[] = [];
  if (backend === 'node' && chosen && !chosen.dispatchUs) {
    facts.push(`TF.js on Node (${backendFrom}): each op is one TensorFlow C API call; its overhead is not measured here, the CUDA launch cost of the profile stands in for it`);
    return { profile: chosen, facts };
  }
  let base = chosen;
  if (!base?.dispatchUs) {
    base = findProfile(DEFAULT_BROWSER_GPU)!;
    facts.push(`the GPU setting (\`${gpu}\`) is not a browser GPU: TF.js estimated on ${base.name} (set fusionLens.gpu / --gpu to iris-xe, radeon-780m, apple-m1, rtx3050-laptop or rtx4060-laptop)`);
  }
  const b = backend === 'webgpu' ? 'webgpu' : 'webgl';
  const d = base.dispatchUs![b];
  facts.push(`TF.js ${b === 'webgpu' ? 'WebGPU' : 'WebGL'} backend (${backendFrom}${backend === 'cpu' || backend === 'wasm' ? `; the file selects ${backend}, estimated as WebGL` : ''}): one GPU program per op, ${d.value} µs each (${d.measured ? 'measured' : 'assumed'}: ${d.source})`);
  return { profile: { ...base, launchOverheadUs: d }, facts };
}

/** Facts about the element count and types of a group of TF.js launches. */
export function sizeFacts(members: LaunchNode[], opts: SizeOptions): { facts: string[]; known: boolean; n: number } {
  const known = members.every(m => m.space.value !== undefined);
  const last = members[members.length - 1];
  const n = last.space.value ?? opts.defaultElements;
  const facts: string[] = [];
  if (known) {
    const d = last.frontend as TsLaunchData;
    const out = d.fn.values[d.op.out];
    facts.push(`${fmtCount(n)} elements per op (shape ${last.space.expr}${out.shapeFrom ? `, from ${out.shapeFrom}` : ''})`);
  } else {
    const unknown = members.flatMap(m => m.uses).find(u => u.access === 'read' && u.elements === undefined);
    const name = unknown ? unknown.buffer.name : 'x';
    facts.push(`shapes unknown in the code: assumed ${fmtCount(n)} elements per op (setting fusionLens.defaultProblemSize, or annotate \`// fusion-lens: ${/^[A-Za-z_$][\w$]*$/.test(name) ? name : 'x'}=[…] float32\`)`);
  }
  const types = new Set<string>();
  const hidden = new Set<string>();
  for (const m of members) {
    for (const u of m.uses) {
      types.add(u.elemType);
      if (u.elements?.value === 0) hidden.add(`\`${u.buffer.name}\``);
    }
  }
  facts.push(`element types: ${[...types].map(t => `\`${t}\` = ${dtypeBytes(t) ?? 4} B`).join(', ')}`);
  if (hidden.size) facts.push(`inputs of unknown shape (${[...hidden].join(', ')}) are not counted: they are read the same before and after`);
  return { facts, known, n };
}

export function groupCost(members: LaunchNode[], registerKeys: Set<string>, opts: SizeOptions, fusedName: string, facts: string[], after?: Traffic[]): CostInput {
  const s = sizeFacts(members, opts);
  return {
    before: sequenceTraffic(members, opts),
    after: after ?? [fusedTraffic(members, registerKeys, opts, fusedName)],
    workingSetBytes: workingSet(members, opts),
    elements: s.n,
    sizeKnown: s.known,
    facts: [...s.facts, ...facts],
  };
}

/** "RTX 4060 Laptop GPU (WebGPU)": the GPU and, for browser profiles, the backend. */
export function gpuLabel(profile: GpuProfile, backend: TfBackend): string {
  return `${shortGpu(profile)}${profile.dispatchUs ? ` (${backend === 'webgpu' ? 'WebGPU' : 'WebGL'})` : ''}`;
}

/** What a finding saves: bytes when the size is known, bytes per element otherwise. */
export function savedText(est: Estimate, perWhat: string): string {
  const saved = est.bytesBefore - est.bytesAfter;
  const pct = est.bytesBefore ? Math.round((100 * saved) / est.bytesBefore) : 0;
  return est.sizeKnown ? `${fmtBytes(saved)} of memory traffic (${pct}%)` : `${Math.round((est.bytesPerElementBefore - est.bytesPerElementAfter) * 10) / 10} B per ${perWhat} (${pct}%)`;
}

/** A launch's traffic `k` times over, as one launch (one op over a batch of `k` tensors). */
export function batchedTraffic(t: Traffic, k: number): Traffic {
  return { ...t, bytes: t.bytes * k, flops: t.flops * k, threads: t.threads * k, parts: t.parts.map(p => ({ ...p, bytes: p.bytes * k })) };
}

/** An elementwise program that reads `readBytes` and writes `writeBytes` over `threads` elements. */
export function copyTraffic(callee: string, readBytes: number, writeBytes: number, threads: number, producedInput: boolean): Traffic {
  return {
    callee, bytes: readBytes + writeBytes, flops: threads, threads, cooperative: false,
    parts: [{ bytes: readBytes, width: 4, read: true, produced: producedInput }, { bytes: writeBytes, width: 4, read: false, produced: false }],
  };
}
