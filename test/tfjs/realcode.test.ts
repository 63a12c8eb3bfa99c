// Real TF.js code: @tensorflow/tfjs-layers 4.22's own sources (they import tfjs-core as `tfc`).
// The analyzer must not throw, and it finds the elementwise chains of activations and losses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeTs, ROOT } from './helpers';

const LAYERS = path.join(ROOT, 'node_modules', '@tensorflow', 'tfjs-layers', 'dist');

test('tfjs-layers sources: no crash, gelu/mish/swish chains found, every FL101 has a fix or says why not', () => {
  const files = ['activations.js', 'losses.js', 'backend/tfjs_backend.js', 'layers/core.js', 'layers/recurrent.js'];
  const chains: string[] = [];
  for (const f of files) {
    const text = fs.readFileSync(path.join(LAYERS, f), 'utf8');
    const r = analyzeTs(text, path.join(LAYERS, f));
    for (const x of r.findings) chains.push(`${f}:${x.launches.map(l => l.callee).join('>')}`);
    assert.ok(r.findings.every(x => x.rule !== 'FL101' || x.fix || x.fixUnavailable), f);
  }
  assert.ok(chains.includes('activations.js:div>erf>add>mul>mul'), chains.join('\n')); // gelu
  assert.ok(chains.includes('activations.js:softplus>tanh>mul'), chains.join('\n')); // mish
  assert.ok(chains.includes('activations.js:mul>sigmoid>mul'), chains.join('\n')); // swish
  assert.ok(chains.length >= 30, `${chains.length} chains`);
});
