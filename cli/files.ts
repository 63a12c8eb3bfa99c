// Collects the files to analyze from paths (files or directories, recursively).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { languageOf } from '../analyzer/analyze';

const SKIP_DIRS = new Set(['node_modules', '.git', 'dist', 'out', 'build', '.cache', '.vscode-test']);

export interface Collected {
  files: string[];
  missing: string[];
}

export function collectFiles(paths: string[], languages: Set<string>): Collected {
  const files: string[] = [];
  const missing: string[] = [];
  const visit = (p: string, explicit: boolean) => {
    let st: fs.Stats;
    try {
      st = fs.statSync(p);
    } catch {
      if (explicit) missing.push(p);
      return;
    }
    if (st.isDirectory()) {
      if (!explicit && SKIP_DIRS.has(path.basename(p))) return;
      for (const e of fs.readdirSync(p).sort()) visit(path.join(p, e), false);
      return;
    }
    const lang = languageOf(p);
    if (explicit || (lang && languages.has(lang) && isSourceExt(p))) files.push(p);
  };
  for (const p of paths) visit(p, true);
  return { files, missing };
}

/** Directory walks pick up CUDA sources and TypeScript/JavaScript, not every C++ header. */
function isSourceExt(p: string): boolean {
  return /\.(cu|cuh|cpp|cc|cxx|ts|tsx|js|mjs|cjs)$/i.test(p) && !/\.d\.ts$/i.test(p);
}
