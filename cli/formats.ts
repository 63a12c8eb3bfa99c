// Output formats of `fusion-lens check`: text (people), JSON (scripts; docs/cli.md) and SARIF 2.1.0
// (code-scanning upload). Each is split in two so large runs stream: formatFile() renders one file's
// part (in a worker thread when there are several) and an Assembler writes the parts in file order
// between a head and a tail. The output is the same as rendering everything at once: JSON and SARIF
// are byte-identical to JSON.stringify(document, null, 2).

import * as path from 'node:path';
import type { Finding } from '../analyzer/core/finding';
import { fmtBytes, fmtUs } from '../analyzer/cost/model';
import type { GpuProfile } from '../analyzer/cost/profiles';
import { RULES } from '../analyzer/rules/registry';
import type { FileReport } from './engine';

export const JSON_SCHEMA_VERSION = 1;

export type Format = 'text' | 'json' | 'sarif';

export interface RunInfo {
  toolVersion: string;
  profile: GpuProfile;
  cwd: string;
  verbose: boolean;
}

export interface Style {
  format: Format;
  info: RunInfo;
  color: boolean;
}

/** One file's rendered part and the counts the summary needs (plain data: crosses threads). */
export interface FileChunk {
  text: string;
  findings: number;
  fixable: number;
  bytesSaved: number;
  launchesSaved: number;
}

export interface Assembler {
  file(chunk: FileChunk): void;
  end(): void;
}

export function formatText(results: FileReport[], info: RunInfo, color: boolean): string {
  return render({ format: 'text', info, color }, results);
}

export function formatJson(results: FileReport[], info: RunInfo): string {
  return render({ format: 'json', info, color: false }, results);
}

export function formatSarif(results: FileReport[], info: RunInfo): string {
  return render({ format: 'sarif', info, color: false }, results);
}

function render(style: Style, results: FileReport[]): string {
  let s = '';
  const a = assembler(style, x => (s += x));
  for (const r of results) a.file(formatFile(style, r));
  a.end();
  return s;
}

export function formatFile(style: Style, r: FileReport): FileChunk {
  const chunk: FileChunk = { text: '', findings: r.findings.length, fixable: 0, bytesSaved: 0, launchesSaved: 0 };
  for (const f of r.findings) {
    if (f.fixable) chunk.fixable++;
    chunk.bytesSaved += f.estimate.bytesBefore - f.estimate.bytesAfter;
    chunk.launchesSaved += f.estimate.launchesBefore - f.estimate.launchesAfter;
  }
  if (style.format === 'text') chunk.text = textFile(style, r);
  else if (style.format === 'json') chunk.text = indentItem(jsonFile(style.info, r), JSON_PAD);
  else chunk.text = r.findings.map(f => indentItem(sarifResult(style.info, r, f), SARIF_PAD)).join(',\n');
  return chunk;
}

export function assembler(style: Style, write: (s: string) => void): Assembler {
  const sum = { files: 0, findings: 0, fixable: 0, bytesSaved: 0, launchesSaved: 0, shown: 0 };
  const add = (c: FileChunk) => {
    sum.files++;
    sum.findings += c.findings;
    sum.fixable += c.fixable;
    sum.bytesSaved += c.bytesSaved;
    sum.launchesSaved += c.launchesSaved;
    if (c.text) sum.shown++;
  };
  if (style.format === 'text') {
    return {
      file(c) {
        add(c);
        if (c.text) write(c.text);
      },
      end() {
        write(textSummary(style, sum.findings, sum.fixable, sum.shown, sum.files));
      },
    };
  }
  const skeleton = () => (style.format === 'json' ? jsonSkeleton(style.info, sum) : sarifSkeleton(style.info));
  const doc = JSON.stringify(skeleton(), null, 2);
  const at = doc.indexOf(`"${ITEMS}"`);
  const pad = padAt(doc, at);
  write(doc.slice(0, at));
  let items = 0;
  return {
    file(c) {
      add(c);
      if (!c.text) return;
      write((items++ ? ',\n' : '[\n') + c.text);
    },
    end() {
      const tail = JSON.stringify(skeleton(), null, 2);
      write((items ? `\n${pad}]` : '[]') + tail.slice(tail.indexOf(`"${ITEMS}"`) + ITEMS.length + 2) + '\n');
    },
  };
}

// ------------------------------------------------------------------ text

const paint = (color: boolean) => (code: string, s: string) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);

function textFile({ info, color }: Style, r: FileReport): string {
  if (!r.findings.length && !r.problems.length) return '';
  const c = paint(color);
  const out: string[] = [];
  out.push(c('4', rel(info.cwd, r.file)));
  for (const p of r.problems) out.push(`  ${p.range.start.line + 1}:${p.range.start.character + 1}  ${c('90', 'note')}     ${p.message}`);
  for (const f of r.findings) {
    const sev = f.severity === 'error' ? c('31', 'error') : f.severity === 'warning' ? c('33', 'warning') : c('36', f.severity);
    out.push(`  ${f.range.start.line + 1}:${f.range.start.character + 1}  ${sev}  ${f.message}  ${c('90', f.rule)}`);
    const e = f.estimate;
    out.push(`        ${c('90', `${fmtBytes(e.bytesBefore)} → ${fmtBytes(e.bytesAfter)}, ${e.launchesBefore} → ${e.launchesAfter} launches, ${fmtUs(e.timeBeforeUs)} → ${fmtUs(e.timeAfterUs)} (${e.boundBefore}-bound) on ${e.gpuName}`)}`);
    if (info.verbose) for (const a of e.assumptions) out.push(`        ${c('90', '· ' + a)}`);
    for (const n of f.notes) out.push(`        ${c('90', 'note: ' + n)}`);
    if (f.fix) out.push(`        ${c('32', 'fix: ' + f.fix.title)}`);
    else if (f.fixable) out.push(`        ${c('32', 'fixable with `fusion-lens fix`')}`);
    else if (f.fixUnavailable) out.push(`        ${c('90', 'no automatic fix: ' + f.fixUnavailable)}`);
  }
  out.push('');
  return out.join('\n') + '\n';
}

function textSummary({ info, color }: Style, findings: number, fixable: number, files: number, total: number): string {
  const c = paint(color);
  const out: string[] = [];
  if (findings) out.push(c('1', `${findings} finding${findings === 1 ? '' : 's'} in ${files} file${files === 1 ? '' : 's'} (${fixable} fixable with \`fusion-lens fix\`) · GPU profile: ${info.profile.name}`));
  else out.push(`No fusion opportunities found in ${total} file${total === 1 ? '' : 's'} · GPU profile: ${info.profile.name}`);
  if (!info.verbose && findings) out.push(c('90', 'Run with --verbose to see the assumptions behind each estimate.'));
  return out.join('\n') + '\n';
}

// ------------------------------------------------------------------ JSON

/** Placeholder for the streamed array in a skeleton document. */
const ITEMS = '__fusion_lens_items__';

/** Indentation of the line holding offset `at` of a pretty-printed document. */
function padAt(doc: string, at: number): string {
  return /^ */.exec(doc.slice(doc.lastIndexOf('\n', at) + 1))![0];
}

/** An array element as JSON.stringify(document, null, 2) prints it under a key indented by `pad`. */
function indentItem(x: unknown, pad: string): string {
  return JSON.stringify(x, null, 2).split('\n').map(l => `${pad}  ${l}`).join('\n');
}

function jsonSkeleton(info: RunInfo, sum: { files: number; findings: number; fixable: number; bytesSaved: number; launchesSaved: number }) {
  return {
    version: JSON_SCHEMA_VERSION,
    tool: 'fusion-lens',
    toolVersion: info.toolVersion,
    gpu: { id: info.profile.id, name: info.profile.name },
    files: ITEMS,
    summary: { files: sum.files, findings: sum.findings, fixable: sum.fixable, bytesSaved: sum.bytesSaved, launchesSaved: sum.launchesSaved },
  };
}

const padOf = (doc: string) => padAt(doc, doc.indexOf(`"${ITEMS}"`));
const EMPTY_SUM = { files: 0, findings: 0, fixable: 0, bytesSaved: 0, launchesSaved: 0 };
const JSON_PAD = padOf(JSON.stringify(jsonSkeleton({ toolVersion: '', profile: { id: '', name: '' } as GpuProfile, cwd: '', verbose: false }, EMPTY_SUM), null, 2));

function jsonFile(info: RunInfo, r: FileReport) {
  return {
    path: rel(info.cwd, r.file),
    language: r.language,
    findings: r.findings.map(f => jsonFinding(f)),
    refusals: r.refusals.map(x => ({
      rule: x.rule,
      ruleName: x.ruleName,
      reason: x.reason,
      launches: x.launches.map(l => loc(l.range, l.callee)),
      blocker: x.blocker ? { ...loc(x.blocker.range), text: x.blocker.text } : undefined,
    })),
    problems: r.problems.map(p => ({ message: p.message, ...loc(p.range) })),
  };
}

function jsonFinding(f: Finding) {
  return {
    rule: f.rule,
    ruleName: f.ruleName,
    kind: f.kind,
    severity: f.severity,
    message: f.message,
    launches: f.launches.map(l => loc(l.range, l.callee)),
    estimate: f.estimate,
    fixable: f.fixable,
    fixTitle: f.fix?.title,
    fixUnavailable: f.fixUnavailable,
    notes: f.notes,
  };
}

function loc(r: { start: { line: number; character: number }; end: { line: number; character: number } }, callee?: string) {
  return { line: r.start.line + 1, column: r.start.character + 1, endLine: r.end.line + 1, endColumn: r.end.character + 1, ...(callee !== undefined ? { callee } : {}) };
}

// ------------------------------------------------------------------ SARIF 2.1.0

const level = (s: string) => (s === 'error' ? 'error' : s === 'warning' ? 'warning' : 'note');
const region = (r: { start: { line: number; character: number }; end: { line: number; character: number } }) => ({
  startLine: r.start.line + 1, startColumn: r.start.character + 1, endLine: r.end.line + 1, endColumn: r.end.character + 1,
});
const RULE_INDEX = new Map(RULES.map((r, i) => [r.id, i]));

function sarifResult(info: RunInfo, r: FileReport, f: Finding) {
  const uri = toUri(rel(info.cwd, r.file));
  const artifactLocation = { uri, uriBaseId: '%SRCROOT%' };
  return {
    ruleId: f.rule,
    ruleIndex: RULE_INDEX.get(f.rule) ?? 0,
    level: level(f.severity),
    message: { text: f.message },
    locations: [{ physicalLocation: { artifactLocation, region: region(f.range) } }],
    relatedLocations: f.launches.slice(1).map((l, i) => ({
      id: i + 1,
      physicalLocation: { artifactLocation, region: region(l.range) },
      message: { text: `launch of ${l.callee}` },
    })),
    partialFingerprints: { launchChain: f.launches.map(l => l.callee).join('>') },
    properties: { estimate: f.estimate, notes: f.notes, fixUnavailable: f.fixUnavailable },
    ...(f.fix ? {
      fixes: [{
        description: { text: f.fix.title },
        artifactChanges: [{
          artifactLocation,
          replacements: f.fix.edits.map(e => ({ deletedRegion: { charOffset: e.span.start, charLength: e.span.end - e.span.start }, insertedContent: { text: e.newText } })),
        }],
      }],
    } : {}),
  };
}

function sarifSkeleton(info: RunInfo) {
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: {
        driver: {
          name: 'Fusion Lens',
          version: info.toolVersion,
          semanticVersion: info.toolVersion,
          rules: RULES.map(r => ({
            id: r.id,
            name: r.name,
            shortDescription: { text: r.summary },
            fullDescription: { text: r.summary },
            help: { text: `${r.summary} See docs/rules/${r.id}.md.`, markdown: `${r.summary}\n\nSee [docs/rules/${r.id}.md](docs/rules/${r.id}.md).` },
            defaultConfiguration: { level: level(r.severity) },
          })),
        },
      },
      originalUriBaseIds: { '%SRCROOT%': { uri: toUri(info.cwd.endsWith(path.sep) ? info.cwd : info.cwd + path.sep, true) } },
      columnKind: 'utf16CodeUnits',
      properties: { gpu: { id: info.profile.id, name: info.profile.name } },
      results: ITEMS,
    }],
  };
}

const SARIF_PAD = padOf(JSON.stringify(sarifSkeleton({ toolVersion: '', profile: { id: '', name: '' } as GpuProfile, cwd: '/', verbose: false }), null, 2));

function rel(cwd: string, file: string): string {
  const r = path.relative(cwd, path.resolve(file));
  return r.startsWith('..') ? path.resolve(file) : r;
}

function toUri(p: string, absolute = false): string {
  const s = p.split(path.sep).join('/');
  const enc = s.split('/').map(encodeURIComponent).join('/');
  return absolute ? `file://${enc.startsWith('/') ? '' : '/'}${enc}` : enc;
}
