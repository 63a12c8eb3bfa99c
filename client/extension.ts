// VS Code glue only: starts the language client, registers commands, shows the status bar item.
// Everything the user sees about kernels comes from the language server.
//
// Workspace Trust: the extension declares `untrustedWorkspaces: supported` (package.json). It never
// executes anything from the workspace — no compiler, no scripts, no tasks — it only reads files and
// analyzes them in its language server, so it runs the same in restricted mode.

import * as path from 'node:path';
import * as vscode from 'vscode';
import { CodeLensRequest, LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { showReport } from './report';
import { SERVER_EXEC_ARGV } from '../server/flags';

/** Language ids the server analyzes. `cuda-cpp` is VS Code's (and cpptools'/Nsight's) id for .cu; `cuda` is the legacy one. */
export const LANGUAGES = ['cuda-cpp', 'cuda', 'cpp', 'typescript', 'javascript', 'typescriptreact', 'javascriptreact'];

let client: LanguageClient | undefined;
let status: vscode.StatusBarItem | undefined;
/** The last `fusionLens/status` per document: finding count and the GPU its estimates are for. */
const statusOf = new Map<string, { findings: number; gpuName: string }>();

/** What `activate` returns (the extension's `exports`): used by the extension tests. */
export interface FusionLensApi {
  client: LanguageClient | undefined;
  status(): vscode.StatusBarItem | undefined;
}

export async function activate(context: vscode.ExtensionContext): Promise<FusionLensApi> {
  const output = vscode.window.createOutputChannel('Fusion Lens', { log: true });
  context.subscriptions.push(output);
  const serverModule = context.asAbsolutePath(path.join('dist', 'server.js'));
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: SERVER_EXEC_ARGV } },
    debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: [...SERVER_EXEC_ARGV, '--nolazy', '--inspect=6010'] } },
  };
  const selector = LANGUAGES.flatMap(language => [
    { scheme: 'file', language },
    { scheme: 'untitled', language },
  ]);
  const clientOptions: LanguageClientOptions = {
    documentSelector: selector,
    outputChannel: output,
    synchronize: {
      configurationSection: 'fusionLens',
      fileEvents: vscode.workspace.createFileSystemWatcher('**/*.{cu,cuh,h,hpp,hh}'),
    },
    initializationOptions: {
      settings: vscode.workspace.getConfiguration('fusionLens'),
      docsBase: vscode.Uri.file(context.asAbsolutePath(path.join('docs', 'rules'))).toString(),
    },
  };
  client = new LanguageClient('fusionLens', 'Fusion Lens', serverOptions, clientOptions);

  status = vscode.window.createStatusBarItem('fusionLens.status', vscode.StatusBarAlignment.Right, 100);
  status.name = 'Fusion Lens';
  status.command = 'fusionLens.selectGpu';
  context.subscriptions.push(status);

  context.subscriptions.push(
    vscode.commands.registerCommand('fusionLens.selectGpu', selectGpu),
    vscode.commands.registerCommand('fusionLens.applyFix', applyFix),
    vscode.commands.registerCommand('fusionLens.explain', (why: string) => vscode.window.showInformationMessage(`Fusion Lens: no automatic fix: ${why}`)),
    vscode.commands.registerCommand('fusionLens.fixAll', fixAll),
    vscode.commands.registerCommand('fusionLens.showReport', () => client && showReport(context, client)),
    vscode.commands.registerCommand('fusionLens.showOutput', () => output.show(true)),
    vscode.window.onDidChangeActiveTextEditor(updateStatus),
    vscode.workspace.onDidCloseTextDocument(d => {
      statusOf.delete(d.uri.toString());
      updateStatus();
    }),
    vscode.workspace.onDidChangeConfiguration(e => {
      if (e.affectsConfiguration('fusionLens.gpu')) updateStatus();
    }),
  );

  // The server sends this after each analysis of a document (open, edit, settings change).
  client.onNotification('fusionLens/status', (s: { uri: string; findings: number; gpuName: string }) => {
    statusOf.set(s.uri, { findings: s.findings, gpuName: s.gpuName });
    updateStatus();
    refreshCodeLenses(s.uri);
  });
  await client.start();
  updateStatus();
  output.info(`client started (workspace ${vscode.workspace.isTrusted ? 'trusted' : 'not trusted: analysis only, which is all Fusion Lens ever does'})`);
  return { client, status: () => status };
}

/**
 * Asks VS Code to fetch the code lenses of `uri` again after each analysis: VS Code only re-requests
 * lenses on edits, so a settings change (GPU profile, codeLens) would otherwise leave stale titles.
 */
function refreshCodeLenses(uri: string): void {
  const doc = vscode.workspace.textDocuments.find(d => d.uri.toString() === uri);
  if (!doc || !client) return;
  try {
    client.getFeature(CodeLensRequest.method).getProvider(doc)?.onDidChangeCodeLensEmitter.fire();
  } catch {
    /* feature not registered (codeLensProvider absent): nothing to refresh */
  }
}

function updateStatus(): void {
  if (!status) return;
  const ed = vscode.window.activeTextEditor;
  if (!ed || !LANGUAGES.includes(ed.document.languageId)) {
    status.hide();
    return;
  }
  const st = statusOf.get(ed.document.uri.toString());
  const count = st?.findings;
  const gpuName = st?.gpuName ?? '';
  // (TypeScript/JavaScript files are estimated on a laptop profile, so the GPU is per document)
  const gpu = gpuName ? gpuName.replace(/^NVIDIA\s+(GeForce\s+)?/, '') : (vscode.workspace.getConfiguration('fusionLens').get<string>('gpu') ?? '');
  status.text = `$(zap) ${gpu}${count !== undefined ? ` · ${count} fusable` : ''}`;
  const tip = new vscode.MarkdownString(
    `**Fusion Lens**\n\nEstimates for **${gpuName || gpu}**` +
      (count !== undefined ? `; ${count === 1 ? '1 fusable group' : `${count} fusable groups`} in this file.` : '.') +
      `\n\nClick to pick another GPU profile.`,
  );
  status.tooltip = tip;
  status.show();
}

async function selectGpu(): Promise<void> {
  if (!client) return;
  const gpus = await client.sendRequest<Array<{ id: string; name: string; bandwidth: number; current: boolean }>>('fusionLens/gpus');
  const pick = await vscode.window.showQuickPick(
    gpus.map(g => ({
      label: g.name,
      description: `${g.id} · ${g.bandwidth >= 1000 ? (g.bandwidth / 1000).toFixed(2) + ' TB/s' : g.bandwidth + ' GB/s'}${g.current ? ' · current' : ''}`,
      id: g.id,
      picked: g.current,
    })),
    { placeHolder: 'GPU profile for Fusion Lens estimates', title: 'Fusion Lens: GPU profile' },
  );
  if (!pick) return;
  const target = vscode.workspace.workspaceFolders?.length ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  await vscode.workspace.getConfiguration('fusionLens').update('gpu', pick.id, target);
}

type LspEdit = { range: { start: { line: number; character: number }; end: { line: number; character: number } }; newText: string };

async function applyFix(uri: string, version: number, edits: LspEdit[]): Promise<boolean> {
  const doc = vscode.workspace.textDocuments.find(d => d.uri.toString() === uri);
  if (!doc || doc.version !== version) {
    void vscode.window.showWarningMessage('Fusion Lens: the document changed; try again once the estimate refreshes.');
    return false;
  }
  const we = new vscode.WorkspaceEdit();
  for (const e of edits) we.replace(doc.uri, new vscode.Range(e.range.start.line, e.range.start.character, e.range.end.line, e.range.end.character), e.newText);
  return vscode.workspace.applyEdit(we);
}

async function fixAll(): Promise<boolean> {
  const ed = vscode.window.activeTextEditor;
  if (!ed) {
    void vscode.window.showInformationMessage('Fusion Lens: open a CUDA file first.');
    return false;
  }
  const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
    'vscode.executeCodeActionProvider', ed.document.uri, new vscode.Range(0, 0, ed.document.lineCount, 0), vscode.CodeActionKind.SourceFixAll.append('fusionLens').value,
  );
  const action = actions?.find(a => a.edit);
  if (!action?.edit) {
    void vscode.window.showInformationMessage('Fusion Lens: nothing to fuse automatically in this file.');
    return false;
  }
  return vscode.workspace.applyEdit(action.edit);
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
