// What the WebGPU host frontend extracts from TypeScript/JavaScript: shader modules, pipelines,
// buffers, bind groups and the dispatches recorded into compute passes, with the statements that
// set each dispatch's pipeline and bind groups (the quick fix edits those statements).

import type * as TS from 'typescript';
import type { Span } from '../core/text';
import type { Mono } from './sizes';
import type { ShaderEntry, ShaderSummary, WgslBinding } from './wgslSummary';

/** Where a GPU object is created: the statement, the statement list it sits in, how it is named. */
export interface DefSite {
  stmt: Span;
  /** The node whose statement list holds `stmt` (a Block, a SourceFile, a case clause). */
  block: TS.Node;
  /** `const x = ...` / `let x = ...` (declaration) or `x = ...` / `this.x = ...` (assignment). */
  declaration: boolean;
  /** How the object is referred to: `x`, `this.x`. */
  ref: string;
  /** Text of the device expression the creating call was made on (`device`, `this.device`). */
  device: string;
  /**
   * For an assignment to a module variable or a field: its declaration, after which a fix declares
   * its own (`template` with NAME for the name; undefined when the holder has no declaration).
   */
  holder?: { kind: 'module' | 'field'; decl?: Span; template?: string };
}

export interface WgShader {
  kind: 'shader';
  key: string;
  code?: string;
  /** Where the code came from, for messages: a literal, a constant, an imported file. */
  codeFrom: string;
  summary?: ShaderSummary;
  /** Why the code is not known. */
  problem?: string;
  span: Span;
}

export interface WgPipeline {
  kind: 'pipeline';
  key: string;
  name: string;
  shader?: WgShader;
  entryPoint?: string;
  entry?: ShaderEntry;
  /** Pipeline-overridable constants passed at creation. */
  constants: boolean;
  def?: DefSite;
  problem?: string;
}

export interface WgBuffer {
  kind: 'buffer';
  key: string;
  name: string;
  /** Size in bytes, when the code says. */
  size?: Mono;
  sizeText?: string;
  /** Created by createBuffer (distinct from every other allocation). */
  allocated: boolean;
  /** Visible outside the function that dispatches (module variable, field, parameter). */
  shared: boolean;
  def?: DefSite;
}

export interface BindEntry {
  binding: number;
  buffer?: WgBuffer;
  /** Key of a non-buffer resource (texture view, sampler), for dependences. */
  otherKey?: string;
  /** The `resource` value's text, copied into a fused bind group. */
  resourceText: string;
  offset?: Mono;
  offsetText?: string;
  size?: Mono;
}

export interface WgBindGroup {
  kind: 'bindGroup';
  key: string;
  name: string;
  /** `pipeline.getBindGroupLayout(k)`: which pipeline and group the layout came from. */
  layoutOf?: { pipeline?: WgPipeline; group: number };
  entries: BindEntry[];
  /** All entries understood (no spread, computed bindings). */
  complete: boolean;
  def?: DefSite;
}

/** The statement that set a pass's pipeline or one of its bind groups. */
export interface Setter {
  id: number;
  kind: 'pipeline' | 'group';
  group: number;
  stmt: Span;
  standalone: boolean;
  pipeline?: WgPipeline;
  bindGroup?: WgBindGroup;
  /** Dispatch ids that ran with this setting. */
  users: number[];
}

export interface PassInfo {
  id: number;
  encoder: number;
  /** The pass variable's text (`pass`, `this.pass`). */
  text: string;
  /** Dispatches recorded into the pass, in program order. */
  dispatches: number[];
  /** setPipeline / setBindGroup calls on the pass. */
  setters: Setter[];
  /** `const pass = encoder.beginComputePass(...)` and `pass.end()` as statements of their own. */
  begin?: Span;
  end?: Span;
  /** Other commands recorded into the pass (debug markers, timestamps): it is never empty. */
  others: number;
}

export interface WgDispatch {
  id: number;
  pass: PassInfo;
  pipeline?: WgPipeline;
  entry?: ShaderEntry;
  pipelineSetter?: Setter;
  groupSetters: Map<number, Setter | undefined>;
  /** For each binding the entry uses: the bind group entry that feeds it. */
  bindings: Array<{ binding: WgslBinding; entry?: BindEntry; group?: WgBindGroup }>;
  stmt: Span;
  call: Span;
  nameSpan: Span;
  /** The dispatch is an expression statement of its own (a fix can replace or delete it). */
  standalone: boolean;
  argsText: string[];
  counts?: Mono[];
  /** Per count, when it is `Math.ceil(x / k)`: the x items it covers in groups of k. */
  countCeil?: Array<{ x: Mono; k: number } | undefined>;
  indirect?: { buffer?: WgBuffer; offsetText: string; argsText: string };
  /** Why the dispatch's effects are not known (no fusion, no fix). */
  opaque?: string;
  /** The function (or source file) the dispatch is in. */
  fn: TS.Node;
}
