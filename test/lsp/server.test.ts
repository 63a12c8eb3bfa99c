// The bundled language server over stdio: diagnostics, hover, code actions, incremental edits,
// and robustness against bad input and bad clients.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { applyEdits, LineIndex } from '../../analyzer/core/text';
import { LspClient } from '../helpers/lspClient';
import { EXAMPLES } from '../helpers/analyze';

const file = path.join(EXAMPLES, 'cuda', 'image_normalize.cu');
const uri = `file://${file}`;
const text = fs.readFileSync(file, 'utf8');
const lineOf = (needle: string) => text.split('\n').findIndex(l => l.includes(needle));

interface Hover { contents: { value: string } }
interface LspEdit { range: { start: { line: number; character: number }; end: { line: number; character: number } }; newText: string }
interface Action { title: string; kind: string; isPreferred?: boolean; edit: { changes: Record<string, LspEdit[]> } }

function applyLspEdits(src: string, edits: LspEdit[]): string {
  const li = new LineIndex(src);
  return applyEdits(src, edits.map(e => ({ span: { start: li.offset(e.range.start), end: li.offset(e.range.end) }, newText: e.newText })));
}

test('diagnostics, hover and quick fix over stdio', async () => {
  const c = new LspClient();
  try {
    const init = (await c.initialize(path.join(EXAMPLES, 'cuda'))) as { capabilities: Record<string, unknown> };
    assert.ok(init.capabilities.hoverProvider);
    await c.open(uri, text);
    const diags = await c.waitDiagnostics(uri, d => d.some(x => x.code === 'FL001'));
    const d = diags.find(x => x.code === 'FL001')!;
    assert.equal(d.source, 'fusion-lens');
    assert.equal(d.severity, 2);
    assert.equal(d.range.start.line, lineOf('u8_to_f32<<<'));
    assert.equal(d.codeDescription?.href, 'file:///docs/rules/FL001.md');
    assert.equal(d.relatedInformation?.length, 3);
    assert.match(d.message, /3 launches can be fused .*saves .*MiB.*on H100/);

    const hover = await c.request<Hover>('textDocument/hover', { textDocument: { uri }, position: { line: lineOf('subtract_mean<<<'), character: 4 } });
    assert.match(hover.contents.value, /\*\*`subtract_mean`\*\* launch · 6,220,800 elements/);
    assert.match(hover.contents.value, /estimated time \| [\d.]+ µs on H100/);
    assert.match(hover.contents.value, /\*\*Fusable\*\* \(FL001/);

    const kh = await c.request<Hover>('textDocument/hover', { textDocument: { uri }, position: { line: lineOf('__global__ void divide_std'), character: 18 } });
    assert.match(kh.contents.value, /\*\*`divide_std`\*\* kernel · guarded 1D/);
    assert.match(kh.contents.value, /\| `in` \| `float` \| read \| own element \|/);

    const actions = await c.request<Action[]>('textDocument/codeAction', { textDocument: { uri }, range: d.range, context: { diagnostics: [d], only: ['quickfix'] } });
    assert.equal(actions.length, 1);
    assert.ok(actions[0].isPreferred);
    const fixed = applyLspEdits(text, actions[0].edit.changes[uri]);
    assert.match(fixed, /__global__ void u8_to_f32_subtract_mean_divide_std_fused\(/);
    assert.match(fixed, /u8_to_f32_subtract_mean_divide_std_fused<<<grid, block>>>\(d_frame, d_normalized, n\);/);
    assert.doesNotMatch(fixed, /subtract_mean<<</);

    const all = await c.request<Action[]>('textDocument/codeAction', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, context: { diagnostics: [], only: ['source.fixAll.fusionLens'] } });
    assert.equal(all.length, 1);
    assert.equal(applyLspEdits(text, all[0].edit.changes[uri]), fixed);

    // an incremental edit: a sync between the launches removes the finding; hover says why not
    const at = lineOf('subtract_mean<<<');
    await c.change(uri, 2, [{ range: { start: { line: at, character: 0 }, end: { line: at, character: 0 } }, text: '  cudaDeviceSynchronize();\n' }]);
    await c.waitDiagnostics(uri, ds => !ds.some(x => x.code === 'FL001' && x.range.start.line === lineOf('u8_to_f32<<<')));
    const why = await c.request<Hover>('textDocument/hover', { textDocument: { uri }, position: { line: at + 1, character: 4 } });
    assert.match(why.contents.value, /Not fused with `u8_to_f32`.*FL010.*cudaDeviceSynchronize/);
  } finally {
    assert.equal(await c.shutdown(), 0, c.stderr);
  }
});

test('hundreds of rapid edits: diagnostics end up for the latest text only', async () => {
  const c = new LspClient();
  try {
    await c.initialize();
    const u = 'file:///virtual/rapid.cu';
    await c.open(u, text);
    await c.waitDiagnostics(u, d => d.some(x => x.code === 'FL001'));
    let version = 1;
    const at = lineOf('subtract_mean<<<');
    // type a sync call character by character and delete it again, five times (~140 edits),
    // the last time leaving it in place
    const insert = '  cudaDeviceSynchronize();\n';
    for (let round = 0; round < 5; round++) {
      for (let k = 0; k < insert.length; k++) {
        await c.change(u, ++version, [{ range: { start: { line: at, character: k }, end: { line: at, character: k } }, text: insert[k] }]);
      }
      if (round < 4) await c.change(u, ++version, [{ range: { start: { line: at, character: 0 }, end: { line: at + 1, character: 0 } }, text: '' }]);
    }
    const ds = await c.waitDiagnostics(u, d => !d.some(x => x.code === 'FL001' && x.range.start.line < at));
    assert.ok(!ds.some(x => x.code === 'FL001' && x.range.start.line < at));
    const hover = await c.request<Hover>('textDocument/hover', { textDocument: { uri: u }, position: { line: at + 1, character: 4 } });
    assert.match(hover.contents.value, /Not fused/);
  } finally {
    assert.equal(await c.shutdown(), 0, c.stderr);
  }
});

test('bad input and bad clients: binary, 5 MB, unterminated comment, unknown documents, closed mid-analysis', async () => {
  const c = new LspClient();
  try {
    await c.initialize();
    let bin = '';
    for (let i = 0; i < 200000; i++) bin += String.fromCharCode((i * 2654435761) % 65521);
    await c.open('file:///virtual/bin.cu', bin);
    const big = text.repeat(Math.ceil((5 * 1024 * 1024) / text.length));
    await c.open('file:///virtual/big.cu', big);
    await c.open('file:///virtual/open-comment.cu', '__global__ void k(float* p) { p[0] = 1; }\n/* never closed\nvoid f() { k<<<1,1>>>(0); }');
    await c.open('file:///virtual/braces.cu', text.replace(/}/g, ''));
    // requests about documents the server never saw, and a change before open
    const none = await c.request('textDocument/hover', { textDocument: { uri: 'file:///nope.cu' }, position: { line: 0, character: 0 } });
    assert.equal(none, null);
    await c.change('file:///virtual/unopened.cu', 3, [{ text: 'x' }]);
    // open and close immediately, before the debounced analysis runs
    await c.open('file:///virtual/closed.cu', text);
    await c.conn.sendNotification('textDocument/didClose', { textDocument: { uri: 'file:///virtual/closed.cu' } });
    const bigDiags = await c.waitDiagnostics('file:///virtual/big.cu', () => true, 30000);
    assert.ok(bigDiags.some(d => d.code === 'FL001'), 'the 5 MB file is analyzed');
    await c.waitDiagnostics('file:///virtual/bin.cu', () => true);
    await c.waitDiagnostics('file:///virtual/open-comment.cu', () => true);
    const h = await c.request<Hover | null>('textDocument/hover', { textDocument: { uri: 'file:///virtual/braces.cu' }, position: { line: 0, character: 0 } });
    assert.equal(h, null);
    assert.doesNotMatch(c.stderr, /uncaught/);
  } finally {
    assert.equal(await c.shutdown(), 0, c.stderr);
  }
});

test('malformed JSON-RPC does not take the server down', async () => {
  const c = new LspClient();
  try {
    await c.initialize();
    const frame = (body: string) => `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    c.proc.stdin!.write(frame('{garbage}'));
    c.proc.stdin!.write(frame('{"jsonrpc":"2.0","id":99,"method":"nope"}'));
    c.proc.stdin!.write(frame('{"jsonrpc":"2.0","method":"textDocument/didChange","params":{"bogus":true}}'));
    const u = 'file:///virtual/after.cu';
    await c.open(u, text);
    await c.waitDiagnostics(u, d => d.some(x => x.code === 'FL001'));
  } finally {
    await c.shutdown();
  }
});
