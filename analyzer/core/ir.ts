// Program IR shared by the frontends (CUDA, TypeScript, WGSL), the planner and the cost model.
// A frontend turns one host scope into a Sequence: launches in program order with the events
// between them. Launches describe their data effects per buffer; the planner needs nothing else.

import type { Span } from './text';

export type Access = 'read' | 'write' | 'readwrite';

/**
 * How a launch's thread (or op element) t touches a buffer.
 * - identity: element t of the iteration space, the index its own thread would produce.
 * - affine: t plus constant offsets (stencils, x[i-1]).
 * - broadcast: the same element(s) for every t (x[0], bias[c]).
 * - indirect: through another array (x[idx[i]]).
 * - reduction: combined across threads (atomics, shared-memory trees, warp shuffles).
 * - strided/unknown: anything else (x[2*i], transposes, pointer arithmetic, calls).
 */
export type IndexPattern =
  | { kind: 'identity' }
  | { kind: 'affine'; offsets: string[] }
  | { kind: 'broadcast' }
  | { kind: 'indirect'; via?: string }
  | { kind: 'reduction'; how: 'atomic' | 'shared' | 'shuffle' | 'block' }
  | { kind: 'strided'; text: string; /** `x[i % P]`: at most P distinct elements (a broadcast row). */ modulo?: string }
  | { kind: 'unknown'; reason: string };

/** Where a buffer came from; decides whether two names may alias (rule L4). */
export type Provenance =
  | 'allocation' // cudaMalloc/new/device_vector in this scope: distinct from every other allocation
  | 'restrict-param' // a __restrict__ pointer parameter of the host function
  | 'param' // a plain pointer parameter: may alias other parameters
  | 'global'
  | 'unknown';

export interface BufferId {
  /** Identity key: variable name plus assignment version, e.g. `d_tmp#1`. */
  key: string;
  name: string;
  version: number;
  /** Constant element offset from the variable (`p + 4`), '0' when none, or the offset text. */
  offset: string;
  provenance: Provenance;
  /** Set for an element of an array of pointers, `out[b]`: which array, at which index text. */
  elementOf?: { array: string; index: string; separatelyAllocated: boolean };
  /** What the user can do when this buffer may alias another (frontend-specific advice for L4). */
  aliasHint?: string;
}

/** An iteration-space or element count: folded value when known, else the expression text. */
export interface Size {
  value?: number;
  /** Normalized source text (whitespace-collapsed), used to compare unknown sizes. */
  expr: string;
  /** Variables the expression reads, with their versions (`n#0`), for equality across launches. */
  key: string;
}

export interface BufferUse {
  buffer: BufferId;
  access: Access;
  index: IndexPattern;
  elemType: string;
  elemBytes?: number;
  /** Parameter name in the callee (kernel param, op input name). */
  param: string;
  /** Argument text at the launch. */
  argText: string;
  /** Elements touched per launch when it differs from the launch's iteration space (e.g. reductions). */
  elements?: Size;
  /** Every access is bounded by `index < bound` (an if or ?: guard), for kernels with no plain guard. */
  bound?: Size;
}

export interface LaunchTraits {
  /** Every buffer use is identity/broadcast: one thread per element, no cross-thread communication. */
  elementwise: boolean;
  /** Produces a value combined across threads (needs a grid-wide barrier before it can be consumed). */
  reduction: boolean;
  /** Uses __syncthreads / shared memory / shuffles (block-level cooperation). */
  blockCooperative: boolean;
  /** Callee body unknown (not found, library call): effects are conservative. */
  opaque: boolean;
  /** Effects beyond its buffers that fusion would reorder (kernel summary `effects`): no fusion. */
  effects?: string;
  /** An empty kernel (a marker or a benchmark): not batched, grouped or captured. */
  empty?: boolean;
}

export interface LaunchNode {
  type: 'launch';
  id: number;
  callee: string;
  /** The launch expression, e.g. `k<<<g, b>>>(x, y)`. */
  span: Span;
  calleeSpan: Span;
  /** The whole statement a rewrite replaces or deletes (includes `;` and any wrapping macro call). */
  stmtSpan: Span;
  uses: BufferUse[];
  /** Identifiers (with versions, `alpha#0`) the launch's arguments and configuration read. */
  varsRead: string[];
  space: Size;
  /** Normalized stream expression; '0' is the default stream. */
  stream: string;
  traits: LaunchTraits;
  /** Arithmetic per element of the iteration space (rough operator count), for compute-bound checks. */
  flopsPerElement?: number;
  /** Frontend data the rewriter needs (CUDA: kernel summary, config, args). */
  frontend: unknown;
}

export type EventKind =
  | 'sync' // host waits for the device: cudaDeviceSynchronize, cudaStreamSynchronize, event sync
  | 'memcpy'
  | 'memset'
  | 'free'
  | 'alloc'
  | 'event' // cudaStreamWaitEvent and friends: cross-stream ordering
  | 'call' // a call we can see into or know
  | 'opaque' // a call we cannot see into
  | 'control' // a host if/loop/switch between launches
  | 'assign' // assignment to a variable the launches may use
  | 'host-access' // host dereference of a device pointer
  | 'exit' // return, break, continue, goto or throw (or a statement holding one): later code may not run
  | 'entry'; // a `case`/`default` or goto label: code after it is also reached from elsewhere

export interface EventNode {
  type: 'event';
  kind: EventKind;
  span: Span;
  text: string;
  /** Buffers read / written, by BufferId.key; '*' means possibly any. */
  reads: string[] | '*';
  writes: string[] | '*';
  /** Variable names whose value changes here (assignments, reallocations). */
  assigns: string[];
  /** Host synchronizes with (or observes) the device here. */
  sync: boolean;
}

export type SeqItem = LaunchNode | EventNode;

export interface LoopInfo {
  span: Span;
  /** The loop body statement (braces included when it has them). */
  bodySpan: Span;
  /** The loop header text, e.g. `for (int b = 0; b < B; ++b)`. */
  header: string;
  /** Induction variable and trip count when the loop is a simple counted loop. */
  indexVar?: string;
  tripCount?: Size;
}

export interface Sequence {
  /** Enclosing host function (qualified) plus a block path for nested scopes. */
  scope: string;
  file: string;
  items: SeqItem[];
  /** Program-order position of each item within its function (liveness across scopes). */
  positions: number[];
  /** Reads of each buffer key at program-order positions anywhere in the function; key '*' = any. */
  reads: Map<string, number[]>;
  /** Enclosing loops as position ranges: a read anywhere in one is live on the next iteration. */
  loops: Array<[number, number]>;
  /** Buffer keys that escape the function (parameters, globals, returned); '*' = all. */
  escaping: Set<string>;
  /** Set when this sequence is the body of a loop. */
  loop?: LoopInfo;
}
