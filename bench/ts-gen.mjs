// Generates a realistic TensorFlow.js source file of about N lines (default 5,000) for the
// TypeScript-frontend benchmarks: dense layers, conv blocks, preprocessing chains, tf.tidy,
// classes with call(), training loops under optimizer.minimize, and plain non-tf code between.
// Usage: node bench/ts-gen.mjs [lines] > file.ts   (also imported by bench/ts-analyze.mjs)

export function generateTfjsFile(lines = 5000) {
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
  while (out.length < lines) {
    out.push(...blocks[i % blocks.length](i));
    i++;
  }
  return out.slice(0, lines).join('\n') + '\n';
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write(generateTfjsFile(Number(process.argv[2] ?? 5000)));
}
