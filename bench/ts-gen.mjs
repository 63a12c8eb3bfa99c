// Generates a realistic TensorFlow.js source file of about N lines (default 5,000) for the
// TypeScript-frontend benchmarks: dense layers, conv blocks, preprocessing chains, tf.tidy,
// classes with call(), training loops under optimizer.minimize, and plain non-tf code between.
// Usage: node bench/ts-gen.mjs [lines] [mixed] > file.ts   (also imported by bench/ts-analyze.mjs)
//
// `mixed` interleaves the TF.js blocks with application code that has no tf calls (WebGPU buffer
// setup and dispatches, data handling, UI formatting), about the density of research/parsing.md's
// synth.ts (578 tf calls in 4,995 lines); the default is every block TF.js (~2,700 ops).

const APP_BLOCKS = [
  (i) => [
    `export function setupPass${i}(device: GPUDevice, n: number): GPUBuffer[] {`,
    `  const input = device.createBuffer({ size: n * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });`,
    `  const output = device.createBuffer({ size: n * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });`,
    `  const encoder = device.createCommandEncoder();`,
    `  const pass = encoder.beginComputePass();`,
    `  pass.dispatchWorkgroups(Math.ceil(n / 64));`,
    `  pass.end();`,
    `  device.queue.submit([encoder.finish()]);`,
    `  return [input, output];`,
    `}`,
    ``,
  ],
  (i) => [
    `export interface Row${i} { id: number; label: string; score: number }`,
    `export function rank${i}(rows: Row${i}[], limit = 10): string[] {`,
    `  const sorted = [...rows].sort((a, b) => b.score - a.score).slice(0, limit);`,
    `  const out: string[] = [];`,
    `  for (const r of sorted) {`,
    `    const pct = (r.score * 100).toFixed(1);`,
    `    out.push(\`\${r.id.toString().padStart(4, '0')} \${r.label} \${pct}%\`);`,
    `  }`,
    `  return out;`,
    `}`,
    ``,
  ],
  (i) => [
    `export class Cache${i}<K, V> {`,
    `  private map = new Map<K, { value: V; at: number }>();`,
    `  constructor(private readonly ttlMs: number) {}`,
    `  get(key: K): V | undefined {`,
    `    const e = this.map.get(key);`,
    `    if (!e || Date.now() - e.at > this.ttlMs) return undefined;`,
    `    return e.value;`,
    `  }`,
    `  set(key: K, value: V): void { this.map.set(key, { value, at: Date.now() }); }`,
    `}`,
    ``,
  ],
];

export function generateTfjsFile(lines = 5000, mixed = false) {
  const out = [
    `import * as tf from '@tensorflow/tfjs';`,
    `import { Tensor, Tensor2D, Tensor4D } from '@tensorflow/tfjs';`,
    ``,
  ];
  const blocks = [
    (i) => [
      `// fusion-lens: x${i}=[256,784] float32`,
      `export function dense${i}(x${i}: Tensor2D, w: Tensor2D, b: tf.Tensor1D): Tensor2D {`,
      `  return tf.tidy(() => {`,
      `    const h = tf.matMul(x${i}, w);`,
      `    const z = tf.add(h, b);`,
      `    return tf.relu(z) as Tensor2D;`,
      `  });`,
      `}`,
      ``,
    ],
    (i) => [
      `export function convBlock${i}(img: Tensor4D): Tensor4D {`,
      `  const filter = tf.randomNormal([3, 3, 16, 32]) as Tensor4D;`,
      `  const bias = tf.zeros([32]);`,
      `  const y = img.conv2d(filter, 1, 'same').add(bias).relu6();`,
      `  return y as Tensor4D;`,
      `}`,
      ``,
    ],
    (i) => [
      `export function preprocess${i}(pixels: Tensor): Tensor {`,
      `  const mean = tf.scalar(127.5);`,
      `  const scaled = pixels.toFloat().sub(mean).div(mean);`,
      `  const clipped = tf.clipByValue(scaled, -1, 1);`,
      `  return clipped.square().sqrt();`,
      `}`,
      ``,
    ],
    (i) => [
      `export class Block${i} extends tf.layers.Layer {`,
      `  private w = tf.variable(tf.randomNormal([128, 64]));`,
      `  private b = tf.variable(tf.zeros([64]));`,
      `  override call(inputs: Tensor | Tensor[]): Tensor {`,
      `    const x = Array.isArray(inputs) ? inputs[0] : inputs;`,
      `    return x.matMul(this.w).add(this.b).sigmoid();`,
      `  }`,
      `  static get className() { return 'Block${i}'; }`,
      `}`,
      ``,
    ],
    (i) => [
      `export function train${i}(opt: tf.Optimizer, xs: Tensor2D, ys: Tensor2D, w: tf.Variable, b: tf.Variable): void {`,
      `  opt.minimize(() => {`,
      `    const pred = tf.sigmoid(tf.add(tf.matMul(xs, w), b));`,
      `    return tf.losses.meanSquaredError(ys, pred) as tf.Scalar;`,
      `  });`,
      `}`,
      ``,
    ],
    (i) => [
      `function helper${i}(values: number[]): number {`,
      `  let total = 0;`,
      `  for (const v of values) {`,
      `    if (v > 0) total += v * ${i};`,
      `    else total -= v;`,
      `  }`,
      `  const set = new Set<number>();`,
      `  set.add(total).add(total + 1);`,
      `  return total / Math.max(1, set.size);`,
      `}`,
      ``,
    ],
    (i) => [
      `export function batch${i}(frames: Tensor[]): Tensor[] {`,
      `  return frames.map(f => tf.sigmoid(f));`,
      `}`,
      ``,
    ],
  ];
  let i = 0;
  let app = 0;
  while (out.length < lines) {
    out.push(...blocks[i % blocks.length](i));
    i++;
    // mixed: three blocks of application code after each TF.js block
    for (let k = 0; mixed && k < 3 && out.length < lines; k++, app++) out.push(...APP_BLOCKS[app % APP_BLOCKS.length](app));
  }
  return out.slice(0, lines).join('\n') + '\n';
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write(generateTfjsFile(Number(process.argv[2] ?? 5000), process.argv[3] === 'mixed'));
}
