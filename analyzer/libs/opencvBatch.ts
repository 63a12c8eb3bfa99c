// A counted loop whose body is one OpenCV CUDA chain over a per-iteration crop (`frame(rois[i])`,
// `crops[i]`) into per-iteration planes (`planes[i]`): cvGPUSpeedup runs all iterations as one
// batched kernel (std::array of inputs, blockIdx.z per item; fkl.md section 4, "HF batch").

import type { CudaProgram } from '../cuda/frontend';
import { evalText } from '../cuda/constEval';
import type { CvChain } from './opencv';
import { localLookup, type DeclItem, type LoopItem } from './hostCalls';

export interface CvBatch {
  chain: CvChain;
  loop: LoopItem;
  indexVar: string;
  /** Batch size: its text (a compile-time constant) and value. */
  bound: string;
  count: number;
  /** Declarations in the body the input expression needs (copied into the batch fill loop). */
  inputDecls: DeclItem[];
  /** Why the loop cannot become one batched call, when it cannot. */
  reason?: string;
}

export function batchOf(program: CudaProgram, chain: CvChain): CvBatch | undefined {
  const loop = chain.loop;
  if (!loop || !loop.indexVar || !loop.bound) return undefined;
  const i = loop.indexVar;
  const lookup = localLookup(chain.fn, program.constLookup);
  const count = evalText(loop.bound, lookup);
  if (count === undefined || count < 2) return undefined;
  const b: CvBatch = { chain, loop, indexVar: i, bound: loop.bound, count, inputDecls: [] };
  const fail = (reason: string) => ({ ...b, reason });
  const opItems = new Set(chain.ops.map(o => o.call.first));
  const inter = new Set(chain.intermediates.map(x => x.name));
  const mentionsIndex = (s: string) => new RegExp(`\\b${i}\\b`).test(s);
  const first = chain.ops[0];
  const last = chain.ops[chain.ops.length - 1];
  // the body is the chain plus declarations of its intermediates and of what its input needs
  for (const it of loop.body) {
    if (opItems.has(it.first)) continue;
    if (it.kind === 'decl') {
      if (it.vars.every(v => inter.has(v.name))) continue;
      if (it.vars.every(v => new RegExp(`\\b${v.name}\\b`).test(first.src)) && !it.vars.some(v => chain.ops.slice(1).some(o => o.call.idents.has(v.name)))) {
        b.inputDecls.push(it);
        continue;
      }
    }
    return fail(`the loop body does more than the chain (line-level statement \`${program.text.slice(it.span.start, it.span.end).split('\n')[0]}\`)`);
  }
  if (first.kind !== 'resize') return fail('the chain does not start with a resize: batch items of different sizes need the resize to share one output size');
  if (!mentionsIndex(first.src) && !b.inputDecls.length) return fail(`the input \`${first.src}\` is the same on every iteration`);
  if (last.kind !== 'split' || !/^\w+\[\s*\w+\s*\]$/.test(last.dst) || !mentionsIndex(last.dst)) return fail(`each iteration must write its own planes (\`planes[${i}]\`): a batched cvGS write needs one tensor GpuMat instead`);
  // every other argument must be the same on every iteration
  for (const o of chain.ops) {
    for (const a of o.call.args) {
      if (a.text === o.src || a.text === o.dst) continue;
      if (mentionsIndex(a.text) || b.inputDecls.some(d => d.vars.some(v => new RegExp(`\\b${v.name}\\b`).test(a.text)))) return fail(`\`${a.text}\` changes between iterations`);
    }
  }
  for (const x of chain.intermediates) {
    const d = chain.fn.types.get(x.name);
    if (d && !d.param && (d.declTok < loop.first || d.declTok > loop.last) && x.usedAt) return fail(`\`${x.name}\` is used outside the loop`);
  }
  return b;
}
