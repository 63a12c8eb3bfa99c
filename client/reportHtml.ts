// HTML of the "Fusion Lens: Show report" webview: the file's launch graph as SVG (launches as nodes,
// buffers as edges labelled with the bytes they carry, fusable groups highlighted) and a table of
// findings. Pure (no vscode import) so it can be rendered and checked outside the editor.
// No network: the Content-Security-Policy allows nothing but inline styles; colours come from the
// editor theme's CSS variables, so the report follows light, dark and high-contrast themes.

import { fmtBytes } from '../analyzer/cost/model';
import type { ReportData } from '../analyzer/report/graph';

export const esc = (s: string) => s.replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export interface RenderOptions {
  cspSource: string;
  /** Builds a link that reveals a 1-based line of the analyzed file (a `command:` URI), if any. */
  lineLink?: (line: number) => string;
}

const NODE_W = 250;
const NODE_H = 54;
const GAP_Y = 40;
const LEFT = 24;
const SCOPE_H = 26;

export function renderReport(d: ReportData, opts: RenderOptions): string {
  // Lay launches out top to bottom in source order, one block per host function.
  const pos = new Map<number, { x: number; y: number }>();
  const scopes: Array<{ name: string; y: number }> = [];
  let y = 12;
  let scope: string | undefined;
  for (const n of [...d.nodes].sort((a, b) => a.line - b.line)) {
    if (n.scope !== scope) {
      scope = n.scope;
      if (scopes.length) y += 10;
      scopes.push({ name: scope || '(file scope)', y: y + 14 });
      y += SCOPE_H;
    }
    pos.set(n.id, { x: LEFT, y });
    y += NODE_H + GAP_Y;
  }
  const height = Math.max(y - GAP_Y + 16, 60);
  const findingOf = new Map(d.findings.map(f => [f.group, f]));

  // Group boxes behind the nodes of each fusable group.
  const boxes = [...new Set(d.nodes.filter(n => n.group !== undefined).map(n => n.group!))].map(g => {
    const ys = d.nodes.filter(n => n.group === g).map(n => pos.get(n.id)!.y);
    const top = Math.min(...ys) - 10;
    const bottom = Math.max(...ys) + NODE_H + 10;
    const f = findingOf.get(g);
    const label = f ? `group ${g + 1} · ${f.launches} → 1 launch · ${fmtBytes(f.bytesBefore)} → ${fmtBytes(f.bytesAfter)} · ~${f.speedup}×${f.fixable ? '' : ' · no automatic fix'}` : `group ${g + 1}`;
    return `<g class="grpbox g${g % 6}"><rect x="${LEFT - 12}" y="${top}" width="${NODE_W + 24}" height="${bottom - top}" rx="10"/>` +
      `<text x="${LEFT + NODE_W + 24}" y="${top + 14}" class="glabel">${esc(label)}</text></g>`;
  }).join('\n');

  const edges = d.edges.map((e, i) => {
    const a = pos.get(e.from);
    const b = pos.get(e.to);
    if (!a || !b) return '';
    const x = a.x + NODE_W / 2;
    const y1 = a.y + NODE_H;
    const y2 = b.y;
    const adjacent = b.y - a.y <= NODE_H + GAP_Y + SCOPE_H;
    const bend = NODE_W / 2 + 40 + 24 * (i % 3);
    const dPath = adjacent ? `M${x},${y1} L${x},${y2 - 2}` : `M${x + 40},${y1} C${x + bend},${y1 + 30} ${x + bend},${y2 - 30} ${x + 40},${y2 - 2}`;
    const lx = adjacent ? x + 8 : x + bend - 10;
    const ly = (y1 + y2) / 2 + 4;
    const label = `${e.buffer} · ${fmtBytes(e.bytes)}${e.fused ? ' · stays on chip when fused' : ''}`;
    return `<path d="${dPath}" class="edge${e.fused ? ' fused' : ''}" marker-end="url(#arrow)"><title>${esc(label)}</title></path>` +
      `<text x="${lx}" y="${ly}" class="elabel${e.fused ? ' fused' : ''}">${esc(label)}</text>`;
  }).join('\n');

  const nodes = d.nodes.map(n => {
    const p = pos.get(n.id)!;
    const link = opts.lineLink?.(n.line);
    const body = `<rect x="${p.x}" y="${p.y}" width="${NODE_W}" height="${NODE_H}" rx="6"/>` +
      `<text x="${p.x + 10}" y="${p.y + 21}" class="title">${esc(n.callee)}&lt;&lt;&lt;…&gt;&gt;&gt;</text>` +
      `<text x="${p.x + 10}" y="${p.y + 41}" class="sub">line ${n.line} · ${fmtBytes(n.bytes)} moved${n.group !== undefined ? ` · group ${n.group + 1}` : ''}</text>`;
    const g = `<g class="node${n.group !== undefined ? ` grp g${n.group % 6}` : ''}" data-launch="${esc(n.callee)}">${body}</g>`;
    return link ? `<a href="${esc(link)}">${g}</a>` : g;
  }).join('\n');

  const scopeLabels = scopes.map(s => `<text x="${LEFT - 8}" y="${s.y}" class="scope">${esc(s.name)}()</text>`).join('\n');
  const width = LEFT + NODE_W + 24 + 420;

  const lineCell = (line: number) => {
    const link = opts.lineLink?.(line);
    return link ? `<a href="${esc(link)}">${line}</a>` : String(line);
  };
  const rows = d.findings.map(f => `<tr><td>${esc(f.rule)}</td><td>${lineCell(f.line)}</td><td>${esc(f.message)}</td>` +
    `<td class="num">${fmtBytes(f.bytesBefore)} → ${fmtBytes(f.bytesAfter)}</td><td class="num">~${f.speedup}×</td><td>${f.fixable ? 'quick fix' : 'no'}</td></tr>`).join('\n');
  const why = d.refusals.map(r => `<li><b>${esc(r.rule)}</b> line ${lineCell(r.line)} (${esc(r.launches.join(' → '))}): ${esc(r.reason)}</li>`).join('\n');
  const saved = d.findings.reduce((s, f) => s + (f.bytesBefore - f.bytesAfter), 0);

  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${opts.cspSource} 'unsafe-inline'; img-src ${opts.cspSource} data:;">
<title>Fusion report</title>
<style>
body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); background: var(--vscode-editor-background); padding: 8px 16px; }
h1 { font-size: 1.3em; font-weight: 600; margin: 8px 0 2px; }
h2 { font-size: 1.1em; font-weight: 600; margin: 18px 0 6px; }
.summary { color: var(--vscode-descriptionForeground); margin: 0 0 8px; }
svg { color: var(--vscode-descriptionForeground); display: block; }
.node rect { fill: var(--vscode-editorWidget-background, var(--vscode-editor-background)); stroke: var(--vscode-editorWidget-border, var(--vscode-foreground)); stroke-width: 1; }
.node.grp rect { stroke: var(--vscode-charts-orange, #d18616); stroke-width: 2; }
a .node:hover rect { stroke: var(--vscode-focusBorder); stroke-width: 2; }
.grpbox rect { fill: var(--vscode-charts-orange, #d18616); fill-opacity: 0.10; stroke: var(--vscode-charts-orange, #d18616); stroke-dasharray: 5 3; }
.grpbox.g1 rect, .grpbox.g4 rect { fill: var(--vscode-charts-blue, #3794ff); stroke: var(--vscode-charts-blue, #3794ff); }
.grpbox.g2 rect, .grpbox.g5 rect { fill: var(--vscode-charts-purple, #b180d7); stroke: var(--vscode-charts-purple, #b180d7); }
.glabel { fill: var(--vscode-foreground); font-size: 12px; font-weight: 600; }
.title { fill: var(--vscode-foreground); font-weight: 600; font-size: 13px; font-family: var(--vscode-editor-font-family); }
.sub, .elabel, .scope { fill: var(--vscode-descriptionForeground); font-size: 11.5px; }
.scope { font-family: var(--vscode-editor-font-family); font-size: 12px; }
.elabel.fused { fill: var(--vscode-charts-orange, #d18616); }
.edge { stroke: var(--vscode-descriptionForeground); fill: none; stroke-width: 1.2; }
.edge.fused { stroke: var(--vscode-charts-orange, #d18616); stroke-dasharray: 4 3; stroke-width: 2; }
.legend { color: var(--vscode-descriptionForeground); font-size: 0.9em; }
table { border-collapse: collapse; margin-top: 4px; }
td, th { border: 1px solid var(--vscode-editorWidget-border, #8884); padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: var(--vscode-editorWidget-background, transparent); }
td.num { white-space: nowrap; text-align: right; font-variant-numeric: tabular-nums; }
a { color: var(--vscode-textLink-foreground); }
</style></head><body>
<h1>Fusion report · ${esc(d.file.split(/[\\/]/).pop() ?? d.file)}</h1>
<p class="summary">${d.nodes.length} launch${d.nodes.length === 1 ? '' : 'es'} · ${d.findings.length} fusable group${d.findings.length === 1 ? '' : 's'}${saved > 0 ? ` · ${fmtBytes(saved)} of device-memory traffic to save` : ''} · estimates for ${esc(d.gpu)}</p>
<h2>Launch graph</h2>
${d.nodes.length ? `<svg width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="launch graph">
<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="currentColor"/></marker></defs>
${boxes}
${scopeLabels}
${edges}
${nodes}
</svg>
<p class="legend">Boxes are kernel launches in source order, grouped by host function; arrows are buffers one launch writes and a later one reads, labelled with the bytes they carry. Dashed orange arrows stay on chip once their group is fused.</p>` : '<p>No kernel launches in this file.</p>'}
<h2>Findings</h2>
${d.findings.length ? `<table><tr><th>Rule</th><th>Line</th><th>Finding</th><th>Bytes</th><th>Speedup</th><th>Fix</th></tr>${rows}</table>` : '<p>No fusable groups.</p>'}
${why ? `<h2>Not fused, and why</h2><ul>${why}</ul>` : ''}
</body></html>`;
}
