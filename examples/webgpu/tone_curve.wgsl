// Gamma encoding of linear colour, one pixel per invocation.
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
fn encode_gamma(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= arrayLength(&dst)) {
    return;
  }
  let c = src[i];
  dst[i] = vec4<f32>(pow(max(c.rgb, vec3<f32>(0.0)), vec3<f32>(1.0 / grade.gamma)), c.a);
}
