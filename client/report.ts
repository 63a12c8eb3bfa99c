// "Fusion Lens: Show report": a webview with the file's launch graph (SVG, no network) and a table
// of findings. Colours come from the editor theme's CSS variables.

import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import type { ReportData } from '../analyzer/report/graph';

export async function showReport(context: vscode.ExtensionContext, client: LanguageClient): Promise<void> {
  const ed = vscode.window.activeTextEditor;
  if (!ed) {
    void vscode.window.showInformationMessage('Fusion Lens: open a CUDA or TypeScript file first.');
    return;
  }
  const data = await client.sendRequest<ReportData | null>('fusionLens/report', { uri: ed.document.uri.toString() });
  const panel = vscode.window.createWebviewPanel('fusionLensReport', `Fusion report: ${vscode.workspace.asRelativePath(ed.document.uri)}`, vscode.ViewColumn.Beside, { enableScripts: false });
  panel.webview.html = data ? renderReport(data, panel.webview.cspSource) : '<p>No analysis for this file.</p>';
  context.subscriptions.push(panel);
}

const esc = (s: string) => s.replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function mib(b: number): string {
  return b >= 1 << 20 ? `${(b / (1 << 20)).toFixed(1)} MiB` : b >= 1024 ? `${(b / 1024).toFixed(1)} KiB` : `${b} B`;
}

export function renderReport(d: ReportData, cspSource: string): string {
  const W = 220;
  const H = 56;
  const gapY = 36;
  const pos = new Map<number, { x: number; y: number }>();
  d.nodes.forEach((n, i) => pos.set(n.id, { x: 40, y: 20 + i * (H + gapY) }));
  const height = 40 + d.nodes.length * (H + gapY);
  const edges = d.edges.map(e => {
    const a = pos.get(e.from)!;
    const b = pos.get(e.to)!;
    const x1 = a.x + W / 2;
    const y1 = a.y + H;
    const y2 = b.y;
    const bend = 60 + 20 * ((e.to - e.from) % 4);
    const path = b.y - a.y > H + gapY ? `M${x1},${y1} C${x1 + W / 2 + bend},${y1} ${x1 + W / 2 + bend},${y2} ${x1},${y2}` : `M${x1},${y1} L${x1},${y2}`;
    return `<path d="${path}" class="edge${e.fused ? ' fused' : ''}" marker-end="url(#arrow)"/><text x="${x1 + 8}" y="${(y1 + y2) / 2 + 4}" class="elabel">${esc(e.buffer)} · ${mib(e.bytes)}${e.fused ? ' · on chip' : ''}</text>`;
  }).join('\n');
  const nodes = d.nodes.map(n => {
    const p = pos.get(n.id)!;
    return `<g class="node${n.group !== undefined ? ' grp g' + (n.group % 6) : ''}"><rect x="${p.x}" y="${p.y}" width="${W}" height="${H}" rx="6"/><text x="${p.x + 10}" y="${p.y + 22}" class="title">${esc(n.callee)}</text><text x="${p.x + 10}" y="${p.y + 42}" class="sub">line ${n.line} · ${mib(n.bytes)}${n.group !== undefined ? ` · group ${n.group + 1}` : ''}</text></g>`;
  }).join('\n');
  const rows = d.findings.map(f => `<tr><td>${f.rule}</td><td>${f.line}</td><td>${esc(f.message)}</td><td>${mib(f.bytesBefore)} → ${mib(f.bytesAfter)}</td><td>~${f.speedup}×</td><td>${f.fixable ? 'yes' : 'no'}</td></tr>`).join('\n');
  const why = d.refusals.map(r => `<li><b>${r.rule}</b> line ${r.line} (${esc(r.launches.join(' → '))}): ${esc(r.reason)}</li>`).join('\n');
  return `<!DOCTYPE html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${cspSource} 'unsafe-inline'; img-src ${cspSource} data:;">
<style>
body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); background: var(--vscode-editor-background); padding: 12px; }
h2 { font-weight: 600; }
.node rect { fill: var(--vscode-editorWidget-background); stroke: var(--vscode-editorWidget-border, var(--vscode-foreground)); stroke-width: 1; }
.node.grp rect { stroke: var(--vscode-charts-orange, orange); stroke-width: 2.5; }
.title { fill: var(--vscode-foreground); font-weight: 600; font-size: 13px; }
.sub, .elabel { fill: var(--vscode-descriptionForeground); font-size: 11px; }
.edge { stroke: var(--vscode-descriptionForeground); fill: none; stroke-width: 1.2; }
.edge.fused { stroke: var(--vscode-charts-orange, orange); stroke-dasharray: 4 3; stroke-width: 2; }
table { border-collapse: collapse; margin-top: 8px; }
td, th { border: 1px solid var(--vscode-editorWidget-border, #8884); padding: 4px 8px; text-align: left; }
</style></head><body>
<h2>Launch graph · ${esc(d.gpu)}</h2>
<svg width="760" height="${height}" role="img" aria-label="launch graph">
<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="currentColor"/></marker></defs>
${edges}
${nodes}
</svg>
<h2>Findings</h2>
${d.findings.length ? `<table><tr><th>Rule</th><th>Line</th><th>Finding</th><th>Bytes</th><th>Speedup</th><th>Fix</th></tr>${rows}</table>` : '<p>No fusable groups.</p>'}
${why ? `<h2>Not fused, and why</h2><ul>${why}</ul>` : ''}
</body></html>`;
}
