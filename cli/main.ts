// fusion-lens CLI: `check` reports fusion opportunities (text | json | sarif), `fix` applies the
// preferred fixes (like `eslint --fix`), `gpus` lists the GPU profiles. Exit codes: docs/cli.md.

import type { LibraryTarget } from '../analyzer/libs/libTarget';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as os from 'node:os';
import { DEFAULT_OPTIONS, type AnalysisOptions, type AnalyzerHost } from '../analyzer/analyze';
import { fixAll } from '../analyzer/fixAll';
import { findProfile, PROFILES } from '../analyzer/cost/profiles';
import { fmtBw, fmtBytes } from '../analyzer/cost/model';
import { collectFiles } from './files';
import { assembler, type RunInfo, type Style } from './formats';
import { checkFile, kernelNamesOf, readText, workspaceHost } from './engine';
import { WorkerPool, type TaskResult } from './pool';
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
  --jobs N              worker threads for \`check\` (default: one per core; 1 = no workers)
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
  jobs?: number;
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
      case '--jobs': case '-j': {
        const n = Number(value(arg));
        if (!Number.isInteger(n) || n < 1) throw new UsageError(`${arg} needs a whole number of at least 1`);
        a.jobs = n;
        break;
      }
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

export async function run(argv: string[], out: (s: string) => void = s => process.stdout.write(s), err: (s: string) => void = s => process.stderr.write(s)): Promise<number> {
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
  const options: AnalysisOptions = { gpu: args.gpu, defaultElements: args.defaultSize, minSavingBytes: args.minSaving, libraryTarget: args.library };
  const info: RunInfo = { toolVersion: VERSION, profile: findProfile(args.gpu)!, cwd: process.cwd(), verbose: args.verbose };
  const progress = new Progress(process.stderr.isTTY === true && files.length > 20, err);
  const workerEntry = path.join(__dirname, 'cli-worker.js');
  const jobs = Math.min(args.jobs ?? os.availableParallelism(), Math.ceil(files.length / 8));
  const style: Style = { format: args.format, info, color: args.color };
  // `--jobs N`: this thread and N - 1 workers
  const pool = args.command === 'check' && jobs > 1 && fs.existsSync(workerEntry) ? new WorkerPool(workerEntry, jobs - 1, { options, style }) : undefined;
  let localHost: AnalyzerHost | undefined;
  const local = (kind: 'index' | 'check', part: string[]): TaskResult[] => part.map(f => {
    try {
      return kind === 'index' ? { names: kernelNamesOf(f) ?? null } : checkFile(f, localHost!, options, style);
    } catch (e) {
      return { error: (e as Error).stack ?? String(e) };
    }
  });
  let failed = false;
  let findings = 0;
  try {
    // phase 1: which file defines which kernel (names only)
    const unreadable = new Set<string>();
    const defined: Array<[string, string[]]> = [];
    const indexed = (i: number, names: string[] | null) => {
      progress.update('indexing', i + 1, files.length);
      if (names === null) {
        err(`fusion-lens: cannot read ${files[i]}\n`);
        unreadable.add(files[i]);
        failed = true;
      } else if (names.length) defined.push([files[i], names]);
    };
    const indexedResult = (i: number, r: TaskResult) => {
      if ('error' in r) {
        failed = true;
        unreadable.add(files[i]);
        err(`fusion-lens: internal error while indexing ${files[i]}: ${r.error}\n`);
      } else indexed(i, 'names' in r ? r.names : null);
    };
    if (pool) await pool.run('index', files, 32, indexedResult, local);
    else local('index', files).forEach((r, i) => indexedResult(i, r));
    const todo = files.filter(f => !unreadable.has(f));

    // phase 2: analyze; reports are written in file order as they complete
    const output = args.command === 'fix' ? undefined : assembler(style, out);
    const report = (i: number, r: TaskResult) => {
      progress.update('analyzing', i + 1, todo.length);
      if ('error' in r) {
        failed = true;
        err(`fusion-lens: internal error while analyzing ${todo[i]}: ${r.error}\n`);
      } else if ('unreadable' in r) {
        failed = true;
        err(`fusion-lens: cannot read ${todo[i]}\n`);
      } else if ('chunk' in r) {
        findings += r.chunk.findings;
        if (r.chunk.text) progress.clear();
        output?.file(r.chunk);
      }
    };
    if (pool) {
      pool.broadcast({ kind: 'names', names: defined });
      localHost = workspaceHost(defined);
      await pool.run('check', todo, 8, report, local);
    } else {
      const host = workspaceHost(defined);
      todo.forEach((f, i) => {
        try {
          report(i, args.command === 'fix' ? fixFile(f, host, options, args.dryRun, out) : checkFile(f, host, options, style));
        } catch (e) {
          report(i, { error: (e as Error).stack ?? String(e) });
        }
      });
    }
    progress.clear();
    output?.end();
  } finally {
    await pool?.close();
  }
  if (failed) return EXIT.internal;
  return findings && !args.exitZero && args.command === 'check' ? EXIT.findings : EXIT.ok;
}

/** `N/M files` on stderr while it is a terminal, at most ten times a second; cleared before output. */
class Progress {
  private last = 0;
  private shown = false;

  constructor(private readonly on: boolean, private readonly err: (s: string) => void) {}

  update(phase: string, done: number, total: number): void {
    if (!this.on) return;
    const now = Date.now();
    if (now - this.last < 100 && done < total) return;
    this.last = now;
    this.err(`\r${phase} ${done}/${total} files `);
    this.shown = true;
  }

  clear(): void {
    if (!this.shown) return;
    this.err('\r' + ' '.repeat(40) + '\r');
    this.shown = false;
  }
}

/** Applies preferred fixes one at a time (analyzer/fixAll.ts) and writes or diffs the result. */
function fixFile(file: string, host: AnalyzerHost, options: AnalysisOptions, dryRun: boolean, out: (s: string) => void): TaskResult {
  const original = readText(file);
  if (original === undefined) return { unreadable: true };
  const r = fixAll(path.resolve(file), original, host, options);
  if (r.stalled) out(`${file}: a fix did not remove its finding (${r.stalled}); stopped\n`);
  if (r.applied.length) {
    if (dryRun) out(unifiedDiff(original, r.text, `a/${file}`, `b/${file}`));
    else {
      fs.writeFileSync(file, r.text);
      out(`${file}: applied ${r.applied.length} fix${r.applied.length === 1 ? '' : 'es'}\n`);
    }
  }
  return { chunk: { text: '', findings: r.result.findings.length, fixable: 0, bytesSaved: 0, launchesSaved: 0 } };
}

if (require.main === module) {
  // `fusion-lens check | head`: a reader that closes the pipe early is not an error; stop quietly
  // (the findings already counted decide nothing the reader will see)
  process.stdout.on('error', e => {
    if ((e as NodeJS.ErrnoException).code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
  void run(process.argv.slice(2)).then(code => (process.exitCode = code), e => {
    process.stderr.write(`fusion-lens: internal error: ${(e as Error).stack ?? e}\n`);
    process.exitCode = EXIT.internal;
  });
}
