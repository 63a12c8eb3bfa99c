// A real WebGPU device in Node: Dawn's bindings (npm `webgpu` 0.6.2) on Mesa's software OpenGL, as
// test/tfjs/webgpu.test.ts also uses it (research/runtimes.md section 2): EGL_PLATFORM=surfaceless,
// create(['backend=opengl']), a compatibility adapter with its own limits requested, and strong
// references to the GPU and adapter objects (Dawn crashes if they are collected while in use).
// Returns a reason string instead of a device when the GL stack or the package is missing
// (apt: libegl-dev libegl-mesa0 libgl1-mesa-dri).

export interface Dawn {
  device: GPUDevice;
  adapterInfo: string;
  /** Tint's messages for a WGSL module (empty when it compiles). */
  compile(code: string): Promise<string[]>;
}

export const NO_ADAPTER = 'no WebGPU adapter (Dawn OpenGL on Mesa: apt install libegl-dev libegl-mesa0 libgl1-mesa-dri)';

let cached: Promise<Dawn | string> | undefined;

export function dawn(): Promise<Dawn | string> {
  cached ??= open();
  return cached;
}

/**
 * Dawn's GPU object with the environment it needs, or why there is none. Its requestAdapter always
 * asks for a compatibility adapter (what Mesa's OpenGL offers; TF.js's WebGPU backend asks without
 * one), and every object it hands out is kept reachable for the life of the process.
 */
export function dawnGpu(): { gpu: GPU; keep: unknown[] } | string {
  process.env.EGL_PLATFORM = 'surfaceless';
  process.env.XDG_RUNTIME_DIR ??= '/tmp';
  let webgpu: { create(opts: string[]): GPU; globals: Record<string, unknown> };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    webgpu = require('webgpu');
  } catch (e) {
    return `npm package webgpu not installed (${(e as Error).message.split('\n')[0]})`;
  }
  Object.assign(globalThis, webgpu.globals);
  const gpu = webgpu.create(['backend=opengl']);
  const keep: unknown[] = [gpu];
  (globalThis as { __flDawnKeep?: unknown[] }).__flDawnKeep = keep;
  const request = gpu.requestAdapter.bind(gpu);
  gpu.requestAdapter = async (o?: GPURequestAdapterOptions) => {
    const a = await request({ ...o, featureLevel: 'compatibility' } as GPURequestAdapterOptions);
    keep.push(a);
    return a;
  };
  return { gpu, keep };
}

async function open(): Promise<Dawn | string> {
  const opened = dawnGpu();
  if (typeof opened === 'string') return opened;
  const { gpu, keep } = opened;
  const adapter = await gpu.requestAdapter();
  if (!adapter) return NO_ADAPTER;
  const names = ['maxComputeInvocationsPerWorkgroup', 'maxComputeWorkgroupSizeX', 'maxComputeWorkgroupStorageSize', 'maxStorageBuffersPerShaderStage'] as const;
  const requiredLimits = Object.fromEntries(names.map(k => [k, adapter.limits[k]]));
  const device = await adapter.requestDevice({ requiredLimits });
  keep.push(device);
  const info = (adapter as { info?: { description?: string; vendor?: string } }).info;
  return {
    device,
    adapterInfo: info?.description || info?.vendor || 'unknown adapter',
    async compile(code: string) {
      device.pushErrorScope('validation');
      const m = device.createShaderModule({ code });
      const info = await m.getCompilationInfo();
      const err = await device.popErrorScope();
      const out = info.messages.filter(x => x.type === 'error').map(x => `L${x.lineNum}:${x.linePos} ${x.message}`);
      if (err && !out.length) out.push(err.message);
      return out;
    },
  };
}
