// FL030: OpenCV CUDA chains — recognition, sizes and types, legality refusals, cvGS and FKL rewrites.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeText, applyFirstFix } from '../helpers/analyze';

const HEAD = '#include <opencv2/cudaarithm.hpp>\n#include <opencv2/cudawarping.hpp>\n#include <opencv2/cudaimgproc.hpp>\n';
const CVGS = '#include <cvGPUSpeedup.cuh>\n';
const FKL = '#include <fused_kernel/fused_kernel.h>\n';

function pre(body: string, include = CVGS, params = 'const cv::cuda::GpuMat& src, std::vector<cv::cuda::GpuMat>& planes, cv::cuda::Stream& s') {
  return `${HEAD}${include}\nvoid pre(${params}) {\n  CV_Assert(src.type() == CV_8UC3);\n  const cv::Size sz(224, 224);\n  const cv::Scalar mean(0.5, 0.5, 0.5);\n  cv::cuda::GpuMat r, f, c, n;\n${body}\n}\n`;
}
const CHAIN = [
  '  cv::cuda::resize(src, r, sz, 0, 0, cv::INTER_LINEAR, s);',
  '  r.convertTo(f, CV_32FC3, 1.0 / 255, s);',
  '  cv::cuda::subtract(f, mean, c, cv::noArray(), -1, s);',
  '  cv::cuda::split(c, planes, s);',
];
const fl030 = (r: ReturnType<typeof analyzeText>) => r.findings.filter(f => f.rule === 'FL030');

test('a resize → convertTo → subtract → split chain is one finding with a cost-model estimate', () => {
  const r = analyzeText(pre(CHAIN.join('\n') + '\n  // fusion-lens: src.width=1920, src.height=1080'));
  const fs = fl030(r);
  assert.equal(fs.length, 1);
  const f = fs[0];
  assert.equal(f.kind, 'library');
  assert.equal(f.launches.length, 4);
  assert.equal(f.estimate.launchesBefore, 4);
  assert.equal(f.estimate.launchesAfter, 1);
  // resize reads at most 4 source pixels per output pixel of 224x224 uchar3, writes float3 planes
  const out = 224 * 224;
  assert.equal(f.estimate.bytesAfter, 4 * out * 3 + out * 12);
  assert.ok(f.estimate.bytesBefore > f.estimate.bytesAfter);
  assert.ok(f.estimate.speedup > 1);
  assert.ok(f.estimate.sizeKnown);
  assert.ok(f.estimate.assumptions.some(a => /1920×1080/.test(a)), f.estimate.assumptions.join('\n'));
  assert.ok(f.estimate.assumptions.some(a => /resize to 224×224/.test(a)));
});

test('cvGS rewrite: resize is the read, convertTo(alpha) becomes a multiply, split writes the planes', () => {
  const src = pre(CHAIN.join('\n'));
  const r = analyzeText(src);
  const f = fl030(r)[0];
  assert.ok(f.fixable, f.fixUnavailable);
  const fixed = applyFirstFix(src, r);
  assert.match(fixed, /planes\.resize\(3\);\n  for \(auto& plane : planes\) plane\.create\(sz, CV_32FC1\);/);
  assert.match(fixed, /cvGS::executeOperations\(s,\n {6}cvGS::resize<CV_8UC3, cv::INTER_LINEAR>\(src, sz, 0, 0\),\n {6}cvGS::multiply<CV_32FC3>\(cv::Scalar::all\(1\.0 \/ 255\)\),\n {6}cvGS::subtract<CV_32FC3>\(mean\),\n {6}cvGS::split<CV_32FC3>\(planes\)\);/);
  assert.doesNotMatch(fixed, /cv::cuda::resize\(|convertTo\(|cv::cuda::split\(/);
  assert.doesNotMatch(fixed, /waitForCompletion/, 'an explicit stream stays asynchronous');
  assert.equal(fl030(analyzeText(fixed)).length, 0);
});

test('FKL rewrite over raw pointers: MemType::Device, enum-class colour code, matching types, includes', () => {
  const body = ['  cv::cuda::resize(src, r, sz);', '  cv::cuda::cvtColor(r, f, cv::COLOR_BGR2RGB);', '  f.convertTo(c, CV_32FC3, 1.0 / 255);', '  cv::cuda::subtract(c, mean, n);'].join('\n');
  const src = pre(body, FKL, 'const cv::cuda::GpuMat& src, cv::cuda::GpuMat& n_out');
  const r = analyzeText(src.replace('cv::cuda::GpuMat r, f, c, n;', 'cv::cuda::GpuMat r, f, c;\n  cv::cuda::GpuMat& n = n_out;'));
  const f = fl030(r)[0];
  assert.ok(f, 'found');
  // `n` is a reference to the caller's image: it is the output, which is fine
  assert.ok(f.fixable, f.fixUnavailable);
  const fixed = applyFirstFix(src.replace('cv::cuda::GpuMat r, f, c, n;', 'cv::cuda::GpuMat r, f, c;\n  cv::cuda::GpuMat& n = n_out;'), r);
  assert.match(fixed, /#include <fused_kernel\/algorithms\/image_processing\/resize\.h>/);
  assert.match(fixed, /#include <fused_kernel\/algorithms\/image_processing\/color_conversion\.h>/);
  assert.match(fixed, /#include <opencv2\/core\/cuda_stream_accessor\.hpp>/);
  assert.match(fixed, /const fk::Ptr2D<uchar3> inputPtr\(reinterpret_cast<uchar3\*>\(src\.data\), src\.cols, src\.rows, static_cast<uint>\(src\.step\), fk::MemType::Device\);/);
  assert.match(fixed, /fk::executeOperations<fk::TransformDPP<>>\(fkStream,\n\s+fk::PerThreadRead<fk::ND::_2D, uchar3>::build\(inputPtr\),\n\s+fk::Resize<fk::InterpolationType::INTER_LINEAR>::build\(fk::Size\(sz\.width, sz\.height\)\),\n\s+fk::ColorConversion<fk::ColorConversionCodes::COLOR_BGR2RGB, float3, float3>::build\(\),\n\s+fk::Mul<float3>::build\(fk::make_set<float3>\(1\.0 \/ 255\)\),\n\s+fk::Sub<float3>::build\(fk::make_<float3>\(static_cast<float>\(mean\[0\]\), static_cast<float>\(mean\[1\]\), static_cast<float>\(mean\[2\]\)\)\),\n\s+fk::PerThreadWrite<fk::ND::_2D, float3>::build\(outputPtr\)\);/);
  assert.match(fixed, /fkStream\.sync\(\); \/\/ OpenCV's default-stream calls return when done/);
  assert.match(fixed, /n\.create\(sz, CV_32FC3\);/);
});

test('no library in the file: finding without a fix, unless the setting names one', () => {
  const src = pre(CHAIN.join('\n'), '');
  let f = fl030(analyzeText(src))[0];
  assert.equal(f.fixable, false);
  assert.match(f.fixUnavailable!, /uses neither cvGPUSpeedup nor FKL/);
  const r = analyzeText(src, '/virtual/test.cu', {}, { libraryTarget: 'cvgs' });
  f = fl030(r)[0];
  assert.ok(f.fixable, f.fixUnavailable);
  assert.match(applyFirstFix(src, r), /^#include <cvGPUSpeedup\.cuh>$/m);
  assert.equal(fl030(analyzeText(src, '/virtual/test.cu', {}, { libraryTarget: 'none' }))[0].fixable, false);
});

test('refused: operations and types the libraries do not have, each named with its call', () => {
  const cases: Array<[string, RegExp]> = [
    [CHAIN.join('\n').replace('cv::INTER_LINEAR', 'cv::INTER_CUBIC'), /`cv::cuda::resize` \(line \d+\): .*INTER_CUBIC.*only implement INTER_LINEAR/],
    ['  cv::cuda::cvtColor(src, r, cv::COLOR_BGR2HSV);\n  r.convertTo(f, CV_32FC3);', /COLOR_BGR2HSV.*only convert between/],
    ['  cv::cuda::subtract(src, mean, r);\n  r.convertTo(f, CV_32FC3);', /OpenCV saturates integer arithmetic/],
    ['  src.convertTo(r, CV_32FC3);\n  cv::cuda::subtract(r, f, c);', /image operand \(`f`\).*no image–image operation/],
    ['  src.convertTo(r, CV_32FC3);\n  cv::cuda::multiply(r, 2.0, c);', /plain number `2\.0` on a 3-channel image/],
    ['  src.convertTo(r, CV_32FC3);\n  cv::cuda::multiply(r, mean, c, 0.5);', /scale factor/],
    ['  src.convertTo(r, CV_32FC3);\n  cv::cuda::add(r, mean, c, mask);', /with a mask/],
    [CHAIN.slice(0, 2).join('\n') + '\n  cv::cuda::GpuMat keep = r;', /`r` is used outside the chain/],
    [CHAIN.slice(0, 2).join('\n') + '\n  cv::cuda::cvtColor(f, c, cv::COLOR_BGR2BGRA, 0, s);', /write 255 \(8-bit opaque\) where OpenCV writes 1\.0/],
    ['  cv::cuda::cvtColor(src, r, cv::COLOR_BGR2GRAY);\n  r.convertTo(f, CV_32FC1);', /fixed-point weights/],
  ];
  for (const [body, re] of cases) {
    const f = fl030(analyzeText(pre(body)))[0];
    assert.ok(f, `no finding for:\n${body}`);
    assert.equal(f.fixable, false, body);
    assert.match(f.fixUnavailable!, re);
  }
  // an unknown input type blocks the rewrite but the estimate says what it assumed
  const f = fl030(analyzeText(pre(CHAIN.join('\n')).replace('CV_Assert(src.type() == CV_8UC3);', '')))[0];
  assert.match(f.fixUnavailable!, /type of `src` is not known/);
  assert.ok(f.estimate.assumptions.some(a => /assumed CV_8UC3/.test(a)));
});

test('chains break at a different stream, at a statement touching the data, and at a host read', () => {
  let r = analyzeText(pre(CHAIN[0] + '\n  r.convertTo(f, CV_32FC3, 1.0 / 255);'));
  assert.equal(fl030(r).length, 0, 'default stream after stream s');
  r = analyzeText(pre(CHAIN[0] + '\n  cv::Mat host; r.download(host);\n' + CHAIN.slice(1).join('\n')));
  const fs = fl030(r);
  assert.equal(fs.length, 1, 'the download ends the first chain');
  assert.equal(fs[0].launches.length, 3);
  r = analyzeText(pre(CHAIN[0] + '\n  s.waitForCompletion();\n' + CHAIN[1]));
  assert.equal(fl030(r).length, 0);
  // an unrelated statement in between does not break the chain
  r = analyzeText(pre(CHAIN[0] + '\n  int unrelated = 3;\n' + CHAIN.slice(1).join('\n')));
  assert.equal(fl030(r)[0]?.launches.length, 4);
});

test('a ROI crop as the chain input, and `using namespace cv`', () => {
  const src = `${HEAD}${CVGS}using namespace cv;\nvoid crop(const cuda::GpuMat& frame, cuda::GpuMat& out, cuda::Stream& s) {\n  CV_Assert(frame.type() == CV_8UC3);\n  const Rect roi(100, 50, 640, 480);\n  cuda::GpuMat r;\n  cuda::resize(frame(roi), r, Size(320, 240), 0, 0, INTER_LINEAR, s);\n  r.convertTo(out, CV_32FC3, 1.0 / 255, s);\n}\n`;
  const r = analyzeText(src);
  const f = fl030(r)[0];
  assert.ok(f?.fixable, f?.fixUnavailable);
  assert.ok(f.estimate.assumptions.some(a => /640×480 \(from the ROI `roi`\)/.test(a)), f.estimate.assumptions.join('\n'));
  const fixed = applyFirstFix(src, r);
  assert.match(fixed, /out\.create\(Size\(320, 240\), CV_32FC3\);/);
  assert.match(fixed, /cvGS::resize<CV_8UC3, cv::INTER_LINEAR>\(frame\(roi\), Size\(320, 240\), 0, 0\)/);
  assert.match(fixed, /cvGS::write<CV_32FC3>\(out\)\);/);
});

test('a chain inside a loop over crops is reported per iteration', () => {
  const src = pre(`  const cv::Rect rois[4] = {cv::Rect(0, 0, 64, 64), cv::Rect(64, 0, 64, 64), cv::Rect(0, 64, 64, 64), cv::Rect(64, 64, 64, 64)};\n  for (int i = 0; i < 4; ++i) {\n    cv::cuda::GpuMat a, b;\n    cv::cuda::resize(src(rois[i]), a, sz, 0, 0, cv::INTER_LINEAR, s);\n    a.convertTo(b, CV_32FC3, 1.0 / 255, s);\n    cv::cuda::subtract(b, mean, c, cv::noArray(), -1, s);\n  }`);
  const f = fl030(analyzeText(src))[0];
  assert.ok(f);
  assert.ok(f.notes.some(n => /once per iteration/.test(n)));
});

const LOOP = (body: string, bound = 'N', decl = 'constexpr int N = 8;') => `${HEAD}${CVGS}#include <array>\n${decl}\nvoid crops(const cv::cuda::GpuMat& frame, const cv::Point (&at)[8], std::array<std::vector<cv::cuda::GpuMat>, 8>& planes, cv::cuda::Stream& s) {\n  CV_Assert(frame.type() == CV_8UC3);\n  const cv::Size sz(64, 128);\n  const cv::Scalar mean(0.5, 0.5, 0.5);\n  for (int i = 0; i < ${bound}; ++i) {\n${body}\n  }\n}\n`;
const LOOP_BODY = [
  '    const cv::Rect box(at[i].x, at[i].y, 96, 192);',
  '    cv::cuda::GpuMat r, f, c;',
  '    cv::cuda::resize(frame(box), r, sz, 0, 0, cv::INTER_LINEAR, s);',
  '    r.convertTo(f, CV_32FC3, 1.0 / 255, s);',
  '    cv::cuda::subtract(f, mean, c, cv::noArray(), -1, s);',
  '    cv::cuda::split(c, planes[i], s);',
].join('\n');

test('FL033: a loop over crops becomes one batched cvGS call (std::array batch), replacing the per-iteration fix', () => {
  const src = LOOP(LOOP_BODY);
  const r = analyzeText(src);
  const f = r.findings.find(x => x.rule === 'FL033');
  assert.ok(f?.fixable, f?.fixUnavailable);
  assert.equal(f.estimate.launchesBefore, 8 * 4);
  assert.equal(f.estimate.launchesAfter, 1);
  assert.ok(f.estimate.assumptions.some(a => /96×192 \(from the ROI `box`\)/.test(a)), f.estimate.assumptions.join('\n'));
  assert.equal(fl030(r).length, 0, 'the batched fix replaces the per-iteration one');
  const fixed = applyFirstFix(src, r);
  assert.match(fixed, /std::array<cv::cuda::GpuMat, N> batchInputs;\n  std::array<std::vector<cv::cuda::GpuMat>, N> batchOutputs;\n  for \(int i = 0; i < N; \+\+i\) \{\n    const cv::Rect box\(at\[i\]\.x, at\[i\]\.y, 96, 192\);\n    batchInputs\[i\] = frame\(box\);\n    planes\[i\]\.resize\(3\);\n    for \(auto& plane : planes\[i\]\) plane\.create\(sz, CV_32FC1\);\n    batchOutputs\[i\] = planes\[i\];\n  \}/);
  assert.match(fixed, /cvGS::resize<CV_8UC3, cv::INTER_LINEAR, N>\(batchInputs, sz, N\),/);
  assert.match(fixed, /cvGS::split<CV_32FC3>\(batchOutputs\)\);/);
  const again = analyzeText(fixed);
  assert.equal(again.findings.filter(x => x.rule === 'FL033' || x.rule === 'FL030').length, 0);
});

test('FL033 refused: a bound unknown at compile time, other work in the body, a shared output', () => {
  let r = analyzeText(LOOP(LOOP_BODY, 'count', 'int count = 8;'));
  assert.equal(r.findings.filter(x => x.rule === 'FL033').length, 0, 'not a compile-time batch');
  assert.ok(fl030(r)[0]?.fixable, 'each iteration still fuses');
  r = analyzeText(LOOP(LOOP_BODY + '\n    printf("crop %d\\n", i);'));
  let f = r.findings.find(x => x.rule === 'FL033');
  assert.equal(f?.fixable, false);
  assert.match(f!.fixUnavailable!, /does more than the chain/);
  r = analyzeText(LOOP(LOOP_BODY.replace('split(c, planes[i], s)', 'split(c, planes[0], s)')));
  f = r.findings.find(x => x.rule === 'FL033');
  assert.match(f!.fixUnavailable!, /its own planes/);
});
