// Language-server benchmarks over stdio against the bundled dist/server.js (build first):
//  1. cold start: spawn -> initialize answered -> first diagnostics of an opened example (median of 5);
//  2. resident memory with 50 open generated .cu files (200-800 lines each) once all are analysed;
//  3. a large workspace (2,000 generated files, in a temp dir): the open file's first diagnostics
//     while the server indexes the workspace in the background, the indexing time, and memory.
// Budgets (../shared/DESIGN.md): cold start <= 300 ms, RSS <= 150 MB with 50 files.
// Run with: npm run bench server-scale   (or FILES=2000 OPEN=50 RUNS=5)
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LspClient } from '../test/helpers/lspClient';
import { SERVER_EXEC_ARGV } from '../server/flags';
import { readExample } from '../test/helpers/analyze';
// @ts-expect-error plain ESM generators shared with the shell
import { generateCuda } from './gen-cuda.mjs';
// @ts-expect-error plain ESM generators shared with the shell
import { generateTree } from './gen-tree.mjs';

const RUNS = Number(process.env.RUNS ?? 5);
const OPEN = Number(process.env.OPEN ?? 50);
const FILES = Number(process.env.FILES ?? 2000);
/** ONLY=cold|open|workspace runs one part. */
const ONLY = process.env.ONLY;
const MiB = (b: number | undefined) => (b === undefined ? 'n/a' : (b / 2 ** 20).toFixed(1));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const load = () => os.loadavg().map(x => x.toFixed(2)).join(' ');
const example = readExample('cuda/image_normalize.cu');
/** Node flags for the server: those the editor uses (server/flags.ts) unless SERVER_NODE_ARGS is set ('' for none). */
const WAITS = [500, 2000, 5000, 10000, 20000];
const NODE_ARGS = process.env.SERVER_NODE_ARGS !== undefined ? process.env.SERVER_NODE_ARGS.split(' ').filter(Boolean) : SERVER_EXEC_ARGV;

async function coldStart(): Promise<{ initMs: number; firstDiagMs: number }> {
  const t0 = performance.now();
  const c = new LspClient({}, NODE_ARGS);
  try {
    await c.initialize();
    const initMs = performance.now() - t0;
    const u = 'file:///virtual/cold.cu';
    await c.open(u, example);
    await c.waitDiagnostics(u, d => d.length > 0);
    return { initMs, firstDiagMs: performance.now() - t0 };
  } finally {
    await c.shutdown();
  }
}

async function openFiles(n: number): Promise<Record<string, string>> {
  const c = new LspClient({}, NODE_ARGS);
  try {
    await c.initialize();
    const idle = c.rss();
    let lines = 0;
    const uris: string[] = [];
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      const text: string = generateCuda(200 + ((i * 137) % 600), 1000 + i);
      lines += text.split('\n').length;
      const u = `file:///virtual/open/file_${i}.cu`;
      uris.push(u);
      await c.open(u, text);
    }
    for (const u of uris) await c.waitDiagnostics(u, () => true, 60000);
    const analysedMs = performance.now() - t0;
    // hover once in each file (what an editor does as the user moves around)
    for (const u of uris) await c.request('textDocument/hover', { textDocument: { uri: u }, position: { line: 12, character: 2 } });
    // resident memory right after the burst and once the server has been idle a while (V8 shrinks
    // its heap when allocation stops)
    const settled: string[] = [];
    for (const waitMs of WAITS) {
      await new Promise(r => setTimeout(r, waitMs - (settled.length ? WAITS[settled.length - 1] : 0)));
      settled.push(`${waitMs / 1000}s ${MiB(c.rss())}`);
    }
    return {
      files: String(n), lines: String(lines), analysedMs: analysedMs.toFixed(0),
      rssIdleMiB: MiB(idle), rssAfterMiB: settled.join(', '), peakRssMiB: MiB(c.rss('VmHWM')),
    };
  } finally {
    await c.shutdown();
  }
}

/** With `root`, the server indexes `dir` in the background while the file is opened. */
async function largeWorkspace(dir: string, root: boolean): Promise<Record<string, string>> {
  const c = new LspClient({}, NODE_ARGS);
  try {
    const t0 = performance.now();
    await c.initialize(root ? dir : undefined);
    const u = `file://${path.join(dir, 'src', 'mod_000', 'file_1.cu')}`;
    const text = fs.readFileSync(new URL(u), 'utf8');
    await c.open(u, text);
    await c.waitDiagnostics(u, () => true, 60000);
    const firstDiagMs = performance.now() - t0;
    // a hover while the index is still being built
    const h0 = performance.now();
    await c.request('textDocument/hover', { textDocument: { uri: u }, position: { line: 12, character: 2 } });
    const hoverMs = performance.now() - h0;
    if (!root) return { firstDiagMs: firstDiagMs.toFixed(0), hoverMs: hoverMs.toFixed(1), rssMiB: MiB(c.rss()) };
    const deadline = Date.now() + 300000;
    while (!c.logs.some(l => /indexed \d+ files/.test(l)) && Date.now() < deadline) await new Promise(r => setTimeout(r, 50));
    const indexedAtMs = performance.now() - t0;
    const logLine = c.logs.find(l => /indexed \d+ files/.test(l)) ?? 'not finished';
    await new Promise(r => setTimeout(r, 500));
    return {
      firstDiagMs: firstDiagMs.toFixed(0), hoverDuringIndexMs: hoverMs.toFixed(1), indexDoneAtMs: indexedAtMs.toFixed(0),
      serverLog: logLine.replace('[fusion-lens] ', ''), rssMiB: MiB(c.rss()), peakRssMiB: MiB(c.rss('VmHWM')),
    };
  } finally {
    await c.shutdown();
  }
}

async function main(): Promise<void> {
  console.log(`# server-scale on ${os.cpus().length} cores (${os.cpus()[0]?.model}), node ${process.version}, server flags [${NODE_ARGS.join(' ')}]; load average ${load()}`);
  if (!ONLY || ONLY === 'cold') {
  const colds = [];
  for (let i = 0; i < RUNS; i++) colds.push(await coldStart());
  console.log(JSON.stringify({
    bench: 'cold start', runs: RUNS, initMedianMs: median(colds.map(c => c.initMs)).toFixed(0), firstDiagMedianMs: median(colds.map(c => c.firstDiagMs)).toFixed(0),
    firstDiagAllMs: colds.map(c => c.firstDiagMs.toFixed(0)).join(' '), budgetMs: 300, load: load(),
  }));
  }
  if (!ONLY || ONLY === 'open') console.log(JSON.stringify({ bench: `${OPEN} open files`, ...(await openFiles(OPEN)), budgetMiB: 150, load: load() }));
  if (ONLY && ONLY !== 'workspace') return;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fl-ws-'));
  try {
    const g = generateTree(dir, FILES, 1);
    // alternate: the same file opened with and without the workspace being indexed
    const withRoot: Array<Record<string, string>> = [];
    const without: Array<Record<string, string>> = [];
    for (let i = 0; i < RUNS; i++) {
      without.push(await largeWorkspace(dir, false));
      withRoot.push(await largeWorkspace(dir, true));
    }
    const med = (rs: Array<Record<string, string>>, k: string) => median(rs.map(r => Number(r[k]))).toFixed(0);
    console.log(JSON.stringify({ bench: `same file, no workspace folder`, runs: RUNS, firstDiagMedianMs: med(without, 'firstDiagMs'), firstDiagAllMs: without.map(r => r.firstDiagMs).join(' '), load: load() }));
    console.log(JSON.stringify({
      bench: `workspace of ${FILES} files (${(g.bytes / 2 ** 20).toFixed(1)} MiB, ${g.lines} lines) indexed in the background`, runs: RUNS,
      firstDiagMedianMs: med(withRoot, 'firstDiagMs'), firstDiagAllMs: withRoot.map(r => r.firstDiagMs).join(' '),
      hoverDuringIndexMedianMs: med(withRoot, 'hoverDuringIndexMs'), indexDoneAtMedianMs: med(withRoot, 'indexDoneAtMs'),
      serverLog: withRoot[0].serverLog, rssMiB: withRoot.map(r => r.rssMiB).join(' '), load: load(),
    }));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

void main().catch(e => {
  console.error(e);
  process.exitCode = 1;
});
