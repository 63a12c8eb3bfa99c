// Text helpers of the TF.js frontend (analyzer/ts/frontend.ts). fileTextFacts keeps its
// whole-text answers across edits that do not come near the words they look for: after every
// random edit, the kept answers must equal the answers tested afresh on the new text. wordsOf must
// find what the regular expressions it replaced find.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileTextFacts, forgetFile, wordsOf } from '../../analyzer/ts/frontend';
import { rng } from './edits';

const WORDS = ['// fusion-lens: x=[4,4]', 'fusion-lens', ':', "tf.setBackend('webgpu');", "setBackend('cpu')", "setBackend(  'wasm' )", 'setBackend', "'", '"', '@tensorflow/tfjs', "import '@tensorflow/tfjs-backend-webgpu';",
  'tfjs-backend-webgpu', 'pass.dispatchWorkgroups(8);', 'dispatch', 'Workgroups', '.matMul(', '. relu (', '.sigmoid', 'conv2d(', '\n', ' ', '  \n\t ', 'x', '(', ')'];

const START = `import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
// fusion-lens: x=[8,8] float32
// a long comment ${'padding '.repeat(20)}
await tf.setBackend('webgl');
export function f(x) { return x.matMul(w).relu(); }
${'const filler = 1;\n'.repeat(30)}
function g(pass) { pass.dispatchWorkgroups(64); }
tf.setBackend('cpu');
`;

test('fileTextFacts after random edits equals the facts of the new text tested afresh', () => {
  const r = rng(11);
  const FILE = '/virtual/facts.ts';
  let kept = 0;
  let edits = 0;
  for (let run = 0; run < 20; run++) {
    let text = run % 2 ? START : START.replace(/tf\.|setBackend|dispatch/g, 'z');
    forgetFile(FILE);
    let last = fileTextFacts(FILE, text);
    for (let i = 0; i < 60; i++) {
      const at = Math.floor(r() * (text.length + 1));
      const del = r() < 0.4 ? Math.floor(r() * 12) : 0;
      const ins = r() < 0.8 ? WORDS[Math.floor(r() * WORDS.length)] : '';
      const before = text;
      text = text.slice(0, at) + ins + text.slice(Math.min(text.length, at + del));
      const incremental = fileTextFacts(FILE, text);
      edits++;
      if (incremental === last) kept++; // the answers were kept, not tested again
      forgetFile(FILE);
      const fresh = fileTextFacts(FILE, text);
      assert.deepEqual(incremental, fresh, `run ${run}, edit ${i}: ${JSON.stringify(before.slice(Math.max(0, at - 20), at + 20))} → ${JSON.stringify(ins)}`);
      last = fresh;
    }
  }
  // both paths ran: answers kept for edits far from the words, tested again near them
  assert.ok(kept > edits * 0.2 && kept < edits * 0.9, `kept ${kept} of ${edits}`);
});

test('an edit far from the words keeps the answers without testing again', () => {
  const FILE = '/virtual/facts2.ts';
  forgetFile(FILE);
  const a = fileTextFacts(FILE, START);
  const at = START.indexOf('const filler') + 200;
  const b = fileTextFacts(FILE, START.slice(0, at) + 'y' + START.slice(at));
  assert.equal(a, b, 'the same object: kept');
  assert.deepEqual(a, { usesTf: true, mayHaveOps: true, setBackend: 'cpu', importsWebGpuBackend: true, webgpu: true, annotated: true });
});

test('wordsOf finds what its two regular expressions find (words, and words called)', () => {
  const r = rng(5);
  const ALPH = ['a', 'Z', '1', '$', '_', ' ', '\t', '\n', '(', ')', '.', 'é', '\u00a0', '\u2028', 'f(', '9a', 'λ', 'tf.relu (x)'];
  const texts = [START];
  for (let i = 0; i < 400; i++) { let t = ''; for (let k = 0; k < 30; k++) t += ALPH[Math.floor(r() * ALPH.length)]; texts.push(t); }
  for (const t of texts) {
    const calls = new Set<string>();
    for (const m of t.matchAll(/([A-Za-z_$][\w$]*)\s*\(/g)) calls.add(m[1]);
    const w = wordsOf(t);
    assert.deepEqual([...w.calls].sort(), [...calls].sort(), JSON.stringify(t));
    assert.deepEqual([...w.freeNames].sort(), [...new Set(t.match(/[A-Za-z_$][\w$]*/g) ?? [])].sort(), JSON.stringify(t));
  }
});
