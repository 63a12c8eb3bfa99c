// "Fusion Lens: Show report": one webview panel with the active file's launch graph (SVG) and
// findings table (HTML in reportHtml.ts). It refreshes when the file's analysis changes and follows
// the editor theme; scripts stay disabled and nothing is loaded from the network. Lines in the
// graph and the table are `command:` links that reveal the launch in the editor.

import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import type { ReportData } from '../analyzer/report/graph';
import { esc, renderReport } from './reportHtml';

const REVEAL = 'fusionLens.revealLine';
let panel: vscode.WebviewPanel | undefined;
let shownUri: vscode.Uri | undefined;
let registered = false;

export async function showReport(context: vscode.ExtensionContext, client: LanguageClient): Promise<void> {
  const ed = vscode.window.activeTextEditor;
  if (!ed) {
    void vscode.window.showInformationMessage('Fusion Lens: open a CUDA or TypeScript file first.');
    return;
  }
  if (!registered) {
    registered = true;
    context.subscriptions.push(
      vscode.commands.registerCommand(REVEAL, async (uri: string, line: number) => {
        const doc = await vscode.workspace.openTextDocument(vscode.Uri.parse(uri));
        const pos = new vscode.Position(Math.max(0, line - 1), 0);
        const editor = await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.One, selection: new vscode.Range(pos, pos) });
        editor.revealRange(new vscode.Range(pos, pos), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
      }),
      // keep the open report in step with the file's analysis
      vscode.languages.onDidChangeDiagnostics(e => {
        if (panel && shownUri && e.uris.some(u => u.toString() === shownUri!.toString())) void refresh(client);
      }),
    );
  }
  shownUri = ed.document.uri;
  if (!panel) {
    panel = vscode.window.createWebviewPanel('fusionLensReport', 'Fusion report', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {
      enableScripts: false,
      enableCommandUris: [REVEAL],
      localResourceRoots: [],
    });
    panel.onDidDispose(() => {
      panel = undefined;
      shownUri = undefined;
    }, undefined, context.subscriptions);
  } else {
    panel.reveal(vscode.ViewColumn.Beside, true);
  }
  await refresh(client);
}

async function refresh(client: LanguageClient): Promise<void> {
  if (!panel || !shownUri) return;
  const uri = shownUri;
  panel.title = `Fusion report: ${vscode.workspace.asRelativePath(uri)}`;
  let data: ReportData | null = null;
  try {
    data = await client.sendRequest<ReportData | null>('fusionLens/report', { uri: uri.toString() });
  } catch (e) {
    client.error(`report request failed: ${(e as Error).message}`);
  }
  if (!panel || shownUri !== uri) return;
  const html = data
    ? renderReport(data, {
      cspSource: panel.webview.cspSource,
      lineLink: line => `command:${REVEAL}?${encodeURIComponent(JSON.stringify([uri.toString(), line]))}`,
    })
    : `<!DOCTYPE html><html><body><p>No analysis for ${esc(vscode.workspace.asRelativePath(uri))} (not a CUDA or TypeScript file, or analysis is disabled in the settings).</p></body></html>`;
  // re-rendering reloads the webview (and can take focus): only when something changed
  if (panel.webview.html !== html) panel.webview.html = html;
}
