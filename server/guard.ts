// Validates document-sync notifications before TextDocuments sees them. A malformed didOpen (a
// numeric uri, null text) would otherwise be stored as a document and crash every later timer that
// reads it; a malformed didChange could corrupt the text. Bad messages are logged and dropped.

import type { Connection } from 'vscode-languageserver/node';

type Handler = (params: unknown) => unknown;

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null;
const isPos = (p: unknown) => isObj(p) && Number.isFinite(p.line) && Number.isFinite(p.character);
const isRange = (r: unknown) => isObj(r) && isPos(r.start) && isPos(r.end);

export function validOpen(p: unknown): boolean {
  const td = isObj(p) ? p.textDocument : undefined;
  return isObj(td) && typeof td.uri === 'string' && typeof td.text === 'string' && Number.isFinite(td.version) && (td.languageId === undefined || typeof td.languageId === 'string');
}

export function validChange(p: unknown): boolean {
  if (!isObj(p) || !isObj(p.textDocument) || typeof p.textDocument.uri !== 'string' || !Number.isFinite(p.textDocument.version)) return false;
  return Array.isArray(p.contentChanges) && p.contentChanges.every(c => isObj(c) && typeof c.text === 'string' && (c.range === undefined || isRange(c.range)));
}

export function validUri(p: unknown): boolean {
  return isObj(p) && isObj(p.textDocument) && typeof p.textDocument.uri === 'string';
}

const CHECKS: Record<string, (p: unknown) => boolean> = {
  onDidOpenTextDocument: validOpen,
  onDidChangeTextDocument: validChange,
  onDidCloseTextDocument: validUri,
  onDidSaveTextDocument: validUri,
  onWillSaveTextDocument: validUri,
};

/** The connection as TextDocuments.listen() should see it: sync handlers get valid params only. */
export function guardDocumentSync(connection: Connection, log: (m: string) => void): Connection {
  return new Proxy(connection, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      const check = typeof prop === 'string' ? CHECKS[prop] : undefined;
      if (!check || typeof value !== 'function') return value;
      return (handler: Handler) => (value as (h: Handler) => unknown).call(target, (params: unknown) => {
        if (check(params)) return handler(params);
        log(`ignored a malformed ${String(prop).replace(/^on/, '')} notification: ${JSON.stringify(params)?.slice(0, 200)}`);
        return undefined;
      });
    },
    set(target, prop, value) {
      return Reflect.set(target, prop, value);
    },
  });
}
