// A tiny test harness for the extension host (no mocha): named tests run in order, each failure is
// reported with its message, and run() rejects when any failed — the contract of an
// @vscode/test-electron `extensionTestsPath` module. Output lines are TAP-like (`ok - …`, `not ok - …`)
// so the drivers can count them; the last line is `N passed, N failed`.

import * as vscode from 'vscode';

type TestFn = () => Promise<void>;
interface TestOptions {
  /** Also runs in an untrusted workspace (restricted mode); the others are skipped there. */
  untrusted?: boolean;
}
const tests: Array<{ name: string; fn: TestFn; opts: TestOptions }> = [];

export function test(name: string, fn: TestFn, opts: TestOptions = {}): void {
  tests.push({ name, fn, opts });
}

/** Thrown by a test that does not apply here (reported as `skip - name: reason`, counted apart). */
export class Skip extends Error {}
export const skip = (reason: string): never => {
  throw new Skip(reason);
};

export async function runAll(filter?: RegExp): Promise<{ passed: number; failed: number; skipped: number }> {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  const t0 = Date.now();
  const trusted = vscode.workspace.isTrusted;
  if (!trusted) console.log('# untrusted workspace (restricted mode): running the tests marked for it');
  for (const t of tests) {
    if (filter && !filter.test(t.name)) continue;
    if (!trusted && !t.opts.untrusted) continue;
    const s = Date.now();
    try {
      await t.fn();
      passed++;
      console.log(`ok - ${t.name} (${Date.now() - s} ms)`);
    } catch (e) {
      if (e instanceof Skip) {
        skipped++;
        console.log(`skip - ${t.name}: ${e.message}`);
        continue;
      }
      failed++;
      const msg = e instanceof Error ? e.message : String(e);
      console.log(`not ok - ${t.name} (${Date.now() - s} ms): ${msg.replace(/\s+/g, ' ').slice(0, 1500)}`);
    } finally {
      await closeAllEditors();
    }
  }
  console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''} (extension tests, ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  return { passed, failed, skipped };
}

/** Polls `fn` until it returns something other than undefined (or throws the last error on timeout). */
export async function waitFor<T>(what: string, fn: () => T | undefined | Promise<T | undefined>, timeoutMs = 20000, intervalMs = 100): Promise<T> {
  const end = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${(lastError as Error).message}` : ''}`);
    await new Promise(r => setTimeout(r, intervalMs));
  }
}

export async function closeAllEditors(): Promise<void> {
  // Revert unsaved changes first: tests never save, and a dirty editor would ask before closing.
  for (const doc of vscode.workspace.textDocuments) {
    if (!doc.isDirty) continue;
    await vscode.window.showTextDocument(doc);
    await vscode.commands.executeCommand('workbench.action.files.revert');
  }
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}
