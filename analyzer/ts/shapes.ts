// Static shape arithmetic for TF.js ops: broadcasting, matMul, conv2d, reshape, and the shape of a
// nested array literal (`tf.tensor([[1, 2], [3, 4]])`). Unknown inputs give unknown outputs.

import type * as TS from 'typescript';
import type { TypeScriptApi } from './tsModule';

export function sizeOf(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

/** NumPy-style broadcast of known shapes; undefined when incompatible. */
export function broadcastDims(shapes: number[][]): number[] | undefined {
  const rank = Math.max(0, ...shapes.map(s => s.length));
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    let d = 1;
    for (const s of shapes) {
      const x = s[s.length - rank + i] ?? 1;
      if (x === 1) continue;
      if (d !== 1 && d !== x) return undefined;
      d = x;
    }
    out.push(d);
  }
  return out;
}

/** Whether `small` broadcasts into `big` without growing it. */
export function broadcastsInto(small: readonly number[], big: readonly number[]): boolean {
  if (small.length > big.length) return small.slice(0, small.length - big.length).every(d => d === 1) && broadcastsInto(small.slice(small.length - big.length), big);
  for (let i = 1; i <= small.length; i++) {
    const s = small[small.length - i];
    const b = big[big.length - i];
    if (s !== 1 && s !== b) return false;
  }
  return true;
}

export function matMulOutDims(a: number[] | undefined, b: number[] | undefined, tA: boolean, tB: boolean): number[] | undefined {
  if (!a || !b || a.length < 2 || b.length < 2) return undefined;
  const m = tA ? a[a.length - 1] : a[a.length - 2];
  const ka = tA ? a[a.length - 2] : a[a.length - 1];
  const kb = tB ? b[b.length - 1] : b[b.length - 2];
  const n = tB ? b[b.length - 2] : b[b.length - 1];
  if (ka !== kb) return undefined;
  const batch = broadcastDims([a.slice(0, -2), b.slice(0, -2)]);
  return batch ? [...batch, m, n] : undefined;
}

export function matMulK(a: number[] | undefined, tA: boolean): number | undefined {
  if (!a || a.length < 2) return undefined;
  return tA ? a[a.length - 2] : a[a.length - 1];
}

type Pair = number | number[] | undefined;
const pair = (p: Pair, dflt: number): [number, number] => (p === undefined ? [dflt, dflt] : typeof p === 'number' ? [p, p] : [p[0] ?? dflt, p[1] ?? p[0] ?? dflt]);

/** Output shape of conv2d / depthwiseConv2d for 'same' / 'valid' / numeric padding. */
export function conv2dOutDims(x: number[] | undefined, f: number[] | undefined, strides: Pair, pad: string | number | undefined, dataFormat: string, dilations: Pair, depthwise: boolean): number[] | undefined {
  if (!x || !f || f.length !== 4 || (x.length !== 4 && x.length !== 3)) return undefined;
  const x4 = x.length === 3 ? [1, ...x] : x;
  const nchw = dataFormat === 'NCHW';
  const [n, h, w, c] = nchw ? [x4[0], x4[2], x4[3], x4[1]] : x4;
  const [fh, fw, inC, m] = f;
  if (inC !== c) return undefined;
  const [sh, sw] = pair(strides, 1);
  const [dh, dw] = pair(dilations, 1);
  const eh = fh + (fh - 1) * (dh - 1);
  const ew = fw + (fw - 1) * (dw - 1);
  let oh: number;
  let ow: number;
  if (pad === 'same') { oh = Math.ceil(h / sh); ow = Math.ceil(w / sw); }
  else if (pad === 'valid') { oh = Math.ceil((h - eh + 1) / sh); ow = Math.ceil((w - ew + 1) / sw); }
  else if (typeof pad === 'number') { oh = Math.floor((h + 2 * pad - eh) / sh) + 1; ow = Math.floor((w + 2 * pad - ew) / sw) + 1; }
  else return undefined;
  const outC = depthwise ? c * m : m;
  const out = nchw ? [n, outC, oh, ow] : [n, oh, ow, outC];
  return x.length === 3 ? out.slice(1) : out;
}

export function reshapeDims(x: number[] | undefined, shape: number[]): number[] | undefined {
  const neg = shape.filter(d => d === -1).length;
  if (neg === 0) return shape;
  if (neg > 1 || !x) return undefined;
  const known = sizeOf(shape.filter(d => d !== -1));
  const total = sizeOf(x);
  if (!known || total % known) return undefined;
  return shape.map(d => (d === -1 ? total / known : d));
}

/** Dimensions of a nested array literal of numbers, e.g. [[1,2],[3,4]] → [2, 2]. */
export function nestedDims(ts: TypeScriptApi, n: TS.Expression): number[] | undefined {
  if (!ts.isArrayLiteralExpression(n)) return undefined;
  if (!n.elements.length) return [0];
  const first = n.elements[0];
  if (ts.isArrayLiteralExpression(first)) {
    const inner = nestedDims(ts, first);
    return inner ? [n.elements.length, ...inner] : undefined;
  }
  return [n.elements.length];
}
