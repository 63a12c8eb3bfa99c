// A kernel index for large workspaces, shared by the language server and the CLI. It knows which
// file defines which kernel name for every workspace file (cheap: lexer + scanner, names only) and
// keeps full kernel summaries (text, tokens) only for the files analyses ask about, at most
// `capacity` of them, least recently used first out. Pure: files are read through `read`.
// (It extends analyzer/index/KernelIndex without changing it; it could move next to it.)

import { KernelIndex } from '../analyzer/index/kernelIndex';
import type { KernelSummary } from '../analyzer/cuda/kernelSummary';
import { lex } from '../analyzer/cuda/lexer';
import { scan } from '../analyzer/cuda/scanner';

/** Names of the `__global__` functions a CUDA text defines (no summaries). */
export function kernelNames(text: string): string[] {
  return [...new Set(scan(lex(text)).functions.filter(f => f.isKernel).map(f => f.name))];
}

export class WorkspaceIndex extends KernelIndex {
  private readonly defs = new Map<string, Set<string>>();
  private readonly namesOf = new Map<string, string[]>();
  private readonly recent = new Map<string, true>();
  /** Open documents: the summaries of their latest analysis (shared with it, not recomputed). */
  private readonly live = new Map<string, { kernels: KernelSummary[]; includes: Array<{ spec: string; system: boolean }> }>();

  constructor(private readonly read: (file: string) => string | undefined, private readonly capacity = 256) {
    super();
  }

  /** Records the kernel names a file defines (from kernelNames) without summarizing it. */
  setNames(file: string, names: readonly string[]): void {
    const old = this.namesOf.get(file);
    if (old && old.length === names.length && old.every((n, i) => n === names[i])) return; // keeps the order stable
    this.clearNames(file);
    if (!names.length) return;
    this.namesOf.set(file, [...names]);
    for (const n of names) {
      let s = this.defs.get(n);
      if (!s) this.defs.set(n, (s = new Set()));
      s.add(file);
    }
  }

  /** A file changed on disk or was closed: summaries are redone only if someone holds them. */
  refresh(file: string, text: string): void {
    this.live.delete(file);
    if (this.has(file)) this.update(file, text);
    else this.setNames(file, kernelNames(text));
  }

  override update(file: string, text: string): KernelSummary[] {
    const kernels = super.update(file, text);
    this.setNames(file, [...new Set(kernels.map(k => k.name))]);
    this.recent.delete(file);
    this.recent.set(file, true);
    for (const f of this.recent.keys()) {
      if (this.recent.size <= this.capacity) break;
      this.recent.delete(f);
      super.remove(f); // the names stay: the file is summarized again when asked
    }
    return kernels;
  }

  override remove(file: string): void {
    super.remove(file);
    this.live.delete(file);
    this.recent.delete(file);
    this.clearNames(file);
  }

  /** Sorted, so results never depend on the order files were indexed or summarized in. */
  /** An open document was analysed: its kernels come from that analysis until clearLive(). */
  setLive(file: string, kernels: KernelSummary[], includes: Array<{ spec: string; system: boolean }>): void {
    super.remove(file);
    this.recent.delete(file);
    this.live.set(file, { kernels, includes });
    this.setNames(file, [...new Set(kernels.map(k => k.name))]);
  }

  clearLive(file: string): void {
    this.live.delete(file);
  }

  override has(file: string): boolean {
    return this.live.has(file) || super.has(file);
  }

  override includesOf(file: string): Array<{ spec: string; system: boolean }> {
    return this.live.get(file)?.includes ?? super.includesOf(file);
  }

  override filesDefining(name: string): string[] {
    return [...(this.defs.get(name) ?? [])].sort();
  }

  override kernelsIn(file: string): KernelSummary[] {
    const l = this.live.get(file);
    if (l) return l.kernels;
    if (!this.has(file) && this.namesOf.has(file)) {
      const t = this.read(file);
      if (t !== undefined) this.update(file, t);
    }
    return super.kernelsIn(file);
  }

  /** Files known to define kernels, and files summarized now. */
  get stats(): { files: number; summarized: number; live: number } {
    return { files: this.namesOf.size, summarized: this.recent.size, live: this.live.size };
  }

  private clearNames(file: string): void {
    for (const n of this.namesOf.get(file) ?? []) {
      const s = this.defs.get(n);
      s?.delete(file);
      if (s && !s.size) this.defs.delete(n);
    }
    this.namesOf.delete(file);
  }
}
