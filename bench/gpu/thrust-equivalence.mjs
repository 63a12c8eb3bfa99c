// Builds one CUDA program that runs the Thrust statistics example as written and as fixed by
// Fusion Lens (its golden), and prints both results, for a GPU check that the fused Thrust forms
// compute the same values. Usage: node bench/gpu/thrust-equivalence.mjs > tc.cu
//   nvcc -O2 -std=c++17 -o tc tc.cu && ./tc && compute-sanitizer --tool memcheck ./tc
import { readFileSync } from 'node:fs';

const root = new URL('../../', import.meta.url);
const original = readFileSync(new URL('examples/cuda/thrust_statistics.cu', root), 'utf8');
const fixed = readFileSync(new URL('test/golden/cuda/thrust_statistics.fixed.cu', root), 'utf8');
const strip = s => s.replace(/\/\/[^\n]*/g, '').replace(/\n\s*\n+/g, '\n');
const body = (s, tag) => {
  const i = s.indexOf('int main() {');
  return strip(s.slice(i + 'int main() {'.length, s.lastIndexOf('}'))).replace('return 0;', '').replace('std::printf("mean', `std::printf("${tag} mean`);
};
const head = strip(fixed.slice(0, fixed.indexOf('int main() {')));
process.stdout.write(`${head}\nstatic void original() {${body(original, 'original')}}\nstatic void fused() {${body(fixed, 'fused   ')}}\nint main() { original(); fused(); return 0; }\n`);
