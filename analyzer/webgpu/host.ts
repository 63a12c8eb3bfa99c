// The WebGPU host frontend: walks a TS/JS SourceFile (the tree analyzer/ts/frontend.ts parsed)
// for shader modules, compute pipelines, buffers, bind groups, command encoders and compute
// passes, and records, per block, the dispatches in program order with the events between them:
// queue.writeBuffer, copyBufferToBuffer, clearBuffer, mapAsync (the host waits), render passes and
// calls we cannot see into. Values are resolved syntactically (no type checker): variables,
// module-level variables assigned once, and `this.x` fields assigned once in their class.
//
// Pass 1 collects what module variables and fields hold; pass 2 walks the functions again and
// builds the dispatches and sequences. Functions that cannot matter (no WebGPU call, fewer than two
// dispatches) are skipped by a text test, so big files of other code stay cheap.
//
// After an edit, top-level statements other than the edited one may have children whose offsets
// are not yet moved (analyzer/ts/reparse.ts): the walker settles a statement before it reads below
// its top-level node, and only then, so that skipped functions cost nothing.

import type * as TS from 'typescript';
import type { Annotations } from '../core/annotations';
import type { EventKind } from '../core/ir';
import type { Span } from '../core/text';
import { dirname, joinPath } from '../core/paths';
import { settle } from '../ts/reparse';
import { ASSIGN_OP, mayAssign } from './assignTargets';
import type { TypeScriptApi } from '../ts/tsModule';
import type { BindEntry, DefSite, PassInfo, Setter, WgBindGroup, WgBuffer, WgDispatch, WgPipeline, WgShader } from './model';
import { monoConst, monoDiv, monoMul, monoSym, monoValue, type Mono } from './sizes';
import { summarizeWgsl } from './wgslSummary';

export type WgValue =
  | { kind: 'device' }
  | { kind: 'queue' }
  | { kind: 'num'; m: Mono; /** `Math.ceil(x / k)`: the count covers x items in groups of k. */ ceil?: { x: Mono; k: number } }
  | { kind: 'str'; value: string; from: string }
  | { kind: 'typed'; elemBytes: number; length?: Mono }
  | WgShader
  | WgPipeline
  | WgBuffer
  | WgBindGroup
  | { kind: 'layout'; pipeline?: WgPipeline; group: number }
  | { kind: 'encoder'; id: number }
  | { kind: 'pass'; id: number; encoder: number; render: boolean }
  | { kind: 'cmdbuf'; encoder: number }
  | { kind: 'unknown' };

const UNKNOWN: WgValue = { kind: 'unknown' };

const TYPED_BYTES: Record<string, number> = {
  Float32Array: 4, Int32Array: 4, Uint32Array: 4, Float64Array: 8, Int16Array: 2, Uint16Array: 2, Int8Array: 1, Uint8Array: 1, Uint8ClampedArray: 1, Float16Array: 2, BigInt64Array: 8, BigUint64Array: 8,
};

/** Text a function must contain to create or use WebGPU objects (others are not walked). */
const GPU_CALL = /\.\s*(dispatchWorkgroups|dispatchWorkgroupsIndirect|createBuffer|createComputePipeline|createComputePipelineAsync|createBindGroup|createShaderModule|beginComputePass|beginRenderPass|createCommandEncoder|writeBuffer|writeTexture|mapAsync|copyBufferToBuffer|copyBufferToTexture|copyTextureToBuffer|clearBuffer|submit|setPipeline|setBindGroup|draw\w*|onSubmittedWorkDone|getBindGroupLayout)\s*\(/;


const DISPATCH_CALL = /\.\s*dispatchWorkgroups(?:Indirect)?\s*\(/g;

/**
 * Text tests' answers per function or class node. An edit keeps the nodes of unchanged code (the
 * one-statement re-parse and ts.updateSourceFile both reuse them), so these tests, run on every
 * function at every keystroke, are answered again only for the edited one.
 */
interface TextFacts { gpu?: boolean; dispatches?: number; holder?: boolean; holderKey?: string }
const textFacts = new WeakMap<TS.Node, TextFacts>();

/** Objects a call we cannot see into may use: passing one makes the call a barrier. */
const GPU_KINDS = new Set(['device', 'queue', 'buffer', 'bindGroup', 'pipeline', 'encoder', 'pass', 'cmdbuf']);

export interface HostEvent {
  kind: EventKind;
  span: Span;
  text: string;
  reads: string[] | '*';
  writes: string[] | '*';
  assigns: string[];
  sync: boolean;
}

/** One block's items in program order: dispatches and events (nested blocks summarized). */
export interface HostBlock {
  items: Array<{ dispatch: WgDispatch } | { event: HostEvent }>;
  positions: number[];
  loop?: { span: Span; bodySpan: Span; header: string };
  /** Enclosing loop ranges (positions). */
  loops: Array<[number, number]>;
  fnKey: number;
  scope: string;
}

export interface HostFunction {
  key: number;
  name: string;
  node: TS.Node;
  /** Buffer key -> positions where it is read (dispatches, copies, maps, escapes). */
  reads: Map<string, number[]>;
  escaping: Set<string>;
  blocks: HostBlock[];
}

export interface HostProgram {
  dispatches: WgDispatch[];
  functions: HostFunction[];
  problems: Array<{ message: string; span: Span }>;
  /** Shaders by key, for hover. */
  shaders: WgShader[];
}

interface Var {
  value: WgValue;
  declPos: number;
  module: boolean;
  mutable: boolean;
}

class Scope {
  readonly vars = new Map<string, Var>();
  constructor(readonly parent?: Scope) {}
  lookup(name: string): Var | undefined {
    for (let s: Scope | undefined = this; s; s = s.parent) {
      const v = s.vars.get(name);
      if (v) return v;
    }
    return undefined;
  }
}

interface FnCtx {
  fn: HostFunction;
  node: TS.Node;
  className?: string;
  /** Values assigned in this function to module variables and fields (flow-sensitive locally). */
  overlay: Map<string, WgValue>;
  pos: number;
  /** Pass state: pass id -> slot ('p' or group number) -> setter. */
  passes: Map<number, { info: PassInfo; pipeline?: Setter; groups: Map<number, Setter | undefined>; ambiguous: Set<string> }>;
}

interface Effects {
  reads: Set<string> | '*';
  writes: Set<string> | '*';
  assigns: Set<string>;
  sync: boolean;
}

export function extractHost(ts: TypeScriptApi, sf: TS.SourceFile, file: string, readFile: ((p: string) => string | undefined) | undefined, annotations: Annotations): HostProgram {
  return new HostWalker(ts, sf, file, readFile, annotations).run();
}

class HostWalker {
  private readonly text: string;
  private readonly prog: HostProgram = { dispatches: [], functions: [], problems: [], shaders: [] };
  private readonly module = new Scope();
  /** Module variables and `Class.field`s: what pass 1 saw assigned to them. */
  private readonly assigned = new Map<string, { value: WgValue; count: number }>();
  private collecting = true;
  /** The expression statement being walked and the node whose statement list holds it. */
  private exprStmt: { stmt: TS.ExpressionStatement; owner: TS.Node } | undefined;
  private ids = 0;
  private fnKeys = 0;
  private readonly shaderByKey = new Map<string, WgShader>();
  private readonly classes = new Map<string, TS.ClassDeclaration>();

  constructor(
    private readonly ts: TypeScriptApi,
    private readonly sf: TS.SourceFile,
    private readonly file: string,
    private readonly readFile: ((p: string) => string | undefined) | undefined,
    private readonly annotations: Annotations,
  ) {
    this.text = sf.text;
  }

  run(): HostProgram {
    for (const pass of [1, 2]) {
      this.collecting = pass === 1;
      this.module.vars.clear();
      this.prog.dispatches = [];
      this.prog.functions = [];
      this.prog.problems = [];
      this.declareModule();
      this.walkFunction(this.sf, '<module>', this.module, undefined);
      for (const { node, name, className, scope } of this.functions()) this.walkFunction(node, name, scope, className);
    }
    this.prog.shaders = [...this.shaderByKey.values()];
    return this.prog;
  }

  // ---------------------------------------------------------------- module scope

  /** Imports and hoisted declarations; module variables take the value pass 1 saw assigned once. */
  private declareModule(): void {
    const ts = this.ts;
    this.holderPattern = undefined;
    this.holderNames = undefined;
    this.holderKey = undefined;
    for (const s of this.sf.statements) {
      if (ts.isImportDeclaration(s) && ts.isStringLiteral(s.moduleSpecifier) && s.importClause?.name) {
        const spec = s.moduleSpecifier.text;
        const v = /\.wgsl(\?raw)?$/.test(spec) ? this.wgslFile(spec.replace(/\?raw$/, '')) : UNKNOWN;
        this.module.vars.set(s.importClause.name.text, { value: v, declPos: s.pos, module: true, mutable: false });
      } else if ((ts.isFunctionDeclaration(s) || ts.isClassDeclaration(s)) && s.name) {
        this.module.vars.set(s.name.text, { value: UNKNOWN, declPos: s.pos, module: true, mutable: false });
      } else if (ts.isVariableStatement(s)) {
        // names only (the module walk gives the values): closures may assign them before
        for (const d of s.declarationList.declarations) for (const id of bindingNames(ts, d.name)) this.module.vars.set(id, { value: UNKNOWN, declPos: s.pos, module: true, mutable: true });
      }
    }
  }

  /**
   * Whether a function is walked. Pass 1 needs only functions that create WebGPU objects and assign
   * module variables or fields (others just make the names they assign ambiguous); pass 2 only
   * functions that record two dispatches or more (a group needs two in one block). Everything else
   * (plain code, one-dispatch helpers) costs a text test per keystroke, not a walk.
   */
  private worthWalking(node: TS.Node, className: string | undefined): boolean {
    const facts = this.facts(node);
    if (!this.collecting) return (facts.dispatches ??= (this.text.slice(node.pos, node.end).match(DISPATCH_CALL) ?? []).length) >= 2;
    // most functions assign no module variable or field: a text test before the AST scan
    const assigns = this.mayAssignHolder(node) ? this.holderAssignments(node, className) : [];
    if (!this.hasGpuCall(node)) {
      for (const k of assigns) this.noteAssigned(k, UNKNOWN);
      return false;
    }
    return assigns.length > 0;
  }

  /** The text tests' answers for a node (kept across edits with the node: its text is the same). */
  private facts(node: TS.Node): TextFacts {
    let f = textFacts.get(node);
    if (!f) textFacts.set(node, (f = {}));
    return f;
  }

  private hasGpuCall(node: TS.Node): boolean {
    const f = this.facts(node);
    return (f.gpu ??= GPU_CALL.test(this.text.slice(node.pos, node.end)));
  }

  /** assignsHolder of a node's text, kept while the module's names are the same. */
  private mayAssignHolder(node: TS.Node): boolean {
    const f = this.facts(node);
    this.holders();
    if (f.holderKey === this.holderKey) return f.holder!;
    f.holder = this.assignsHolder(this.text.slice(node.pos, node.end));
    f.holderKey = this.holderKey;
    return f.holder;
  }

  private holderPattern: RegExp | undefined;
  /** The module's names joined, set with holderNames: what a kept assignsHolder answer depends on. */
  private holderKey: string | undefined;
  /** The module names when the test was first needed (ASCII names: tested by a Set, not a regex). */
  private holderNames: Set<string> | undefined;

  /**
   * Whether a text may assign a module variable or a `this.` field (a superset: the AST decides).
   * With hundreds of module names, one alternation regex of them all costs more than finding every
   * assignment target and looking it up; names outside ASCII keep the regex.
   */
  /** The module names, fixed when the test is first needed. */
  private holders(): Set<string> {
    if (!this.holderNames) {
      this.holderNames = new Set(this.module.vars.keys());
      const names = [...this.holderNames];
      this.holderKey = names.join('\u0000');
      if (names.some(n => !/^[A-Za-z_$][\w$]*$/.test(n))) {
        const escaped = names.map(n => n.replace(/\$/g, '\\$'));
        this.holderPattern = new RegExp(`(?:this\\s*\\.\\s*[\\w$]+|(?<![\\w$.])(?:${escaped.join('|')}))${ASSIGN_OP}`);
      }
    }
    return this.holderNames;
  }

  private assignsHolder(text: string): boolean {
    const names = this.holders();
    if (this.holderPattern) return this.holderPattern.test(text);
    return mayAssign(text, n => names.has(n));
  }

  /** Module variables and `Class.field`s a function assigns to (an AST scan, no evaluation). */
  private holderAssignments(node: TS.Node, className: string | undefined): string[] {
    const ts = this.ts;
    const out: string[] = [];
    const visit = (n: TS.Node) => {
      if (ts.isBinaryExpression(n) && n.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && n.operatorToken.kind <= ts.SyntaxKind.LastAssignment) {
        const t = n.left;
        if (ts.isIdentifier(t) && this.module.vars.has(t.text)) out.push(t.text);
        else if (ts.isPropertyAccessExpression(t) && t.expression.kind === ts.SyntaxKind.ThisKeyword && className) out.push(`${className}.${t.name.text}`);
      }
      ts.forEachChild(n, visit);
    };
    visit(node);
    return out;
  }

  private wgslFile(spec: string): WgValue {
    const path = joinPath(dirname(this.file), spec);
    const code = this.readFile?.(path);
    return code === undefined ? UNKNOWN : { kind: 'str', value: code, from: `\`${spec}\`` };
  }

  /**
   * Top-level function declarations and class members. Closures and nested functions are walked
   * where they appear (they see the enclosing function's variables).
   */
  private functions(): Array<{ node: TS.Node; name: string; className?: string; scope: Scope }> {
    const out: Array<{ node: TS.Node; name: string; className?: string; scope: Scope }> = [];
    const ts = this.ts;
    for (const s of this.sf.statements) {
      if (ts.isFunctionDeclaration(s) && s.body) out.push({ node: s, name: fnName(ts, s), scope: this.module });
      if (!ts.isClassDeclaration(s)) continue;
      const cn = s.name?.text ?? '<class>';
      this.classes.set(cn, s);
      // a member is walked, or its assignments noted, only if its text passes one of these tests;
      // neither passes on a member when it fails on the whole class
      if (!this.hasGpuCall(s) && !(this.collecting && this.mayAssignHolder(s))) continue;
      settle(ts, this.sf, s);
      for (const m of s.members) {
        if ((ts.isMethodDeclaration(m) || ts.isConstructorDeclaration(m) || ts.isGetAccessorDeclaration(m) || ts.isSetAccessorDeclaration(m)) && m.body) {
          out.push({ node: m, name: `${cn}.${ts.isConstructorDeclaration(m) ? 'constructor' : m.name.getText(this.sf)}`, className: cn, scope: this.module });
        } else if (ts.isPropertyDeclaration(m) && m.initializer && (ts.isArrowFunction(m.initializer) || ts.isFunctionExpression(m.initializer))) {
          out.push({ node: m.initializer, name: `${cn}.${m.name.getText(this.sf)}`, className: cn, scope: this.module });
        }
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- functions and blocks

  private walkFunction(node: TS.Node, name: string, parent: Scope, className: string | undefined): void {
    const ts = this.ts;
    if (node !== this.sf && !this.worthWalking(node, className)) return;
    if (node !== this.sf) settle(ts, this.sf, node);
    else {
      for (const s of this.sf.statements) if (!ts.isFunctionDeclaration(s) && !ts.isClassDeclaration(s)) settle(ts, this.sf, s);
    }
    const fn: HostFunction = { key: this.fnKeys++, name, node, reads: new Map(), escaping: new Set(), blocks: [] };
    const ctx: FnCtx = { fn, node, className, overlay: new Map(), pos: 0, passes: new Map() };
    const scope = node === this.sf ? parent : new Scope(parent);
    if (node !== this.sf) {
      const f = node as TS.FunctionLikeDeclaration;
      for (const p of f.parameters ?? []) {
        for (const id of bindingNames(ts, p.name)) {
          scope.vars.set(id, { value: this.paramValue(id, p, p.pos), declPos: p.pos, module: false, mutable: true });
        }
      }
    }
    const body = node === this.sf ? this.sf : (node as TS.FunctionLikeDeclaration).body;
    if (!body) return;
    // module-level declarations go into the module scope itself (functions see them)
    if (ts.isSourceFile(body)) this.block(body.statements, body, ctx, scope, [], name, undefined, scope);
    else if (ts.isBlock(body)) this.block(body.statements, body, ctx, scope, [], name);
    else {
      // an arrow function with an expression body
      const eff = newEffects();
      this.expression(body as TS.Expression, ctx, scope, eff, undefined);
    }
    if (!this.collecting && fn.blocks.length) this.prog.functions.push(fn);
  }

  private paramValue(name: string, p: TS.ParameterDeclaration, pos: number): WgValue {
    const t = p.type ? p.type.getText(this.sf) : '';
    if (/\bGPUBuffer\b/.test(t)) return { kind: 'buffer', key: `${name}@${pos}`, name, allocated: false, shared: true };
    if (/\bGPUDevice\b/.test(t)) return { kind: 'device' };
    if (this.annotations.values.has(name)) return { kind: 'num', m: monoConst(this.annotations.values.get(name)!) };
    const typed = /^\s*(\w+Array)\s*$/.exec(t);
    if (typed && TYPED_BYTES[typed[1]]) return { kind: 'typed', elemBytes: TYPED_BYTES[typed[1]], length: this.annotations.values.has(`${name}.length`) ? monoConst(this.annotations.values.get(`${name}.length`)!) : monoSym(`${name}.length@${pos}`) };
    if (/^\s*number\s*$/.test(t) || !t) return { kind: 'num', m: monoSym(`${name}@${pos}`) };
    return UNKNOWN;
  }

  private block(stmts: readonly TS.Statement[], owner: TS.Node, ctx: FnCtx, parent: Scope, loops: Array<[number, number]>, scopeName: string, loop?: HostBlock['loop'], own?: Scope): Effects {
    const scope = own ?? new Scope(parent);
    const blk: HostBlock = { items: [], positions: [], loops, fnKey: ctx.fn.key, scope: scopeName, loop };
    const eff = newEffects();
    let child = 0;
    for (const s of stmts) this.statement(s, owner, ctx, scope, blk, eff, loops, () => `${scopeName}/${++child}`);
    if (blk.items.some(i => 'dispatch' in i)) ctx.fn.blocks.push(blk);
    return eff;
  }

  private statement(s: TS.Statement, owner: TS.Node, ctx: FnCtx, scope: Scope, blk: HostBlock, eff: Effects, loops: Array<[number, number]>, childName: () => string): void {
    const ts = this.ts;
    if (ts.isVariableStatement(s)) {
      const mutable = (s.declarationList.flags & ts.NodeFlags.Const) === 0;
      const isModule = owner === this.sf;
      for (const d of s.declarationList.declarations) {
        const site = (ref: string, device: string): DefSite => ({ stmt: this.span(s), block: owner, declaration: true, ref, device });
        const named = ts.isIdentifier(d.name) ? { name: d.name.text, site, stmt: s as TS.Statement } : undefined;
        let v: WgValue = d.initializer && !this.opaqueValue(d.initializer) ? this.expression(d.initializer, ctx, scope, eff, named, blk) : UNKNOWN;
        if (!named) {
          for (const id of bindingNames(ts, d.name)) scope.vars.set(id, { value: UNKNOWN, declPos: s.pos, module: isModule, mutable });
          continue;
        }
        const id = named.name;
        const annotated = this.annotations.values.get(id);
        const later = isModule && mutable ? this.assigned.get(id) : undefined;
        // a value the code folds wins over an annotation (docs/annotations.md)
        if (annotated !== undefined && (v.kind === 'unknown' || (v.kind === 'num' && monoValue(v.m) === undefined))) v = { kind: 'num', m: monoConst(annotated) };
        else if (later) v = !d.initializer && later.count === 1 ? later.value : UNKNOWN; // assigned elsewhere
        else if (v.kind === 'unknown' && d.initializer && !mutable) v = { kind: 'num', m: monoSym(`${id}@${s.pos}`) }; // a named input (a count, a length)
        scope.vars.set(id, { value: v, declPos: s.pos, module: isModule, mutable });
      }
      return;
    }
    if (ts.isExpressionStatement(s)) {
      // plain code (no WebGPU call, no closure) at any level: only its assignments matter
      const st = this.text.slice(s.pos, s.end);
      if (!GPU_CALL.test(st) && !/=>|\bfunction\b|\.\s*(end|finish|draw\w*|getMappedRange|unmap|destroy|onSubmittedWorkDone|clearBuffer)\s*\(/.test(st) && !this.assignsHolder(st) && !/[\w$\]]\s*=(?![=>])/.test(st)) {
        this.plainCall(s.expression, ctx, scope, eff, blk);
        return;
      }
      // the tree has no parent pointers: an assignment learns its statement from here
      const saved = this.exprStmt;
      this.exprStmt = { stmt: s, owner };
      try {
        this.expression(s.expression, ctx, scope, eff, undefined, blk, s);
      } finally {
        this.exprStmt = saved;
      }
      return;
    }
    if (ts.isReturnStatement(s)) {
      if (s.expression) {
        const v = this.expression(s.expression, ctx, scope, eff, undefined, blk);
        for (const b of [...bufferKeysOf(v), ...this.buffersIn(s.expression, ctx, scope)]) ctx.fn.escaping.add(b);
      }
      return;
    }
    if (ts.isFunctionDeclaration(s) || ts.isClassDeclaration(s)) {
      if (s.name) scope.vars.set(s.name.text, { value: UNKNOWN, declPos: s.pos, module: owner === this.sf, mutable: false });
      if (ts.isFunctionDeclaration(s) && owner !== this.sf) {
        this.closureEscapes(s, ctx, scope);
        this.walkFunction(s, fnName(ts, s), scope, ctx.className);
      }
      return;
    }
    if (ts.isBlock(s)) {
      const inner = this.block(s.statements, s, ctx, scope, loops, childName());
      this.compound(s, inner, ctx, blk, eff, 'call');
      return;
    }
    if (ts.isIfStatement(s)) {
      const condEff = newEffects();
      this.expression(s.expression, ctx, scope, condEff, undefined, blk);
      mergeEffects(eff, condEff);
      const inner = newEffects();
      for (const part of [s.thenStatement, s.elseStatement]) {
        if (!part) continue;
        mergeEffects(inner, this.nested(part, ctx, scope, loops, childName()));
      }
      this.compound(s, inner, ctx, blk, eff, 'control');
      return;
    }
    if (ts.isForStatement(s) || ts.isForOfStatement(s) || ts.isForInStatement(s) || ts.isWhileStatement(s) || ts.isDoStatement(s)) {
      const headEff = newEffects();
      const loopScope = new Scope(scope);
      if (ts.isForStatement(s) && s.initializer) {
        if (ts.isVariableDeclarationList(s.initializer)) {
          for (const d of s.initializer.declarations) for (const id of bindingNames(ts, d.name)) loopScope.vars.set(id, { value: UNKNOWN, declPos: d.pos, module: false, mutable: true });
        } else this.expression(s.initializer, ctx, loopScope, headEff, undefined, blk);
      }
      if ((ts.isForOfStatement(s) || ts.isForInStatement(s)) && ts.isVariableDeclarationList(s.initializer)) {
        for (const d of s.initializer.declarations) for (const id of bindingNames(ts, d.name)) loopScope.vars.set(id, { value: UNKNOWN, declPos: d.pos, module: false, mutable: true });
      }
      // pass state set inside the body is ambiguous at its start (the previous iteration's)
      this.markLoopSetters(s.statement, ctx);
      const start = ctx.pos;
      const range: [number, number] = [start, Number.MAX_SAFE_INTEGER];
      const body = s.statement;
      const header = this.text.slice(s.getStart(this.sf), body.getStart(this.sf)).trim();
      const inner = this.nested(body, ctx, loopScope, [...loops, range], childName(), { span: this.span(s), bodySpan: this.span(body), header });
      range[1] = ctx.pos;
      mergeEffects(inner, headEff);
      this.compound(s, inner, ctx, blk, eff, 'control');
      return;
    }
    if (ts.isTryStatement(s)) {
      const inner = newEffects();
      for (const b of [s.tryBlock, s.catchClause?.block, s.finallyBlock]) if (b) mergeEffects(inner, this.block(b.statements, b, ctx, scope, loops, childName()));
      this.compound(s, inner, ctx, blk, eff, 'control');
      return;
    }
    if (ts.isSwitchStatement(s)) {
      const inner = newEffects();
      this.expression(s.expression, ctx, scope, inner, undefined, blk);
      for (const c of s.caseBlock.clauses) mergeEffects(inner, this.block(c.statements, c, ctx, scope, loops, childName()));
      this.compound(s, inner, ctx, blk, eff, 'control');
      return;
    }
    if (ts.isLabeledStatement(s)) {
      this.statement(s.statement, owner, ctx, scope, blk, eff, loops, childName);
      return;
    }
    // anything else (type declarations, empty statements, break/continue/throw)
    if (ts.isThrowStatement(s) && s.expression) this.expression(s.expression, ctx, scope, eff, undefined, blk);
  }

  /** An initializer that makes no WebGPU object and is not a plain value: not worth evaluating. */
  private opaqueValue(init: TS.Expression): boolean {
    const ts = this.ts;
    const e = skipOuter(ts, init);
    if (!(ts.isCallExpression(e) || ts.isObjectLiteralExpression(e) || ts.isArrayLiteralExpression(e) || ts.isClassExpression(e) || (ts.isAwaitExpression(e) && ts.isCallExpression(e.expression)))) return false;
    if (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && ts.isIdentifier(e.expression.expression) && e.expression.expression.text === 'Math') return false;
    return !GPU_CALL.test(this.text.slice(e.pos, e.end)) && !/\.\s*(getBindGroupLayout|getMappedRange|finish)\b|=>|\bfunction\b/.test(this.text.slice(e.pos, e.end));
  }

  private nested(s: TS.Statement, ctx: FnCtx, scope: Scope, loops: Array<[number, number]>, name: string, loop?: HostBlock['loop']): Effects {
    const ts = this.ts;
    const before = snapshotPasses(ctx);
    const eff = ts.isBlock(s) ? this.block(s.statements, s, ctx, scope, loops, name, loop) : this.block([s], s, ctx, scope, loops, name, loop);
    // after a conditional or loop body, pass state it changed may or may not hold
    for (const [id, st] of ctx.passes) {
      const b = before.get(id);
      if (!b) continue;
      if (st.pipeline !== b.pipeline) st.ambiguous.add('p');
      for (const [g, setter] of st.groups) if (b.groups.get(g) !== setter) st.ambiguous.add(`g${g}`);
    }
    return eff;
  }

  private markLoopSetters(body: TS.Statement, ctx: FnCtx): void {
    const ts = this.ts;
    const visit = (n: TS.Node) => {
      if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression)) {
        const m = n.expression.name.text;
        const recv = n.expression.expression.getText(this.sf);
        if (m === 'setPipeline' || m === 'setBindGroup') {
          for (const st of ctx.passes.values()) {
            if (st.info.text !== recv) continue;
            if (m === 'setPipeline') st.ambiguous.add('p');
            else {
              const g = n.arguments[0] && ts.isNumericLiteral(n.arguments[0]) ? Number(n.arguments[0].text) : undefined;
              if (g === undefined) for (let k = 0; k < 4; k++) st.ambiguous.add(`g${k}`);
              else st.ambiguous.add(`g${g}`);
            }
          }
        }
      }
      ts.forEachChild(n, visit);
    };
    visit(body);
  }

  /** A nested statement's effects as one event of the enclosing block. */
  private compound(s: TS.Node, inner: Effects, ctx: FnCtx, blk: HostBlock, eff: Effects, kind: 'call' | 'control'): void {
    mergeEffects(eff, inner);
    const has = inner.sync || inner.assigns.size > 0 || inner.reads === '*' || inner.writes === '*' || inner.reads.size > 0 || inner.writes.size > 0;
    if (!has) return;
    // the nested items recorded their own reads: the summary must not count as a later read
    this.push(ctx, blk, {
      event: {
        kind, span: this.span(s), text: excerpt(this.text.slice(s.getStart(this.sf), s.end), 24),
        reads: inner.reads === '*' ? '*' : [...inner.reads], writes: inner.writes === '*' ? '*' : [...inner.writes], assigns: [...inner.assigns], sync: inner.sync,
      },
    }, true);
  }

  private push(ctx: FnCtx, blk: HostBlock, item: { dispatch: WgDispatch } | { event: HostEvent }, summary = false): void {
    const pos = ctx.pos++;
    blk.items.push(item);
    blk.positions.push(pos);
    if (summary) return;
    const reads = 'dispatch' in item ? [] : item.event.reads;
    if (reads !== '*') for (const k of reads) addRead(ctx.fn.reads, k, pos);
    else addRead(ctx.fn.reads, '*', pos);
  }

  // ---------------------------------------------------------------- expressions

  /**
   * Evaluates an expression to what it holds, recording GPU object creation and pass commands.
   * `decl` names the object being created (`const x = device.createBuffer(...)`).
   */
  private expression(e: TS.Expression, ctx: FnCtx, scope: Scope, eff: Effects, decl?: { name: string; site: (ref: string, device: string) => DefSite; stmt: TS.Statement }, blk?: HostBlock, stmt?: TS.ExpressionStatement): WgValue {
    const ts = this.ts;
    e = skipOuter(ts, e);
    if (ts.isAwaitExpression(e)) return this.expression(e.expression, ctx, scope, eff, decl, blk, stmt);
    if (ts.isNumericLiteral(e)) return { kind: 'num', m: monoConst(Number(e.text)) };
    if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) return { kind: 'str', value: e.text, from: 'a string literal' };
    if (ts.isTemplateExpression(e)) {
      let out = e.head.text;
      for (const span of e.templateSpans) {
        const v = this.expression(span.expression, ctx, scope, eff, undefined, blk);
        if (v.kind === 'str') out += v.value;
        else if (v.kind === 'num' && monoValue(v.m) !== undefined) out += String(monoValue(v.m));
        else return UNKNOWN;
        out += span.literal.text;
      }
      return { kind: 'str', value: out, from: 'a template literal' };
    }
    if (ts.isIdentifier(e)) return this.lookup(e.text, ctx, scope);
    if (e.kind === ts.SyntaxKind.ThisKeyword) return UNKNOWN;
    if (ts.isBinaryExpression(e)) return this.binary(e, ctx, scope, eff, blk);
    if (ts.isPropertyAccessExpression(e)) return this.property(e, ctx, scope, eff, blk);
    if (ts.isNewExpression(e)) return this.newExpr(e, ctx, scope, eff, blk);
    if (ts.isCallExpression(e)) return this.call(e, ctx, scope, eff, decl, blk, stmt);
    if (ts.isConditionalExpression(e)) {
      this.expression(e.condition, ctx, scope, eff, undefined, blk);
      this.expression(e.whenTrue, ctx, scope, eff, undefined, blk);
      this.expression(e.whenFalse, ctx, scope, eff, undefined, blk);
      return UNKNOWN;
    }
    if (ts.isObjectLiteralExpression(e)) {
      // methods and function-valued properties are closures over this scope
      for (const p of e.properties) {
        if (ts.isPropertyAssignment(p)) {
          const named = ts.isArrowFunction(p.initializer) || ts.isFunctionExpression(p.initializer) ? { name: p.name.getText(this.sf), site: () => undefined as unknown as DefSite, stmt: p as unknown as TS.Statement } : undefined;
          this.expression(p.initializer, ctx, scope, eff, named, blk);
        }
        else if (ts.isSpreadAssignment(p)) this.expression(p.expression, ctx, scope, eff, undefined, blk);
        else if ((ts.isMethodDeclaration(p) || ts.isGetAccessorDeclaration(p) || ts.isSetAccessorDeclaration(p)) && p.body) {
          this.closureEscapes(p, ctx, scope);
          this.walkFunction(p, p.name.getText(this.sf), scope, ctx.className);
        }
      }
      return UNKNOWN;
    }
    if (ts.isArrowFunction(e) || ts.isFunctionExpression(e)) {
      // a closure: walked as a function of its own, seeing this scope
      this.closureEscapes(e, ctx, scope);
      this.walkFunction(e, decl?.name ?? fnName(ts, e), scope, ctx.className);
      return UNKNOWN;
    }
    // anything else: walk children for nested calls
    ts.forEachChild(e, c => {
      if (ts.isExpression(c)) this.expression(c, ctx, scope, eff, undefined, blk);
    });
    return UNKNOWN;
  }

  private lookup(name: string, ctx: FnCtx, scope: Scope): WgValue {
    const v = scope.lookup(name);
    if (v?.module && ctx.overlay.has(name)) return ctx.overlay.get(name)!;
    if (v) return v.value;
    const a = this.annotations.values.get(name);
    if (a !== undefined) return { kind: 'num', m: monoConst(a) };
    return UNKNOWN;
  }

  private binary(e: TS.BinaryExpression, ctx: FnCtx, scope: Scope, eff: Effects, blk?: HostBlock): WgValue {
    const ts = this.ts;
    const op = e.operatorToken.kind;
    if (op === ts.SyntaxKind.EqualsToken) {
      const v = this.expression(e.right, ctx, scope, eff, this.assignDecl(e, ctx, scope), blk);
      this.assign(e.left, v, ctx, scope, eff);
      return v;
    }
    const a = this.expression(e.left, ctx, scope, eff, undefined, blk);
    const b = this.expression(e.right, ctx, scope, eff, undefined, blk);
    if (op === ts.SyntaxKind.PlusToken && a.kind === 'str' && b.kind === 'str') return { kind: 'str', value: a.value + b.value, from: a.from };
    if (a.kind !== 'num' || b.kind !== 'num') {
      if (op >= ts.SyntaxKind.FirstCompoundAssignment && op <= ts.SyntaxKind.LastCompoundAssignment) this.assign(e.left, UNKNOWN, ctx, scope, eff);
      return UNKNOWN;
    }
    const av = monoValue(a.m);
    const bv = monoValue(b.m);
    switch (op) {
      case ts.SyntaxKind.AsteriskToken: return { kind: 'num', m: monoMul(a.m, b.m) };
      case ts.SyntaxKind.PlusToken: return av !== undefined && bv !== undefined ? { kind: 'num', m: monoConst(av + bv) } : this.opaqueNum(e);
      case ts.SyntaxKind.MinusToken: return av !== undefined && bv !== undefined ? { kind: 'num', m: monoConst(av - bv) } : this.opaqueNum(e);
      case ts.SyntaxKind.SlashToken: {
        if (bv !== undefined) { const d = monoDiv(a.m, bv); if (d) return { kind: 'num', m: d }; }
        if (av !== undefined && bv !== undefined && bv) return { kind: 'num', m: monoConst(av / bv) };
        return this.opaqueNum(e);
      }
      case ts.SyntaxKind.LessThanLessThanToken: return bv !== undefined ? { kind: 'num', m: monoMul(a.m, monoConst(2 ** bv)) } : this.opaqueNum(e);
      case ts.SyntaxKind.BarToken: return av !== undefined && bv !== undefined ? { kind: 'num', m: monoConst(av | bv) } : bv === 0 ? a : this.opaqueNum(e);
      case ts.SyntaxKind.PercentToken: return av !== undefined && bv !== undefined && bv ? { kind: 'num', m: monoConst(av % bv) } : this.opaqueNum(e);
      default: return UNKNOWN;
    }
  }

  /** `Math.ceil(x / k)` or `Math.floor((x + k - 1) / k)` with a constant k: x and k. */
  private ceilDiv(arg: TS.Expression, method: string, ctx: FnCtx, scope: Scope): { x: Mono; k: number } | undefined {
    const ts = this.ts;
    const a = skipOuter(ts, arg);
    if (!ts.isBinaryExpression(a) || a.operatorToken.kind !== ts.SyntaxKind.SlashToken) return undefined;
    const k = this.expression(a.right, ctx, scope, newEffects());
    const kv = k.kind === 'num' ? monoValue(k.m) : undefined;
    if (!kv || kv <= 0) return undefined;
    const num = skipOuter(ts, a.left);
    if (method === 'ceil') {
      const x = this.expression(num, ctx, scope, newEffects());
      return x.kind === 'num' ? { x: x.m, k: kv } : undefined;
    }
    if (method === 'floor' && ts.isBinaryExpression(num) && num.operatorToken.kind === ts.SyntaxKind.PlusToken) {
      const x = this.expression(num.left, ctx, scope, newEffects());
      const c = this.expression(num.right, ctx, scope, newEffects());
      return x.kind === 'num' && c.kind === 'num' && monoValue(c.m) === kv - 1 ? { x: x.m, k: kv } : undefined;
    }
    return undefined;
  }

  /** A number the code computes in a way we do not fold: its normalized text is its identity. */
  private opaqueNum(e: TS.Node): WgValue {
    return { kind: 'num', m: monoSym(`(${e.getText(this.sf).replace(/\s+/g, '')})`) };
  }

  private assignDecl(e: TS.BinaryExpression, ctx: FnCtx, scope: Scope): { name: string; site: (ref: string, device: string) => DefSite; stmt: TS.Statement } | undefined {
    const ts = this.ts;
    const target = e.left;
    const cur = this.exprStmt;
    if (!cur || skipOuter(ts, cur.stmt.expression) !== e) return undefined;
    const { stmt, owner } = cur;
    let name: string | undefined;
    let holder: DefSite['holder'];
    if (ts.isIdentifier(target)) {
      name = target.text;
      if (scope.lookup(name)?.module) holder = this.moduleHolder(name);
    } else if (ts.isPropertyAccessExpression(target) && target.expression.kind === ts.SyntaxKind.ThisKeyword) {
      name = target.name.text;
      holder = this.fieldHolder(ctx.className, name);
    }
    if (!name) return undefined;
    const ref = target.getText(this.sf);
    return { name, stmt, site: (_r, device) => ({ stmt: this.span(stmt), block: owner, declaration: false, ref, device, holder }) };
  }

  /** `let x: T;` at the top level: where and how a sibling is declared. */
  private moduleHolder(name: string): DefSite['holder'] {
    const ts = this.ts;
    for (const s of this.sf.statements) {
      if (!ts.isVariableStatement(s)) continue;
      const d = s.declarationList.declarations.find(x => ts.isIdentifier(x.name) && x.name.text === name);
      if (!d) continue;
      const kw = s.declarationList.flags & ts.NodeFlags.Let ? 'let' : 'var';
      return { kind: 'module', decl: this.span(s), template: `${kw} NAME${d.type ? `: ${d.type.getText(this.sf)}` : ''};` };
    }
    return { kind: 'module' };
  }

  /** A field declaration of the class: the fix copies it with another name. */
  private fieldHolder(className: string | undefined, name: string): DefSite['holder'] {
    const ts = this.ts;
    const c = className ? this.classes.get(className) : undefined;
    if (c) settle(this.ts, this.sf, c);
    const m = c?.members.find(x => ts.isPropertyDeclaration(x) && x.name.getText(this.sf) === name) as TS.PropertyDeclaration | undefined;
    if (!m) return { kind: 'field' };
    const text = this.text.slice(m.getStart(this.sf), m.end);
    const at = m.name.getStart(this.sf) - m.getStart(this.sf);
    return { kind: 'field', decl: this.span(m), template: text.slice(0, at) + 'NAME' + text.slice(at + m.name.getText(this.sf).length) };
  }

  private assign(target: TS.Expression, v: WgValue, ctx: FnCtx, scope: Scope, eff: Effects): void {
    const ts = this.ts;
    if (ts.isIdentifier(target)) {
      const name = target.text;
      const variable = scope.lookup(name);
      if (variable?.module) {
        // kept where other functions can use it: what it holds escapes
        if (ctx.node !== this.sf) for (const k of bufferKeysOf(v)) ctx.fn.escaping.add(k);
        ctx.overlay.set(name, v);
        if (this.collecting) this.noteAssigned(name, v);
      } else if (variable) variable.value = v;
      eff.assigns.add(name);
      return;
    }
    if (ts.isPropertyAccessExpression(target) && target.expression.kind === ts.SyntaxKind.ThisKeyword && ctx.className) {
      const key = `${ctx.className}.${target.name.text}`;
      for (const k of bufferKeysOf(v)) ctx.fn.escaping.add(k);
      ctx.overlay.set(`this.${target.name.text}`, v);
      if (this.collecting) this.noteAssigned(key, v);
      eff.assigns.add(`this.${target.name.text}`);
      return;
    }
    // obj.x = buffer (or a bind group of it): it escapes into an object we do not follow
    for (const k of bufferKeysOf(v)) ctx.fn.escaping.add(k);
  }

  private noteAssigned(key: string, v: WgValue): void {
    const prev = this.assigned.get(key);
    if (!prev) this.assigned.set(key, { value: v, count: 1 });
    else if (!(sameKey(prev.value, v))) this.assigned.set(key, { value: UNKNOWN, count: prev.count + 1 });
  }

  private property(e: TS.PropertyAccessExpression, ctx: FnCtx, scope: Scope, eff: Effects, blk?: HostBlock): WgValue {
    const ts = this.ts;
    const name = e.name.text;
    if (e.expression.kind === ts.SyntaxKind.ThisKeyword) {
      const local = ctx.overlay.get(`this.${name}`);
      if (local) return local;
      const a = ctx.className ? this.assigned.get(`${ctx.className}.${name}`) : undefined;
      if (a) return a.count === 1 ? a.value : UNKNOWN;
      // a field never assigned a GPU object (a constructor parameter, a count): a named input
      return { kind: 'num', m: monoSym(`this.${name}`) };
    }
    if (ts.isIdentifier(e.expression) && TYPED_BYTES[e.expression.text] && name === 'BYTES_PER_ELEMENT') return { kind: 'num', m: monoConst(TYPED_BYTES[e.expression.text]) };
    const obj = this.expression(e.expression, ctx, scope, eff, undefined, blk);
    if (name === 'queue' && !GPU_KINDS.has(obj.kind)) return { kind: 'queue' };
    if (name === 'queue' && obj.kind === 'device') return { kind: 'queue' };
    if (obj.kind === 'typed') {
      if (name === 'length' && obj.length) return { kind: 'num', m: obj.length };
      if (name === 'byteLength' && obj.length) return { kind: 'num', m: monoMul(obj.length, monoConst(obj.elemBytes)) };
    }
    if (obj.kind === 'buffer' && name === 'size' && obj.size) return { kind: 'num', m: obj.size };
    return UNKNOWN;
  }

  private newExpr(e: TS.NewExpression, ctx: FnCtx, scope: Scope, eff: Effects, blk?: HostBlock): WgValue {
    const ts = this.ts;
    const ctor = ts.isIdentifier(e.expression) ? e.expression.text : '';
    const args = e.arguments ?? [];
    const vals = args.map(a => this.expression(a, ctx, scope, eff, undefined, blk));
    const bytes = TYPED_BYTES[ctor];
    if (bytes) {
      const a = args[0];
      if (a && ts.isArrayLiteralExpression(a)) return { kind: 'typed', elemBytes: bytes, length: monoConst(a.elements.length) };
      if (vals[0]?.kind === 'num') return { kind: 'typed', elemBytes: bytes, length: vals[0].m };
      if (vals[0]?.kind === 'typed') return { kind: 'typed', elemBytes: bytes, length: vals[0].length };
      return { kind: 'typed', elemBytes: bytes };
    }
    return UNKNOWN;
  }

  private call(e: TS.CallExpression, ctx: FnCtx, scope: Scope, eff: Effects, decl: { name: string; site: (ref: string, device: string) => DefSite; stmt: TS.Statement } | undefined, blk?: HostBlock, stmt?: TS.ExpressionStatement): WgValue {
    const ts = this.ts;
    const callee = e.expression;
    if (ts.isPropertyAccessExpression(callee)) {
      const method = callee.name.text;
      const recvText = callee.expression.getText(this.sf);
      if (ts.isIdentifier(callee.expression) && callee.expression.text === 'Math') {
        const vals = e.arguments.map(a => this.expression(a, ctx, scope, eff, undefined, blk));
        if ((method === 'ceil' || method === 'floor' || method === 'round' || method === 'trunc') && vals[0]?.kind === 'num') {
          const v = monoValue(vals[0].m);
          if (v !== undefined) return { kind: 'num', m: monoConst(Math[method](v)) };
          return { ...this.opaqueNum(e), ceil: this.ceilDiv(e.arguments[0], method, ctx, scope) } as WgValue;
        }
        if ((method === 'max' || method === 'min') && vals.every(v => v.kind === 'num' && monoValue(v.m) !== undefined)) {
          return { kind: 'num', m: monoConst(Math[method](...vals.map(v => monoValue((v as { m: Mono }).m)!))) };
        }
        return vals.every(v => v.kind === 'num') ? this.opaqueNum(e) : UNKNOWN;
      }
      const recv = this.expression(callee.expression, ctx, scope, eff, undefined, blk);
      switch (method) {
        case 'createShaderModule': return this.createShader(e, ctx, scope, eff, blk);
        case 'createComputePipeline':
        case 'createComputePipelineAsync': return this.createPipeline(e, ctx, scope, eff, decl, recvText, blk);
        case 'createBuffer': return this.createBuffer(e, ctx, scope, eff, decl, recvText, blk);
        case 'createBindGroup': return this.createBindGroup(e, ctx, scope, eff, decl, recvText, blk);
        case 'createCommandEncoder': return { kind: 'encoder', id: this.ids++ };
      }
      const args = e.arguments.map(a => this.expression(a, ctx, scope, eff, undefined, blk));
      if ((method === 'beginComputePass' || method === 'beginRenderPass') && (recv.kind === 'encoder' || recv.kind === 'unknown')) {
        const id = this.ids++;
        const enc = recv.kind === 'encoder' ? recv.id : -1;
        if (method === 'beginComputePass') {
          // a `const` of its own: nothing else can refer to the pass once it has ended
          const alone = decl && this.ts.isVariableStatement(decl.stmt) && (decl.stmt.declarationList.flags & ts.NodeFlags.Const) !== 0 && decl.stmt.declarationList.declarations.length === 1 && skipOuter(ts, decl.stmt.declarationList.declarations[0].initializer!) === e;
          ctx.passes.set(id, { info: { id, encoder: enc, text: decl?.name ?? '', dispatches: [], setters: [], others: 0, begin: alone ? this.span(decl.stmt) : undefined }, groups: new Map(), ambiguous: new Set() });
        }
        return { kind: 'pass', id, encoder: enc, render: method === 'beginRenderPass' };
      }
      if (method === 'finish' && recv.kind === 'encoder') return { kind: 'cmdbuf', encoder: recv.id };
      if (method === 'getBindGroupLayout') return { kind: 'layout', pipeline: recv.kind === 'pipeline' ? recv : undefined, group: args[0]?.kind === 'num' ? monoValue(args[0].m) ?? -1 : -1 };
      if (recv.kind === 'pass') return this.passCommand(e, method, recv, args, ctx, eff, blk, stmt);
      if (this.collecting || !blk) return UNKNOWN;
      if (this.gpuEvent(e, method, recv, args, ctx, eff, blk)) return UNKNOWN;
      return this.unknownCall(e, [...args, recv], ctx, eff, blk);
    }
    const args = e.arguments.map(a => this.expression(a, ctx, scope, eff, undefined, blk));
    if (this.collecting || !blk) return UNKNOWN;
    return this.unknownCall(e, args, ctx, eff, blk);
  }

  /**
   * A statement without WebGPU calls: only a call handed GPU objects matters (a barrier). Its
   * identifiers are looked up instead of evaluating the expression.
   */
  private plainCall(e: TS.Expression, ctx: FnCtx, scope: Scope, eff: Effects, blk: HostBlock): void {
    const ts = this.ts;
    if (this.collecting) return;
    const call = skipOuter(ts, e);
    const inner = ts.isAwaitExpression(call) ? skipOuter(ts, call.expression) : call;
    if (!ts.isCallExpression(inner)) return;
    const vals: WgValue[] = [];
    const visit = (n: TS.Node) => {
      if (ts.isIdentifier(n)) {
        const v = this.lookup(n.text, ctx, scope);
        if (GPU_KINDS.has(v.kind)) vals.push(v);
      }
      ts.forEachChild(n, visit);
    };
    visit(inner);
    if (vals.length) this.unknownCall(inner, vals, ctx, eff, blk);
  }

  /** A call we do not know: a barrier when it is handed GPU objects (it may use them in any way). */
  private unknownCall(e: TS.CallExpression, vals: WgValue[], ctx: FnCtx, eff: Effects, blk: HostBlock): WgValue {
    const gpuArgs = vals.filter(v => GPU_KINDS.has(v.kind));
    if (!gpuArgs.length) return UNKNOWN;
    for (const v of gpuArgs) for (const k of bufferKeysOf(v)) ctx.fn.escaping.add(k);
    this.event(ctx, blk, eff, { kind: 'opaque', span: this.span(e), text: excerpt(e.getText(this.sf)), reads: '*', writes: '*', assigns: [], sync: false });
    return UNKNOWN;
  }

  /** queue.writeBuffer, copyBufferToBuffer, mapAsync and other commands that touch buffers. */
  private gpuEvent(e: TS.CallExpression, method: string, recv: WgValue, args: WgValue[], ctx: FnCtx, eff: Effects, blk: HostBlock): boolean {
    const key = (v: WgValue | undefined) => (v?.kind === 'buffer' ? v.key : undefined);
    const text = excerpt(e.getText(this.sf));
    const span = this.span(e);
    const ev = (kind: HostEvent['kind'], reads: string[] | '*', writes: string[] | '*', sync = false) => {
      this.event(ctx, blk, eff, { kind, span, text, reads, writes, assigns: [], sync });
      return true as const;
    };
    const one = (v: WgValue | undefined): string[] | '*' => (key(v) ? [key(v)!] : '*');
    if (recv.kind === 'queue' || (recv.kind === 'unknown' && /\bqueue$/.test((e.expression as TS.PropertyAccessExpression).expression.getText(this.sf)))) {
      if (method === 'submit') return ev('call', [], []);
      if (method === 'writeBuffer') return ev('memcpy', [], one(args[0]));
      if (method === 'onSubmittedWorkDone') return ev('sync', [], [], true);
      return ev('opaque', '*', '*');
    }
    if (recv.kind === 'encoder') {
      if (method === 'copyBufferToBuffer') return ev('memcpy', one(args[0]), one(args[2]));
      if (method === 'clearBuffer') return ev('memset', [], one(args[0]));
      if (method === 'copyBufferToTexture') return ev('memcpy', one(args[0]), []);
      if (method === 'copyTextureToBuffer') return ev('memcpy', [], '*');
      if (method === 'pushDebugGroup' || method === 'popDebugGroup' || method === 'insertDebugMarker' || method === 'writeTimestamp' || method === 'resolveQuerySet') return true;
      return ev('opaque', '*', '*');
    }
    if (recv.kind === 'buffer') {
      if (method === 'mapAsync') return ev('sync', [recv.key], [recv.key], true);
      if (method === 'getMappedRange') return ev('host-access', [recv.key], [recv.key]);
      if (method === 'unmap') return ev('host-access', [recv.key], [recv.key]);
      if (method === 'destroy') return ev('free', [], [recv.key]);
      return ev('opaque', [recv.key], [recv.key]);
    }
    if (recv.kind === 'device') {
      if (method === 'pushErrorScope' || method === 'popErrorScope' || method === 'destroy') return true;
      return ev('opaque', '*', '*');
    }
    if (recv.kind === 'cmdbuf' || recv.kind === 'pipeline' || recv.kind === 'bindGroup' || recv.kind === 'shader') return true;
    return false;
  }

  private event(ctx: FnCtx, blk: HostBlock, eff: Effects, ev: HostEvent): void {
    if (ev.sync) eff.sync = true;
    if (ev.reads === '*') eff.reads = '*';
    else if (eff.reads !== '*') for (const k of ev.reads) eff.reads.add(k);
    if (ev.writes === '*') eff.writes = '*';
    else if (eff.writes !== '*') for (const k of ev.writes) eff.writes.add(k);
    this.push(ctx, blk, { event: ev });
  }

  // ---------------------------------------------------------------- creation calls

  private objArg(e: TS.CallExpression): TS.ObjectLiteralExpression | undefined {
    const a = e.arguments[0];
    return a && this.ts.isObjectLiteralExpression(skipOuter(this.ts, a)) ? (skipOuter(this.ts, a) as TS.ObjectLiteralExpression) : undefined;
  }

  private prop(o: TS.ObjectLiteralExpression | undefined, name: string): TS.Expression | undefined {
    if (!o) return undefined;
    const ts = this.ts;
    for (const p of o.properties) {
      if (ts.isPropertyAssignment(p) && propName(ts, p.name) === name) return p.initializer;
      if (ts.isShorthandPropertyAssignment(p) && p.name.text === name) return p.name;
    }
    return undefined;
  }

  private createShader(e: TS.CallExpression, ctx: FnCtx, scope: Scope, eff: Effects, blk?: HostBlock): WgValue {
    const o = this.objArg(e);
    const codeExpr = this.prop(o, 'code');
    const key = `shader@${e.getStart(this.sf)}`;
    const cached = this.shaderByKey.get(key);
    const v = codeExpr ? this.expression(codeExpr, ctx, scope, eff, undefined, blk) : UNKNOWN;
    const shader: WgShader = { kind: 'shader', key, codeFrom: v.kind === 'str' ? v.from : 'code we cannot read statically', span: this.span(e) };
    if (v.kind === 'str') {
      shader.code = v.value;
      shader.summary = cached?.code === v.value && cached.summary ? cached.summary : summarizeWgsl(v.value);
      for (const p of shader.summary.problems) if (!this.collecting) this.prog.problems.push({ message: `${p} (shader module here)`, span: shader.span });
    } else shader.problem = codeExpr ? `its WGSL comes from \`${excerpt(codeExpr.getText(this.sf), 40)}\`, which is not a string the analyzer can read` : 'it has no `code`';
    this.shaderByKey.set(key, shader);
    return shader;
  }

  private createPipeline(e: TS.CallExpression, ctx: FnCtx, scope: Scope, eff: Effects, decl: { name: string; site: (ref: string, device: string) => DefSite } | undefined, device: string, blk?: HostBlock): WgValue {
    const ts = this.ts;
    const o = this.objArg(e);
    const compute = this.prop(o, 'compute');
    const co = compute && ts.isObjectLiteralExpression(skipOuter(ts, compute)) ? (skipOuter(ts, compute) as TS.ObjectLiteralExpression) : undefined;
    const modExpr = this.prop(co, 'module');
    const mod = modExpr ? this.expression(modExpr, ctx, scope, eff, undefined, blk) : UNKNOWN;
    const epExpr = this.prop(co, 'entryPoint');
    const ep = epExpr ? this.expression(epExpr, ctx, scope, eff, undefined, blk) : undefined;
    const name = decl?.name ?? `pipeline@${e.getStart(this.sf)}`;
    const p: WgPipeline = { kind: 'pipeline', key: `${name}@${e.getStart(this.sf)}`, name, constants: !!this.prop(co, 'constants'), def: decl ? decl.site(decl.name, device) : undefined };
    if (mod.kind === 'shader') {
      p.shader = mod;
      const entries = mod.summary?.entries ?? [];
      if (ep && ep.kind === 'str') p.entryPoint = ep.value;
      else if (!ep && entries.length === 1) p.entryPoint = entries[0].name;
      p.entry = entries.find(x => x.name === p.entryPoint);
      if (!mod.code) p.problem = `the shader module's code is not known: ${mod.problem}`;
      else if (!p.entry) p.problem = ep && ep.kind !== 'str' ? 'its entry point is not a constant' : `the shader has no compute entry point \`${p.entryPoint ?? '?'}\``;
    } else p.problem = 'its shader module is not known';
    return p;
  }

  private createBuffer(e: TS.CallExpression, ctx: FnCtx, scope: Scope, eff: Effects, decl: { name: string; site: (ref: string, device: string) => DefSite } | undefined, device: string, blk?: HostBlock): WgValue {
    const o = this.objArg(e);
    const sizeExpr = this.prop(o, 'size');
    const size = sizeExpr ? this.expression(sizeExpr, ctx, scope, eff, undefined, blk) : UNKNOWN;
    const name = decl?.name ?? 'buffer';
    const def = decl ? decl.site(decl.name, device) : undefined;
    const shared = !!def && (def.block === this.sf || def.ref.startsWith('this.') || !def.declaration);
    return {
      kind: 'buffer', key: `${name}@${e.getStart(this.sf)}`, name, size: size.kind === 'num' ? size.m : undefined,
      sizeText: sizeExpr?.getText(this.sf), allocated: true, shared, def,
    };
  }

  private createBindGroup(e: TS.CallExpression, ctx: FnCtx, scope: Scope, eff: Effects, decl: { name: string; site: (ref: string, device: string) => DefSite } | undefined, device: string, blk?: HostBlock): WgValue {
    const ts = this.ts;
    const o = this.objArg(e);
    const layoutExpr = this.prop(o, 'layout');
    const layout = layoutExpr ? this.expression(layoutExpr, ctx, scope, eff, undefined, blk) : UNKNOWN;
    const entriesExpr = this.prop(o, 'entries');
    const name = decl?.name ?? 'bindGroup';
    const bg: WgBindGroup = {
      kind: 'bindGroup', key: `${name}@${e.getStart(this.sf)}`, name, entries: [], complete: false, def: decl ? decl.site(decl.name, device) : undefined,
      layoutOf: layout.kind === 'layout' ? { pipeline: layout.pipeline, group: layout.group } : undefined,
    };
    const list = entriesExpr ? skipOuter(ts, entriesExpr) : undefined;
    if (!list || !ts.isArrayLiteralExpression(list)) return bg;
    bg.complete = true;
    for (const el of list.elements) {
      const eo = skipOuter(ts, el);
      if (!ts.isObjectLiteralExpression(eo)) { bg.complete = false; continue; }
      const b = this.expression(this.prop(eo, 'binding') ?? eo, ctx, scope, eff, undefined, blk);
      const resExpr = this.prop(eo, 'resource');
      const binding = b.kind === 'num' ? monoValue(b.m) : undefined;
      if (binding === undefined || !resExpr) { bg.complete = false; continue; }
      const entry: BindEntry = { binding, resourceText: resExpr.getText(this.sf) };
      const r = skipOuter(ts, resExpr);
      let bufExpr: TS.Expression | undefined;
      if (ts.isObjectLiteralExpression(r)) {
        bufExpr = this.prop(r, 'buffer');
        const off = this.prop(r, 'offset');
        const sz = this.prop(r, 'size');
        if (off) { const v = this.expression(off, ctx, scope, eff, undefined, blk); entry.offset = v.kind === 'num' ? v.m : undefined; entry.offsetText = off.getText(this.sf); if (!entry.offset) entry.offset = monoConst(NaN); }
        if (sz) { const v = this.expression(sz, ctx, scope, eff, undefined, blk); entry.size = v.kind === 'num' ? v.m : undefined; }
      } else bufExpr = r;
      const bv = bufExpr ? this.expression(bufExpr, ctx, scope, eff, undefined, blk) : UNKNOWN;
      if (bv.kind === 'buffer') entry.buffer = bv;
      else entry.otherKey = `${(bufExpr ?? r).getText(this.sf).replace(/\.createView\([^)]*\)$/, '').replace(/\s+/g, '')}`;
      bg.entries.push(entry);
    }
    return bg;
  }

  // ---------------------------------------------------------------- pass commands

  private passCommand(e: TS.CallExpression, method: string, recv: { kind: 'pass'; id: number; encoder: number; render: boolean }, args: WgValue[], ctx: FnCtx, eff: Effects, blk?: HostBlock, stmt?: TS.ExpressionStatement): WgValue {
    const ts = this.ts;
    if (this.collecting || !blk) return UNKNOWN;
    if (recv.render) {
      if (/^draw/.test(method)) this.event(ctx, blk, eff, { kind: 'opaque', span: this.span(e), text: excerpt(e.getText(this.sf)), reads: '*', writes: '*', assigns: [], sync: false });
      return UNKNOWN;
    }
    let st = ctx.passes.get(recv.id);
    if (!st) {
      st = { info: { id: recv.id, encoder: recv.encoder, text: (e.expression as TS.PropertyAccessExpression).expression.getText(this.sf), dispatches: [], setters: [], others: 1 }, groups: new Map(), ambiguous: new Set() };
      ctx.passes.set(recv.id, st);
    }
    st.info.text = (e.expression as TS.PropertyAccessExpression).expression.getText(this.sf);
    const standalone = !!stmt && skipOuter(ts, stmt.expression) === e;
    const stmtSpan = stmt ? this.span(stmt) : this.span(e);
    if (method === 'setPipeline') {
      const p = args[0];
      st.pipeline = { id: this.ids++, kind: 'pipeline', group: -1, stmt: stmtSpan, standalone, pipeline: p.kind === 'pipeline' ? p : undefined, users: [] };
      st.info.setters.push(st.pipeline);
      st.ambiguous.delete('p');
      return UNKNOWN;
    }
    if (method === 'setBindGroup') {
      const g = args[0]?.kind === 'num' ? monoValue(args[0].m) : undefined;
      if (g === undefined) { for (let k = 0; k < 4; k++) st.ambiguous.add(`g${k}`); st.info.others++; return UNKNOWN; }
      const bg = args[1];
      const dynamic = e.arguments.length > 2;
      const setter: Setter = { id: this.ids++, kind: 'group', group: g, stmt: stmtSpan, standalone, bindGroup: bg.kind === 'bindGroup' && !dynamic ? bg : undefined, users: [] };
      st.groups.set(g, setter);
      st.info.setters.push(setter);
      st.ambiguous.delete(`g${g}`);
      return UNKNOWN;
    }
    if (method === 'dispatchWorkgroups' || method === 'dispatchWorkgroupsIndirect') {
      this.dispatch(e, method, args, st, ctx, blk, eff, standalone, stmtSpan);
      return UNKNOWN;
    }
    if (method === 'end' && standalone && !st.info.end) st.info.end = stmtSpan;
    else st.info.others++;
    return UNKNOWN;
  }

  private dispatch(e: TS.CallExpression, method: string, args: WgValue[], st: NonNullable<ReturnType<FnCtx['passes']['get']>>, ctx: FnCtx, blk: HostBlock, eff: Effects, standalone: boolean, stmtSpan: Span): void {
    const callee = e.expression as TS.PropertyAccessExpression;
    const d: WgDispatch = {
      id: this.prog.dispatches.length, pass: st.info, groupSetters: new Map(), bindings: [], stmt: stmtSpan, call: this.span(e),
      nameSpan: { start: callee.name.getStart(this.sf), end: callee.name.end }, standalone, argsText: e.arguments.map(a => a.getText(this.sf)), fn: ctx.node,
    };
    const opaque: string[] = [];
    if (st.ambiguous.has('p')) opaque.push('its pipeline depends on which branch or iteration ran before');
    d.pipelineSetter = st.pipeline;
    d.pipeline = st.pipeline?.pipeline;
    if (!st.pipeline) opaque.push('no pipeline is set on the pass before it in this function');
    else if (!d.pipeline) opaque.push('its pipeline is not one the analyzer can resolve');
    else if (d.pipeline.problem) opaque.push(`pipeline \`${d.pipeline.name}\`: ${d.pipeline.problem}`);
    d.entry = d.pipeline?.entry;
    if (method === 'dispatchWorkgroupsIndirect') {
      const b = args[0];
      d.indirect = { buffer: b.kind === 'buffer' ? b : undefined, offsetText: d.argsText[1] ?? '0', argsText: d.argsText.join(', ') };
    } else {
      if (args.every(a => a.kind === 'num')) {
        d.counts = args.map(a => (a as { m: Mono }).m);
        d.countCeil = args.map(a => (a as { ceil?: { x: Mono; k: number } }).ceil);
      }
    }
    if (d.entry) {
      for (const b of d.entry.bindings) {
        const setter = st.groups.get(b.group);
        d.groupSetters.set(b.group, setter);
        if (st.ambiguous.has(`g${b.group}`)) opaque.push(`bind group ${b.group} depends on which branch or iteration ran before`);
        const bg = setter?.bindGroup;
        if (!setter) { opaque.push(`no bind group ${b.group} is set before it`); continue; }
        if (!bg) { opaque.push(`bind group ${b.group} is not one the analyzer can resolve`); continue; }
        const entry = bg.entries.find(x => x.binding === b.binding);
        if (!entry) { opaque.push(`bind group \`${bg.name}\` has no resolvable entry for binding ${b.binding} (\`${b.name}\`)`); continue; }
        if ((b.resource === 'storage' || b.resource === 'uniform') && !entry.buffer) opaque.push(`binding ${b.binding} (\`${b.name}\`) of \`${bg.name}\` is not a buffer the analyzer can follow`);
        d.bindings.push({ binding: b, entry, group: bg });
      }
    }
    if (opaque.length) d.opaque = [...new Set(opaque)].join('; ');
    if (st.pipeline) st.pipeline.users.push(d.id);
    for (const s of new Set(d.groupSetters.values())) s?.users.push(d.id);
    st.info.dispatches.push(d.id);
    this.prog.dispatches.push(d);
    // effects on the enclosing blocks: what the dispatch reads and writes
    const reads = new Set<string>();
    const writes = new Set<string>();
    if (d.opaque) { eff.reads = '*'; eff.writes = '*'; }
    for (const b of d.bindings) {
      const k = b.entry?.buffer?.key ?? b.entry?.otherKey;
      const u = d.entry?.uses.get(b.binding.name);
      if (!k || !u) continue;
      if (u.access !== 'write') reads.add(k);
      if (u.access !== 'read') writes.add(k);
    }
    if (d.indirect?.buffer) reads.add(d.indirect.buffer.key);
    if (eff.reads !== '*') for (const k of reads) eff.reads.add(k);
    if (eff.writes !== '*') for (const k of writes) eff.writes.add(k);
    const pos = ctx.pos;
    this.push(ctx, blk, { dispatch: d });
    for (const k of reads) addRead(ctx.fn.reads, k, pos);
  }

  // ---------------------------------------------------------------- helpers

  /** Buffers an expression or a closure can reach by name: directly or through a bind group. */
  private buffersIn(e: TS.Node, ctx: FnCtx, scope: Scope): string[] {
    const ts = this.ts;
    const out: string[] = [];
    const visit = (n: TS.Node) => {
      if (ts.isIdentifier(n)) out.push(...bufferKeysOf(this.lookup(n.text, ctx, scope)));
      else if (ts.isPropertyAccessExpression(n) && n.expression.kind === ts.SyntaxKind.ThisKeyword) out.push(...bufferKeysOf(this.property(n, ctx, scope, newEffects())));
      ts.forEachChild(n, visit);
    };
    visit(e);
    return out;
  }

  /**
   * A closure outlives the statement that makes it (a callback, a returned method): the buffers it
   * can reach may be read whenever it runs, so they escape the enclosing function.
   */
  private closureEscapes(fn: TS.Node, ctx: FnCtx, scope: Scope): void {
    if (this.collecting || ctx.node === this.sf) return;
    for (const k of this.buffersIn(fn, ctx, scope)) ctx.fn.escaping.add(k);
  }

  private span(n: TS.Node): Span {
    return { start: n.getStart(this.sf), end: n.end };
  }
}

/** The buffers a value holds or reaches: a buffer, or the buffers of a bind group. */
function bufferKeysOf(v: WgValue): string[] {
  if (v.kind === 'buffer') return [v.key];
  if (v.kind === 'bindGroup') return v.entries.flatMap(e => (e.buffer ? [e.buffer.key] : []));
  return [];
}

function newEffects(): Effects {
  return { reads: new Set(), writes: new Set(), assigns: new Set(), sync: false };
}

function mergeEffects(into: Effects, from: Effects): void {
  if (from.reads === '*') into.reads = '*';
  else if (into.reads !== '*') for (const k of from.reads) into.reads.add(k);
  if (from.writes === '*') into.writes = '*';
  else if (into.writes !== '*') for (const k of from.writes) into.writes.add(k);
  for (const a of from.assigns) into.assigns.add(a);
  into.sync ||= from.sync;
}

function snapshotPasses(ctx: FnCtx): Map<number, { pipeline?: Setter; groups: Map<number, Setter | undefined> }> {
  const out = new Map<number, { pipeline?: Setter; groups: Map<number, Setter | undefined> }>();
  for (const [id, st] of ctx.passes) out.set(id, { pipeline: st.pipeline, groups: new Map(st.groups) });
  return out;
}

function addRead(reads: Map<string, number[]>, key: string, pos: number): void {
  const list = reads.get(key);
  if (list) list.push(pos);
  else reads.set(key, [pos]);
}

function sameKey(a: WgValue, b: WgValue): boolean {
  return 'key' in a && 'key' in b && a.key === b.key;
}

function skipOuter(ts: TypeScriptApi, e: TS.Expression): TS.Expression {
  for (;;) {
    if (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isNonNullExpression(e) || ts.isSatisfiesExpression(e) || ts.isTypeAssertionExpression(e)) e = e.expression;
    else return e;
  }
}

function propName(ts: TypeScriptApi, n: TS.PropertyName): string | undefined {
  if (ts.isIdentifier(n) || ts.isStringLiteral(n) || ts.isNumericLiteral(n)) return n.text;
  return undefined;
}

function bindingNames(ts: TypeScriptApi, n: TS.BindingName): string[] {
  if (ts.isIdentifier(n)) return [n.text];
  const out: string[] = [];
  for (const el of n.elements) if (!ts.isOmittedExpression(el)) out.push(...bindingNames(ts, el.name));
  return out;
}

function fnName(ts: TypeScriptApi, n: TS.Node): string {
  if ((ts.isFunctionDeclaration(n) || ts.isFunctionExpression(n)) && n.name) return n.name.text;
  return '<closure>';
}

function excerpt(s: string, max = 60): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > max ? t.slice(0, max - 1) + '…' : t;
}
