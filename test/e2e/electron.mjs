#!/usr/bin/env node
// Runs the extension tests (test/e2e/suite) under @vscode/test-electron, in a desktop VS Code.
// Not part of `npm test`: @vscode/test-electron downloads VS Code from update.code.visualstudio.com,
// which CI here cannot reach (test/e2e/run.mjs runs the same tests in code-server instead). Use it
// where VS Code can be downloaded, or point VSCODE_EXECUTABLE at an installed `code` binary.
//
//   node test/e2e/electron.mjs            # VSCODE_VERSION (default 1.139.1, code-server's), or VSCODE_EXECUTABLE
//
// Needs Node >= 22 (@vscode/test-electron's engines) and a display (e.g. `xvfb-run -a` on Linux).
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTests } from '@vscode/test-electron';
import { bundleExtensionTests } from './lib/bundle.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const build = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
const extensionTestsPath = await bundleExtensionTests(ROOT);

const tmp = mkdtempSync(join(tmpdir(), 'fusion-lens-electron-'));
const workspace = join(tmp, 'ws');
cpSync(join(ROOT, 'examples'), workspace, { recursive: true });
let code = 1;
try {
  code = await runTests({
    version: process.env.VSCODE_VERSION ?? '1.139.1',
    vscodeExecutablePath: process.env.VSCODE_EXECUTABLE || undefined,
    // the extension itself (its dist/ bundles) and the coexistence fixture, a second cuda-cpp extension
    extensionDevelopmentPath: [ROOT, join(ROOT, 'test', 'e2e', 'fixtures', 'fake-cuda-ext')],
    extensionTestsPath,
    extensionTestsEnv: { FUSION_LENS_TEST_FILTER: process.env.FUSION_LENS_TEST_FILTER },
    launchArgs: [workspace, '--disable-extensions', '--user-data-dir', join(tmp, 'user-data')],
  });
} catch (e) {
  console.error(`[electron] ${e instanceof Error ? e.message : e}`);
  console.error('[electron] @vscode/test-electron could not start VS Code. Offline, run `node test/e2e/run.mjs` (code-server) instead.');
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
process.exit(code);
