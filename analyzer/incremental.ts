// Incremental re-analysis of a CUDA file after an edit inside one function body: the common case
// while typing. The body alone is re-lexed and spliced into the old token stream; the file is
// re-scanned (cheap) to check that its structure is unchanged; only the functions the edit can
// affect are analyzed again (the edited host function, or every host function that names an
// edited kernel), and the other findings move with the text. Anything else (an edit between
// functions, a brace or comment opened, an annotation or a device function touched, effects that
// callers see changing) returns undefined and the caller runs the full analysis.
//
// An incremental result is for diagnostics. Everything that needs positions beyond its findings
// (fix edits, hover, the report) comes from a full analysis of the same text, run on first use:
// fixes are never computed from moved data. Tests check incremental == full on random edits.

import type { AnalysisOptions, AnalysisResult, AnalyzerHost } from './analyze';
import type { Finding, Fix, ParseProblem, Refusal } from './core/finding';
import { parseAnnotations, type Annotations } from './core/annotations';
import { commonPrefix, commonSuffix, editTouchesWords, LineIndex, type Span } from './core/text';
import { cudaProfile } from './cost/profiles';
import { analyzeHostFunction, hostEnv, structureProblems, type CudaProgram } from './cuda/frontend';
import { moveSummary, summarizeKernel, summaryKey, type KernelSummary } from './cuda/kernelSummary';
import { lex, relexBody, shiftTokens, Tok, type Tokens } from './cuda/lexer';
import { isRecoveryPoint, shiftScan, type FunctionDecl, type ScanResult } from './cuda/scanner';
import { cudaFindings, sortFindings, sortProblems, sortRefusals } from './cudaFindings';
import { acceptedLibraryFindings } from './libs/libraryPass';
import { LIBRARY_WORDS, libraryFacts, type LibraryFacts } from './libs/libraryFacts';
import { wordAt } from './rewrite/tokenText';
import { toRange } from './rules/findingUtil';
import type { LaunchNode, Sequence } from './core/ir';

/** What the next incremental step needs, with every position valid for `text`. */
interface CudaState {
  file: string;
  text: string;
  tokens: Tokens;
  scan: ScanResult;
  /** Kernel summaries (each consistent with its own tokens; spans valid for `text`). */
  kernels: KernelSummary[];
  annotations: Annotations;
  findings: Finding[];
  refusals: Refusal[];
  hostProblems: Array<{ message: string; span: Span }>;
  optionsKey: string;
  /** What the library finders read from the whole file (made by the full analysis): a step must keep it. */
  libraryFacts: LibraryFacts | undefined;
  /** Incremental steps since the last full analysis (a bound on retained token generations). */
  steps: number;
  /** Kernels of other files, resolved as the full analysis does (included files first). */
  external: (name: string) => KernelSummary | undefined;
  /** Re-runs the full analysis of this text (memoized), for fixes, hover and the report. */
  full: () => AnalysisResult;
}

const states = new WeakMap<AnalysisResult, CudaState>();
const MAX_STEPS = 64;
/**
 * Kernel summaries keep the token arrays they were made from. Reusing them across edits is what
 * makes re-analysis cheap; a bound on how many different arrays they keep alive bounds memory.
 */
const MAX_GENERATIONS = 4;

function generations(kernels: KernelSummary[]): number {
  return new Set(kernels.map(k => k.tokens)).size;
}

/**
 * Summaries of the previous analysis of this file, by kernel text, for a full analysis after an
 * edit the incremental path could not take (a brace typed, a kernel added): unchanged kernels are
 * not summarized again.
 */
export function reusableSummaries(previous: AnalysisResult | undefined, file: string): ((key: string) => KernelSummary | undefined) | undefined {
  const st = previous && states.get(previous);
  if (!st || st.file !== file || generations(st.kernels) > MAX_GENERATIONS) return undefined;
  let byKey: Map<string, KernelSummary> | undefined;
  return key => {
    if (!byKey) {
      byKey = new Map();
      for (const k of st.kernels) if (k.file === file) byKey.set(summaryKey(k.qualifiedName, st.text, k.span.start, k.span.end), k);
    }
    return byKey.get(key);
  };
}


function optionsKey(o: AnalysisOptions): string {
  return JSON.stringify([o.gpu, o.defaultElements, o.defaultBatch, o.minSavingBytes, o.severity, o.libraryTarget]);
}

/** Records a full analysis as the base of later incremental steps. */
export function rememberCudaState(result: AnalysisResult, program: CudaProgram, options: AnalysisOptions, external: (name: string) => KernelSummary | undefined, facts: LibraryFacts | undefined): void {
  states.set(result, {
    file: program.file, text: program.text, tokens: program.tokens, scan: program.scan, kernels: program.kernels,
    annotations: program.annotations, findings: result.findings, refusals: result.refusals,
    hostProblems: program.hostProblems, optionsKey: optionsKey(options), steps: 0, external, full: () => result,
    libraryFacts: facts,
  });
}

type Analyze = (file: string, text: string, host: AnalyzerHost, options: AnalysisOptions) => AnalysisResult;

export function analyzeCudaIncrementally(
  previous: AnalysisResult, file: string, text: string, host: AnalyzerHost, options: AnalysisOptions, fullAnalysis: Analyze,
): AnalysisResult | undefined {
  const st = states.get(previous);
  if (!st || st.file !== file || st.optionsKey !== optionsKey(options) || st.steps >= MAX_STEPS) return undefined;
  if (generations(st.kernels) > MAX_GENERATIONS) return undefined;
  const old = st.text;
  if (old === text) return previous;
  // 1. the changed range: old [p, so) became new [p, sn)
  const { p, so, sn } = changedRange(old, text);
  const delta = text.length - old.length;
  // library pipelines (analyzer/libs) are found per host function, under file-wide gates and
  // directives: when those stay, only the re-analyzed functions' library findings can change
  const facts = libraryFactsAfter(st, text, p, so, sn, options);
  if (facts?.key !== st.libraryFacts?.key) return undefined;
  if (quotesMovedLine(st, old, text, p, so, sn)) return undefined;

  // 2. the one function whose body strictly contains it
  const t = st.tokens;
  const fns = st.scan.functions;
  let fi = -1;
  for (let i = 0; i < fns.length; i++) {
    const f = fns[i];
    if (f.bodyClose < 0) continue;
    if (t.ends[f.bodyOpen] <= p && so <= t.starts[f.bodyClose]) {
      if (fi >= 0) return undefined; // nested (a local class): not worth the risk
      fi = i;
    }
  }
  if (fi < 0) return triviaStep(st, previous, file, text, host, options, fullAnalysis, p, so, sn);
  const f = fns[fi];
  // __host__ __device__: a host call summary and what kernels see at once; not worth the risk
  if (f.isDevice && f.isHost) return undefined;
  if (!f.isKernel && !f.isHost && !f.isDevice) return undefined;

  // 3. annotations near the edit are global (values, ignore-file): full analysis
  if (touchesAnnotation(t.comments, p, so, old) ) return undefined;

  // 4. re-lex the body, re-scan, and check that the structure is the same
  const tokens = relexBody(t, text, f.bodyOpen, f.bodyClose, delta);
  if (!tokens) return undefined;
  if (touchesAnnotation(tokens.comments, p, sn, text)) return undefined;
  const dTok = tokens.count - t.count;
  for (let i = f.bodyOpen + 1; i < f.bodyClose + dTok; i++) if (isRecoveryPoint(tokens, i)) return undefined;
  const s = shiftScan(st.scan, f.bodyClose, dTok, t.starts[f.bodyClose], delta);
  const annotations = parseAnnotations(text, tokens.comments);
  if (annotations.ignoreFile || !sameValues(st.annotations, annotations)) return undefined;
  const nf = s.functions[fi];

  // 5. what the edit can change
  const hostFns = s.functions.filter(g => g.isHost && !g.isKernel);
  let kernels = st.kernels;
  let dirty: FunctionDecl[];
  if (f.isKernel) {
    // the summary made from this function: kernels are summarized in scan order (analyzeCuda), so
    // overloads and same-named kernels under #if are told apart by position, as launches resolve them
    const ki = fns.slice(0, fi).filter(g => g.isKernel).length;
    const mine = kernels[ki];
    if (!mine || mine.name !== f.name || mine.file !== file || mine.span.start !== t.starts[f.headStart]) return undefined;
    const summary = summarizeKernel(tokens, nf, file);
    kernels = kernels.map(k => (k === mine ? summary : moveKernel(k, so, delta)));
    dirty = namedElsewhere(text, f.name, tokens.starts[nf.headStart], tokens.ends[nf.end]) ? hostFns.filter(g => mentions(tokens, g, f.name)) : [];
  } else if (f.isDevice) {
    // a __device__ function's body: kernel summaries name the calls they make, never read the
    // callee's body (the fused code that copies it comes from a full analysis), so nothing changes
    kernels = kernels.map(k => moveKernel(k, so, delta));
    dirty = [];
  } else {
    kernels = kernels.map(k => moveKernel(k, so, delta));
    dirty = [nf];
    const callers = namedElsewhere(text, f.name, tokens.starts[nf.headStart], tokens.ends[nf.end])
      ? hostFns.filter(g => g !== nf && mentions(tokens, g, f.name)) : [];
    if (callers.length) {
      // callers see this function's effects (launches, syncs): they must not change
      const before = hostEnv(file, t, st.scan, st.annotations, st.kernels).summarizeCall(f.name);
      const after = hostEnv(file, tokens, s, annotations, kernels).summarizeCall(f.name);
      if (!before || !after || before.device !== after.device || before.sync !== after.sync) return undefined;
    }
  }

  // 6. analyze the dirty host functions against the new text
  const lines = LineIndex.afterEdit(previous.lines, text, p, so, sn);
  const env = hostEnv(file, tokens, s, annotations, kernels, st.external);
  const sequences: Sequence[] = [];
  const launches: LaunchNode[] = [];
  const newHostProblems: Array<{ message: string; span: Span }> = [];
  for (const g of dirty) {
    const r = analyzeHostFunction(env, g);
    sequences.push(...r.sequences);
    launches.push(...r.launches);
    newHostProblems.push(...r.problems);
  }
  const partial: CudaProgram = {
    file, text, tokens, scan: s, kernels, sequences, launches, problems: [], hostProblems: newHostProblems,
    annotations, constLookup: env.ctx.constLookup,
  };
  const found = cudaFindings(partial, sequences, cudaProfile(options.gpu).profile, options, lines, new Map());
  if (facts) for (const lf of acceptedLibraryFindings(partial, options, lines, new Set(dirty), facts)) found.findings.push(lf.finding);

  const oldDirty = dirty.map(g => {
    const i = s.functions.indexOf(g);
    const o = st.scan.functions[i];
    return { start: t.starts[o.headStart], end: t.ends[o.end] };
  });
  return finishStep({ st, file, text, host, options, fullAnalysis, p, so, delta, tokens, scan: s, kernels, annotations, lines, oldDirty, found, newHostProblems });
}

interface StepParts {
  st: CudaState;
  file: string;
  text: string;
  host: AnalyzerHost;
  options: AnalysisOptions;
  fullAnalysis: Analyze;
  /** The edit: old [p, so) became new [p, so + delta). */
  p: number;
  so: number;
  delta: number;
  tokens: Tokens;
  scan: ScanResult;
  kernels: KernelSummary[];
  annotations: Annotations;
  lines: LineIndex;
  /** Old spans of the functions analyzed again: what they had is dropped. */
  oldDirty: Span[];
  found: { findings: Finding[]; refusals: Refusal[] };
  newHostProblems: Array<{ message: string; span: Span }>;
}

/** Merges a step's new findings with the moved old ones and makes the result and its state. */
function finishStep(x: StepParts): AnalysisResult {
  const { st, file, text, host, options, fullAnalysis, p, so, delta, tokens, scan: s, kernels, annotations, lines, oldDirty, found, newHostProblems } = x;
  const profile = cudaProfile(options.gpu).profile;
  // 7. merge: drop what the dirty functions had, move what follows the edit
  const inDirty = (x: Span) => oldDirty.some(r => x.start >= r.start && x.end <= r.end);
  const move = (x: Span): Span => (x.start >= so ? { start: x.start + delta, end: x.end + delta } : x);
  const findings = sortFindings([
    ...st.findings.filter(x => !inDirty(x.span)).map(x => (x.span.start < p && !x.launches.some(l => l.span.end > p) ? x : moveFinding(x, move, lines))),
    ...found.findings,
  ]);
  const refusals = sortRefusals([
    ...st.refusals.filter(r => !r.launches.length || !inDirty(r.launches[0].span)).map(r => (refusalBefore(r, p) ? r : moveRefusal(r, move, lines))),
    ...found.refusals,
  ]);
  const hostProblems = [
    ...st.hostProblems.filter(x => !inDirty(x.span)).map(x => ({ message: x.message, span: move(x.span) })),
    ...newHostProblems,
  ];
  const problems: ParseProblem[] = sortProblems([
    ...structureProblems(tokens, s),
    ...hostProblems,
    ...annotations.errors.map(e => ({ message: e.message, span: { start: e.start, end: e.end } })),
  ]).map(x => ({ ...x, range: toRange(lines, x.span) }));

  // 8. the result: findings now, everything else from a full analysis on first use
  let full: AnalysisResult | undefined;
  const fullOnce = (): AnalysisResult => {
    if (!full) {
      full = fullAnalysis(file, text, host, options);
      // later steps start from the full analysis: one token generation again
      const fs = states.get(full);
      if (fs) states.set(result, fs);
    }
    return full;
  };
  const result: AnalysisResult = {
    file, language: 'cuda', findings, refusals, problems, profile, lines,
    get cuda() { return fullOnce().cuda; },
    set cuda(_v) { /* derived */ },
    resolveFix: (x: Finding): Fix | undefined => {
      if (!x.fixable) return undefined;
      const r = fullOnce();
      const same = r.findings.find(y => y.rule === x.rule && y.span.start === x.span.start && y.launches.length === x.launches.length
        && y.launches.every((l, i) => l.span.start === x.launches[i].span.start));
      return same ? r.resolveFix(same) : undefined;
    },
  };
  states.set(result, {
    file, text, tokens, scan: s, kernels, annotations, findings, refusals, hostProblems,
    optionsKey: st.optionsKey, steps: st.steps + 1, external: st.external, full: fullOnce, libraryFacts: st.libraryFacts /* unchanged: checked */,
  });
  return result;
}

/**
 * An edit that only changed blanks and comments between two top-level items (a blank line typed
 * between functions, a doc comment written): the tokens and the scan are the old ones moved, with
 * the comments of that gap lexed again; no function is analyzed again, and every finding after the
 * edit moves. Undefined when the edit could change what the lexer or scanner sees: a token made,
 * joined or split, a comment opened past the gap, the next token's line start changed, a
 * preprocessor line, an annotation, or line-based annotations (ignore-next-line) shifted against
 * their code.
 */
function triviaStep(
  st: CudaState, previous: AnalysisResult, file: string, text: string, host: AnalyzerHost, options: AnalysisOptions, fullAnalysis: Analyze,
  p: number, so: number, sn: number,
): AnalysisResult | undefined {
  const old = st.text;
  const t = st.tokens;
  const k = t.indexAt(p); // the first token ending after p
  const gapStart = k > 0 ? t.ends[k - 1] : 0;
  const gapEnd = k < t.count ? t.starts[k] : old.length;
  if (gapEnd < so || gapStart > p) return undefined; // the edit touches a token
  if (k > 0 && gapStart === gapEnd) return undefined; // adjacent tokens (`>` `>`) would be split
  // between two top-level items only: after a `}`, a `;` or a preprocessor line (template heads and
  // initializers keep their text)
  if (k > 0 && !t.is(k - 1, '}') && !t.is(k - 1, ';') && t.kinds[k - 1] !== Tok.Preproc) return undefined;
  // inside a function (its head or body) blanks reach slices of its text: not ours to move
  for (const f of st.scan.functions) if (f.headStart < k && k <= f.end) return undefined;
  const delta = sn - so;
  // the gap lexed again, with the next token: only comments, and that token as it was
  const until = k < t.count ? t.ends[k] + delta : text.length;
  const region = lex(text, gapStart, until);
  if (region.problems.length || t.problems.some(x => x.end > gapStart && x.start < gapEnd)) return undefined;
  if (k < t.count) {
    if (region.count !== 1 || region.kinds[0] !== t.kinds[k] || region.starts[0] !== gapEnd + delta || region.ends[0] !== until) return undefined;
    if (region.lineFirst[0] !== t.lineFirst[k]) return undefined;
    if (old.charCodeAt(gapEnd - 1) !== text.charCodeAt(gapEnd + delta - 1)) return undefined; // column 0 or not
  } else if (region.count !== 0) return undefined;
  const newlines = (a: string, from: number, to: number) => { let n = 0; for (let i = from; i < to; i++) if (a.charCodeAt(i) === 10) n++; return n; };
  if (st.annotations.ignoredLines.size && newlines(old, p, so) !== newlines(text, p, sn)) return undefined;
  if (touchesAnnotation(t.comments, p, so, old) || touchesAnnotation(region.comments, p, sn, text)) return undefined;

  const tokens = shiftTokens(t, text, k, delta, { from: gapStart, to: gapEnd, comments: region.comments.filter(c => c.end <= gapEnd + delta) });
  // token indices stay; only the text offsets of macro bodies after the edit move
  const scan: ScanResult = { ...st.scan, defines: st.scan.defines.map(d => (d.bodyOffset >= gapEnd ? { ...d, bodyOffset: d.bodyOffset + delta } : d)) };
  const annotations = parseAnnotations(text, tokens.comments);
  if (annotations.ignoreFile || !sameValues(st.annotations, annotations)) return undefined;
  return finishStep({
    st, file, text, host, options, fullAnalysis, p, so, delta, tokens, scan,
    kernels: st.kernels.map(x => moveKernel(x, so, delta)), annotations,
    lines: LineIndex.afterEdit(previous.lines, text, p, so, sn),
    oldDirty: [], found: { findings: [], refusals: [] }, newHostProblems: [],
  });
}

/**
 * Whether a kept message quotes a line number that the edit moves (`\`t\` is also used at line 71`):
 * moving a finding moves its range, not the words of its message.
 */
function quotesMovedLine(st: CudaState, old: string, text: string, p: number, so: number, sn: number): boolean {
  const newlines = (a: string, from: number, to: number) => { let n = 0; for (let i = from; i < to; i++) if (a.charCodeAt(i) === 10) n++; return n; };
  const quoted: number[] = [];
  const collect = (s: string | undefined) => { if (s && s.includes('line ')) for (const m of s.matchAll(/\bline (\d+)/g)) quoted.push(Number(m[1])); };
  for (const f of st.findings) { collect(f.message); collect(f.fixUnavailable); f.notes.forEach(collect); }
  for (const r of st.refusals) collect(r.reason);
  // most files quote no line: the line of the edit (a count from the start of the file) only then
  if (!quoted.length || newlines(old, p, so) === newlines(text, p, sn)) return false;
  const editLine = newlines(old, 0, p) + 1;
  return quoted.some(n => n >= editLine);
}

/**
 * The library facts of the new text, tested again only when the edit could change them: with no
 * LIBRARY_WORDS within 48 non-blank characters of the edit, in the old or the new text, they stay.
 */
function libraryFactsAfter(st: CudaState, text: string, p: number, so: number, sn: number, options: AnalysisOptions): LibraryFacts | undefined {
  if (!editTouchesWords(st.text, text, p, text.length - sn, LIBRARY_WORDS)) return st.libraryFacts;
  return libraryFacts(text, options.libraryTarget);
}

/** The full analysis behind a result (itself when it was full), for positions beyond findings. */
export function fullResultOf(r: AnalysisResult): AnalysisResult {
  return states.get(r)?.full() ?? r;
}

/** The edit between two texts: old [p, so) became new [p, sn). */
function changedRange(old: string, text: string): { p: number; so: number; sn: number } {
  const max = Math.min(old.length, text.length);
  const p = commonPrefix(old, text, max);
  const suf = commonSuffix(old, text, max - p);
  return { p, so: old.length - suf, sn: text.length - suf };
}

/** Whether `name` occurs as a word in text outside [a, b) (a cheap test before walking tokens). */
function namedElsewhere(text: string, name: string, a: number, b: number): boolean {
  for (let at = wordAt(text, name, 0); at >= 0; at = wordAt(text, name, at + 1)) if (at < a || at >= b) return true;
  return false;
}

function refusalBefore(r: Refusal, p: number): boolean {
  return r.launches.every(l => l.span.end <= p) && (!r.blocker || r.blocker.span.end <= p);
}

/** A comment overlapping [a, b] (touching counts) that carries a `fusion-lens:` annotation. */
function touchesAnnotation(comments: ReadonlyArray<{ start: number; end: number }>, a: number, b: number, text: string): boolean {
  for (const c of comments) {
    if (c.end < a || c.start > b) continue;
    if (text.slice(c.start, c.end).includes('fusion-lens')) return true;
  }
  // typing the word itself in a comment, or a comment opener next to one
  const around = text.slice(Math.max(0, a - 16), Math.min(text.length, b + 16));
  return around.includes('fusion-lens');
}

function sameValues(a: Annotations, b: Annotations): boolean {
  if (a.values.size !== b.values.size || a.shapes.size !== b.shapes.size) return false;
  for (const [k, v] of a.values) if (b.values.get(k) !== v) return false;
  for (const [k, v] of a.shapes) if (JSON.stringify(b.shapes.get(k)) !== JSON.stringify(v)) return false;
  return true;
}

/** Whether function g's tokens name `name` (a launch, a call, a pointer to it). */
function mentions(t: Tokens, g: FunctionDecl, name: string): boolean {
  const end = g.bodyClose >= 0 ? g.bodyClose : g.end;
  for (let i = g.bodyOpen; i < end; i++) if (t.kinds[i] === Tok.Ident && t.is(i, name)) return true;
  return false;
}

function moveKernel(k: KernelSummary, at: number, delta: number): KernelSummary {
  return k.span.start < at ? k : moveSummary(k, delta);
}

function moveFinding(f: Finding, move: (x: Span) => Span, lines: LineIndex): Finding {
  const span = move(f.span);
  return {
    ...f, span, range: toRange(lines, span),
    launches: f.launches.map(l => { const s2 = move(l.span); return { ...l, span: s2, range: toRange(lines, s2) }; }),
    fix: undefined,
  };
}

function moveRefusal(r: Refusal, move: (x: Span) => Span, lines: LineIndex): Refusal {
  return {
    ...r,
    launches: r.launches.map(l => { const s2 = move(l.span); return { ...l, span: s2, range: toRange(lines, s2) }; }),
    blocker: r.blocker ? { ...r.blocker, span: move(r.blocker.span), range: toRange(lines, move(r.blocker.span)) } : undefined,
  };
}

/** Incremental steps behind a result since its last full analysis (0: a full analysis). */
export function incrementalSteps(r: AnalysisResult): number {
  return states.get(r)?.steps ?? 0;
}

/** The token stream and scan an incremental step produced (tests compare them with fresh ones). */
export function incrementalInternals(r: AnalysisResult): { tokens: Tokens; scan: ScanResult } | undefined {
  const st = states.get(r);
  return st && st.steps > 0 ? { tokens: st.tokens, scan: st.scan } : undefined;
}

/** This file's kernels and includes as the workspace index keeps them (no second lex). */
export function indexEntryOf(r: AnalysisResult): { kernels: KernelSummary[]; includes: Array<{ spec: string; system: boolean }> } | undefined {
  const st = states.get(r);
  if (!st) return undefined;
  return { kernels: st.kernels, includes: st.scan.includes.map(i => ({ spec: i.spec, system: i.system })) };
}
