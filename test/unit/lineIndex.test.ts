// LineIndex.afterText (an index moved by an edit) must equal a fresh index of the new text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineIndex } from '../../analyzer/core/text';

test('LineIndex.afterText equals a fresh index after random edits (LF, CRLF, lone CR)', () => {
  let seed = 11;
  const r = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const pieces = ['a', 'bc', '\n', '\r\n', '\r', ' ', 'xyz\n\n'];
  let text = Array.from({ length: 400 }, () => pieces[Math.floor(r() * pieces.length)]).join('');
  let idx = new LineIndex(text);
  for (let i = 0; i < 500; i++) {
    const at = Math.floor(r() * (text.length + 1));
    const del = Math.floor(r() * 4);
    const ins = r() < 0.3 ? '' : pieces[Math.floor(r() * pieces.length)];
    text = text.slice(0, at) + ins + text.slice(at + del);
    idx = LineIndex.afterText(idx, text);
    const fresh = new LineIndex(text);
    assert.equal(idx.lineCount, fresh.lineCount, `edit ${i}`);
    for (let l = 0; l < fresh.lineCount; l++) assert.equal(idx.lineStart(l), fresh.lineStart(l), `edit ${i}, line ${l}`);
  }
});
