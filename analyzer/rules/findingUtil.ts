import type { LaunchRef, Range } from '../core/finding';
import type { LaunchNode } from '../core/ir';
import type { LineIndex, Span } from '../core/text';

export function toRange(lines: LineIndex, span: Span): Range {
  return { start: lines.position(span.start), end: lines.position(span.end) };
}

export function launchRef(lines: LineIndex, l: LaunchNode): LaunchRef {
  return { callee: l.callee, span: l.span, range: toRange(lines, l.span) };
}
