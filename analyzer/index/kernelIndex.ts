// Workspace index of kernel definitions: which file defines which __global__ function. The server
// keeps one up to date as files change; the CLI fills one from the paths it is given. Includes are
// indexed on demand through the host's readFile.

import { lex } from '../cuda/lexer';
import { scan } from '../cuda/scanner';
import { summarizeKernel, type KernelSummary } from '../cuda/kernelSummary';

interface Entry {
  text: string;
  kernels: KernelSummary[];
  includes: Array<{ spec: string; system: boolean }>;
}

export class KernelIndex {
  private readonly files = new Map<string, Entry>();
  private readonly byName = new Map<string, Set<string>>();

  /** (Re)indexes a file when its text changed. Returns the kernels it defines. */
  update(file: string, text: string, known?: { kernels: KernelSummary[]; includes: Array<{ spec: string; system: boolean }> }): KernelSummary[] {
    const old = this.files.get(file);
    if (old && old.text === text) return old.kernels;
    this.remove(file);
    let kernels: KernelSummary[];
    let includes: Array<{ spec: string; system: boolean }>;
    if (known) {
      // from an analysis of the same text (the server's open documents)
      ({ kernels, includes } = known);
    } else {
      const t = lex(text);
      const s = scan(t);
      kernels = s.functions.filter(f => f.isKernel).map(f => summarizeKernel(t, f, file));
      includes = s.includes.map(i => ({ spec: i.spec, system: i.system }));
    }
    this.files.set(file, { text, kernels, includes });
    for (const k of kernels) {
      let set = this.byName.get(k.name);
      if (!set) this.byName.set(k.name, (set = new Set()));
      set.add(file);
    }
    return kernels;
  }

  remove(file: string): void {
    const old = this.files.get(file);
    if (!old) return;
    for (const k of old.kernels) this.byName.get(k.name)?.delete(file);
    this.files.delete(file);
  }

  has(file: string): boolean {
    return this.files.has(file);
  }

  includesOf(file: string): Array<{ spec: string; system: boolean }> {
    return this.files.get(file)?.includes ?? [];
  }

  kernelsIn(file: string): KernelSummary[] {
    return this.files.get(file)?.kernels ?? [];
  }

  /** Files defining a kernel of this name. */
  filesDefining(name: string): string[] {
    return [...(this.byName.get(name) ?? [])];
  }

  get size(): number {
    return this.files.size;
  }
}
