// Random edits for the incremental-analysis tests: syntax soup that breaks the code in every way
// the re-parse must notice, and keystrokes that keep it valid (the common case while typing).

/** Deterministic pseudo-random numbers (mulberry32). */
export function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SNIPPETS = [';', '{', '}', '(', ')', '/*', '*/', '//', "'", '"', '`', '${', 'x', ' ', '\n', 'else ', 'if (a) b;', 'await ', 'export ', 'import ',
  'tf.relu(', '.add(b)', 'const q = 1;', '\nfunction g() {}\n', '\n(x)', 'let f = function () {}', '/** @param a */', '#!', '<T>', '=>', 'import.meta', ',', '@dec ',
  '\ntry { a(); } catch { b(); }\n', 'finally { c(); }', 'do x(); while (y)', 'declare module "m";'];

/**
 * A random edit: half the time syntax soup (insert a snippet, delete a few characters, or both),
 * else a keystroke that keeps the syntax (a letter typed next to a letter, a space, a line break).
 */
export function randomEdit(text: string, r: () => number): string {
  const at = Math.floor(r() * (text.length + 1));
  if (r() < 0.5) {
    const word = /[A-Za-z]/.test(text[at - 1] ?? '');
    const ins = word ? 'abcxyz'[Math.floor(r() * 6)] : r() < 0.5 ? ' ' : '\n';
    return text.slice(0, at) + ins + text.slice(at);
  }
  const del = r() < 0.5 ? Math.floor(r() * 6) : 0;
  const ins = del && r() < 0.5 ? '' : SNIPPETS[Math.floor(r() * SNIPPETS.length)];
  return text.slice(0, at) + ins + text.slice(Math.min(text.length, at + del));
}
