// includeSpecs finds quoted #include lines without a line-anchored regular expression (which tried
// every line of a large file); the expression stays here as its specification.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { includeSpecs } from '../../analyzer/analyze';

const spec = (text: string) => {
  const out: string[] = [];
  const re = /^[ \t]*#[ \t]*include[ \t]*"([^"\n]+)"/gm;
  for (let m = re.exec(text); m; m = re.exec(text)) out.push(m[1]);
  return out;
};

test('quoted includes: the same as the line-anchored expression', () => {
  assert.deepEqual(includeSpecs('#include "a.cuh"\n  # include  "b/c.h"\n#include <d.h>\nx #include "no.h"\n// #include "comment.h"\n'), ['a.cuh', 'b/c.h']);
  assert.deepEqual(includeSpecs('#include ""\n#include "broken\n"\r#include "after-cr.h"'), ['after-cr.h']);
  const piece = fc.constantFrom('#', ' ', '\t', 'include', 'includ', '"', 'a.h', '\n', '\r', '\u2028', 'x', '<', '>', '#include "k.cuh"');
  fc.assert(fc.property(fc.array(piece, { maxLength: 30 }), parts => {
    const text = parts.join('');
    assert.deepEqual(includeSpecs(text), spec(text));
  }), { numRuns: 3000 });
});
