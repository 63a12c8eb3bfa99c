// GPU profiles (data in gpus.json, each number with its source).

import data from './gpus.json';
import browser from './browser-gpus.json';

export interface Sourced {
  value: number;
  source: string;
  measured?: boolean;
}

export interface GpuProfile {
  id: string;
  name: string;
  aliases: string[];
  dramBandwidthGBs: Sourced;
  effectiveBandwidthGBs: Sourced;
  l2Bytes: Sourced;
  l2BandwidthGBs: Sourced;
  smCount: Sourced;
  fp32Tflops: Sourced;
  launchOverheadUs: Sourced;
  submitLatencyUs: Sourced;
  kernelRampUs: Sourced;
  graphNodeUs: Sourced;
  /** Read+write bandwidth of a one-thread-per-element kernel by access width (bytes), per level. */
  bandwidthByWidthGBs: { dram: Record<string, number>; l2: Record<string, number>; measured?: boolean; source: string };
  /** A kernel that streams its inputs from DRAM pays this once (the memory pipeline fills). */
  dramFillUs: Sourced;
  /** Fraction of L2 still holding what the last launch wrote when the next one starts. */
  l2RetainedFraction: Sourced;
  /** Fraction of the bandwidth kernels that cooperate across threads reach. */
  cooperativeEfficiency: Sourced;
  /** Host time of one Thrust call beyond its kernels: it synchronizes its stream before returning. CUDA profiles only (see thrustCosts). */
  thrustCallUs?: Sourced;
  /** A Thrust reduction or scan also allocates and frees temporary storage (and a reduction copies its result back). */
  thrustTempUs?: Sourced;
  /** Absent for the CUDA profiles of gpus.json; browser-gpus.json marks laptop GPUs. */
  kind?: 'laptop-integrated' | 'laptop-discrete';
  /** Per-op cost of TensorFlow.js on each browser backend (browser-gpus.json). */
  dispatchUs?: { webgl: Sourced; webgpu: Sourced };
}

export const PROFILES: readonly GpuProfile[] = [...(data as { profiles: GpuProfile[] }).profiles, ...(browser as { profiles: GpuProfile[] }).profiles];
/** The profile TF.js estimates use when the GPU setting names a CUDA card. */
export const DEFAULT_BROWSER_GPU = 'iris-xe';
export const DEFAULT_GPU = 'h100';

/** Finds a profile by id, name or alias (case-insensitive); undefined when unknown. */
export function findProfile(name: string): GpuProfile | undefined {
  const n = name.trim().toLowerCase();
  return PROFILES.find(p => p.id === n || p.name.toLowerCase() === n || p.aliases.includes(n));
}

export function profileIds(): string[] {
  return PROFILES.map(p => p.id);
}

/**
 * The profile CUDA estimates use. The browser profiles carry WebGL/WebGPU per-op costs, which do
 * not apply to CUDA launches: an NVIDIA laptop card keeps its bandwidth figures with the native
 * launch and graph-node costs measured on the default card standing in; a GPU that cannot run
 * CUDA falls back to the default card. `note` says which, for every estimate's assumptions.
 */
export function cudaProfile(gpu: string): { profile: GpuProfile; note?: string } {
  const base = findProfile(DEFAULT_GPU)!;
  const chosen = findProfile(gpu) ?? base;
  if (!chosen.kind) return { profile: chosen };
  if (/^rtx/.test(chosen.id)) {
    const stand = (s: Sourced): Sourced => ({ value: s.value, source: `native CUDA cost measured on ${base.name}, standing in (not measured on ${chosen.name})`, measured: false });
    return {
      profile: { ...chosen, launchOverheadUs: stand(base.launchOverheadUs), graphNodeUs: stand(base.graphNodeUs) },
      note: `${chosen.name} is a browser profile: its WebGL/WebGPU per-op costs do not apply to CUDA; ${base.name}'s measured launch costs stand in`,
    };
  }
  return { profile: base, note: `${chosen.name} does not run CUDA: estimated on ${base.name} (set fusionLens.gpu / --gpu to a CUDA card)` };
}

/** Thrust's host-side costs on a profile; a browser profile has none: the default CUDA card's stand in (their source says where they come from). */
export function thrustCosts(p: GpuProfile): { call: Sourced; temp: Sourced } {
  const d = findProfile(DEFAULT_GPU)!;
  return { call: p.thrustCallUs ?? d.thrustCallUs!, temp: p.thrustTempUs ?? d.thrustTempUs! };
}
