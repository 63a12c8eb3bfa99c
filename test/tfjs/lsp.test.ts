// The language server over stdio on a TypeScript file: diagnostics, hover on an op, and the quick
// fix's workspace edit (spawns dist/server.js, built by scripts/test.mjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from './helpers';

class Client {
  private buf = Buffer.alloc(0);
  private id = 0;
  private pending = new Map<number, (r: { result?: unknown; error?: unknown }) => void>();
  readonly notes: Array<{ method: string; params: unknown }> = [];
  private waiters: Array<() => void> = [];
  constructor(private readonly p: ChildProcessWithoutNullStreams) {
    p.stdout.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      for (;;) {
        const sep = this.buf.indexOf('\r\n\r\n');
        if (sep < 0) return;
        const len = Number(/Content-Length: (\d+)/i.exec(this.buf.subarray(0, sep).toString())![1]);
        if (this.buf.length < sep + 4 + len) return;
        const msg = JSON.parse(this.buf.subarray(sep + 4, sep + 4 + len).toString());
        this.buf = this.buf.subarray(sep + 4 + len);
        if (msg.id !== undefined && !msg.method) this.pending.get(msg.id)?.(msg);
        else if (msg.method && msg.id !== undefined) this.send({ jsonrpc: '2.0', id: msg.id, result: msg.method === 'workspace/configuration' ? [null] : null });
        else if (msg.method) { this.notes.push(msg); this.waiters.splice(0).forEach(w => w()); }
      }
    });
  }
  private send(m: unknown): void {
    const s = JSON.stringify(m);
    this.p.stdin.write(`Content-Length: ${Buffer.byteLength(s)}\r\n\r\n${s}`);
  }
  request<T>(method: string, params: unknown): Promise<T> {
    const id = ++this.id;
    return new Promise((resolve, reject) => {
      this.pending.set(id, r => (r.error ? reject(new Error(JSON.stringify(r.error))) : resolve(r.result as T)));
      this.send({ jsonrpc: '2.0', id, method, params });
    });
  }
  notify(method: string, params: unknown): void {
    this.send({ jsonrpc: '2.0', method, params });
  }
  async waitFor<T>(pred: (n: { method: string; params: unknown }) => boolean, ms = 20000): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const hit = this.notes.find(pred);
      if (hit) return hit.params as T;
      if (Date.now() > deadline) throw new Error('timed out waiting for a notification');
      await new Promise<void>(r => { this.waiters.push(r); setTimeout(r, 200); });
    }
  }
}

const SRC = `import * as tf from '@tensorflow/tfjs';

export function dense(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D): tf.Tensor2D {
  return tf.relu(tf.add(tf.matMul(x, w), b));
}
`;

interface Diag { range: { start: { line: number; character: number } }; code: string; message: string }
interface Action { title: string; edit: { changes: Record<string, Array<{ newText: string }>> } }

test('hover, diagnostics and the quick fix work for a .ts file over stdio', async () => {
  const p = spawn(process.execPath, [path.join(ROOT, 'dist', 'server.js'), '--stdio'], { cwd: ROOT });
  const c = new Client(p);
  try {
    const uri = pathToFileURL(path.join(ROOT, 'examples', 'tfjs', 'lsp_virtual.ts')).toString();
    await c.request('initialize', { processId: process.pid, rootUri: null, capabilities: {}, initializationOptions: { settings: { gpu: 'rtx4060-laptop' } } });
    c.notify('initialized', {});
    c.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'typescript', version: 1, text: SRC } });
    const diags = await c.waitFor<{ uri: string; diagnostics: Diag[] }>(n => n.method === 'textDocument/publishDiagnostics' && (n.params as { uri: string }).uri === uri);
    assert.equal(diags.diagnostics.length, 1);
    const d = diags.diagnostics[0];
    assert.equal(d.code, 'FL101');
    assert.match(d.message, /matMul → add → relu can be one tf\.fused\.matMul/);
    assert.match(d.message, /RTX 4060 Laptop GPU/);
    const hover = await c.request<{ contents: { value: string } }>('textDocument/hover', { textDocument: { uri }, position: { line: 3, character: 28 } });
    assert.match(hover.contents.value, /\*\*`tf\.matMul`\*\*/);
    assert.match(hover.contents.value, /FL101 tfjs-fused-op/);
    const actions = await c.request<Action[]>('textDocument/codeAction', { textDocument: { uri }, range: d.range, context: { diagnostics: [d] } });
    const fix = actions.find(a => /tf\.fused\.matMul/.test(a.title))!;
    assert.ok(fix, JSON.stringify(actions));
    assert.equal(fix.edit.changes[uri][0].newText, `tf.fused.matMul({a: x, b: w, bias: b, activation: 'relu'})`);
    await c.request('shutdown', null);
    c.notify('exit', null);
  } finally {
    p.kill();
  }
});
