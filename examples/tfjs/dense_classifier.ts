// A small MNIST-style classifier written with TF.js ops: 784 → 256 → 128 → 10.
// The forward pass chains matMul, a bias add and an activation per layer; each chain is one
// tf.fused.matMul (FL101). The training step runs the same ops under optimizer.minimize, where a
// fused op with a non-linear activation falls back to unfused ops (FL101 warns, offers no fix).
import * as tf from '@tensorflow/tfjs';

const BATCH = 64;

const w1 = tf.variable(tf.randomNormal([784, 256], 0, 0.05, 'float32', 1));
const b1 = tf.variable(tf.zeros([256]));
const w2 = tf.variable(tf.randomNormal([256, 128], 0, 0.05, 'float32', 2));
const b2 = tf.variable(tf.zeros([128]));
const w3 = tf.variable(tf.randomNormal([128, 10], 0, 0.05, 'float32', 3));
const b3 = tf.variable(tf.zeros([10]));

// fusion-lens: images=[64,784] float32
export function predict(images: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const h1 = tf.relu(tf.add(tf.matMul(images, w1), b1));
    const h2 = h1.matMul(w2).add(b2).relu();
    const logits = tf.add(tf.matMul(h2, w3), b3);
    return tf.softmax(logits) as tf.Tensor2D;
  });
}

// Same layer written across statements; the intermediates are used once, so they can go.
export function hiddenFeatures(images: tf.Tensor2D): tf.Tensor2D {
  const z = tf.matMul(images, w1);
  const biased = z.add(b1);
  const act = tf.elu(biased);
  return act as tf.Tensor2D;
}

const optimizer = tf.train.sgd(0.01);

export function trainStep(images: tf.Tensor2D, labels: tf.Tensor2D): number {
  const loss = optimizer.minimize(() => {
    const h = tf.sigmoid(tf.add(tf.matMul(images, w1), b1));
    const out = tf.add(tf.matMul(h, w2.slice([0, 0], [256, 10])), b3);
    return tf.losses.softmaxCrossEntropy(labels, out).mean() as tf.Scalar;
  }, true);
  const value = loss!.dataSync()[0];
  loss!.dispose();
  return value;
}

export const batchSize = BATCH;
