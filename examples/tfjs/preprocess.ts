// Image preprocessing for a classifier: uint8 pixels → float, scale to [0, 1], normalize per
// channel, clip. Every op is its own GPU program reading and writing the whole image (FL102);
// TF.js has no API to fuse them, so the finding only estimates what one kernel would save.
import * as tf from '@tensorflow/tfjs';

const MEAN = tf.tensor1d([0.485, 0.456, 0.406]);
const STD = tf.tensor1d([0.229, 0.224, 0.225]);

// fusion-lens: pixels=[1,224,224,3] int32
export function normalize(pixels: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const scaled = pixels.toFloat().div(255);
    const centered = scaled.sub(MEAN).div(STD);
    return tf.clipByValue(centered, -3, 3) as tf.Tensor4D;
  });
}

// Augmentation applied to a list of small patches one by one: one GPU program per patch (FL103).
export function brighten(): tf.Tensor[] {
  const patches = [tf.ones([32, 32, 3]), tf.zeros([32, 32, 3]), tf.fill([32, 32, 3], 0.5), tf.ones([32, 32, 3])];
  return patches.map(p => tf.sigmoid(p));
}

// `mean` reduces across channels, so it is not part of the chain; `dark` is returned too, so it
// keeps its store and only its re-read is saved (FL014).
// fusion-lens: rgb=[480,640,3] float32
export function darkAndBoosted(rgb: tf.Tensor3D): [tf.Tensor, tf.Tensor] {
  const gray = rgb.mean(2);
  const dark = tf.sub(1, gray);
  const boosted = dark.square().mul(2);
  return [dark, boosted];
}
