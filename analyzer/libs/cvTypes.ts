// OpenCV matrix type codes (CV_8UC3, CV_32FC1, ...) and their CUDA vector types, as cvGPUSpeedup's
// cv2cuda_types.cuh maps them.

export type Depth = '8U' | '8S' | '16U' | '16S' | '32S' | '32F' | '64F';

export interface CvType {
  depth: Depth;
  cn: number;
}

const DEPTH_BYTES: Record<Depth, number> = { '8U': 1, '8S': 1, '16U': 2, '16S': 2, '32S': 4, '32F': 4, '64F': 8 };
const CUDA_BASE: Record<Depth, string> = { '8U': 'uchar', '8S': 'char', '16U': 'ushort', '16S': 'short', '32S': 'int', '32F': 'float', '64F': 'double' };

/** `CV_8UC3`, `CV_32F` (one channel), `CV_32FC(3)`; undefined for anything else. */
export function parseCvType(text: string): CvType | undefined {
  const m = /^(?:cv::)?CV_(8U|8S|16U|16S|32S|32F|64F)(?:C(?:(\d)|\((\d)\)))?$/.exec(text.replace(/\s+/g, ''));
  if (!m) return undefined;
  return { depth: m[1] as Depth, cn: Number(m[2] ?? m[3] ?? 1) };
}

export function cvTypeName(t: CvType): string {
  return `CV_${t.depth}C${t.cn}`;
}

export function depthBytes(d: Depth): number {
  return DEPTH_BYTES[d];
}

export function pixelBytes(t: CvType): number {
  return DEPTH_BYTES[t.depth] * t.cn;
}

/** CUDA type of one pixel: uchar3, float3, float (cvGS's CUDA_T). */
export function cudaType(t: CvType): string {
  return CUDA_BASE[t.depth] + (t.cn > 1 ? String(t.cn) : '');
}

export function cudaBase(t: CvType): string {
  return CUDA_BASE[t.depth];
}

export function isFloat(t: CvType): boolean {
  return t.depth === '32F' || t.depth === '64F';
}

/**
 * The colour conversions cvGPUSpeedup and FKL implement (cv2cuda_types.cuh SupportedColorConversions,
 * fkl.md section 3), with the channel counts in and out.
 */
export const SUPPORTED_COLOR_CODES: Record<string, [number, number]> = {
  COLOR_BGR2BGRA: [3, 4], COLOR_RGB2RGBA: [3, 4], COLOR_BGRA2BGR: [4, 3], COLOR_RGBA2RGB: [4, 3],
  COLOR_BGR2RGBA: [3, 4], COLOR_RGB2BGRA: [3, 4], COLOR_BGRA2RGB: [4, 3], COLOR_RGBA2BGR: [4, 3],
  COLOR_BGR2RGB: [3, 3], COLOR_RGB2BGR: [3, 3], COLOR_BGRA2RGBA: [4, 4], COLOR_RGBA2BGRA: [4, 4],
  COLOR_RGB2GRAY: [3, 1], COLOR_RGBA2GRAY: [4, 1], COLOR_BGR2GRAY: [3, 1], COLOR_BGRA2GRAY: [4, 1],
};

/** Channel counts of common OpenCV colour codes the libraries do not implement (for estimates). */
const OTHER_COLOR_CODES: Record<string, [number, number]> = {
  COLOR_BGR2HSV: [3, 3], COLOR_RGB2HSV: [3, 3], COLOR_HSV2BGR: [3, 3], COLOR_HSV2RGB: [3, 3],
  COLOR_BGR2Lab: [3, 3], COLOR_RGB2Lab: [3, 3], COLOR_Lab2BGR: [3, 3], COLOR_Lab2RGB: [3, 3],
  COLOR_BGR2YUV: [3, 3], COLOR_RGB2YUV: [3, 3], COLOR_YUV2BGR: [3, 3], COLOR_YUV2RGB: [3, 3],
  COLOR_BGR2YCrCb: [3, 3], COLOR_RGB2YCrCb: [3, 3], COLOR_GRAY2BGR: [1, 3], COLOR_GRAY2RGB: [1, 3],
  COLOR_GRAY2BGRA: [1, 4], COLOR_GRAY2RGBA: [1, 4], COLOR_BGR2XYZ: [3, 3], COLOR_RGB2XYZ: [3, 3],
};

/** `cv::COLOR_BGR2RGB` or `COLOR_BGR2RGB` -> `COLOR_BGR2RGB`. */
export function colorCodeName(text: string): string | undefined {
  const m = /^(?:cv::)?(?:ColorConversionCodes::)?(COLOR_\w+)$/.exec(text.replace(/\s+/g, ''));
  return m?.[1];
}

export function colorChannels(code: string): [number, number] | undefined {
  return SUPPORTED_COLOR_CODES[code] ?? OTHER_COLOR_CODES[code];
}
