// Fixed WebGPU code still type-checks (strict) against @webgpu/types: the pipeline, bind group and
// declarations the fix adds (locals, module variables, class fields) are typed like the originals.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';
import { CASES } from './cases';
import { fixAll, ROOT, WEBGPU_EXAMPLES } from './helpers';

const SHIM = path.join(ROOT, 'out', 'wgsl-module.d.ts');

function diagnostics(files: Map<string, string>): string[] {
  const options: ts.CompilerOptions = { strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, skipLibCheck: true, types: [], lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'] };
  const all = new Map(files);
  all.set(SHIM, "declare module '*.wgsl' { const code: string; export default code; }\n");
  const host = ts.createCompilerHost(options);
  const read = host.readFile.bind(host);
  host.readFile = f => all.get(path.resolve(f)) ?? read(f);
  const getSf = host.getSourceFile.bind(host);
  host.getSourceFile = (f, lang, ...rest) => {
    const t = all.get(path.resolve(f));
    return t !== undefined ? ts.createSourceFile(f, t, lang) : getSf(f, lang, ...rest);
  };
  host.fileExists = f => all.has(path.resolve(f)) || ts.sys.fileExists(f);
  const roots = [...all.keys(), path.join(ROOT, 'node_modules', '@webgpu', 'types', 'dist', 'index.d.ts')];
  const program = ts.createProgram(roots, options, host);
  return ts.getPreEmitDiagnostics(program).map(d => `${d.file ? path.basename(d.file.fileName) : ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
}

test('examples/webgpu and the fix cases type-check before and after every fix', () => {
  const original = new Map<string, string>();
  const fixed = new Map<string, string>();
  let applied = 0;
  for (const f of fs.readdirSync(WEBGPU_EXAMPLES).filter(x => x.endsWith('.ts'))) {
    const p = path.join(WEBGPU_EXAMPLES, f);
    const text = fs.readFileSync(p, 'utf8');
    original.set(p, text);
    const r = fixAll(text, p);
    applied += r.applied.length;
    fixed.set(p, r.text);
  }
  CASES.forEach((c, i) => {
    const p = path.join(WEBGPU_EXAMPLES, `case${i}.ts`);
    original.set(p, c.src);
    const r = fixAll(c.src, p);
    applied += r.applied.length;
    fixed.set(p, r.text);
  });
  assert.ok(applied >= CASES.length + 2, `${applied} fixes`);
  assert.deepEqual(diagnostics(original), []);
  assert.deepEqual(diagnostics(fixed), []);
});
