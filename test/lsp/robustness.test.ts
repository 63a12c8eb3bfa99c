// The bundled server against bad clients, over stdio: out-of-order and inconsistent document
// messages, malformed requests and framing, a document closed while it is being analysed, and
// hundreds of rapid edits (diagnostics only for the latest text, equal to a fresh analysis; memory
// bounded). Every test ends by checking that the process is alive and logged no uncaught error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { analyze, newHost } from '../../analyzer/analyze';
import { analysisOptions, DEFAULT_SETTINGS } from '../../server/settings';
import { LspClient, type Diag } from '../helpers/lspClient';
import { readExample } from '../helpers/analyze';
// @ts-expect-error plain ESM generator shared with the shell
import { generateCuda } from '../../bench/gen-cuda.mjs';

const example = readExample('cuda/image_normalize.cu');

/** What the server must publish for `text`: a fresh analysis with the default settings. */
function expected(path: string, text: string): string[] {
  const r = analyze(path, text, newHost(), analysisOptions(DEFAULT_SETTINGS));
  return [
    ...r.findings.map(f => `${f.rule} ${f.range.start.line}:${f.range.start.character} ${f.message}`),
    ...r.problems.map(p => `hint ${p.range.start.line}:${p.range.start.character} ${p.message}`),
  ].sort();
}
const published = (ds: Diag[]) => ds.map(d => `${d.code ?? 'hint'} ${d.range.start.line}:${d.range.start.character} ${d.message}`).sort();

async function healthy(c: LspClient): Promise<void> {
  // a round trip proves the server still reads and answers
  const gpus = await c.request<unknown[]>('fusionLens/gpus', {});
  assert.ok(Array.isArray(gpus) && gpus.length > 0);
  assert.ok(c.alive, 'server process alive');
  assert.doesNotMatch(c.stderr, /uncaught/i, c.stderr);
}

/** Waits until the last publish for `uri` carries `version`. */
async function waitVersion(c: LspClient, uri: string, version: number, timeoutMs = 30000): Promise<Diag[]> {
  await c.waitDiagnostics(uri, () => c.publishes.filter(p => p.uri === uri).at(-1)?.version === version, timeoutMs);
  return c.diagnostics.get(uri)!;
}

test('out-of-order and inconsistent document messages', async () => {
  const c = new LspClient();
  try {
    await c.initialize();
    // change and close before open: ignored
    await c.change('file:///virtual/early.cu', 2, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: 'x' }]);
    await c.conn.sendNotification('textDocument/didClose', { textDocument: { uri: 'file:///virtual/never.cu' } });
    // opened twice: the second text wins
    const u = 'file:///virtual/twice.cu';
    await c.open(u, '// nothing here\n', 'cuda-cpp', 1);
    await c.open(u, example, 'cuda-cpp', 5);
    assert.deepEqual(published(await waitVersion(c, u, 5)), expected('/virtual/twice.cu', example));

    // inconsistent changes, mirrored with the same text-document library the server uses
    let mirror = TextDocument.create(u, 'cuda-cpp', 5, example);
    const changes: Array<{ version: number; changes: Array<{ range?: { start: { line: number; character: number }; end: { line: number; character: number } }; text: string }> }> = [
      { version: 3, changes: [{ range: { start: { line: 2, character: 0 }, end: { line: 2, character: 0 } }, text: '// stale version\n' }] },
      { version: 6, changes: [{ range: { start: { line: 9999, character: 0 }, end: { line: 99999, character: 5 } }, text: '\n// past the end\n' }] },
      { version: 7, changes: [{ range: { start: { line: 10, character: 50 }, end: { line: 4, character: 0 } }, text: '' }] }, // start after end
      { version: 8, changes: [{ range: { start: { line: 3, character: 500 }, end: { line: 3, character: 900 } }, text: '/* long line */' }] },
      { version: 9, changes: [{ text: example + '\n// full replacement\n' }, { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '\uFEFF' }] },
      { version: 9, changes: [{ range: { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } }, text: '\uD800\u0000' }] }, // same version again, lone surrogate and NUL
    ];
    for (const ch of changes) {
      await c.change(u, ch.version, ch.changes);
      mirror = TextDocument.update(mirror, ch.changes as never, ch.version);
    }
    await waitVersion(c, u, 9);
    await c.waitDiagnostics(u, ds => JSON.stringify(published(ds)) === JSON.stringify(expected('/virtual/twice.cu', mirror.getText())), 15000);
    await healthy(c);
  } finally {
    assert.equal(await c.shutdown(), 0, c.stderr);
  }
});

test('malformed requests are answered with errors or empty results', async () => {
  const c = new LspClient();
  try {
    await c.initialize();
    const u = 'file:///virtual/req.cu';
    await c.open(u, example);
    await c.waitDiagnostics(u, d => d.some(x => x.code === 'FL001'));
    const calls: Array<[string, unknown]> = [
      ['textDocument/hover', { textDocument: { uri: u } }], // no position
      ['textDocument/hover', { textDocument: { uri: u }, position: { line: -5, character: 1e9 } }],
      ['textDocument/hover', {}],
      ['textDocument/codeAction', { textDocument: { uri: u }, range: { start: { line: 0, character: 0 }, end: { line: 1e6, character: 0 } } }], // no context
      ['textDocument/codeAction', { textDocument: { uri: u }, range: { start: { line: 40, character: 0 }, end: { line: 2, character: 0 } }, context: { diagnostics: 'no', only: [42] } }],
      ['textDocument/codeLens', { textDocument: { uri: 'file:///virtual/unknown.cu' } }],
      ['codeLens/resolve', { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, data: { uri: u, version: 1, index: 1e9 } }],
      ['codeLens/resolve', { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, data: null }],
      ['fusionLens/report', { uri: 'file:///virtual/unknown.cu' }],
      ['fusionLens/report', null],
      ['fusionLens/setGpu', { gpu: 42 }],
      ['fusionLens/setGpu', { gpu: 'no-such-gpu' }],
      ['workspace/executeCommand', { command: 'rm -rf', arguments: [] }],
      ['no/such/method', { x: 1 }],
    ];
    let answered = 0;
    let errors = 0;
    for (const [method, params] of calls) {
      try {
        await c.request(method, params);
        answered++;
      } catch (e) {
        errors++;
        assert.ok(typeof (e as { code?: unknown }).code === 'number', `${method}: a JSON-RPC error, got ${e}`);
      }
    }
    assert.equal(answered + errors, calls.length);
    await healthy(c);
    // the document still gets diagnostics after all that
    await c.change(u, 2, [{ text: example }]);
    await waitVersion(c, u, 2);
  } finally {
    assert.equal(await c.shutdown(), 0, c.stderr);
  }
});

test('malformed JSON-RPC framing and messages', async () => {
  const c = new LspClient();
  try {
    await c.initialize();
    const frame = (body: string | Buffer) => Buffer.concat([Buffer.from(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n`), Buffer.isBuffer(body) ? body : Buffer.from(body)]);
    const w = (b: Buffer | string) => c.proc.stdin!.write(b);
    w(frame('{garbage}'));
    w(frame('[{"jsonrpc":"2.0","id":1,"method":"shutdown"}]')); // batches are not LSP
    w(frame('{"jsonrpc":"2.0","id":77}')); // neither request nor response
    w(frame('{"jsonrpc":"2.0","id":12345,"result":{}}')); // response to nothing
    w(frame('{"jsonrpc":"1.0","id":5,"method":"fusionLens/gpus"}'));
    w(frame('{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":42,"text":null}}}'));
    w(frame('{"jsonrpc":"2.0","method":"textDocument/didChange","params":{"textDocument":{"uri":"file:///virtual/x.cu"},"contentChanges":"nope"}}'));
    w(frame(Buffer.from([0x7b, 0xff, 0xfe, 0x00, 0x7d]))); // not UTF-8
    w(frame('{"jsonrpc":"2.0","id":"str-id","method":"fusionLens/gpus","params":[1,2,3]}'));
    w('X-Unknown-Header: 1\r\n' + frame('{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":999}}').toString());
    const u = 'file:///virtual/after.cu';
    await c.open(u, example);
    await c.waitDiagnostics(u, d => d.some(x => x.code === 'FL001'));
    await healthy(c);
  } finally {
    assert.equal(await c.shutdown(), 0, c.stderr);
  }
});

test('a document closed while it is analysed gets no late diagnostics', async () => {
  const c = new LspClient();
  try {
    await c.initialize();
    const big = example.repeat(Math.ceil((1024 * 1024) / example.length));
    const u = 'file:///virtual/closing.cu';
    // the hover makes the server analyse the 1 MB text synchronously; the close and a change queued
    // behind it arrive while that runs
    await c.open(u, big);
    const hover = c.request('textDocument/hover', { textDocument: { uri: u }, position: { line: 60, character: 4 } });
    await c.change(u, 2, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '// edit\n' }]);
    await c.conn.sendNotification('textDocument/didClose', { textDocument: { uri: u } });
    await hover; // answered (with a result or null), not dropped
    // a second document proves the server moved on; by then the closed one's last publish is empty
    const other = 'file:///virtual/other.cu';
    await c.open(other, example);
    await c.waitDiagnostics(other, d => d.some(x => x.code === 'FL001'));
    await healthy(c);
    const last = c.publishes.filter(p => p.uri === u).at(-1);
    assert.ok(last, 'the close publishes an empty list');
    assert.deepEqual(last.diagnostics, []);
    // reopening the same uri works and is analysed afresh
    await c.open(u, example, 'cuda-cpp', 1);
    assert.deepEqual(published(await c.waitDiagnostics(u, d => d.length > 0)), expected('/virtual/closing.cu', example));
  } finally {
    assert.equal(await c.shutdown(), 0, c.stderr);
  }
});

test('hundreds of rapid edits: the last diagnostics are for the latest text; memory stays bounded', async () => {
  const c = new LspClient();
  try {
    await c.initialize();
    const u = 'file:///virtual/typing.cu';
    const path = '/virtual/typing.cu';
    const start: string = generateCuda(2000, 7);
    let doc = TextDocument.create(u, 'cuda-cpp', 1, start);
    await c.open(u, start);
    await waitVersion(c, u, 1);
    const rss0 = c.rss();
    let seed = 12345;
    const rnd = (n: number) => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n; };
    const snippets = ['k', '<<<', '>>>', '(', ')', ';', '{', '}', '\n', ' ', 'cudaDeviceSynchronize();', '/*', '*/', '"', 'grid, BLOCK', '__global__ ', 'x'];
    let version = 1;
    const rssAfter: number[] = [];
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 300; i++) {
        const lines = doc.lineCount;
        const line = rnd(lines);
        const ch = rnd(40);
        const del = rnd(4) === 0 ? 1 + rnd(30) : 0;
        const text = rnd(3) === 0 ? '' : snippets[rnd(snippets.length)];
        const change = { range: { start: { line, character: ch }, end: { line, character: ch + del } }, text };
        doc = TextDocument.update(doc, [change], ++version);
        await c.change(u, version, [change]);
      }
      const ds = await waitVersion(c, u, version);
      assert.deepEqual(published(ds), expected(path, doc.getText()), 'the last publish equals a fresh analysis of the final text');
      rssAfter.push(c.rss() ?? 0);
    }
    // versions of the publishes never go backwards: no stale result overtakes a newer one
    const versions = c.publishes.filter(p => p.uri === u).map(p => p.version ?? 0);
    assert.deepEqual(versions, [...versions].sort((a, b) => a - b));
    assert.ok(versions.length < 40, `edits are debounced (${versions.length} publishes for 600 edits)`);
    await healthy(c);
    if (rss0 !== undefined) {
      console.log(`# server RSS: ${(rss0 / 2 ** 20).toFixed(0)} MiB after open, ${rssAfter.map(r => (r / 2 ** 20).toFixed(0)).join(' / ')} MiB after 300 / 600 edits`);
      assert.ok(rssAfter[1] < 300 * 2 ** 20, `server RSS ${(rssAfter[1] / 2 ** 20).toFixed(0)} MiB after 600 edits`);
      assert.ok(rssAfter[1] - rssAfter[0] < 64 * 2 ** 20, 'the second 300 edits do not grow memory like the first');
    }
  } finally {
    assert.equal(await c.shutdown(), 0, c.stderr);
  }
});
