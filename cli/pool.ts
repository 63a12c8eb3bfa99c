// Spreads the CLI's two phases over worker threads (cli/worker.ts): files go out in small chunks to
// whichever worker is free, results come back per chunk and are handed on in file order, so the
// output does not depend on the number of workers or on timing.

import { Worker } from 'node:worker_threads';
import type { AnalysisOptions } from '../analyzer/analyze';
import type { FileChunk, Style } from './formats';

export type ToWorker =
  | { kind: 'names'; names: Array<[string, string[]]> }
  | { kind: 'index' | 'check'; id: number; files: string[] };

export type TaskResult =
  | { names: string[] | null }
  | { chunk: FileChunk }
  | { unreadable: true }
  | { error: string };

export interface WorkerSetup {
  options: AnalysisOptions;
  style: Style;
}

interface Slot {
  worker: Worker;
  /** Chunks sent and not answered yet: two, so a worker never waits for the next one. */
  inflight: Array<{ id: number; start: number; files: string[] }>;
  dead: boolean;
}

const IN_FLIGHT = 2;

export class WorkerPool {
  private readonly slots: Slot[];
  private nextId = 0;

  constructor(entry: string, size: number, setup: WorkerSetup) {
    this.slots = Array.from({ length: size }, () => ({ worker: new Worker(entry, { workerData: setup }), inflight: [], dead: false }));
  }

  get size(): number {
    return this.slots.filter(s => !s.dead).length;
  }

  broadcast(m: ToWorker): void {
    for (const s of this.slots) if (!s.dead) s.worker.postMessage(m);
  }

  /**
   * Runs `kind` over `files` in chunks; `emit(i, result)` is called once per file, in file order.
   * With `local`, the calling thread takes small chunks too, between handling the workers' messages
   * (one isolate fewer to start and warm up than a worker per core). A worker that dies fails its
   * chunk's files ({ error }) and the others carry on.
   */
  run(kind: 'index' | 'check', files: string[], chunk: number, emit: (i: number, r: TaskResult) => void, local?: (kind: 'index' | 'check', files: string[]) => TaskResult[]): Promise<void> {
    // results wait here only until every earlier file's result has been handed on
    const results = new Array<TaskResult | null | undefined>(files.length);
    let emitted = 0;
    let queued = 0;
    const flush = () => {
      while (emitted < files.length && results[emitted]) {
        const r = results[emitted]!;
        results[emitted] = null;
        emit(emitted++, r);
      }
    };
    return new Promise<void>((resolve, reject) => {
      const done = () => {
        flush();
        if (emitted === files.length) {
          for (const s of this.slots) s.worker.removeAllListeners('message').removeAllListeners('error').removeAllListeners('exit');
          resolve();
        }
      };
      const feed = (s: Slot) => {
        while (!s.dead && queued < files.length && s.inflight.length < IN_FLIGHT) {
          const start = queued;
          const part = files.slice(start, Math.min(files.length, start + chunk));
          queued += part.length;
          const task = { id: this.nextId++, start, files: part };
          s.inflight.push(task);
          s.worker.postMessage({ kind, id: task.id, files: part } satisfies ToWorker);
        }
      };
      // the calling thread's share: chunks a quarter the size, so workers wait little for new work
      let localBusy = false;
      const feedLocal = () => {
        if (!local || localBusy || queued >= files.length) return;
        const start = queued;
        const part = files.slice(start, Math.min(files.length, start + Math.max(1, chunk >> 2)));
        queued += part.length;
        localBusy = true;
        setImmediate(() => {
          local(kind, part).forEach((r, k) => (results[start + k] = r));
          localBusy = false;
          feedLocal();
          done();
        });
      };
      const fail = (s: Slot, why: string) => {
        if (s.dead) return;
        s.dead = true;
        for (const task of s.inflight) task.files.forEach((_, k) => (results[task.start + k] = { error: `worker thread ${why}` }));
        s.inflight = [];
        if (!this.size && !local) {
          // no worker left: the rest of the files fail too (the caller reports them)
          for (let i = queued; i < files.length; i++) results[i] = { error: `worker thread ${why}` };
          queued = files.length;
        }
        done();
      };
      for (const s of this.slots) {
        s.worker.on('message', (m: { id: number; results: TaskResult[] }) => {
          const at = s.inflight.findIndex(t => t.id === m.id);
          if (at < 0) return;
          const [task] = s.inflight.splice(at, 1);
          m.results.forEach((r, k) => (results[task.start + k] = r));
          feed(s);
          done();
        });
        s.worker.on('error', e => fail(s, `failed: ${e.stack ?? e}`));
        s.worker.on('exit', code => fail(s, `exited with code ${code}`));
        feed(s);
      }
      feedLocal();
      if (!this.size && !local) reject(new Error('no worker threads'));
      else if (!files.length) resolve();
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.map(s => s.worker.terminate()));
  }
}
