// Cost inputs for WebGPU findings: the shared model (cost/model.ts, cost/traffic.ts) with a browser
// GPU profile whose launch cost is its measured-or-cited WebGPU per-dispatch cost, and the facts an
// estimate rests on (element counts and where they come from, element types, dispatch cost).

import type { LaunchNode } from '../core/ir';
import type { CostInput } from '../cost/model';
import { fmtCount } from '../cost/model';
import { DEFAULT_BROWSER_GPU, findProfile, type GpuProfile } from '../cost/profiles';
import { fusedTraffic, sequenceTraffic, workingSet, type SizeOptions } from '../cost/traffic';
import { shortGpu } from '../rules/FL001-vertical';
import type { WgLaunchData } from './toIr';

export interface WebGpuProfile {
  profile: GpuProfile;
  facts: string[];
}

/**
 * The profile of a WebGPU estimate: a browser GPU (analyzer/cost/browser-gpus.json) with its
 * per-dispatch WebGPU cost as the launch cost. A CUDA card in the setting falls back to the default
 * laptop GPU, and the estimate says so.
 */
export function webgpuProfile(gpu: string): WebGpuProfile {
  const facts: string[] = [];
  let base = findProfile(gpu);
  if (!base?.dispatchUs) {
    base = findProfile(DEFAULT_BROWSER_GPU)!;
    facts.push(`the GPU setting (\`${gpu}\`) is not a browser GPU: WebGPU estimated on ${base.name} (set fusionLens.gpu / --gpu to iris-xe, radeon-780m, apple-m1, rtx3050-laptop or rtx4060-laptop)`);
  }
  const d = base.dispatchUs!.webgpu;
  facts.push(`WebGPU: ${d.value} µs per dispatch (${d.measured ? 'measured' : 'assumed'}: ${d.source}); the profile's submit latency ${base.submitLatencyUs.value} µs is paid once per sequence`);
  return { profile: { ...base, launchOverheadUs: d }, facts };
}

export function gpuLabel(p: GpuProfile): string {
  return `${shortGpu(p)} (WebGPU)`;
}

/** Facts about element counts and types of a group of dispatches. */
export function sizeFacts(members: LaunchNode[], opts: SizeOptions): { facts: string[]; known: boolean; n: number } {
  const first = members[0];
  const g = (first.frontend as WgLaunchData).geometry;
  const known = members.every(m => m.space.value !== undefined);
  const n = first.space.value ?? opts.defaultElements;
  const facts: string[] = [];
  const from = g.guard ? `the bounds check against \`${g.guard.text}\`` : g.threads ? `the dispatch: ${(first.frontend as WgLaunchData).dispatch.argsText[0]} workgroups × ${g.wg?.[0]}` : 'the dispatch';
  if (known) facts.push(`${fmtCount(n)} elements per dispatch (${from}; buffer sizes from createBuffer and typed-array lengths)`);
  else {
    const sym = /[A-Za-z_$][\w$]*/.exec(first.space.expr)?.[0] ?? 'n';
    facts.push(`element count \`${first.space.expr}\` (${from}) is not known in the code: assumed ${fmtCount(n)} (setting fusionLens.defaultProblemSize, or annotate \`// fusion-lens: ${sym}=...\`)`);
  }
  const types = new Map<string, number | undefined>();
  for (const m of members) for (const u of m.uses) if (u.param !== 'indirect') types.set(u.elemType, u.elemBytes);
  if (types.size) facts.push(`element types: ${[...types].map(([t, b]) => `\`${t}\` = ${b ?? 4} B`).join(', ')}`);
  return { facts, known, n };
}

export function groupCost(members: LaunchNode[], registerKeys: Set<string>, opts: SizeOptions, fusedName: string, facts: string[]): CostInput {
  const s = sizeFacts(members, opts);
  return {
    before: sequenceTraffic(members, opts),
    after: [fusedTraffic(members, registerKeys, opts, fusedName)],
    workingSetBytes: workingSet(members, opts),
    elements: s.n,
    sizeKnown: s.known,
    facts: [...s.facts, ...facts],
  };
}
