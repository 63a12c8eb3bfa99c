// WGSL side of the WebGPU frontend: parses a shader module with wgsl_reflect (reflection for
// bindings and workgroup sizes; our own walk over its AST, since its search() skips statements) and
// summarizes each compute entry point the way kernelSummary.ts does for CUDA kernels: which
// buffers it reads and writes, at which index relative to global_invocation_id, its bounds guard,
// and whether invocations cooperate (workgroup memory, barriers, atomics).
//
// The parser is lenient (undefined names parse); generated shaders are validated on Dawn in tests.

import * as W from 'wgsl_reflect/wgsl_reflect.module.js';
import type { Access, IndexPattern } from '../core/ir';
import type { Span } from '../core/text';

export interface WgslBinding {
  group: number;
  binding: number;
  name: string;
  resource: 'storage' | 'uniform' | 'texture' | 'sampler' | 'other';
  /** Declared access: `read`, `read_write` (storage), '' otherwise. */
  access: string;
  /** The declared type's text (`array<vec4<f32>>`, `Params`). */
  typeText: string;
  /** Element type text of a runtime or fixed-size array (`vec4<f32>`), else the whole type. */
  elemTypeText: string;
  /** Bytes per array element (the array stride), or the whole size for a uniform. */
  elemBytes?: number;
  isArray: boolean;
  /** The element type is atomic<...>. */
  atomic: boolean;
  declSpan: Span;
}

export type RefKind = 'element' | 'length' | 'whole';

/** One reference to a binding in an entry point's body, in source order. */
export interface WgslAccess {
  name: string;
  ref: RefKind;
  read: boolean;
  write: boolean;
  index: IndexPattern;
  /** `x[i] = v` storing a whole element, unconditionally, at the body's top level. */
  fullStore: boolean;
  /** The reference continues with `.member` or a swizzle (a partial element). */
  partial: boolean;
  atomic: boolean;
  /** Index of the entry's top-level statement it sits in (-1 inside a helper function). */
  stmt: number;
  helper?: string;
}

export type GuardBound =
  | { kind: 'length'; binding: string }
  | { kind: 'uniform'; binding: string; path: string }
  | { kind: 'const'; value: number }
  | { kind: 'unknown'; text: string };

export interface EntryGuard {
  /** `if (i >= n) { return; }` first, or `if (i < n) { ... }` wrapping the rest of the body. */
  kind: 'early-return' | 'wrap';
  /** Index of the guard among the entry's top-level statements. */
  stmt: number;
  bound: GuardBound;
}

export interface ShaderEntry {
  name: string;
  workgroupSize?: [number, number, number];
  /** Name of the `@builtin(global_invocation_id)` parameter. */
  gid?: string;
  builtins: Map<string, string>;
  /** Bindings the entry uses (directly or through helper functions). */
  bindings: WgslBinding[];
  accesses: WgslAccess[];
  /** Per binding: merged access and index pattern. */
  uses: Map<string, { access: Access; index: IndexPattern }>;
  guard?: EntryGuard;
  /** global_invocation_id components used (`x`, `y`, `z`). */
  threadDims: Set<string>;
  workgroupMemory: boolean;
  barriers: boolean;
  atomics: boolean;
  /** Invocations cooperate within a workgroup (workgroup memory or barriers). */
  cooperative: boolean;
  /** Produces a value combined across invocations (atomics, per-workgroup results). */
  reduction: boolean;
  flopsPerElement: number;
  /** Why the entry's body cannot be copied into a fused shader (empty when it can). */
  fixBlockers: string[];
  fn: W.Function;
  /** Module-scope names (decls, helper functions) the entry refers to. */
  moduleRefs: Set<string>;
  /** Names the entry declares (parameters and locals), which generated names must avoid. */
  locals: Set<string>;
}

export interface ModuleDecl {
  name: string;
  kind: string;
  span: Span;
}

export interface ShaderSummary {
  code: string;
  entries: ShaderEntry[];
  bindings: WgslBinding[];
  /** Top-level declarations other than bindings and entry points (structs, consts, helpers, enables). */
  decls: ModuleDecl[];
  problems: string[];
}

const CACHE_SIZE = 64;
const cache = new Map<string, ShaderSummary>();

/** Summary of a WGSL module (cached by text: a shader is summarized once however often it is analyzed). */
export function summarizeWgsl(code: string): ShaderSummary {
  const hit = cache.get(code);
  if (hit) {
    cache.delete(code);
    cache.set(code, hit);
    return hit;
  }
  const s = summarize(code);
  cache.set(code, s);
  if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value!);
  return s;
}

function summarize(code: string): ShaderSummary {
  const out: ShaderSummary = { code, entries: [], bindings: [], decls: [], problems: [] };
  let ast: W.Node[];
  let reflect: W.WgslReflect;
  try {
    ast = new W.WgslParser().parse(code);
    reflect = new W.WgslReflect(code);
  } catch (e) {
    out.problems.push(`WGSL does not parse: ${String((e as Error).message ?? e).split('\n')[0]}`);
    return out;
  }
  const vars = new Map<string, W.Var>();
  const fns = new Map<string, W.Function>();
  const consts = new Map<string, W.Node>();
  for (const n of ast) {
    if (n instanceof W.Var) vars.set(n.name, n);
    else if (n instanceof W.Function) fns.set(n.name, n);
    if (n instanceof W.Const || n instanceof W.Override) consts.set((n as W.Const).name, n);
  }
  // not getBindGroups(): it keeps one variable per (group, binding), and entry points of one
  // module may declare different variables at the same binding
  const resources = [...reflect.uniforms, ...reflect.storage, ...reflect.textures, ...reflect.samplers];
  for (const b of resources.sort((x, y) => (vars.get(x.name)?.start ?? 0) - (vars.get(y.name)?.start ?? 0))) {
    out.bindings.push(bindingOf(code, b, vars.get(b.name)));
  }
  const bindingNames = new Set(out.bindings.map(b => b.name));
  const entryNames = new Set(reflect.entry.compute.map(e => e.name));
  for (const n of ast) {
    const name = (n as { name?: string }).name;
    if (n instanceof W.Var && bindingNames.has(n.name)) continue;
    if (n instanceof W.Function && entryNames.has(n.name)) continue;
    out.decls.push({ name: name ?? '', kind: n.astNodeType, span: { start: n.start, end: n.end } });
  }
  for (const e of reflect.entry.compute) {
    const fn = fns.get(e.name);
    if (!fn) continue;
    const ws = e.workgroupSize;
    const entry = new EntryWalker(code, fn, out.bindings, vars, fns, consts).run(ws && ws.every(x => typeof x === 'number' && x > 0) ? [ws[0], ws[1], ws[2]] : undefined);
    out.entries.push(entry);
  }
  return out;
}

// wgsl_reflect's ResourceType is a const enum in its typings only (not exported at run time)
const RT_UNIFORM = 0;
const RT_STORAGE = 1;
const RT_TEXTURE = 3;
const RT_SAMPLER = 4;
const RT_STORAGE_TEXTURE = 5;

function bindingOf(code: string, b: W.VariableInfo, decl: W.Var | undefined): WgslBinding {
  const rt = b.resourceType as number;
  const resource: WgslBinding['resource'] = rt === RT_STORAGE ? 'storage' : rt === RT_UNIFORM ? 'uniform' : rt === RT_TEXTURE || rt === RT_STORAGE_TEXTURE ? 'texture' : rt === RT_SAMPLER ? 'sampler' : 'other';
  const isArray = b.isArray;
  const elem = isArray ? b.format : b.type;
  const declText = decl ? code.slice(decl.start, decl.end) : '';
  const elemTypeText = isArray ? arrayElemText(declText) ?? elem?.name ?? 'f32' : typeText(declText) ?? b.type?.name ?? '';
  const elemBytes = isArray ? (b.stride || elem?.size || undefined) : (b.size || undefined);
  return {
    group: b.group, binding: b.binding, name: b.name, resource, typeText: typeText(declText) ?? '',
    access: resource === 'storage' ? (b.access === 'read_write' || b.access === 'write' ? 'read_write' : 'read') : '',
    elemTypeText, elemBytes, isArray, atomic: /\batomic\s*</.test(elemTypeText),
    declSpan: decl ? { start: decl.start, end: decl.end } : { start: 0, end: 0 },
  };
}

/** `var<storage, read> x: array<vec4<f32>>;` -> `vec4<f32>` (fixed-size arrays: the element). */
function arrayElemText(decl: string): string | undefined {
  const t = typeText(decl);
  if (!t) return undefined;
  const m = /^array\s*<([\s\S]*)>$/.exec(t);
  if (!m) return undefined;
  // strip a `, N` count at depth 0
  let depth = 0;
  const s = m[1];
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '<') depth++;
    else if (s[i] === '>') depth--;
    else if (s[i] === ',' && depth === 0) return s.slice(0, i).trim();
  }
  return s.trim();
}

function typeText(decl: string): string | undefined {
  const colon = decl.indexOf(':', decl.indexOf('var'));
  if (colon < 0) return undefined;
  return decl.slice(colon + 1).replace(/;\s*$/, '').trim() || undefined;
}

// ------------------------------------------------------------------ expressions

type Binding = { kind: 'let'; expr: W.Expression | null } | { kind: 'var' } | { kind: 'param' };

/** A linear form c + sum(coeff * atom), for index expressions. */
interface Lin {
  c: number;
  t: Map<string, number>;
}

const BUILTIN_ATOM: Record<string, string> = {
  global_invocation_id: 'g', local_invocation_id: 'l', workgroup_id: 'w', num_workgroups: 'n', local_invocation_index: 'li',
};

const MATH_CALLS = new Set(['abs', 'acos', 'asin', 'atan', 'atan2', 'ceil', 'clamp', 'cos', 'cosh', 'cross', 'degrees', 'distance', 'dot', 'exp', 'exp2', 'floor', 'fma', 'fract', 'inverseSqrt', 'length', 'log', 'log2', 'max', 'min', 'mix', 'normalize', 'pow', 'radians', 'reflect', 'round', 'saturate', 'sign', 'sin', 'sinh', 'smoothstep', 'sqrt', 'step', 'tan', 'tanh', 'trunc']);

class EntryWalker {
  private readonly scopes: Array<Map<string, Binding>> = [];
  private readonly accesses: WgslAccess[] = [];
  private readonly blockers = new Set<string>();
  private readonly threadDims = new Set<string>();
  private readonly moduleRefs = new Set<string>();
  private readonly usedBindings = new Set<string>();
  private readonly bindingByName: Map<string, WgslBinding>;
  private readonly builtins = new Map<string, string>();
  private workgroupMemory = false;
  private barriers = false;
  private atomics = false;
  private flops = 0;
  private depth = 0;
  private stmt = -1;
  private helper: string | undefined;
  private readonly helpersSeen = new Set<string>();
  private readonly localNames = new Set<string>();

  constructor(
    private readonly code: string,
    private readonly fn: W.Function,
    bindings: WgslBinding[],
    private readonly vars: Map<string, W.Var>,
    private readonly fns: Map<string, W.Function>,
    private readonly consts: Map<string, W.Node>,
  ) {
    this.bindingByName = new Map(bindings.map(b => [b.name, b]));
  }

  run(workgroupSize: [number, number, number] | undefined): ShaderEntry {
    const fn = this.fn;
    const params = new Map<string, Binding>();
    for (const a of fn.args) {
      const bi = a.attributes?.find(x => x.name === 'builtin');
      if (bi && typeof bi.value === 'string') this.builtins.set(a.name, bi.value);
      else this.blockers.add(`parameter \`${a.name}\` is not a plain @builtin (struct inputs are not copied)`);
      params.set(a.name, { kind: 'param' });
    }
    const gid = [...this.builtins].find(([, b]) => b === 'global_invocation_id')?.[0];
    for (const [name, b] of this.builtins) {
      if (b !== 'global_invocation_id') this.blockers.add(`uses @builtin(${b}) \`${name}\``);
    }
    this.scopes.push(params);
    const guard = this.findGuard();
    fn.body.forEach((s, k) => {
      this.stmt = k;
      if (guard && k === guard.stmt && guard.kind === 'early-return') { this.expr((s as W.If).condition); return; }
      if (guard && k === guard.stmt && guard.kind === 'wrap') {
        this.expr((s as W.If).condition);
        // inside the guard, statements run for every element of the domain: still "top level"
        this.scopes.push(new Map());
        for (const x of (s as W.If).body) this.statement(x, true);
        this.scopes.pop();
        return;
      }
      this.statement(s, true);
    });
    this.scopes.pop();
    if (this.workgroupMemory) this.blockers.add('uses workgroup memory (var<workgroup>)');
    if (this.barriers) this.blockers.add('calls a barrier (workgroupBarrier/storageBarrier)');
    if (workgroupSize === undefined) this.blockers.add('its @workgroup_size is not a constant');
    if ([...this.threadDims].some(d => d !== 'x')) this.blockers.add('indexes by more than global_invocation_id.x (2D/3D dispatch)');
    for (const n of this.localNames) {
      if (this.bindingByName.has(n) || this.consts.has(n) || this.fns.has(n) || this.vars.has(n)) this.blockers.add(`local \`${n}\` shadows a module-scope name`);
    }

    // merge per binding
    const uses = new Map<string, { access: Access; index: IndexPattern }>();
    const cooperative = this.workgroupMemory || this.barriers;
    let reduction = false;
    for (const a of this.accesses) {
      if (a.ref === 'length') continue;
      let index = a.index;
      if (a.atomic) { index = { kind: 'reduction', how: 'atomic' }; reduction = true; }
      else if (cooperative && a.write && index.kind !== 'identity') { index = { kind: 'reduction', how: 'block' }; reduction = true; }
      const prev = uses.get(a.name);
      const access: Access = mergeAccess(prev?.access, a.read, a.write);
      uses.set(a.name, { access, index: prev ? mergeIndex(prev.index, index) : index });
    }
    for (const n of this.usedBindings) if (!uses.has(n)) uses.set(n, { access: 'read', index: { kind: 'broadcast' } });
    const bindings = [...this.usedBindings].map(n => this.bindingByName.get(n)!).filter(Boolean);
    return {
      name: fn.name, workgroupSize, gid, builtins: this.builtins, bindings, accesses: this.accesses, uses,
      guard, threadDims: this.threadDims, workgroupMemory: this.workgroupMemory, barriers: this.barriers, atomics: this.atomics,
      cooperative, reduction, flopsPerElement: this.flops, fixBlockers: [...this.blockers], fn, moduleRefs: this.moduleRefs,
      locals: new Set([...this.localNames, ...fn.args.map(a => a.name)]),
    };
  }

  // ---------------------------------------------------------------- guard

  private findGuard(): EntryGuard | undefined {
    const body = this.fn.body;
    const lets = new Map<string, Binding>();
    this.scopes.push(lets);
    try {
      for (let k = 0; k < body.length; k++) {
        const s = body[k];
        if (s instanceof W.Let) { lets.set(s.name, { kind: 'let', expr: s.value }); continue; }
        if (!(s instanceof W.If) || (s.elseif && s.elseif.length) || s.else) return undefined;
        const early = s.body.length === 1 && s.body[0] instanceof W.Return && isBareReturn(s.body[0]);
        const c = s.condition;
        if (!(c instanceof W.BinaryOperator)) return undefined;
        const isThread = (e: W.Expression) => { const l = this.lin(e); return !!l && l.c === 0 && l.t.size === 1 && l.t.get('$gx') === 1; };
        if (early) {
          // i >= n  |  n <= i
          if (c.operator === '>=' && isThread(c.left)) return { kind: 'early-return', stmt: k, bound: this.boundOf(c.right) };
          if (c.operator === '<=' && isThread(c.right)) return { kind: 'early-return', stmt: k, bound: this.boundOf(c.left) };
          return undefined;
        }
        if (k !== body.length - 1) return undefined;
        if (c.operator === '<' && isThread(c.left)) return { kind: 'wrap', stmt: k, bound: this.boundOf(c.right) };
        if (c.operator === '>' && isThread(c.right)) return { kind: 'wrap', stmt: k, bound: this.boundOf(c.left) };
        return undefined;
      }
      return undefined;
    } finally {
      this.scopes.pop();
    }
  }

  private boundOf(e: W.Expression): GuardBound {
    const r = this.resolve(e);
    if (r instanceof W.CallExpr && r.name === 'arrayLength' && r.args?.length === 1) {
      const a = r.args[0];
      if (a instanceof W.UnaryOperator && a.operator === '&' && a.right instanceof W.VariableExpr && this.bindingByName.has(a.right.name) && !a.right.postfix) return { kind: 'length', binding: a.right.name };
    }
    if (r instanceof W.VariableExpr && this.bindingByName.get(r.name)?.resource === 'uniform' && r.postfix instanceof W.StringExpr) {
      const path = postfixPath(r.postfix);
      if (path) return { kind: 'uniform', binding: r.name, path };
    }
    const l = this.lin(r);
    if (l && l.t.size === 0) return { kind: 'const', value: l.c };
    return { kind: 'unknown', text: exprText(r) };
  }

  /** Follows let bindings and scalar conversions (`u32(x)`), for guards. */
  private resolve(e: W.Expression): W.Expression {
    for (let i = 0; i < 16; i++) {
      if (e instanceof W.VariableExpr && !e.postfix) {
        const b = this.lookup(e.name);
        if (b?.kind === 'let' && b.expr) { e = b.expr; continue; }
        return e;
      }
      if ((e instanceof W.CreateExpr || e instanceof W.TypecastExpr) && e.args?.length === 1 && /^[iu]32$/.test(e.type?.name ?? '') && !e.postfix) { e = e.args[0]; continue; }
      return e;
    }
    return e;
  }

  private lookup(name: string): Binding | undefined {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const b = this.scopes[i].get(name);
      if (b) return b;
    }
    return undefined;
  }

  // ---------------------------------------------------------------- statements

  private block(stmts: W.Statement[] | null, conditional: boolean): void {
    if (!stmts) return;
    this.scopes.push(new Map());
    if (conditional) this.depth++;
    for (const s of stmts) this.statement(s, false);
    if (conditional) this.depth--;
    this.scopes.pop();
  }

  private statement(s: W.Node, top: boolean): void {
    const scope = this.scopes[this.scopes.length - 1];
    if (s instanceof W.Let || s instanceof W.Const) {
      if (s.value) this.expr(s.value);
      scope.set(s.name, { kind: 'let', expr: s.value });
      if (!this.helper) this.localNames.add(s.name);
    } else if (s instanceof W.Var) {
      if (s.value) this.expr(s.value);
      scope.set(s.name, { kind: 'var' });
      if (!this.helper) this.localNames.add(s.name);
    } else if (s instanceof W.Assign) {
      this.assignTarget(s.variable, s.operator !== '=', top && s.operator === '=' && this.depth === 0, s.value);
      this.expr(s.value);
    } else if (s instanceof W.Increment) {
      this.assignTarget(s.variable, true, false);
    } else if (s instanceof W.Call) {
      this.call(s.name, s.args);
    } else if (s instanceof W.If) {
      this.expr(s.condition);
      this.block(s.body, true);
      for (const ei of s.elseif ?? []) { this.expr(ei.condition); this.block(ei.body, true); }
      this.block(s.else, true);
    } else if (s instanceof W.For) {
      this.scopes.push(new Map());
      this.depth++;
      if (s.init) this.statement(s.init, false);
      if (s.condition) this.expr(s.condition);
      if (s.increment) this.statement(s.increment, false);
      this.block(s.body, false);
      this.depth--;
      this.scopes.pop();
    } else if (s instanceof W.While) {
      this.expr(s.condition);
      this.block(s.body, true);
    } else if (s instanceof W.Loop) {
      this.depth++;
      this.block(s.body, false);
      if (s.continuing) this.block(s.continuing.body, false);
      this.depth--;
    } else if (s instanceof W.Switch) {
      this.expr(s.condition);
      for (const c of s.cases) {
        if (c instanceof W.Case) for (const sel of c.selectors) this.expr(sel);
        this.block(c.body, true);
      }
    } else if (s instanceof W.Return) {
      if (!isBareReturn(s)) this.expr(s.value);
      if (!this.helper) this.blockers.add('returns early after its bounds check');
    } else if (s instanceof W.Discard) {
      if (!this.helper) this.blockers.add('uses discard');
    } else if (s instanceof W.StaticAssert) {
      this.expr(s.expression);
    }
  }

  /** The target of an assignment: a write (and a read for compound assignments). */
  private assignTarget(v: W.Expression, alsoRead: boolean, plainTop: boolean, value?: W.Expression): void {
    if (v instanceof W.VariableExpr && this.bindingByName.has(v.name)) {
      const idx = v.postfix instanceof W.ArrayIndex ? v.postfix : undefined;
      const partial = idx ? !!idx.postfix : !!v.postfix;
      const readsSelf = !!value && this.mentions(value, v.name);
      this.record(v.name, idx ? 'element' : 'whole', alsoRead || partial, true, idx ? idx.index : undefined, plainTop && !partial && !readsSelf && !!idx, partial, false);
      if (idx) this.expr(idx.index);
      this.postfix(idx ? idx.postfix : v.postfix);
      return;
    }
    if (v instanceof W.UnaryOperator && v.operator === '*') { this.expr(v.right); return; }
    // a local variable (or its member): walk the index expressions inside
    if (v instanceof W.VariableExpr) {
      this.useName(v.name);
      this.postfix(v.postfix);
      return;
    }
    this.expr(v);
  }

  private mentions(e: W.Node | null | undefined, name: string): boolean {
    let found = false;
    const visit = (n: unknown): void => {
      if (found || !n || typeof n !== 'object') return;
      if (Array.isArray(n)) { for (const x of n) visit(x); return; }
      if (n instanceof W.VariableExpr && n.name === name) { found = true; return; }
      if (!(n instanceof W.Node)) return;
      for (const k of ['left', 'right', 'args', 'postfix', 'index', 'value', 'condition', 'initializer']) visit((n as unknown as Record<string, unknown>)[k]);
    };
    visit(e);
    return found;
  }

  // ---------------------------------------------------------------- expressions

  private expr(e: W.Node | null | undefined): void {
    if (!e) return;
    if (e instanceof W.VariableExpr) {
      if (this.bindingByName.has(e.name)) {
        const b = this.bindingByName.get(e.name)!;
        const idx = e.postfix instanceof W.ArrayIndex ? e.postfix : undefined;
        if (b.resource === 'uniform') {
          this.record(e.name, 'element', true, false, undefined, false, true, false);
          this.postfix(e.postfix);
          return;
        }
        this.record(e.name, idx ? 'element' : 'whole', true, false, idx?.index, false, idx ? !!idx.postfix : !!e.postfix, false);
        if (idx) this.expr(idx.index);
        this.postfix(idx ? idx.postfix : e.postfix);
        return;
      }
      this.useName(e.name);
      this.postfix(e.postfix);
      return;
    }
    if (e instanceof W.BinaryOperator) {
      if (/^[-+*/%]$/.test(e.operator)) this.flops++;
      this.expr(e.left);
      this.expr(e.right);
      this.postfix(e.postfix);
      return;
    }
    if (e instanceof W.UnaryOperator) {
      // &x passed to a builtin: arrayLength(&x), atomicAdd(&x[i], v) are handled by call(); any
      // other pointer into a buffer may be written through: a write at an unknown element
      if (e.operator === '&' && e.right instanceof W.VariableExpr && this.bindingByName.has(e.right.name)) {
        this.record(e.right.name, 'whole', true, true, undefined, false, false, false);
        if (!this.helper) this.blockers.add(`takes a pointer into \`${e.right.name}\``);
        const idx = e.right.postfix instanceof W.ArrayIndex ? e.right.postfix : undefined;
        if (idx) this.expr(idx.index);
        this.postfix(idx ? idx.postfix : e.right.postfix);
        return;
      }
      this.expr(e.right);
      this.postfix(e.postfix);
      return;
    }
    if (e instanceof W.CallExpr) {
      this.call(e.name, e.args ?? []);
      this.postfix(e.postfix);
      return;
    }
    if (e instanceof W.CreateExpr || e instanceof W.TypecastExpr) {
      if (e.type) this.useName(e.type.name);
      for (const a of e.args ?? []) this.expr(a);
      this.postfix(e.postfix);
      return;
    }
    if (e instanceof W.BitcastExpr) {
      this.expr(e.value);
      this.postfix(e.postfix);
      return;
    }
    if (e instanceof W.ConstExpr) {
      this.useName(e.name);
      this.postfix(e.postfix);
      return;
    }
    if (e instanceof W.Expression) this.postfix(e.postfix);
  }

  private postfix(p: W.Expression | null | undefined): void {
    for (let q = p; q; q = q.postfix) {
      if (q instanceof W.ArrayIndex) this.expr(q.index);
    }
  }

  private call(name: string, args: W.Expression[]): void {
    if (name === 'workgroupBarrier' || name === 'storageBarrier' || name === 'textureBarrier' || name === 'workgroupUniformLoad') this.barriers = true;
    if (MATH_CALLS.has(name)) this.flops += 4;
    if (name === 'arrayLength' && args.length === 1) {
      const a = args[0];
      if (a instanceof W.UnaryOperator && a.operator === '&' && a.right instanceof W.VariableExpr && this.bindingByName.has(a.right.name) && !a.right.postfix) {
        this.record(a.right.name, 'length', false, false, undefined, false, false, false);
        return;
      }
    }
    if (name === 'textureStore' && args[0] instanceof W.VariableExpr && this.bindingByName.has(args[0].name)) {
      this.record(args[0].name, 'whole', false, true, undefined, false, false, false);
      for (const x of args.slice(1)) this.expr(x);
      return;
    }
    if (name.startsWith('atomic') && args.length >= 1) {
      this.atomics = true;
      const a = args[0];
      if (a instanceof W.UnaryOperator && a.operator === '&' && a.right instanceof W.VariableExpr && this.bindingByName.has(a.right.name)) {
        const v = a.right;
        const idx = v.postfix instanceof W.ArrayIndex ? v.postfix : undefined;
        const writes = name !== 'atomicLoad';
        this.record(v.name, idx ? 'element' : 'whole', name !== 'atomicStore', writes, idx?.index, false, false, true);
        if (idx) this.expr(idx.index);
        for (const x of args.slice(1)) this.expr(x);
        return;
      }
      if (a instanceof W.UnaryOperator && a.operator === '&' && a.right instanceof W.VariableExpr && this.vars.get(a.right.name)?.storage === 'workgroup') this.workgroupMemory = true;
    }
    const helper = this.fns.get(name);
    if (helper) {
      this.moduleRefs.add(name);
      for (const a of args) this.expr(a);
      this.walkHelper(helper);
      return;
    }
    for (const a of args) this.expr(a);
  }

  private walkHelper(f: W.Function): void {
    if (this.helpersSeen.has(f.name)) return;
    this.helpersSeen.add(f.name);
    const saved = { helper: this.helper, depth: this.depth, stmt: this.stmt, scopes: this.scopes.splice(0) };
    this.helper = f.name;
    this.depth = 1;
    this.stmt = -1;
    const params = new Map<string, Binding>();
    for (const a of f.args) params.set(a.name, { kind: 'param' });
    this.scopes.push(params);
    for (const s of f.body) this.statement(s, false);
    this.scopes.splice(0);
    this.scopes.push(...saved.scopes);
    this.helper = saved.helper;
    this.depth = saved.depth;
    this.stmt = saved.stmt;
  }

  private useName(name: string): void {
    if (this.lookup(name)) return;
    const v = this.vars.get(name);
    if (v) {
      this.moduleRefs.add(name);
      if (v.storage === 'workgroup') this.workgroupMemory = true;
      return;
    }
    if (this.consts.get(name) instanceof W.Override) this.blockers.add(`uses the pipeline-overridable constant \`${name}\``);
    // consts, helpers, struct and alias names: the rewriter keeps the declared ones
    this.moduleRefs.add(name);
  }

  private record(name: string, ref: RefKind, read: boolean, write: boolean, index: W.Expression | undefined, fullStore: boolean, partial: boolean, atomic: boolean): void {
    this.usedBindings.add(name);
    const b = this.bindingByName.get(name)!;
    let pattern: IndexPattern;
    if (this.helper) pattern = { kind: 'unknown', reason: `accessed inside the helper function \`${this.helper}\`` };
    else if (ref === 'whole') pattern = b.resource === 'uniform' ? { kind: 'broadcast' } : { kind: 'unknown', reason: `\`${name}\` is used as a whole` };
    else if (ref === 'length' || !index) pattern = { kind: 'broadcast' };
    else pattern = this.classify(index);
    if (b.atomic && !atomic && ref === 'element') this.atomics = true;
    this.accesses.push({ name, ref, read, write, index: pattern, fullStore: fullStore && this.depth === 0 && !this.helper, partial, atomic, stmt: this.helper ? -1 : this.stmt, helper: this.helper });
  }

  // ---------------------------------------------------------------- index patterns

  private classify(index: W.Expression): IndexPattern {
    const via = this.storageRead(index);
    if (via) return { kind: 'indirect', via };
    const mutable = this.mutableRef(index);
    if (mutable) return { kind: 'unknown', reason: `the index depends on \`${mutable}\`, which changes` };
    const l = this.lin(index);
    const text = exprText(index);
    if (l) {
      const thread = [...l.t.keys()].filter(k => k.startsWith('$'));
      if (!thread.length) return { kind: 'broadcast' };
      if (thread.length === 1 && thread[0] === '$gx' && l.t.size === 1) {
        const k = l.t.get('$gx')!;
        if (k === 1 && l.c === 0) return { kind: 'identity' };
        if (k === 1) return { kind: 'affine', offsets: [l.c > 0 ? `+${l.c}` : `${l.c}`] };
      }
      return { kind: 'strided', text };
    }
    const atoms = this.threadAtoms(index);
    if (!atoms.size) return { kind: 'broadcast' };
    const mod = index instanceof W.BinaryOperator && index.operator === '%' ? exprText(index.right) : undefined;
    return { kind: 'strided', text, modulo: mod };
  }

  /** Linear form of an index expression over thread builtins, uniform members and lengths. */
  private lin(e: W.Expression | null | undefined, depth = 0): Lin | undefined {
    if (!e || depth > 24) return undefined;
    if (e instanceof W.LiteralExpr) {
      const v = Number(e.scalarValue);
      return Number.isFinite(v) && !e.postfix ? { c: v, t: new Map() } : undefined;
    }
    if (e instanceof W.VariableExpr) {
      const b = this.lookup(e.name);
      if (b?.kind === 'param') {
        const builtin = this.builtins.get(e.name);
        const atom = builtin ? BUILTIN_ATOM[builtin] : undefined;
        if (!atom) return undefined;
        if (atom === 'li' && !e.postfix) return atomLin('$li');
        if (e.postfix instanceof W.StringExpr && /^[xyz]$/.test(e.postfix.value) && !e.postfix.postfix) {
          if (atom === 'g') this.threadDims.add(e.postfix.value);
          return atomLin(`$${atom}${e.postfix.value}`);
        }
        return undefined;
      }
      if (b?.kind === 'let') return e.postfix ? undefined : this.lin(b.expr, depth + 1);
      if (b?.kind === 'var') return undefined;
      const binding = this.bindingByName.get(e.name);
      if (binding?.resource === 'uniform') {
        const path = postfixPath(e.postfix);
        return path ? atomLin(`u:${e.name}.${path}`) : undefined;
      }
      const c = this.consts.get(e.name);
      if (c && !e.postfix) {
        if (c instanceof W.Override) { this.blockers.add(`uses the pipeline-overridable constant \`${e.name}\``); return atomLin(`override:${e.name}`); }
        return this.lin((c as W.Const).value, depth + 1);
      }
      return undefined;
    }
    if ((e instanceof W.CreateExpr || e instanceof W.TypecastExpr) && e.args?.length === 1 && /^[iu]32$|^f32$/.test(e.type?.name ?? '') && !e.postfix) {
      return this.lin(e.args[0], depth + 1);
    }
    if (e instanceof W.CallExpr && e.name === 'arrayLength' && e.args?.length === 1) {
      const a = e.args[0];
      if (a instanceof W.UnaryOperator && a.right instanceof W.VariableExpr) return atomLin(`len:${a.right.name}`);
      return undefined;
    }
    if (e instanceof W.UnaryOperator && e.operator === '-' && !e.postfix) {
      const r = this.lin(e.right, depth + 1);
      return r ? scale(r, -1) : undefined;
    }
    if (e instanceof W.BinaryOperator && !e.postfix) {
      const a = this.lin(e.left, depth + 1);
      const b = this.lin(e.right, depth + 1);
      if (!a || !b) return undefined;
      if (e.operator === '+') return add(a, b, 1);
      if (e.operator === '-') return add(a, b, -1);
      if (e.operator === '*') {
        if (!a.t.size) return scale(b, a.c);
        if (!b.t.size) return scale(a, b.c);
        // product of two atoms: one opaque atom (e.g. y * width)
        return atomLin(`(${linText(a)})*(${linText(b)})`);
      }
      if (e.operator === '<<' && !b.t.size) return scale(a, 2 ** b.c);
      if (!a.t.size && !b.t.size) {
        if (e.operator === '/') return b.c ? { c: Math.trunc(a.c / b.c), t: new Map() } : undefined;
        if (e.operator === '%') return b.c ? { c: a.c % b.c, t: new Map() } : undefined;
      }
      return undefined;
    }
    return undefined;
  }

  /** A storage binding read inside an expression (`x[idx[i]]`). */
  private storageRead(e: W.Node): string | undefined {
    let found: string | undefined;
    const visit = (n: unknown, depth: number): void => {
      if (found || !n || typeof n !== 'object' || depth > 32) return;
      if (Array.isArray(n)) { for (const x of n) visit(x, depth + 1); return; }
      if (n instanceof W.CallExpr && n.name === 'arrayLength') return; // the length, not the contents
      if (n instanceof W.VariableExpr) {
        const b = this.bindingByName.get(n.name);
        if (b && b.resource === 'storage') { found = n.name; return; }
        const l = this.lookup(n.name);
        if (l?.kind === 'let') visit(l.expr, depth + 1);
      }
      if (!(n instanceof W.Node)) return;
      for (const k of ['left', 'right', 'args', 'postfix', 'index', 'value']) visit((n as unknown as Record<string, unknown>)[k], depth + 1);
    };
    visit(e, 0);
    return found;
  }

  /** A `var` (mutable local) the expression depends on, through lets. */
  private mutableRef(e: W.Node): string | undefined {
    let found: string | undefined;
    const visit = (n: unknown, depth: number): void => {
      if (found || !n || typeof n !== 'object' || depth > 32) return;
      if (Array.isArray(n)) { for (const x of n) visit(x, depth + 1); return; }
      if (n instanceof W.VariableExpr) {
        const l = this.lookup(n.name);
        if (l?.kind === 'var') { found = n.name; return; }
        if (l?.kind === 'let') visit(l.expr, depth + 1);
      }
      if (!(n instanceof W.Node)) return;
      for (const k of ['left', 'right', 'args', 'postfix', 'index', 'value']) visit((n as unknown as Record<string, unknown>)[k], depth + 1);
    };
    visit(e, 0);
    return found;
  }

  private threadAtoms(e: W.Node): Set<string> {
    const out = new Set<string>();
    const visit = (n: unknown, depth: number): void => {
      if (!n || typeof n !== 'object' || depth > 32) return;
      if (Array.isArray(n)) { for (const x of n) visit(x, depth + 1); return; }
      if (n instanceof W.VariableExpr) {
        const l = this.lookup(n.name);
        if (l?.kind === 'param' && this.builtins.has(n.name)) {
          out.add(n.name);
          if (this.builtins.get(n.name) === 'global_invocation_id' && n.postfix instanceof W.StringExpr) this.threadDims.add(n.postfix.value);
        }
        if (l?.kind === 'let') visit(l.expr, depth + 1);
      }
      if (!(n instanceof W.Node)) return;
      for (const k of ['left', 'right', 'args', 'postfix', 'index', 'value']) visit((n as unknown as Record<string, unknown>)[k], depth + 1);
    };
    visit(e, 0);
    return out;
  }
}

/** `return;` (the parser gives it an empty CreateExpr as its value). */
function isBareReturn(s: W.Return): boolean {
  const v = s.value as W.Expression | null;
  return !v || (v instanceof W.CreateExpr && !v.type && !v.args);
}

function atomLin(a: string): Lin {
  return { c: 0, t: new Map([[a, 1]]) };
}
function scale(a: Lin, k: number): Lin {
  const t = new Map<string, number>();
  for (const [x, v] of a.t) if (v * k !== 0) t.set(x, v * k);
  return { c: a.c * k, t };
}
function add(a: Lin, b: Lin, sign: number): Lin {
  const t = new Map(a.t);
  for (const [x, v] of b.t) {
    const s = (t.get(x) ?? 0) + sign * v;
    if (s === 0) t.delete(x);
    else t.set(x, s);
  }
  return { c: a.c + sign * b.c, t };
}
function linText(l: Lin): string {
  return [...[...l.t].sort().map(([x, v]) => (v === 1 ? x : `${v}*${x}`)), ...(l.c ? [String(l.c)] : [])].join('+') || '0';
}

function postfixPath(p: W.Expression | null | undefined): string | undefined {
  const parts: string[] = [];
  for (let q = p; q; q = q.postfix) {
    if (q instanceof W.StringExpr) parts.push(q.value);
    else return undefined;
  }
  return parts.length ? parts.join('.') : undefined;
}

function mergeAccess(prev: Access | undefined, read: boolean, write: boolean): Access {
  const r = read || prev === 'read' || prev === 'readwrite';
  const w = write || prev === 'write' || prev === 'readwrite';
  return r && w ? 'readwrite' : w ? 'write' : 'read';
}

/** The pattern that constrains fusion most when a binding is accessed several ways. */
function mergeIndex(a: IndexPattern, b: IndexPattern): IndexPattern {
  const rank: Record<IndexPattern['kind'], number> = { identity: 0, broadcast: 1, affine: 3, strided: 4, indirect: 5, reduction: 6, unknown: 7 };
  if (a.kind === 'identity' && b.kind === 'broadcast') return { kind: 'strided', text: 'its own element and a fixed one' };
  if (b.kind === 'identity' && a.kind === 'broadcast') return { kind: 'strided', text: 'its own element and a fixed one' };
  if (a.kind === 'affine' && b.kind === 'affine') return { kind: 'affine', offsets: [...new Set([...a.offsets, ...b.offsets])] };
  if (a.kind === 'affine' && b.kind === 'identity') return { kind: 'affine', offsets: ['0', ...a.offsets.filter(o => o !== '0')] };
  if (b.kind === 'affine' && a.kind === 'identity') return { kind: 'affine', offsets: ['0', ...b.offsets.filter(o => o !== '0')] };
  return rank[b.kind] > rank[a.kind] ? b : a;
}

/** WGSL-like text of an expression (for messages; literals lose their spelling in the AST). */
export function exprText(e: W.Node | null | undefined): string {
  if (!e) return '';
  let s: string;
  if (e instanceof W.LiteralExpr) {
    const v = e.scalarValue;
    const t = e.type?.name;
    s = t === 'u32' ? `${v}u` : t === 'f32' && Number.isInteger(v) ? `${v}.0` : String(v);
  } else if (e instanceof W.VariableExpr) s = e.name;
  else if (e instanceof W.ConstExpr) s = e.name;
  else if (e instanceof W.BinaryOperator) s = `${exprText(e.left)} ${e.operator} ${exprText(e.right)}`;
  else if (e instanceof W.UnaryOperator) s = `${e.operator}${exprText(e.right)}`;
  else if (e instanceof W.CallExpr) s = `${e.name}(${(e.args ?? []).map(exprText).join(', ')})`;
  else if (e instanceof W.CreateExpr || e instanceof W.TypecastExpr) s = `${e.type?.getTypeName?.() ?? e.type?.name ?? ''}(${(e.args ?? []).map(exprText).join(', ')})`;
  else if (e instanceof W.BitcastExpr) s = `bitcast<${e.type?.name ?? ''}>(${exprText(e.value)})`;
  else if (e instanceof W.StringExpr) return `.${e.value}${exprText(e.postfix)}`;
  else if (e instanceof W.ArrayIndex) return `[${exprText(e.index)}]${exprText(e.postfix)}`;
  else s = '…';
  if (e instanceof W.Expression && e.hasParen) s = `(${s})`;
  return e instanceof W.Expression ? s + exprText(e.postfix) : s;
}
