// Snippets whose quick fix is executed before and after (equivalence.test.ts on the CPU backend,
// webgpu.test.ts on the WebGPU backend).
export type Input = number[] | { shape: number[]; dtype: 'int32' };

export interface Case {
  name: string;
  src: string;
  inputs: Input[];
  /** Substrings the rewritten source must contain. */
  expect: string[];
  file?: string;
}

const TF = `import * as tf from '@tensorflow/tfjs';\n`;

export const CASES: Case[] = [
  { name: 'functional matMul + bias + relu', src: TF + `export function run(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D) { return tf.relu(tf.add(tf.matMul(x, w), b)); }`, inputs: [[8, 16], [16, 12], [12]], expect: [`tf.fused.matMul({a: x, b: w, bias: b, activation: 'relu'})`] },
  { name: 'chained matMul + bias + sigmoid', src: TF + `export function run(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D) { return x.matMul(w).add(b).sigmoid(); }`, inputs: [[5, 7], [7, 3], [3]], expect: [`activation: 'sigmoid'`] },
  { name: 'bias first, transposeB, relu6', src: TF + `export function run(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D) { return tf.relu6(tf.add(b, tf.matMul(x, w, false, true))); }`, inputs: [[6, 9], [4, 9], [4]], expect: ['transposeB: true', `activation: 'relu6'`] },
  { name: 'transposeA, elu, no bias', src: TF + `export function run(x: tf.Tensor2D, w: tf.Tensor2D) { return tf.elu(tf.matMul(x, w, true)); }`, inputs: [[9, 6], [9, 4]], expect: ['transposeA: true', `activation: 'elu'`] },
  { name: 'batched 3-D matMul with a 1-D bias and leakyRelu default alpha', src: TF + `export function run(a: tf.Tensor3D, b: tf.Tensor3D, bias: tf.Tensor1D) { return tf.leakyRelu(tf.matMul(a, b).add(bias)); }`, inputs: [[3, 5, 6], [3, 6, 4], [4]], expect: [`activation: 'leakyrelu'`] },
  { name: 'leakyRelu with alpha and a numeric bias', src: TF + `export function run(x: tf.Tensor2D, w: tf.Tensor2D) { return x.matMul(w).add(0.5).leakyRelu(0.3); }`, inputs: [[4, 4], [4, 4]], expect: ['bias: 0.5', 'leakyreluAlpha: 0.3'] },
  { name: 'prelu weights', src: TF + `export function run(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D, alpha: tf.Tensor1D) { return tf.prelu(tf.add(tf.matMul(x, w), b), alpha); }`, inputs: [[6, 5], [5, 7], [7], [7]], expect: [`preluActivationWeights: alpha`] },
  { name: 'a receiver computed in the same expression (tfjs-examples mnist-core)', src: TF + `export function run(x: tf.Tensor4D, w: tf.Tensor2D, b: tf.Tensor1D) { return x.as2D(-1, w.shape[0]).matMul(w).add(b); }`, inputs: [[2, 2, 2, 3], [12, 5], [5]], expect: ['tf.fused.matMul({a: x.as2D(-1, w.shape[0]), b: w, bias: b})'] },
  { name: 'linear: bias only', src: TF + `export function run(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor2D) { return tf.add(tf.matMul(x, w), b); }`, inputs: [[6, 5], [5, 7], [1, 7]], expect: ['bias: b})'] },
  { name: 'across statements in tf.tidy', src: TF + `export function run(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D) {\n  return tf.tidy(() => {\n    const h = tf.matMul(x, w);\n    const z = h.add(b);\n    const y = tf.relu(z);\n    return y;\n  });\n}`, inputs: [[8, 16], [16, 12], [12]], expect: ['const y = tf.fused.matMul('] },
  { name: 'class method with field weights', src: TF + `export class Dense {\n  w = tf.variable(tf.randomNormal([16, 8], 0, 1, 'float32', 7));\n  b = tf.variable(tf.zeros([8]));\n  call(x: tf.Tensor2D) { return x.matMul(this.w).add(this.b).relu(); }\n}\nexport function run(x: tf.Tensor2D) { return new Dense().call(x); }`, inputs: [[4, 16]], expect: ['bias: this.b'] },
  { name: 'named imports gain `fused`', src: `import { matMul, add, relu, Tensor2D, Tensor1D } from '@tensorflow/tfjs';\nexport function run(x: Tensor2D, w: Tensor2D, b: Tensor1D) { return relu(add(matMul(x, w), b)); }`, inputs: [[3, 4], [4, 5], [5]], expect: ['Tensor1D, fused }', 'fused.matMul({a: x'] },
  { name: 'require and a re-bound namespace', src: `const tfjs = require('@tensorflow/tfjs');\nconst T = tfjs;\nexport function run(x, w, b) { const y = T.sigmoid(T.add(T.matMul(x, w), b)); return y; }\n// fusion-lens: b=[5]`, inputs: [[3, 4], [4, 5], [5]], expect: ['T.fused.matMul('], file: '/virtual/model.js' },
  { name: 'conv2d NHWC stride [2,1] valid + bias + relu', src: TF + `export function run(x: tf.Tensor4D, f: tf.Tensor4D, b: tf.Tensor1D) { return tf.relu(tf.add(tf.conv2d(x, f, [2, 1], 'valid'), b)); }`, inputs: [[2, 9, 8, 3], [3, 3, 3, 4], [4]], expect: [`tf.fused.conv2d({x: x, filter: f, strides: [2, 1], pad: 'valid', bias: b, activation: 'relu'})`] },
  { name: 'conv2d with dilations, numeric pad and dimRoundingMode (chained)', src: TF + `export function run(x: tf.Tensor4D, f: tf.Tensor4D, b: tf.Tensor1D) { return x.conv2d(f, 1, 1, 'NHWC', 2, 'floor').add(b).elu(); }`, inputs: [[1, 10, 10, 2], [3, 3, 2, 3], [3]], expect: ['dilations: 2', `dimRoundingMode: 'floor'`] },
  { name: 'depthwiseConv2d, channel multiplier 2, dilation 2, relu6', src: TF + `export function run(x: tf.Tensor4D, f: tf.Tensor4D, b: tf.Tensor1D) { return tf.relu6(tf.add(tf.depthwiseConv2d(x, f, 1, 'valid', 'NHWC', [2, 2]), b)); }`, inputs: [[1, 11, 11, 3], [3, 3, 3, 2], [6]], expect: ['tf.fused.depthwiseConv2d(', 'dilations: [2, 2]'] },
  { name: 'conv2d prelu with 1-D weights (3-D input)', src: TF + `export function run(x: tf.Tensor3D, f: tf.Tensor4D, b: tf.Tensor1D, a: tf.Tensor1D) { return tf.prelu(tf.add(tf.conv2d(x, f, 1, 'same'), b) as tf.Tensor, a); }`, inputs: [[7, 7, 2], [3, 3, 2, 5], [5], [5]], expect: [`activation: 'prelu'`] },
  { name: 'batch loop via map (FL103)', src: TF + `export function run() { const xs = [tf.ones([4, 4]), tf.fill([4, 4], -2), tf.zeros([4, 4])]; return xs.map(x => tf.sigmoid(x)); }`, inputs: [], expect: ['tf.unstack(tf.sigmoid(tf.stack(xs)))'] },
];

