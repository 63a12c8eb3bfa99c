// OpenCV CUDA examples (FL030): the fixed files match their goldens (always), and the original and
// fixed files compile with nvcc against the real cvGPUSpeedup / FKL headers where those are present.
// The headers are fetched outside the repository (docs/libraries.md says how); OpenCV's core headers
// come from Debian's libopencv-core-dev; the CUDA contrib modules (cudaarithm, cudawarping,
// cudaimgproc) are declaration-only stubs in test/stubs. Missing pieces skip with the reason.
// Regenerate goldens after an intended change with: UPDATE_GOLDENS=1 npm test -- nvcc
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { newHost, DEFAULT_OPTIONS } from '../../analyzer/analyze';
import { fixAll } from '../../analyzer/fixAll';
import { EXAMPLES, ROOT } from '../helpers/analyze';
import { compileCuda, nvccPath, pool } from '../helpers/nvcc';

const dir = path.join(EXAMPLES, 'opencv');
const goldenDir = path.join(ROOT, 'test', 'golden', 'opencv');
const examples = fs.readdirSync(dir).filter(f => f.endsWith('.cu')).sort();
const ext = path.resolve(ROOT, '..', 'ext');
const INC = {
  opencv: process.env.FUSION_LENS_OPENCV_INCLUDE ?? '/usr/include/opencv4',
  cvgs: process.env.FUSION_LENS_CVGS_INCLUDE ?? path.join(ext, 'cvgs', 'include'),
  // cvGPUSpeedup pins its own FKL (a submodule, older API); FKL rewrites target FKL LTS-C++17
  cvgsFkl: process.env.FUSION_LENS_CVGS_FKL_INCLUDE ?? path.join(ext, 'fkl-cvgs', 'include'),
  fkl: process.env.FUSION_LENS_FKL_INCLUDE ?? path.join(ext, 'fkl-lts', 'include'),
};
const stubs = path.join(ROOT, 'test', 'stubs');

function fixed(name: string) {
  const file = path.join(dir, name);
  const text = fs.readFileSync(file, 'utf8');
  return fixAll(file, text, newHost(p => (fs.existsSync(p) ? fs.readFileSync(p, 'utf8') : undefined)), DEFAULT_OPTIONS);
}

test('fixed OpenCV examples match their goldens and leave no fixable finding', () => {
  fs.mkdirSync(goldenDir, { recursive: true });
  for (const name of examples) {
    const r = fixed(name);
    assert.equal(r.stalled, undefined, `${name}: a fix did not remove its finding`);
    assert.equal(r.result.findings.filter(f => f.fixable).length, 0, `${name}: fixable findings remain`);
    assert.ok(r.applied.length > 0, `${name}: no fix applied`);
    const golden = path.join(goldenDir, name.replace(/\.cu$/, '.fixed.cu'));
    if (process.env.UPDATE_GOLDENS === '1' || !fs.existsSync(golden)) fs.writeFileSync(golden, r.text);
    assert.equal(r.text, fs.readFileSync(golden, 'utf8'), `${name}: differs from ${path.relative(ROOT, golden)} (UPDATE_GOLDENS=1 to accept)`);
  }
});

function missing(): string | undefined {
  if (!nvccPath()) return 'nvcc not found';
  const need: Array<[string, string]> = [
    [path.join(INC.opencv, 'opencv2', 'core', 'cuda.hpp'), 'OpenCV core headers (apt-get install libopencv-core-dev libopencv-imgproc-dev)'],
    [path.join(INC.cvgs, 'cvGPUSpeedup.cuh'), 'cvGPUSpeedup headers (docs/libraries.md)'],
    [path.join(INC.cvgsFkl, 'fused_kernel', 'fused_kernel.cuh'), 'the FKL version cvGPUSpeedup pins (docs/libraries.md)'],
    [path.join(INC.fkl, 'fused_kernel', 'fused_kernel.h'), 'FKL LTS-C++17 headers (docs/libraries.md)'],
  ];
  const absent = need.filter(([p]) => !fs.existsSync(p)).map(([, what]) => what);
  return absent.length ? `missing ${absent.join(', ')}` : undefined;
}

const why = missing();
if (why) console.log(`# OpenCV/cvGPUSpeedup/FKL compile checks SKIPPED: ${why}`);

test('original and fixed OpenCV examples compile against the real cvGPUSpeedup / FKL headers', { skip: why ?? false }, async () => {
  const jobs = examples.flatMap(name => {
    const original = fs.readFileSync(path.join(dir, name), 'utf8');
    const usesCvgs = original.includes('cvGPUSpeedup.cuh');
    const args = ['-I', usesCvgs ? INC.cvgs : INC.fkl, ...(usesCvgs ? ['-I', INC.cvgsFkl] : []), '-I', INC.opencv, '-I', stubs, '-Xcompiler', '-Wno-deprecated-declarations'];
    return [{ name, text: original, original: true, args }, { name, text: fixed(name).text, original: false, args }];
  });
  const results = await pool(jobs, 2, async j => ({ j, r: await compileCuda(j.name, j.text, {}, j.args) }));
  for (const { j, r } of results) {
    assert.ok(r.ok, `${j.name} (${j.original ? 'original' : 'fixed'}) does not compile:\n${r.output.slice(-4000)}`);
    if (!j.original) assert.doesNotMatch(r.output, /warning/i, `${j.name} (fixed) compiles with warnings:\n${r.output.slice(-4000)}`);
  }
});

// cuBLAS examples (FL032, finding only): the original compiles; the toolkit here may lack cuBLAS, in
// which case a declaration-only cublas_v2.h (test/stubs/cublas) stands in and the test says so.
const cublasDir = path.join(EXAMPLES, 'cublas');
const cublasExamples = fs.existsSync(cublasDir) ? fs.readdirSync(cublasDir).filter(f => f.endsWith('.cu')).sort() : [];

test('cuBLAS examples are reported with their epilogue and compile with nvcc', { skip: nvccPath() ? false : 'nvcc not found' }, async () => {
  const real = spawnSync('bash', ['-c', 'echo "#include <cublas_v2.h>" | nvcc -x cu -E - -o /dev/null'], { encoding: 'utf8' }).status === 0;
  if (!real) console.log('# cublas_v2.h not in this CUDA toolkit: compiling the cuBLAS examples against test/stubs/cublas (declarations only)');
  for (const name of cublasExamples) {
    const file = path.join(cublasDir, name);
    const text = fs.readFileSync(file, 'utf8');
    const r = fixAll(file, text, newHost(() => undefined), DEFAULT_OPTIONS);
    assert.ok(r.result.findings.some(f => f.rule === 'FL032'), `${name}: no FL032 finding`);
    const c = await compileCuda(name, text, {}, real ? [] : ['-I', path.join(ROOT, 'test', 'stubs', 'cublas')]);
    assert.ok(c.ok, `${name} does not compile:\n${c.output}`);
  }
});

// More shapes of generated code than the examples have, compiled against the same headers.
const HDR = '#include <vector>\n#include <opencv2/core.hpp>\n#include <opencv2/cudaarithm.hpp>\n#include <opencv2/cudawarping.hpp>\n#include <opencv2/cudaimgproc.hpp>\n';
const CASES: Array<{ name: string; lib: 'cvgs' | 'fkl'; src: string }> = [
  {
    name: 'fkl_gray_resize.cu', lib: 'fkl',
    src: `${HDR}#include <fused_kernel/fused_kernel.h>\nvoid f(const cv::cuda::GpuMat& src, cv::cuda::GpuMat& out, cv::cuda::Stream& s) {\n  CV_Assert(src.type() == CV_8UC4);\n  cv::cuda::GpuMat r, g;\n  cv::cuda::resize(src, r, cv::Size(320, 240), 0, 0, cv::INTER_LINEAR, s);\n  cv::cuda::cvtColor(r, g, cv::COLOR_BGRA2GRAY, 0, s);\n  g.convertTo(out, CV_32FC1, 1.0 / 255, 0.5, s);\n}\n`,
  },
  {
    name: 'fkl_saturate_split.cu', lib: 'fkl',
    src: `${HDR}#include <fused_kernel/fused_kernel.h>\nvoid f(std::vector<cv::cuda::GpuMat>& planes) {\n  cv::cuda::GpuMat src(480, 640, CV_8UC3), a, b;\n  src.convertTo(a, CV_8UC3, 1.5, -10);\n  a.convertTo(b, CV_32FC3);\n  cv::cuda::split(b, planes);\n}\n`,
  },
  {
    name: 'cvgs_roi_nostream.cu', lib: 'cvgs',
    // `using namespace cv` with plain `cuda::` is ambiguous under CUDA 13 (libcu++'s ::cuda), so qualify it
    src: `${HDR}#include <cvGPUSpeedup.cuh>\nusing namespace cv;\nvoid f(const cv::cuda::GpuMat& frame, cv::cuda::GpuMat& out) {\n  CV_Assert(frame.type() == CV_8UC3);\n  const Rect roi(10, 20, 300, 200);\n  cv::cuda::GpuMat a, b;\n  frame(roi).convertTo(a, CV_32FC3, 1.0 / 255, 0.1);\n  cv::cuda::cvtColor(a, b, COLOR_BGR2RGB);\n  cv::cuda::multiply(b, Scalar(1, 2, 3), out);\n}\n`,
  },
];

test('generated cvGS / FKL code for more op shapes compiles against the real headers', { skip: why ?? false }, async () => {
  const jobs = CASES.map(c => {
    let text = c.src;
    for (let pass = 0; pass < 3; pass++) {
      const r = fixAll('/virtual/' + c.name, text, newHost(() => undefined), DEFAULT_OPTIONS);
      text = r.text;
    }
    assert.notEqual(text, c.src, `${c.name}: no fix applied`);
    const args = ['-I', c.lib === 'cvgs' ? INC.cvgs : INC.fkl, ...(c.lib === 'cvgs' ? ['-I', INC.cvgsFkl] : []), '-I', INC.opencv, '-I', stubs, '-Xcompiler', '-Wno-deprecated-declarations'];
    return { c, text, args };
  });
  const results = await pool(jobs, 2, async j => ({ j, r: await compileCuda(j.c.name, j.text, {}, j.args) }));
  for (const { j, r } of results) assert.ok(r.ok, `${j.c.name} does not compile:\n${r.output.slice(-3000)}\n--- source ---\n${j.text}`);
});
