// A particle system stepped on the GPU: gravity and drag, then integration, then a bounce off the
// floor. Each stage is its own compute pass over every particle, so positions and velocities are
// read from and written to GPU memory three times per frame.

// fusion-lens: count=65536

const PARTICLE_WGSL = /* wgsl */ `
struct Particle {
  pos: vec4<f32>,
  vel: vec4<f32>,
}

struct Step {
  dt: f32,
  drag: f32,
  gravity: f32,
  restitution: f32,
}

@group(0) @binding(0) var<storage, read_write> particles: array<Particle>;
@group(0) @binding(1) var<uniform> step: Step;

@compute @workgroup_size(128)
fn apply_forces(@builtin(global_invocation_id) id: vec3<u32>) {
  let i = id.x;
  if (i >= arrayLength(&particles)) {
    return;
  }
  var v = particles[i].vel;
  v.y = v.y - step.gravity * step.dt;
  v = v * (1.0 - step.drag * step.dt);
  particles[i].vel = v;
}

@compute @workgroup_size(128)
fn integrate(@builtin(global_invocation_id) id: vec3<u32>) {
  let i = id.x;
  if (i >= arrayLength(&particles)) {
    return;
  }
  let p = particles[i];
  particles[i].pos = p.pos + p.vel * step.dt;
}

@compute @workgroup_size(128)
fn bounce(@builtin(global_invocation_id) id: vec3<u32>) {
  let i = id.x;
  if (i >= arrayLength(&particles)) {
    return;
  }
  var p = particles[i];
  if (p.pos.y < 0.0) {
    p.pos.y = -p.pos.y;
    p.vel.y = -p.vel.y * step.restitution;
  }
  particles[i] = p;
}
`;

export interface ParticleSystem {
  /** Advances the simulation by `dt` seconds. */
  step(dt: number): void;
  /** Copies the particles back: 8 floats each (position xyzw, velocity xyzw). */
  read(): Promise<Float32Array>;
}

export function createParticleSystem(device: GPUDevice, initial: Float32Array, count: number): ParticleSystem {
  const particles = device.createBuffer({ size: count * 32, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
  const stepUniform = device.createBuffer({ size: 16, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
  const readback = device.createBuffer({ size: count * 32, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  device.queue.writeBuffer(particles, 0, initial);

  const module = device.createShaderModule({ code: PARTICLE_WGSL });
  const forcesPipeline = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'apply_forces' } });
  const integratePipeline = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'integrate' } });
  const bouncePipeline = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'bounce' } });
  const forcesBindGroup = device.createBindGroup({
    layout: forcesPipeline.getBindGroupLayout(0),
    entries: [
      { binding: 0, resource: { buffer: particles } },
      { binding: 1, resource: { buffer: stepUniform } },
    ],
  });
  const integrateBindGroup = device.createBindGroup({
    layout: integratePipeline.getBindGroupLayout(0),
    entries: [
      { binding: 0, resource: { buffer: particles } },
      { binding: 1, resource: { buffer: stepUniform } },
    ],
  });
  const bounceBindGroup = device.createBindGroup({
    layout: bouncePipeline.getBindGroupLayout(0),
    entries: [
      { binding: 0, resource: { buffer: particles } },
      { binding: 1, resource: { buffer: stepUniform } },
    ],
  });
  const workgroups = Math.ceil(count / 128);

  return {
    step(dt: number) {
      device.queue.writeBuffer(stepUniform, 0, new Float32Array([dt, 0.1, 9.81, 0.6]));
      const encoder = device.createCommandEncoder();

      const forces = encoder.beginComputePass({ label: 'forces' });
      forces.setPipeline(forcesPipeline);
      forces.setBindGroup(0, forcesBindGroup);
      forces.dispatchWorkgroups(workgroups);
      forces.end();

      const integrate = encoder.beginComputePass({ label: 'integrate' });
      integrate.setPipeline(integratePipeline);
      integrate.setBindGroup(0, integrateBindGroup);
      integrate.dispatchWorkgroups(workgroups);
      integrate.end();

      const bounce = encoder.beginComputePass({ label: 'bounce' });
      bounce.setPipeline(bouncePipeline);
      bounce.setBindGroup(0, bounceBindGroup);
      bounce.dispatchWorkgroups(workgroups);
      bounce.end();

      device.queue.submit([encoder.finish()]);
    },
    async read() {
      const encoder = device.createCommandEncoder();
      encoder.copyBufferToBuffer(particles, 0, readback, 0, count * 32);
      device.queue.submit([encoder.finish()]);
      await readback.mapAsync(GPUMapMode.READ);
      const out = new Float32Array(readback.getMappedRange().slice(0));
      readback.unmap();
      return out;
    },
  };
}
