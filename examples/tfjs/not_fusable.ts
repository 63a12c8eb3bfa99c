// Look-alikes that must not be rewritten. Each function's comment says why.
import * as tf from '@tensorflow/tfjs';

// `h` is also returned: tf.fused.matMul would have to compute the product twice (the add → relu
// pair is still reported as an elementwise chain, FL102).
export function keepsHidden(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D): [tf.Tensor, tf.Tensor] {
  const h = tf.matMul(x, w);
  return [h, tf.relu(tf.add(h, b))];
}

// `tf` is a parameter here (shadowing the import): not TensorFlow.js as far as we can tell.
export function shadowed(tf: { relu(x: number): number; matMul(a: number, b: number): number }, a: number): number {
  return tf.relu(tf.matMul(a, a));
}

// A Set has `add` too: no tensor in sight.
export function sets(): number {
  const s = new Set<number>();
  s.add(1).add(2);
  return s.size;
}

// The bias's shape is unknown: finding, but no automatic fix.
export function unknownBias(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor): tf.Tensor {
  return tf.relu(tf.matMul(x, w).add(b));
}

// The weights change between the product and the activation: the arguments cannot move.
export function reassigned(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D): tf.Tensor {
  const h = tf.matMul(x, w);
  w = tf.zeros([1, 1]) as tf.Tensor2D;
  return tf.relu(tf.add(h, b));
}
