// The Finding is the product's one output type: plain JSON data that the CLI, the language server,
// the report webview and the tests all consume unchanged (see docs/cli.md for the versioned schema).

import type { Position, Span } from './text';

export interface Range {
  start: Position;
  end: Position;
}

export type Severity = 'error' | 'warning' | 'info' | 'hint';
export type FusionKind = 'vertical' | 'horizontal' | 'graph' | 'library';

export interface LaunchRef {
  callee: string;
  span: Span;
  range: Range;
}

/** What fusing is estimated to save, with every assumption spelled out. */
export interface Estimate {
  gpu: string;
  gpuName: string;
  /** Bytes the kernels load and store (device-memory traffic through L2), before/after. */
  bytesBefore: number;
  bytesAfter: number;
  /** Of those, bytes that reach DRAM (what Nsight Compute's dram__bytes counts), before/after. */
  dramBytesBefore: number;
  dramBytesAfter: number;
  launchesBefore: number;
  launchesAfter: number;
  timeBeforeUs: number;
  timeAfterUs: number;
  speedup: number;
  /** Elements per launch used for the figures; `sizeKnown` says whether it came from the code. */
  elements: number;
  sizeKnown: boolean;
  /** Bytes per element before/after, so unknown sizes can still be judged. */
  bytesPerElementBefore: number;
  bytesPerElementAfter: number;
  boundBefore: 'memory' | 'launch';
  boundAfter: 'memory' | 'launch';
  assumptions: string[];
}

export interface FileEdit {
  file: string;
  span: Span;
  range: Range;
  newText: string;
}

export interface Fix {
  title: string;
  edits: FileEdit[];
}

export interface Finding {
  rule: string;
  ruleName: string;
  kind: FusionKind;
  severity: Severity;
  message: string;
  file: string;
  /** Primary location: the first launch of the group. */
  span: Span;
  range: Range;
  launches: LaunchRef[];
  estimate: Estimate;
  /** A quick fix exists (its edits are in `fix` when analysis ran with fixes, else resolveFix()). */
  fixable: boolean;
  fix?: Fix;
  /** Why no fix is offered although the finding stands (legality uncertain, unsupported shape). */
  fixUnavailable?: string;
  /** Extra facts a user should know (kept stores, moved launches). */
  notes: string[];
}

/** A tempting group that a legality rule refused; shown on hover ("why not") and in JSON. */
export interface Refusal {
  rule: string;
  ruleName: string;
  file: string;
  reason: string;
  launches: LaunchRef[];
  /** The thing that blocked fusion (a sync call, a stencil read...), when it has a location. */
  blocker?: { span: Span; range: Range; text: string };
}

/** A problem with the input itself (unbalanced braces, unterminated comment). */
export interface ParseProblem {
  message: string;
  span: Span;
  range: Range;
}
