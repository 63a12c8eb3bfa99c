// Small WebGPU host programs for the fix-execution and legality tests. `program()` writes a module
// whose `run(device, n, inputs)` creates the buffers, uploads the inputs, records the stages into
// compute passes and reads the outputs back, the way hand-written WebGPU code does it.

export interface Stage {
  /** Index into `shaders`. */
  shader: number;
  entry?: string;
  /** Buffer names, by binding number. */
  bind: string[];
  /** Workgroup count expression; default `Math.ceil(n / 64)`. */
  dispatch?: string;
  /** Statements recorded before this stage (after the previous one). */
  before?: string;
  /** Start a new pass (`newPass`) or a new encoder, submitted (`newEncoder`) before this stage. */
  split?: 'newPass' | 'newEncoder';
}

export interface ProgramSpec {
  shaders: string[];
  /** Buffer name -> size in bytes (an expression of n). Inputs are the first `inputs` names. */
  buffers: Record<string, string>;
  inputs: string[];
  /** Uniform buffers (16 bytes): name -> the data written once (a JS expression). */
  uniforms?: Record<string, string>;
  /** Record the stages this many times in a loop. */
  loop?: number;
  stages: Stage[];
  outputs: string[];
  /** Statements after the last stage, before the readback. */
  after?: string;
}

export function program(p: ProgramSpec): string {
  const L: string[] = [];
  p.shaders.forEach((s, i) => L.push(`const shader${i} = /* wgsl */ \`${s}\`;`, ''));
  L.push('export async function run(device: GPUDevice, n: number, inputs: Float32Array[]): Promise<Float32Array[]> {');
  L.push('  const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;');
  for (const [name, size] of Object.entries(p.buffers)) L.push(`  const ${name} = device.createBuffer({ size: ${size}, usage });`);
  for (const [name, data] of Object.entries(p.uniforms ?? {})) {
    L.push(`  const ${name} = device.createBuffer({ size: 16, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });`);
    L.push(`  device.queue.writeBuffer(${name}, 0, ${data});`);
  }
  p.inputs.forEach((name, i) => L.push(`  device.queue.writeBuffer(${name}, 0, inputs[${i}]);`));
  p.shaders.forEach((_, i) => L.push(`  const module${i} = device.createShaderModule({ code: shader${i} });`));
  p.stages.forEach((s, k) => {
    L.push(`  const pipeline${k} = device.createComputePipeline({ layout: 'auto', compute: { module: module${s.shader}, entryPoint: '${s.entry ?? 'main'}' } });`);
    L.push(`  const bindGroup${k} = device.createBindGroup({`);
    L.push(`    layout: pipeline${k}.getBindGroupLayout(0),`);
    L.push(`    entries: [${s.bind.map((b, i) => `{ binding: ${i}, resource: { buffer: ${b} } }`).join(', ')}],`);
    L.push('  });');
  });
  L.push('  let encoder = device.createCommandEncoder();');
  L.push('  let pass = encoder.beginComputePass();');
  if (p.loop) L.push(`  for (let step = 0; step < ${p.loop}; step++) {`);
  p.stages.forEach((s, k) => {
    // `before` runs between the passes when the stage starts a new one (encoder commands may not
    // be recorded while a pass is open), else inside the pass
    if (s.split) L.push('  pass.end();');
    if (s.split === 'newEncoder') L.push('  device.queue.submit([encoder.finish()]);', '  encoder = device.createCommandEncoder();');
    if (s.before) L.push(`  ${s.before}`);
    if (s.split) L.push('  pass = encoder.beginComputePass();');
    const ind = p.loop ? '    ' : '  ';
    L.push(`${ind}pass.setPipeline(pipeline${k});`, `${ind}pass.setBindGroup(0, bindGroup${k});`, `${ind}pass.dispatchWorkgroups(${s.dispatch ?? 'Math.ceil(n / 64)'});`);
  });
  if (p.loop) L.push('  }');
  L.push('  pass.end();');
  if (p.after) L.push(`  ${p.after}`);
  const outs = p.outputs;
  outs.forEach(o => L.push(`  const ${o}Readback = device.createBuffer({ size: ${p.buffers[o]}, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });`));
  outs.forEach(o => L.push(`  encoder.copyBufferToBuffer(${o}, 0, ${o}Readback, 0, ${p.buffers[o]});`));
  L.push('  device.queue.submit([encoder.finish()]);');
  L.push('  const results: Float32Array[] = [];');
  outs.forEach(o => {
    L.push(`  await ${o}Readback.mapAsync(GPUMapMode.READ);`);
    L.push(`  results.push(new Float32Array(${o}Readback.getMappedRange().slice(0)));`);
    L.push(`  ${o}Readback.unmap();`);
  });
  L.push('  return results;');
  L.push('}');
  return L.join('\n') + '\n';
}

/** An elementwise shader: `dst[i] = <expr of src[i]>`, guarded by arrayLength(&dst). */
export function ew(expr: string, opts: { name?: string; type?: string; guard?: 'return' | 'wrap' | 'none' | 'uniform'; extra?: string } = {}): string {
  const t = opts.type ?? 'f32';
  const name = opts.name ?? 'main';
  const head = `
@group(0) @binding(0) var<storage, read> src: array<${t}>;
@group(0) @binding(1) var<storage, read_write> dst: array<${t}>;
${opts.guard === 'uniform' ? 'struct Params { count: u32, scale: f32 }\n@group(0) @binding(2) var<uniform> params: Params;\n' : ''}${opts.extra ?? ''}
@compute @workgroup_size(64)
fn ${name}(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;`;
  switch (opts.guard ?? 'return') {
    case 'return': return `${head}
  if (i >= arrayLength(&dst)) {
    return;
  }
  dst[i] = ${expr};
}
`;
    case 'uniform': return `${head}
  if (i >= params.count) {
    return;
  }
  dst[i] = ${expr};
}
`;
    case 'wrap': return `${head}
  if (i < arrayLength(&dst)) {
    dst[i] = ${expr};
  }
}
`;
    case 'none': return `${head}
  dst[i] = ${expr};
}
`;
  }
}

export interface Case {
  name: string;
  src: string;
  /** Inputs' lengths in floats as a function of n (default: n each). */
  inputs?: number;
  inputLength?: (n: number) => number;
  n: number;
  /** Expected: a fix (and the dispatches saved), or a finding without fix, or a refusal rule. */
  expect: { fix: true; saved: number; registers?: number } | { fix: false; reason: RegExp } | { refusal: string; reason?: RegExp };
}

const n4 = 'n * 4';

export const CASES: Case[] = [
  {
    name: 'two elementwise stages: the intermediate stays in a register',
    n: 1000,
    src: program({
      shaders: [ew('src[i] * 2.0 + 1.0'), ew('src[i] * src[i] - 0.5')],
      buffers: { x: n4, t: n4, y: n4 }, inputs: ['x'],
      stages: [{ shader: 0, bind: ['x', 't'] }, { shader: 1, bind: ['t', 'y'] }], outputs: ['y'],
    }),
    expect: { fix: true, saved: 1, registers: 1 },
  },
  {
    name: 'the intermediate is read back later: it keeps its store',
    n: 777,
    src: program({
      shaders: [ew('sqrt(abs(src[i]))'), ew('src[i] * 3.0')],
      buffers: { x: n4, t: n4, y: n4 }, inputs: ['x'],
      stages: [{ shader: 0, bind: ['x', 't'] }, { shader: 1, bind: ['t', 'y'] }], outputs: ['y', 't'],
    }),
    expect: { fix: true, saved: 1, registers: 0 },
  },
  {
    name: 'both stages bounded by the same uniform count',
    n: 700,
    src: program({
      shaders: [ew('src[i] * params.scale', { guard: 'uniform' }), ew('src[i] + params.scale', { guard: 'uniform' })],
      buffers: { x: n4, t: n4, y: n4 }, inputs: ['x'], uniforms: { params: 'new Uint32Array([n, 0x3fc00000, 0, 0])' },
      stages: [{ shader: 0, bind: ['x', 't', 'params'] }, { shader: 1, bind: ['t', 'y', 'params'] }], outputs: ['y'],
    }),
    expect: { fix: true, saved: 1, registers: 1 },
  },
  {
    name: 'a wrapping guard, then an unguarded stage dispatched exactly',
    n: 1024,
    src: program({
      shaders: [ew('src[i] + 1.0', { guard: 'wrap' }), ew('src[i] - 2.0', { guard: 'none' })],
      buffers: { x: n4, t: n4, y: n4 }, inputs: ['x'],
      stages: [{ shader: 0, bind: ['x', 't'], dispatch: 'n / 64' }, { shader: 1, bind: ['t', 'y'], dispatch: 'n / 64' }], outputs: ['y'],
    }),
    expect: { fix: true, saved: 1, registers: 1 },
  },
  {
    name: 'a conditional write: the intermediate is loaded first (old contents show through)',
    n: 500,
    inputs: 2,
    src: program({
      shaders: [`
@group(0) @binding(0) var<storage, read> src: array<f32>;
@group(0) @binding(1) var<storage, read_write> dst: array<f32>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= arrayLength(&dst)) {
    return;
  }
  if (src[i] > 0.5) {
    dst[i] = src[i] * 10.0;
  }
}
`, ew('src[i] + 0.25')],
      buffers: { x: n4, t: n4, y: n4 }, inputs: ['x', 't'],
      stages: [{ shader: 0, bind: ['x', 't'] }, { shader: 1, bind: ['t', 'y'] }], outputs: ['y'],
    }),
    expect: { fix: true, saved: 1, registers: 0 },
  },
  {
    name: 'helper functions and constants with the same names but different bodies are renamed',
    n: 300,
    src: program({
      shaders: [ew('f(src[i]) + K', { extra: 'const K = 1.0;\nfn f(v: f32) -> f32 { return v * v; }\n' }), ew('f(src[i]) * K', { extra: 'const K = 3.0;\nfn f(v: f32) -> f32 { return v + 2.0; }\n' })],
      buffers: { x: n4, t: n4, y: n4 }, inputs: ['x'],
      stages: [{ shader: 0, bind: ['x', 't'] }, { shader: 1, bind: ['t', 'y'] }], outputs: ['y'],
    }),
    expect: { fix: true, saved: 1, registers: 1 },
  },
  {
    name: 'stages in separate passes and separate submitted encoders',
    n: 640,
    src: program({
      shaders: [ew('src[i] * 0.5'), ew('exp(src[i])'), ew('src[i] - 1.0')],
      buffers: { x: n4, t: n4, u: n4, y: n4 }, inputs: ['x'],
      stages: [{ shader: 0, bind: ['x', 't'] }, { shader: 1, bind: ['t', 'u'], split: 'newPass' }, { shader: 2, bind: ['u', 'y'], split: 'newEncoder' }], outputs: ['y'],
    }),
    expect: { fix: true, saved: 2, registers: 2 },
  },
  {
    name: 'an independent dispatch in between is stepped over',
    n: 256,
    inputs: 2,
    src: program({
      shaders: [ew('src[i] + 3.0'), ew('src[i] * src[i]'), ew('src[i] * 0.1')],
      buffers: { x: n4, t: n4, y: n4, a: n4, b: n4 }, inputs: ['x', 'a'],
      stages: [{ shader: 0, bind: ['x', 't'] }, { shader: 2, bind: ['a', 'b'] }, { shader: 1, bind: ['t', 'y'] }], outputs: ['y', 'b'],
    }),
    expect: { fix: true, saved: 1, registers: 1 },
  },
  {
    name: 'in place: the same buffer updated twice is loaded and stored once',
    n: 333,
    src: program({
      shaders: [`
@group(0) @binding(0) var<storage, read_write> data: array<vec4<f32>>;
@compute @workgroup_size(64)
fn scale(@builtin(global_invocation_id) gid: vec3<u32>) {
  if (gid.x >= arrayLength(&data)) { return; }
  data[gid.x] = data[gid.x] * 2.0;
}
@compute @workgroup_size(64)
fn shift(@builtin(global_invocation_id) gid: vec3<u32>) {
  if (gid.x >= arrayLength(&data)) { return; }
  data[gid.x].y += 1.0;
}
`],
      buffers: { v: 'n * 16' }, inputs: ['v'],
      stages: [{ shader: 0, entry: 'scale', bind: ['v'], dispatch: 'Math.ceil(n / 64)' }, { shader: 0, entry: 'shift', bind: ['v'] }], outputs: ['v'],
    }),
    inputLength: n => n * 4,
    expect: { fix: true, saved: 1, registers: 0 },
  },
  {
    name: 'an elementwise producer feeds an atomic histogram',
    n: 900,
    src: program({
      shaders: [ew('fract(src[i] * 7.0)'), `
@group(0) @binding(0) var<storage, read> values: array<f32>;
@group(0) @binding(1) var<storage, read_write> bins: array<atomic<u32>>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= arrayLength(&values)) {
    return;
  }
  let b = min(u32(values[i] * 16.0), 15u);
  atomicAdd(&bins[b], 1u);
}
`],
      buffers: { x: n4, t: n4, h: '64' }, inputs: ['x'],
      stages: [{ shader: 0, bind: ['x', 't'] }, { shader: 1, bind: ['t', 'h'] }], outputs: ['h'],
    }),
    expect: { fix: true, saved: 1, registers: 1 },
  },
  {
    name: 'a chain inside a loop: the state buffer is live on the next iteration',
    n: 128,
    src: program({
      shaders: [ew('src[i] * 0.9'), ew('src[i] + 0.05')],
      buffers: { x: n4, t: n4 }, inputs: ['x'], loop: 5,
      stages: [{ shader: 0, bind: ['x', 't'] }, { shader: 1, bind: ['t', 'x'] }], outputs: ['x'],
    }),
    expect: { fix: true, saved: 1, registers: 1 },
  },
  {
    name: 'objects made in init() and kept in module variables, dispatched in frame()',
    n: 512,
    src: `const shader = /* wgsl */ \`
@group(0) @binding(0) var<storage, read> src: array<f32>;
@group(0) @binding(1) var<storage, read_write> dst: array<f32>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  if (gid.x >= arrayLength(&dst)) { return; }
  dst[gid.x] = src[gid.x] * 1.5 + 0.25;
}\`;

let device: GPUDevice;
let pipeline: GPUComputePipeline;
let input: GPUBuffer, scratch: GPUBuffer, output: GPUBuffer;
let firstBindGroup: GPUBindGroup;
let secondBindGroup: GPUBindGroup;
let groups = 0;

async function init(d: GPUDevice, n: number) {
  device = d;
  const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
  input = device.createBuffer({ size: n * 4, usage });
  scratch = device.createBuffer({ size: n * 4, usage });
  output = device.createBuffer({ size: n * 4, usage });
  pipeline = await device.createComputePipelineAsync({ layout: 'auto', compute: { module: device.createShaderModule({ code: shader }), entryPoint: 'main' } });
  firstBindGroup = device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries: [{ binding: 0, resource: { buffer: input } }, { binding: 1, resource: { buffer: scratch } }] });
  secondBindGroup = device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries: [{ binding: 0, resource: { buffer: scratch } }, { binding: 1, resource: { buffer: output } }] });
  groups = Math.ceil(n / 64);
}

function frame() {
  const encoder = device.createCommandEncoder();
  const pass = encoder.beginComputePass();
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, firstBindGroup);
  pass.dispatchWorkgroups(groups);
  pass.setBindGroup(0, secondBindGroup);
  pass.dispatchWorkgroups(groups);
  pass.end();
  device.queue.submit([encoder.finish()]);
}

async function readBack(buffer: GPUBuffer, n: number): Promise<Float32Array> {
  const staging = device.createBuffer({ size: n * 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const encoder = device.createCommandEncoder();
  encoder.copyBufferToBuffer(buffer, 0, staging, 0, n * 4);
  device.queue.submit([encoder.finish()]);
  await staging.mapAsync(GPUMapMode.READ);
  const out = new Float32Array(staging.getMappedRange().slice(0));
  staging.unmap();
  return out;
}

export async function run(d: GPUDevice, n: number, inputs: Float32Array[]): Promise<Float32Array[]> {
  await init(d, n);
  device.queue.writeBuffer(input, 0, inputs[0]);
  frame();
  frame();
  return [await readBack(output, n), await readBack(scratch, n)];
}
`,
    expect: { fix: true, saved: 1, registers: 0 },
  },
  {
    name: 'a class keeps its pipelines and bind groups in fields',
    n: 300,
    src: `const SHADER = /* wgsl */ \`
struct Params { gain: f32, bias: f32 }
@group(0) @binding(0) var<storage, read> src: array<f32>;
@group(0) @binding(1) var<storage, read_write> dst: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;
@compute @workgroup_size(64)
fn amplify(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= arrayLength(&dst)) { return; }
  dst[i] = src[i] * params.gain;
}
@compute @workgroup_size(64)
fn offset(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= arrayLength(&dst)) { return; }
  dst[i] = src[i] + params.bias;
}\`;

class Amplifier {
  private amplifyPipeline!: GPUComputePipeline;
  private offsetPipeline!: GPUComputePipeline;
  private amplifyBindGroup!: GPUBindGroup;
  private offsetBindGroup!: GPUBindGroup;
  private input!: GPUBuffer;
  private output!: GPUBuffer;

  constructor(private readonly device: GPUDevice, private readonly n: number) {}

  setup(values: Float32Array) {
    const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
    this.input = this.device.createBuffer({ size: this.n * 4, usage });
    const amplified = this.device.createBuffer({ size: this.n * 4, usage });
    this.output = this.device.createBuffer({ size: this.n * 4, usage });
    const params = this.device.createBuffer({ size: 16, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    this.device.queue.writeBuffer(params, 0, new Float32Array([2.5, -0.75, 0, 0]));
    this.device.queue.writeBuffer(this.input, 0, values);
    const module = this.device.createShaderModule({ code: SHADER });
    this.amplifyPipeline = this.device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'amplify' } });
    this.offsetPipeline = this.device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'offset' } });
    this.amplifyBindGroup = this.device.createBindGroup({
      layout: this.amplifyPipeline.getBindGroupLayout(0),
      entries: [{ binding: 0, resource: { buffer: this.input } }, { binding: 1, resource: { buffer: amplified } }, { binding: 2, resource: { buffer: params } }],
    });
    this.offsetBindGroup = this.device.createBindGroup({
      layout: this.offsetPipeline.getBindGroupLayout(0),
      entries: [{ binding: 0, resource: { buffer: amplified } }, { binding: 1, resource: { buffer: this.output } }, { binding: 2, resource: { buffer: params } }],
    });
  }

  encode(encoder: GPUCommandEncoder) {
    const pass = encoder.beginComputePass();
    pass.setPipeline(this.amplifyPipeline);
    pass.setBindGroup(0, this.amplifyBindGroup);
    pass.dispatchWorkgroups(Math.ceil(this.n / 64));
    pass.setPipeline(this.offsetPipeline);
    pass.setBindGroup(0, this.offsetBindGroup);
    pass.dispatchWorkgroups(Math.ceil(this.n / 64));
    pass.end();
  }

  async read(): Promise<Float32Array> {
    const staging = this.device.createBuffer({ size: this.n * 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const encoder = this.device.createCommandEncoder();
    this.encode(encoder);
    encoder.copyBufferToBuffer(this.output, 0, staging, 0, this.n * 4);
    this.device.queue.submit([encoder.finish()]);
    await staging.mapAsync(GPUMapMode.READ);
    const out = new Float32Array(staging.getMappedRange().slice(0));
    staging.unmap();
    return out;
  }
}

export async function run(device: GPUDevice, n: number, inputs: Float32Array[]): Promise<Float32Array[]> {
  const a = new Amplifier(device, n);
  a.setup(inputs[0]);
  return [await a.read()];
}
`,
    expect: { fix: true, saved: 1, registers: 0 },
  },
  {
    name: 'indirect dispatches that read the same arguments',
    n: 450,
    src: program({
      shaders: [ew('src[i] * 4.0 - 1.0'), ew('abs(src[i])')],
      buffers: { x: n4, t: n4, y: n4, args: '12' }, inputs: ['x'],
      stages: [{ shader: 0, bind: ['x', 't'] }, { shader: 1, bind: ['t', 'y'] }], outputs: ['y'],
    }).replaceAll('pass.dispatchWorkgroups(Math.ceil(n / 64));', 'pass.dispatchWorkgroupsIndirect(args, 0);')
      .replace('const args = device.createBuffer({ size: 12, usage });', 'const args = device.createBuffer({ size: 12, usage: GPUBufferUsage.INDIRECT | GPUBufferUsage.COPY_DST });\n  device.queue.writeBuffer(args, 0, new Uint32Array([Math.ceil(n / 64), 1, 1]));'),
    expect: { fix: true, saved: 1, registers: 1 },
  },
  {
    name: 'a private variable of the same name in both shaders stays per stage',
    n: 320,
    src: program({
      shaders: [`
var<private> scratch: f32;
@group(0) @binding(0) var<storage, read> src: array<f32>;
@group(0) @binding(1) var<storage, read_write> dst: array<f32>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= arrayLength(&dst)) { return; }
  scratch = src[i] * 2.0;
  dst[i] = scratch;
}
`, `
var<private> scratch: f32;
@group(0) @binding(0) var<storage, read> src: array<f32>;
@group(0) @binding(1) var<storage, read_write> dst: array<f32>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= arrayLength(&dst)) { return; }
  scratch += src[i];
  dst[i] = scratch;
}
`],
      buffers: { x: n4, t: n4, y: n4 }, inputs: ['x'],
      stages: [{ shader: 0, bind: ['x', 't'] }, { shader: 1, bind: ['t', 'y'] }], outputs: ['y'],
    }),
    expect: { fix: true, saved: 1, registers: 1 },
  },
  {
    name: "an input of the second stage is copied in between: the fused dispatch runs where the second did",
    n: 200,
    inputs: 2,
    src: program({
      shaders: [ew('src[i] * 2.0'), `
@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= arrayLength(&out)) { return; }
  out[i] = a[i] + b[i];
}
`],
      buffers: { x: n4, w: n4, t: n4, z: n4, y: n4 }, inputs: ['x', 'w'],
      stages: [{ shader: 0, bind: ['x', 't'] }, { shader: 1, bind: ['t', 'z', 'y'], split: 'newPass', before: 'encoder.copyBufferToBuffer(w, 0, z, 0, n * 4);' }], outputs: ['y'],
    }),
    expect: { fix: true, saved: 1, registers: 1 },
  },
];

/** Programs that must not be fixed: a refusal (with its rule) or a finding without a fix. */
export const REFUSED: Case[] = [
  {
    name: 'a uniform rewritten between the dispatches (queue.writeBuffer)',
    n: 64,
    src: program({
      shaders: [ew('src[i] * params.scale', { guard: 'uniform' }), ew('src[i] + params.scale', { guard: 'uniform' })],
      buffers: { x: n4, t: n4, y: n4 }, inputs: ['x'], uniforms: { params: 'new Uint32Array([n, 0x40000000, 0, 0])' },
      stages: [{ shader: 0, bind: ['x', 't', 'params'] }, { shader: 1, bind: ['t', 'y', 'params'], split: 'newEncoder', before: 'device.queue.writeBuffer(params, 4, new Float32Array([3]));' }], outputs: ['y'],
    }),
    expect: { refusal: 'FL010', reason: /writeBuffer\(params/ },
  },
  {
    name: 'the host maps a buffer between the dispatches',
    n: 64,
    src: program({
      shaders: [ew('src[i] * 2.0'), ew('src[i] + 1.0')],
      buffers: { x: n4, t: n4, y: n4 }, inputs: ['x'],
      stages: [{ shader: 0, bind: ['x', 't'] }, { shader: 1, bind: ['t', 'y'], split: 'newEncoder', before: 'await device.queue.onSubmittedWorkDone();' }], outputs: ['y'],
    }),
    expect: { refusal: 'FL010', reason: /synchronizes with the host/ },
  },
  {
    name: 'the intermediate is copied between the dispatches',
    n: 64,
    src: program({
      shaders: [ew('src[i] * 2.0'), ew('src[i] + 1.0')],
      buffers: { x: n4, t: n4, y: n4, c: n4 }, inputs: ['x'],
      stages: [{ shader: 0, bind: ['x', 't'] }, { shader: 1, bind: ['t', 'y'], split: 'newPass', before: 'encoder.copyBufferToBuffer(t, 0, c, 0, n * 4);' }], outputs: ['y'],
    }),
    expect: { refusal: 'FL010', reason: /copyBufferToBuffer/ },
  },
  {
    name: 'a stencil reads neighbours of the intermediate',
    n: 64,
    src: program({
      shaders: [ew('src[i] * 2.0'), ew('src[i] + src[min(i + 1u, arrayLength(&src) - 1u)]')],
      buffers: { x: n4, t: n4, y: n4 }, inputs: ['x'],
      stages: [{ shader: 0, bind: ['x', 't'] }, { shader: 1, bind: ['t', 'y'] }], outputs: ['y'],
    }),
    expect: { refusal: 'FL210', reason: /only a dispatch boundary/ },
  },
  {
    name: 'different element counts',
    n: 64,
    src: program({
      shaders: [ew('src[i] * 2.0'), ew('src[i] + 1.0')],
      buffers: { x: n4, t: n4, y: 'n * 2' }, inputs: ['x'],
      stages: [{ shader: 0, bind: ['x', 't'] }, { shader: 1, bind: ['t', 'y'] }], outputs: ['y'],
    }),
    expect: { refusal: 'FL211', reason: /matching dispatch sizes/ },
  },
  {
    name: 'more than 8 storage buffers in the fused shader',
    n: 64,
    src: program({
      shaders: [`
@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read> c: array<f32>;
@group(0) @binding(3) var<storage, read> d: array<f32>;
@group(0) @binding(4) var<storage, read> e: array<f32>;
@group(0) @binding(5) var<storage, read_write> out: array<f32>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= arrayLength(&out)) { return; }
  out[i] = a[i] + b[i] + c[i] + d[i] + e[i];
}
`],
      buffers: { x1: n4, x2: n4, x3: n4, x4: n4, x5: n4, y1: n4, y2: n4, y3: n4, y4: n4, t: n4, z: n4 }, inputs: ['x1', 'x2', 'x3', 'x4', 'x5', 'y1', 'y2', 'y3', 'y4'],
      stages: [{ shader: 0, bind: ['x1', 'x2', 'x3', 'x4', 'x5', 't'] }, { shader: 0, bind: ['t', 'y1', 'y2', 'y3', 'y4', 'z'] }], outputs: ['z'],
    }),
    expect: { refusal: 'FL212', reason: /10 storage buffers/ },
  },
  {
    name: 'a buffer written as storage and read as a uniform',
    n: 64,
    src: program({
      shaders: [ew('src[i] * 2.0'), ew('src[i] + params.scale', { guard: 'uniform' })],
      buffers: { x: n4, t: n4, y: n4 }, inputs: ['x'],
      stages: [{ shader: 0, bind: ['x', 't'] }, { shader: 1, bind: ['t', 'y', 't'] }], outputs: ['y'],
    }),
    expect: { refusal: 'FL212', reason: /usage scope/ },
  },
];
