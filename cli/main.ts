// fusion-lens CLI: `check` reports fusion opportunities (text | json | sarif), `fix` applies the
// preferred fixes (like `eslint --fix`), `gpus` lists the GPU profiles. Exit codes: docs/cli.md.

import type { LibraryTarget } from '../analyzer/libs/libTarget';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyze, newHost, DEFAULT_OPTIONS, type AnalysisOptions, type AnalysisResult, type AnalyzerHost } from '../analyzer/analyze';
import { fixAll } from '../analyzer/fixAll';
import { findProfile, PROFILES } from '../analyzer/cost/profiles';
import { fmtBw, fmtBytes } from '../analyzer/cost/model';
import { collectFiles } from './files';
import { formatJson, formatSarif, formatText, type RunInfo } from './formats';
import { unifiedDiff } from './diff';

declare const __VERSION__: string;
const VERSION = typeof __VERSION__ === 'string' ? __VERSION__ : '0.0.0-dev';

export const EXIT = { ok: 0, findings: 1, usage: 2, internal: 3 } as const;

const HELP = `fusion-lens ${VERSION}: finds GPU kernel launches that could be fused and estimates the gain.

Usage:
  fusion-lens check [paths...] [options]   report fusion opportunities
  fusion-lens fix [paths...] [--dry-run]   apply the quick fixes (--dry-run prints a unified diff)
  fusion-lens gpus                         list the GPU profiles

Options:
  --gpu NAME            GPU profile for estimates (default ${DEFAULT_OPTIONS.gpu}; see \`fusion-lens gpus\`)
  --format FORMAT       text (default), json or sarif
  --default-size N      elements assumed when the code does not say (default ${DEFAULT_OPTIONS.defaultElements})
  --min-saving BYTES    report only findings saving at least this many bytes (suffixes K, M, G)
  --library TARGET      rewrite OpenCV CUDA chains with auto (what the file includes), cvgs, fkl or none
  --exit-zero           exit 0 even when findings are reported
  --verbose             show the assumptions behind each estimate (text format)
  --no-color            plain text output
  -h, --help            this help
  -v, --version         print the version

Paths are files or directories (searched for .cu, .cuh, .cpp, .cc, .ts, .js, ...); default: the current directory.
Exit codes: 0 no findings, 1 findings reported, 2 usage error, 3 a file could not be analyzed.
`;

interface Args {
  command: string;
  paths: string[];
  gpu: string;
  format: 'text' | 'json' | 'sarif';
  defaultSize: number;
  minSaving: number;
  library: LibraryTarget;
  exitZero: boolean;
  dryRun: boolean;
  verbose: boolean;
  color: boolean;
}

class UsageError extends Error {}

function parseArgs(argv: string[]): Args | 'help' | 'version' {
  const a: Args = { command: '', paths: [], gpu: DEFAULT_OPTIONS.gpu, format: 'text', defaultSize: DEFAULT_OPTIONS.defaultElements, minSaving: 0, library: 'auto', exitZero: false, dryRun: false, verbose: false, color: !!process.stdout.isTTY && !process.env.NO_COLOR };
  const rest = [...argv];
  const value = (flag: string) => {
    const v = rest.shift();
    if (v === undefined || v.startsWith('--')) throw new UsageError(`${flag} needs a value`);
    return v;
  };
  while (rest.length) {
    let arg = rest.shift()!;
    if (arg.startsWith('--') && arg.includes('=')) {
      const [f, v] = arg.split(/=(.*)/s);
      rest.unshift(v);
      arg = f;
    }
    switch (arg) {
      case '-h': case '--help': return 'help';
      case '-v': case '--version': return 'version';
      case '--gpu': a.gpu = value(arg); break;
      case '--format': {
        const f = value(arg);
        if (f !== 'text' && f !== 'json' && f !== 'sarif') throw new UsageError(`unknown format \`${f}\` (text, json or sarif)`);
        a.format = f;
        break;
      }
      case '--default-size': a.defaultSize = parseCount(value(arg), arg); break;
      case '--min-saving': a.minSaving = parseCount(value(arg), arg); break;
      case '--library': {
        const l = value(arg);
        if (l !== 'auto' && l !== 'cvgs' && l !== 'fkl' && l !== 'none') throw new UsageError(`unknown library target \`${l}\` (auto, cvgs, fkl or none)`);
        a.library = l;
        break;
      }
      case '--exit-zero': a.exitZero = true; break;
      case '--dry-run': a.dryRun = true; break;
      case '--verbose': a.verbose = true; break;
      case '--no-color': a.color = false; break;
      case '--color': a.color = true; break;
      default:
        if (arg.startsWith('-')) throw new UsageError(`unknown option \`${arg}\``);
        if (!a.command) a.command = arg;
        else a.paths.push(arg);
    }
  }
  if (!a.command) throw new UsageError('missing command (check, fix or gpus)');
  if (!['check', 'fix', 'gpus'].includes(a.command)) throw new UsageError(`unknown command \`${a.command}\``);
  if (!findProfile(a.gpu)) throw new UsageError(`unknown GPU \`${a.gpu}\`; known: ${PROFILES.map(p => p.id).join(', ')}`);
  a.gpu = findProfile(a.gpu)!.id;
  if (!a.paths.length) a.paths = ['.'];
  return a;
}

function parseCount(s: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kKmMgG]?)(i?[bB])?$/.exec(s.trim()) ?? /^(\d+)<<(\d+)$/.exec(s.trim());
  if (!m) throw new UsageError(`${flag}: not a number: \`${s}\``);
  if (s.includes('<<')) return Number(m[1]) * 2 ** Number(m[2]);
  const mult = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2].toLowerCase() as '' | 'k' | 'm' | 'g'];
  return Math.round(Number(m[1]) * mult);
}

function readText(p: string): string | undefined {
  try {
    const buf = fs.readFileSync(p);
    return buf.toString('utf8');
  } catch {
    return undefined;
  }
}

export function run(argv: string[], out: (s: string) => void = s => process.stdout.write(s), err: (s: string) => void = s => process.stderr.write(s)): number {
  let args: Args | 'help' | 'version';
  try {
    args = parseArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      err(`fusion-lens: ${e.message}\nRun \`fusion-lens --help\` for usage.\n`);
      return EXIT.usage;
    }
    throw e;
  }
  if (args === 'help') { out(HELP); return EXIT.ok; }
  if (args === 'version') { out(`${VERSION}\n`); return EXIT.ok; }
  if (args.command === 'gpus') {
    for (const p of PROFILES) out(`${p.id.padEnd(9)} ${p.name.padEnd(30)} ${fmtBw(p.dramBandwidthGBs.value).padStart(9)} DRAM  ${fmtBytes(p.l2Bytes.value).padStart(7)} L2  ${p.smCount.value} SMs  ${p.launchOverheadUs.value} µs/launch\n`);
    return EXIT.ok;
  }
  const { files, missing } = collectFiles(args.paths, new Set(['cuda', 'typescript']));
  for (const m of missing) err(`fusion-lens: no such file or directory: ${m}\n`);
  if (missing.length && !files.length) return EXIT.usage;
  const host: AnalyzerHost = newHost(readText);
  const texts = new Map<string, string>();
  let failed = false;
  for (const f of files) {
    const t = readText(f);
    if (t === undefined) { err(`fusion-lens: cannot read ${f}\n`); failed = true; continue; }
    texts.set(f, t);
    if (/\.(cu|cuh|h|hpp|cpp|cc)$/i.test(f)) host.index.update(path.resolve(f), t);
  }
  const options: AnalysisOptions = { gpu: args.gpu, defaultElements: args.defaultSize, minSavingBytes: args.minSaving, libraryTarget: args.library };
  const info: RunInfo = { toolVersion: VERSION, profile: findProfile(args.gpu)!, cwd: process.cwd(), verbose: args.verbose };
  const progress = process.stderr.isTTY && files.length > 20;
  const results: AnalysisResult[] = [];
  let n = 0;
  for (const [f, text] of texts) {
    if (progress && ++n % 10 === 0) err(`\r${n}/${texts.size} files`);
    try {
      if (args.command === 'fix') {
        const r = fixFile(f, text, host, options, args.dryRun, out);
        results.push(r);
      } else {
        results.push(withDisplayPath(analyze(path.resolve(f), text, host, options), f));
      }
    } catch (e) {
      failed = true;
      err(`fusion-lens: internal error while analyzing ${f}: ${(e as Error).stack ?? e}\n`);
    }
  }
  if (progress) err('\r' + ' '.repeat(30) + '\r');
  if (args.command === 'check') {
    out(args.format === 'json' ? formatJson(results, info) : args.format === 'sarif' ? formatSarif(results, info) : formatText(results, info, args.color));
  }
  if (failed) return EXIT.internal;
  const count = results.reduce((s, r) => s + r.findings.length, 0);
  return count && !args.exitZero && args.command === 'check' ? EXIT.findings : EXIT.ok;
}

function withDisplayPath(r: AnalysisResult, display: string): AnalysisResult {
  r.file = display;
  for (const f of r.findings) f.file = display;
  for (const x of r.refusals) x.file = display;
  return r;
}

/** Applies preferred fixes one at a time (analyzer/fixAll.ts) and writes or diffs the result. */
function fixFile(file: string, original: string, host: AnalyzerHost, options: AnalysisOptions, dryRun: boolean, out: (s: string) => void): AnalysisResult {
  const r = fixAll(path.resolve(file), original, host, options);
  if (r.stalled) out(`${file}: a fix did not remove its finding (${r.stalled}); stopped\n`);
  if (r.applied.length) {
    if (dryRun) out(unifiedDiff(original, r.text, `a/${file}`, `b/${file}`));
    else {
      fs.writeFileSync(file, r.text);
      out(`${file}: applied ${r.applied.length} fix${r.applied.length === 1 ? '' : 'es'}\n`);
    }
  }
  return withDisplayPath(r.result, file);
}

if (require.main === module) {
  process.exitCode = run(process.argv.slice(2));
}
