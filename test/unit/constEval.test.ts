import { parseAnnotations } from '../../analyzer/core/annotations';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evalText } from '../../analyzer/cuda/constEval';

const env: Record<string, number> = { N: 4096, W: 1920, H: 1080 };
const ev = (s: string) => evalText(s, n => env[n]);

test('folds literals, shifts, sizeof and C integer division', () => {
  assert.equal(ev('1 << 20'), 1048576);
  assert.equal(ev('(N + 255) / 256'), 16);
  assert.equal(ev('7 / 2'), 3);
  assert.equal(ev('W * H * 3'), 6220800);
  assert.equal(ev('N * sizeof(float)'), 16384);
  assert.equal(ev('sizeof(double) * 2'), 16);
  assert.equal(ev('1 >> 0'), 1);
  assert.equal(ev('1024 >> 2'), 256);
  assert.equal(ev("1'000'000"), 1000000);
  assert.equal(ev('0x100'), 256);
});

test('casts, std::min/max and ternaries', () => {
  assert.equal(ev('(int)(N / 3)'), 1365);
  assert.equal(ev('static_cast<size_t>(N) * 2'), 8192);
  assert.equal(ev('std::min(N, 100)'), 100);
  assert.equal(ev('std::max(W, H)'), 1920);
  assert.equal(ev('N > 1000 ? 1 : 2'), 1);
});

test('unknown symbols and malformed input give undefined, never a guess', () => {
  assert.equal(ev('n * 4'), undefined);
  assert.equal(ev('atoi(argv[1])'), undefined);
  assert.equal(ev('1 +'), undefined);
  assert.equal(ev('1 / 0'), undefined);
  assert.equal(ev('(((((1'), undefined);
});

test('annotation values: items separated by commas; blanks alone get a hint, not a guess', () => {
  const ok = parseAnnotations('// fusion-lens: hiddenSize=512, miniBatch=64\n', [{ start: 0, end: 44 }]);
  assert.equal(ok.values.get('hiddenSize'), 512);
  assert.equal(ok.values.get('miniBatch'), 64);
  const text = '// fusion-lens: hiddenSize=512 miniBatch=64\n';
  const bad = parseAnnotations(text, [{ start: 0, end: text.length - 1 }]);
  assert.equal(bad.values.get('hiddenSize'), undefined);
  assert.match(bad.errors[0].message, /cannot evaluate `512 miniBatch=64` for `hiddenSize` \(separate items with commas: `a=1, b=2`\)/);
});
