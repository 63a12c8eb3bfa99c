// VS Code glue only: starts the language client, registers commands, shows the status bar item.
// Everything the user sees about kernels comes from the language server.

import * as path from 'node:path';
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { showReport } from './report';
import { SERVER_EXEC_ARGV } from '../server/flags';

let client: LanguageClient | undefined;
let status: vscode.StatusBarItem | undefined;
const findingCounts = new Map<string, number>();
let gpuName = '';

export async function activate(context: vscode.ExtensionContext): Promise<{ client: LanguageClient | undefined }> {
  const output = vscode.window.createOutputChannel('Fusion Lens', { log: true });
  context.subscriptions.push(output);
  const serverModule = context.asAbsolutePath(path.join('dist', 'server.js'));
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: SERVER_EXEC_ARGV } },
    debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: [...SERVER_EXEC_ARGV, '--nolazy', '--inspect=6010'] } },
  };
  const selector = ['cuda-cpp', 'cuda', 'cpp', 'typescript', 'javascript', 'typescriptreact', 'javascriptreact'].flatMap(language => [
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

  status = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Right, 100);
  status.command = 'fusionLens.selectGpu';
  status.tooltip = 'Fusion Lens: GPU profile for estimates (click to change)';
  context.subscriptions.push(status);

  context.subscriptions.push(
    vscode.commands.registerCommand('fusionLens.selectGpu', selectGpu),
    vscode.commands.registerCommand('fusionLens.applyFix', applyFix),
    vscode.commands.registerCommand('fusionLens.explain', (why: string) => vscode.window.showInformationMessage(`Fusion Lens: no automatic fix: ${why}`)),
    vscode.commands.registerCommand('fusionLens.fixAll', fixAll),
    vscode.commands.registerCommand('fusionLens.showReport', () => client && showReport(context, client)),
    vscode.commands.registerCommand('fusionLens.showOutput', () => output.show()),
    vscode.window.onDidChangeActiveTextEditor(updateStatus),
  );

  await client.start();
  client.onNotification('fusionLens/status', (s: { uri: string; findings: number; gpuName: string }) => {
    findingCounts.set(s.uri, s.findings);
    gpuName = s.gpuName;
    updateStatus();
  });
  updateStatus();
  output.appendLine('[fusion-lens] client started');
  return { client };
}

function updateStatus(): void {
  if (!status) return;
  const ed = vscode.window.activeTextEditor;
  const count = ed ? findingCounts.get(ed.document.uri.toString()) : undefined;
  const gpu = gpuName ? gpuName.replace(/^NVIDIA\s+(GeForce\s+)?/, '') : (vscode.workspace.getConfiguration('fusionLens').get<string>('gpu') ?? '');
  status.text = `$(zap) ${gpu}${count !== undefined ? ` · ${count} fusable` : ''}`;
  status.show();
}

async function selectGpu(): Promise<void> {
  if (!client) return;
  const gpus = await client.sendRequest<Array<{ id: string; name: string; bandwidth: number; current: boolean }>>('fusionLens/gpus');
  const pick = await vscode.window.showQuickPick(
    gpus.map(g => ({ label: g.name, description: `${g.id} · ${g.bandwidth >= 1000 ? (g.bandwidth / 1000).toFixed(2) + ' TB/s' : g.bandwidth + ' GB/s'}${g.current ? ' · current' : ''}`, id: g.id })),
    { placeHolder: 'GPU profile for Fusion Lens estimates' },
  );
  if (!pick) return;
  const target = vscode.workspace.workspaceFolders?.length ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  await vscode.workspace.getConfiguration('fusionLens').update('gpu', pick.id, target);
}

async function applyFix(uri: string, version: number, edits: Array<{ range: { start: { line: number; character: number }; end: { line: number; character: number } }; newText: string }>): Promise<void> {
  const doc = vscode.workspace.textDocuments.find(d => d.uri.toString() === uri);
  if (!doc || doc.version !== version) {
    void vscode.window.showWarningMessage('Fusion Lens: the document changed; try again once the estimate refreshes.');
    return;
  }
  const we = new vscode.WorkspaceEdit();
  for (const e of edits) we.replace(doc.uri, new vscode.Range(e.range.start.line, e.range.start.character, e.range.end.line, e.range.end.character), e.newText);
  await vscode.workspace.applyEdit(we);
}

async function fixAll(): Promise<void> {
  const ed = vscode.window.activeTextEditor;
  if (!ed) return;
  const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
    'vscode.executeCodeActionProvider', ed.document.uri, new vscode.Range(0, 0, ed.document.lineCount, 0), vscode.CodeActionKind.SourceFixAll.append('fusionLens').value,
  );
  const action = actions?.find(a => a.edit);
  if (!action?.edit) {
    void vscode.window.showInformationMessage('Fusion Lens: nothing to fuse automatically in this file.');
    return;
  }
  await vscode.workspace.applyEdit(action.edit);
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
