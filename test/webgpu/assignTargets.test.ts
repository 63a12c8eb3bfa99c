// mayAssign (analyzer/webgpu/assignTargets.ts) replaces a regular expression on the WebGPU walker's
// per-keystroke path. It may answer true more often (the syntax tree decides later), never less:
// every text the regular expression finds an assignment in, mayAssign must find one in too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ASSIGN_TARGET, mayAssign } from '../../analyzer/webgpu/assignTargets';

const NAMES = new Set(['buf', 'device', 'count', '$x', '_y', 'a1']);
const isName = (n: string) => NAMES.has(n);

function byRegex(text: string): boolean {
  for (const m of text.matchAll(ASSIGN_TARGET)) if (m[1] === undefined || isName(m[1])) return true;
  return false;
}

const PIECES = ['buf', 'device', 'count', '$x', '_y', 'a1', 'other', 'this', '.', ' ', '\n', '\t', '\u00a0', '=', '==', '===', '=>', '!', '<', '>', '?', '*', '&', '|',
  '+', '-', '/', '%', '^', '(', ')', ';', '1', '2x', 'é', '"', "'", 'obj', '[0]', ',', '{', '}'];

test('mayAssign finds every assignment the regular expression finds (random texts)', () => {
  let agree = 0;
  let runs = 0;
  fc.assert(fc.property(fc.array(fc.constantFrom(...PIECES), { maxLength: 14 }), parts => {
    const text = parts.join('');
    const slow = byRegex(text);
    const fast = mayAssign(text, isName);
    runs++;
    if (slow === fast) agree++;
    return !slow || fast;
  }), { numRuns: 20000, seed: 42 });
  // a superset, but a close one: otherwise the text test saves no syntax-tree walks
  assert.ok(agree > runs * 0.97, `mayAssign agrees with the regular expression on ${agree} of ${runs} texts`);
});

test('mayAssign: the assignments and non-assignments it must tell apart', () => {
  const yes = ['buf = x', 'buf=x', 'count += 1', 'count\n  -= 2', 'buf **= 2', 'buf &&= y', 'buf ||= y', 'buf ??= y', 'count <<= 1', 'count >>= 1', 'count >>>= 1',
    'this.pipeline = p', 'this . pipeline = p', 'this.x ??= y', 'if (a) { device = await adapter.requestDevice(); }', 'let q; $x = 3'];
  const no = ['buf == x', 'buf === x', 'buf != x', 'buf !== x', 'buf <= x', 'buf >= x', 'x => buf', 'other = 1', 'obj.buf = 1', '1count = 2',
    'const other = buf;', 'let x = 1', 'abuf = 1'];
  for (const t of yes) assert.equal(mayAssign(t, isName), true, t);
  for (const t of no) assert.equal(mayAssign(t, isName), byRegex(t), t);
  for (const t of no) assert.equal(byRegex(t), false, `the regular expression too: ${t}`);
});
