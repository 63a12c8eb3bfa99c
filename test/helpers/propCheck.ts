// Shared checks for the property tests (test/prop): run the analyzer with fixes on one input and
// verify what must hold for every input, however broken. Counts feed docs/benchmarks.md (robustness section).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { analyze, newHost, DEFAULT_OPTIONS, type AnalysisResult, type AnalyzerHost } from '../../analyzer/analyze';
import type { Finding } from '../../analyzer/core/finding';
import { applyEdits } from '../../analyzer/core/text';

/** Generous bound per analysis: a hang detector only (timing belongs in bench/). */
export const HANG_MS = 2000;

/**
 * A synchronous infinite loop blocks the event loop, so neither a test timeout nor the check after the
 * call can report it. A watchdog thread sees the analysis start and end (shared memory); when one runs
 * longer than WATCHDOG_MS it prints the input and kills the process, so the suite fails with the input
 * instead of hanging CI.
 */
export const WATCHDOG_MS = 20000;
const MAX_WATCHED = 1 << 20;
let watch: { state: Int32Array; chars: Uint16Array } | undefined;

function watchdog(): { state: Int32Array; chars: Uint16Array } {
  if (watch) return watch;
  const sab = new SharedArrayBuffer(16 + MAX_WATCHED * 2);
  watch = { state: new Int32Array(sab, 0, 4), chars: new Uint16Array(sab, 16, MAX_WATCHED) };
  const code = `
    const { workerData } = require('node:worker_threads');
    const fs = require('node:fs');
    const state = new Int32Array(workerData.sab, 0, 4);
    const chars = new Uint16Array(workerData.sab, 16, ${MAX_WATCHED});
    let seen = -1, since = Date.now();
    setInterval(() => {
      const seq = Atomics.load(state, 1);
      if (Atomics.load(state, 0) === 0 || seq !== seen) { seen = seq; since = Date.now(); return; }
      if (Date.now() - since < ${WATCHDOG_MS}) return;
      const n = Atomics.load(state, 2);
      let text = '';
      for (let i = 0; i < n; i += 4096) text += String.fromCharCode(...chars.subarray(i, Math.min(n, i + 4096)));
      fs.writeSync(2, '\\n# HANG: analysis ran over ${WATCHDOG_MS} ms on this input (' + n + ' chars shown):\\n' + text + '\\n# end of input\\n');
      process.kill(process.pid, 'SIGKILL');
    }, 250);`;
  new Worker(code, { eval: true, workerData: { sab } }).unref();
  return watch;
}

function watched<T>(label: string, text: string, f: () => T): T {
  const w = watchdog();
  const shown = `${label}\n${text}`;
  const n = Math.min(shown.length, MAX_WATCHED);
  for (let i = 0; i < n; i++) w.chars[i] = shown.charCodeAt(i);
  Atomics.store(w.state, 2, n);
  Atomics.add(w.state, 1, 1);
  Atomics.store(w.state, 0, 1);
  try {
    return f();
  } finally {
    Atomics.store(w.state, 0, 0);
  }
}

/** Runs per property: FAST_CHECK_RUNS scales every property (default: the value given). */
export function runs(defaultRuns: number): number {
  const env = Number(process.env.FAST_CHECK_RUNS);
  return Number.isFinite(env) && env > 0 ? Math.round(env) : defaultRuns;
}

/** Fixed seed for reproducible CI; FAST_CHECK_SEED=random (or a number) to explore. */
export function seed(): number {
  const s = process.env.FAST_CHECK_SEED;
  if (s === 'random') return (Date.now() ^ (Math.random() * 0x7fffffff)) | 0;
  return s && Number.isFinite(Number(s)) ? Number(s) : 20261126;
}

export interface Stats {
  inputs: number;
  findings: number;
  fixesChecked: number;
  /** Findings the lazy (server) path calls fixable whose fix then fails to emit. */
  optimistic: number;
  maxMs: number;
}

export const newStats = (): Stats => ({ inputs: 0, findings: 0, fixesChecked: 0, optimistic: 0, maxMs: 0 });

/** A host that reads the given in-memory files first, then the disk (for `#include "..."`). */
export function overlayHost(files: Record<string, string> = {}): AnalyzerHost {
  return newHost(p => (p in files ? files[p] : diskText(p)));
}

const diskCache = new Map<string, string | undefined>();
function diskText(p: string): string | undefined {
  if (!diskCache.has(p)) {
    try {
      diskCache.set(p, fs.statSync(p).isFile() ? fs.readFileSync(p, 'utf8') : undefined);
    } catch {
      diskCache.set(p, undefined);
    }
  }
  return diskCache.get(p);
}

/** Identity of a finding that survives edits elsewhere: its rule and its chain of callees. */
export const findingKey = (f: Finding) => `${f.rule}:${f.launches.map(l => l.callee).join('>')}`;

function timedAnalyze(file: string, text: string, files: Record<string, string>, stats: Stats, what: string): AnalysisResult {
  const host = overlayHost(files);
  // PROP_LOG=<file>: the input about to be analyzed is written there first (to catch a hang or an OOM)
  if (process.env.PROP_LOG) fs.writeFileSync(process.env.PROP_LOG, `${file}\n${text}`);
  const t0 = performance.now();
  let r: AnalysisResult;
  try {
    r = watched(what, text, () => analyze(file, text, host, DEFAULT_OPTIONS));
  } catch (e) {
    throw new Error(`analyze threw on ${what}: ${(e as Error).stack ?? e}\n--- input (${text.length} chars) ---\n${text.slice(0, 4000)}`);
  }
  const ms = performance.now() - t0;
  stats.maxMs = Math.max(stats.maxMs, ms);
  assert.ok(ms < HANG_MS, `analysis of ${what} took ${ms.toFixed(0)} ms (hang detector, bound ${HANG_MS} ms)`);
  return r;
}

export interface Fixed {
  finding: string;
  text: string;
}

/**
 * The property every input must satisfy: analysis never throws and returns in bounded time; every
 * range lies inside the text; every offered fix applies (non-overlapping edits) and the fixed text
 * re-analyses with one fewer finding of the same rule and callee chain. Returns the fixed texts.
 */
export function checkInput(file: string, text: string, stats: Stats, files: Record<string, string> = {}): Fixed[] {
  stats.inputs++;
  const r = timedAnalyze(file, text, files, stats, file);
  stats.findings += r.findings.length;
  const spans = [...r.findings.map(f => f.span), ...r.problems.map(p => p.span), ...r.findings.flatMap(f => f.launches.map(l => l.span))];
  for (const s of spans) assert.ok(s.start >= 0 && s.start <= s.end && s.end <= text.length, `span ${JSON.stringify(s)} outside the text (${text.length})`);
  // the server's path: analysis without fixes, then resolveFix on demand. The same findings; every
  // eager fix is offered lazily with the same edits. The lazy path may be optimistic (fixable, yet
  // the emitted rewrite fails later: resolveFix then gives nothing, as the server expects); counted.
  const lazy = watched(`${file} (lazy fixes)`, text, () => analyze(file, text, overlayHost(files), { ...DEFAULT_OPTIONS, withFixes: false }));
  assert.deepEqual(lazy.findings.map(findingKey), r.findings.map(findingKey), 'the same findings with and without eager fixes');
  lazy.findings.forEach((f, i) => {
    const eager = r.findings[i];
    const resolved = f.fixable ? watched(`${file} (resolveFix)`, text, () => lazy.resolveFix(f)) : undefined;
    if (eager.fixable) assert.deepEqual(resolved?.edits, eager.fix?.edits, `resolveFix gives the eager fix of ${findingKey(f)}`);
    else if (f.fixable) {
      assert.equal(resolved, undefined, `${findingKey(f)}: no eager fix, yet resolveFix gives one`);
      stats.optimistic++;
    }
  });
  const before = new Map<string, number>();
  for (const f of r.findings) before.set(findingKey(f), (before.get(findingKey(f)) ?? 0) + 1);
  const out: Fixed[] = [];
  for (const f of r.findings) {
    if (!f.fixable) continue;
    const fix = r.resolveFix(f);
    assert.ok(fix, `finding ${findingKey(f)} is fixable but resolveFix gave nothing`);
    for (const e of fix.edits) {
      assert.equal(e.file, file, 'fix edits stay in the analyzed file');
      assert.ok(e.span.start >= 0 && e.span.start <= e.span.end && e.span.end <= text.length, `edit ${JSON.stringify(e.span)} outside the text`);
    }
    let fixedText: string;
    try {
      fixedText = applyEdits(text, fix.edits.map(e => ({ span: e.span, newText: e.newText })));
    } catch (e) {
      throw new Error(`fix "${fix.title}" does not apply: ${(e as Error).message}\nedits: ${JSON.stringify(fix.edits.map(x => x.span))}\n--- input ---\n${text}`);
    }
    const again = timedAnalyze(file, fixedText, files, stats, `${file} fixed by "${fix.title}"`);
    const key = findingKey(f);
    const after = again.findings.filter(x => findingKey(x) === key).length;
    assert.ok(after < before.get(key)!, `fix "${fix.title}" left its finding ${key} in place (${before.get(key)} -> ${after})\n--- input ---\n${text}\n--- fixed ---\n${fixedText}`);
    stats.fixesChecked++;
    out.push({ finding: key, text: fixedText });
  }
  return out;
}

export function readExamples(dir: string): Array<{ name: string; file: string; text: string }> {
  return fs.readdirSync(dir).filter(f => /\.(cu|cuh)$/.test(f)).sort().map(name => {
    const file = path.join(dir, name);
    return { name, file, text: fs.readFileSync(file, 'utf8') };
  });
}

/** Line and byte mutations of a text (indices are reduced modulo the current size). */
export type Mutation =
  | { kind: 'delete'; line: number }
  | { kind: 'duplicate'; line: number }
  | { kind: 'swap'; a: number; b: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; text: string };

export function mutate(text: string, muts: Mutation[]): string {
  for (const m of muts) {
    const lines = text.split('\n');
    const n = lines.length;
    switch (m.kind) {
      case 'delete': lines.splice(m.line % n, 1); text = lines.join('\n'); break;
      case 'duplicate': lines.splice(m.line % n, 0, lines[m.line % n]); text = lines.join('\n'); break;
      case 'swap': {
        const a = m.a % n, b = m.b % n;
        [lines[a], lines[b]] = [lines[b], lines[a]];
        text = lines.join('\n');
        break;
      }
      case 'truncate': text = text.slice(0, m.at % (text.length + 1)); break;
      case 'insert': { const at = m.at % (text.length + 1); text = text.slice(0, at) + m.text + text.slice(at); break; }
    }
  }
  return text;
}
