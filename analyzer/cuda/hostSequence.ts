// Host sequence analysis: walks one host function's statements in program order and produces, for
// each block, a Sequence of kernel launches and the events between them (syncs, copies, calls,
// assignments, control flow). Buffers are tracked by variable identity: each assignment of a
// pointer variable gives it a new identity; `float* q = p;` makes q an alias of p's identity.

import type { BufferId, BufferUse, EventNode, LaunchNode, LoopInfo, Provenance, SeqItem, Sequence, Size } from '../core/ir';
import type { Span } from '../core/text';
import { apiEffect, DEVICE_CONTAINERS, isTransparentWrapper, POINTER_METHODS } from './cudaApi';
import { evalTokens, lexExpression, type Lookup } from './constEval';
import { Tok, lex, type Tokens } from './lexer';
import type { KernelSummary } from './kernelSummary';
import { parseParams, paramElementSize } from './kernelSummary';
import type { Define, FunctionDecl } from './scanner';
import { matchAngle, matchClose, splitTopLevel } from './scanner';
import { parseStatements, type Stmt } from './statements';
import { normText } from './symbolic';
import { baseType } from './types';

export interface CudaArg {
  text: string;
  span: Span;
  tokens: [number, number];
  buffer?: BufferId;
  value?: number;
  /** Inside a loop: the value may differ between iterations (mentions the index or a variable set in the loop). */
  variant?: boolean;
  /** Declared type when the argument is a single variable (`dim3`, `int`, `float*`). */
  varType?: string;
}

export interface CudaConfig {
  grid: CudaArg;
  block: CudaArg;
  shmem?: CudaArg;
  stream?: CudaArg;
}

/** How a launch macro maps its parameters onto `K<<<G, B, S, ST>>>(ARGS)`. */
export interface LaunchMacroShape {
  define: Define;
  kernel: number;
  config: number[];
  /** Index of the first macro argument passed as kernel arguments (via __VA_ARGS__), or explicit indices. */
  args: { variadicFrom: number } | { indices: number[] };
}

export interface CudaLaunchData {
  form: 'chevron' | 'macro' | 'cudaLaunchKernel';
  kernel?: KernelSummary;
  calleeText: string;
  templateArgs?: string[];
  config: CudaConfig;
  args: CudaArg[];
  macro?: LaunchMacroShape;
  /** For cudaLaunchKernel: the `void* args[]` array declaration. */
  argsArray?: { name: string; span: Span };
  hostFunction: string;
  tokens: Tokens;
  /** The launch is a statement of its own (possibly in error-check wrappers): safe to delete. */
  standalone?: boolean;
}

export interface HostContext {
  file: string;
  tokens: Tokens;
  lookupKernel(name: string): KernelSummary | undefined;
  /** Visible host functions by name, for call summaries. */
  functions: Map<string, FunctionDecl>;
  defines: Map<string, Define>;
  launchMacros: Map<string, LaunchMacroShape>;
  constLookup: Lookup;
  globalVars: Set<string>;
  /** Values from `// fusion-lens: n=...` annotations. */
  annotations: Map<string, number>;
}

export interface HostProblem {
  message: string;
  span: Span;
}

export interface FunctionResult {
  name: string;
  sequences: Sequence[];
  launches: LaunchNode[];
  problems: HostProblem[];
  /** Calls in this function that make it act on the device (for callers' summaries). */
  touchesDevice: boolean;
  syncs: boolean;
}

interface VarInfo {
  name: string;
  uid: number;
  version: number;
  isPointer: boolean;
  isContainer: boolean;
  typeText: string;
  bufKey?: string;
  provenance: Provenance;
  offset: string;
  value?: number;
  isConst: boolean;
  /** An array of pointers whose elements were each allocated (`cudaMalloc(&bufs[i], ...)`). */
  elementsAllocated?: boolean;
  /** `name@uid.version`, made once per version (varKey). */
  key?: string;
}

interface Effects {
  reads: Set<string> | '*';
  writes: Set<string> | '*';
  assigns: Set<string>;
  sync: boolean;
  device: boolean;
  launches: number;
  /** Jumps out of the statements so far not yet caught by their loop or switch (EXIT_* bits). */
  exits: number;
}

const CONDITIONAL_DIRECTIVE = /^#\s*(if|ifdef|ifndef|elif|elifdef|elifndef|else|endif)\b/;

/** `break` (caught by a loop or switch), `continue` (by a loop), return/goto/throw (never). */
const EXIT_BREAK = 1;
const EXIT_CONTINUE = 2;
const EXIT_FUNCTION = 4;

const SPECIFIERS = new Set(['const', 'constexpr', 'static', 'volatile', 'register', 'thread_local', 'inline', 'unsigned', 'signed', 'long', 'short', 'struct', 'typename', 'mutable']);
const NOT_TYPES = new Set(['return', 'delete', 'new', 'throw', 'goto', 'case', 'else', 'using', 'typedef', 'co_await', 'co_yield']);
const HARMLESS_METHODS = new Set(['size', 'empty', 'begin', 'end', 'cbegin', 'cend', 'data', 'get', 'ptr', 'at', 'front', 'back', 'c_str', 'str', 'count', 'find', 'push_back', 'emplace_back', 'pop_back', 'insert', 'reserve', 'length', 'rows', 'cols', 'step', 'type', 'channels', 'elemSize', 'depth', 'isContinuous', 'width', 'height', 'cudaPtr', 'first', 'second']);
const REALLOC_METHODS = new Set(['resize', 'create', 'release', 'clear', 'reset', 'assign', 'swap', 'shrink_to_fit']);

/** Stream arguments that mean the legacy default stream. */
const DEFAULT_STREAMS = new Set(['0', 'nullptr', 'NULL', 'cudaStreamLegacy', 'cudaStreamDefault', '(cudaStream_t)0', 'cudaStream_t(0)']);

export class HostFunctionAnalyzer {
  private vars = new Map<string, VarInfo>();
  /** Per open block: the names it declared, each followed by what the name meant before (flat pairs, restored at the block's end). */
  private readonly scopes: Array<Array<string | VarInfo | undefined>> = [];
  private uidCounter = 0;
  private launchCounter = 0;
  private pos = 0;
  private readonly reads = new Map<string, number[]>();
  private readonly escaping = new Set<string>();
  private readonly sequences: Sequence[] = [];
  private readonly launches: LaunchNode[] = [];
  private readonly problems: HostProblem[] = [];
  private touchesDevice = false;
  private syncs = false;
  /** Enclosing loops, innermost last: variables declared after uidAtStart or assigned in the loop vary. */
  private readonly loopStack: Array<{ uidAtStart: number; assigned: Set<string> }> = [];
  private readonly t: Tokens;

  constructor(private ctx: HostContext, private fn: FunctionDecl, private callDepth: number, private summarizeCall: (name: string) => { device: boolean; sync: boolean } | undefined) {
    this.t = ctx.tokens;
  }

  run(): FunctionResult {
    const t = this.t;
    // parameters: pointer parameters are buffers that escape; scalars are unknown values
    for (const p of parseParams(t, this.fn.paramsOpen, this.fn.paramsClose)) {
      if (!p.name) continue;
      const isContainer = DEVICE_CONTAINERS.test(baseType(p.typeText));
      const v = this.declare(p.name, p.typeText, p.isPointer || isContainer, isContainer, false);
      v.provenance = p.restrict ? 'restrict-param' : 'param';
      if (v.bufKey) this.escaping.add(v.bufKey);
    }
    const end = this.fn.bodyClose >= 0 ? this.fn.bodyClose - 1 : this.fn.end;
    const stmts = parseStatements(t, this.fn.bodyOpen + 1, end);
    this.block(stmts, this.fn.qualifiedName, []);
    return { name: this.fn.qualifiedName, sequences: this.sequences, launches: this.launches, problems: this.problems, touchesDevice: this.touchesDevice, syncs: this.syncs };
  }

  // ------------------------------------------------------------------ variables

  private declare(name: string, typeText: string, isPointer: boolean, isContainer: boolean, isConst: boolean): VarInfo {
    const uid = ++this.uidCounter;
    const v: VarInfo = { name, uid, version: 0, isPointer, isContainer, typeText, provenance: 'unknown', offset: '0', isConst };
    if (isPointer) v.bufKey = `${name}@${uid}.0`;
    this.scopes[this.scopes.length - 1]?.push(name, this.vars.get(name));
    this.vars.set(name, v);
    return v;
  }

  private varKey(name: string): string {
    const v = this.vars.get(name);
    if (!v) return `${name}@ext`;
    return (v.key ??= `${name}@${v.uid}.${v.version}`);
  }

  private assign(name: string): VarInfo | undefined {
    const v = this.vars.get(name);
    if (!v) return undefined;
    v.version++;
    v.key = undefined;
    v.value = undefined;
    if (v.isPointer) {
      v.bufKey = `${name}@${v.uid}.${v.version}`;
      v.provenance = 'unknown';
      v.offset = '0';
    }
    return v;
  }

  private lookup: Lookup = (name: string) => {
    const v = this.vars.get(name);
    if (v) return v.value ?? this.ctx.annotations.get(name);
    return this.ctx.constLookup(name) ?? this.ctx.annotations.get(name);
  };

  // ------------------------------------------------------------------ statements

  /** Analyzes a block; returns the effects summary for the enclosing sequence. */
  private block(stmts: Stmt[], scope: string, loops: Array<[number, number]>, loop?: LoopInfo): Effects {
    this.scopes.push([]);
    const seq: Sequence = { scope, file: this.ctx.file, items: [], positions: [], reads: this.reads, loops, escaping: this.escaping, loop };
    const eff: Effects = { reads: new Set(), writes: new Set(), assigns: new Set(), sync: false, device: false, launches: 0, exits: 0 };
    let child = 0;
    for (const s of stmts) this.statement(s, seq, eff, scope, loops, () => `${scope}/${++child}`);
    if (seq.items.some(i => i.type === 'launch')) this.sequences.push(seq);
    // names declared in this block go out of scope; assignments to outer names persist
    const declared = this.scopes.pop()!;
    for (let i = declared.length - 2; i >= 0; i -= 2) {
      const outer = declared[i + 1] as VarInfo | undefined;
      if (outer) this.vars.set(declared[i] as string, outer);
      else this.vars.delete(declared[i] as string);
    }
    return eff;
  }

  private statement(s: Stmt, seq: Sequence, eff: Effects, scope: string, loops: Array<[number, number]>, childScope: () => string): void {
    const t = this.t;
    switch (s.kind) {
      case 'simple':
        this.simple(s.start, s.end, seq, eff);
        if (t.is(s.start, 'throw')) this.jump(s.start, s.end, seq, eff, EXIT_FUNCTION);
        return;
      case 'return': {
        // returned buffers escape; the expression may contain calls
        this.simple(s.start + 1, s.end, seq, eff);
        for (let i = s.start + 1; i <= s.end; i++) {
          if (t.isIdent(i)) {
            const v = this.vars.get(t.text(i));
            if (v?.bufKey) this.escaping.add(v.bufKey);
          }
        }
        this.jump(s.start, s.end, seq, eff, EXIT_FUNCTION);
        return;
      }
      case 'jump':
        this.jump(s.start, s.end, seq, eff, t.is(s.start, 'break') ? EXIT_BREAK : t.is(s.start, 'continue') ? EXIT_CONTINUE : EXIT_FUNCTION);
        return;
      case 'label':
        // `case 1:` or a goto target: control also arrives here from elsewhere, so the launches
        // after it do not always follow the ones before (a switch's cases are alternatives)
        this.controlPoint('entry', s.start, s.end, seq);
        return;
      case 'preproc':
        // `#if A` / `#else` / `#endif` around launches: what is compiled on one side may not be on
        // the other, so no launch pairs with one across it (a fused launch would be compiled
        // where its parts are not)
        if (CONDITIONAL_DIRECTIVE.test(t.text(s.start))) this.controlPoint('entry', s.start, s.start, seq);
        return;
      case 'block': {
        const inner = this.block(s.body, childScope(), loops);
        this.compound(s.start, s.end, inner, seq, eff, 'block');
        return;
      }
      case 'if': case 'switch': {
        const condEff = this.newEffects();
        this.simple(s.condOpen + 1, s.condClose - 1, seq, condEff, true);
        mergeEffects(eff, condEff);
        const parts = s.kind === 'if' ? (s.else ? [s.then, s.else] : [s.then]) : [s.body];
        const inner = this.newEffects();
        for (const p of parts) mergeEffects(inner, this.block(p.kind === 'block' ? p.body : [p], childScope(), loops));
        if (s.kind === 'switch') inner.exits &= ~EXIT_BREAK; // its cases' `break`s end the switch
        this.compound(s.start, s.end, inner, seq, eff, 'control');
        return;
      }
      case 'for': case 'while': case 'do': {
        const header = s.kind === 'for' ? t.slice(s.start, s.headClose) : s.kind === 'while' ? t.slice(s.start, s.condClose) : 'do';
        // variables assigned in the loop get fresh versions at the top of the body (back edge)
        const body = s.body;
        const start = this.pos;
        const headEff = this.newEffects();
        this.loopStack.push({ uidAtStart: this.uidCounter, assigned: new Set() });
        if (s.kind === 'for') this.forHead(s.headOpen, s.headClose, seq, headEff);
        else this.simple(s.condOpen + 1, s.condClose - 1, seq, headEff, true);
        for (const n of this.bumpAssignedIn(s.kind === 'for' ? s.headOpen : body.start, body.end)) this.loopStack[this.loopStack.length - 1].assigned.add(n);
        const loopRange: [number, number] = [start, Number.MAX_SAFE_INTEGER];
        const info: LoopInfo = { span: this.span(s.start, s.end), bodySpan: this.span(body.start, body.end), header, ...this.loopIndex(s) };
        let inner: Effects;
        try {
          inner = this.block(body.kind === 'block' ? body.body : [body], childScope(), [...loops, loopRange], info);
        } finally {
          this.loopStack.pop();
        }
        loopRange[1] = this.pos;
        mergeEffects(inner, headEff);
        inner.exits &= ~(EXIT_BREAK | EXIT_CONTINUE); // the loop's own
        this.compound(s.start, s.end, inner, seq, eff, 'control');
        return;
      }
      case 'try': {
        const inner = this.newEffects();
        for (const b of s.blocks) mergeEffects(inner, this.block(b.kind === 'block' ? b.body : [b], childScope(), loops));
        this.compound(s.start, s.end, inner, seq, eff, 'control');
        return;
      }
    }
  }

  private newEffects(): Effects {
    return { reads: new Set(), writes: new Set(), assigns: new Set(), sync: false, device: false, launches: 0, exits: 0 };
  }

  private loopIndex(s: Stmt): { indexVar?: string; tripCount?: Size } {
    if (s.kind !== 'for') return {};
    const t = this.t;
    // for (int b = 0; b < B; ++b)
    const parts: Array<[number, number]> = [];
    let st = s.headOpen + 1;
    let depth = 0;
    for (let i = s.headOpen + 1; i < s.headClose; i++) {
      if (t.is(i, '(')) depth++;
      else if (t.is(i, ')')) depth--;
      else if (depth === 0 && t.is(i, ';')) { parts.push([st, i - 1]); st = i + 1; }
    }
    parts.push([st, s.headClose - 1]);
    if (parts.length !== 3) return {};
    // only `for (T v = 0; v < N; ++v)` (or v++, v += 1) with v untouched in the body counts items 0..N-1
    const [init, cond, inc] = parts;
    let eq = -1;
    for (let i = init[0]; i <= init[1]; i++) if (t.is(i, '=')) { eq = i; break; }
    if (eq < 0 || !t.isIdent(eq - 1)) return {};
    const v = t.text(eq - 1);
    if (evalTokens(t, eq + 1, init[1], this.lookup) !== 0) return {};
    if (!(t.is(cond[0], v) && t.is(cond[0] + 1, '<') && cond[1] >= cond[0] + 2)) return {};
    const incText = t.slice(inc[0], inc[1]).replace(/\s+/g, '');
    if (![`++${v}`, `${v}++`, `${v}+=1`, `${v}=${v}+1`].includes(incText)) return {};
    for (let i = s.body.start; i <= s.body.end; i++) {
      if (t.is(i, v) && !t.is(i - 1, '.') && (['=', '+=', '-=', '++', '--'].includes(t.text(i + 1)) || t.is(i - 1, '++') || t.is(i - 1, '--'))) return {};
    }
    return { indexVar: v, tripCount: this.size(cond[0] + 2, cond[1]) };
  }

  private forHead(open: number, close: number, seq: Sequence, eff: Effects): void {
    const t = this.t;
    // init ; cond ; inc -- handle each part as a simple statement
    let st = open + 1;
    let depth = 0;
    for (let i = open + 1; i <= close; i++) {
      if (i < close && (t.is(i, '(') || t.is(i, '[') || t.is(i, '{'))) depth++;
      else if (i < close && (t.is(i, ')') || t.is(i, ']') || t.is(i, '}'))) depth--;
      if (i === close || (depth === 0 && (t.is(i, ';') || t.is(i, ':')))) {
        if (st <= i - 1) this.simple(st, i - 1, seq, eff, st !== open + 1);
        st = i + 1;
      }
    }
  }

  /** Gives every variable assigned in [a, b] a fresh version; returns their names. */
  private bumpAssignedIn(a: number, b: number): Set<string> {
    const t = this.t;
    const names = new Set<string>();
    for (let i = a; i <= b; i++) {
      if (!t.isIdent(i) || t.is(i - 1, '.') || t.is(i - 1, '->')) continue;
      const next = t.text(i + 1);
      if (['=', '+=', '-=', '*=', '/=', '++', '--', '<<=', '|=', '&='].includes(next) || t.is(i - 1, '++') || t.is(i - 1, '--') || t.is(i - 1, '&')) {
        names.add(t.text(i));
        if (this.vars.has(t.text(i))) this.assign(t.text(i));
      }
    }
    return names;
  }

  /** Adds a nested statement's effects to the enclosing sequence as one event. */
  private compound(a: number, b: number, inner: Effects, seq: Sequence, eff: Effects, kind: 'block' | 'control'): void {
    mergeEffects(eff, inner);
    const hasEffect = inner.device || inner.sync || inner.assigns.size > 0 || inner.launches > 0 ||
      inner.reads === '*' || inner.writes === '*' || inner.reads.size > 0 || inner.writes.size > 0;
    if (!hasEffect && !inner.exits) return;
    const ev: EventNode = {
      type: 'event',
      // `if (!ok) return;` between two launches: the later one may not run, so nothing moves past it
      kind: inner.exits ? 'exit' : kind === 'block' ? 'call' : 'control',
      span: this.span(a, b),
      text: eventText(this.t, a, Math.min(b, a + 12)),
      reads: inner.reads === '*' ? '*' : [...inner.reads],
      writes: inner.writes === '*' ? '*' : [...inner.writes],
      assigns: [...inner.assigns],
      sync: inner.sync,
    };
    seq.items.push(ev);
    seq.positions.push(this.pos++);
  }

  private hasLaunchIn(a: number, b: number): boolean {
    for (let i = a; i <= b; i++) if (this.t.kinds[i] === Tok.LaunchOpen) return true;
    return false;
  }

  /** A return, break, continue, goto or throw: the statements after it in this block may not run. */
  private jump(a: number, b: number, seq: Sequence, eff: Effects, bit: number): void {
    eff.exits |= bit;
    this.controlPoint('exit', a, b, seq);
  }

  /** An event that no launch moves past (vertical, horizontal, batch and graph plans alike). */
  private controlPoint(kind: 'exit' | 'entry', a: number, b: number, seq: Sequence): void {
    seq.items.push({ type: 'event', kind, span: this.span(a, b), text: eventText(this.t, a, Math.min(b, a + 12)), reads: [], writes: [], assigns: [], sync: false });
    seq.positions.push(this.pos++);
  }

  // ------------------------------------------------------------------ simple statements

  private simple(a: number, b: number, seq: Sequence, eff: Effects, isCondition = false): void {
    const t = this.t;
    if (a > b) return;
    if (!isCondition) {
      const declEnd = this.declaration(a, b, seq, eff);
      if (declEnd !== undefined) return;
    }
    this.expression(a, b, seq, eff);
  }

  /** Handles a declaration statement; returns undefined when [a, b] is not one. */
  private declaration(a: number, b: number, seq: Sequence, eff: Effects): number | undefined {
    const t = this.t;
    let i = a;
    let isConst = false;
    while (t.isIdent(i) && SPECIFIERS.has(t.text(i))) {
      if (t.is(i, 'const') || t.is(i, 'constexpr')) isConst = true;
      i++;
    }
    if (!t.isIdent(i) || NOT_TYPES.has(t.text(i))) return undefined;
    const typeStart = i;
    i++;
    while (t.is(i, '::') && t.isIdent(i + 1)) i += 2;
    if (t.is(i, '<')) {
      const gt = matchAngle(t, i, b + 1);
      if (gt < 0) return undefined;
      i = gt + 1;
      while (t.is(i, '::') && t.isIdent(i + 1)) i += 2;
    }
    // trailing type words: `unsigned int`, `long long`, `float const`
    while (t.isIdent(i) && (SPECIFIERS.has(t.text(i)) || ['int', 'char', 'double', 'float'].includes(t.text(i))) && !this.isDeclaratorName(i)) {
      if (t.is(i, 'const')) isConst = true;
      i++;
    }
    const typeEnd = i - 1;
    const typeText = t.slice(typeStart, typeEnd);
    // first declarator must look like [*&]* name followed by = ; , ( { [
    let j = i;
    while (t.is(j, '*') || t.is(j, '&') || t.is(j, '&&') || t.is(j, 'const') || t.is(j, '__restrict__')) j++;
    if (!t.isIdent(j)) return undefined;
    const after = j + 1;
    if (!(t.is(after, '=') || t.is(after, ';') || t.is(after, ',') || t.is(after, '(') || t.is(after, '{') || t.is(after, '[') || after > b)) return undefined;
    // `foo(x);` has no second identifier; `a * b;` would be a declaration of b: acceptable
    if (t.is(after, '(') && j === typeStart) return undefined;
    const isContainer = DEVICE_CONTAINERS.test(typeText);
    const end = t.is(b, ';') ? b - 1 : b;
    for (const [pa, pb] of splitTopLevel(t, i, end, false)) {
      let k = pa;
      let stars = 0;
      while (t.is(k, '*') || t.is(k, '&') || t.is(k, '&&') || t.is(k, 'const') || t.is(k, '__restrict__')) {
        if (t.is(k, '*')) stars++;
        k++;
      }
      if (!t.isIdent(k)) continue;
      const name = t.text(k);
      let initA = -1, initB = -1, ctorArgs: [number, number] | undefined;
      let isArray = false;
      let q = k + 1;
      while (t.is(q, '[')) {
        isArray = true;
        const c = matchClose(t, q, pb + 1);
        if (c < 0) break;
        q = c + 1;
      }
      if (t.is(q, '=')) { initA = q + 1; initB = pb; }
      else if (t.is(q, '(') || t.is(q, '{')) {
        const c = matchClose(t, q, pb + 1);
        if (c > 0) ctorArgs = [q + 1, c - 1];
      }
      // evaluate initializer effects before the name is in scope
      if (initA >= 0) this.expression(initA, initB, seq, eff);
      if (ctorArgs) this.expression(ctorArgs[0], ctorArgs[1], seq, eff);
      const isPointer = stars > 0 || /\*\s*$/.test(typeText) || (typeText === 'auto' && initA >= 0 && this.initIsPointer(initA, initB));
      const v = this.declare(name, typeText + '*'.repeat(stars), (isPointer && !isArray) || isContainer, isContainer, isConst);
      if (isContainer) v.provenance = 'allocation';
      if (initA >= 0) {
        if (v.isPointer) this.bindPointerInit(v, initA, initB);
        else v.value = evalTokens(t, initA, initB, this.lookup);
      } else if (ctorArgs && !isContainer && !v.isPointer) {
        v.value = evalTokens(t, ctorArgs[0], ctorArgs[1], this.lookup);
      }
      // an array of pointers `float* bufs[N]` holds buffers of unknown identity
      if (isArray && stars > 0) v.isPointer = false;
    }
    return b;
  }

  private isDeclaratorName(i: number): boolean {
    const t = this.t;
    const n = t.text(i + 1);
    return n === '=' || n === ';' || n === ',' || n === '[' || (n === '(' && false);
  }

  private initIsPointer(a: number, b: number): boolean {
    const t = this.t;
    if (t.is(a, 'new')) return true;
    if (t.isIdent(a) && a === b) return !!this.vars.get(t.text(a))?.isPointer;
    return /raw_pointer_cast|\.data\(\)|\.get\(\)|malloc/.test(t.slice(a, b));
  }

  /** `float* q = p + 4;`, `= nullptr`, `= new float[n]`, `= (float*)malloc(..)`, `= thrust::raw_pointer_cast(v.data())` */
  private bindPointerInit(v: VarInfo, a: number, b: number): void {
    const t = this.t;
    const src = this.bufferOf(a, b);
    if (src && src.provenance !== 'unknown' || src && !src.key.startsWith('?')) {
      v.bufKey = src!.key;
      v.provenance = src!.provenance;
      v.offset = src!.offset;
      return;
    }
    if (t.is(a, 'new') || /^\(?\s*\w+\s*\*?\s*\)?\s*(std::)?(malloc|calloc)\b/.test(t.slice(a, b))) {
      v.provenance = 'allocation';
      return;
    }
  }

  /**
   * Whether the launch at `at` comes after a `?`, `&&` or `||` of its expression [a, ...] (lambda
   * bodies skipped): `c ? k1<<<...>>>(...) : k2<<<...>>>(...)`, `ok && (k<<<...>>>(...), true)`.
   * Scanned back from the launch, so statements without launches cost nothing.
   */
  private launchIsConditional(a: number, at: number): boolean {
    const t = this.t;
    for (let i = at - 1; i >= a; i--) {
      if (t.kinds[i] !== Tok.Punct) continue;
      const c = t.ch(i); // one-character punctuators only
      if (c === 125 /* } */) {
        // skip a braced group (a lambda's body) back to its `{`
        let depth = 0;
        for (; i >= a; i--) {
          if (t.ch(i) === 125) depth++;
          else if (t.ch(i) === 123 && --depth === 0) break;
        }
      } else if (c === 63 /* ? */ || t.is(i, '&&') || t.is(i, '||')) {
        return true;
      }
    }
    return false;
  }

  /**
   * A lambda's body in an expression (`auto later = [&] { k<<<...>>>(...); };`, a callback to
   * `std::for_each`, one called at once): its launches run when it is called, maybe never, many
   * times or right here. Its body is analyzed as code of its own (its chains are found), and the
   * statement holding it is a call we cannot see into, as is a later call of the lambda.
   */
  private lambdaBody(open: number, close: number, seq: Sequence, eff: Effects): void {
    const stmts = parseStatements(this.t, open + 1, close - 1);
    this.block(stmts, `${seq.scope}/lambda@${this.t.starts[open]}`, []);
    this.event(seq, eff, 'opaque', open, close, '*', '*', [], false);
  }

  /** Scans an expression for launches, calls, assignments and host accesses, in token order. */
  private expression(a: number, b: number, seq: Sequence, eff: Effects): void {
    const t = this.t;
    for (let i = a; i <= b; i++) {
      const k = t.kinds[i];
      if (k === Tok.LaunchOpen) {
        if (this.launchIsConditional(a, i)) {
          // an alternative or a launch that may not run: no fusion candidate; what it touches
          // still orders the launches around the statement
          const inner = this.newEffects();
          const end = this.chevronLaunch(i, b, { ...seq, items: [], positions: [] }, inner);
          this.compound(i, Math.max(i, end), inner, seq, eff, 'control');
          i = Math.max(i, end);
          continue;
        }
        const end = this.chevronLaunch(i, b, seq, eff);
        i = Math.max(i, end);
        continue;
      }
      if (k === Tok.Punct && t.ch(i) === 123 /* { */) {
        const close = matchClose(t, i, b + 1);
        if (close > 0 && this.hasLaunchIn(i, close)) {
          this.lambdaBody(i, close, seq, eff);
          i = close;
        }
        continue;
      }
      if (k !== Tok.Ident) continue;
      const name = t.text(i);
      // qualified name
      let j = i;
      let qname = name;
      while (t.is(j + 1, '::') && t.isIdent(j + 2)) { j += 2; qname += '::' + t.text(j); }
      if (t.is(j + 1, '<') && t.kinds[j + 2] !== Tok.LaunchOpen) {
        // a template call `f<T>(...)` or a templated launch `k<T><<<...`: skip the argument list
        const gt = matchAngle(t, j + 1, b + 1);
        if (gt > 0 && t.kinds[gt + 1] === Tok.LaunchOpen) { i = gt; continue; }
        if (gt > 0 && t.is(gt + 1, '(')) { j = gt; }
      }
      if (t.kinds[j + 1] === Tok.LaunchOpen) { i = j; continue; }
      // method call obj.m(...) / obj->m(...)
      if ((t.is(i - 1, '.') || t.is(i - 1, '->')) && t.is(j + 1, '(')) continue; // handled at the object
      if (t.is(j + 1, '.') || t.is(j + 1, '->')) {
        if (t.isIdent(j + 2) && t.is(j + 3, '(')) {
          const close = matchClose(t, j + 3, b + 1);
          this.methodCall(qname, t.text(j + 2), j + 3, close < 0 ? b : close, seq, eff, i);
          // keep scanning inside the arguments
          i = j + 3;
          continue;
        }
      }
      if (t.is(j + 1, '(')) {
        const close = matchClose(t, j + 1, b + 1);
        const c = close < 0 ? b : close;
        if ((this.ctx.launchMacros.has(qname) || qname === 'cudaLaunchKernel' || qname === 'cudaLaunchCooperativeKernel') && this.launchIsConditional(a, i)) {
          // a macro or API launch after `?`, `&&` or `||`: as for chevrons above
          const inner = this.newEffects();
          this.call(qname, i, j + 1, c, { ...seq, items: [], positions: [] }, inner);
          this.compound(i, c, inner, seq, eff, 'control');
          i = c;
          continue;
        }
        const handled = this.call(qname, i, j + 1, c, seq, eff);
        if (handled === 'skip') i = c;
        else i = j + 1;
        continue;
      }
      // assignments and increments at this token
      const v = this.vars.get(name);
      if (!v || t.is(i - 1, '.') || t.is(i - 1, '->') || t.is(i - 1, '::')) continue;
      const next = t.text(j + 1);
      const isAssign = ['=', '+=', '-=', '*=', '/=', '%=', '<<=', '&=', '|=', '^='].includes(next) || next === '++' || next === '--' || t.is(i - 1, '++') || t.is(i - 1, '--');
      if (isAssign && !t.is(j + 1, '==')) {
        // pointer reassignment: `p = q` aliases q; anything else is a new identity
        if (next === '=' && v.isPointer) {
          const rhsEnd = this.exprEnd(j + 2, b);
          this.expression(j + 2, rhsEnd, seq, eff);
          const nv = this.assign(name)!;
          this.bindPointerInit(nv, j + 2, rhsEnd);
          this.event(seq, eff, 'assign', i, rhsEnd, [], [], [name], false);
          i = rhsEnd;
          continue;
        }
        if (next === '=') {
          const rhsEnd = this.exprEnd(j + 2, b);
          this.expression(j + 2, rhsEnd, seq, eff);
          const value = evalTokens(t, j + 2, rhsEnd, this.lookup);
          this.assign(name);
          if (!v.isPointer) this.vars.get(name)!.value = value;
          this.event(seq, eff, 'assign', i, rhsEnd, [], [], [name], false);
          i = rhsEnd;
          continue;
        }
        this.assign(name);
        this.event(seq, eff, 'assign', i, j + 1, [], [], [name], false);
        continue;
      }
      // host access to device memory: d_x[...] or *d_x outside launch arguments
      if (v.isPointer && v.bufKey && (v.provenance === 'allocation' || v.isContainer) && (t.is(j + 1, '[') || (t.is(i - 1, '*') && !this.operandBefore(i - 1)))) {
        if (!v.isContainer || t.is(j + 1, '[')) {
          const write = this.isWrittenAt(j + 1, b);
          this.event(seq, eff, 'host-access', i, j + 1, [v.bufKey], write ? [v.bufKey] : [], [], false);
        }
      }
    }
  }

  private exprEnd(a: number, b: number): number {
    const t = this.t;
    let depth = 0;
    for (let i = a; i <= b; i++) {
      if (t.is(i, '(') || t.is(i, '[') || t.is(i, '{')) depth++;
      else if (t.is(i, ')') || t.is(i, ']') || t.is(i, '}')) { if (--depth < 0) return i - 1; }
      else if (depth === 0 && (t.is(i, ';') || t.is(i, ','))) return i - 1;
    }
    return b;
  }

  private operandBefore(i: number): boolean {
    const t = this.t;
    const p = i - 1;
    if (t.isIdent(p)) return !['return', 'case', 'sizeof'].includes(t.text(p));
    return t.kind(p) === Tok.Number || t.is(p, ')') || t.is(p, ']');
  }

  private isWrittenAt(after: number, b: number): boolean {
    const t = this.t;
    let j = after;
    if (t.is(j, '[')) {
      const c = matchClose(t, j, b + 1);
      if (c < 0) return false;
      j = c + 1;
    }
    return ['=', '+=', '-=', '*=', '/=', '++', '--'].includes(t.text(j));
  }

  private span(a: number, b: number): Span {
    return { start: this.t.starts[a], end: this.t.ends[Math.max(a, b)] };
  }

  private event(seq: Sequence, eff: Effects, kind: EventNode['kind'], a: number, b: number, reads: string[] | '*', writes: string[] | '*', assigns: string[], sync: boolean): void {
    const ev: EventNode = { type: 'event', kind, span: this.span(a, b), text: normText(this.t, a, Math.min(b, a + 24)), reads, writes, assigns, sync };
    seq.items.push(ev);
    seq.positions.push(this.pos);
    this.recordReads(reads);
    this.pos++;
    for (const n of assigns) eff.assigns.add(n);
    if (reads === '*') eff.reads = '*';
    else if (eff.reads !== '*') reads.forEach(r => (eff.reads as Set<string>).add(r));
    if (writes === '*') eff.writes = '*';
    else if (eff.writes !== '*') writes.forEach(w => (eff.writes as Set<string>).add(w));
    if (sync) { eff.sync = true; this.syncs = true; }
    if (kind !== 'assign' && kind !== 'control') { eff.device = true; }
    if (kind === 'opaque' || kind === 'memcpy' || kind === 'memset' || kind === 'sync') this.touchesDevice = true;
  }

  private recordReads(reads: string[] | '*'): void {
    for (const r of reads === '*' ? ['*'] : reads) {
      let l = this.reads.get(r);
      if (!l) this.reads.set(r, (l = []));
      l.push(this.pos);
    }
  }

  // ------------------------------------------------------------------ calls

  private argRanges(open: number, close: number): Array<[number, number]> {
    return close > open + 1 ? splitTopLevel(this.t, open + 1, close - 1, false) : [];
  }

  private call(name: string, nameTok: number, open: number, close: number, seq: Sequence, eff: Effects): 'skip' | 'inside' {
    const t = this.t;
    const args = this.argRanges(open, close);
    const macroShape = this.ctx.launchMacros.get(name);
    if (macroShape) {
      this.macroLaunch(macroShape, nameTok, open, close, args, seq, eff);
      return 'skip';
    }
    if (name === 'cudaLaunchKernel' || name === 'cudaLaunchCooperativeKernel') {
      this.launchKernelCall(nameTok, open, close, args, seq, eff);
      return 'skip';
    }
    const def = this.ctx.defines.get(name);
    if (def && def.params) return 'inside'; // a visible function-like macro without a launch: look inside
    const api = apiEffect(name);
    if (api) {
      switch (api.kind) {
        case 'harmless':
          this.addressTaken(args);
          return 'inside';
        case 'sync':
          this.event(seq, eff, 'sync', nameTok, close, [], [], [], true);
          return 'skip';
        case 'event':
          this.event(seq, eff, 'event', nameTok, close, [], [], [], false);
          return 'skip';
        case 'memcpy': {
          const dst = args[api.dst] && this.bufferOf(args[api.dst][0], args[api.dst][1]);
          const src = args[api.src] && this.bufferOf(args[api.src][0], args[api.src][1]);
          this.event(seq, eff, 'memcpy', nameTok, close, src ? [src.key] : [], dst ? [dst.key] : [], [], api.sync);
          return 'skip';
        }
        case 'memset': {
          const dst = args[api.dst] && this.bufferOf(args[api.dst][0], args[api.dst][1]);
          this.event(seq, eff, 'memset', nameTok, close, [], dst ? [dst.key] : [], [], api.sync);
          return 'skip';
        }
        case 'alloc': {
          const r = args[api.ptr];
          // `cudaMalloc(&bufs[i], ...)`: every element of the array is its own allocation
          if (r && t.is(r[0], '&') && t.isIdent(r[0] + 1) && t.is(r[0] + 2, '[')) {
            const arr = this.vars.get(t.text(r[0] + 1));
            if (arr) arr.elementsAllocated = true;
            this.event(seq, eff, 'alloc', nameTok, close, [], [], [], false);
            return 'skip';
          }
          const nameAt = r ? this.addressOfName(r[0], r[1]) : undefined;
          if (nameAt) {
            const v = this.assign(nameAt) ?? this.declare(nameAt, 'void*', true, false, false);
            v.isPointer = true;
            v.bufKey = v.bufKey ?? `${nameAt}@${v.uid}.${v.version}`;
            v.provenance = api.device ? 'allocation' : 'allocation';
            this.event(seq, eff, 'alloc', nameTok, close, [], [], [nameAt], false);
          }
          return 'skip';
        }
        case 'free': {
          const r = args[api.ptr];
          const buf = r && this.bufferOf(r[0], r[1]);
          this.event(seq, eff, 'free', nameTok, close, [], buf ? [buf.key] : [], [], false);
          return 'skip';
        }
        case 'opaque':
          this.event(seq, eff, 'opaque', nameTok, close, '*', '*', [], false);
          return 'skip';
      }
    }
    const singleCall = args.length === 1 && t.isIdent(args[0][0]) && this.isCallRange(args[0][0], args[0][1]);
    if (isTransparentWrapper(name, singleCall)) return 'inside';
    // a visible host function: act on what it does
    const base = name.includes('::') ? name.slice(name.lastIndexOf('::') + 2) : name;
    const summary = this.summarizeCall(base);
    if (summary) {
      if (!summary.device && !summary.sync) {
        // a host-only helper may still change what it gets by address: `init(&alpha)`
        const changed = this.addressTaken(args);
        if (changed.length) this.event(seq, eff, 'assign', nameTok, close, [], [], changed, false);
        return 'inside';
      }
      const bufs = args.map(([x, y]) => this.bufferOf(x, y)).filter((x): x is BufferId => !!x).map(x => x.key);
      this.event(seq, eff, 'opaque', nameTok, close, '*', bufs.length ? '*' : '*', [], summary.sync);
      return 'skip';
    }
    // type constructors and casts: `dim3(...)`, `float(...)`
    if (this.isKnownTypeName(name)) return 'inside';
    this.event(seq, eff, 'opaque', nameTok, close, '*', '*', this.addressTaken(args), false);
    return 'skip';
  }

  private isCallRange(a: number, b: number): boolean {
    const t = this.t;
    let j = a;
    while (t.is(j + 1, '::') && t.isIdent(j + 2)) j += 2;
    return t.is(j + 1, '(') && matchClose(t, j + 1, b + 1) === b;
  }

  private isKnownTypeName(name: string): boolean {
    return ['dim3', 'int', 'float', 'double', 'size_t', 'unsigned', 'long', 'char', 'bool', 'uint', 'int64_t', 'uint64_t', 'int32_t', 'uint32_t'].includes(name);
  }

  /** Names whose address is passed (`&x`): the callee may change them. */
  private addressTaken(args: Array<[number, number]>): string[] {
    const t = this.t;
    const out: string[] = [];
    for (const [a] of args) {
      if (t.is(a, '&') && t.isIdent(a + 1) && this.vars.has(t.text(a + 1))) {
        out.push(t.text(a + 1));
        this.assign(t.text(a + 1));
      }
    }
    return out;
  }

  /** `&name` or `(void**)&name` -> name */
  private addressOfName(a: number, b: number): string | undefined {
    const t = this.t;
    for (let i = a; i < b; i++) if (t.is(i, '&') && t.isIdent(i + 1) && i + 1 === b) return t.text(i + 1);
    if (t.is(a, 'reinterpret_cast') || t.is(a, 'static_cast')) {
      for (let i = a; i < b; i++) if (t.is(i, '&') && t.isIdent(i + 1)) return t.text(i + 1);
    }
    return undefined;
  }

  private methodCall(obj: string, method: string, open: number, close: number, seq: Sequence, eff: Effects, objTok: number): void {
    const v = this.vars.get(obj);
    if (HARMLESS_METHODS.has(method) || POINTER_METHODS.has(method)) return;
    if (v && v.isContainer && v.bufKey) {
      if (REALLOC_METHODS.has(method)) {
        this.assign(obj);
        const nv = this.vars.get(obj)!;
        nv.provenance = 'allocation';
        this.event(seq, eff, 'alloc', objTok, close, [], [], [obj], false);
        return;
      }
      if (method === 'upload' || method === 'setTo') { this.event(seq, eff, 'memcpy', objTok, close, [], [v.bufKey], [], method === 'upload'); return; }
      if (method === 'download') { this.event(seq, eff, 'memcpy', objTok, close, [v.bufKey], [], [], true); return; }
      if (method === 'copyTo' || method === 'convertTo') {
        const args = this.argRanges(open, close);
        const dst = args[0] && this.bufferOf(args[0][0], args[0][1]);
        this.event(seq, eff, 'opaque', objTok, close, [v.bufKey], dst ? [dst.key] : '*', [], false);
        return;
      }
    }
    if (/^(waitForCompletion|synchronize|sync)$/.test(method)) {
      this.event(seq, eff, 'sync', objTok, close, [], [], [], true);
      return;
    }
    if (v && !v.isPointer && /^std::/.test(v.typeText)) return;
    this.event(seq, eff, 'opaque', objTok, close, '*', '*', [], false);
  }

  // ------------------------------------------------------------------ buffers

  /** The buffer an argument expression designates, if any. */
  bufferOf(a: number, b: number): BufferId | undefined {
    const t = this.t;
    // strip casts: (float*)x, static_cast<float*>(x), reinterpret_cast<...>(x)
    while (a <= b) {
      if (t.is(a, '(') ) {
        const c = matchClose(t, a, b + 1);
        if (c === b) { a++; b--; continue; }
        if (c > 0 && c < b && /^[\w\s:<>,*&]+$/.test(t.slice(a + 1, c - 1)) && /\*/.test(t.slice(a + 1, c - 1))) { a = c + 1; continue; }
        break;
      }
      if ((t.is(a, 'static_cast') || t.is(a, 'reinterpret_cast') || t.is(a, 'const_cast')) && t.is(a + 1, '<')) {
        const gt = matchAngle(t, a + 1, b + 1);
        if (gt > 0 && t.is(gt + 1, '(') && matchClose(t, gt + 1, b + 1) === b) { a = gt + 2; b = b - 1; continue; }
      }
      if ((t.is(a, 'thrust') && t.is(a + 1, '::') && t.is(a + 2, 'raw_pointer_cast') && t.is(a + 3, '(')) && matchClose(t, a + 3, b + 1) === b) {
        a = a + 4; b = b - 1; continue;
      }
      break;
    }
    if (a > b) return undefined;
    // &x[k]
    if (t.is(a, '&') && t.isIdent(a + 1) && t.is(a + 2, '[')) {
      const c = matchClose(t, a + 2, b + 1);
      const v = this.vars.get(t.text(a + 1));
      if (c === b && v?.bufKey) return this.bufferId(v, normText(t, a + 3, c - 1));
      if (c === b && v && !v.isPointer) return undefined;
    }
    if (!t.isIdent(a)) return undefined;
    const v = this.vars.get(t.text(a));
    // x
    if (a === b) {
      if (v?.bufKey) return this.bufferId(v, '0');
      if (!v && this.ctx.globalVars.has(t.text(a))) return { key: `${t.text(a)}@global`, name: t.text(a), version: 0, offset: '0', provenance: 'global' };
      return undefined;
    }
    // v.data(), v.get(), v.ptr<T>(), v.data().get()
    if ((t.is(a + 1, '.') || t.is(a + 1, '->')) && t.isIdent(a + 2) && POINTER_METHODS.has(t.text(a + 2))) {
      if (v?.bufKey) return this.bufferId(v, '0');
    }
    // x + k
    if (t.is(a + 1, '+') && v?.bufKey) return this.bufferId(v, this.foldedText(a + 2, b));
    // arr[i] where arr is an array (or vector) of pointers or of device containers, or a T**
    if (t.is(a + 1, '[') && v && (!v.isPointer || /\*\s*\*/.test(v.typeText))) {
      const close = matchClose(t, a + 1, b + 1);
      const tail = close === b || (close > 0 && (t.is(close + 1, '.') || t.is(close + 1, '->')) && t.isIdent(close + 2) && POINTER_METHODS.has(t.text(close + 2)));
      if (close > 0 && tail) {
        const separately = !!v.elementsAllocated || /vector\s*<\s*(thrust::)?device_vector|vector\s*<\s*(cv::)?cuda::GpuMat/.test(v.typeText);
        const index = normText(t, a + 2, close - 1);
        return {
          key: `${v.name}[${index}]@${v.uid}`, name: `${v.name}[${index}]`, version: v.version, offset: '0',
          provenance: separately ? 'allocation' : 'unknown',
          elementOf: { array: v.name, index, separatelyAllocated: separately },
        };
      }
    }
    return undefined;
  }

  private bufferId(v: VarInfo, extraOffset: string): BufferId {
    const offset = v.offset === '0' ? extraOffset : extraOffset === '0' ? v.offset : `${v.offset}+${extraOffset}`;
    return { key: v.bufKey!, name: v.name, version: v.version, offset, provenance: v.provenance };
  }

  private size(a: number, b: number): Size {
    const t = this.t;
    const value = evalTokens(t, a, b, this.lookup);
    const expr = normText(t, a, b);
    const key = value !== undefined ? String(value) : this.versionedText(a, b);
    return { value, expr, key };
  }

  /** Expression text with every name of a known value replaced by that value (`k*plane` -> `k*7200`). */
  private foldedText(a: number, b: number): string {
    const t = this.t;
    let s = '';
    for (let i = a; i <= b; i++) {
      let w = t.text(i);
      if (t.isIdent(i) && !t.is(i - 1, '.') && !t.is(i - 1, '->') && !t.is(i + 1, '(')) {
        const v = this.lookup(w);
        if (v !== undefined && Number.isInteger(v)) w = String(v);
      }
      if (s && /\w$/.test(s) && /^\w/.test(w)) s += ' ';
      s += w;
    }
    return s;
  }

  /** Expression text with each variable tagged by its version, so equal text means equal value. */
  private versionedText(a: number, b: number): string {
    const t = this.t;
    let s = '';
    for (let i = a; i <= b; i++) {
      const w = t.text(i);
      if (t.isIdent(i) && this.vars.has(w) && !t.is(i - 1, '.') && !t.is(i - 1, '->')) s += this.varKey(w);
      else s += w;
      s += ' ';
    }
    return s.trim();
  }

  private varsIn(a: number, b: number): string[] {
    const t = this.t;
    const out: string[] = [];
    for (let i = a; i <= b; i++) {
      if (t.isIdent(i) && this.vars.has(t.text(i)) && !t.is(i - 1, '.') && !t.is(i - 1, '->')) out.push(this.varKey(t.text(i)));
    }
    return out;
  }

  // ------------------------------------------------------------------ launches

  private arg(a: number, b: number): CudaArg {
    const t = this.t;
    const buf = this.bufferOf(a, b);
    const varType = a === b && t.isIdent(a) ? this.vars.get(t.text(a))?.typeText : undefined;
    return { text: t.slice(a, b), span: this.span(a, b), tokens: [a, b], buffer: buf, value: buf ? undefined : evalTokens(t, a, b, this.lookup), variant: this.isLoopVariant(a, b), varType };
  }

  /** Whether tokens [a, b] may take a different value on each iteration of the innermost loop. */
  private isLoopVariant(a: number, b: number): boolean {
    const loop = this.loopStack[this.loopStack.length - 1];
    if (!loop) return false;
    const t = this.t;
    for (let i = a; i <= b; i++) {
      if (!t.isIdent(i) || t.is(i - 1, '.') || t.is(i - 1, '->') || t.is(i - 1, '::')) continue;
      const name = t.text(i);
      if (loop.assigned.has(name)) return true;
      const v = this.vars.get(name);
      if (v && v.uid > loop.uidAtStart) return true;
    }
    return false;
  }

  /** Parses `callee<<<config>>>(args)` at the `<<<` token; returns the last token consumed. */
  private chevronLaunch(lt: number, b: number, seq: Sequence, eff: Effects): number {
    const t = this.t;
    // callee: name, ns::name, name<targs>
    const calleeEnd = lt - 1;
    const { nameTok, templateOpen } = launchCalleeTok(t, lt);
    const templateArgs = templateOpen > 0 ? splitTopLevel(t, templateOpen + 1, calleeEnd - 1).map(([x, y]) => t.slice(x, y)) : undefined;
    // a launch through an expression (`table[k]<<<...>>>`, `(*fn)<<<...>>>`): valid CUDA whose
    // kernel we cannot know; it becomes a call we cannot see into, so nothing is fused across it
    const unnamed = !t.isIdent(nameTok);
    let calleeStart = unnamed ? calleeExpressionStart(t, lt) : nameTok;
    while (!unnamed && t.is(calleeStart - 1, '::') && t.isIdent(calleeStart - 2)) calleeStart -= 2;
    if (unnamed && calleeStart >= lt) {
      this.problems.push({ message: 'kernel launch without a kernel name', span: this.span(lt, lt) });
      return lt;
    }
    const calleeText = unnamed ? t.slice(calleeStart, lt - 1) : t.text(nameTok);
    // config up to `>>>` at depth 0
    let depth = 0;
    let close = -1;
    for (let i = lt + 1; i <= b; i++) {
      if (t.kinds[i] === Tok.LaunchOpen) break;
      if (t.is(i, '(') || t.is(i, '[') || t.is(i, '{')) depth++;
      else if (t.is(i, ')') || t.is(i, ']') || t.is(i, '}')) { if (--depth < 0) break; }
      else if (depth === 0 && t.is(i, ';')) break;
      else if (depth === 0 && t.is(i, '>') && t.is(i + 1, '>') && t.is(i + 2, '>') && t.adjacent(i, i + 1) && t.adjacent(i + 1, i + 2)) { close = i; break; }
    }
    if (close < 0) {
      this.problems.push({ message: `unterminated kernel launch configuration for \`${calleeText}\` (missing \`>>>\`)`, span: this.span(calleeStart, Math.min(b, lt + 1)) });
      return lt;
    }
    const open = close + 3;
    if (!t.is(open, '(')) {
      this.problems.push({ message: `kernel launch of \`${calleeText}\` has no argument list`, span: this.span(calleeStart, close + 2) });
      return close + 2;
    }
    const argClose = matchClose(t, open, b + 1);
    if (argClose < 0) {
      this.problems.push({ message: `unterminated argument list in the launch of \`${calleeText}\``, span: this.span(calleeStart, b) });
      return b;
    }
    const cfg = splitTopLevel(t, lt + 1, close - 1, false).map(([x, y]) => this.arg(x, y));
    if (cfg.length < 2) {
      this.problems.push({ message: `launch of \`${calleeText}\` needs at least grid and block dimensions`, span: this.span(calleeStart, close + 2) });
      return argClose;
    }
    if (unnamed) {
      this.expression(lt + 1, argClose, seq, eff); // what the configuration and arguments do
      this.event(seq, eff, 'opaque', calleeStart, argClose, '*', '*', [], false);
      return argClose;
    }
    const args = this.argRanges(open, argClose).map(([x, y]) => this.arg(x, y));
    const data: CudaLaunchData = {
      form: 'chevron',
      calleeText: t.slice(calleeStart, lt - 1),
      templateArgs,
      config: { grid: cfg[0], block: cfg[1], shmem: cfg[2], stream: cfg[3] },
      args,
      hostFunction: this.fn.qualifiedName,
      tokens: t,
    };
    this.addLaunch(t.text(nameTok), this.span(calleeStart, argClose), this.span(calleeStart, nameTok), data, [lt + 1, argClose], seq, eff);
    return argClose;
  }

  private macroLaunch(shape: LaunchMacroShape, nameTok: number, open: number, close: number, args: Array<[number, number]>, seq: Sequence, eff: Effects): void {
    const t = this.t;
    const k = args[shape.kernel];
    if (!k) return;
    let kEnd = k[1];
    let templateArgs: string[] | undefined;
    let kName = k[0];
    if (t.is(kEnd, '>')) {
      for (let q = k[0]; q <= kEnd; q++) if (t.is(q, '<')) { templateArgs = splitTopLevel(t, q + 1, kEnd - 1).map(([x, y]) => t.slice(x, y)); kName = q - 1; break; }
    } else kName = kEnd;
    while (t.is(kName + 1, '::')) kName += 2;
    const cfg = shape.config.map(i => (args[i] ? this.arg(args[i][0], args[i][1]) : undefined)).filter((x): x is CudaArg => !!x);
    if (cfg.length < 2) return;
    let argRanges: Array<[number, number]>;
    if ('variadicFrom' in shape.args) argRanges = args.slice(shape.args.variadicFrom);
    else argRanges = shape.args.indices.map(i => args[i]).filter(Boolean);
    const data: CudaLaunchData = {
      form: 'macro',
      calleeText: t.slice(k[0], kEnd),
      templateArgs,
      config: { grid: cfg[0], block: cfg[1], shmem: cfg[2], stream: cfg[3] },
      args: argRanges.map(([x, y]) => this.arg(x, y)),
      macro: shape,
      hostFunction: this.fn.qualifiedName,
      tokens: t,
    };
    void kEnd;
    this.addLaunch(t.text(kName), this.span(nameTok, close), this.span(k[0], k[1]), data, [open + 1, close - 1], seq, eff);
  }

  private launchKernelCall(nameTok: number, open: number, close: number, args: Array<[number, number]>, seq: Sequence, eff: Effects): void {
    const t = this.t;
    // cudaLaunchKernel((void*)k, grid, block, args, shmem, stream)
    if (args.length < 4) {
      this.event(seq, eff, 'opaque', nameTok, close, '*', '*', [], false);
      return;
    }
    let kTok = -1;
    for (let i = args[0][1]; i >= args[0][0]; i--) if (t.isIdent(i)) { kTok = i; break; }
    const arrName = t.isIdent(args[3][0]) && args[3][0] === args[3][1] ? t.text(args[3][0]) : undefined;
    const arr = arrName ? this.findArgsArray(arrName, nameTok) : undefined;
    if (kTok < 0 || !arr) {
      this.event(seq, eff, 'opaque', nameTok, close, '*', '*', [], false);
      return;
    }
    const data: CudaLaunchData = {
      form: 'cudaLaunchKernel',
      calleeText: t.text(kTok),
      config: {
        grid: this.arg(args[1][0], args[1][1]),
        block: this.arg(args[2][0], args[2][1]),
        shmem: args[4] ? this.arg(args[4][0], args[4][1]) : undefined,
        stream: args[5] ? this.arg(args[5][0], args[5][1]) : undefined,
      },
      args: arr.elems.map(([x, y]) => (t.is(x, '&') ? this.arg(x + 1, y) : this.arg(x, y))),
      argsArray: { name: arrName!, span: arr.span },
      hostFunction: this.fn.qualifiedName,
      tokens: t,
    };
    this.addLaunch(t.text(kTok), this.span(nameTok, close), this.span(kTok, kTok), data, [open + 1, close - 1], seq, eff);
  }

  /** Finds `void* NAME[] = { &a, &b };` earlier in this function. */
  private findArgsArray(name: string, before: number): { elems: Array<[number, number]>; span: Span } | undefined {
    const t = this.t;
    for (let i = before - 1; i > this.fn.bodyOpen; i--) {
      if (t.is(i, name) && t.is(i + 1, '[') && t.is(i + 2, ']') && t.is(i + 3, '=') && t.is(i + 4, '{')) {
        const c = matchClose(t, i + 4, before);
        if (c < 0) return undefined;
        let st = i;
        while (st > this.fn.bodyOpen && !t.is(st - 1, ';') && !t.is(st - 1, '{') && !t.is(st - 1, '}')) st--;
        const semi = t.is(c + 1, ';') ? c + 1 : c;
        return { elems: splitTopLevel(t, i + 5, c - 1, false), span: this.span(st, semi) };
      }
    }
    return undefined;
  }

  private addLaunch(callee: string, span: Span, calleeSpan: Span, data: CudaLaunchData, argTokens: [number, number], seq: Sequence, eff: Effects): void {
    const kernel = this.ctx.lookupKernel(callee);
    data.kernel = kernel;
    const stmt = this.statementSpanOf(span);
    const stmtSpan = stmt.span;
    data.standalone = stmt.clean;
    const templateMap = new Map<string, string>();
    if (kernel && data.templateArgs) kernel.templateParams.forEach((p, i) => { if (data.templateArgs![i] !== undefined) templateMap.set(p.name, data.templateArgs![i].trim()); });
    else if (kernel) kernel.templateParams.forEach(p => { if (p.defaultText) templateMap.set(p.name, p.defaultText.trim()); });

    const uses: BufferUse[] = [];
    let opaque = !kernel;
    if (kernel) {
      for (const p of kernel.params) {
        if (!p.isPointer) continue;
        const use = kernel.uses.get(p.name);
        const arg = data.args[p.index];
        if (!use || use.access === 'none') continue;
        const buffer = arg?.buffer ?? (arg ? { key: `?:${normText(this.t, arg.tokens[0], arg.tokens[1])}`, name: arg.text, version: 0, offset: '0', provenance: 'unknown' as Provenance } : undefined);
        if (!buffer) { opaque = true; continue; }
        const elemType = templateMap.get(p.baseType) ?? p.baseType;
        uses.push({
          buffer,
          access: use.access,
          index: use.index,
          elemType,
          elemBytes: paramElementSize(p, templateMap),
          param: p.name,
          argText: arg.text,
          elements: use.index.kind === 'reduction' || use.index.kind === 'broadcast' ? { value: 1, expr: '1', key: '1' } : this.moduloElements(kernel, use.index, data),
          bound: this.boundOf(kernel, use, data),
        });
      }
      if (data.args.length < kernel.params.length && !kernel.params.slice(data.args.length).every(p => p.hasDefault)) {
        this.problems.push({ message: `\`${callee}\` takes ${kernel.params.length} arguments but the launch passes ${data.args.length}`, span });
      }
    } else {
      for (const a of data.args) if (a.buffer) uses.push({ buffer: a.buffer, access: 'readwrite', index: { kind: 'unknown', reason: 'kernel body not found' }, elemType: '?', param: '?', argText: a.text });
    }
    const space = this.launchSpace(kernel, data);
    const streamText = data.config.stream ? normText(this.t, data.config.stream.tokens[0], data.config.stream.tokens[1]) : '0';
    const stream = DEFAULT_STREAMS.has(streamText)
      ? '0'
      : this.versionedText(data.config.stream!.tokens[0], data.config.stream!.tokens[1]);
    const elementwise = !!kernel && !opaque && uses.every(u => u.index.kind === 'identity' || (u.index.kind === 'broadcast' && u.access === 'read')) && !kernel.usesShared && !kernel.usesSync && !kernel.usesShuffle && !kernel.usesAtomics;
    const node: LaunchNode = {
      type: 'launch',
      id: ++this.launchCounter,
      callee,
      span,
      calleeSpan,
      stmtSpan,
      uses,
      varsRead: this.varsIn(argTokens[0], argTokens[1]),
      space,
      stream,
      traits: {
        elementwise,
        reduction: uses.some(u => u.index.kind === 'reduction'),
        blockCooperative: !!kernel && (kernel.usesShared || kernel.usesSync || kernel.usesShuffle),
        opaque,
        effects: kernel?.effects,
        empty: kernel?.emptyBody,
      },
      flopsPerElement: kernel?.flopsPerElement,
      frontend: data,
    };
    seq.items.push(node);
    seq.positions.push(this.pos);
    const reads = opaque ? ['*'] : uses.filter(u => u.access !== 'write').map(u => u.buffer.key);
    this.recordReads(reads);
    this.pos++;
    this.launches.push(node);
    eff.launches++;
    eff.device = true;
    this.touchesDevice = true;
    if (opaque) { eff.reads = '*'; eff.writes = '*'; }
    else {
      for (const u of uses) {
        if (u.access !== 'write' && eff.reads !== '*') eff.reads.add(u.buffer.key);
        if (u.access !== 'read' && eff.writes !== '*') eff.writes.add(u.buffer.key);
      }
    }
  }

  /** `x[i % P]` reads at most P elements (a row broadcast over the rows, like a bias). */
  private moduloElements(kernel: KernelSummary, index: { kind: string; modulo?: string }, data: CudaLaunchData): Size | undefined {
    if (index.kind !== 'strided' || !index.modulo) return undefined;
    const p = kernel.params.find(x => x.name === index.modulo);
    const arg = p ? data.args[p.index] : undefined;
    return arg ? this.size(arg.tokens[0], arg.tokens[1]) : undefined;
  }

  /** The common `index < P` bound of every access of a parameter, as a size at this launch. */
  private boundOf(kernel: KernelSummary, use: { subscripts: Array<{ guards?: string[] }> }, data: CudaLaunchData): Size | undefined {
    if (!use.subscripts.length) return undefined;
    const common = use.subscripts.map(s => s.guards ?? []).reduce((a, b) => a.filter(x => b.includes(x)));
    const p = kernel.params.find(x => x.name === common[0]);
    const arg = p ? data.args[p.index] : undefined;
    return arg ? this.size(arg.tokens[0], arg.tokens[1]) : undefined;
  }

  private launchSpace(kernel: KernelSummary | undefined, data: CudaLaunchData): Size {
    const t = this.t;
    if (kernel && kernel.shape.counts.length) {
      // substitute kernel parameters with launch arguments
      const bind = new Map<string, CudaArg>();
      kernel.params.forEach(p => { const a = data.args[p.index]; if (a) bind.set(p.name, a); });
      const kt = kernel.tokens;
      const parts = kernel.shape.counts.map(c => {
        // the common count, one parameter (`n`): its argument read in place, without writing
        // and lexing the substituted text (what the general case below does)
        const only = c.tokens[0] === c.tokens[1] && kt.isIdent(c.tokens[0]) ? bind.get(kt.text(c.tokens[0])) : undefined;
        if (only) {
          const value = evalTokens(t, only.tokens[0], only.tokens[1], this.lookup);
          const simple = only.tokens[0] === only.tokens[1];
          const text = (simple ? only.text : `(${only.text})`).replace(/\s+/g, ' ').trim();
          if (value !== undefined) return { value, text, key: String(value) };
          const vt = this.versionedText(only.tokens[0], only.tokens[1]);
          return { value, text, key: (simple ? vt : `(${vt})`).replace(/\s+/g, ' ').trim() };
        }
        let text = '';
        let key = '';
        for (let i = c.tokens[0]; i <= c.tokens[1]; i++) {
          const w = kt.text(i);
          const a = kt.isIdent(i) ? bind.get(w) : undefined;
          if (a) {
            const simple = a.tokens[0] === a.tokens[1];
            text += simple ? a.text : `(${a.text})`;
            const vt = this.versionedText(a.tokens[0], a.tokens[1]);
            key += simple ? vt : `(${vt})`;
          } else { text += w; key += w; }
          text += ' ';
          key += ' ';
        }
        const lt = lexExpression(text);
        const value = evalTokens(lt, 0, lt.count - 1, this.lookup);
        return { value, text: text.replace(/\s+/g, ' ').trim(), key: value !== undefined ? String(value) : key.replace(/\s+/g, ' ').trim() };
      });
      const value = parts.every(p => p.value !== undefined) ? parts.reduce((x, p) => x * p.value!, 1) : undefined;
      return { value, expr: parts.map(p => p.text).join(' * '), key: parts.map(p => p.key).join(' x ') };
    }
    // no bounds check: the launch covers grid * block threads
    const g = data.config.grid;
    const bl = data.config.block;
    const gv = evalTokens(t, g.tokens[0], g.tokens[1], this.lookup);
    const bv = evalTokens(t, bl.tokens[0], bl.tokens[1], this.lookup);
    return {
      value: gv !== undefined && bv !== undefined ? gv * bv : undefined,
      expr: `(${g.text}) * (${bl.text})`,
      key: `cfg:${this.versionedText(g.tokens[0], g.tokens[1])}|${this.versionedText(bl.tokens[0], bl.tokens[1])}`,
    };
  }

  /**
   * Widens a launch expression to its whole statement: through single-argument wrappers
   * (`CHECK((k<<<...>>>(...)))`) and the `;`. `clean` says the statement is nothing but the launch,
   * so a rewrite may delete it.
   */
  private statementSpanOf(span: Span): { span: Span; clean: boolean } {
    const t = this.t;
    let a = t.indexAt(span.start);
    let b = t.indexAt(span.end - 1);
    for (;;) {
      if (t.is(a - 1, '(') && t.is(b + 1, ')')) {
        a -= 1;
        b += 1;
        if (t.isIdent(a - 1)) a -= 1;
        continue;
      }
      break;
    }
    const prev = a - 1;
    // `if (c) k<<<...>>>(...);` is not standalone: deleting it would leave the `if` without a body
    const clean = t.is(b + 1, ';') && (prev < 0 || t.is(prev, ';') || t.is(prev, '{') || t.is(prev, '}') || t.kinds[prev] === Tok.Preproc || (t.is(prev, ':') && !t.is(prev - 1, ':')));
    if (t.is(b + 1, ';')) b++;
    return { span: { start: t.starts[a], end: t.ends[b] }, clean };
  }
}

/**
 * The token naming the kernel of the launch whose `<<<` is at `lt`, past a template argument list
 * (`k<float, 128><<<`, whose `<` is `templateOpen`, else -1). Not an identifier for a launch
 * through an expression (`table[k]<<<`).
 */
export function launchCalleeTok(t: Tokens, lt: number): { nameTok: number; templateOpen: number } {
  const end = lt - 1;
  if (!t.is(end, '>')) return { nameTok: end, templateOpen: -1 };
  let depth = 0;
  for (let k = end; k >= 0; k--) {
    if (t.is(k, '>')) depth++;
    else if (t.is(k, '<')) { if (--depth === 0) return k > 0 ? { nameTok: k - 1, templateOpen: k } : { nameTok: end, templateOpen: -1 }; }
    else if (t.is(k, ';') || t.is(k, '{') || t.is(k, '}')) break;
  }
  return { nameTok: end, templateOpen: -1 };
}

/** Where the callee expression before `<<<` at `lt` starts: `table[k]`, `(*fn)`, `obj.kernel`. */
function calleeExpressionStart(t: Tokens, lt: number): number {
  let i = lt - 1;
  for (;;) {
    if (t.is(i, ']') || t.is(i, ')')) {
      let depth = 0;
      for (; i >= 0; i--) {
        if (t.is(i, ']') || t.is(i, ')')) depth++;
        else if ((t.is(i, '[') || t.is(i, '(')) && --depth === 0) break;
      }
      if (i < 0) return lt;
      i--;
      if (t.isIdent(i) || t.is(i, ']') || t.is(i, ')')) continue;
      return i + 1;
    }
    if (t.isIdent(i)) {
      if (t.is(i - 1, '.') || t.is(i - 1, '->') || t.is(i - 1, '::')) { i -= 2; continue; }
      return i;
    }
    return i + 1;
  }
}

/** A statement's first tokens as messages quote them: on one line (`if (p2p) { cudaSetDevice(i`), not with the source's line breaks and indentation. */
function eventText(t: Tokens, a: number, b: number): string {
  const s = t.slice(a, b);
  // most statements quoted are on one line already: no expression run over them
  return s.indexOf('\n') < 0 && s.indexOf('\r') < 0 && s.indexOf('  ') < 0 && s.indexOf('\t') < 0 ? s : s.replace(/\s+/g, ' ');
}

function mergeEffects(into: Effects, from: Effects): void {
  if (from.reads === '*') into.reads = '*';
  else if (into.reads !== '*') from.reads.forEach(r => (into.reads as Set<string>).add(r));
  if (from.writes === '*') into.writes = '*';
  else if (into.writes !== '*') from.writes.forEach(w => (into.writes as Set<string>).add(w));
  from.assigns.forEach(a => into.assigns.add(a));
  into.sync ||= from.sync;
  into.device ||= from.device;
  into.launches += from.launches;
  into.exits |= from.exits;
}

/** Recognizes `#define NAME(k, g, b, ...) k<<<g, b>>>(__VA_ARGS__)` and similar. */
export function launchMacroShape(d: Define): LaunchMacroShape | undefined {
  if (!d.params || !d.body.includes('<<<')) return undefined;
  const bt = lex(d.body);
  let lt = -1;
  for (let i = 0; i < bt.count; i++) if (bt.kinds[i] === Tok.LaunchOpen) { lt = i; break; }
  if (lt < 1 || !bt.isIdent(lt - 1)) return undefined;
  const params = d.params;
  const kernel = params.indexOf(bt.text(lt - 1));
  if (kernel < 0) return undefined;
  let close = -1;
  for (let i = lt + 1; i + 2 < bt.count; i++) if (bt.is(i, '>') && bt.is(i + 1, '>') && bt.is(i + 2, '>')) { close = i; break; }
  if (close < 0 || !bt.is(close + 3, '(')) return undefined;
  const cfg = splitTopLevel(bt, lt + 1, close - 1, false).map(([a, b]) => (a === b ? params.indexOf(bt.text(a)) : -1));
  if (cfg.length < 2 || cfg.some(c => c < 0)) return undefined;
  const argClose = matchClose(bt, close + 3);
  if (argClose < 0) return undefined;
  const inner = splitTopLevel(bt, close + 4, argClose - 1, false);
  if (inner.length === 1 && bt.is(inner[0][0], '__VA_ARGS__') && d.variadic) return { define: d, kernel, config: cfg, args: { variadicFrom: params.length } };
  const indices = inner.map(([a, b]) => (a === b ? params.indexOf(bt.text(a)) : -1));
  if (indices.some(i => i < 0)) return undefined;
  return { define: d, kernel, config: cfg, args: { indices } };
}
