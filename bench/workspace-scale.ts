// `fusion-lens check` on a generated workspace of 2,000 files (bench/gen-tree.mjs, in a temp dir
// that is removed afterwards): wall time, CPU time (user + system, all threads) and peak RSS of the
// whole process, with one thread (--jobs 1) and with a worker per core, interleaved REPS times; then
// peak RSS on 250 vs 2,000 files (memory should not grow with the number of files).
// Uses dist/cli.js: build first. OLD_CLI=path/to/cli.js adds a run of another build for comparison.
// Run with: npm run bench workspace-scale   (FILES=2000 REPS=3 FORMAT=json)
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
// @ts-expect-error plain ESM generator shared with the shell
import { generateTree } from './gen-tree.mjs';

const FILES = Number(process.env.FILES ?? 2000);
const REPS = Number(process.env.REPS ?? 3);
const FORMAT = process.env.FORMAT ?? 'json';
const ROOT = path.resolve(__dirname, '..', '..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const CORES = os.availableParallelism();

interface Run { wallMs: number; cpuMs: number; maxRssMiB: number; outHash: string; outMiB: number }

function runCli(cli: string, args: string[], tmp: string): Run {
  const usage = path.join(tmp, 'rusage.json');
  const out = path.join(tmp, 'out.txt');
  const fd = fs.openSync(out, 'w');
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['--require', path.join(tmp, 'hook.cjs'), cli, ...args], { stdio: ['ignore', fd, 'pipe'], env: { ...process.env, FL_RUSAGE: usage } });
  const wallMs = performance.now() - t0;
  fs.closeSync(fd);
  if (r.status !== 0 && r.status !== 1) throw new Error(`cli failed (${r.status}): ${r.stderr}`);
  const u = JSON.parse(fs.readFileSync(usage, 'utf8')) as NodeJS.ResourceUsage;
  const text = fs.readFileSync(out);
  return { wallMs, cpuMs: (u.userCPUTime + u.systemCPUTime) / 1000, maxRssMiB: u.maxRSS / 1024, outHash: createHash('sha256').update(text).digest('hex').slice(0, 12), outMiB: text.length / 2 ** 20 };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const load = () => os.loadavg().map(x => x.toFixed(2)).join(' ');

function summarize(label: string, runs: Run[]) {
  return {
    config: label, reps: runs.length,
    wallMs: Math.round(median(runs.map(r => r.wallMs))), wallAllMs: runs.map(r => Math.round(r.wallMs)).join(' '),
    cpuMs: Math.round(median(runs.map(r => r.cpuMs))), peakRssMiB: Math.round(median(runs.map(r => r.maxRssMiB))),
    output: `${runs[0].outHash} (${runs[0].outMiB.toFixed(1)} MiB)`,
  };
}

function main(): void {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fl-scale-'));
  try {
    fs.writeFileSync(path.join(tmp, 'hook.cjs'), "process.on('exit', () => require('fs').writeFileSync(process.env.FL_RUSAGE, JSON.stringify(process.resourceUsage())));\n");
    const big = path.join(tmp, 'big');
    const small = path.join(tmp, 'small');
    const g = generateTree(big, FILES, 1);
    generateTree(small, Math.round(FILES / 8), 1);
    console.log(`# workspace-scale: ${FILES} files, ${(g.bytes / 2 ** 20).toFixed(1)} MiB, ${g.lines} lines; ${CORES} cores (${os.cpus()[0]?.model}); node ${process.version}; --format ${FORMAT}; load average before: ${load()}`);
    const args = (dir: string, jobs: number) => ['check', dir, '--format', FORMAT, '--exit-zero', '--jobs', String(jobs)];
    const one: Run[] = [];
    const all: Run[] = [];
    const old: Run[] = [];
    for (let i = 0; i < REPS; i++) {
      one.push(runCli(CLI, args(big, 1), tmp));
      all.push(runCli(CLI, args(big, CORES), tmp));
      if (process.env.OLD_CLI) old.push(runCli(process.env.OLD_CLI, ['check', big, '--format', FORMAT, '--exit-zero'], tmp));
    }
    const rows = [summarize('--jobs 1', one), summarize(`--jobs ${CORES} (all cores)`, all)];
    if (old.length) rows.push(summarize(`OLD_CLI ${process.env.OLD_CLI}`, old));
    for (const r of rows) console.log(JSON.stringify(r));
    if (one[0].outHash !== all[0].outHash) console.log('!! outputs differ between 1 and all cores');
    const flat = [runCli(CLI, args(small, 1), tmp), runCli(CLI, args(big, 1), tmp)];
    console.log(JSON.stringify({ memoryFlat: `--jobs 1 peak RSS ${Math.round(flat[0].maxRssMiB)} MiB on ${Math.round(FILES / 8)} files, ${Math.round(flat[1].maxRssMiB)} MiB on ${FILES} files` }));
    console.log(`# speedup (median wall) ${(median(one.map(r => r.wallMs)) / median(all.map(r => r.wallMs))).toFixed(2)}x with ${CORES} cores; load average after: ${load()}`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main();
