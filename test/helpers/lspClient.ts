// A small LSP client over stdio for tests: spawns the bundled server (dist/server.js --stdio).
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import { ROOT } from './analyze';
import { SERVER_EXEC_ARGV } from '../../server/flags';

export interface Diag {
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  message: string;
  code?: string;
  severity?: number;
  source?: string;
  codeDescription?: { href: string };
  relatedInformation?: unknown[];
}

export class LspClient {
  readonly proc: ChildProcess;
  readonly conn: MessageConnection;
  readonly diagnostics = new Map<string, Diag[]>();
  /** Every publishDiagnostics in arrival order (uri, version when sent, count). */
  readonly publishes: Array<{ uri: string; version?: number; diagnostics: Diag[] }> = [];
  private waiters: Array<() => void> = [];
  stderr = '';
  /** window/logMessage texts from the server. */
  readonly logs: string[] = [];

  /** `nodeArgs`: node flags for the server; by default the ones the editor uses. */
  constructor(settings: Record<string, unknown> = {}, nodeArgs: string[] = SERVER_EXEC_ARGV) {
    this.proc = spawn(process.execPath, [...nodeArgs, process.env.FUSION_LENS_SERVER ?? path.join(ROOT, 'dist', 'server.js'), '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc.stderr!.on('data', d => (this.stderr += d));
    this.conn = createMessageConnection(new StreamMessageReader(this.proc.stdout!), new StreamMessageWriter(this.proc.stdin!));
    this.conn.onNotification('textDocument/publishDiagnostics', (p: { uri: string; version?: number; diagnostics: Diag[] }) => {
      this.diagnostics.set(p.uri, p.diagnostics);
      this.publishes.push(p);
      const w = this.waiters;
      this.waiters = [];
      w.forEach(f => f());
    });
    this.conn.onNotification('window/logMessage', (p: { message: string }) => { this.logs.push(p.message); });
    this.conn.onNotification('fusionLens/status', () => {});
    this.conn.onRequest('workspace/configuration', () => [settings]);
    this.conn.onRequest('client/registerCapability', () => null);
    this.conn.listen();
  }

  async initialize(rootPath?: string): Promise<unknown> {
    const r = await this.conn.sendRequest('initialize', {
      processId: process.pid,
      rootUri: rootPath ? `file://${rootPath}` : null,
      workspaceFolders: rootPath ? [{ uri: `file://${rootPath}`, name: 'ws' }] : null,
      capabilities: { workspace: { configuration: true }, textDocument: { publishDiagnostics: { relatedInformation: true } } },
      initializationOptions: { docsBase: 'file:///docs/rules' },
    });
    await this.conn.sendNotification('initialized', {});
    return r;
  }

  open(uri: string, text: string, languageId = 'cuda-cpp', version = 1): Promise<void> {
    return this.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version, text } });
  }

  change(uri: string, version: number, changes: unknown[]): Promise<void> {
    return this.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: changes });
  }

  /** Resolves when diagnostics for `uri` satisfy `pred` (polls on every publish). */
  async waitDiagnostics(uri: string, pred: (d: Diag[]) => boolean, timeoutMs = 10000): Promise<Diag[]> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const d = this.diagnostics.get(uri);
      if (d && pred(d)) return d;
      if (Date.now() > end) throw new Error(`timeout waiting for diagnostics of ${uri}; last: ${JSON.stringify(d)}\nserver stderr: ${this.stderr}`);
      await new Promise<void>(r => {
        this.waiters.push(r);
        setTimeout(r, 200);
      });
    }
  }

  /** Resident set size of the server process in bytes (Linux /proc), or undefined elsewhere. */
  rss(field: 'VmRSS' | 'VmHWM' = 'VmRSS'): number | undefined {
    try {
      const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(fs.readFileSync(`/proc/${this.proc.pid}/status`, 'utf8'));
      return m ? Number(m[1]) * 1024 : undefined;
    } catch {
      return undefined;
    }
  }

  /** Whether the server process is still running. */
  get alive(): boolean {
    return this.proc.exitCode === null && this.proc.signalCode === null;
  }

  request<T>(method: string, params: unknown): Promise<T> {
    return this.conn.sendRequest(method, params) as Promise<T>;
  }

  async shutdown(): Promise<number | null> {
    try {
      await Promise.race([this.conn.sendRequest('shutdown'), new Promise(r => setTimeout(r, 2000))]);
      await this.conn.sendNotification('exit');
    } catch { /* already gone */ }
    const code = await new Promise<number | null>(r => {
      if (this.proc.exitCode !== null) return r(this.proc.exitCode);
      const t = setTimeout(() => { this.proc.kill('SIGKILL'); r(null); }, 3000);
      this.proc.on('exit', c => { clearTimeout(t); r(c); });
    });
    this.conn.dispose();
    return code;
  }
}
