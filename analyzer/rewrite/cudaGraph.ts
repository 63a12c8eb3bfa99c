// CUDA Graph rewrite (FL022): capture the loop's launches once before the loop, replay the graph
// in the loop, destroy it after. The launches are moved verbatim (with their error-check wrappers).

import type { TextEdit } from '../core/text';
import type { CudaProgram } from '../cuda/frontend';
import type { CudaLaunchData } from '../cuda/hostSequence';
import type { GraphLoop } from '../planner/graphLoop';
import { deleteStatement } from './cudaVertical';
import { indentOfLine, UsedNames } from './tokenText';

export function graphLoopRewrite(program: CudaProgram, gl: GraphLoop): { ok: true; edits: TextEdit[] } | { ok: false; reason: string } {
  if (gl.fixBlocker) return { ok: false, reason: gl.fixBlocker };
  const src = program.text;
  const taken = new UsedNames(src);
  const fresh = (base: string) => {
    let n = base;
    for (let k = 2; taken.has(n); k++) n = `${base}_${k}`;
    taken.add(n);
    return n;
  };
  const graph = fresh('fl_graph');
  const exec = fresh('fl_graph_exec');
  const stream = (gl.launches[0].frontend as CudaLaunchData).config.stream!.text;
  const indent = ' '.repeat(indentOfLine(src, gl.loop.span.start));
  let loopStart = gl.loop.span.start;
  while (loopStart > 0 && src[loopStart - 1] !== '\n') loopStart--;
  const captured = gl.launches.map(l => `${indent}${src.slice(l.stmtSpan.start, l.stmtSpan.end).trim()}`);
  const before = [
    `${indent}// Fusion Lens: these ${gl.launches.length} launches are captured once in a CUDA Graph and replayed on every iteration.`,
    `${indent}cudaGraph_t ${graph};`,
    `${indent}cudaGraphExec_t ${exec};`,
    `${indent}cudaStreamBeginCapture(${stream}, cudaStreamCaptureModeThreadLocal);`,
    ...captured,
    `${indent}cudaStreamEndCapture(${stream}, &${graph});`,
    `${indent}cudaGraphInstantiate(&${exec}, ${graph}, 0);`,
  ];
  const edits: TextEdit[] = [{ span: { start: loopStart, end: loopStart }, newText: before.join('\n') + '\n' }];
  edits.push({ span: gl.launches[0].stmtSpan, newText: `cudaGraphLaunch(${exec}, ${stream});` });
  for (const l of gl.launches.slice(1)) edits.push(deleteStatement(src, l.stmtSpan));
  edits.push({ span: { start: gl.loop.span.end, end: gl.loop.span.end }, newText: `\n${indent}cudaGraphExecDestroy(${exec});\n${indent}cudaGraphDestroy(${graph});` });
  // a loop cut short by recovery (missing `}`) ends inside its last launch's statement
  if (edits.some(e => e !== edits[edits.length - 1] && e.span.end > gl.loop.span.end)) return { ok: false, reason: 'the loop does not close after its launches (a missing `}`?)' };
  return { ok: true, edits };
}
