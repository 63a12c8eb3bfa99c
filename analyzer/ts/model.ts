// Data the TensorFlow.js frontend extracts from one file: tensor values, tf ops, the events between
// them and the blocks they sit in. Plain data with absolute UTF-16 offsets; the frontend turns it
// into the shared Program IR (core/ir.ts) for the planner and the cost model.

import type { Span } from '../core/text';

export interface TValue {
  /** Identity within its function: `h@3` (variable), `matMul(…)@t7` (temporary). */
  key: string;
  name: string;
  /** Known dimensions. */
  dims?: number[];
  /** Known rank when the dimensions are not (from `tf.Tensor1D` annotations and the like). */
  rank?: number;
  dtype: string;
  dtypeKnown: boolean;
  /** Where the shape came from, for the estimate's assumptions. */
  shapeFrom?: string;
  /** Symbolic identity of the shape when dims are unknown (values with equal keys have equal shapes). */
  spaceKey: string;
  origin: 'op' | 'param' | 'creator' | 'field' | 'unknown';
  /** Op id that produced it. */
  producer?: number;
}

export interface TArg {
  span: Span;
  text: string;
  /** Tensor value id when the argument is a tensor. */
  value?: number;
  num?: number;
  str?: string;
  bool?: boolean;
  /** An array literal of numbers (strides, shapes). */
  nums?: number[];
  /** Moving this argument's text to a later statement cannot change what it evaluates to. */
  movable: boolean;
}

export interface GradientContext {
  kind: 'lexical' | 'reachable' | 'layer';
  /** What records the gradients (`optimizer.minimize`, `tf.grad`, `model.fit via Layer.call`). */
  via: string;
  span?: Span;
}

export interface TOp {
  id: number;
  op: string;
  style: 'function' | 'method';
  /** The callee as written: `tf.matMul`, `matMul` (named import), `.matMul` (method). */
  display: string;
  /** The namespace alias used (`tf`) for functional calls through a namespace. */
  ns?: string;
  /** Where diagnostics point: the call, or from the method name to the end for chained calls. */
  span: Span;
  /** The whole call expression (for a chained call, including its receiver chain). */
  callSpan: Span;
  nameSpan: Span;
  /** The statement that contains the call. */
  stmtSpan: Span;
  stmtId: number;
  /** Method style: args[0] is the receiver. */
  args: TArg[];
  inputs: number[];
  out: number;
  block: number;
  pos: number;
  gradient?: GradientContext;
  /** The value is the whole initializer of `const name = <call>;` (a statement a rewrite may delete). */
  declOf?: { name: string; stmtSpan: Span; single: boolean };
  /** How to name `tf.fused` at this location (`tf.fused`, `fused`), when something in scope names it. */
  fusedRef?: string;
  /** The name `fused` is unbound here, so adding it to a named import would make `fused` usable. */
  fusedFree: boolean;
}

export type TEventKind = 'sync' | 'free' | 'call' | 'control';

export interface TEvent {
  kind: TEventKind;
  span: Span;
  text: string;
  reads: string[];
  block: number;
  pos: number;
}

export interface TBlock {
  id: number;
  /** Items in program order: ops (by id) and events (by index). */
  items: Array<{ op: number } | { event: number }>;
  loop?: { span: Span; header: string; tripCount?: number };
}

/** A horizontal candidate: the same elementwise op applied to each element of a collection. */
export interface TLoopOp {
  op: number;
  loopSpan: Span;
  /** `xs.map(cb)` with a one-op body: rewritable to tf.unstack(op(tf.stack(xs))). */
  mapCall?: { span: Span; arrayText: string; param: string; elemDims?: number[]; extraArgs: string[] };
  tripCount?: number;
  tripFrom?: string;
}

export interface TFunction {
  id: number;
  name: string;
  span: Span;
  values: TValue[];
  ops: TOp[];
  events: TEvent[];
  blocks: TBlock[];
  reads: Map<string, number[]>;
  loops: Array<[number, number]>;
  escaping: Set<string>;
  loopOps: TLoopOp[];
  /** Identifiers read that are not declared inside (for module-level liveness). */
  freeNames: Set<string>;
  /** Names of functions this body calls (for gradient reachability). */
  calls: Set<string>;
  /** Gradient context of the whole body (closure passed to tf.grad/minimize, or layer call()). */
  gradient?: GradientContext;
  /** The context known from the body alone (before names passed to gradient functions are resolved). */
  baseGradient?: GradientContext;
}
