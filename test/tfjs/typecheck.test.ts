// Rewritten examples still type-check (strict) against @tensorflow/tfjs 4.22's own declarations:
// the tf.fused option names and types are the library's, not ours.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';
import { fixAll, TFJS_EXAMPLES } from './helpers';

function diagnostics(files: Map<string, string>): string[] {
  const options: ts.CompilerOptions = { strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, skipLibCheck: true, types: [] };
  const host = ts.createCompilerHost(options);
  const read = host.readFile.bind(host);
  host.readFile = f => files.get(path.resolve(f)) ?? read(f);
  const getSf = host.getSourceFile.bind(host);
  host.getSourceFile = (f, lang, ...rest) => {
    const t = files.get(path.resolve(f));
    return t !== undefined ? ts.createSourceFile(f, t, lang) : getSf(f, lang, ...rest);
  };
  const program = ts.createProgram([...files.keys()], options, host);
  return ts.getPreEmitDiagnostics(program).map(d => `${d.file ? path.basename(d.file.fileName) : ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
}

test('examples/tfjs type-check before and after every fix', () => {
  const original = new Map<string, string>();
  const fixed = new Map<string, string>();
  let applied = 0;
  for (const f of fs.readdirSync(TFJS_EXAMPLES).filter(x => x.endsWith('.ts'))) {
    const p = path.join(TFJS_EXAMPLES, f);
    const text = fs.readFileSync(p, 'utf8');
    original.set(p, text);
    const r = fixAll(text, p);
    applied += r.applied.length;
    fixed.set(p, r.text);
  }
  assert.ok(applied >= 10);
  assert.deepEqual(diagnostics(original), []);
  assert.deepEqual(diagnostics(fixed), []);
});
