// nvcc helpers: tests that compile generated code skip with a visible message where nvcc is absent.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

let cached: string | null | undefined;
export function nvccPath(): string | null {
  if (cached !== undefined) return cached;
  const r = spawnSync('nvcc', ['--version'], { encoding: 'utf8' });
  cached = r.status === 0 ? 'nvcc' : null;
  if (!cached) console.log('# nvcc not found: compile checks are SKIPPED on this machine');
  return cached;
}

export interface CompileResult {
  ok: boolean;
  output: string;
}

/** Compiles CUDA source text with `nvcc -c` (warnings reported in output). */
export function compileCuda(name: string, text: string, extraFiles: Record<string, string> = {}, extraArgs: string[] = []): Promise<CompileResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fl-nvcc-'));
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  for (const [n, t] of Object.entries(extraFiles)) fs.writeFileSync(path.join(dir, n), t);
  return new Promise(resolve => {
    const p = spawn('nvcc', ['-c', '-std=c++17', ...extraArgs, '-o', path.join(dir, 'out.o'), file], { cwd: dir });
    let out = '';
    p.stdout.on('data', d => (out += d));
    p.stderr.on('data', d => (out += d));
    p.on('close', code => {
      fs.rmSync(dir, { recursive: true, force: true });
      resolve({ ok: code === 0, output: out });
    });
  });
}

/** Runs async jobs with bounded concurrency. */
export async function pool<T, R>(items: T[], limit: number, f: (x: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await f(items[i]);
    }
  }));
  return out;
}
