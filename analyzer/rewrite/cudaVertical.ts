// Vertical-fusion rewrite for CUDA: one readable __global__ kernel that runs the stages of a legal
// group one after the other per element, with dead intermediates held in registers, and one launch
// of it in place of the group's launches.
//
// The generated kernel keeps each source kernel's own per-element code verbatim (comments included),
// renaming only parameters, index variables and template parameters, and replacing subscripts of
// register-held intermediates. Anything it cannot do exactly, it refuses with a reason.

import type { BufferId, LaunchNode } from '../core/ir';
import type { TextEdit } from '../core/text';
import type { CudaProgram } from '../cuda/frontend';
import type { CudaArg, CudaLaunchData } from '../cuda/hostSequence';
import type { KernelSummary, KernelParam } from '../cuda/kernelSummary';
import { kernelBodyText } from '../cuda/kernelSummary';
import { Tok, lex, type Tokens } from '../cuda/lexer';
import { parseStatements } from '../cuda/statements';
import { scan, type FunctionDecl } from '../cuda/scanner';
import type { Group } from '../planner/types';
import { indentOfLine, reindent, rewriteRange, type TokenReplacement } from './tokenText';

export type RewriteResult =
  | {
      ok: true;
      edits: TextEdit[];
      kernelName: string;
      kernelText: string;
      registers: string[];
      stores: string[];
      /** The fused kernel's parameters and body lines, for rewrites that build on it (batching). */
      params?: Array<{ name: string; decl: string; argText: string; isPointer: boolean; variant: boolean; typeText: string }>;
      body?: string[];
    }
  | { ok: false; reason: string };

interface Stage {
  launch: LaunchNode;
  data: CudaLaunchData;
  kernel: KernelSummary;
  t: Tokens;
  templ: Map<string, string>;
  /** kernel param name -> fused param name */
  paramNames: Map<string, string>;
  /** kernel param name -> register name (dead intermediates) */
  registers: Map<string, string>;
}

interface FusedParam {
  name: string;
  preferred: string;
  key: string;
  typeText: string;
  isPointer: boolean;
  written: boolean;
  allRestrict: boolean;
  argText: string;
  /** The argument changes from one iteration of the enclosing loop to the next. */
  variant: boolean;
}

const CPP_WORDS = new Set(['int', 'float', 'double', 'char', 'void', 'if', 'else', 'for', 'while', 'return', 'const', 'unsigned', 'auto', 'size_t', 'long', 'short', 'bool', 'true', 'false', 'do', 'switch', 'case', 'break', 'continue', 'static', 'sizeof', 'new', 'delete', 'this']);

/**
 * Plans (and, when `emit`, writes) the fused kernel for a legal group. Planning alone decides
 * whether a fix exists and which intermediates stay in registers; it is cheap enough to run on
 * every keystroke, while emitting the text waits until a fix is asked for.
 */
export function fuseVertical(program: CudaProgram, group: Group, emit = true): RewriteResult {
  const fail = (reason: string): RewriteResult => ({ ok: false, reason });
  if (group.uncertain.length) return fail(group.uncertain[0]);

  // ---- preconditions
  const stages: Stage[] = [];
  let consumer: Stage | undefined;
  for (const [mi, m] of group.members.entries()) {
    const data = m.frontend as CudaLaunchData;
    const k = data.kernel;
    if (!k) return fail(`the body of \`${m.callee}\` is not visible`);
    const cooperative = k.usesShared || k.usesSync || k.usesShuffle || k.usesAtomics;
    // a kernel that cooperates across threads (a reduction) can only be the last stage: the
    // elementwise stages before it are computed where it reads their result
    const isConsumer = cooperative && mi === group.members.length - 1 && mi > 0;
    if (cooperative && !isConsumer) return fail(`\`${k.name}\` cooperates across threads; only the last stage may do that`);
    if (!isConsumer && k.shape.kind === 'unknown') return fail(`\`${k.name}\` has a shape we do not rewrite: ${k.shape.reason}`);
    if (!isConsumer && k.returnInElement) return fail(`\`${k.name}\` returns early inside its per-element code`);
    if (k.pointerEscapes.length) return fail(`\`${k.name}\` passes a pointer parameter to \`${k.pointerEscapes[0]}\``);
    const templ = new Map<string, string>();
    for (let i = 0; i < k.templateParams.length; i++) {
      const tp = k.templateParams[i];
      const arg = data.templateArgs?.[i] ?? tp.defaultText;
      if (arg === undefined) return fail(`the template arguments of \`${k.name}\` are deduced; write them explicitly (\`${k.name}<...><<<...>>>\`) to enable the rewrite`);
      templ.set(tp.name, arg.trim());
    }
    stages.push({ launch: m, data, kernel: k, t: k.tokens, templ, paramNames: new Map(), registers: new Map() });
    if (isConsumer) consumer = stages[stages.length - 1];
  }
  if (consumer) return fuseIntoConsumer(program, group, stages, consumer, emit);
  const dims = stages[0].kernel.shape.dims;
  if (stages.some(s => s.kernel.shape.dims !== dims)) return fail('the kernels index in different dimensions (1D and 2D)');
  const idxCount = stages[0].kernel.shape.indexVars.length;
  if (stages.some(s => s.kernel.shape.indexVars.length !== idxCount)) return fail('the kernels compute their element index differently (x/y pair and linear index)');
  const needSameConfig = stages.some(s => s.kernel.geometryDependent || s.kernel.shape.kind === 'unguarded');
  const cfgKey = (d: CudaLaunchData) => [d.config.grid.text, d.config.block.text, d.config.shmem?.text ?? '0'].map(x => x.replace(/\s+/g, '')).join('|');
  if (needSameConfig && stages.some(s => cfgKey(s.data) !== cfgKey(stages[0].data))) {
    return fail('a kernel depends on the launch geometry and the launches use different grid or block sizes');
  }
  const place = stages[stages.length - 1];
  const tangled = stages.find(s => s !== place && !s.data.standalone);
  if (tangled) return fail(`the launch of \`${tangled.kernel.name}\` is part of a larger statement; it cannot be removed on its own`);
  if (place.data.form === 'macro' && !('variadicFrom' in place.data.macro!.args)) return fail(`the launch macro \`${place.data.macro!.define.name}\` takes a fixed argument list`);

  // ---- which intermediates live in registers: those whose every access is the thread's own element.
  // Dead ones are never stored; live ones (read after the group, FL014) get one final store.
  // 'load': the group needs the old contents first, so the register starts from memory.
  const regBuffers = new Set<string>();
  const regLoads = new Set<string>();
  const regStores = new Set<string>();
  const linear1d = dims === 1 && idxCount === 1;
  for (const inter of group.intermediates) {
    const safe = registerSafe(stages, inter.key);
    if (safe === 'no') continue;
    if ((safe === 'load' || inter.live) && !linear1d) continue;
    regBuffers.add(inter.key);
    if (safe === 'load') regLoads.add(inter.key);
    if (inter.live) regStores.add(inter.key);
  }
  const jump = stages.find(s => hasLoopJump(s));
  if (jump) return fail(`\`${jump.kernel.name}\` uses \`continue\` or \`break\` in its per-element code`);
  if (!emit) {
    const regInter = group.intermediates.filter(i => regBuffers.has(i.key));
    return { ok: true, edits: [], kernelName: '', kernelText: '', registers: regInter.filter(i => !regStores.has(i.key)).map(i => i.name), stores: regInter.filter(i => regStores.has(i.key)).map(i => i.name) };
  }

  const fresh = namer(program, stages);
  // ---- index variables: the first stage's names
  const indexNames = stages[0].kernel.shape.indexVars.map(v => fresh(v));
  const planned = planParams(stages, regBuffers, regLoads, regStores);
  if (!planned.ok) return fail(planned.reason);
  const { params, byKey, regs } = planned;
  nameParams(stages, params, byKey, regs, fresh);

  // ---- kernel text
  const unit = indentUnit(stages[0].kernel);
  const fusedName = fresh(uniqueName(stages.map(s => stripKernelSuffix(s.kernel.name))));
  const header = `__global__ void ${fusedName}(${params.map(p => paramDecl(p)).join(', ')})`;
  const lb = stages.every(s => s.kernel.launchBounds && s.kernel.launchBounds === stages[0].kernel.launchBounds) ? ` __launch_bounds__(${stages[0].kernel.launchBounds})` : '';
  const lines: string[] = [];
  lines.push(`// Fusion Lens: fused ${stages.map(s => s.kernel.name).join(' -> ')} (${stages.length} launches -> 1).`);
  const dead = [...regs.values()].filter(r => !r.storeTo).map(r => r.buf.name);
  const stored = [...regs.values()].filter(r => r.storeTo).map(r => r.buf.name);
  if (dead.length) lines.push(`// ${listNames(dead)} ${dead.length === 1 ? 'stays' : 'stay'} in registers instead of a round trip through device memory.`);
  if (stored.length) lines.push(`// ${listNames(stored)} ${stored.length === 1 ? 'is' : 'are'} kept in ${stored.length === 1 ? 'a register' : 'registers'} and stored once at the end (read after this kernel).`);
  const inMemory = group.intermediates.filter(i => !regBuffers.has(i.key));
  if (inMemory.length) lines.push(`// ${listNames(inMemory.map(i => i.name))} ${inMemory.length === 1 ? 'is' : 'are'} still written and read back: not every access is the thread's own element in straight-line code.`);
  lines.push(`${header.replace('__global__', `__global__${lb}`)} {`);
  const bodyStart = lines.length;

  const gridStride = stages.find(s => s.kernel.shape.kind === 'grid-stride');
  const first = stages[0];
  let bodyIndent = unit;
  let omit: (s: Stage, a: number, b: number) => boolean = () => false;
  if (gridStride) {
    const loop = gridStride.kernel.shape.loop!;
    // what the loop's header reads that the kernel declares before the loop (`int index = ...;
    // int stride = blockDim.x * gridDim.x; for (int i = index; i < n; i += stride)`, the CUDA
    // introduction's pattern) is declared before the fused loop too, once
    const sh = gridStride.kernel.shape;
    const beforeLoop = [...sh.primaryDecls, ...sh.prologue].filter(([a]) => a < loop.headOpen - 1).sort((x, y) => x[0] - y[0]);
    for (const [a, b] of beforeLoop) lines.push(reindent(rewriteRange(gridStride.t, a, b, stageReps(gridStride, indexNames, a, b)), indentOfLine(gridStride.t.src, gridStride.t.starts[a]), unit));
    const emitted = new Set(beforeLoop.map(([a]) => a));
    // and the stages' own loop-bound declarations, dead inside the fused loop, are left out
    omit = (st, a, b) => (st === gridStride && emitted.has(a)) || deadDeclaration(st, a, b);
    const head = rewriteRange(gridStride.t, loop.headOpen - 1, loop.headClose, stageReps(gridStride, indexNames, loop.headOpen - 1, loop.headClose));
    lines.push(`${unit}${head.replace(/\s+/g, ' ')} {`);
    bodyIndent = unit + unit;
  } else {
    for (const [a, b] of first.kernel.shape.primaryDecls) lines.push(reindent(rewriteRange(first.t, a, b, stageReps(first, indexNames, a, b)), indentOfLine(first.t.src, first.t.starts[a]), unit));
    if (first.kernel.shape.kind === 'guarded') {
      const [ga, gb] = first.kernel.shape.guard!;
      lines.push(`${unit}if (${rewriteRange(first.t, ga, gb, stageReps(first, indexNames, ga, gb))}) {`);
      bodyIndent = unit + unit;
    } else if (first.kernel.shape.kind === 'early-return') {
      const [ga, gb] = first.kernel.shape.guard!;
      lines.push(`${unit}if (${rewriteRange(first.t, ga, gb, stageReps(first, indexNames, ga, gb))}) return;`);
    }
  }
  lines.push(...registerDecls(regs, byKey, indexNames[0], bodyIndent));
  lines.push(...stageBlocks(stages, indexNames, bodyIndent, unit, !gridStride, omit));
  for (const r of regs.values()) {
    if (r.storeTo) lines.push(`${bodyIndent}${byKey.get(r.storeTo)!.name}[${indexNames[0]}] = ${r.name};`);
  }
  if (gridStride || first.kernel.shape.kind === 'guarded') lines.push(`${unit}}`);
  const body = lines.slice(bodyStart);
  lines.push('}');
  const kernelText = lines.join('\n');
  const edits = placeKernel(program, stages, place, kernelText, header, fusedName, params);
  if (!edits.ok) return fail(edits.reason);
  return {
    ok: true, edits: edits.edits, kernelName: fusedName, kernelText, registers: dead, stores: stored, body,
    params: params.map(p => ({ name: p.name, decl: paramDecl(p), argText: p.argText, isPointer: p.isPointer, variant: p.variant, typeText: paramDecl(p).slice(0, -p.name.length).trim() })),
  };
}

/**
 * Fuses elementwise stages into a kernel that cooperates across threads (a reduction), the last
 * stage: the elementwise code becomes a __device__ function that computes the intermediate for one
 * element, called where the consumer reads it. The consumer's own code is kept verbatim.
 */
function fuseIntoConsumer(program: CudaProgram, group: Group, stages: Stage[], consumer: Stage, emit: boolean): RewriteResult {
  const fail = (reason: string): RewriteResult => ({ ok: false, reason });
  const prefix = stages.slice(0, -1);
  for (const s of prefix) {
    if (s.kernel.shape.dims !== 1 || s.kernel.shape.indexVars.length !== 1) return fail(`\`${s.kernel.name}\` is not a 1D elementwise kernel; only those are fused into a reduction automatically`);
    if (s.kernel.geometryDependent || s.kernel.shape.kind === 'unguarded') return fail(`\`${s.kernel.name}\` depends on its launch geometry`);
    if (hasLoopJump(s)) return fail(`\`${s.kernel.name}\` uses \`continue\` or \`break\` in its per-element code`);
  }
  const tangled = prefix.find(s => !s.data.standalone);
  if (tangled) return fail(`the launch of \`${tangled.kernel.name}\` is part of a larger statement; it cannot be removed on its own`);
  if (consumer.data.form === 'macro' && !('variadicFrom' in consumer.data.macro!.args)) return fail(`the launch macro \`${consumer.data.macro!.define.name}\` takes a fixed argument list`);
  // the consumer must read exactly one intermediate, at its own element, in one place
  const consumerReads = group.intermediates.filter(i => consumer.launch.uses.some(u => u.buffer.key === i.key));
  if (consumerReads.length !== 1) return fail(`\`${consumer.kernel.name}\` reads ${consumerReads.length} intermediates; only one can be computed where it is read`);
  const x = consumerReads[0];
  if (x.live) return fail(`\`${x.name}\` is ${x.liveReason?.replace(/^`[^`]+` is /, '') ?? 'needed later'}, so it must still be written`);
  const xUse = consumer.launch.uses.find(u => u.buffer.key === x.key)!;
  const xParam = consumer.kernel.uses.get(xUse.param)!;
  if (xUse.access !== 'read' || xParam.subscripts.length !== 1 || xParam.subscripts[0].pattern.kind !== 'identity' || xParam.otherUses.length) {
    return fail(`\`${consumer.kernel.name}\` reads \`${x.name}\` more than once or not only at its own element`);
  }
  const regBuffers = new Set<string>();
  const regLoads = new Set<string>();
  for (const inter of group.intermediates) {
    const safe = registerSafe(prefix, inter.key);
    if (safe === 'no' || inter.live) return fail(`\`${inter.name}\` cannot be held in a register (${inter.live ? inter.liveReason : 'not every access is the thread\'s own element'})`);
    regBuffers.add(inter.key);
    if (safe === 'load') regLoads.add(inter.key);
  }
  // the elementwise stages may write nothing but their intermediates
  for (const s of prefix) {
    const out = s.launch.uses.find(u => u.access !== 'read' && !regBuffers.has(u.buffer.key));
    if (out) return fail(`\`${s.kernel.name}\` also writes \`${out.buffer.name}\`, which would have to be stored at every read`);
  }
  if (!emit) return { ok: true, edits: [], kernelName: '', kernelText: '', registers: group.intermediates.map(i => i.name), stores: [] };

  const fresh = namer(program, stages, true);
  const indexNames = prefix[0].kernel.shape.indexVars.map(v => fresh(v));
  const planned = planParams(stages, regBuffers, regLoads, new Set());
  if (!planned.ok) return fail(planned.reason);
  const { params, byKey, regs } = planned;
  nameParams(stages, params, byKey, regs, fresh);
  // the device function takes the prefix's parameters (in the kernel's order) and the element index
  const prefixKeys = new Set<string>();
  for (const s of prefix) for (const name of s.paramNames.values()) prefixKeys.add(name);
  for (const r of regs.values()) if (r.loadFrom) prefixKeys.add(byKey.get(r.loadFrom)!.name);
  const unit = indentUnit(prefix[0].kernel);
  const prefixCode = [...registerDecls(regs, byKey, indexNames[0], unit), ...stageBlocks(prefix, indexNames, unit, unit, false)];
  // only the parameters the elementwise code uses (the bounds check stays the consumer's)
  const used = new Set(prefixCode.join('\n').match(/[A-Za-z_]\w*/g) ?? []);
  const fnParams = params.filter(p => prefixKeys.has(p.name) && used.has(p.name));
  const xReg = regs.get(x.key)!;
  const fnName = fresh(`${prefix.map(s => stripKernelSuffix(s.kernel.name)).join('_')}_at`);
  const indexType = indexTypeOf(prefix[0]);
  const fusedName = fresh(uniqueName(stages.map(s => stripKernelSuffix(s.kernel.name))));
  const header = `__global__ void ${fusedName}(${params.map(p => paramDecl(p)).join(', ')})`;
  const lines: string[] = [];
  lines.push(`// Fusion Lens: fused ${stages.map(s => s.kernel.name).join(' -> ')} (${stages.length} launches -> 1).`);
  lines.push(`// ${listNames(prefix.map(s => s.kernel.name))} ${prefix.length === 1 ? 'runs' : 'run'} where \`${consumer.kernel.name}\` reads \`${x.name}\`, which is never stored.`);
  lines.push(`__device__ __forceinline__ ${xReg.type} ${fnName}(${[...fnParams.map(p => paramDecl(p)), `${indexType} ${indexNames[0]}`].join(', ')}) {`);
  lines.push(...prefixCode);
  lines.push(`${unit}return ${xReg.name};`);
  lines.push('}');
  lines.push('');
  const lb = consumer.kernel.launchBounds ? ` __launch_bounds__(${consumer.kernel.launchBounds})` : '';
  lines.push(`${header.replace('__global__', `__global__${lb}`)} {`);
  // the consumer's body, with the read of the intermediate replaced by the call
  const ct = consumer.t;
  const d = consumer.kernel.decl;
  const bodyEnd = d.bodyClose >= 0 ? d.bodyClose - 1 : d.end;
  const sub = xParam.subscripts[0];
  const innerReps = stageReps(consumer, [], sub.open + 1, sub.close - 1);
  const call = `${fnName}(${[...fnParams.map(p => p.name), rewriteRange(ct, sub.open + 1, sub.close - 1, innerReps)].join(', ')})`;
  const reps = stageReps(consumer, [], d.bodyOpen + 1, bodyEnd).filter(r => r.to < sub.nameTok || r.from > sub.close);
  reps.push({ from: sub.nameTok, to: sub.close, text: call });
  const firstBodyTok = d.bodyOpen + 1;
  if (firstBodyTok <= bodyEnd) lines.push(reindent(rewriteRange(ct, firstBodyTok, bodyEnd, reps), indentOfLine(ct.src, ct.starts[firstBodyTok]), unit));
  lines.push('}');
  const kernelText = lines.join('\n');
  const edits = placeKernel(program, stages, consumer, kernelText, header, fusedName, params);
  if (!edits.ok) return fail(edits.reason);
  return { ok: true, edits: edits.edits, kernelName: fusedName, kernelText, registers: group.intermediates.map(i => i.name), stores: [] };
}

/** The declared type of the first stage's index variable (`int`, `size_t`, ...). */
function indexTypeOf(s: Stage): string {
  const t = s.t;
  const v = s.kernel.shape.indexVars[0];
  const ranges = s.kernel.shape.loop ? [[s.kernel.shape.loop.headOpen + 1, s.kernel.shape.loop.headClose] as [number, number]] : s.kernel.shape.primaryDecls;
  for (const [a, b] of ranges) {
    for (let i = a; i <= b; i++) {
      if (t.is(i, v) && t.is(i + 1, '=')) {
        const words: string[] = [];
        for (let j = a; j < i; j++) if (t.isIdent(j) && !['const', 'constexpr', 'for'].includes(t.text(j))) words.push(t.text(j));
        if (words.length && !words.includes('auto')) return words.join(' ');
      }
    }
  }
  return 'int';
}

/** A name generator that avoids every identifier the stages (and the file's functions) use. */
function namer(program: CudaProgram, stages: Stage[], wholeBodies = false): (...candidates: string[]) => string {
  const free = new Set<string>(CPP_WORDS);
  for (const s of stages) {
    const own = new Set<string>([...s.kernel.params.map(p => p.name), ...s.kernel.shape.indexVars, ...s.templ.keys()]);
    const d = s.kernel.decl;
    const ranges = wholeBodies ? [[d.bodyOpen, d.bodyClose >= 0 ? d.bodyClose : d.end] as [number, number]] : stageRanges(s, true);
    for (const [a, b] of ranges) {
      for (let i = a; i <= b; i++) {
        if (!s.t.isIdent(i) || own.has(s.t.text(i))) continue;
        if (s.t.is(i - 1, '.') || s.t.is(i - 1, '->')) continue; // members (threadIdx.x) are not names
        free.add(s.t.text(i));
      }
    }
  }
  for (const f of program.scan.functions) free.add(f.name);
  const taken = new Set<string>();
  return (...candidates: string[]) => {
    const ok = (n: string) => /^[A-Za-z_]\w*$/.test(n) && !free.has(n) && !taken.has(n);
    let n = candidates.find(ok);
    // a source name need not match the pattern (non-ASCII identifiers): number a sanitized base
    const base = candidates[0].replace(/\W+/g, '_').replace(/^(?![A-Za-z_])/, 'v');
    for (let k = 2; !n; k++) if (ok(`${base}_${k}`)) n = `${base}_${k}`;
    taken.add(n);
    return n;
  };
}

interface Register { key: string; buf: BufferId; type: string; name: string; loadFrom?: string; storeTo?: string }

const ptrKey = (b: BufferId) => `ptr:${b.key}+${b.offset}`;
const valKey = (s: Stage, p: KernelParam, arg: CudaArg) => `val:${substitute(p.typeText, s.templ)}:${arg.text.replace(/\s+/g, '')}`;
const bufferOfParam = (s: Stage, p: KernelParam): BufferId | undefined => s.launch.uses.find(u => u.param === p.name)?.buffer ?? s.data.args[p.index]?.buffer;

/** Merges the stages' parameters into the fused kernel's (by buffer identity or argument text). */
function planParams(stages: Stage[], regBuffers: Set<string>, regLoads: Set<string>, regStores: Set<string>):
  { ok: true; params: FusedParam[]; byKey: Map<string, FusedParam>; regs: Map<string, Register> } | { ok: false; reason: string } {
  const params: FusedParam[] = [];
  const byKey = new Map<string, FusedParam>();
  const regs = new Map<string, Register>();
  for (const s of stages) {
    for (const p of s.kernel.params) {
      const arg = s.data.args[p.index];
      if (!arg) return { ok: false, reason: `the launch of \`${s.kernel.name}\` leaves \`${p.name}\` to its default argument, which the fused kernel would have to spell out` };
      if (!p.isPointer) {
        mergeParam(byKey, params, valKey(s, p, arg), s, p, arg, false);
        continue;
      }
      const use = s.kernel.uses.get(p.name);
      if (!use || use.access === 'none') continue; // unused pointer: not referenced in the body
      const buf = bufferOfParam(s, p);
      if (!buf) return { ok: false, reason: `cannot tell which buffer \`${arg.text}\` is` };
      if (!regBuffers.has(buf.key)) {
        mergeParam(byKey, params, ptrKey(buf), s, p, arg, use.access !== 'read');
        continue;
      }
      if (!regs.has(buf.key)) {
        const type = substitute(p.baseType, s.templ);
        if (regLoads.has(buf.key) || regStores.has(buf.key)) mergeParam(byKey, params, ptrKey(buf), s, p, arg, regStores.has(buf.key));
        regs.set(buf.key, { key: buf.key, buf, type, name: '', loadFrom: regLoads.has(buf.key) ? ptrKey(buf) : undefined, storeTo: regStores.has(buf.key) ? ptrKey(buf) : undefined });
      }
      if (regStores.has(buf.key)) byKey.get(ptrKey(buf))!.written = true;
    }
  }
  // pointers first, then values, each in first-use order: the usual CUDA signature layout
  params.sort((a, b) => Number(b.isPointer) - Number(a.isPointer));
  return { ok: true, params, byKey, regs };
}

/** Names the fused parameters and registers, then maps each stage's names onto them. */
function nameParams(stages: Stage[], params: FusedParam[], byKey: Map<string, FusedParam>, regs: Map<string, Register>, fresh: (...c: string[]) => string): void {
  for (const fp of params) fp.name = fresh(fp.preferred);
  for (const r of regs.values()) r.name = fresh(registerName(r.buf), r.buf.name, `${registerName(r.buf)}_val`);
  for (const s of stages) {
    for (const p of s.kernel.params) {
      const arg = s.data.args[p.index];
      if (!p.isPointer) {
        const fp = arg && byKey.get(valKey(s, p, arg));
        if (fp) s.paramNames.set(p.name, fp.name);
        continue;
      }
      const buf = bufferOfParam(s, p);
      if (!buf) continue;
      const r = regs.get(buf.key);
      if (r) s.registers.set(p.name, r.name);
      else {
        const fp = byKey.get(ptrKey(buf));
        if (fp) s.paramNames.set(p.name, fp.name);
      }
    }
  }
}

function registerDecls(regs: Map<string, Register>, byKey: Map<string, FusedParam>, index: string, indent: string): string[] {
  return [...regs.values()].map(r => {
    const src = r.loadFrom ? byKey.get(r.loadFrom) : undefined;
    return indent + (src ? `${r.type} ${r.name} = ${src.name}[${index}];` : `${r.type} ${r.name};`);
  });
}

/** Each stage's per-element code, commented with the kernel it came from, braced when it declares. */
function stageBlocks(stages: Stage[], indexNames: string[], indent: string, unit: string, firstPrologueEmitted: boolean, omit: (s: Stage, a: number, b: number) => boolean = () => false): string[] {
  const lines: string[] = [];
  for (const s of stages) {
    const chunks: string[] = [];
    for (const [a, b] of stageRanges(s, false, s === stages[0] && firstPrologueEmitted)) {
      if (omit(s, a, b)) continue;
      chunks.push(reindent(rewriteRange(s.t, a, b, stageReps(s, indexNames, a, b)), indentOfLine(s.t.src, s.t.starts[a]), ''));
    }
    const code = chunks.join('\n');
    const single = chunks.length === 1 && !code.includes('\n') && !looksLikeDeclaration(code);
    lines.push(`${indent}// ${s.kernel.name}`);
    if (single) lines.push(indent + code);
    else {
      lines.push(`${indent}{`);
      for (const l of code.split('\n')) lines.push(l ? indent + unit + l : '');
      lines.push(`${indent}}`);
    }
  }
  return lines;
}

/** Inserts the fused kernel, replaces the last launch with one of it, deletes the other launches. */
function placeKernel(program: CudaProgram, stages: Stage[], place: Stage, kernelText: string, header: string, fusedName: string, params: FusedParam[]): { ok: true; edits: TextEdit[] } | { ok: false; reason: string } {
  // the generated code must scan back as exactly one kernel with no structural problems
  const check = scan(lex(kernelText));
  if (check.problems.length || check.functions.filter(f => f.isKernel).length !== 1) return { ok: false, reason: 'internal: the generated kernel does not parse back' };
  const src = program.text;
  const hostFn = program.scan.functions.find(f => f.qualifiedName === place.data.hostFunction && !f.isKernel);
  if (!hostFn) return { ok: false, reason: 'internal: host function not found' };
  const hostBody = program.tokens.slice(hostFn.bodyOpen, hostFn.bodyClose >= 0 ? hostFn.bodyClose : hostFn.end);
  const launch = fusedLaunch(place, fusedName, params, hostBody, src);
  if (!launch.ok) return launch;
  const edits = insertionEdits(program, stages.map(s => s.kernel), hostFn, kernelText, header);
  edits.push(...launch.edits);
  for (const s of stages) if (s !== place) edits.push(deleteStatement(src, s.launch.stmtSpan));
  return { ok: true, edits };
}

// ---------------------------------------------------------------------------------------------

/**
 * Whether an intermediate can live in a register: every access in every stage must be an identity
 * subscript. 'store' when the first stage that touches it only writes it, with an unconditional
 * top-level `t[i] = ...;` first (no element keeps a value from before the group); 'load' when the
 * old contents are needed first (a read, `t[i] += ...`, or a conditional write).
 */
function registerSafe(stages: Stage[], key: string): 'store' | 'load' | 'no' {
  let first: 'store' | 'load' | undefined;
  for (const s of stages) {
    for (const p of s.kernel.params) {
      const u = s.launch.uses.find(x => x.param === p.name);
      if (!u || u.buffer.key !== key) continue;
      const use = s.kernel.uses.get(p.name)!;
      if (use.otherUses.length || use.subscripts.some(x => x.pattern.kind !== 'identity')) return 'no';
      if (first === undefined) {
        const firstWrite = [...use.subscripts].sort((a, b) => a.nameTok - b.nameTok)[0];
        first = use.access === 'write' && firstWrite && isTopLevelAssignment(s, firstWrite.nameTok) ? 'store' : 'load';
      }
    }
  }
  return first ?? 'no';
}

/** `continue` or `break` that would leave the per-element code (not inside a loop or switch of its own). */
function hasLoopJump(s: Stage): boolean {
  const t = s.t;
  const inner: Array<[number, number]> = [];
  for (const [a, b] of s.kernel.shape.element) {
    for (const st of parseStatements(t, a, b)) {
      const visit = (x: typeof st): void => {
        if (x.kind === 'for' || x.kind === 'while' || x.kind === 'do' || x.kind === 'switch') { inner.push([x.start, x.end]); return; }
        if (x.kind === 'block') x.body.forEach(visit);
        if (x.kind === 'if') { visit(x.then); if (x.else) visit(x.else); }
      };
      visit(st);
    }
  }
  for (const [a, b] of s.kernel.shape.element) {
    for (let i = a; i <= b; i++) {
      if ((t.is(i, 'continue') || t.is(i, 'break')) && !inner.some(([x, y]) => i > x && i <= y)) return true;
    }
  }
  return false;
}

/** True when the token starts a top-level `x[...] = ...;` statement of the stage's per-element code. */
function isTopLevelAssignment(s: Stage, nameTok: number): boolean {
  for (const [a, b] of s.kernel.shape.element) {
    if (nameTok < a || nameTok > b) continue;
    for (const st of parseStatements(s.t, a, b)) {
      if (st.kind === 'simple' && st.start === nameTok) return true;
    }
  }
  return false;
}

function mergeParam(byKey: Map<string, FusedParam>, params: FusedParam[], key: string, s: Stage, p: KernelParam, arg: CudaArg, written: boolean): void {
  const e = byKey.get(key);
  if (e) {
    e.written ||= written;
    e.allRestrict &&= p.restrict;
    e.variant ||= !!arg.variant;
    return;
  }
  const fp: FusedParam = {
    name: '',
    preferred: p.name,
    key,
    typeText: substitute(p.typeText, s.templ),
    isPointer: p.isPointer,
    written,
    allRestrict: p.restrict,
    argText: arg.text,
    variant: !!arg.variant,
  };
  byKey.set(key, fp);
  params.push(fp);
}

function paramDecl(p: FusedParam): string {
  let t = p.typeText;
  if (p.isPointer) {
    if (p.written) t = t.replace(/\bconst\b\s*/, '');
    if (!p.allRestrict) t = t.replace(/\s*\b(__restrict__|__restrict)\b/g, '');
  }
  t = t.replace(/\s+/g, ' ').replace(/\s+\*/g, '*').trim();
  return `${t}${/[*&]$/.test(t) ? ' ' : ' '}${p.name}`;
}

function substitute(text: string, templ: Map<string, string>): string {
  if (!templ.size) return text;
  return text.replace(/[A-Za-z_]\w*/g, w => templ.get(w) ?? w);
}

/** Token ranges of a stage: prologue statements, then per-element statements. */
function stageRanges(s: Stage, includeDecls: boolean, skipPrologue = false): Array<[number, number]> {
  const sh = s.kernel.shape;
  const out: Array<[number, number]> = [];
  if (includeDecls) out.push(...sh.primaryDecls);
  if (includeDecls && sh.loop) out.push([sh.loop.headOpen, sh.loop.headClose]);
  if (includeDecls && sh.guard) out.push(sh.guard);
  if (!includeDecls && !skipPrologue) {
    // secondary index declarations (not the primary index variables) stay with the stage
    for (const [a, b] of sh.primaryDecls) if (!declaresOnly(s, a, b, sh.indexVars)) out.push([a, b]);
  }
  out.push(...sh.prologue);
  // merge adjacent element statements into one range so comments between them are kept
  if (sh.element.length) out.push([sh.element[0][0], sh.element[sh.element.length - 1][1]]);
  return out.filter(([a, b]) => a <= b);
}

/** True when the declaration statement [a, b] declares only primary index variables (or the stride). */
function declaresOnly(s: Stage, a: number, b: number, vars: string[]): boolean {
  const t = s.t;
  for (let i = a; i <= b; i++) {
    if (t.isIdent(i) && t.is(i + 1, '=') && !vars.includes(t.text(i))) return false;
  }
  return true;
}

function stageReps(s: Stage, indexNames: string[], a: number, b: number): TokenReplacement[] {
  const t = s.t;
  const reps: TokenReplacement[] = [];
  const idx = new Map(s.kernel.shape.indexVars.map((v, k) => [v, indexNames[k]]));
  for (let i = a; i <= b; i++) {
    if (t.kinds[i] !== Tok.Ident) continue;
    if (t.is(i - 1, '.') || t.is(i - 1, '->') || t.is(i - 1, '::')) continue;
    const w = t.text(i);
    const reg = s.registers.get(w);
    if (reg && t.is(i + 1, '[')) {
      let d = 0;
      let close = i + 1;
      for (; close <= b; close++) {
        if (t.is(close, '[')) d++;
        else if (t.is(close, ']') && --d === 0) break;
      }
      reps.push({ from: i, to: close, text: reg });
      i = close;
      continue;
    }
    const renamed = s.paramNames.get(w) ?? idx.get(w) ?? s.templ.get(w);
    if (renamed !== undefined && renamed !== w) reps.push({ from: i, to: i, text: renamed });
  }
  return reps;
}

/**
 * A declaration statement [a, b] of a stage's prologue whose names its per-element code and its
 * other prologue statements never read, and whose initializers call nothing: `int stride =
 * blockDim.x * gridDim.x;` of a grid-stride kernel whose loop the fused kernel replaced.
 */
function deadDeclaration(s: Stage, a: number, b: number): boolean {
  const t = s.t;
  const sh = s.kernel.shape;
  if (!sh.prologue.some(([x]) => x === a) && !sh.primaryDecls.some(([x]) => x === a)) return false;
  const declared: string[] = [];
  for (let i = a; i <= b; i++) {
    if (t.isIdent(i) && t.is(i + 1, '(')) return false; // a call: keep what it might do
    if (t.isIdent(i) && (t.is(i + 1, '=') || t.is(i + 1, ';') || t.is(i + 1, ',')) && (t.isIdent(i - 1) || t.is(i - 1, ','))) declared.push(t.text(i));
  }
  if (!declared.length) return false;
  const readers = [...sh.prologue, ...sh.primaryDecls, ...sh.element].filter(([x]) => x !== a);
  for (const [x, y] of readers) for (let i = x; i <= y; i++) if (t.isIdent(i) && declared.includes(t.text(i))) return false;
  return true;
}

function looksLikeDeclaration(code: string): boolean {
  return /^\s*(const\s+|constexpr\s+|unsigned\s+)?[A-Za-z_][\w:<>]*\s*[*&]*\s+[A-Za-z_]\w*\s*(=|;|\[|\(|\{)/.test(code);
}

function registerName(buf: BufferId): string {
  const base = buf.name.replace(/^(d_|dev_|g_|gpu_|device_)/, '').replace(/^_+/, '') || 'tmp';
  return /^[A-Za-z_]\w*$/.test(base) ? base : 'tmp';
}

export function stripKernelSuffix(n: string): string {
  return n.replace(/(_kernel|Kernel|_kern|_k)$/, '') || n;
}

function uniqueName(parts: string[]): string {
  const name = parts.length <= 4 ? parts.join('_') : `${parts[0]}_to_${parts[parts.length - 1]}`;
  return `${name}_fused`;
}

export function listNames(names: string[]): string {
  const q = names.map(n => `\`${n}\``);
  return q.length <= 1 ? q.join('') : `${q.slice(0, -1).join(', ')} and ${q[q.length - 1]}`;
}

export function indentUnit(k: KernelSummary): string {
  const body = kernelBodyText(k);
  const m = /\n([ \t]+)\S/.exec(body);
  if (!m) return '  ';
  return m[1].includes('\t') ? '\t' : ' '.repeat(Math.min(8, Math.max(2, m[1].length)));
}

function fusedLaunch(place: Stage, name: string, params: FusedParam[], hostBody: string, hostSrc: string): { ok: true; edits: TextEdit[] } | { ok: false; reason: string } {
  const d = place.data;
  const cfg = [d.config.grid.text, d.config.block.text];
  if (d.config.stream) cfg.push(d.config.shmem?.text ?? '0', d.config.stream.text);
  const args = params.map(p => p.argText);
  if (d.form === 'chevron') {
    return { ok: true, edits: [{ span: place.launch.span, newText: `${name}<<<${cfg.join(', ')}>>>(${args.join(', ')})` }] };
  }
  if (d.form === 'macro') {
    const shape = d.macro!;
    const n = Math.max(shape.kernel, ...shape.config) + 1;
    const margs: string[] = new Array(n).fill('');
    margs[shape.kernel] = name;
    const cfgAll = [d.config.grid, d.config.block, d.config.shmem, d.config.stream];
    shape.config.forEach((pi, ci) => { margs[pi] = cfgAll[ci]?.text ?? '0'; });
    return { ok: true, edits: [{ span: place.launch.span, newText: `${shape.define.name}(${[...margs, ...args].join(', ')})` }] };
  }
  // cudaLaunchKernel: the argument array must hold addresses of the fused kernel's arguments
  if (!args.every(a => /^[A-Za-z_][\w.]*(\[[^\]]*\])?$/.test(a.trim()))) return { ok: false, reason: 'cudaLaunchKernel needs addressable arguments; an argument is an expression' };
  const old = d.argsArray;
  if (old && (hostBody.match(new RegExp(`\\b${old.name}\\b`, 'g')) ?? []).length === 2) {
    // the array serves only this launch: rewrite it in place and keep its name
    const call = `cudaLaunchKernel((const void*)${name}, ${d.config.grid.text}, ${d.config.block.text}, ${old.name}, ${d.config.shmem?.text ?? '0'}, ${d.config.stream?.text ?? '0'})`;
    return { ok: true, edits: [{ span: old.span, newText: `void* ${old.name}[] = {${args.map(a => `&${a}`).join(', ')}};` }, { span: place.launch.span, newText: call }] };
  }
  const arr = `${name}_args`;
  const indent = ' '.repeat(indentOfLine(hostSrc, place.launch.stmtSpan.start));
  const before: TextEdit = { span: { start: place.launch.stmtSpan.start, end: place.launch.stmtSpan.start }, newText: `void* ${arr}[] = {${args.map(a => `&${a}`).join(', ')}};\n${indent}` };
  const call = `cudaLaunchKernel((const void*)${name}, ${d.config.grid.text}, ${d.config.block.text}, ${arr}, ${d.config.shmem?.text ?? '0'}, ${d.config.stream?.text ?? '0'})`;
  return { ok: true, edits: [before, { span: place.launch.span, newText: call }] };
}

/**
 * Edits that insert generated code after the last of `kernels` defined in this file, or before the
 * host function when they live elsewhere; kernels defined after the host function also get a
 * declaration (`prototype`) before it.
 */
export function insertionEdits(program: CudaProgram, kernels: KernelSummary[], hostFn: FunctionDecl, code: string, prototype: string): TextEdit[] {
  const src = program.text;
  const hostStart = lineStartBefore(src, program.tokens.starts[hostFn.headStart]);
  const localEnds = kernels.filter(k => k.file === program.file).map(k => k.span.end);
  const lastKernelEnd = localEnds.length ? Math.max(...localEnds) : -1;
  // a blank line before and after the inserted code
  const after = (at: number) => (/^\r?\n\r?\n/.test(src.slice(at, at + 4)) || at >= src.length ? '' : '\n');
  if (lastKernelEnd < 0) return [{ span: { start: hostStart, end: hostStart }, newText: `${code}\n\n` }];
  const at = endOfLine(src, lastKernelEnd);
  const edits: TextEdit[] = [{ span: { start: at, end: at }, newText: `\n\n${code}${after(at)}` }];
  if (lastKernelEnd > hostStart) edits.push({ span: { start: hostStart, end: hostStart }, newText: `${prototype};\n\n` });
  return edits;
}

/** Deletes a statement; takes its whole line (with a trailing comment) when nothing else is on it. */
export function deleteStatement(src: string, span: { start: number; end: number }): TextEdit {
  let s = span.start;
  while (s > 0 && (src[s - 1] === ' ' || src[s - 1] === '\t')) s--;
  const atLineStart = s === 0 || src[s - 1] === '\n';
  let e = span.end;
  while (e < src.length && (src[e] === ' ' || src[e] === '\t')) e++;
  if (src.startsWith('//', e)) {
    while (e < src.length && src[e] !== '\n') e++;
  }
  const atLineEnd = e >= src.length || src[e] === '\n' || (src[e] === '\r' && src[e + 1] === '\n');
  if (atLineStart && atLineEnd) {
    if (src[e] === '\r') e++;
    if (src[e] === '\n') e++;
    return { span: { start: s, end: e }, newText: '' };
  }
  let e2 = span.end;
  while (e2 < src.length && (src[e2] === ' ' || src[e2] === '\t')) e2++;
  return { span: { start: span.start, end: e2 }, newText: '' };
}

function endOfLine(src: string, offset: number): number {
  let e = offset;
  while (e < src.length && src[e] !== '\n') e++;
  return e;
}

/** Start of the line of `offset`, moved up over directly preceding comment and template lines. */
function lineStartBefore(src: string, offset: number): number {
  let s = offset;
  while (s > 0 && src[s - 1] !== '\n') s--;
  for (;;) {
    if (s === 0) return s;
    let p = s - 1;
    while (p > 0 && src[p - 1] !== '\n') p--;
    const line = src.slice(p, s - 1).trim();
    if (line.startsWith('//') || line.startsWith('*') || line.startsWith('/*') || line.endsWith('*/')) { s = p; continue; }
    return s;
  }
}
