// The CLI's per-file work, shared by the in-process path and the worker threads (cli/worker.ts):
// phase 1 lists the kernels each file defines (names only, for the whole workspace);
// phase 2 analyzes one file at a time against a lazily filled kernel index, and returns only the
// plain data the formatters print. Nothing holds every file's text or syntax at once.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyze, type AnalysisOptions, type AnalysisResult, type AnalyzerHost, type Language } from '../analyzer/analyze';
import type { Finding, ParseProblem, Refusal } from '../analyzer/core/finding';
import { kernelNames, WorkspaceIndex } from '../server/workspaceIndex';
import { formatFile, type FileChunk, type Style } from './formats';

/** Files whose kernels other files may launch (as the CLI always indexed them). */
export const INDEXED = /\.(cu|cuh|h|hpp|cpp|cc)$/i;

/** What the formatters need of one file's analysis: plain, structured-clonable data. */
export interface FileReport {
  /** The path as the user gave it (relative or absolute). */
  file: string;
  language: Language;
  findings: Finding[];
  refusals: Refusal[];
  problems: ParseProblem[];
}

export function readText(p: string): string | undefined {
  try {
    return fs.readFileSync(p).toString('utf8');
  } catch {
    return undefined;
  }
}

/** Phase 1: the names of the kernels a file defines (undefined when it cannot be read). */
export function kernelNamesOf(file: string): string[] | undefined {
  const text = readText(file);
  if (text === undefined) return undefined;
  // lexer + scanner only: kernel summaries cost ten times more, and phase 2 makes them for the few
  // files whose kernels another file launches
  return INDEXED.test(file) ? kernelNames(text) : [];
}

/** Phase 2's host: every workspace file's kernel names, summaries on demand. */
export function workspaceHost(defined: ReadonlyArray<readonly [string, readonly string[]]>): AnalyzerHost {
  const index = new WorkspaceIndex(readText);
  for (const [file, names] of defined) index.setNames(path.resolve(file), names);
  return { index, readFile: readText };
}

/** The plain data of a result, shown under the path the user gave. */
export function toReport(r: AnalysisResult, display: string): FileReport {
  for (const f of r.findings) f.file = display;
  for (const x of r.refusals) x.file = display;
  return { file: display, language: r.language, findings: r.findings, refusals: r.refusals, problems: r.problems };
}

/** Phase 2 for `check`: one file, rendered in the output format. Throws only on an internal error. */
export function checkFile(file: string, host: AnalyzerHost, options: AnalysisOptions, style: Style): { chunk: FileChunk } | { unreadable: true } {
  const text = readText(file);
  if (text === undefined) return { unreadable: true };
  return { chunk: formatFile(style, toReport(analyze(path.resolve(file), text, host, options), file)) };
}
