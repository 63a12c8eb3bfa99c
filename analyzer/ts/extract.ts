// Syntactic extraction of TensorFlow.js op chains from one function-like body (research/parsing.md
// section 2: resolving `tf` needs no type checker). Walks the AST without parent pointers, keeps
// its own scope chain (imports, require, re-bound names, shadowing), and records every tf op with
// its tensor inputs, every host event that reads a tensor, and every read of a tensor variable
// (for liveness). Never throws on odd input: unknown constructs are walked for reads and skipped.

import type * as TS from 'typescript';
import type { Span } from '../core/text';
import type { Annotations } from '../core/annotations';
import type { GradientContext, TArg, TBlock, TEvent, TFunction, TLoopOp, TOp, TValue } from './model';
import type { TypeScriptApi } from './tsModule';
import {
  ACTIVATIONS, BOOL_OPS, CREATORS, GRADIENT_FUNCTIONS, GRADIENT_METHODS, NON_OPS, OP_NAMESPACES, SYNC_METHODS,
  TENSOR_ONLY_METHODS, isElementwise, opKind,
} from './ops';
import { broadcastDims, conv2dOutDims, matMulOutDims, nestedDims, reshapeDims, sizeOf } from './shapes';

/** What a name means at some point of the program. */
export type Binding =
  | { kind: 'ns' }
  | { kind: 'fn'; op: string }
  | { kind: 'sub'; path: string }
  | { kind: 'tensor'; value: number; stable: boolean }
  | { kind: 'maybe-tensor'; rank?: number; typeText?: string; stable: boolean }
  | { kind: 'num'; value: number }
  | { kind: 'nums'; values: number[] }
  | { kind: 'array'; values: number[] }
  | { kind: 'func'; name: string }
  | { kind: 'other' };

/** A Map that counts its changes: a key made from a scope's bindings is reused until they change. */
export class VersionedMap<K, V> extends Map<K, V> {
  version = 0;
  override set(k: K, v: V): this {
    this.version++;
    return super.set(k, v);
  }
  override delete(k: K): boolean {
    this.version++;
    return super.delete(k);
  }
  override clear(): void {
    this.version++;
    super.clear();
  }
}

export class Scope {
  readonly vars = new VersionedMap<string, Binding>();
  constructor(readonly parent?: Scope, readonly fnScope = false) {}
  lookup(name: string): { b: Binding; scope: Scope } | undefined {
    for (let s: Scope | undefined = this; s; s = s.parent) {
      const b = s.vars.get(name);
      if (b) return { b, scope: s };
    }
    return undefined;
  }
}

/** Module-wide facts the extraction of any function depends on. */
export interface ModuleContext {
  scope: Scope;
  annotations: Annotations;
  /** Shapes of `this.x` fields per class name. */
  fields: Map<string, Map<string, { dims?: number[]; dtype?: string }>>;
}

interface Ev {
  value?: number;
  num?: number;
  str?: string;
  bool?: boolean;
  nums?: number[];
  ns?: boolean;
  tfFn?: string;
  sub?: string;
  array?: number[];
  /** An identifier or `this.x` that may be a tensor (parameter of unknown type). */
  maybe?: { name: string; rank?: number; scope?: Scope; field?: boolean };
  func?: TS.Node;
}

const TEMP = '\u0000';

export interface ExtractResult {
  fns: TFunction[];
  /** Functions passed by name to gradient APIs, and names of functions whose bodies are gradient closures. */
  gradientNames: Set<string>;
}

/** Extracted callbacks of module-level calls, kept by the frontend across analyses (frontend.ts). */
export interface ClosureCache {
  /** What a callback's extraction depends on besides its own text: the bindings it can see. */
  scopeKey(scope: Scope, values: TValue[]): string;
  get(node: TS.Node, key: string): { fns: TFunction[]; gradientNames: string[] } | undefined;
  set(node: TS.Node, key: string, entry: { fns: TFunction[]; gradientNames: string[] }): void;
}

export class Extractor {
  readonly fns: TFunction[] = [];
  readonly gradientNames = new Set<string>();
  private fn!: TFunction;
  private block!: TBlock;
  private scope!: Scope;
  private pos = 0;
  private stmtId = 0;
  private stmtSpan: Span = { start: 0, end: 0 };
  private stmtNode: TS.Node | undefined;
  private tempId = 0;
  private assigned = new Set<string>();
  private className: string | undefined;
  private readCollectors: Array<Set<string>> = [];
  private opStarts = new Set<number>();
  /** The call of the module-level expression statement being walked (its callbacks may be cached). */
  private topCall: TS.CallExpression | undefined;
  /** Set by the frontend for the module walk: callbacks of module-level calls, by node. */
  closureCache: ClosureCache | undefined;
  private returned: number | undefined;

  constructor(
    private readonly ts: TypeScriptApi,
    private readonly sf: TS.SourceFile,
    private readonly mod: ModuleContext,
    private fnIdBase = 0,
  ) {}

  private start(n: TS.Node): number {
    return n.getStart(this.sf);
  }
  private span(n: TS.Node): Span {
    return { start: n.getStart(this.sf), end: n.end };
  }
  private text(n: TS.Node): string {
    return this.sf.text.slice(n.getStart(this.sf), n.end);
  }

  // ------------------------------------------------------------------ functions

  /** Extracts one function-like node (or a list of module-level statements as `body`). */
  runFunction(
    node: TS.Node,
    name: string,
    parent: Scope,
    opts: { gradient?: GradientContext; className?: string; body?: readonly TS.Statement[]; params?: readonly TS.ParameterDeclaration[]; scope?: Scope; skip?: (s: TS.Statement) => boolean } = {},
  ): TFunction {
    const ts = this.ts;
    const saved = { fn: this.fn, block: this.block, scope: this.scope, pos: this.pos, assigned: this.assigned, className: this.className, returned: this.returned, collectors: this.readCollectors };
    const fn: TFunction = {
      id: this.fnIdBase + this.fns.length, name, span: this.span(node), values: [], ops: [], events: [], blocks: [], reads: new Map(), loops: [],
      escaping: new Set(), loopOps: [], freeNames: new Set(), calls: new Set(), gradient: opts.gradient, baseGradient: opts.gradient,
    };
    this.fns.push(fn);
    this.fn = fn;
    this.pos = 0;
    this.returned = undefined;
    this.readCollectors = [];
    this.className = opts.className ?? this.className;
    this.scope = opts.scope ?? new Scope(parent, true);
    this.block = this.newBlock();
    const f = node as TS.FunctionLikeDeclaration;
    const params = opts.params ?? (f.parameters as readonly TS.ParameterDeclaration[] | undefined) ?? [];
    const body = opts.body ?? (f.body ? (ts.isBlock(f.body) ? f.body.statements : undefined) : undefined);
    this.assigned = opts.body ? collectAssignedText(opts.body.filter(st => !opts.skip?.(st)).map(st => this.sf.text.slice(st.pos, st.end)).join('\n')) : f.body ? collectAssignedText(this.sf.text.slice(f.body.pos, f.body.end)) : new Set();
    for (const p of params) this.bindParam(p);
    try {
      if (body) this.statements(body, opts.skip);
      else if (f.body) {
        // arrow function with an expression body
        this.stmtSpan = this.span(f.body);
        this.stmtNode = f.body;
        this.stmtId++;
        const ev = this.expr(f.body as TS.Expression);
        if (ev.value !== undefined) this.escape(ev.value, f.body);
      }
    } catch {
      // never throw on odd input: keep what was extracted so far
    }
    Object.assign(this, { fn: saved.fn, block: saved.block, scope: saved.scope, pos: saved.pos, assigned: saved.assigned, className: saved.className, returned: saved.returned, readCollectors: saved.collectors });
    return fn;
  }

  private newBlock(loop?: TBlock['loop']): TBlock {
    const b: TBlock = { id: this.fn.blocks.length, items: [], loop };
    this.fn.blocks.push(b);
    return b;
  }

  private bindParam(p: TS.ParameterDeclaration): void {
    const ts = this.ts;
    if (!ts.isIdentifier(p.name)) {
      for (const n of bindingNames(ts, p.name)) this.scope.vars.set(n, { kind: 'other' });
      return;
    }
    const name = p.name.text;
    const typeText = p.type ? this.text(p.type) : '';
    const rank = tensorRank(typeText);
    const stable = !this.assigned.has(name);
    if (/\[\]|Array</.test(typeText) && !/\|/.test(typeText)) {
      this.scope.vars.set(name, { kind: 'other' });
    } else if (rank !== undefined || /\bTensor\b|\bVariable\b|Tensor\d?D\b/.test(typeText)) {
      this.scope.vars.set(name, { kind: 'tensor', value: this.paramValue(name, rank, typeText), stable });
    } else if (typeText && !/any|unknown/.test(typeText)) {
      this.scope.vars.set(name, { kind: 'other' });
    } else {
      this.scope.vars.set(name, { kind: 'maybe-tensor', stable });
    }
  }

  private paramValue(name: string, rank: number | undefined, typeText = '', origin: TValue['origin'] = 'param'): number {
    const ann = this.mod.annotations.shapes.get(name);
    const v: TValue = {
      key: `${name}@p${this.fn.values.length}`, name, dtype: ann?.dtype ?? 'float32', dtypeKnown: !!ann?.dtype, spaceKey: `shape(${name})`, origin,
      rank: ann ? ann.dims.length : rank,
    };
    if (ann) { v.dims = ann.dims; v.shapeFrom = `annotation \`${name}=[${ann.dims.join(',')}]\``; }
    if (/int32/.test(typeText)) v.dtype = 'int32';
    return this.addValue(v);
  }

  private addValue(v: TValue): number {
    this.fn.values.push(v);
    return this.fn.values.length - 1;
  }

  // ------------------------------------------------------------------ statements

  statements(list: readonly TS.Statement[], skip?: (s: TS.Statement) => boolean): void {
    const ts = this.ts;
    // block-scoped declarations shadow from the start of the block (temporal dead zone)
    for (const s of list) {
      if (ts.isVariableStatement(s)) for (const d of s.declarationList.declarations) for (const n of bindingNames(ts, d.name)) if (!this.scope.vars.has(n)) this.scope.vars.set(n, { kind: 'other' });
      if ((ts.isFunctionDeclaration(s) || ts.isClassDeclaration(s)) && s.name) this.scope.vars.set(s.name.text, { kind: 'func', name: s.name.text });
    }
    for (const s of list) if (!skip?.(s)) this.statement(s);
  }

  /** Extracts one top-level declaration (function, class, `const f = () => …`) against the module scope. */
  topLevel(s: TS.Statement, scope: Scope): void {
    const ts = this.ts;
    this.scope = scope;
    try {
      if (ts.isFunctionDeclaration(s)) this.runFunction(s, s.name?.text ?? '<default>', scope);
      else if (ts.isClassDeclaration(s)) this.classDecl(s);
      else if (ts.isVariableStatement(s)) {
        for (const d of s.declarationList.declarations) {
          if (d.initializer && ts.isIdentifier(d.name) && isFunctionLike(ts, d.initializer)) this.runFunction(stripFn(ts, d.initializer), d.name.text, scope);
        }
      }
    } catch {
      // keep what was extracted
    }
  }

  private statement(s: TS.Statement): void {
    const ts = this.ts;
    const prevSpan = this.stmtSpan;
    const prevNode = this.stmtNode;
    this.stmtSpan = this.span(s);
    this.stmtNode = s;
    this.stmtId++;
    try {
      if (ts.isVariableStatement(s)) this.varStatement(s);
      else if (ts.isExpressionStatement(s)) {
        // module code like `describe('…', () => { … })`: its callbacks may come from the cache
        const top = this.closureCache && this.scope === this.mod.scope && ts.isCallExpression(s.expression) ? s.expression : undefined;
        const saved = this.topCall;
        this.topCall = top;
        try { this.expr(s.expression); } finally { this.topCall = saved; }
      }
      else if (ts.isReturnStatement(s)) {
        if (s.expression) {
          const ev = this.expr(s.expression);
          if (ev.value !== undefined) { this.escape(ev.value, s); this.returned = ev.value; }
          for (const v of ev.array ?? []) this.escape(v, s);
        }
      } else if (ts.isIfStatement(s)) {
        this.expr(s.expression);
        this.nested(s, () => { this.blockOf(s.thenStatement); if (s.elseStatement) this.blockOf(s.elseStatement); });
      } else if (ts.isForOfStatement(s) || ts.isForInStatement(s)) {
        const ev = this.expr(s.expression);
        this.loop(s, () => {
          const init = s.initializer;
          if (ts.isVariableDeclarationList(init)) {
            for (const d of init.declarations) {
              if (ts.isIdentifier(d.name) && ts.isForOfStatement(s) && ev.array?.length) {
                const dims = commonDims(ev.array.map(v => this.fn.values[v]));
                const v = this.addValue({ key: `${d.name.text}@l${this.fn.values.length}`, name: d.name.text, dims, dtype: 'float32', dtypeKnown: false, spaceKey: `elem(${this.text(s.expression)})`, origin: 'unknown', shapeFrom: dims ? 'the array elements' : undefined });
                this.scope.vars.set(d.name.text, { kind: 'tensor', value: v, stable: true });
              } else for (const n of bindingNames(ts, d.name)) this.scope.vars.set(n, { kind: 'maybe-tensor', stable: true });
            }
          }
          this.blockOf(s.statement, true);
        }, ev.array?.length);
      } else if (ts.isForStatement(s)) {
        this.loop(s, () => {
          if (s.initializer) {
            if (ts.isVariableDeclarationList(s.initializer)) for (const d of s.initializer.declarations) { for (const n of bindingNames(ts, d.name)) this.scope.vars.set(n, { kind: 'other' }); if (d.initializer) this.expr(d.initializer); }
            else this.expr(s.initializer);
          }
          if (s.condition) this.expr(s.condition);
          if (s.incrementor) this.expr(s.incrementor);
          this.blockOf(s.statement, true);
        }, this.tripCount(s));
      } else if (ts.isWhileStatement(s) || ts.isDoStatement(s)) {
        this.loop(s, () => { this.expr(s.expression); this.blockOf(s.statement, true); });
      } else if (ts.isBlock(s)) {
        this.nested(s, () => this.blockOf(s));
      } else if (ts.isTryStatement(s)) {
        this.nested(s, () => {
          this.blockOf(s.tryBlock);
          if (s.catchClause) this.blockOf(s.catchClause.block);
          if (s.finallyBlock) this.blockOf(s.finallyBlock);
        });
      } else if (ts.isSwitchStatement(s)) {
        this.expr(s.expression);
        this.nested(s, () => { for (const c of s.caseBlock.clauses) { const inner = this.scope; this.scope = new Scope(inner); this.block = this.newBlock(); this.statements(c.statements); this.scope = inner; } });
      } else if (ts.isLabeledStatement(s)) {
        this.statement(s.statement);
      } else if (ts.isFunctionDeclaration(s)) {
        if (s.name) this.scope.vars.set(s.name.text, { kind: 'func', name: s.name.text });
        this.closure(s, s.name?.text ?? '<function>');
      } else if (ts.isClassDeclaration(s)) {
        this.classDecl(s);
      } else if (ts.isThrowStatement(s)) {
        this.expr(s.expression);
      } else if (ts.isExportAssignment(s)) {
        this.expr(s.expression);
      }
    } finally {
      this.stmtSpan = prevSpan;
      this.stmtNode = prevNode;
    }
  }

  /** A nested statement in a scope of its own; a new block unless it is a loop's body (`same`). */
  private blockOf(s: TS.Statement, same = false): void {
    const ts = this.ts;
    const outerScope = this.scope;
    const outerBlock = this.block;
    this.scope = new Scope(outerScope);
    if (!same) this.block = this.newBlock();
    if (ts.isBlock(s)) this.statements(s.statements);
    else this.statements([s]);
    this.scope = outerScope;
    this.block = outerBlock;
  }

  /** A nested construct: one `control` event in the outer block that reads what the inside reads. */
  private nested(s: TS.Node, body: () => void): void {
    const reads = new Set<string>();
    this.readCollectors.push(reads);
    const outer = this.block;
    try {
      body();
    } finally {
      this.readCollectors.pop();
      this.block = outer;
    }
    this.event('control', s, [...reads]);
  }

  private loop(s: TS.Node, body: () => void, tripCount?: number): void {
    const lo = this.pos;
    const outer = this.block;
    const st = s.getStart(this.sf);
    const header = this.sf.text.slice(st, Math.min(s.end, st + 160)).split('{')[0].trim().slice(0, 80);
    const reads = new Set<string>();
    this.readCollectors.push(reads);
    const outerScope = this.scope;
    this.scope = new Scope(outerScope);
    this.block = this.newBlock({ span: this.span(s), header, tripCount });
    const loopBlock = this.block;
    try {
      body();
    } finally {
      this.readCollectors.pop();
      this.scope = outerScope;
      this.block = outer;
    }
    this.fn.loops.push([lo, this.pos]);
    // ops directly in the loop body are horizontal candidates (the same op on each iteration)
    for (const it of loopBlock.items) {
      if (!('op' in it)) continue;
      const op = this.fn.ops[it.op];
      if (isElementwise(op.op)) this.fn.loopOps.push({ op: op.id, loopSpan: this.span(s), tripCount, tripFrom: tripCount !== undefined ? 'the loop bounds' : undefined });
    }
    this.event('control', s, [...reads]);
  }

  private tripCount(s: TS.ForStatement): number | undefined {
    const ts = this.ts;
    const init = s.initializer;
    const cond = s.condition;
    if (!init || !cond || !ts.isVariableDeclarationList(init) || init.declarations.length !== 1 || !ts.isBinaryExpression(cond)) return undefined;
    const d = init.declarations[0];
    if (!d.initializer) return undefined;
    const lo = this.constNum(d.initializer);
    const hi = this.constNum(cond.right);
    if (lo === undefined || hi === undefined) return undefined;
    const op = cond.operatorToken.kind;
    if (op === ts.SyntaxKind.LessThanToken) return Math.max(0, hi - lo);
    if (op === ts.SyntaxKind.LessThanEqualsToken) return Math.max(0, hi - lo + 1);
    return undefined;
  }

  private varStatement(s: TS.VariableStatement): void {
    const ts = this.ts;
    const isConst = (s.declarationList.flags & ts.NodeFlags.Const) !== 0;
    const decls = s.declarationList.declarations;
    for (const d of decls) {
      if (ts.isIdentifier(d.name)) {
        const name = d.name.text;
        if (!d.initializer) { this.scope.vars.set(name, { kind: 'other' }); continue; }
        if (isFunctionLike(this.ts, d.initializer)) {
          this.scope.vars.set(name, { kind: 'func', name });
          this.closure(stripFn(this.ts, d.initializer), name);
          continue;
        }
        const opsBefore = this.fn.ops.length;
        const ev = this.expr(d.initializer, false, d.type ? tensorRank(this.text(d.type)) !== undefined : false);
        const stable = isConst || !this.assigned.has(name);
        this.bind(name, ev, stable, d);
        if (ev.value !== undefined) {
          const v = this.fn.values[ev.value];
          const op = v.producer !== undefined ? this.fn.ops[v.producer] : undefined;
          if (op && op.id >= opsBefore && v.name.startsWith(TEMP)) {
            v.name = name;
            v.key = `${name}@${ev.value}`;
            op.declOf = { name, stmtSpan: this.stmtSpan, single: decls.length === 1 && stable };
          }
        }
      } else {
        // destructuring: `const { relu, add } = tf`, `const { fused } = require('@tensorflow/tfjs')`
        const ev = d.initializer ? this.expr(d.initializer) : {};
        if (ts.isObjectBindingPattern(d.name) && ev.ns) {
          for (const el of d.name.elements) {
            if (!ts.isIdentifier(el.name)) continue;
            const prop = el.propertyName && ts.isIdentifier(el.propertyName) ? el.propertyName.text : el.name.text;
            this.scope.vars.set(el.name.text, prop === 'fused' || OP_NAMESPACES.has(prop) ? { kind: 'sub', path: prop } : { kind: 'fn', op: prop });
          }
        } else {
          for (const n of bindingNames(ts, d.name)) this.scope.vars.set(n, ev.value !== undefined || ev.tfFn ? { kind: 'maybe-tensor', stable: isConst } : { kind: 'other' });
        }
      }
    }
  }

  private bind(name: string, ev: Ev, stable: boolean, d?: TS.VariableDeclaration): void {
    let b: Binding;
    if (ev.ns) b = { kind: 'ns' };
    else if (ev.tfFn) b = { kind: 'fn', op: ev.tfFn };
    else if (ev.sub) b = { kind: 'sub', path: ev.sub };
    else if (ev.value !== undefined) b = { kind: 'tensor', value: ev.value, stable };
    else if (ev.num !== undefined && stable) b = { kind: 'num', value: ev.num };
    else if (ev.nums && stable) b = { kind: 'nums', values: ev.nums };
    else if (ev.array && stable) b = { kind: 'array', values: ev.array };
    else if (ev.func) b = { kind: 'func', name };
    else if (ev.maybe) b = { kind: 'maybe-tensor', rank: ev.maybe.rank, stable };
    else b = d?.initializer && !plainlyNotTensor(this.ts, d.initializer) ? { kind: 'maybe-tensor', stable } : { kind: 'other' };
    if (d?.type) {
      const typeText = this.text(d.type);
      const rank = tensorRank(typeText);
      if (rank !== undefined && b.kind === 'other') b = { kind: 'maybe-tensor', rank, stable };
      else if (rank === undefined && b.kind === 'maybe-tensor' && !/any|unknown/.test(typeText)) b = { kind: 'other' };
    }
    this.scope.vars.set(name, b);
  }

  private assign(target: TS.Expression, ev: Ev, node: TS.Node): void {
    const ts = this.ts;
    if (ts.isIdentifier(target)) {
      const found = this.scope.lookup(target.text);
      if (!found) { this.fn.freeNames.add(target.text); return; }
      // an assignment inside a nested block leaves the variable unknown after it
      const local = found.scope === this.scope;
      const nb: Binding = ev.value !== undefined ? { kind: 'tensor', value: ev.value, stable: false } : { kind: 'maybe-tensor', stable: false };
      found.scope.vars.set(target.text, local || ev.value === undefined ? nb : { kind: 'maybe-tensor', stable: false });
      if (ev.value !== undefined && !local) this.escape(ev.value, node);
      if (ev.value !== undefined) {
        const v = this.fn.values[ev.value];
        if (v.name.startsWith(TEMP)) { v.name = target.text; v.key = `${target.text}@${ev.value}`; }
      }
    } else {
      // stored into an object, array or field: visible elsewhere
      if (ev.value !== undefined) this.escape(ev.value, node);
      this.expr(target);
    }
  }

  /** The value is visible after this point (returned, stored, passed on): it stays materialized. */
  private escape(v: number, _node: TS.Node): void {
    const key = this.fn.values[v].key;
    this.fn.escaping.add(key);
    this.recordRead(key);
  }

  // ------------------------------------------------------------------ expressions

  private depth = 0;

  private expr(n: TS.Expression, wantTensor = false, typedTensor = false): Ev {
    if (this.depth > 300) return {}; // pathological nesting: stop rather than overflow the stack
    this.depth++;
    try {
      return this.exprInner(n, wantTensor, typedTensor);
    } finally {
      this.depth--;
    }
  }

  private exprInner(n: TS.Expression, wantTensor: boolean, typedTensor: boolean): Ev {
    const ts = this.ts;
    switch (n.kind) {
      case ts.SyntaxKind.NumericLiteral: return { num: Number((n as TS.NumericLiteral).text) };
      case ts.SyntaxKind.StringLiteral:
      case ts.SyntaxKind.NoSubstitutionTemplateLiteral: return { str: (n as TS.StringLiteral).text };
      case ts.SyntaxKind.TrueKeyword: return { bool: true };
      case ts.SyntaxKind.FalseKeyword: return { bool: false };
      case ts.SyntaxKind.Identifier: return this.ident(n as TS.Identifier, wantTensor);
      case ts.SyntaxKind.ThisKeyword: return {};
      default: break;
    }
    if (ts.isParenthesizedExpression(n) || ts.isAsExpression(n) || ts.isNonNullExpression(n) || ts.isTypeAssertionExpression(n) || ts.isSatisfiesExpression(n)) {
      const inner = this.expr(n.expression, wantTensor, typedTensor || (!ts.isParenthesizedExpression(n) && !ts.isNonNullExpression(n) && tensorRank(this.text((n as TS.AsExpression).type)) !== undefined));
      return inner;
    }
    if (ts.isPrefixUnaryExpression(n)) {
      const ev = this.expr(n.operand);
      if (ev.num !== undefined) {
        if (n.operator === ts.SyntaxKind.MinusToken) return { num: -ev.num };
        if (n.operator === ts.SyntaxKind.PlusToken) return { num: ev.num };
      }
      if (ts.isIdentifier(n.operand) && (n.operator === ts.SyntaxKind.PlusPlusToken || n.operator === ts.SyntaxKind.MinusMinusToken)) this.assign(n.operand, {}, n);
      return {};
    }
    if (ts.isPostfixUnaryExpression(n)) {
      if (ts.isIdentifier(n.operand)) this.assign(n.operand, {}, n);
      return {};
    }
    if (ts.isArrayLiteralExpression(n)) {
      const evs = n.elements.map(e => (ts.isSpreadElement(e) ? (this.expr(e.expression), {} as Ev) : this.expr(e)));
      if (evs.length && evs.every(e => e.num !== undefined)) return { nums: evs.map(e => e.num!) };
      if (evs.length && evs.every(e => e.value !== undefined)) return { array: evs.map(e => e.value!) };
      return {};
    }
    if (ts.isBinaryExpression(n)) return this.binary(n);
    if (ts.isPropertyAccessExpression(n)) return this.property(n, wantTensor);
    if (ts.isElementAccessExpression(n)) {
      const ev = this.expr(n.expression);
      this.expr(n.argumentExpression);
      if (ev.array) {
        const dims = commonDims(ev.array.map(v => this.fn.values[v]));
        return { value: this.addValue({ key: `${this.text(n).replace(/@/g, '')}@t${this.fn.values.length}`, name: `${TEMP}${this.text(n)}`, dims, dtype: 'float32', dtypeKnown: false, spaceKey: `elem(${this.text(n.expression)})`, origin: 'unknown' }) };
      }
      return wantTensor ? this.maybeFromText(n) : {};
    }
    if (ts.isCallExpression(n)) return this.call(n, wantTensor || typedTensor);
    if (ts.isAwaitExpression(n)) return this.expr(n.expression);
    if (ts.isArrowFunction(n) || ts.isFunctionExpression(n)) {
      this.closure(n, '<closure>');
      return { func: n };
    }
    if (ts.isConditionalExpression(n)) {
      this.expr(n.condition);
      const a = this.expr(n.whenTrue);
      const b = this.expr(n.whenFalse);
      if (a.value !== undefined || b.value !== undefined) return { maybe: { name: this.text(n) } };
      return {};
    }
    if (ts.isClassExpression(n)) { this.classDecl(n); return {}; }
    if (ts.isObjectLiteralExpression(n)) {
      for (const p of n.properties) {
        if (ts.isPropertyAssignment(p)) { const ev = this.expr(p.initializer); if (ev.value !== undefined) this.escape(ev.value, p); }
        else if (ts.isShorthandPropertyAssignment(p)) { const ev = this.ident(p.name, false); if (ev.value !== undefined) this.escape(ev.value, p); }
        else if (ts.isSpreadAssignment(p)) this.expr(p.expression);
        else if (ts.isMethodDeclaration(p) || ts.isGetAccessorDeclaration(p) || ts.isSetAccessorDeclaration(p)) this.closure(p, p.name.getText(this.sf));
      }
      return {};
    }
    if (ts.isTemplateExpression(n)) {
      for (const sp of n.templateSpans) this.expr(sp.expression);
      return {};
    }
    if (ts.isNewExpression(n)) {
      this.expr(n.expression);
      for (const a of n.arguments ?? []) this.expr(a);
      return {};
    }
    ts.forEachChild(n, c => { if (isExpressionNode(ts, c)) this.expr(c as TS.Expression); });
    return {};
  }

  private maybeFromText(n: TS.Node): Ev {
    return { maybe: { name: this.text(n) } };
  }

  private ident(n: TS.Identifier, wantTensor: boolean): Ev {
    const name = n.text;
    const found = this.scope.lookup(name);
    if (!found) {
      this.fn.freeNames.add(name);
      const v = this.mod.annotations.values.get(name);
      if (v !== undefined) return { num: v };
      return wantTensor ? { maybe: { name } } : {};
    }
    if (found.scope.fnScope === false && !this.isOwnScope(found.scope)) this.fn.freeNames.add(name);
    const b = found.b;
    switch (b.kind) {
      case 'ns': return { ns: true };
      case 'fn': return { tfFn: b.op };
      case 'sub': return { sub: b.path };
      case 'num': return { num: b.value };
      case 'nums': return { nums: b.values };
      case 'array': {
        for (const v of b.values) if (this.ownsValue(v)) this.recordRead(this.fn.values[v].key);
        return this.ownsArray(b.values) ? { array: b.values } : {};
      }
      case 'tensor': {
        if (!this.isOwnScope(found.scope)) {
          // a tensor of an enclosing function: a fresh value here, and the outer one escapes
          return { value: this.importValue(name, found.scope, b) };
        }
        this.recordRead(this.fn.values[b.value].key);
        return { value: b.value };
      }
      case 'maybe-tensor': {
        // a parameter named like the tf namespace (`tf: any`) is a namespace-like object, not a tensor
        if ((wantTensor || this.mod.annotations.shapes.has(name)) && this.mod.scope.vars.get(name)?.kind !== 'ns') {
          const own = this.isOwnScope(found.scope);
          const v = this.paramValue(name, b.rank, b.typeText, own ? 'param' : 'unknown');
          if (own) found.scope.vars.set(name, { kind: 'tensor', value: v, stable: b.stable });
          this.recordRead(this.fn.values[v].key);
          return { value: v };
        }
        return { maybe: { name, rank: b.rank, scope: found.scope } };
      }
      case 'func': this.fn.calls.add(b.name); return {};
      default: return {};
    }
  }

  /** Whether `s` belongs to the function being extracted (not to an enclosing one or the module). */
  private isOwnScope(s: Scope): boolean {
    for (let c: Scope | undefined = this.scope; c; c = c.parent) {
      if (c === s) return true;
      if (c.fnScope) return false;
    }
    return false;
  }

  private ownsValue(v: number): boolean {
    return v < this.fn.values.length;
  }
  private ownsArray(vs: number[]): boolean {
    return vs.every(v => this.ownsValue(v));
  }

  private outerValues = new WeakMap<Scope, Map<string, number>>();
  private importValue(name: string, _scope: Scope, b: { value: number }): number {
    // values of enclosing functions are not in this function's table: copy the shape facts
    let cache = this.outerValues.get(this.scope);
    if (!cache) { cache = new Map(); this.outerValues.set(this.scope, cache); }
    const hit = cache.get(name);
    if (hit !== undefined) { this.recordRead(this.fn.values[hit].key); return hit; }
    const src = this.findOuterValue(b.value, name);
    const ann = this.mod.annotations.shapes.get(name);
    const v = this.addValue({
      key: `${name}@o${this.fn.values.length}`, name, dims: src?.dims ?? ann?.dims, rank: src?.rank, dtype: src?.dtype ?? ann?.dtype ?? 'float32', dtypeKnown: !!(src?.dtypeKnown || ann?.dtype),
      spaceKey: src?.spaceKey ?? `shape(${name})`, origin: 'unknown', shapeFrom: src?.shapeFrom ?? (ann ? `annotation \`${name}\`` : undefined),
    });
    cache.set(name, v);
    this.recordRead(this.fn.values[v].key);
    this.fn.freeNames.add(name);
    return v;
  }

  private findOuterValue(id: number, name: string): TValue | undefined {
    // the binding was made by an enclosing function: search the functions extracted so far
    for (let i = this.fns.length - 1; i >= 0; i--) {
      const v = this.fns[i].values[id];
      if (v && v.name === name) return v;
    }
    const mv = this.mod.scope.vars.get(name);
    if (mv && mv.kind === 'tensor') return moduleValues.get(this.mod)?.[mv.value];
    return undefined;
  }

  private recordRead(key: string): void {
    const p = this.pos++;
    let arr = this.fn.reads.get(key);
    if (!arr) { arr = []; this.fn.reads.set(key, arr); }
    arr.push(p);
    for (const c of this.readCollectors) c.add(key);
  }

  private binary(n: TS.BinaryExpression): Ev {
    const ts = this.ts;
    const k = n.operatorToken.kind;
    if (k === ts.SyntaxKind.EqualsToken) {
      const ev = this.expr(n.right);
      this.assign(n.left, ev, n);
      return ev;
    }
    if (k >= ts.SyntaxKind.FirstCompoundAssignment && k <= ts.SyntaxKind.LastCompoundAssignment) {
      this.expr(n.right);
      this.assign(n.left, {}, n);
      return {};
    }
    const a = this.expr(n.left);
    const b = this.expr(n.right);
    if (a.num !== undefined && b.num !== undefined) {
      switch (k) {
        case ts.SyntaxKind.PlusToken: return { num: a.num + b.num };
        case ts.SyntaxKind.MinusToken: return { num: a.num - b.num };
        case ts.SyntaxKind.AsteriskToken: return { num: a.num * b.num };
        case ts.SyntaxKind.SlashToken: return b.num ? { num: a.num / b.num } : {};
        case ts.SyntaxKind.AsteriskAsteriskToken: return { num: a.num ** b.num };
        case ts.SyntaxKind.LessThanLessThanToken: return { num: a.num * 2 ** b.num };
        default: return {};
      }
    }
    for (const e of [a, b]) if (e.value !== undefined) this.event('call', n, [this.fn.values[e.value].key]);
    return {};
  }

  private property(n: TS.PropertyAccessExpression, wantTensor: boolean): Ev {
    const ts = this.ts;
    const name = n.name.text;
    if (n.expression.kind === ts.SyntaxKind.ThisKeyword) {
      const field = this.className ? this.mod.fields.get(this.className)?.get(name) : undefined;
      if (field || wantTensor) {
        const key = `this.${name}`;
        const existing = this.fn.values.findIndex(v => v.key === `${key}@f`);
        if (existing >= 0) { this.recordRead(`${key}@f`); return { value: existing }; }
        const v = this.addValue({
          key: `${key}@f`, name: key, dims: field?.dims, dtype: field?.dtype ?? 'float32', dtypeKnown: !!field?.dtype, spaceKey: `shape(${key})`, origin: 'field',
          shapeFrom: field?.dims ? `the field \`${key}\`` : undefined,
        });
        this.recordRead(`${key}@f`);
        return { value: v };
      }
      return {};
    }
    const recv = this.expr(n.expression);
    if (recv.ns) {
      if (name === 'fused' || OP_NAMESPACES.has(name) || ['layers', 'train', 'data', 'io', 'browser', 'util', 'backend_util', 'regularizers', 'initializers', 'constraints', 'metrics', 'callbacks', 'models'].includes(name)) return { sub: name };
      return { tfFn: name };
    }
    if (recv.sub) return { tfFn: `${recv.sub}.${name}` };
    if (recv.value !== undefined && (name === 'shape' || name === 'rank' || name === 'size' || name === 'dtype')) return {};
    if (wantTensor) return this.maybeFromText(n);
    return {};
  }

  // ------------------------------------------------------------------ calls

  private call(n: TS.CallExpression, wantTensor: boolean): Ev {
    const ts = this.ts;
    let callee: TS.Expression = n.expression;
    while (ts.isParenthesizedExpression(callee) || ts.isNonNullExpression(callee)) callee = callee.expression;
    if (ts.isIdentifier(callee)) {
      if (callee.text === 'require' && n.arguments.length === 1 && ts.isStringLiteral(n.arguments[0]) && /^@tensorflow\/tfjs/.test(n.arguments[0].text)) return { ns: true };
      const ev = this.ident(callee, false);
      if (ev.tfFn) return this.tfCall(n, ev.tfFn, callee.text, undefined);
      if (ev.func || this.scope.lookup(callee.text)?.b.kind === 'func') this.fn.calls.add(callee.text);
      else if (!this.scope.lookup(callee.text)) this.fn.calls.add(callee.text);
      this.hostCall(n);
      return {};
    }
    if (ts.isPropertyAccessExpression(callee)) {
      const name = callee.name.text;
      const tensorOnly = TENSOR_ONLY_METHODS.has(name);
      // `tf.X(...)`, `tf.fused.X(...)`
      const recvNode = callee.expression;
      const isThis = recvNode.kind === ts.SyntaxKind.ThisKeyword;
      if (!isThis) {
        const peek = this.peekNamespace(recvNode);
        if (peek) {
          const fn = peek === 'ns' ? name : `${peek.slice(4)}.${name}`;
          return this.tfCall(n, fn, this.text(callee), peek === 'ns' ? this.rootName(recvNode) : undefined);
        }
      }
      if (GRADIENT_METHODS.has(name) && n.arguments.length) {
        this.expr(recvNode);
        this.gradientArgs(n, `${this.text(recvNode).slice(0, 30)}.${name}`);
        return {};
      }
      if ((name === 'map' || name === 'forEach') && n.arguments.length >= 1 && (ts.isArrowFunction(n.arguments[0]) || ts.isFunctionExpression(n.arguments[0]))) {
        const recv = this.expr(recvNode);
        return this.mapCall(n, name, recv);
      }
      const recv = this.expr(recvNode, wantTensor || tensorOnly);
      let recvValue = recv.value;
      if (recvValue === undefined && recv.maybe && (tensorOnly || wantTensor)) recvValue = this.materialize(recv);
      if (recvValue !== undefined) return this.tensorMethod(n, name, recvValue, callee);
      if (recv.array && name === 'push') {
        for (const a of n.arguments) { const ev = this.expr(a); if (ev.value !== undefined) this.escape(ev.value, a); }
        return {};
      }
      this.hostCall(n);
      return {};
    }
    this.expr(callee);
    this.hostCall(n);
    return {};
  }

  /** `tf` → 'ns', `tf.fused` → 'sub:fused', anything else undefined. Records no reads. */
  private peekNamespace(n: TS.Expression): string | undefined {
    const ts = this.ts;
    if (ts.isIdentifier(n)) {
      const b = this.scope.lookup(n.text)?.b;
      if (b?.kind === 'ns') return 'ns';
      if (b?.kind === 'sub') return `sub:${b.path}`;
      return undefined;
    }
    if (ts.isPropertyAccessExpression(n) && ts.isIdentifier(n.expression)) {
      const b = this.scope.lookup(n.expression.text)?.b;
      if (b?.kind === 'ns') return `sub:${n.name.text}`;
    }
    return undefined;
  }

  private rootName(n: TS.Expression): string | undefined {
    return this.ts.isIdentifier(n) ? n.text : undefined;
  }

  private materialize(ev: Ev): number | undefined {
    if (ev.value !== undefined) return ev.value;
    if (!ev.maybe) return undefined;
    const m = ev.maybe;
    if (this.mod.scope.vars.get(m.name)?.kind === 'ns') return undefined; // `tf: any` shadowing the namespace
    const own = m.scope ? this.isOwnScope(m.scope) : false;
    const v = this.paramValue(m.name, m.rank, '', own ? 'param' : 'unknown');
    if (own && m.scope) {
      const b = m.scope.vars.get(m.name);
      m.scope.vars.set(m.name, { kind: 'tensor', value: v, stable: b && 'stable' in b ? b.stable : false });
    }
    this.recordRead(this.fn.values[v].key);
    return v;
  }

  private hostCall(n: TS.CallExpression): void {
    const reads: string[] = [];
    for (const a of n.arguments) {
      if (n === this.topCall && this.closureCache && (this.ts.isArrowFunction(a) || this.ts.isFunctionExpression(a))) {
        this.cachedClosure(a);
        continue;
      }
      const ev = this.expr(a);
      if (ev.value !== undefined) reads.push(this.fn.values[ev.value].key);
      for (const v of ev.array ?? []) reads.push(this.fn.values[v].key);
    }
    if (reads.length) {
      for (const k of reads) this.fn.escaping.add(k);
      this.event('call', n, reads);
    }
  }

  private gradientArgs(n: TS.CallExpression, via: string): void {
    const ts = this.ts;
    for (const a of n.arguments) {
      let f: TS.Expression = a;
      while (ts.isParenthesizedExpression(f)) f = f.expression;
      if (ts.isArrowFunction(f) || ts.isFunctionExpression(f)) this.closure(f, '<gradient closure>', { kind: 'lexical', via, span: this.span(n) });
      else if (ts.isIdentifier(f)) { this.gradientNames.add(f.text); this.expr(f); }
      else this.expr(f);
    }
  }

  /**
   * A callback passed by module code to a call that is not tf's (`describe`, `it`, event handlers):
   * extracted as closure() does, or taken from the cache when the node (kept across edits by the
   * one-statement re-parse) meets the same module bindings; its functions then move with it.
   */
  private cachedClosure(node: TS.ArrowFunction | TS.FunctionExpression): void {
    const cache = this.closureCache!;
    const key = `${this.fn.gradient?.kind ?? ''}|${cache.scopeKey(this.scope, this.fn.values)}`;
    const hit = cache.get(node, key);
    if (hit) {
      this.fns.push(...hit.fns);
      for (const g of hit.gradientNames) this.gradientNames.add(g);
      this.mergeClosure(hit.fns[0]);
      return;
    }
    const first = this.fns.length;
    const names = new Set(this.gradientNames);
    const fn = this.runFunction(node, '<closure>', this.scope, { gradient: this.fn.gradient });
    const fns = this.fns.slice(first);
    cache.set(node, key, { fns, gradientNames: [...this.gradientNames].filter(g => !names.has(g)) });
    this.mergeClosure(fn);
  }

  private closure(node: TS.Node, name: string, gradient?: GradientContext): void {
    // values of this function captured by the closure escape: it may run at any time
    const fn = this.runFunction(node, name, this.scope, { gradient: gradient ?? this.fn.gradient });
    this.mergeClosure(fn);
  }

  private mergeClosure(fn: TFunction): void {
    for (const free of fn.freeNames) {
      const found = this.scope.lookup(free);
      if (found && found.b.kind === 'tensor' && this.isOwnScope(found.scope)) {
        const key = this.fn.values[found.b.value].key;
        this.fn.escaping.add(key);
        this.recordRead(key);
      } else if (!found || !this.isOwnScope(found.scope)) this.fn.freeNames.add(free);
    }
    for (const c of fn.calls) this.fn.calls.add(c);
  }

  private mapCall(n: TS.CallExpression, method: string, recv: Ev): Ev {
    const ts = this.ts;
    const cb = n.arguments[0] as TS.ArrowFunction | TS.FunctionExpression;
    for (const a of n.arguments.slice(1)) this.expr(a);
    const p = cb.parameters[0];
    const elemDims = recv.array ? commonDims(recv.array.map(v => this.fn.values[v])) : undefined;
    const tripCount = recv.array?.length;
    // the callback runs once per element, right now: extract it inline as a loop body
    const lo = this.pos;
    const outerScope = this.scope;
    const outerBlock = this.block;
    this.scope = new Scope(outerScope);
    this.block = this.newBlock({ span: this.span(n), header: `${this.text(n.expression).slice(0, 60)}(…)`, tripCount });
    const loopBlock = this.block;
    let elem: number | undefined;
    if (p && ts.isIdentifier(p.name)) {
      elem = this.addValue({ key: `${p.name.text}@e${this.fn.values.length}`, name: p.name.text, dims: elemDims, dtype: 'float32', dtypeKnown: false, spaceKey: `elem(${this.text(n.expression)})`, origin: 'unknown', shapeFrom: elemDims ? 'the array elements' : undefined });
      // elements of an array of tensors, or a parameter typed as a tensor, are tensors; else maybe
      const known = !!recv.array || (!!p.type && tensorRank(this.text(p.type)) !== undefined);
      this.scope.vars.set(p.name.text, known ? { kind: 'tensor', value: elem, stable: true } : { kind: 'maybe-tensor', stable: true });
    }
    for (const q of cb.parameters.slice(1)) for (const nm of bindingNames(ts, q.name)) this.scope.vars.set(nm, { kind: 'other' });
    const savedReturned = this.returned;
    this.returned = undefined;
    const reads = new Set<string>();
    this.readCollectors.push(reads);
    let result: Ev = {};
    try {
      if (ts.isBlock(cb.body)) this.statements(cb.body.statements);
      else {
        const prev = this.stmtSpan;
        this.stmtSpan = this.span(cb.body);
        this.stmtId++;
        result = this.expr(cb.body);
        this.stmtSpan = prev;
      }
    } finally {
      this.readCollectors.pop();
    }
    const ret = result.value ?? this.returned;
    this.returned = savedReturned;
    this.scope = outerScope;
    this.block = outerBlock;
    this.fn.loops.push([lo, this.pos]);
    const opsInLoop = loopBlock.items.filter((it): it is { op: number } => 'op' in it).map(it => this.fn.ops[it.op]);
    const ew = opsInLoop.filter(o => isElementwise(o.op));
    if (ew.length) {
      const single = opsInLoop.length === 1 && !ts.isBlock(cb.body) && ret !== undefined && this.fn.values[ret].producer === opsInLoop[0].id && method === 'map' && p && ts.isIdentifier(p.name) && cb.parameters.length === 1;
      const op = opsInLoop[0];
      const elemName = p && ts.isIdentifier(p.name) ? p.name.text : '';
      const elemKey = elem !== undefined ? this.fn.values[elem].key : '';
      const onElem = single && op.inputs.length >= 1 && this.fn.values[op.inputs[0]].name === elemName;
      const others = single ? op.args.slice(1) : [];
      const extraOk = others.every(a => a.movable && !a.text.includes(elemName));
      for (const o of ew) {
        this.fn.loopOps.push({
          op: o.id, loopSpan: this.span(n), tripCount, tripFrom: tripCount !== undefined ? `\`${this.text((n.expression as TS.PropertyAccessExpression).expression)}\` has ${tripCount} elements` : undefined,
          mapCall: single && onElem && extraOk && o === op && elemKey ? { span: this.span(n), arrayText: this.text((n.expression as TS.PropertyAccessExpression).expression), param: elemName, elemDims, extraArgs: others.map(a => a.text) } : undefined,
        });
      }
    }
    this.event('control', n, [...reads]);
    return {};
  }

  private tfCall(n: TS.CallExpression, fn: string, display: string, ns: string | undefined): Ev {
    const ts = this.ts;
    const args = n.arguments;
    if (fn === 'tidy') {
      const f = args[args.length - 1];
      if (f && (ts.isArrowFunction(f) || ts.isFunctionExpression(f))) return this.inlineClosure(f);
      for (const a of args) this.expr(a);
      return {};
    }
    if (GRADIENT_FUNCTIONS.has(fn)) {
      this.gradientArgs(n, `tf.${fn}`);
      return {};
    }
    if (fn === 'dispose') {
      const reads: string[] = [];
      for (const a of args) { const ev = this.expr(a); if (ev.value !== undefined) reads.push(this.fn.values[ev.value].key); for (const v of ev.array ?? []) reads.push(this.fn.values[v].key); }
      this.event('free', n, reads);
      return {};
    }
    if (fn === 'keep') {
      const ev = args[0] ? this.expr(args[0]) : {};
      if (ev.value !== undefined) this.escape(ev.value, n);
      return ev;
    }
    if (NON_OPS.has(fn) || /^(layers|train|data|io|util|regularizers|initializers|constraints|metrics|callbacks|models)\./.test(fn)) {
      for (const a of args) this.expr(a);
      return {};
    }
    if (fn === 'browser.fromPixels') {
      for (const a of args) this.expr(a);
      return { value: this.addValue({ key: `fromPixels(…)@t${this.fn.values.length}`, name: `${TEMP}${this.text(n).slice(0, 40)}`, rank: 3, dtype: 'int32', dtypeKnown: true, spaceKey: `pixels#${this.fn.values.length}`, origin: 'creator' }) };
    }
    if (CREATORS.has(fn)) return this.creator(n, fn);
    return this.emitOp(n, fn, 'function', display, ns, args.map(a => a), undefined);
  }

  private inlineClosure(f: TS.ArrowFunction | TS.FunctionExpression): Ev {
    const ts = this.ts;
    const outerScope = this.scope;
    const outerBlock = this.block;
    const savedReturned = this.returned;
    this.returned = undefined;
    this.scope = new Scope(outerScope);
    this.block = this.newBlock();
    let result: Ev = {};
    try {
      if (ts.isBlock(f.body)) this.statements(f.body.statements);
      else {
        const prev = this.stmtSpan;
        this.stmtSpan = this.span(f.body);
        this.stmtId++;
        result = this.expr(f.body);
        if (result.value !== undefined) this.escape(result.value, f.body);
        this.stmtSpan = prev;
      }
    } finally {
      this.scope = outerScope;
      this.block = outerBlock;
    }
    const ret = result.value ?? this.returned;
    this.returned = savedReturned;
    if (ret === undefined) return {};
    // the tidy returns the same tensor; reads of it outside are reads of that value
    return { value: ret };
  }

  private tensorMethod(n: TS.CallExpression, name: string, recv: number, callee: TS.PropertyAccessExpression): Ev {
    const recvKey = this.fn.values[recv].key;
    if (SYNC_METHODS.has(name)) {
      for (const a of n.arguments) this.expr(a);
      this.event('sync', n, [recvKey]);
      return {};
    }
    if (name === 'dispose') { this.event('free', n, [recvKey]); return {}; }
    if (name === 'read') return { value: recv };
    if (name === 'assign') {
      for (const a of n.arguments) { const ev = this.expr(a); if (ev.value !== undefined) this.escape(ev.value, n); }
      return {};
    }
    return this.emitOp(n, name, 'method', `.${name}`, undefined, [...n.arguments], { value: recv, node: callee.expression });
  }

  private creator(n: TS.CallExpression, fn: string): Ev {
    const ts = this.ts;
    const evs = n.arguments.map(a => this.expr(a));
    const strArg = evs.find((e, i) => i > 0 && e.str !== undefined && /^(float32|int32|bool|complex64|string)$/.test(e.str));
    let dims: number[] | undefined;
    let from = `\`${this.text(n).slice(0, 50)}\``;
    let src: TValue | undefined;
    switch (fn) {
      case 'scalar': dims = []; break;
      case 'zeros': case 'ones': case 'fill': case 'randomNormal': case 'randomUniform': case 'truncatedNormal': case 'randomStandardNormal': case 'randomGamma':
        dims = evs[0]?.nums; break;
      case 'tensor': case 'tensor1d': case 'tensor2d': case 'tensor3d': case 'tensor4d': case 'tensor5d': case 'tensor6d':
        dims = evs[1]?.nums ?? (n.arguments[0] ? nestedDims(ts, n.arguments[0]) : undefined);
        if (fn === 'tensor1d' && !dims && n.arguments[0] && ts.isArrayLiteralExpression(n.arguments[0])) dims = [n.arguments[0].elements.length];
        break;
      case 'variable': case 'zerosLike': case 'onesLike': case 'clone':
        if (evs[0]?.value !== undefined) { src = this.fn.values[evs[0].value]; dims = src.dims; from = src.shapeFrom ?? from; }
        break;
      case 'eye': if (evs[0]?.num !== undefined) dims = [evs[0].num, evs[1]?.num ?? evs[0].num]; break;
      case 'linspace': if (evs[2]?.num !== undefined) dims = [evs[2].num]; break;
      default: break;
    }
    const dtype = strArg?.str ?? src?.dtype ?? (fn === 'tensor' || fn.startsWith('tensor') ? 'float32' : 'float32');
    const id = this.fn.values.length;
    const v = this.addValue({
      key: `${fn}(…)@t${id}`, name: `${TEMP}${fn}(…)`, dims, rank: dims?.length ?? src?.rank, dtype, dtypeKnown: !!strArg || !!src?.dtypeKnown, spaceKey: dims ? `[${dims.join(',')}]` : src?.spaceKey ?? `${fn}#${id}`,
      origin: 'creator', shapeFrom: dims ? from : undefined,
    });
    return { value: v };
  }

  /** Records a tf op. `recv` is the receiver of a method call (the first tensor input). */
  private emitOp(n: TS.CallExpression, op: string, style: TOp['style'], display: string, ns: string | undefined, argNodes: TS.Expression[], recv: { value: number; node: TS.Expression } | undefined): Ev {
    const kind = opKind(op);
    const args: TArg[] = [];
    if (recv) args.push({ span: this.span(recv.node), text: this.text(recv.node), value: recv.value, movable: this.movable(recv.node) });
    const tensorPositions = (i: number) => {
      const j = recv ? i + 1 : i;
      if (kind === 'unary') return j === 0;
      if (kind === 'binary') return j <= 1;
      if (kind === 'ternary') return j <= 2;
      if (kind === 'producer') return j <= 1;
      return false;
    };
    argNodes.forEach((a, i) => {
      const ev = this.expr(a, tensorPositions(i));
      let value = ev.value;
      if (value === undefined && ev.maybe && tensorPositions(i)) value = this.materialize(ev);
      args.push({ span: this.span(a), text: this.text(a), value, num: ev.num, str: ev.str, bool: ev.bool, nums: ev.nums, movable: this.movable(a) });
    });
    const inputs = args.filter(a => a.value !== undefined).map(a => a.value!);
    const id = this.fn.ops.length;
    const outDims = this.outShape(op, args, inputs);
    const first = inputs.length ? this.fn.values[primaryInput(this.fn.values, inputs)] : undefined;
    const dtype = BOOL_OPS.has(op) ? 'bool' : op === 'cast' ? (args[1]?.str ?? first?.dtype ?? 'float32') : op === 'toInt' ? 'int32' : op === 'toFloat' ? 'float32' : (first?.dtype ?? 'float32');
    const elementwise = isElementwise(op);
    const out = this.addValue({
      key: `${op}(…)@t${this.fn.values.length}`, name: `${TEMP}${op}(…)`, dims: outDims.dims, rank: outDims.dims?.length, dtype, dtypeKnown: first?.dtypeKnown ?? false,
      spaceKey: outDims.dims ? `[${outDims.dims.join(',')}]` : elementwise && inputs.length ? this.fn.values[inputs.find(i => this.fn.values[i].origin === 'op') ?? inputs[0]].spaceKey : `${op}#${id}`,
      origin: 'op', producer: id, shapeFrom: outDims.dims ? outDims.from ?? (first?.shapeFrom) : undefined,
    });
    const nameNode = (n.expression as TS.PropertyAccessExpression).name ?? n.expression;
    const callSpan = this.span(n);
    const t: TOp = {
      id, op, style, display, ns, span: style === 'method' ? { start: nameNode.getStart(this.sf), end: n.end } : callSpan, callSpan, nameSpan: this.span(nameNode), stmtSpan: this.stmtSpan, stmtId: this.stmtId, args, inputs, out,
      block: this.block.id, pos: this.pos++, gradient: this.fn.gradient, ...this.fusedAt(ns),
    };
    this.fn.ops.push(t);
    this.opStarts.add(callSpan.start);
    this.block.items.push({ op: id });
    return { value: out };
  }

  private outShape(op: string, args: TArg[], inputs: number[]): { dims?: number[]; from?: string } {
    const V = this.fn.values;
    const dimsOf = (i: number | undefined) => (i === undefined ? undefined : V[i].dims);
    const t = args.filter(a => a.value !== undefined);
    const kind = opKind(op);
    if (kind === 'unary') return { dims: dimsOf(inputs[0]) };
    if (kind === 'binary' || kind === 'ternary') {
      // no operand we know to be a tensor (`tf.mul(x, s)` with both from an unknown call): no shape
      // (the broadcast of nothing would be a scalar)
      if (!inputs.length) return {};
      const ds = inputs.map(i => V[i].dims);
      if (ds.every(d => d)) return { dims: broadcastDims(ds as number[][]) };
      // the chain's own operand (an op's result) decides; other operands of unknown shape are
      // assumed to broadcast into it (a bias into its layer), as the estimate's assumptions say.
      // Not into a tensor made from constants (`tf.sub(tf.tensor1d([w - 1, 0]), landmarks)`: the
      // constant broadcasts into the data), a scalar (`tf.equal(mask, tf.scalar(k))` is the mask's
      // size), or an operand of lower rank than theirs: the size is unknown then (real code from
      // tensorflow/tfjs-models, docs/benchmarks.md)
      const main = inputs.find(i => V[i].origin === 'op') ?? primaryInput(V, inputs);
      const md = V[main].dims;
      if (md && inputs.some(i => !V[i].dims && (V[main].origin !== 'op' || sizeOf(md) <= 1 || (V[i].rank ?? -1) > md.length))) return {};
      return { dims: md };
    }
    if (op === 'matMul' && t.length >= 2) {
      const rest = args.slice(2);
      return { dims: matMulOutDims(dimsOf(t[0].value), dimsOf(t[1].value), rest[0]?.bool ?? false, rest[1]?.bool ?? false) };
    }
    if ((op === 'conv2d' || op === 'depthwiseConv2d') && t.length >= 2) {
      const rest = args.slice(2);
      return { dims: conv2dOutDims(dimsOf(t[0].value), dimsOf(t[1].value), rest[0]?.num ?? rest[0]?.nums, rest[1]?.str ?? rest[1]?.num, rest[2]?.str ?? 'NHWC', rest[3]?.num ?? rest[3]?.nums, op === 'depthwiseConv2d') };
    }
    if (op === 'reshape' && t.length >= 1 && args[1]?.nums) return { dims: reshapeDims(dimsOf(t[0].value), args[1].nums) };
    if (op === 'transpose' && t.length >= 1 && args.length === 1) { const d = dimsOf(t[0].value); return { dims: d ? [...d].reverse() : undefined }; }
    return {};
  }

  private fusedAt(ns?: string): { fusedRef?: string; fusedFree: boolean } {
    const f = this.scope.lookup('fused');
    if (ns && this.scope.lookup(ns)?.b.kind === 'ns') return { fusedRef: `${ns}.fused`, fusedFree: !f };
    if (f?.b.kind === 'sub' && f.b.path === 'fused') return { fusedRef: 'fused', fusedFree: false };
    // a namespace re-bound inside a function (`const T = tf`), then the module's own aliases
    for (let s: Scope | undefined = this.scope; s && s !== this.mod.scope; s = s.parent) {
      for (const [name, b] of s.vars) if (b.kind === 'ns' && this.scope.lookup(name)?.b === b) return { fusedRef: `${name}.fused`, fusedFree: !f };
    }
    for (const name of moduleNamespaces(this.mod)) {
      if (this.scope.lookup(name)?.b.kind === 'ns') return { fusedRef: `${name}.fused`, fusedFree: !f };
    }
    return { fusedFree: !f };
  }

  /** Moving this expression's text later in the function cannot change its value. */
  private movable(n: TS.Expression): boolean {
    const ts = this.ts;
    const ok = (e: TS.Node): boolean => {
      if (ts.isIdentifier(e)) return !this.assigned.has(e.text);
      if (ts.isNumericLiteral(e) || ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e) || e.kind === ts.SyntaxKind.TrueKeyword || e.kind === ts.SyntaxKind.FalseKeyword || e.kind === ts.SyntaxKind.NullKeyword) return true;
      if (e.kind === ts.SyntaxKind.ThisKeyword) return true;
      if (ts.isPropertyAccessExpression(e)) return !(e.expression.kind === ts.SyntaxKind.ThisKeyword && this.assigned.has(`this.${e.name.text}`)) && ok(e.expression);
      if (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isNonNullExpression(e)) return ok(e.expression);
      if (ts.isPrefixUnaryExpression(e)) return e.operator === ts.SyntaxKind.MinusToken || e.operator === ts.SyntaxKind.PlusToken ? ok(e.operand) : false;
      if (ts.isArrayLiteralExpression(e)) return e.elements.every(ok);
      if (ts.isBinaryExpression(e)) return [ts.SyntaxKind.PlusToken, ts.SyntaxKind.MinusToken, ts.SyntaxKind.AsteriskToken, ts.SyntaxKind.SlashToken].includes(e.operatorToken.kind) && ok(e.left) && ok(e.right);
      if (ts.isCallExpression(e)) return this.opStarts.has(e.getStart(this.sf)) && e.arguments.every(ok) && (ts.isPropertyAccessExpression(e.expression) ? ok(e.expression.expression) || !!this.peekNamespace(e.expression.expression) : true);
      return false;
    };
    return ok(n);
  }

  private event(kind: TEvent['kind'], n: TS.Node, reads: string[]): void {
    const start = n.getStart(this.sf);
    const e: TEvent = { kind, span: { start, end: n.end }, text: this.sf.text.slice(start, Math.min(n.end, start + 120)).replace(/\s+/g, ' ').slice(0, 60), reads, block: this.block.id, pos: this.pos++ };
    this.fn.events.push(e);
    this.block.items.push({ event: this.fn.events.length - 1 });
  }

  private constNum(n: TS.Expression): number | undefined {
    const saved = this.pos;
    const ev = this.expr(n);
    this.pos = Math.max(this.pos, saved);
    return ev.num;
  }

  // ------------------------------------------------------------------ classes

  classDecl(c: TS.ClassLikeDeclaration): void {
    const ts = this.ts;
    const name = c.name?.text ?? '<class>';
    const heritage = (c.heritageClauses ?? []).map(h => this.text(h)).join(' ');
    const isLayer = /\blayers\.Layer\b|\bLayer\b/.test(heritage);
    const fields = fieldShapes(ts, this.sf, c, this);
    this.mod.fields.set(name, fields);
    const outerClass = this.className;
    this.className = name;
    for (const m of c.members) {
      if ((ts.isMethodDeclaration(m) || ts.isConstructorDeclaration(m) || ts.isGetAccessorDeclaration(m) || ts.isSetAccessorDeclaration(m)) && m.body) {
        const mName = m.name && ts.isIdentifier(m.name) ? m.name.text : ts.isConstructorDeclaration(m) ? 'constructor' : '<member>';
        const gradient: GradientContext | undefined = isLayer && mName === 'call' ? { kind: 'layer', via: `\`${name}.call\` (a tf.layers.Layer: model.fit records gradients through it)` } : undefined;
        this.runFunction(m, `${name}.${mName}`, this.scope, { gradient, className: name });
      } else if (ts.isPropertyDeclaration(m) && m.initializer && (ts.isArrowFunction(m.initializer) || ts.isFunctionExpression(m.initializer))) {
        this.runFunction(m.initializer, `${name}.${m.name.getText(this.sf)}`, this.scope, { className: name });
      }
    }
    this.className = outerClass;
  }

  /** Evaluates an initializer for its shape only (class fields), without recording anything. */
  staticShape(e: TS.Expression): { dims?: number[]; dtype?: string } | undefined {
    const saved = { fn: this.fn, block: this.block, pos: this.pos, scope: this.scope, fns: this.fns.length };
    const scratch: TFunction = { id: -1, name: '<field>', span: { start: 0, end: 0 }, values: [], ops: [], events: [], blocks: [], reads: new Map(), loops: [], escaping: new Set(), loopOps: [], freeNames: new Set(), calls: new Set() };
    this.fn = scratch;
    this.block = { id: 0, items: [] };
    this.scope = new Scope(this.scope, true);
    try {
      const ev = this.expr(e, true);
      if (ev.value !== undefined) { const v = scratch.values[ev.value]; return { dims: v.dims, dtype: v.dtypeKnown ? v.dtype : undefined }; }
      return undefined;
    } catch {
      return undefined;
    } finally {
      this.fn = saved.fn;
      this.block = saved.block;
      this.pos = saved.pos;
      this.scope = saved.scope;
      this.fns.length = saved.fns;
    }
  }
}

const nsNames = new WeakMap<ModuleContext, string[]>();
/** Forget the cached namespace names (the module walk may bind more, e.g. `const T = tf`). */
export function resetModuleNamespaces(mod: ModuleContext): void {
  nsNames.delete(mod);
}
/** Names bound to the tf namespace at module level (computed once per module context). */
function moduleNamespaces(mod: ModuleContext): string[] {
  let names = nsNames.get(mod);
  if (!names) {
    names = [...mod.scope.vars].filter(([, b]) => b.kind === 'ns').map(([n]) => n);
    nsNames.set(mod, names);
  }
  return names;
}

/** Module-level tensor values (for functions that read module-level tensors). */
export const moduleValues = new WeakMap<ModuleContext, TValue[]>();

function fieldShapes(ts: TypeScriptApi, sf: TS.SourceFile, c: TS.ClassLikeDeclaration, ex: Extractor): Map<string, { dims?: number[]; dtype?: string }> {
  const out = new Map<string, { dims?: number[]; dtype?: string }>();
  const record = (name: string, init: TS.Expression) => {
    // this.addWeight('kernel', [inDim, units], ...)
    if (ts.isCallExpression(init) && ts.isPropertyAccessExpression(init.expression) && init.expression.name.text === 'addWeight' && init.arguments[1]) {
      const arr = init.arguments[1];
      if (ts.isArrayLiteralExpression(arr) && arr.elements.every(el => ts.isNumericLiteral(el))) { out.set(name, { dims: arr.elements.map(el => Number((el as TS.NumericLiteral).text)) }); return; }
    }
    const s = ex.staticShape(init);
    out.set(name, s ?? {});
  };
  for (const m of c.members) {
    if (ts.isPropertyDeclaration(m) && ts.isIdentifier(m.name) && m.initializer && !ts.isArrowFunction(m.initializer) && !ts.isFunctionExpression(m.initializer)) record(m.name.text, m.initializer);
    if ((ts.isConstructorDeclaration(m) || (ts.isMethodDeclaration(m) && ts.isIdentifier(m.name) && m.name.text === 'build')) && m.body) {
      for (const s of m.body.statements) {
        if (!ts.isExpressionStatement(s) || !ts.isBinaryExpression(s.expression) || s.expression.operatorToken.kind !== ts.SyntaxKind.EqualsToken) continue;
        const l = s.expression.left;
        if (ts.isPropertyAccessExpression(l) && l.expression.kind === ts.SyntaxKind.ThisKeyword) record(l.name.text, s.expression.right);
      }
    }
    if (ts.isPropertyDeclaration(m) && ts.isIdentifier(m.name) && !m.initializer && m.type) {
      const rank = tensorRank(m.type.getText(sf));
      if (rank !== undefined && !out.has(m.name.text)) out.set(m.name.text, {});
    }
  }
  return out;
}

/** Rank of a tensor type annotation: `tf.Tensor2D` → 2, `Tensor` → undefined rank but a tensor (-1). */
export function tensorRank(typeText: string): number | undefined {
  const m = /\b(?:Tensor|Variable)(\d)D\b/.exec(typeText);
  if (m) return Number(m[1]);
  if (/\bScalar\b/.test(typeText)) return 0;
  if (/\b(?:Tensor|Variable|LayerVariable)\b/.test(typeText) && !/\[\]/.test(typeText)) return -1;
  return undefined;
}

function primaryInput(values: TValue[], inputs: number[]): number {
  // the operand whose shape the output takes: the largest known one, else an op result, else the first
  let best = inputs[0];
  let bestSize = -1;
  for (const i of inputs) {
    const d = values[i].dims;
    const s = d ? sizeOf(d) : -1;
    if (s > bestSize) { best = i; bestSize = s; }
  }
  if (bestSize >= 0) return best;
  return inputs.find(i => values[i].origin === 'op') ?? inputs[0];
}

function commonDims(vs: TValue[]): number[] | undefined {
  if (!vs.length || vs.some(v => !v.dims)) return undefined;
  const first = vs[0].dims!.join(',');
  return vs.every(v => v.dims!.join(',') === first) ? vs[0].dims : undefined;
}

export function bindingNames(ts: TypeScriptApi, n: TS.BindingName): string[] {
  if (ts.isIdentifier(n)) return [n.text];
  const out: string[] = [];
  for (const el of n.elements) if (!ts.isOmittedExpression(el)) out.push(...bindingNames(ts, el.name));
  return out;
}

const isIdChar = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 36;

/**
 * Names assigned anywhere in a function body (`x = …`, `x += …`, `x++`, `this.w = …` as `this.w`),
 * found by scanning the text for `=`, `++` and `--`: ~10x cheaper than walking the AST again. It
 * over-approximates (an `x = 1` in a string or a default parameter counts), which only makes
 * fewer values movable.
 */
export function collectAssignedText(text: string): Set<string> {
  const out = new Set<string>();
  // the identifier (or `this.name`) that ends right before position `end` (whitespace skipped)
  const nameBefore = (end: number): { name: string; start: number } | undefined => {
    let e = end;
    while (e > 0 && (text.charCodeAt(e - 1) === 32 || text.charCodeAt(e - 1) === 9)) e--;
    let b = e;
    while (b > 0 && isIdChar(text.charCodeAt(b - 1))) b--;
    if (b === e || (text.charCodeAt(b) >= 48 && text.charCodeAt(b) <= 57)) return undefined;
    const id = text.slice(b, e);
    if (text.charCodeAt(b - 1) === 46) {
      return text.slice(b - 5, b) === 'this.' && !isIdChar(text.charCodeAt(b - 6)) ? { name: `this.${id}`, start: b - 5 } : undefined;
    }
    return { name: id, start: b };
  };
  const isDecl = (start: number) => /\b(?:const|let|var)\s+$/.test(text.slice(Math.max(0, start - 12), start));
  for (let i = text.indexOf('='); i >= 0; i = text.indexOf('=', i + 1)) {
    const next = text.charCodeAt(i + 1);
    if (next === 61 || next === 62) { i++; continue; } // == === =>
    let k = i;
    // compound operators: += -= *= /= %= &= |= ^= **= <<= >>= >>>= &&= ||= ??=
    while (k > 0 && '+-*/%&|^<>?!'.includes(text[k - 1])) k--;
    const op = text.slice(k, i);
    if (op === '!' || op === '<' || op === '>' || (op && !/^(?:[-+*/%&|^]|\*\*|<<|>>>?|&&|\|\||\?\?)$/.test(op))) continue;
    const n = nameBefore(k);
    if (n && !isDecl(n.start)) out.add(n.name);
  }
  for (const tok of ['++', '--']) {
    for (let i = text.indexOf(tok); i >= 0; i = text.indexOf(tok, i + 2)) {
      const before = nameBefore(i);
      if (before) out.add(before.name);
      let a = i + 2;
      while (a < text.length && (text.charCodeAt(a) === 32 || text.charCodeAt(a) === 9)) a++;
      let b = a;
      while (b < text.length && isIdChar(text.charCodeAt(b))) b++;
      if (b > a) {
        const id = text.slice(a, b);
        out.add(id === 'this' && text[b] === '.' ? `this.${/^[\w$]+/.exec(text.slice(b + 1))?.[0] ?? ''}` : id);
      }
    }
  }
  return out;
}

function isExpressionNode(ts: TypeScriptApi, n: TS.Node): boolean {
  return ts.isExpression(n);
}

/** Initializers that never produce a tensor: literals, object and array literals, `new X()`, functions. */
function plainlyNotTensor(ts: TypeScriptApi, e: TS.Expression): boolean {
  const x = stripFn(ts, e);
  return ts.isLiteralExpression(x) || ts.isObjectLiteralExpression(x) || ts.isArrayLiteralExpression(x) || ts.isNewExpression(x) || ts.isTemplateExpression(x)
    || ts.isArrowFunction(x) || ts.isFunctionExpression(x) || ts.isClassExpression(x) || x.kind === ts.SyntaxKind.TrueKeyword || x.kind === ts.SyntaxKind.FalseKeyword
    || x.kind === ts.SyntaxKind.NullKeyword || ts.isPrefixUnaryExpression(x) || ts.isBinaryExpression(x) || ts.isTypeOfExpression(x);
}

/** `() => …`, `function () {…}`, possibly parenthesized or cast. */
export function isFunctionLike(ts: TypeScriptApi, e: TS.Expression): boolean {
  const x = stripFn(ts, e);
  return ts.isArrowFunction(x) || ts.isFunctionExpression(x);
}

export function stripFn(ts: TypeScriptApi, e: TS.Expression): TS.Expression {
  let x = e;
  while (ts.isParenthesizedExpression(x) || ts.isAsExpression(x) || ts.isSatisfiesExpression(x)) x = x.expression;
  return x;
}
