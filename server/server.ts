// Fusion Lens language server: translates LSP to analyzer calls and back. Owns documents, settings,
// debouncing, the workspace kernel index and result caching; all analysis lives in analyzer/.

import {
  createConnection, ProposedFeatures, TextDocuments, TextDocumentSyncKind, DiagnosticSeverity, CodeActionKind,
  type Diagnostic, type CodeAction, type Connection, type InitializeParams,
  type WorkspaceEdit, type TextEdit as LspTextEdit, DidChangeConfigurationNotification, FileChangeType,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { analyze, languageOf, type AnalysisResult, type AnalyzerHost } from '../analyzer/analyze';
import { fullResultOf, incrementalSteps, indexEntryOf } from '../analyzer/incremental';
import type { Finding } from '../analyzer/core/finding';
import { fixAll } from '../analyzer/fixAll';
import { hoverAt } from '../analyzer/report/hover';
import { reportData } from '../analyzer/report/graph';
import { fmtBytes } from '../analyzer/cost/model';
import { findProfile, PROFILES } from '../analyzer/cost/profiles';
import { shortGpu } from '../analyzer/rules/FL001-vertical';
import { analysisOptions, DEFAULT_SETTINGS, normalizeSettings, type Settings } from './settings';
import { guardDocumentSync } from './guard';
import { idleGc } from './idleGc';
import { kernelNames, WorkspaceIndex } from './workspaceIndex';

const MAX_ANALYZED_BYTES = 8 * 1024 * 1024;
/** Idle time after an incremental analysis before the full one runs (hover and fixes then answer at once). */
const WARMUP_MS = 400;
/** Analysis results kept for hover, code actions and lenses (most recently used documents). */
const MAX_CACHED = 8;
const INDEX_EXT = /\.(cu|cuh|h|hpp|hh|cuhpp)$/i;
const SKIP_DIRS = new Set(['node_modules', '.git', 'dist', 'out', 'build', '.cache', '.vscode-test', '__pycache__']);

interface Cached {
  version: number;
  result: AnalysisResult;
}

export function startServer(connection: Connection): void {
  const documents = new TextDocuments(TextDocument);
  // kernel names of every workspace file (lexer + scanner), full summaries only for files asked about
  const index = new WorkspaceIndex(p => host.readFile!(p));
  const cache = new Map<string, Cached>();
  /** The last result per document: the base of incremental re-analysis after an edit. */
  const previous = new Map<string, AnalysisResult>();
  const warmups = new Map<string, NodeJS.Timeout>();
  const timers = new Map<string, NodeJS.Timeout>();
  const gc = idleGc();
  let settings: Settings = DEFAULT_SETTINGS;
  let hasConfiguration = false;
  let docsBase = '';
  let workspaceFolders: string[] = [];

  const log = (m: string) => connection.console.log(`[fusion-lens] ${m}`);

  const host: AnalyzerHost = {
    index,
    readFile(p: string) {
      const open = documents.get(pathToFileURL(p).toString());
      if (open) return open.getText();
      try {
        const st = fs.statSync(p);
        if (!st.isFile() || st.size > MAX_ANALYZED_BYTES) return undefined;
        return fs.readFileSync(p, 'utf8');
      } catch {
        return undefined;
      }
    },
  };

  connection.onInitialize((params: InitializeParams) => {
    hasConfiguration = !!params.capabilities.workspace?.configuration;
    settings = normalizeSettings((params.initializationOptions as { settings?: unknown } | undefined)?.settings);
    docsBase = (params.initializationOptions as { docsBase?: string } | undefined)?.docsBase ?? '';
    workspaceFolders = (params.workspaceFolders ?? []).map(f => uriToPath(f.uri)).filter((p): p is string => !!p);
    if (!workspaceFolders.length && params.rootUri) {
      const p = uriToPath(params.rootUri);
      if (p) workspaceFolders.push(p);
    }
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        hoverProvider: true,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, CodeActionKind.SourceFixAll + '.fusionLens'] },
        codeLensProvider: { resolveProvider: true },
        executeCommandProvider: { commands: [] },
      },
      serverInfo: { name: 'fusion-lens', version: '0.1.0' },
    };
  });

  connection.onInitialized(() => {
    if (hasConfiguration) {
      void connection.client.register(DidChangeConfigurationNotification.type, { section: 'fusionLens' });
      void pullSettings();
    }
    void indexWorkspace();
  });

  async function pullSettings(): Promise<void> {
    try {
      const raw = await connection.workspace.getConfiguration('fusionLens');
      settings = normalizeSettings(raw);
    } catch (e) {
      log(`could not read settings: ${(e as Error).message}`);
    }
    revalidateAll();
  }

  connection.onDidChangeConfiguration(change => {
    if (hasConfiguration) void pullSettings();
    else {
      settings = normalizeSettings((change.settings as { fusionLens?: unknown } | undefined)?.fusionLens);
      revalidateAll();
    }
  });

  // ---------------------------------------------------------------- workspace index

  /**
   * Walks the workspace folders in the background and records which file defines which kernel
   * (names only). Every file read is an await, and CPU work runs in slices of at most ~8 ms, so
   * requests and diagnostics of open files are served in between.
   */
  async function indexWorkspace(): Promise<void> {
    const started = Date.now();
    let files = 0;
    let withKernels = 0;
    let slice = performance.now();
    const queue = [...workspaceFolders];
    while (queue.length && files < 20000) {
      const dir = queue.pop()!;
      let entries: fs.Dirent[];
      try {
        entries = await fs.promises.readdir(dir, { withFileTypes: true });
      } catch {
        continue;
      }
      for (const e of entries) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) {
          if (!SKIP_DIRS.has(e.name) && !e.name.startsWith('.')) queue.push(p);
          continue;
        }
        if (!e.isFile() || !INDEX_EXT.test(e.name)) continue;
        if (documents.get(pathToFileURL(p).toString())) continue; // open documents are indexed live
        try {
          const st = await fs.promises.stat(p);
          if (st.size > MAX_ANALYZED_BYTES) continue;
          const text = await fs.promises.readFile(p, 'utf8');
          if (documents.get(pathToFileURL(p).toString())) continue; // opened meanwhile
          const names = kernelNames(text);
          index.setNames(p, names);
          files++;
          if (names.length) withKernels++;
        } catch {
          /* unreadable: skip */
        }
        if (performance.now() - slice > 8) {
          await new Promise(r => setImmediate(r));
          slice = performance.now();
        }
      }
    }
    log(`indexed ${files} files (${withKernels} define kernels) in ${Date.now() - started} ms`);
    gc.touch();
    if (withKernels) revalidateAll();
  }

  connection.onDidChangeWatchedFiles(params => {
    for (const c of params.changes) {
      const p = uriToPath(c.uri);
      if (!p || !INDEX_EXT.test(p) || documents.get(c.uri)) continue;
      if (c.type === FileChangeType.Deleted) index.remove(p);
      else {
        const t = host.readFile!(p);
        if (t !== undefined) index.refresh(p, t);
      }
    }
    revalidateAll();
  });

  // ---------------------------------------------------------------- analysis

  function fileOf(doc: TextDocument): string {
    const p = uriToPath(doc.uri);
    if (p) return p;
    const ext = doc.languageId === 'typescript' ? '.ts' : doc.languageId === 'javascript' ? '.js' : '.cu';
    return doc.uri + ext;
  }

  function enabledFor(doc: TextDocument): boolean {
    const lang = languageOf(fileOf(doc)) ?? (['cuda-cpp', 'cuda', 'cpp'].includes(doc.languageId) ? 'cuda' : undefined);
    if (lang === 'cuda') return settings.enable.cuda;
    if (lang === 'typescript') return settings.enable.typescript;
    return false;
  }

  /**
   * Analyzes the document's current text. Results are cached per version for the MAX_CACHED most
   * recently used documents (hover, code actions and lenses ask again; diagnostics are already
   * published), so memory does not grow with the number of open files. Never throws.
   */
  function resultFor(doc: TextDocument): AnalysisResult | undefined {
    const c = cache.get(doc.uri);
    if (c && c.version === doc.version) {
      cache.delete(doc.uri);
      cache.set(doc.uri, c);
      return c.result;
    }
    if (!enabledFor(doc)) return undefined;
    const text = doc.getText();
    if (text.length > MAX_ANALYZED_BYTES) return undefined;
    const file = fileOf(doc);
    try {
      const result = analyze(file, text, host, analysisOptions(settings), previous.get(doc.uri));
      previous.set(doc.uri, result);
      gc.touch();
      // other files resolve this document's kernels from this analysis (no second summary; an
      // incremental result gives its own without running the full analysis)
      const own = indexEntryOf(result);
      if (own) index.setLive(file, own.kernels, own.includes);
      cache.delete(doc.uri);
      cache.set(doc.uri, { version: doc.version, result });
      for (const k of cache.keys()) {
        if (cache.size <= MAX_CACHED) break;
        cache.delete(k);
        previous.delete(k);
      }
      if (incrementalSteps(result) > 0) scheduleWarmup(doc.uri, result);
      return result;
    } catch (e) {
      log(`internal error analyzing ${doc.uri}: ${(e as Error).stack ?? e}`);
      return undefined;
    }
  }

  function validate(doc: TextDocument): void {
    if (!documents.get(doc.uri)) return; // closed meanwhile
    if (!enabledFor(doc)) {
      void connection.sendDiagnostics({ uri: doc.uri, diagnostics: [] });
      return;
    }
    if (doc.getText().length > MAX_ANALYZED_BYTES) {
      void connection.sendDiagnostics({ uri: doc.uri, diagnostics: [] });
      log(`${doc.uri}: larger than ${fmtBytes(MAX_ANALYZED_BYTES)}, not analyzed`);
      return;
    }
    const version = doc.version;
    const r = resultFor(doc);
    if (!r || documents.get(doc.uri)?.version !== version) return; // a newer edit will publish
    const diagnostics: Diagnostic[] = r.findings.map(f => toDiagnostic(doc.uri, f));
    for (const p of r.problems) {
      diagnostics.push({ range: p.range, message: p.message, severity: DiagnosticSeverity.Hint, source: 'fusion-lens' });
    }
    void connection.sendDiagnostics({ uri: doc.uri, version, diagnostics });
    void connection.sendNotification('fusionLens/status', { uri: doc.uri, findings: r.findings.length, gpu: r.profile.id, gpuName: r.profile.name });
  }

  /**
   * After an incremental analysis, the full one (for hover, fixes, the report) runs when the user
   * pauses, so that those answer at once; an edit before then cancels it.
   */
  function scheduleWarmup(uri: string, result: AnalysisResult): void {
    const old = warmups.get(uri);
    if (old) clearTimeout(old);
    warmups.set(uri, setTimeout(() => {
      warmups.delete(uri);
      if (previous.get(uri) !== result) return;
      try {
        fullResultOf(result);
      } catch (e) {
        log(`internal error analyzing ${uri}: ${(e as Error).stack ?? e}`);
      }
    }, WARMUP_MS));
  }

  function schedule(doc: TextDocument, delay: number): void {
    const old = timers.get(doc.uri);
    if (old) clearTimeout(old);
    timers.set(doc.uri, setTimeout(() => {
      timers.delete(doc.uri);
      const cur = documents.get(doc.uri);
      if (cur) validate(cur);
    }, delay));
  }

  function revalidateAll(): void {
    cache.clear();
    previous.clear(); // settings or other files changed: no incremental step from old results
    for (const d of documents.all()) schedule(d, 0);
  }

  function toDiagnostic(uri: string, f: Finding): Diagnostic {
    const sev = { error: DiagnosticSeverity.Error, warning: DiagnosticSeverity.Warning, info: DiagnosticSeverity.Information, hint: DiagnosticSeverity.Hint }[f.severity];
    return {
      range: f.range,
      severity: sev,
      code: f.rule,
      codeDescription: docsBase ? { href: `${docsBase.replace(/\/$/, '')}/${f.rule}.md` } : undefined,
      source: 'fusion-lens',
      message: f.message,
      relatedInformation: f.launches.map(l => ({ location: { uri, range: l.range }, message: `launch of \`${l.callee}\`` })),
      data: { rule: f.rule, start: f.span.start, chain: f.launches.map(l => l.callee).join('>') },
    };
  }

  documents.onDidOpen(e => schedule(e.document, 0));
  documents.onDidChangeContent(e => schedule(e.document, settings.debounceMs));
  documents.onDidClose(e => {
    const t = timers.get(e.document.uri);
    if (t) clearTimeout(t);
    timers.delete(e.document.uri);
    cache.delete(e.document.uri);
    previous.delete(e.document.uri);
    const w = warmups.get(e.document.uri);
    if (w) clearTimeout(w);
    warmups.delete(e.document.uri);
    // fall back to the saved file's kernels; an unsaved or unindexed document leaves the index
    const key = fileOf(e.document);
    const p = uriToPath(e.document.uri);
    const saved = p && INDEX_EXT.test(p) ? host.readFile!(p) : undefined;
    if (saved !== undefined) index.refresh(key, saved);
    else index.remove(key);
    void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
  });

  // ---------------------------------------------------------------- hover

  connection.onHover(params => {
    const doc = documents.get(params.textDocument.uri);
    if (!doc) return null;
    const r = resultFor(doc);
    if (!r) return null;
    try {
      const h = hoverAt(r, doc.offsetAt(params.position), settings.defaultProblemSize);
      if (!h) return null;
      return { contents: { kind: 'markdown', value: h.markdown }, range: { start: doc.positionAt(h.span.start), end: doc.positionAt(h.span.end) } };
    } catch (e) {
      log(`hover failed: ${(e as Error).message}`);
      return null;
    }
  });

  // ---------------------------------------------------------------- code actions

  connection.onCodeAction(params => {
    const doc = documents.get(params.textDocument.uri);
    if (!doc) return [];
    const r = resultFor(doc);
    if (!r) return [];
    const only = params.context.only;
    const actions: CodeAction[] = [];
    const wantsFixAll = only?.some(k => k === CodeActionKind.SourceFixAll || k.startsWith(CodeActionKind.SourceFixAll) || k === CodeActionKind.Source);
    const wantsQuickFix = !only || only.some(k => k === CodeActionKind.QuickFix || CodeActionKind.QuickFix.startsWith(k));
    if (wantsQuickFix) {
      const start = doc.offsetAt(params.range.start);
      const end = doc.offsetAt(params.range.end);
      for (const f of r.findings) {
        if (!f.fixable) continue;
        const touches = f.launches.some(l => l.span.start <= end && l.span.end >= start);
        if (!touches) continue;
        const fix = r.resolveFix(f);
        if (!fix) continue;
        const diag = params.context.diagnostics.filter(d => d.source === 'fusion-lens' && d.code === f.rule && doc.offsetAt(d.range.start) === f.span.start);
        actions.push({
          title: fix.title,
          kind: CodeActionKind.QuickFix,
          isPreferred: true,
          diagnostics: diag.length ? diag : undefined,
          edit: { changes: { [doc.uri]: fix.edits.map(e => ({ range: e.range, newText: e.newText })) } },
        });
      }
    }
    if (wantsFixAll) {
      const edit = fixAllEdit(doc);
      if (edit) actions.push({ title: 'Fusion Lens: fuse all in file', kind: CodeActionKind.SourceFixAll + '.fusionLens', edit });
    }
    return actions;
  });

  /** Applies every fix one after another on a copy (analyzer/fixAll.ts) and returns one minimal edit. */
  function fixAllEdit(doc: TextDocument): WorkspaceEdit | undefined {
    const original = doc.getText();
    const text = fixAll(fileOf(doc), original, host, analysisOptions(settings)).text;
    if (text === original) return undefined;
    let pre = 0;
    while (pre < original.length && pre < text.length && original[pre] === text[pre]) pre++;
    let suf = 0;
    while (suf < original.length - pre && suf < text.length - pre && original[original.length - 1 - suf] === text[text.length - 1 - suf]) suf++;
    const e: LspTextEdit = { range: { start: doc.positionAt(pre), end: doc.positionAt(original.length - suf) }, newText: text.slice(pre, text.length - suf) };
    return { changes: { [doc.uri]: [e] } };
  }

  // ---------------------------------------------------------------- code lens

  connection.onCodeLens(params => {
    const doc = documents.get(params.textDocument.uri);
    if (!doc || !settings.codeLens) return [];
    const r = resultFor(doc);
    if (!r) return [];
    // the fix edits are computed only for lenses the editor resolves (visible ones)
    return r.findings.map((f, index) => ({
      range: { start: { line: f.range.start.line, character: 0 }, end: { line: f.range.start.line, character: 0 } },
      data: { uri: doc.uri, version: doc.version, index },
    }));
  });

  connection.onCodeLensResolve(lens => {
    const { uri, version, index } = lens.data as { uri: string; version: number; index: number };
    const doc = documents.get(uri);
    const r = doc && doc.version === version ? resultFor(doc) : undefined;
    const f = r?.findings[index];
    if (!r || !f) return { ...lens, command: { title: 'Fusion Lens: re-analysing…', command: '' } };
    const e = f.estimate;
    const saved = e.bytesBefore - e.bytesAfter;
    const title = `Fuse ${e.launchesBefore} launches · saves ${e.sizeKnown ? fmtBytes(saved) : `${Math.round((e.bytesPerElementBefore - e.bytesPerElementAfter) * 10) / 10} B/element`} · ~${e.speedup}x on ${shortGpu(r.profile)}`;
    const fix = f.fixable ? r.resolveFix(f) : undefined;
    return {
      ...lens,
      command: fix
        ? { title, command: 'fusionLens.applyFix', arguments: [uri, version, fix.edits.map(x => ({ range: x.range, newText: x.newText }))] }
        : { title: `${title} (no automatic fix)`, command: 'fusionLens.explain', arguments: [f.fixUnavailable ?? ''] },
    };
  });

  // ---------------------------------------------------------------- custom requests

  connection.onRequest('fusionLens/report', (params: { uri: string }) => {
    const doc = documents.get(params.uri);
    if (!doc) return null;
    const r = resultFor(doc);
    return r ? reportData(r) : null;
  });

  connection.onRequest('fusionLens/gpus', () => PROFILES.map(p => ({ id: p.id, name: p.name, bandwidth: p.dramBandwidthGBs.value, current: p.id === settings.gpu })));

  connection.onRequest('fusionLens/setGpu', (params: { gpu: string }) => {
    const p = findProfile(params.gpu);
    if (!p) return false;
    settings = { ...settings, gpu: p.id };
    revalidateAll();
    return true;
  });

  documents.listen(guardDocumentSync(connection, log));
  connection.listen();
}

function uriToPath(uri: string): string | undefined {
  if (typeof uri !== 'string' || !uri.startsWith('file:')) return undefined;
  try {
    return fileURLToPath(uri);
  } catch {
    return undefined;
  }
}

process.on('uncaughtException', e => {
  // keep serving: one bad request must not take the editor's diagnostics down
  process.stderr.write(`[fusion-lens] uncaught: ${e.stack ?? e}\n`);
});

startServer(createConnection(ProposedFeatures.all));
