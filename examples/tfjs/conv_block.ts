// A MobileNet-style block on NHWC images: depthwise 3x3 + bias + relu6, pointwise 1x1 conv + bias
// + relu6, then a residual 3x3 conv. Each conv + bias + activation is one tf.fused.* call (FL101).
import * as tf from '@tensorflow/tfjs';
import type { Tensor1D, Tensor4D } from '@tensorflow/tfjs';

export class MobileBlock {
  private depthwise = tf.variable(tf.randomNormal([3, 3, 32, 1], 0, 0.1, 'float32', 11));
  private depthwiseBias = tf.variable(tf.zeros([32]));
  private pointwise = tf.variable(tf.randomNormal([1, 1, 32, 64], 0, 0.1, 'float32', 12));
  private pointwiseBias = tf.variable(tf.zeros([64]));

  apply(x: Tensor4D): Tensor4D {
    return tf.tidy(() => {
      const d = tf.relu6(tf.add(tf.depthwiseConv2d(x, this.depthwise as unknown as Tensor4D, 1, 'same'), this.depthwiseBias));
      return d.conv2d(this.pointwise as unknown as Tensor4D, 1, 'same').add(this.pointwiseBias).relu6() as Tensor4D;
    });
  }
}

// fusion-lens: x=[8,56,56,64] float32
export function residual(x: Tensor4D, filter: Tensor4D, bias: Tensor1D): Tensor4D {
  const y = tf.conv2d(x, filter, [1, 1], 'same');
  const withBias = tf.add(y, bias);
  return tf.leakyRelu(withBias, 0.1).add(x) as Tensor4D;
}

// Strided stem: conv2d with stride 2, bias, PReLU with per-channel weights.
export function stem(image: Tensor4D, filter: Tensor4D, bias: Tensor1D, alpha: tf.Tensor): Tensor4D {
  return tf.prelu(tf.add(tf.conv2d(image, filter, 2, 'valid'), bias) as tf.Tensor, alpha) as Tensor4D;
}
