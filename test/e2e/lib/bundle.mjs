// Bundles the extension tests (test/e2e/suite, @vscode/test-electron's extensionTestsPath format) with
// esbuild into dist/test/extension-tests.js, inside the extension folder as VS Code requires.
import * as esbuild from 'esbuild';
import { join } from 'node:path';

export async function bundleExtensionTests(root) {
  const outfile = join(root, 'dist', 'test', 'extension-tests.js');
  await esbuild.build({
    entryPoints: [join(root, 'test', 'e2e', 'suite', 'index.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: 'inline',
    external: ['vscode'],
    logLevel: 'warning',
  });
  return outfile;
}
