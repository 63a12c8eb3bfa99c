// Extension tests, in @vscode/test-electron's `extensionTestsPath` format: this module exports
// run(), which the extension host calls once the workbench is up, with the workspace folder set to a
// copy of examples/. Here they run inside code-server (test/e2e/run.mjs loads them through the web
// workbench's test payload); test/e2e/electron.mjs runs the same bundle under @vscode/test-electron.
//
// Everything is asserted through the vscode API: diagnostics, hovers, code actions, code lenses,
// commands and settings. Expected findings come from running the analyzer in-process on the same
// files (so the editor must show exactly what the CLI reports), plus fixed facts about the examples
// that would catch the analyzer and the extension being wrong in the same way.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { analyze, newHost, DEFAULT_OPTIONS, type AnalysisOptions } from '../../../analyzer/analyze';
import type { Finding } from '../../../analyzer/core/finding';
import { reportData } from '../../../analyzer/report/graph';
import { renderReport } from '../../../client/reportHtml';
import { runAll, skip, test, waitFor } from './harness';

const EXTENSION_ID = 'fusion-lens.fusion-lens';
/** The coexistence fixture (test/e2e/fixtures/fake-cuda-ext): contributes `cuda-cpp` like NVIDIA Nsight or ms-vscode.cpptools. */
const FAKE_ID = 'fusion-lens-tests.fake-cuda-ext';

const root = () => vscode.workspace.workspaceFolders![0].uri;
const exampleUri = (rel: string) => vscode.Uri.joinPath(root(), 'cuda', rel);

// ------------------------------------------------------------------ helpers

const codeOf = (d: vscode.Diagnostic) => (typeof d.code === 'object' ? String(d.code.value) : d.code === undefined ? undefined : String(d.code));
const ours = (uri: vscode.Uri) => vscode.languages.getDiagnostics(uri).filter(d => d.source === 'fusion-lens' && codeOf(d));

/** The analyzer's findings for a workspace file, with every workspace header indexed (as the server does). */
function expectedFindings(uri: vscode.Uri, text?: string, options: Partial<AnalysisOptions> = {}): Finding[] {
  return expectedAnalysis(uri, text, options).findings;
}

function expectedAnalysis(uri: vscode.Uri, text?: string, options: Partial<AnalysisOptions> = {}) {
  const read = (p: string) => {
    try {
      return fs.readFileSync(p, 'utf8');
    } catch {
      return undefined;
    }
  };
  const host = newHost(read);
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory() && !e.name.startsWith('.')) walk(p);
      else if (/\.(cu|cuh|h|hpp|hh)$/.test(e.name)) host.index.update(p, read(p)!);
    }
  };
  walk(root().fsPath);
  return analyze(uri.fsPath, text ?? read(uri.fsPath)!, host, { ...DEFAULT_OPTIONS, ...options });
}

async function open(rel: string): Promise<{ doc: vscode.TextDocument; editor: vscode.TextEditor; uri: vscode.Uri; original: string }> {
  const uri = exampleUri(rel);
  const doc = await vscode.workspace.openTextDocument(uri);
  const editor = await vscode.window.showTextDocument(doc);
  return { doc, editor, uri, original: doc.getText() };
}

/** Waits until our diagnostics for `uri` satisfy `ok` and returns them. */
const diagnosticsWhere = (uri: vscode.Uri, what: string, ok: (ds: vscode.Diagnostic[]) => boolean, timeoutMs = 30000) =>
  waitFor(what, () => {
    const ds = ours(uri);
    return ok(ds) ? ds : undefined;
  }, timeoutMs);

const sameRange = (a: vscode.Range, b: { start: { line: number; character: number }; end: { line: number; character: number } }) =>
  a.start.line === b.start.line && a.start.character === b.start.character && a.end.line === b.end.line && a.end.character === b.end.character;

function matchesFindings(ds: vscode.Diagnostic[], fs_: Finding[]): boolean {
  return ds.length === fs_.length && fs_.every(f => ds.some(d => codeOf(d) === f.rule && d.message === f.message && sameRange(d.range, f.range)));
}

async function hoverText(uri: vscode.Uri, pos: vscode.Position): Promise<string> {
  const hovers = (await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, pos)) ?? [];
  return hovers.flatMap(h => h.contents.map(c => (typeof c === 'string' ? c : c.value))).join('\n---\n');
}

/** Position inside the callee name of the launch `callee<<<` (the n-th one). */
function launchPos(doc: vscode.TextDocument, callee: string, nth = 0): vscode.Position {
  let at = -1;
  for (let i = 0; i <= nth; i++) at = doc.getText().indexOf(`${callee}<<<`, at + 1);
  assert.ok(at >= 0, `no launch of ${callee} in ${doc.uri.fsPath}`);
  return doc.positionAt(at + 1);
}

async function codeActions(uri: vscode.Uri, range: vscode.Range, kind: string, want: (a: vscode.CodeAction) => boolean): Promise<vscode.CodeAction> {
  // Polled: the request's context diagnostics come from the workbench's marker service, which can lag
  // the extension host's view by a moment.
  return waitFor(`a ${kind} code action`, async () => {
    const actions = (await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, range, kind)) ?? [];
    return actions.find(want);
  }, 20000, 200);
}

async function revert(doc: vscode.TextDocument, original: string): Promise<void> {
  await vscode.window.showTextDocument(doc);
  await vscode.commands.executeCommand('workbench.action.files.revert');
  await waitFor('the document to be reverted', () => (doc.getText() === original && !doc.isDirty ? true : undefined), 10000);
}

const config = () => vscode.workspace.getConfiguration('fusionLens');

async function activeExtension(): Promise<vscode.Extension<{ client?: { sendRequest<R>(method: string, params?: unknown): Promise<R> } }>> {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext, `${EXTENSION_ID} is not installed`);
  await waitFor('the extension to activate', () => (ext!.isActive ? true : undefined), 30000);
  return ext as never;
}

// ------------------------------------------------------------------ tests

test('.cu files get language id cuda-cpp and activate Fusion Lens', async () => {
  const { doc } = await open('image_normalize.cu');
  assert.equal(doc.languageId, 'cuda-cpp');
  const ext = await activeExtension();
  assert.equal(ext.packageJSON.capabilities?.untrustedWorkspaces?.supported, true, 'untrusted workspaces must be supported (analysis only)');
}, { untrusted: true });

test('in an untrusted workspace: diagnostics, hover and the quick fix still work (analysis only)', async () => {
  if (vscode.workspace.isTrusted) return skip('the workspace is trusted here (test/e2e/run.mjs also runs an untrusted one)');
  const { doc, uri, original } = await open('image_normalize.cu');
  await activeExtension();
  const expected = expectedFindings(uri);
  const [d] = await diagnosticsWhere(uri, 'diagnostics in restricted mode', ds => matchesFindings(ds, expected));
  assert.match(await hoverText(uri, launchPos(doc, 'u8_to_f32')), /estimated time/);
  const fix = await codeActions(uri, d.range, vscode.CodeActionKind.QuickFix.value, a => a.title.startsWith('Fuse u8_to_f32'));
  assert.ok(await vscode.workspace.applyEdit(fix.edit!));
  assert.match(doc.getText(), /__global__ void u8_to_f32_subtract_mean_divide_std_fused\(/);
  await revert(doc, original);
}, { untrusted: true });

test('coexists with another extension contributing cuda-cpp (both diagnostics and both hovers)', async () => {
  const fake = vscode.extensions.getExtension(FAKE_ID);
  if (!fake) return skip(`${FAKE_ID} is not installed here (test/e2e/run.mjs installs it)`);
  const { doc, uri } = await open('image_normalize.cu');
  assert.equal(doc.languageId, 'cuda-cpp');
  await waitFor('the fake CUDA extension to activate', () => (fake.isActive ? true : undefined));
  assert.ok((fake.packageJSON.contributes.languages as Array<{ id: string }>).some(l => l.id === 'cuda-cpp'));
  await waitFor('diagnostics from both extensions', () => {
    const all = vscode.languages.getDiagnostics(uri);
    return all.some(d => d.source === 'fake-cuda') && all.some(d => d.source === 'fusion-lens' && codeOf(d) === 'FL001') ? true : undefined;
  });
  const text = await waitFor('both hovers', async () => {
    const t = await hoverText(uri, launchPos(doc, 'u8_to_f32'));
    return t.includes('fake-cuda hover') && t.includes('estimated time') ? t : undefined;
  });
  assert.match(text, /Fusable/);
});

test('diagnostics on every example equal the analyzer findings (rule, message, range)', async () => {
  // every .cu and .ts file under examples/ (cuda, cublas, opencv, tfjs, …)
  const files = fs.readdirSync(root().fsPath, { withFileTypes: true })
    .filter(d => d.isDirectory() && !d.name.startsWith('.'))
    .flatMap(d => fs.readdirSync(path.join(root().fsPath, d.name)).filter(f => /\.(cu|ts)$/.test(f)).map(f => `${d.name}/${f}`))
    .sort();
  assert.ok(files.filter(f => f.endsWith('.cu')).length >= 5, `expected the .cu examples, found ${files.join(', ')}`);
  let total = 0;
  for (const f of files) {
    const uri = vscode.Uri.joinPath(root(), f);
    const doc = await vscode.workspace.openTextDocument(uri);
    const expected = expectedFindings(uri);
    total += expected.length;
    try {
      await diagnosticsWhere(uri, `diagnostics of ${f}`, ds => matchesFindings(ds, expected));
    } catch (e) {
      throw new Error(`${f}: expected ${JSON.stringify(expected.map(x => [x.rule, x.range.start, x.message]))}, got ${JSON.stringify(ours(uri).map(d => [codeOf(d), d.range.start, d.message]))} (${(e as Error).message})`);
    }
    for (const d of ours(uri)) {
      assert.equal(d.severity, vscode.DiagnosticSeverity.Warning);
      const finding = expected.find(x => sameRange(d.range, x.range))!;
      // the primary range is the group's first launch; related information points at every launch
      if (finding.rule === 'FL001') assert.ok(doc.getText(d.range).startsWith(finding.launches[0].callee) && doc.getText(d.range).includes('<<<'), `${f}: range text ${JSON.stringify(doc.getText(d.range))}`);
      assert.equal(d.relatedInformation?.length, finding.launches.length);
    }
  }
  assert.ok(total >= 8, `expected findings across the examples, got ${total}`);
  // TypeScript files are analyzed too: the packaged extension loads dist/typescript.js
  if (files.some(f => f.startsWith('tfjs/'))) {
    const ts = files.filter(f => f.startsWith('tfjs/')).reduce((n, f) => n + ours(vscode.Uri.joinPath(root(), f)).length, 0);
    assert.ok(ts > 0, 'no diagnostics on the TensorFlow.js examples');
  }
});

test('image_normalize.cu: one FL001 on the u8_to_f32 launch, naming the 3-launch group', async () => {
  const { doc, uri } = await open('image_normalize.cu');
  const [d] = await diagnosticsWhere(uri, 'the FL001 diagnostic', ds => ds.length === 1);
  assert.equal(codeOf(d), 'FL001');
  assert.equal(doc.getText(d.range), 'u8_to_f32<<<grid, block>>>(d_frame, d_float, n)');
  assert.match(d.message, /^3 launches can be fused \(u8_to_f32 → subtract_mean → divide_std\): saves [\d.]+ MiB .* on H100/);
  assert.deepEqual(d.relatedInformation!.map(r => doc.getText(r.location.range).split('<<<')[0]), ['u8_to_f32', 'subtract_mean', 'divide_std']);
  assert.equal(typeof d.code, 'object', 'the rule id links to its page');
  const target = (d.code as { target: vscode.Uri }).target;
  assert.match(target.toString(), /docs\/rules\/FL001\.md$/);
  assert.ok(fs.existsSync(target.fsPath), `the rule page ${target.fsPath} is packaged`);
});

test('hover on a launch shows bytes, the estimated time and the group', async () => {
  const { doc, uri } = await open('image_normalize.cu');
  await diagnosticsWhere(uri, 'diagnostics', ds => ds.length > 0);
  const text = await hoverText(uri, launchPos(doc, 'subtract_mean'));
  assert.match(text, /\*\*`subtract_mean`\*\* launch · 6,220,800 elements/);
  assert.match(text, /\| reads \| [\d.]+ MiB/);
  assert.match(text, /\| writes \| [\d.]+ MiB/);
  assert.match(text, /\| estimated time \| [\d.]+ µs on H100 SXM5 \((memory|launch)-bound\)/);
  assert.match(text, /\*\*Fusable\*\* \(FL001/);
  assert.match(text, /Quick fix/);
});

test('hover explains why a launch is not fused (stencil_blur.cu: FL011)', async () => {
  const { doc, uri } = await open('stencil_blur.cu');
  await diagnosticsWhere(uri, 'diagnostics', ds => ds.length > 0);
  const blur = await hoverText(uri, launchPos(doc, 'box_blur3'));
  assert.match(blur, /Not fused with `brighten`\*\* \(FL011 index-identity\)/);
  assert.match(blur, /reads `d_bright` at `yy \* width \+ xx`/);
  const brighten = await hoverText(uri, launchPos(doc, 'brighten'));
  assert.match(brighten, /Not fused with `box_blur3`\*\* \(FL011/);
  assert.doesNotMatch(brighten, /\*\*Fusable\*\*/);
});

test('quick fix writes the fused kernel, replaces the launches, and the finding goes away', async () => {
  const { doc, uri, original } = await open('image_normalize.cu');
  const [d] = await diagnosticsWhere(uri, 'the FL001 diagnostic', ds => ds.length === 1);
  const fix = await codeActions(uri, d.range, vscode.CodeActionKind.QuickFix.value, a => a.title.startsWith('Fuse u8_to_f32'));
  assert.equal(fix.title, 'Fuse u8_to_f32 → subtract_mean → divide_std into `u8_to_f32_subtract_mean_divide_std_fused`');
  assert.equal(fix.isPreferred, true);
  assert.ok(fix.edit, 'the quick fix carries an edit');
  assert.ok(await vscode.workspace.applyEdit(fix.edit!));
  const text = doc.getText();
  assert.match(text, /__global__ void u8_to_f32_subtract_mean_divide_std_fused\(const uint8_t\* __restrict__ src, float\* __restrict__ out, int n\)/);
  assert.match(text, /u8_to_f32_subtract_mean_divide_std_fused<<<grid, block>>>\(d_frame, d_normalized, n\);/);
  const host = text.slice(text.indexOf('void normalize_frame'));
  assert.doesNotMatch(host, /(u8_to_f32|subtract_mean|divide_std)<<</, 'the three original launches are gone');
  // the original kernels stay (other code may call them)
  assert.match(text, /__global__ void subtract_mean\(/);
  // the analysis of the new text has nothing left to fuse
  await diagnosticsWhere(uri, 'the finding to disappear after the fix', ds => ds.length === 0);
  await revert(doc, original);
  await diagnosticsWhere(uri, 'the finding to come back after revert', ds => ds.length === 1);
});

test('code lens above each group shows the saving and applies the fix', async () => {
  const { doc, uri, original } = await open('image_normalize.cu');
  const [d] = await diagnosticsWhere(uri, 'the FL001 diagnostic', ds => ds.length === 1);
  const lens = await waitFor('the code lens', async () => {
    const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 100)) ?? [];
    return lenses.find(l => l.command?.command === 'fusionLens.applyFix');
  });
  assert.equal(lens.range.start.line, d.range.start.line, 'the lens sits on the line of the first launch');
  assert.match(lens.command!.title, /^Fuse 3 launches · saves [\d.]+ MiB · ~[\d.]+x on H100 SXM5$/);
  const f = expectedFindings(uri)[0];
  assert.ok(lens.command!.title.includes(`~${f.estimate.speedup}x`), `${lens.command!.title} vs speedup ${f.estimate.speedup}`);
  await vscode.commands.executeCommand(lens.command!.command, ...(lens.command!.arguments ?? []));
  await waitFor('the lens command to edit the document', () => (doc.getText().includes('__global__ void u8_to_f32_subtract_mean_divide_std_fused(') ? true : undefined), 10000);
  assert.match(doc.getText(), /u8_to_f32_subtract_mean_divide_std_fused<<<grid, block>>>/);
  await revert(doc, original);
});

test('code lens on a group without a safe fix says so (library_entry_points.cu)', async () => {
  const { uri } = await open('library_entry_points.cu');
  const expected = expectedFindings(uri);
  const noFix = expected.filter(f => !f.fixable);
  assert.ok(noFix.length >= 1, 'the example has a finding without a fix');
  const lenses = await waitFor('code lenses', async () => {
    const ls = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 100)) ?? [];
    return ls.filter(l => l.command?.command.startsWith('fusionLens.')).length === expected.length ? ls : undefined;
  });
  const explain = lenses.filter(l => l.command?.command === 'fusionLens.explain');
  assert.equal(explain.length, noFix.length);
  assert.match(explain[0].command!.title, /\(no automatic fix\)$/);
  assert.match(String(explain[0].command!.arguments?.[0]), /may point into the same memory/);
});

test('"Fusion Lens: Fuse all in file" fuses every group (multi_stream.cu)', async () => {
  const { doc, uri, original } = await open('multi_stream.cu');
  await diagnosticsWhere(uri, 'two FL001 diagnostics', ds => ds.length === 2);
  // also offered as a source.fixAll code action
  const fixAll = await codeActions(uri, new vscode.Range(0, 0, doc.lineCount, 0), 'source.fixAll.fusionLens', a => !!a.edit);
  assert.equal(fixAll.kind?.value, 'source.fixAll.fusionLens');
  await vscode.commands.executeCommand('fusionLens.fixAll');
  await waitFor('fix-all to edit the document', () => (doc.getText() !== original ? true : undefined), 10000);
  const text = doc.getText();
  assert.match(text, /__global__ void scale_offset_fused\(/);
  assert.match(text, /__global__ void scale_offset_fused_2\(/);
  assert.match(text, /scale_offset_fused<<<blocks, threads, 0, s1>>>\(d_a, d_a2, 2\.f, N, 1\.f\);/);
  assert.match(text, /scale_offset_fused_2<<<blocks, threads, 0, s2>>>\(d_b, d_b2, 3\.f, N, -1\.f\);/);
  assert.doesNotMatch(text, /\b(scale|offset)<<</);
  await diagnosticsWhere(uri, 'no findings after fix-all', ds => ds.length === 0);
  await revert(doc, original);
});

test('diagnostics follow the language id (cuda-cpp, legacy cuda, cpp)', async () => {
  const { doc, uri } = await open('activation_chain.cu');
  await diagnosticsWhere(uri, 'diagnostics as cuda-cpp', ds => ds.length === 1);
  const known = await vscode.languages.getLanguages();
  for (const id of ['cuda', 'cpp'].filter(l => known.includes(l))) {
    const d2 = await vscode.languages.setTextDocumentLanguage(doc, id);
    assert.equal(d2.languageId, id);
    // changing the language id closes and reopens the document in the language server
    await diagnosticsWhere(uri, `diagnostics as ${id}`, ds => ds.length === 1);
  }
  const back = await vscode.languages.setTextDocumentLanguage(doc, 'cuda-cpp');
  assert.equal(back.languageId, 'cuda-cpp');
  await diagnosticsWhere(uri, 'diagnostics as cuda-cpp again', ds => ds.length === 1);
});

test('settings: gpu, severity and codeLens reach the server', async () => {
  const { uri } = await open('image_normalize.cu');
  await diagnosticsWhere(uri, 'the H100 diagnostic', ds => ds.length === 1 && / on H100/.test(ds[0].message));
  try {
    await config().update('gpu', 'a100', vscode.ConfigurationTarget.Workspace);
    const a100 = expectedFindings(uri, undefined, { gpu: 'a100' });
    const [d] = await diagnosticsWhere(uri, 'the A100 estimate', ds => matchesFindings(ds, a100));
    assert.match(d.message, / on A100/);
    await config().update('severity', 'error', vscode.ConfigurationTarget.Workspace);
    await diagnosticsWhere(uri, 'severity error', ds => ds.length === 1 && ds[0].severity === vscode.DiagnosticSeverity.Error);
    await config().update('codeLens', false, vscode.ConfigurationTarget.Workspace);
    await waitFor('code lenses to disappear', async () => {
      const ls = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 100)) ?? [];
      return ls.some(l => l.command?.command.startsWith('fusionLens.')) ? undefined : true;
    });
  } finally {
    for (const k of ['gpu', 'severity', 'codeLens']) await config().update(k, undefined, vscode.ConfigurationTarget.Workspace);
  }
  await diagnosticsWhere(uri, 'the H100 warning again', ds => ds.length === 1 && / on H100/.test(ds[0].message) && ds[0].severity === vscode.DiagnosticSeverity.Warning);
});

test('contributed settings have descriptions; the gpu enum matches the server\'s profiles', async () => {
  const ext = await activeExtension();
  const props = ext.packageJSON.contributes.configuration.properties as Record<string, { description?: string; markdownDescription?: string; enum?: string[]; enumDescriptions?: string[] }>;
  for (const [k, v] of Object.entries(props)) assert.ok(v.description || v.markdownDescription, `${k} has no description`);
  const gpus = await ext.exports.client!.sendRequest<Array<{ id: string; name: string }>>('fusionLens/gpus');
  assert.deepEqual([...props['fusionLens.gpu'].enum!].sort(), gpus.map(g => g.id).sort());
  assert.equal(props['fusionLens.gpu'].enumDescriptions!.length, props['fusionLens.gpu'].enum!.length);
  assert.deepEqual(props['fusionLens.severity'].enum, ['error', 'warning', 'information', 'hint']);
});

test('the getting-started walkthrough is contributed and its pages are packaged', async () => {
  const ext = await activeExtension();
  const walkthroughs = ext.packageJSON.contributes.walkthroughs as Array<{ id: string; steps: Array<{ id: string; media: { markdown?: string } }> }>;
  assert.equal(walkthroughs.length, 1);
  assert.ok(walkthroughs[0].steps.length >= 3);
  for (const step of walkthroughs[0].steps) {
    assert.ok(step.media.markdown, `step ${step.id} has a page`);
    assert.ok(fs.existsSync(path.join(ext.extensionPath, step.media.markdown!)), `${step.media.markdown} is in the extension`);
  }
});

test('report HTML: launch graph with bytes on edges, groups, refusals; no scripts or network', async () => {
  const uri = exampleUri('stencil_blur.cu');
  const data = reportData(expectedAnalysis(uri));
  const html = renderReport(data, { cspSource: 'vscode-webview://test', lineLink: l => `command:fusionLens.revealLine?${encodeURIComponent(JSON.stringify(['u', l]))}` });
  assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none';/);
  assert.doesNotMatch(html, /<script|https?:\/\/|src=/i, 'no scripts and nothing loaded');
  assert.equal((html.match(/<g class="node/g) ?? []).length, data.nodes.length);
  assert.equal(data.nodes.length, 3);
  assert.equal((html.match(/class="grpbox/g) ?? []).length, 1, 'box_blur3 → threshold is one group');
  assert.equal((html.match(/<path d="M[^"]*" class="edge/g) ?? []).length, data.edges.length);
  assert.match(html, /d_blur · [\d.]+ MiB · stays on chip when fused/);
  assert.match(html, /d_bright · [\d.]+ MiB</);
  assert.match(html, /Not fused, and why[\s\S]*FL011/);
  assert.match(html, /var\(--vscode-foreground\)/, 'colours come from the theme');
  assert.match(html, /href="command:fusionLens\.revealLine\?/);
});

test('commands are registered; "Show report" opens the report webview', async () => {
  const all = await vscode.commands.getCommands(true);
  for (const c of ['fusionLens.selectGpu', 'fusionLens.fixAll', 'fusionLens.showReport', 'fusionLens.showOutput', 'fusionLens.applyFix']) assert.ok(all.includes(c), `${c} missing`);
  const { uri } = await open('image_normalize.cu');
  await diagnosticsWhere(uri, 'diagnostics', ds => ds.length === 1);
  await vscode.commands.executeCommand('fusionLens.showReport');
  const tab = await waitFor('the report tab', () =>
    vscode.window.tabGroups.all.flatMap(g => g.tabs).find(t => t.input instanceof vscode.TabInputWebview && t.input.viewType.includes('fusionLensReport')));
  assert.equal(tab.label, 'Fusion report: cuda/image_normalize.cu');
  await vscode.window.tabGroups.close(tab);
});

test('the status item and the output channel commands run', async () => {
  await open('image_normalize.cu');
  await vscode.commands.executeCommand('fusionLens.showOutput');
  const ext = await activeExtension();
  const status = (ext.exports as { status?: () => { text: string; command: unknown } | undefined }).status?.();
  assert.ok(status, 'the extension exposes its status item for tests');
  await waitFor('the status text with the finding count', () => (/H100 SXM5 80GB · 1 fusable/.test(status.text) ? true : undefined));
  assert.equal(status.command, 'fusionLens.selectGpu');
});

export async function run(): Promise<void> {
  const filter = process.env.FUSION_LENS_TEST_FILTER ? new RegExp(process.env.FUSION_LENS_TEST_FILTER) : undefined;
  const { failed } = await runAll(filter);
  if (failed) throw new Error(`${failed} extension test(s) failed`);
}
