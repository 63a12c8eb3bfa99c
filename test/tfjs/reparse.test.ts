// The one-statement re-parse (analyzer/ts/reparse.ts) must give the tree a full parse gives: after
// random edits (brackets, quotes, comments, keywords, statements created and removed), every node's
// kind and offsets, with pending deltas applied, equal ts.createSourceFile's on the same text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as ts from 'typescript';
import { ROOT } from './helpers';
import { forgetFile, frontendStats, parse } from '../../analyzer/ts/frontend';
import { pendingDelta, settleAll } from '../../analyzer/ts/reparse';
import { randomEdit, rng } from './edits';
import { parseOptions } from '../../analyzer/ts/tsModule';

function dump(sf: ts.SourceFile): string {
  const out: string[] = [];
  let d = 0;
  const children = (n: ts.Node): void => {
    ts.forEachChild(n, visit, arr => { out.push(`[${arr.pos + d}-${arr.end + d}`); arr.forEach(visit); out.push(']'); });
    for (const j of (n as { jsDoc?: ts.Node[] }).jsDoc ?? []) visit(j);
  };
  const visit = (n: ts.Node): void => {
    out.push(`${n.kind}:${n.pos + d}-${n.end + d}${ts.isIdentifier(n) ? n.text : ''}`);
    children(n);
  };
  out.push(`${sf.statements.pos}-${sf.statements.end} ${sf.end}`);
  for (const s of sf.statements) {
    // a top-level statement's own offsets are exact; its children's may be pending
    d = pendingDelta(sf, s);
    out.push(`${s.kind}:${s.pos}-${s.end}`);
    children(s);
  }
  d = 0;
  visit(sf.endOfFileToken);
  const diags = (sf as unknown as { parseDiagnostics: ts.Diagnostic[] }).parseDiagnostics;
  out.push(diags.map(x => `${x.start}:${x.code}`).join(','));
  return out.join('\n');
}

async function sources(): Promise<Array<{ file: string; text: string }>> {
  const gen = (await import(pathToFileURL(path.join(ROOT, 'bench', 'ts-gen.mjs')).href)) as { generateTfjsFile(n: number, mixed?: boolean): string };
  const out = [{ file: '/virtual/dense.ts', text: gen.generateTfjsFile(150) }, { file: '/virtual/mixed.ts', text: gen.generateTfjsFile(150, true) }];
  for (const dir of ['tfjs', 'webgpu']) {
    for (const f of fs.readdirSync(path.join(ROOT, 'examples', dir))) if (f.endsWith('.ts')) out.push({ file: `/virtual/${f}`, text: fs.readFileSync(path.join(ROOT, 'examples', dir, f), 'utf8') });
  }
  out.push({ file: '/virtual/plain.js', text: out[0].text.replace(/: \w+(\[\])?/g, '') });
  return out;
}

test('a tree re-parsed one statement at a time equals a full parse after random edits', async () => {
  const counts: Record<string, number> = {};
  for (const [k, src] of (await sources()).entries()) {
    const r = rng(1000 + k);
    let text = src.text;
    forgetFile(src.file);
    parse(ts, src.file, text);
    for (let i = 0; i < 250; i++) {
      // back to the clean text now and then, so that errors do not pile up
      text = i % 20 === 19 ? src.text : randomEdit(text, r);
      const sf = parse(ts, src.file, text);
      counts[frontendStats.parse] = (counts[frontendStats.parse] ?? 0) + 1;
      if (r() < 0.2) settleAll(ts, sf);
      const kind = src.file.endsWith('.js') ? ts.ScriptKind.JS : ts.ScriptKind.TS;
      assert.equal(sf.text, text);
      assert.equal(dump(sf), dump(ts.createSourceFile(src.file, text, parseOptions(ts), false, kind)), `${src.file} after edit ${i}`);
    }
    forgetFile(src.file);
  }
  // most random edits break the syntax and take TypeScript's path; enough take the fast one
  assert.ok((counts.statement ?? 0) > 300, JSON.stringify(counts));
});

test('statements the next one could continue are not re-parsed alone', () => {
  const FILE = '/virtual/edge.ts';
  const cases: Array<[string, string, string]> = [
    // [text, from, to]: the edit makes a statement that takes what follows it in a full parse
    ['a();\nbar();\nfinally { c(); }\n', 'bar();', 'try { a(); } catch { b(); }'],
    ['a();\nbar();\nelse c();\n', 'bar();', 'if (x) b();'],
    ['a();\nlet g = 1;\n(x);\n', 'let g = 1;', 'let g = function () {}'],
    ['a();\nfunction g() {}\n(x);\n', 'function g() {}', 'function g() { return 1; }'],
  ];
  for (const [text, from, to] of cases) {
    forgetFile(FILE);
    parse(ts, FILE, text);
    const next = text.replace(from, to);
    const sf = parse(ts, FILE, next);
    assert.equal(dump(sf), dump(ts.createSourceFile(FILE, next, parseOptions(ts), false, ts.ScriptKind.TS)), next);
  }
  forgetFile(FILE);
});
