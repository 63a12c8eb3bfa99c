// Normalizes a signal to unit length, then smooths it: a sum of squares reduced per workgroup, a
// second pass that adds the partial sums, a scale by the inverse norm, and a 3-tap smoothing.
// None of these dispatches can be fused: each needs results other workgroups produce, and only
// the end of a dispatch makes them visible (workgroupBarrier() orders one workgroup).

// fusion-lens: n=1<<20

const WORKGROUP = 256;

const reduceWgsl = /* wgsl */ `
@group(0) @binding(0) var<storage, read> values: array<f32>;
@group(0) @binding(1) var<storage, read_write> partialSums: array<f32>;

var<workgroup> scratch: array<f32, ${WORKGROUP}>;

@compute @workgroup_size(${WORKGROUP})
fn sum_squares(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  var v = 0.0;
  if (gid.x < arrayLength(&values)) {
    v = values[gid.x] * values[gid.x];
  }
  scratch[lid.x] = v;
  workgroupBarrier();
  for (var stride = ${WORKGROUP / 2}u; stride > 0u; stride = stride / 2u) {
    if (lid.x < stride) {
      scratch[lid.x] = scratch[lid.x] + scratch[lid.x + stride];
    }
    workgroupBarrier();
  }
  if (lid.x == 0u) {
    partialSums[wid.x] = scratch[0];
  }
}

@group(0) @binding(0) var<storage, read> partials: array<f32>;
@group(0) @binding(1) var<storage, read_write> total: array<f32>;

@compute @workgroup_size(1)
fn add_partials() {
  var sum = 0.0;
  for (var k = 0u; k < arrayLength(&partials); k = k + 1u) {
    sum = sum + partials[k];
  }
  total[0] = sum;
}
`;

const scaleWgsl = /* wgsl */ `
@group(0) @binding(0) var<storage, read> values: array<f32>;
@group(0) @binding(1) var<storage, read> total: array<f32>;
@group(0) @binding(2) var<storage, read_write> unit: array<f32>;

@compute @workgroup_size(${WORKGROUP})
fn scale(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= arrayLength(&unit)) {
    return;
  }
  unit[i] = values[i] * inverseSqrt(total[0]);
}

@group(0) @binding(0) var<storage, read> signal: array<f32>;
@group(0) @binding(1) var<storage, read_write> smoothed: array<f32>;

@compute @workgroup_size(${WORKGROUP})
fn smooth3(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  let n = arrayLength(&signal);
  if (i >= n) {
    return;
  }
  let left = signal[max(i, 1u) - 1u];
  let right = signal[min(i + 1u, n - 1u)];
  smoothed[i] = (left + signal[i] + right) / 3.0;
}
`;

/** Returns `values / |values|`, smoothed with a [1, 1, 1] / 3 kernel. */
export async function normalizeAndSmooth(device: GPUDevice, values: Float32Array, n: number): Promise<Float32Array> {
  const groups = Math.ceil(n / WORKGROUP);
  const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
  const input = device.createBuffer({ size: n * 4, usage });
  const partialSums = device.createBuffer({ size: groups * 4, usage });
  const total = device.createBuffer({ size: 4, usage });
  const unit = device.createBuffer({ size: n * 4, usage });
  const smoothed = device.createBuffer({ size: n * 4, usage });
  const readback = device.createBuffer({ size: n * 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  device.queue.writeBuffer(input, 0, values);

  const reduceModule = device.createShaderModule({ code: reduceWgsl });
  const scaleModule = device.createShaderModule({ code: scaleWgsl });
  const sumPipeline = device.createComputePipeline({ layout: 'auto', compute: { module: reduceModule, entryPoint: 'sum_squares' } });
  const addPipeline = device.createComputePipeline({ layout: 'auto', compute: { module: reduceModule, entryPoint: 'add_partials' } });
  const scalePipeline = device.createComputePipeline({ layout: 'auto', compute: { module: scaleModule, entryPoint: 'scale' } });
  const smoothPipeline = device.createComputePipeline({ layout: 'auto', compute: { module: scaleModule, entryPoint: 'smooth3' } });

  const sumBindGroup = device.createBindGroup({
    layout: sumPipeline.getBindGroupLayout(0),
    entries: [{ binding: 0, resource: { buffer: input } }, { binding: 1, resource: { buffer: partialSums } }],
  });
  const addBindGroup = device.createBindGroup({
    layout: addPipeline.getBindGroupLayout(0),
    entries: [{ binding: 0, resource: { buffer: partialSums } }, { binding: 1, resource: { buffer: total } }],
  });
  const scaleBindGroup = device.createBindGroup({
    layout: scalePipeline.getBindGroupLayout(0),
    entries: [{ binding: 0, resource: { buffer: input } }, { binding: 1, resource: { buffer: total } }, { binding: 2, resource: { buffer: unit } }],
  });
  const smoothBindGroup = device.createBindGroup({
    layout: smoothPipeline.getBindGroupLayout(0),
    entries: [{ binding: 0, resource: { buffer: unit } }, { binding: 1, resource: { buffer: smoothed } }],
  });

  const encoder = device.createCommandEncoder();
  const pass = encoder.beginComputePass();
  pass.setPipeline(sumPipeline);
  pass.setBindGroup(0, sumBindGroup);
  pass.dispatchWorkgroups(groups);
  pass.setPipeline(addPipeline);
  pass.setBindGroup(0, addBindGroup);
  pass.dispatchWorkgroups(1);
  pass.setPipeline(scalePipeline);
  pass.setBindGroup(0, scaleBindGroup);
  pass.dispatchWorkgroups(groups);
  pass.setPipeline(smoothPipeline);
  pass.setBindGroup(0, smoothBindGroup);
  pass.dispatchWorkgroups(groups);
  pass.end();
  encoder.copyBufferToBuffer(smoothed, 0, readback, 0, n * 4);
  device.queue.submit([encoder.finish()]);

  await readback.mapAsync(GPUMapMode.READ);
  const out = new Float32Array(readback.getMappedRange().slice(0));
  readback.unmap();
  return out;
}
