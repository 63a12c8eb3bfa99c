// Output formats of `fusion-lens check`: text (people), JSON (scripts; docs/cli.md) and SARIF 2.1.0
// (code-scanning upload). All three render the same AnalysisResult objects.

import * as path from 'node:path';
import type { AnalysisResult } from '../analyzer/analyze';
import type { Finding } from '../analyzer/core/finding';
import { fmtBytes, fmtUs } from '../analyzer/cost/model';
import type { GpuProfile } from '../analyzer/cost/profiles';
import { RULES } from '../analyzer/rules/registry';

export const JSON_SCHEMA_VERSION = 1;

export interface RunInfo {
  toolVersion: string;
  profile: GpuProfile;
  cwd: string;
  verbose: boolean;
}

// ------------------------------------------------------------------ text

export function formatText(results: AnalysisResult[], info: RunInfo, color: boolean): string {
  const c = (code: string, s: string) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const out: string[] = [];
  let findings = 0;
  let fixable = 0;
  let files = 0;
  for (const r of results) {
    if (!r.findings.length && !r.problems.length) continue;
    files++;
    out.push(c('4', rel(info.cwd, r.file)));
    for (const p of r.problems) out.push(`  ${p.range.start.line + 1}:${p.range.start.character + 1}  ${c('90', 'note')}     ${p.message}`);
    for (const f of r.findings) {
      findings++;
      if (f.fixable) fixable++;
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
  }
  if (findings) out.push(c('1', `${findings} finding${findings === 1 ? '' : 's'} in ${files} file${files === 1 ? '' : 's'} (${fixable} fixable with \`fusion-lens fix\`) · GPU profile: ${info.profile.name}`));
  else out.push(`No fusion opportunities found in ${results.length} file${results.length === 1 ? '' : 's'} · GPU profile: ${info.profile.name}`);
  if (!info.verbose && findings) out.push(c('90', 'Run with --verbose to see the assumptions behind each estimate.'));
  return out.join('\n') + '\n';
}

// ------------------------------------------------------------------ JSON

export function formatJson(results: AnalysisResult[], info: RunInfo): string {
  const files = results.map(r => ({
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
  }));
  const all = results.flatMap(r => r.findings);
  return JSON.stringify({
    version: JSON_SCHEMA_VERSION,
    tool: 'fusion-lens',
    toolVersion: info.toolVersion,
    gpu: { id: info.profile.id, name: info.profile.name },
    files,
    summary: {
      files: results.length,
      findings: all.length,
      fixable: all.filter(f => f.fixable).length,
      bytesSaved: all.reduce((s, f) => s + f.estimate.bytesBefore - f.estimate.bytesAfter, 0),
      launchesSaved: all.reduce((s, f) => s + f.estimate.launchesBefore - f.estimate.launchesAfter, 0),
    },
  }, null, 2) + '\n';
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

export function formatSarif(results: AnalysisResult[], info: RunInfo): string {
  const ruleIndex = new Map(RULES.map((r, i) => [r.id, i]));
  const level = (s: string) => (s === 'error' ? 'error' : s === 'warning' ? 'warning' : 'note');
  const region = (r: { start: { line: number; character: number }; end: { line: number; character: number } }) => ({
    startLine: r.start.line + 1, startColumn: r.start.character + 1, endLine: r.end.line + 1, endColumn: r.end.character + 1,
  });
  const sarifResults = results.flatMap(r => r.findings.map(f => {
    const uri = toUri(rel(info.cwd, r.file));
    const artifactLocation = { uri, uriBaseId: '%SRCROOT%' };
    return {
      ruleId: f.rule,
      ruleIndex: ruleIndex.get(f.rule) ?? 0,
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
  }));
  const sarif = {
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
      results: sarifResults,
    }],
  };
  return JSON.stringify(sarif, null, 2) + '\n';
}

function rel(cwd: string, file: string): string {
  const r = path.relative(cwd, path.resolve(file));
  return r.startsWith('..') ? path.resolve(file) : r;
}

function toUri(p: string, absolute = false): string {
  const s = p.split(path.sep).join('/');
  const enc = s.split('/').map(encodeURIComponent).join('/');
  return absolute ? `file://${enc.startsWith('/') ? '' : '/'}${enc}` : enc;
}
