// Applies every preferred fix of a file one after another, re-analysing after each, the way
// `eslint --fix` does. Stops if a fix fails to remove its finding (never loops).

import { analyze, type AnalysisOptions, type AnalysisResult, type AnalyzerHost } from './analyze';
import { applyEdits } from './core/text';

export interface FixAllResult {
  text: string;
  applied: string[];
  /** Analysis of the final text. */
  result: AnalysisResult;
  /** Set when a fix did not remove its finding (a bug; reported, never applied). */
  stalled?: string;
}

export function fixAll(file: string, original: string, host: AnalyzerHost, opts: AnalysisOptions, maxFixes = 100): FixAllResult {
  const options = { ...opts, withFixes: false };
  let text = original;
  const applied: string[] = [];
  let result = analyze(file, text, host, options);
  for (let pass = 0; pass < maxFixes; pass++) {
    const fixable = result.findings.filter(f => f.fixable);
    if (!fixable.length) break;
    const fix = result.resolveFix(fixable[0]);
    // the fix could not be written: resolveFix marked the finding unfixable (with the reason); go on with the others
    if (!fix) continue;
    const next = applyEdits(text, fix.edits.filter(e => e.file === file).map(e => ({ span: e.span, newText: e.newText })));
    const after = analyze(file, next, host, options);
    if (after.findings.filter(f => f.fixable).length >= fixable.length) return { text, applied, result, stalled: fix.title };
    text = next;
    result = after;
    applied.push(fix.title);
  }
  return { text, applied, result };
}
