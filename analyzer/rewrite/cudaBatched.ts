// Horizontal-fusion rewrite for a batch loop (FL020): one kernel launch for all items. The kernel
// is the per-item kernel (or the vertically fused chain) with the item index in blockIdx.y (or .z);
// per-item arguments travel in a struct, by value when they fit in kernel parameter space and the
// batch size is a compile-time constant, else in a device array filled from the host loop.

import type { LaunchNode } from '../core/ir';
import type { TextEdit } from '../core/text';
import type { CudaProgram } from '../cuda/frontend';
import type { CudaLaunchData } from '../cuda/hostSequence';
import { lex } from '../cuda/lexer';
import { scan } from '../cuda/scanner';
import type { BatchLoop } from '../planner/batchLoop';
import type { Group } from '../planner/types';
import { deleteStatement, fuseVertical, indentUnit, insertionEdits, stripKernelSuffix } from './cudaVertical';
import { indentOfLine, UsedNames } from './tokenText';

export type BatchRewrite =
  | { ok: true; edits: TextEdit[]; kernelName: string; byValue: boolean }
  | { ok: false; reason: string };

/** Bytes of __global__ parameters we allow (the portable 4 KB limit). */
const PARAM_LIMIT = 4096;

export function batchLoopRewrite(program: CudaProgram, bl: BatchLoop, emit: boolean): BatchRewrite {
  const fail = (reason: string): BatchRewrite => ({ ok: false, reason });
  if (bl.uncertain.length) return fail(bl.uncertain[0]);
  const group: Group = bl.vertical ?? { seq: bl.seq, members: bl.launches, indices: [bl.seq.items.indexOf(bl.launches[0])], intermediates: [], uncertain: [] };
  const base = fuseVertical(program, group, true);
  if (!base.ok) return fail(base.reason);
  if (!base.params || !base.body) return fail('fusing a reduction into a batch is not rewritten automatically');
  const perItem = base.params.filter(p => p.variant);
  const shared = base.params.filter(p => !p.variant);
  if (!perItem.length) return fail('no argument changes from item to item: the loop repeats the same work');
  const B = bl.batch.value;
  const itemBytes = perItem.reduce((s, p) => s + (p.isPointer ? 8 : sizeOfType(p.typeText)), 0);
  const sharedBytes = shared.reduce((s, p) => s + (p.isPointer ? 8 : sizeOfType(p.typeText)), 0);
  const byValue = B !== undefined && B * itemBytes + sharedBytes <= PARAM_LIMIT;
  if (!emit) return { ok: true, edits: [], kernelName: '', byValue };

  const place = bl.launches[bl.launches.length - 1];
  const data = place.frontend as CudaLaunchData;
  const first = bl.launches[0].frontend as CudaLaunchData;
  const hostFn = program.scan.functions.find(f => f.qualifiedName === data.hostFunction && !f.isKernel);
  if (!hostFn) return fail('internal: host function not found');
  const src = program.text;
  const taken = new UsedNames(program.tokens.src);
  const fresh = (base: string) => {
    let n = base;
    for (let k = 2; taken.has(n); k++) n = `${base}_${k}`;
    taken.add(n);
    return n;
  };
  const stem = bl.launches.map(l => stripKernelSuffix(l.callee)).join('_');
  const kernelName = fresh(`${stem}_batched`);
  const itemType = fresh(`${stem}_item`);
  const batchType = fresh(`${stem}_batch`);
  const itemVar = fresh('item');
  const unit = indentUnit(first.kernel!);
  const dim = bl.itemDim;

  // ---- kernel
  const lines: string[] = [];
  const loopHead = bl.loop.header.replace(/\s+/g, ' ');
  lines.push(`// Fusion Lens: one launch for every item of \`${loopHead}\` (${bl.launches.map(l => l.callee).join(' -> ')} per item).`);
  lines.push(`// Each item runs in its own blockIdx.${dim} slice; per-item arguments come ${byValue ? 'by value in a struct' : 'from a device array filled by the host loop'}.`);
  lines.push(`struct ${itemType} {`);
  for (const p of perItem) lines.push(`${unit}${memberDecl(p.typeText, p.name)};`);
  lines.push('};');
  if (byValue) {
    lines.push(`struct ${batchType} {`);
    lines.push(`${unit}${itemType} items[${B}];`);
    lines.push('};');
  }
  // __grid_constant__ keeps the by-value batch in parameter space: indexing it by blockIdx then reads
  // the constant bank instead of copying the whole struct to every thread's stack (measured: a
  // 128-byte copy per thread made an 8-item batch 2x slower, bench/gpu batch_scale_b8)
  const batchParam = byValue ? `const __grid_constant__ ${batchType} batch` : `const ${itemType}* __restrict__ items`;
  lines.push(`__global__ void ${kernelName}(${[batchParam, ...shared.map(p => p.decl)].join(', ')}) {`);
  lines.push(`${unit}const ${itemType}& ${itemVar} = ${byValue ? 'batch.items' : 'items'}[blockIdx.${dim}];`);
  for (const p of perItem) lines.push(`${unit}${p.decl} = ${itemVar}.${p.name};`);
  lines.push(...base.body);
  lines.push('}');
  const kernelText = lines.join('\n');
  const check = scan(lex(kernelText));
  if (check.problems.length || check.functions.filter(f => f.isKernel).length !== 1) return fail('internal: the generated kernel does not parse back');

  // ---- host code: collect per-item arguments in the loop, launch once after it
  const edits: TextEdit[] = insertionEdits(program, bl.launches.map(l => (l.frontend as CudaLaunchData).kernel!), hostFn, kernelText, `__global__ void ${kernelName}(${[batchParam, ...shared.map(p => p.decl)].join(', ')})`);
  const loopIndent = ' '.repeat(indentOfLine(src, bl.loop.span.start));
  const store = fresh(byValue ? 'fl_batch' : 'fl_items');
  const bExpr = bl.batch.expr;
  const before = byValue ? `${batchType} ${store};` : `std::vector<${itemType}> ${store}(${bExpr});`;
  edits.push({ span: { start: lineStart(src, bl.loop.span.start), end: lineStart(src, bl.loop.span.start) }, newText: `${loopIndent}${before}\n` });
  const setItem = `${byValue ? `${store}.items` : store}[${bl.loop.indexVar}] = {${perItem.map(p => p.argText).join(', ')}};`;
  const firstLaunch = bl.launches[0];
  edits.push({ span: firstLaunch.stmtSpan, newText: setItem });
  for (const l of bl.launches.slice(1)) edits.push(deleteStatement(src, l.stmtSpan));
  const grid = batchedGrid(data, dim, bExpr);
  const stream = data.config.stream?.text ?? '0';
  const cfg = [grid, data.config.block.text, data.config.shmem?.text ?? '0', stream];
  const afterLoop: string[] = [];
  if (byValue) afterLoop.push(`${kernelName}<<<${cfg.join(', ')}>>>(${[store, ...shared.map(p => p.argText)].join(', ')});`);
  else {
    const dev = fresh(`${store}_d`);
    const bytes = `${store}.size() * sizeof(${itemType})`;
    afterLoop.push(`${itemType}* ${dev} = nullptr;`);
    afterLoop.push(`cudaMallocAsync(&${dev}, ${bytes}, ${stream});`);
    afterLoop.push(`cudaMemcpyAsync(${dev}, ${store}.data(), ${bytes}, cudaMemcpyHostToDevice, ${stream});`);
    afterLoop.push(`${kernelName}<<<${cfg.join(', ')}>>>(${[dev, ...shared.map(p => p.argText)].join(', ')});`);
    afterLoop.push(`cudaFreeAsync(${dev}, ${stream});`);
  }
  edits.push({ span: { start: bl.loop.span.end, end: bl.loop.span.end }, newText: afterLoop.map(l => `\n${loopIndent}${l}`).join('') });
  if (!byValue && !/#\s*include\s*<vector>/.test(src)) edits.push({ span: { start: 0, end: 0 }, newText: '#include <vector>\n' });
  return { ok: true, edits, kernelName, byValue };
}

/** The batched grid: the item grid in x (and y for 2D kernels), the item count in y (or z). */
function batchedGrid(d: CudaLaunchData, dim: 'y' | 'z', batch: string): string {
  const g = d.config.grid;
  const isDim3 = /^dim3\b/.test(g.text.trim()) || /\bdim3\b/.test(g.varType ?? '');
  const b = /^[\w.]+$/.test(batch) ? batch : `(${batch})`;
  if (dim === 'y') return isDim3 ? `dim3((${g.text}).x, ${b})` : `dim3(${g.text}, ${b})`;
  return isDim3 ? `dim3((${g.text}).x, (${g.text}).y, ${b})` : `dim3(${g.text}, 1, ${b})`;
}

function memberDecl(typeText: string, name: string): string {
  const t = typeText.replace(/\s*\b(__restrict__|__restrict)\b/g, '').replace(/\s+\*/g, '*').trim();
  return `${t} ${name}`;
}

function sizeOfType(t: string): number {
  return /double|long|size_t|int64|uint64/.test(t) ? 8 : /short|half|bf16/.test(t) ? 2 : /char|bool|int8/.test(t) ? 1 : 4;
}

function lineStart(src: string, offset: number): number {
  let s = offset;
  while (s > 0 && src[s - 1] !== '\n') s--;
  return s;
}

export type { LaunchNode };
