// What the TensorFlow.js frontend knows about tf.* functions and tensor methods: which ones are
// elementwise GPU programs, which are fusable producers (tf.fused), which create tensors, which
// synchronize with the host. Names follow @tensorflow/tfjs 4.22 (tfjs-core/src/ops).

/** Modules whose namespace or named exports are the tf API. */
export const TF_MODULE = /^@tensorflow\/tfjs(?:-core|-node|-node-gpu|-backend-[\w-]+)?$/;

/** One input, output the same shape: one GPU program that reads and writes every element. */
export const UNARY_EW = new Set([
  'abs', 'acos', 'acosh', 'asin', 'asinh', 'atan', 'atanh', 'ceil', 'clipByValue', 'cos', 'cosh', 'elu', 'erf', 'exp',
  'expm1', 'floor', 'isFinite', 'isInf', 'isNaN', 'leakyRelu', 'log', 'log1p', 'logicalNot', 'logSigmoid', 'neg',
  'reciprocal', 'relu', 'relu6', 'round', 'rsqrt', 'selu', 'sigmoid', 'sign', 'sin', 'sinh', 'softplus', 'sqrt',
  'square', 'step', 'tan', 'tanh', 'cast', 'toFloat', 'toInt', 'toBool',
]);

/** Two tensor inputs with broadcasting. */
export const BINARY_EW = new Set([
  'add', 'sub', 'mul', 'div', 'divNoNan', 'floorDiv', 'maximum', 'minimum', 'mod', 'pow', 'squaredDifference', 'atan2',
  'prelu', 'equal', 'notEqual', 'greater', 'greaterEqual', 'less', 'lessEqual', 'logicalAnd', 'logicalOr', 'logicalXor',
]);

/** Ops that produce bool tensors. */
export const BOOL_OPS = new Set(['equal', 'notEqual', 'greater', 'greaterEqual', 'less', 'lessEqual', 'logicalAnd', 'logicalOr', 'logicalXor', 'logicalNot', 'isFinite', 'isInf', 'isNaN', 'toBool']);

/** Elementwise ops with three tensor inputs. */
export const TERNARY_EW = new Set(['where']);

/** Producers tf.fused can extend with a bias and an activation. */
export const FUSABLE_PRODUCERS = new Set(['matMul', 'conv2d', 'depthwiseConv2d']);

/** Activation ops and their tf.fused `activation` names (anchors.md 4; 4.22 also has sigmoid). */
export const ACTIVATIONS: Record<string, string> = {
  relu: 'relu', relu6: 'relu6', elu: 'elu', prelu: 'prelu', leakyRelu: 'leakyrelu', sigmoid: 'sigmoid',
};

/** Functions that create tensors from host data or shapes (no GPU program we could fuse). */
export const CREATORS = new Set([
  'tensor', 'tensor1d', 'tensor2d', 'tensor3d', 'tensor4d', 'tensor5d', 'tensor6d', 'scalar', 'zeros', 'ones', 'fill',
  'randomNormal', 'randomUniform', 'randomStandardNormal', 'randomGamma', 'truncatedNormal', 'variable', 'zerosLike',
  'onesLike', 'eye', 'linspace', 'range', 'clone', 'complex', 'oneHot',
]);

/** Tensor methods that read the data back to the host (a synchronization point). */
export const SYNC_METHODS = new Set(['dataSync', 'data', 'array', 'arraySync', 'print', 'bufferSync', 'buffer', 'dataToGPU', 'bytes']);

/** tf.* functions that are not GPU ops. */
export const NON_OPS = new Set([
  'tidy', 'dispose', 'keep', 'setBackend', 'getBackend', 'ready', 'memory', 'env', 'engine', 'profile', 'time', 'nextFrame',
  'grad', 'grads', 'valueAndGrad', 'valueAndGrads', 'variableGrads', 'customGrad', 'enableProdMode', 'enableDebugMode',
  'disposeVariables', 'registerKernel', 'registerGradient', 'loadLayersModel', 'loadGraphModel', 'sequential', 'model',
  'input', 'print', 'util', 'version', 'setPlatform', 'findBackend', 'removeBackend', 'registerBackend',
]);

/** Sub-namespaces whose functions are ops (`tf.losses.meanSquaredError`, `tf.image.resizeBilinear`). */
export const OP_NAMESPACES = new Set(['losses', 'image', 'linalg', 'signal', 'spectral', 'fused']);

/** Gradient-recording entry points: a function passed to them runs with gradientDepth > 0. */
export const GRADIENT_FUNCTIONS = new Set(['grad', 'grads', 'valueAndGrad', 'valueAndGrads', 'variableGrads', 'customGrad']);
export const GRADIENT_METHODS = new Set(['minimize', 'computeGradients']);

/**
 * Method names that only tensors have among common JavaScript objects, so an untyped receiver
 * (a JavaScript parameter) is taken to be a tensor. `add`, `sub`, `mul`, `div`, `exp`, `sqrt`
 * are not here: Set, String.prototype.sub and decimal.js have them.
 */
export const TENSOR_ONLY_METHODS = new Set([
  'matMul', 'conv2d', 'depthwiseConv2d', 'relu', 'relu6', 'elu', 'selu', 'leakyRelu', 'prelu', 'sigmoid', 'softplus',
  'logSigmoid', 'square', 'rsqrt', 'reciprocal', 'expandDims', 'squeeze', 'dataSync', 'arraySync', 'dataToGPU', 'toFloat',
  'toInt', 'squaredDifference', 'clipByValue', 'logSoftmax', 'softmax', 'batchNorm', 'resizeBilinear',
]);

export type OpKind = 'unary' | 'binary' | 'ternary' | 'producer' | 'other';

export function opKind(name: string): OpKind {
  if (UNARY_EW.has(name)) return 'unary';
  if (BINARY_EW.has(name)) return 'binary';
  if (TERNARY_EW.has(name)) return 'ternary';
  if (FUSABLE_PRODUCERS.has(name)) return 'producer';
  return 'other';
}

export function isElementwise(name: string): boolean {
  const k = opKind(name);
  return k === 'unary' || k === 'binary' || k === 'ternary';
}

/** Rough arithmetic per output element, for the compute side of the roofline. */
export function flopsPerElement(name: string): number {
  if (['exp', 'expm1', 'log', 'log1p', 'sigmoid', 'tanh', 'elu', 'selu', 'softplus', 'logSigmoid', 'erf', 'pow', 'atan2'].includes(name)) return 8;
  if (['sqrt', 'rsqrt', 'div', 'reciprocal', 'sin', 'cos', 'tan'].includes(name)) return 4;
  return 1;
}

export function dtypeBytes(dtype: string): number | undefined {
  switch (dtype) {
    case 'float32': case 'int32': return 4;
    // bool tensors are stored as 32-bit values on the WebGL (float textures) and WebGPU (i32) backends
    case 'bool': return 4;
    case 'complex64': return 8;
    case 'string': return undefined;
    default: return undefined;
  }
}
