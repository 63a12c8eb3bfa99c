// Divergent horizontal fusion rewrite (FL021): one kernel whose blocks are split into ranges, one
// per original launch; each block runs one original body verbatim, with blockIdx.x and gridDim.x
// replaced by the block's index and size within its own range.

import type { TextEdit } from '../core/text';
import type { CudaProgram } from '../cuda/frontend';
import type { CudaArg, CudaLaunchData } from '../cuda/hostSequence';
import { lex, Tok } from '../cuda/lexer';
import { parseParams } from '../cuda/kernelSummary';
import { scan } from '../cuda/scanner';
import type { IndependentGroup } from '../planner/independentLaunches';
import { deleteStatement, indentUnit, insertionEdits, stripKernelSuffix } from './cudaVertical';
import { indentOfLine, reindent, rewriteRange, type TokenReplacement, UsedNames } from './tokenText';

export function divergentRewrite(program: CudaProgram, g: IndependentGroup): { ok: true; edits: TextEdit[]; kernelName: string } | { ok: false; reason: string } {
  if (g.fixBlocker) return { ok: false, reason: g.fixBlocker };
  const datas = g.launches.map(l => l.frontend as CudaLaunchData);
  const src = program.text;
  const used = new UsedNames(src);
  for (const d of datas) {
    const k = d.kernel!;
    for (let i = k.decl.bodyOpen; i <= (k.decl.bodyClose >= 0 ? k.decl.bodyClose : k.decl.end); i++) if (k.tokens.isIdent(i)) used.add(k.tokens.text(i));
  }
  const taken = new Set<string>();
  const fresh = (base: string, avoidUsed = true) => {
    let n = base;
    for (let k = 2; taken.has(n) || (avoidUsed && used.has(n)); k++) n = `${base}_${k}`;
    taken.add(n);
    return n;
  };
  const blockVar = fresh('fl_block');
  const gridVar = fresh('fl_grid');
  const kernelName = fresh(`${datas.map(d => stripKernelSuffix(d.kernel!.name)).join('_')}_hfused`);
  const unit = indentUnit(datas[0].kernel!);
  const paramDecls: string[] = [];
  const args: string[] = [];
  const gridParams: string[] = [];
  const bodies: string[] = [];
  const usesBlock: boolean[] = [];
  const usesGrid: boolean[] = [];
  for (const d of datas) {
    const k = d.kernel!;
    const t = k.tokens;
    const templ = new Map<string, string>();
    k.templateParams.forEach((p, i) => templ.set(p.name, (d.templateArgs?.[i] ?? p.defaultText ?? p.name).trim()));
    const rename = new Map<string, string>();
    for (const p of parseParams(t, k.decl.paramsOpen, k.decl.paramsClose)) {
      // parameter names may repeat across kernels; the body's own identifiers are avoided
      const name = taken.has(p.name) ? fresh(`${p.name}`, true) : (taken.add(p.name), p.name);
      rename.set(p.name, name);
      const type = p.typeText.replace(/[A-Za-z_]\w*/g, w => templ.get(w) ?? w);
      paramDecls.push(`${type} ${name}`);
      const arg = d.args[p.index];
      if (!arg) return { ok: false, reason: `the launch of \`${k.name}\` leaves \`${p.name}\` to its default argument, which the fused kernel would have to spell out` };
      args.push(arg.text);
    }
    gridParams.push(fresh(`${stripKernelSuffix(k.name)}_blocks`));
    const a = k.decl.bodyOpen + 1;
    const b = (k.decl.bodyClose >= 0 ? k.decl.bodyClose : k.decl.end) - 1;
    const reps: TokenReplacement[] = [];
    for (let i = a; i <= b; i++) {
      if (t.kinds[i] !== Tok.Ident || t.is(i - 1, '.') || t.is(i - 1, '->') || t.is(i - 1, '::')) continue;
      const w = t.text(i);
      if ((w === 'blockIdx' || w === 'gridDim') && t.is(i + 1, '.') && t.is(i + 2, 'x')) {
        reps.push({ from: i, to: i + 2, text: w === 'blockIdx' ? blockVar : gridVar });
        if (w === 'blockIdx') usesBlock[bodies.length] = true;
        else usesGrid[bodies.length] = true;
        i += 2;
        continue;
      }
      const r = rename.get(w) ?? templ.get(w);
      if (r !== undefined && r !== w) reps.push({ from: i, to: i, text: r });
    }
    bodies.push(a <= b ? reindent(rewriteRange(t, a, b, reps), indentOfLine(t.src, t.starts[a]), '') : '');
  }
  // the last kernel's block count is needed only if its body reads gridDim.x
  const last = datas.length - 1;
  const gridUsed = gridParams.map((_, i) => i < last || !!usesGrid[i]);
  const gridDecls = gridParams.filter((_, i) => gridUsed[i]).map(p => `unsigned int ${p}`);
  const lines: string[] = [];
  lines.push(`// Fusion Lens: one launch for ${datas.map(d => `\`${d.kernel!.name}\``).join(', ')} (independent of each other): each block runs one of them.`);
  lines.push(`__global__ void ${kernelName}(${[...paramDecls, ...gridDecls].join(', ')}) {`);
  let offset = '';
  datas.forEach((d, i) => {
    const upper = offset ? `${offset} + ${gridParams[i]}` : gridParams[i];
    const cond = i === datas.length - 1 ? '' : `if (blockIdx.x < ${upper}) `;
    lines.push(`${unit}${i === 0 ? '' : '} else '}${cond}{`);
    lines.push(`${unit}${unit}// ${d.kernel!.name}`);
    if (usesBlock[i]) lines.push(`${unit}${unit}const unsigned int ${blockVar} = blockIdx.x${offset ? ` - (${offset})` : ''};`);
    if (usesGrid[i]) lines.push(`${unit}${unit}const unsigned int ${gridVar} = ${gridParams[i]};`);
    for (const l of bodies[i].split('\n')) lines.push(l ? unit + unit + l : '');
    offset = upper;
  });
  lines.push(`${unit}}`);
  lines.push('}');
  const kernelText = lines.join('\n');
  const check = scan(lex(kernelText));
  if (check.problems.length || check.functions.filter(f => f.isKernel).length !== 1) return { ok: false, reason: 'internal: the generated kernel does not parse back' };

  const place = g.launches[g.launches.length - 1];
  const pd = place.frontend as CudaLaunchData;
  const hostFn = program.scan.functions.find(f => f.qualifiedName === pd.hostFunction && !f.isKernel);
  if (!hostFn) return { ok: false, reason: 'internal: host function not found' };
  const grids = datas.map(d => gridX(d.config.grid));
  const cfg = [grids.map(x => (/^[\w.]+$/.test(x) ? x : `(${x})`)).join(' + '), pd.config.block.text];
  if (pd.config.stream) cfg.push('0', pd.config.stream.text);
  const edits: TextEdit[] = insertionEdits(program, datas.map(d => d.kernel!), hostFn, kernelText, `__global__ void ${kernelName}(${[...paramDecls, ...gridDecls].join(', ')})`);
  if (pd.form !== 'chevron') return { ok: false, reason: 'only `<<<...>>>` launches are merged automatically' };
  edits.push({ span: place.span, newText: `${kernelName}<<<${cfg.join(', ')}>>>(${[...args, ...grids.filter((_, i) => gridUsed[i])].join(', ')})` });
  for (const l of g.launches.slice(0, -1)) edits.push(deleteStatement(src, l.stmtSpan));
  return { ok: true, edits, kernelName };
}

/** The x extent of a grid argument: `g` for integers, `g.x` for dim3 values. */
function gridX(a: CudaArg): string {
  if (/^dim3\b/.test(a.text.trim()) || /\bdim3\b/.test(a.varType ?? '')) return `(${a.text}).x`;
  return a.text;
}
