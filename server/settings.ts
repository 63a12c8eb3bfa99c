// Settings contributed by the extension (package.json `contributes.configuration`), read through
// workspace/configuration when the client supports it, else from initializationOptions.

import type { AnalysisOptions } from '../analyzer/analyze';
import { DEFAULT_OPTIONS } from '../analyzer/analyze';
import type { Severity } from '../analyzer/core/finding';
import { findProfile } from '../analyzer/cost/profiles';
import type { LibraryTarget } from '../analyzer/libs/libTarget';

export interface Settings {
  gpu: string;
  minSavingBytes: number;
  severity: 'error' | 'warning' | 'information' | 'hint';
  defaultProblemSize: number;
  enable: { cuda: boolean; typescript: boolean };
  debounceMs: number;
  codeLens: boolean;
  libraryTarget: LibraryTarget;
}

export const DEFAULT_SETTINGS: Settings = {
  gpu: DEFAULT_OPTIONS.gpu,
  minSavingBytes: 0,
  severity: 'warning',
  defaultProblemSize: DEFAULT_OPTIONS.defaultElements,
  enable: { cuda: true, typescript: true },
  debounceMs: 150,
  codeLens: true,
  libraryTarget: 'auto',
};

/** Merges a (possibly partial, possibly malformed) settings object over the defaults. */
export function normalizeSettings(raw: unknown): Settings {
  const s = { ...DEFAULT_SETTINGS, enable: { ...DEFAULT_SETTINGS.enable } };
  if (!raw || typeof raw !== 'object') return s;
  const r = raw as Record<string, unknown>;
  if (typeof r.gpu === 'string' && findProfile(r.gpu)) s.gpu = findProfile(r.gpu)!.id;
  if (typeof r.minSavingBytes === 'number' && r.minSavingBytes >= 0) s.minSavingBytes = r.minSavingBytes;
  if (typeof r.severity === 'string' && ['error', 'warning', 'information', 'hint'].includes(r.severity)) s.severity = r.severity as Settings['severity'];
  if (typeof r.defaultProblemSize === 'number' && r.defaultProblemSize > 0) s.defaultProblemSize = Math.round(r.defaultProblemSize);
  if (r.enable && typeof r.enable === 'object') {
    const e = r.enable as Record<string, unknown>;
    if (typeof e.cuda === 'boolean') s.enable.cuda = e.cuda;
    if (typeof e.typescript === 'boolean') s.enable.typescript = e.typescript;
  }
  if (typeof r.debounceMs === 'number' && r.debounceMs >= 0 && r.debounceMs <= 5000) s.debounceMs = r.debounceMs;
  if (typeof r.codeLens === 'boolean') s.codeLens = r.codeLens;
  if (typeof r.libraryTarget === 'string' && ['auto', 'cvgs', 'fkl', 'none'].includes(r.libraryTarget)) s.libraryTarget = r.libraryTarget as LibraryTarget;
  return s;
}

export function analysisOptions(s: Settings): AnalysisOptions {
  const sev: Severity = s.severity === 'information' ? 'info' : s.severity;
  return { gpu: s.gpu, defaultElements: s.defaultProblemSize, minSavingBytes: s.minSavingBytes, severity: sev, withFixes: false, libraryTarget: s.libraryTarget };
}
