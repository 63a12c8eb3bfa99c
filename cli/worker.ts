// Worker thread of `fusion-lens check` (bundled to dist/cli-worker.js). Receives chunks of files
// from cli/pool.ts and answers with plain data: phase 1 the kernel names each file defines, phase 2
// each file's report. Errors are answered per file, never thrown across the thread boundary.

import { parentPort, workerData } from 'node:worker_threads';
import type { AnalyzerHost } from '../analyzer/analyze';
import { checkFile, kernelNamesOf, workspaceHost } from './engine';
import type { TaskResult, ToWorker, WorkerSetup } from './pool';

const { options, style } = workerData as WorkerSetup;
let host: AnalyzerHost = workspaceHost([]);

parentPort!.on('message', (m: ToWorker) => {
  if (m.kind === 'names') {
    host = workspaceHost(m.names);
    return;
  }
  const results: TaskResult[] = m.files.map(f => {
    try {
      if (m.kind === 'index') return { names: kernelNamesOf(f) ?? null };
      return checkFile(f, host, options, style);
    } catch (e) {
      return { error: (e as Error).stack ?? String(e) };
    }
  });
  parentPort!.postMessage({ id: m.id, results });
});
