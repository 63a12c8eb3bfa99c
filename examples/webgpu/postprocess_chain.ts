// Colour grading of an RGBA float image with WebGPU compute shaders: exposure, then contrast around
// a pivot, then gamma encoding. Each step is its own dispatch that reads the whole image from GPU
// memory and writes it back, so the image makes three round trips where one would do.
import toneCurveWgsl from './tone_curve.wgsl';

// fusion-lens: width=1920, height=1080

const gradeWgsl = /* wgsl */ `
struct Grade {
  exposure: f32,
  contrast: f32,
  gamma: f32,
  pivot: f32,
}

@group(0) @binding(0) var<storage, read> src: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read_write> dst: array<vec4<f32>>;
@group(0) @binding(2) var<uniform> grade: Grade;

@compute @workgroup_size(64)
fn apply_exposure(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= arrayLength(&dst)) {
    return;
  }
  let c = src[i];
  dst[i] = vec4<f32>(c.rgb * exp2(grade.exposure), c.a);
}

@compute @workgroup_size(64)
fn apply_contrast(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= arrayLength(&dst)) {
    return;
  }
  let c = src[i];
  // stretch around the pivot grey
  dst[i] = vec4<f32>((c.rgb - vec3<f32>(grade.pivot)) * grade.contrast + vec3<f32>(grade.pivot), c.a);
}
`;

export interface GradeSettings {
  exposure: number;
  contrast: number;
  gamma: number;
  pivot: number;
}

/** Grades `width * height` RGBA pixels (4 floats each) and returns the graded pixels. */
export async function gradeImage(device: GPUDevice, pixels: Float32Array, width: number, height: number, settings: GradeSettings): Promise<Float32Array> {
  const pixelCount = width * height;
  const bytes = pixelCount * 16;
  const storage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;

  const source = device.createBuffer({ size: bytes, usage: storage });
  const exposed = device.createBuffer({ size: bytes, usage: storage });
  const contrasted = device.createBuffer({ size: bytes, usage: storage });
  const graded = device.createBuffer({ size: bytes, usage: storage });
  const readback = device.createBuffer({ size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const gradeUniform = device.createBuffer({ size: 16, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
  device.queue.writeBuffer(source, 0, pixels);
  device.queue.writeBuffer(gradeUniform, 0, new Float32Array([settings.exposure, settings.contrast, settings.gamma, settings.pivot]));

  const gradeModule = device.createShaderModule({ code: gradeWgsl });
  const exposurePipeline = device.createComputePipeline({ layout: 'auto', compute: { module: gradeModule, entryPoint: 'apply_exposure' } });
  const contrastPipeline = device.createComputePipeline({ layout: 'auto', compute: { module: gradeModule, entryPoint: 'apply_contrast' } });
  const gammaPipeline = device.createComputePipeline({
    layout: 'auto',
    compute: { module: device.createShaderModule({ code: toneCurveWgsl }), entryPoint: 'encode_gamma' },
  });

  const exposureBindGroup = device.createBindGroup({
    layout: exposurePipeline.getBindGroupLayout(0),
    entries: [
      { binding: 0, resource: { buffer: source } },
      { binding: 1, resource: { buffer: exposed } },
      { binding: 2, resource: { buffer: gradeUniform } },
    ],
  });
  const contrastBindGroup = device.createBindGroup({
    layout: contrastPipeline.getBindGroupLayout(0),
    entries: [
      { binding: 0, resource: { buffer: exposed } },
      { binding: 1, resource: { buffer: contrasted } },
      { binding: 2, resource: { buffer: gradeUniform } },
    ],
  });
  const gammaBindGroup = device.createBindGroup({
    layout: gammaPipeline.getBindGroupLayout(0),
    entries: [
      { binding: 0, resource: { buffer: contrasted } },
      { binding: 1, resource: { buffer: graded } },
      { binding: 2, resource: { buffer: gradeUniform } },
    ],
  });

  const workgroups = Math.ceil(pixelCount / 64);
  const encoder = device.createCommandEncoder();
  const pass = encoder.beginComputePass();
  pass.setPipeline(exposurePipeline);
  pass.setBindGroup(0, exposureBindGroup);
  pass.dispatchWorkgroups(workgroups);
  pass.setPipeline(contrastPipeline);
  pass.setBindGroup(0, contrastBindGroup);
  pass.dispatchWorkgroups(workgroups);
  pass.setPipeline(gammaPipeline);
  pass.setBindGroup(0, gammaBindGroup);
  pass.dispatchWorkgroups(workgroups);
  pass.end();
  encoder.copyBufferToBuffer(graded, 0, readback, 0, bytes);
  device.queue.submit([encoder.finish()]);

  await readback.mapAsync(GPUMapMode.READ);
  const out = new Float32Array(readback.getMappedRange().slice(0));
  readback.unmap();
  for (const b of [source, exposed, contrasted, graded, readback, gradeUniform]) b.destroy();
  return out;
}
