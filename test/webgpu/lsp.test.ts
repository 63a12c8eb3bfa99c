// The language server over stdio on a WebGPU file: the FL201 diagnostic, hover on a dispatch, and
// the quick fix's workspace edit (spawns dist/server.js, built by scripts/test.mjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { LspClient } from '../helpers/lspClient';
import { readExample, ROOT } from './helpers';

interface Action { title: string; edit: { changes: Record<string, Array<{ newText: string }>> } }

test('diagnostic, hover and quick fix for a WebGPU file over stdio', async () => {
  const c = new LspClient({ gpu: 'radeon-780m' });
  try {
    await c.initialize();
    const uri = pathToFileURL(path.join(ROOT, 'examples', 'webgpu', 'particles.ts')).toString();
    const text = readExample('particles.ts');
    await c.open(uri, text, 'typescript');
    const diags = await c.waitDiagnostics(uri, d => d.some(x => x.code === 'FL201'));
    const d = diags.find(x => x.code === 'FL201')!;
    assert.match(d.message, /3 dispatches can be one \(apply_forces → integrate → bounce\)/);
    assert.match(d.message, /Radeon 780M/);
    const line = text.split('\n').findIndex(l => l.includes('integrate.dispatchWorkgroups'));
    const hover = await c.request<{ contents: { value: string } }>('textDocument/hover', { textDocument: { uri }, position: { line, character: text.split('\n')[line].indexOf('dispatchWorkgroups') + 2 } });
    assert.match(hover.contents.value, /\*\*`integrate`\*\* · WebGPU dispatch · 65,536 elements/);
    assert.match(hover.contents.value, /\| `particles` \| `particles` \| readwrite \| own element \|/);
    const actions = await c.request<Action[]>('textDocument/codeAction', { textDocument: { uri }, range: d.range, context: { diagnostics: [d] } });
    const fix = actions.find(a => /into one dispatch/.test(a.title));
    assert.ok(fix, JSON.stringify(actions.map(a => a.title)));
    assert.ok(fix.edit.changes[uri].some(e => /const forcesIntegrateBounceWgsl = \/\* wgsl \*\//.test(e.newText)));
  } finally {
    await c.shutdown();
  }
});
