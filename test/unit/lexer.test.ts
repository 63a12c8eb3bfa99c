import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lex, Tok } from '../../analyzer/cuda/lexer';

const texts = (src: string) => { const t = lex(src); return Array.from({ length: t.count }, (_, i) => t.text(i)); };

test('`<<<` is one token and `>` never merges', () => {
  assert.deepEqual(texts('k<<<g, b>>>(x);'), ['k', '<<<', 'g', ',', 'b', '>', '>', '>', '(', 'x', ')', ';']);
  const t = lex('k<<<g,b>>>(x)');
  assert.equal(t.kinds[1], Tok.LaunchOpen);
});

test('comments, strings and raw strings hide launches', () => {
  const src = '// k<<<1,1>>>()\n/* k<<<1,1>>>() */ const char* s = "k<<<1,1>>>()"; auto r = R"x(k<<<1,1>>>())x"; char c = \'<\';';
  const t = lex(src);
  for (let i = 0; i < t.count; i++) assert.notEqual(t.kinds[i], Tok.LaunchOpen, `token ${t.text(i)}`);
  assert.equal(t.comments.length, 2);
  assert.ok(texts(src).includes('R"x(k<<<1,1>>>())x"'));
});

test('preprocessor lines with continuations are one token', () => {
  const src = '#define LAUNCH(k) \\\n  k<<<1, 1>>>()\nint x;';
  const t = lex(src);
  assert.equal(t.kinds[0], Tok.Preproc);
  assert.equal(t.text(0), '#define LAUNCH(k) \\\n  k<<<1, 1>>>()');
  assert.deepEqual(texts(src).slice(1), ['int', 'x', ';']);
});

test('numbers: separators, exponents, hex floats, suffixes', () => {
  assert.deepEqual(texts('1\'000\'000 1e-5f 0x1p-3 1.5e+10 256u 1ull'), ["1'000'000", '1e-5f', '0x1p-3', '1.5e+10', '256u', '1ull']);
});

test('offsets are exact and an unterminated comment is reported, not thrown', () => {
  const src = 'int a; /* never closed';
  const t = lex(src);
  assert.equal(t.starts[1], 4);
  assert.equal(t.problems.length, 1);
  assert.match(t.problems[0].message, /unterminated block comment/);
});

test('binary garbage lexes without throwing', () => {
  let s = '';
  for (let i = 0; i < 5000; i++) s += String.fromCharCode((i * 7919) % 65536);
  const t = lex(s);
  assert.ok(t.count > 0);
});
