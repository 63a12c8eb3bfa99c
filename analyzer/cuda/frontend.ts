// CUDA frontend: text -> tokens -> structure -> kernel summaries + host sequences (Program IR).

import type { LaunchNode, Sequence } from '../core/ir';
import type { Span } from '../core/text';
import { parseAnnotations, type Annotations } from '../core/annotations';
import { apiEffect, isTransparentWrapper } from './cudaApi';
import { evalText, evalTokens, type Lookup } from './constEval';
import { Tok, lex, type Tokens } from './lexer';
import { moveSummary, summarizeKernel, summaryKey, type KernelSummary } from './kernelSummary';
import { HostFunctionAnalyzer, launchCalleeTok, launchMacroShape, type FunctionResult, type HostContext, type LaunchMacroShape } from './hostSequence';
import { scan, type Define, type FunctionDecl, type ScanResult } from './scanner';

export interface CudaProgram {
  file: string;
  text: string;
  tokens: Tokens;
  scan: ScanResult;
  kernels: KernelSummary[];
  sequences: Sequence[];
  launches: LaunchNode[];
  /** Lexer, scanner and host-analysis problems, in that order. */
  problems: Array<{ message: string; span: Span }>;
  /** The host-analysis part of `problems` (incremental analysis redoes it per function). */
  hostProblems: Array<{ message: string; span: Span }>;
  annotations: Annotations;
  constLookup: Lookup;
}

/** Kernels defined in other files (headers, the workspace), supplied by the host. */
export type ExternalKernelLookup = (name: string) => KernelSummary | undefined;

/** What analyzing one host function needs from the rest of the file. */
export interface HostEnv {
  ctx: HostContext;
  summarizeCall: (name: string) => { device: boolean; sync: boolean } | undefined;
}

/**
 * `reuse` finds the summary of an unchanged kernel from an earlier analysis of the file, by
 * summaryKey (qualified name and text): it is moved to its new place instead of made again.
 */
export function analyzeCuda(file: string, text: string, external?: ExternalKernelLookup, reuse?: (key: string) => KernelSummary | undefined): CudaProgram {
  const tokens = lex(text);
  const s = scan(tokens);
  const annotations = parseAnnotations(text, tokens.comments);
  const kernels: KernelSummary[] = [];
  const launched = chevronCallees(tokens);
  for (const f of s.functions) {
    if (!f.isKernel) continue;
    const start = tokens.starts[f.headStart];
    const end = tokens.ends[f.bodyClose >= 0 ? f.bodyClose : f.end];
    const old = reuse?.(summaryKey(f.qualifiedName, text, start, end));
    // the bodies that launches here will read are made now, in one loop (made from inside the
    // host analysis, the same work took longer); the others when something reads them
    kernels.push(old && old.file === file ? moveSummary(old, start - old.span.start) : summarizeKernel(tokens, f, file, launched.has(f.name)));
  }
  const env = hostEnv(file, tokens, s, annotations, kernels, external);

  const sequences: Sequence[] = [];
  const launches: LaunchNode[] = [];
  const hostProblems: Array<{ message: string; span: Span }> = [];
  let launchBase = 0;
  for (const f of s.functions) {
    if (f.isKernel || !f.isHost) continue;
    const r = analyzeHostFunction(env, f);
    // launch ids unique per file
    for (const l of r.launches) l.id += launchBase;
    launchBase += r.launches.length;
    sequences.push(...r.sequences);
    launches.push(...r.launches);
    hostProblems.push(...r.problems);
  }
  const problems = [...structureProblems(tokens, s), ...hostProblems];
  return { file, text, tokens, scan: s, kernels, sequences, launches, problems, hostProblems, annotations, constLookup: env.ctx.constLookup };
}

/** Names written right before `<<<` (or before `<...><<<`): the kernels this file launches with chevrons. */
function chevronCallees(t: Tokens): Set<string> {
  const names = new Set<string>();
  // indexOf over the kinds (a native search): most files have few launches among many tokens
  for (let i = t.kinds.indexOf(Tok.LaunchOpen, 1); i > 0 && i < t.count; i = t.kinds.indexOf(Tok.LaunchOpen, i + 1)) {
    const j = launchCalleeTok(t, i).nameTok;
    if (j >= 0 && t.kinds[j] === Tok.Ident) names.add(t.text(j));
  }
  return names;
}

/** Lexer and scanner problems. */
export function structureProblems(tokens: Tokens, s: ScanResult): Array<{ message: string; span: Span }> {
  const problems: Array<{ message: string; span: Span }> = [];
  for (const p of tokens.problems) problems.push({ message: p.message, span: { start: p.start, end: p.end } });
  for (const p of s.problems) problems.push({ message: p.message, span: { start: tokens.starts[p.tok], end: tokens.ends[p.tok] } });
  return problems;
}

export function hostEnv(file: string, tokens: Tokens, s: ScanResult, annotations: Annotations, kernels: KernelSummary[], external?: ExternalKernelLookup): HostEnv {
  const constLookup = makeConstLookup(tokens, s, annotations.values);
  const byName = new Map<string, KernelSummary>();
  for (const k of kernels) if (!byName.has(k.name)) byName.set(k.name, k);
  const lookupKernel = (name: string) => byName.get(name) ?? external?.(name);
  const defines = new Map<string, Define>();
  const launchMacros = new Map<string, LaunchMacroShape>();
  for (const d of s.defines) {
    defines.set(d.name, d);
    const shape = launchMacroShape(d);
    if (shape) launchMacros.set(d.name, shape);
  }
  const functions = new Map<string, FunctionDecl>();
  for (const f of s.functions) if (!f.isKernel && f.isHost) functions.set(f.name, f);
  const ctx: HostContext = { file, tokens, lookupKernel, functions, defines, launchMacros, constLookup, globalVars: s.globalVars, annotations: annotations.values };
  const summaries = new Map<string, { device: boolean; sync: boolean }>();
  return { ctx, summarizeCall: (name: string) => summarizeFunction(name, tokens, functions, launchMacros, summaries, 0) };
}

export function analyzeHostFunction(env: HostEnv, f: FunctionDecl): FunctionResult {
  if (!mayLaunch(env.ctx, f)) return { name: f.qualifiedName, sequences: [], launches: [], problems: [], touchesDevice: false, syncs: false };
  return new HostFunctionAnalyzer(env.ctx, f, 0, env.summarizeCall).run();
}

/**
 * Whether a host function's body has a launch: a `<<<`, a launch macro or cudaLaunchKernel. Only
 * launches start sequences and launch problems, so a function without one yields nothing, and
 * most host code (I/O, parsing, classes) is skipped in one pass over its tokens.
 */
function mayLaunch(ctx: HostContext, f: FunctionDecl): boolean {
  const t = ctx.tokens;
  const end = f.bodyClose >= 0 ? f.bodyClose : f.end;
  const shapes = launchNameShapes(ctx.launchMacros);
  for (let i = f.bodyOpen + 1; i < end; i++) {
    const k = t.kinds[i];
    if (k === Tok.LaunchOpen) return true;
    if (k !== Tok.Ident) continue;
    const st = t.starts[i];
    if (!shapes.has(t.src.charCodeAt(st) * 256 + Math.min(t.ends[i] - st, 255))) continue;
    const w = t.text(i);
    if (w === 'cudaLaunchKernel' || w === 'cudaLaunchCooperativeKernel' || ctx.launchMacros.has(w)) return true;
  }
  return false;
}

/**
 * First letter and length of every name that launches (the file's launch macros, cudaLaunchKernel,
 * cudaLaunchCooperativeKernel): identifiers are tested against these before their text is sliced.
 * Made once per file's macro table.
 */
function launchNameShapes(macros: Map<string, LaunchMacroShape>): Set<number> {
  let shapes = nameShapes.get(macros);
  if (!shapes) {
    const key = (name: string) => name.charCodeAt(0) * 256 + Math.min(name.length, 255);
    shapes = new Set([key('cudaLaunchKernel'), key('cudaLaunchCooperativeKernel'), ...[...macros.keys()].map(key)]);
    nameShapes.set(macros, shapes);
  }
  return shapes;
}
const nameShapes = new WeakMap<Map<string, LaunchMacroShape>, Set<number>>();

function makeConstLookup(t: Tokens, s: ScanResult, annotations: Map<string, number>): Lookup {
  const cache = new Map<string, number | undefined>();
  const inProgress = new Set<string>();
  const defines = new Map(s.defines.filter(d => !d.params).map(d => [d.name, d]));
  const globals = new Map(s.globals.map(g => [g.name, g]));
  const lookup: Lookup = (name: string) => {
    const short = name.includes('::') ? name.slice(name.lastIndexOf('::') + 2) : name;
    if (cache.has(short)) return cache.get(short);
    if (inProgress.has(short)) return undefined;
    inProgress.add(short);
    let v: number | undefined;
    const d = defines.get(short);
    const g = globals.get(short);
    if (d) v = evalText(d.body, lookup);
    else if (g) v = evalTokens(t, g.initStart, g.initEnd, lookup);
    if (v === undefined) v = annotations.get(short);
    inProgress.delete(short);
    cache.set(short, v);
    return v;
  };
  return lookup;
}

/** Whether a visible host function launches kernels, synchronizes or calls what we cannot see. */
function summarizeFunction(
  name: string, t: Tokens, functions: Map<string, FunctionDecl>, macros: Map<string, LaunchMacroShape>,
  cache: Map<string, { device: boolean; sync: boolean }>, depth: number,
): { device: boolean; sync: boolean } | undefined {
  const f = functions.get(name);
  if (!f) return undefined;
  const cached = cache.get(name);
  if (cached) return cached;
  const result = { device: true, sync: true }; // assume the worst while recursing
  cache.set(name, result);
  let device = false;
  let sync = false;
  const end = f.bodyClose >= 0 ? f.bodyClose : f.end;
  for (let i = f.bodyOpen + 1; i < end; i++) {
    if (t.kinds[i] === Tok.LaunchOpen) { device = true; continue; }
    if (t.kinds[i] !== Tok.Ident || !t.is(i + 1, '(') || t.is(i - 1, '.') || t.is(i - 1, '->')) continue;
    const w = t.text(i);
    if (macros.has(w) || w === 'cudaLaunchKernel') { device = true; continue; }
    const api = apiEffect(w);
    if (api) {
      if (api.kind === 'sync' || (api.kind === 'memcpy' && api.sync)) sync = true;
      if (api.kind !== 'harmless') device = true;
      continue;
    }
    if (functions.has(w)) {
      const s = depth < 4 ? summarizeFunction(w, t, functions, macros, cache, depth + 1) : undefined;
      if (s) { device ||= s.device; sync ||= s.sync; } else device = true;
      continue;
    }
    // an unknown callee (not a type, not an error-check wrapper) may touch the device
    if (!isTransparentWrapper(w, true) && !/^(dim3|int|float|double|size_t|unsigned|long|char|bool)$/.test(w) && !isKeyword(w)) device = true;
  }
  result.device = device;
  result.sync = sync;
  return result;
}

function isKeyword(w: string): boolean {
  return ['if', 'for', 'while', 'switch', 'return', 'sizeof', 'alignof', 'decltype', 'catch', 'static_assert'].includes(w);
}
