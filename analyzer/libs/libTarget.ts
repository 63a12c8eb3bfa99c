// Which fused-library API a rewrite of an OpenCV CUDA chain targets: cvGPUSpeedup when the file uses
// it, FKL when the file uses FKL directly, or what the `fusionLens.libraryTarget` setting says.

export type LibraryTarget = 'auto' | 'cvgs' | 'fkl' | 'none';

export function resolveTarget(text: string, setting: LibraryTarget | undefined): 'cvgs' | 'fkl' | undefined {
  const s = setting ?? 'auto';
  if (s === 'cvgs' || s === 'fkl') return s;
  if (s === 'none') return undefined;
  // the header's name first: a line-anchored search alone visits every line of a large file
  if (text.includes('cvGPUSpeedup.cuh') && /^[ \t]*#[ \t]*include[ \t]*[<"]cvGPUSpeedup\.cuh[>"]/m.test(text)) return 'cvgs';
  if (text.includes('fused_kernel/') && /^[ \t]*#[ \t]*include[ \t]*[<"]fused_kernel\//m.test(text)) return 'fkl';
  return undefined;
}
