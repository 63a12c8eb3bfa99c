// Element types and their sizes, for byte counts. Vector types carry their channel count.

const SCALAR: Record<string, number> = {
  char: 1, 'signed char': 1, 'unsigned char': 1, uchar: 1, int8_t: 1, uint8_t: 1, bool: 1,
  short: 2, 'unsigned short': 2, ushort: 2, int16_t: 2, uint16_t: 2, half: 2, __half: 2, __nv_bfloat16: 2, bfloat16: 2,
  int: 4, unsigned: 4, 'unsigned int': 4, uint: 4, int32_t: 4, uint32_t: 4, float: 4, __half2: 4, half2: 4, __nv_bfloat162: 4,
  long: 8, 'unsigned long': 8, 'long long': 8, 'unsigned long long': 8, int64_t: 8, uint64_t: 8, size_t: 8, 'std::size_t': 8, ptrdiff_t: 8, double: 8,
  long_long: 8, ulong: 8,
};

const VECTOR_BASE: Record<string, number> = {
  char: 1, uchar: 1, short: 2, ushort: 2, int: 4, uint: 4, float: 4, long: 8, ulong: 8, longlong: 8, ulonglong: 8, double: 8,
};

/** Size in bytes of a C/CUDA element type, or undefined when unknown (templates, user structs). */
export function elementSize(type: string): number | undefined {
  const t = type.replace(/\b(const|volatile|__restrict__|__restrict|restrict|struct)\b/g, ' ').replace(/\s+/g, ' ').trim();
  if (/\*$/.test(t)) return 8;
  if (t in SCALAR) return SCALAR[t];
  const v = /^(u?(?:char|short|int|long|longlong)|float|double)([1-4])$/.exec(t);
  if (v && v[1] in VECTOR_BASE) {
    const n = Number(v[2]);
    return VECTOR_BASE[v[1]] * n;
  }
  return undefined;
}

/** Strips qualifiers and pointer stars: `const float* __restrict__` -> `float`. */
export function baseType(typeText: string): string {
  let b = baseTypes.get(typeText);
  if (b === undefined) {
    b = typeText
      .replace(/\b(const|volatile|__restrict__|__restrict|restrict|struct|__grid_constant__)\b/g, ' ')
      .replace(/[*&]/g, ' ')
      .replace(/\s+/g, ' ')
      .trim();
    if (baseTypes.size > 10_000) baseTypes.clear();
    baseTypes.set(typeText, b);
  }
  return b;
}
/** Memo of baseType: a file spells the same few parameter types thousands of times. */
const baseTypes = new Map<string, string>();
