#!/usr/bin/env node
// End-to-end tests in a real VS Code (code-server 4.139.1 = VS Code 1.139.1), offline.
//
//   node test/e2e/run.mjs [--only=ext|ui] [--keep]
//
// 1. Installs what it needs into a cache folder (.cache/e2e, or $FUSION_LENS_E2E_CACHE), re-used by
//    later runs and keyed on versions: apt packages (chromium, libkrb5-dev; as root only), Node 24
//    from npm, code-server built against it. See lib/tools.mjs.
// 2. Packages the extension (`npm run package`: minified esbuild bundles, @vscode/vsce) and checks the
//    .vsix is small and has no node_modules.
// 3. Starts code-server on 127.0.0.1 in its own process group with a fresh profile, installs the .vsix
//    and a fake CUDA extension (coexistence fixture), and runs
//    (a) the extension tests (suite/, @vscode/test-electron format) in the extension host, on a
//        temporary copy of examples/;
//    (b) the Playwright UI test (ui.mjs) on another copy, with screenshots in test/e2e/.artifacts/.
// 4. Prints `N passed, N failed`, kills code-server's whole process group (also on errors and
//    signals) and exits non-zero on any failure.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleExtensionTests } from './lib/bundle.mjs';
import { CodeServer } from './lib/codeServer.mjs';
import { ensureAptPackages, ensureCodeServer, ensureNode24, node24Env, VERSIONS } from './lib/tools.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CACHE = resolve(process.env.FUSION_LENS_E2E_CACHE ?? join(ROOT, '.cache', 'e2e'));
const ARTIFACTS = join(ROOT, 'test', 'e2e', '.artifacts');
const only = process.argv.find(a => a.startsWith('--only='))?.slice(7);
const keep = process.argv.includes('--keep');
// The .vsix holds the bundles (~0.7 MiB minified) and the TypeScript compiler for the TS/JS frontend
// (dist/typescript.js, 8.7 MiB), zipped; no node_modules.
const MAX_VSIX_BYTES = 4 << 20;

const t0 = Date.now();
const secs = () => ((Date.now() - t0) / 1000).toFixed(1);
const log = m => console.log(`[e2e ${secs()}s] ${m}`);
const timings = [];
async function step(name, fn) {
  const s = Date.now();
  log(`── ${name}`);
  try {
    return await fn();
  } finally {
    timings.push([name, (Date.now() - s) / 1000]);
  }
}

const results = [];
const skipped = [];
const record = (name, ok, detail = '') => {
  results.push({ name, ok });
  log(`${ok ? 'ok' : 'not ok'} - ${name}${detail ? ` (${detail})` : ''}`);
};

let cs;
/** Every code-server started, for the cleanup. */
const servers = [];
let runDir;
let exiting = false;
function emergencyCleanup(signal) {
  if (exiting) return;
  exiting = true;
  for (const s of servers) s.killNow('SIGKILL');
  if (signal) {
    if (runDir && !keep) rmSync(runDir, { recursive: true, force: true });
    console.error(`[e2e] ${signal}: killed code-server's process groups`);
    process.exit(130);
  }
}
process.on('exit', () => emergencyCleanup());
process.on('SIGINT', () => emergencyCleanup('SIGINT'));
process.on('SIGTERM', () => emergencyCleanup('SIGTERM'));

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8', ...opts });
  if (r.status !== 0) throw new Error(`\`${cmd} ${args.join(' ')}\` failed (exit ${r.status ?? r.signal})\n${(r.stdout ?? '') + (r.stderr ?? '')}`.trim());
  return r.stdout ?? '';
}

const hashDir = dir => {
  const h = createHash('sha256');
  for (const f of readdirSync(dir).sort()) h.update(f).update(readFileSync(join(dir, f)));
  return h.digest('hex').slice(0, 12);
};

let exitCode = 1;
try {
  mkdirSync(CACHE, { recursive: true });
  rmSync(ARTIFACTS, { recursive: true, force: true });
  mkdirSync(ARTIFACTS, { recursive: true });
  const installLog = join(CACHE, 'install.log');
  log(`cache ${CACHE}; artefacts ${ARTIFACTS}`);

  const { n24, entry } = await step('tools (cached after the first run)', () => {
    const csCached = existsSync(join(CACHE, `code-server-${VERSIONS.codeServer}-node-${VERSIONS.node}`, '.complete'));
    // libkrb5-dev is only needed to build code-server's kerberos module
    const { installed } = ensureAptPackages(csCached ? ['chromium'] : VERSIONS.aptPackages, log, installLog);
    if (installed.length) log(`apt installed ${installed.join(', ')}`);
    const n24 = ensureNode24(CACHE, log, installLog);
    const entry = ensureCodeServer(CACHE, n24, log, installLog);
    return { n24, entry };
  });
  const node = join(n24, 'bin', 'node');

  runDir = mkdtempSync(join(tmpdir(), 'fusion-lens-e2e-'));
  const vsix = join(runDir, 'fusion-lens.vsix');
  await step('package the extension (npm run package)', () => {
    run(node, [join(ROOT, 'scripts', 'package.mjs'), `--out=${vsix}`], { env: node24Env(n24) });
    const size = statSync(vsix).size;
    record(`.vsix is small (${(size / 1024).toFixed(0)} KiB, limit ${MAX_VSIX_BYTES >> 10} KiB)`, size <= MAX_VSIX_BYTES);
  });

  const testsBundle = await step('bundle the extension tests (esbuild)', () => bundleExtensionTests(ROOT));

  const fakeVsix = await step('package the coexistence fixture (fake cuda-cpp extension)', () => {
    const src = join(ROOT, 'test', 'e2e', 'fixtures', 'fake-cuda-ext');
    const out = join(CACHE, `fake-cuda-ext-${hashDir(src)}.vsix`);
    if (!existsSync(out)) {
      const tmp = join(runDir, 'fake-cuda-ext');
      cpSync(src, tmp, { recursive: true });
      run(node, [join(ROOT, 'node_modules', '@vscode', 'vsce', 'vsce'), 'package', '--no-dependencies', '--skip-license', '--allow-missing-repository', '--out', out], { cwd: tmp, env: node24Env(n24) });
    }
    return out;
  });

  cs = new CodeServer({ node, entry, dir: join(runDir, 'profile'), log });
  servers.push(cs);
  const extDir = await step('fresh profile: install the .vsix and the fixture', () => {
    log(cs.installExtension(vsix));
    log(cs.installExtension(fakeVsix));
    const installed = readdirSync(cs.extensionsDir).find(d => d.startsWith('fusion-lens.fusion-lens-'));
    if (!installed) throw new Error(`the .vsix did not install into ${cs.extensionsDir}`);
    const dir = join(cs.extensionsDir, installed);
    const files = [];
    const walk = (d, rel = '') => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        if (e.isDirectory()) walk(join(d, e.name), `${rel}${e.name}/`);
        else files.push(`${rel}${e.name}`);
      }
    };
    walk(dir);
    const need = ['package.json', 'dist/client.js', 'dist/server.js', 'dist/typescript.js', 'syntaxes/cuda-launch.injection.tmLanguage.json', 'syntaxes/cuda-cpp.language-configuration.json', 'docs/walkthrough/open.md'];
    const missing = need.filter(f => !files.includes(f));
    const extra = files.filter(f => f.includes('node_modules/') || /\.(ts|map)$/.test(f) || f.startsWith('test/') || f.startsWith('analyzer/'));
    record(`installed extension holds the bundles and grammar, no node_modules or sources (${files.length} files)`, !missing.length && !extra.length,
      [missing.length ? `missing ${missing.join(', ')}` : '', extra.length ? `unexpected ${extra.slice(0, 5).join(', ')}` : ''].filter(Boolean).join('; '));
    return dir;
  });

  await step('start code-server', () => cs.start());

  const workspace = name => {
    const ws = join(runDir, name);
    cpSync(join(ROOT, 'examples'), ws, { recursive: true });
    return ws;
  };

  // The extension tests run against a copy of the installed extension (what the .vsix really
  // contains) with the test bundle placed inside it, as extensionTestsPath must lie in the extension folder.
  const devExt = join(runDir, 'ext-under-test');
  cpSync(extDir, devExt, { recursive: true });
  mkdirSync(join(devExt, 'dist', 'test'), { recursive: true });
  cpSync(testsBundle, join(devExt, 'dist', 'test', 'extension-tests.js'));
  // the tests run the analyzer themselves (expected findings); its TS frontend loads typescript.js next to the bundle
  cpSync(join(devExt, 'dist', 'typescript.js'), join(devExt, 'dist', 'test', 'typescript.js'));
  const runExt = async (server, ws, prefix) => {
    const { runExtensionTests } = await import('./ext-host.mjs');
    const r = await runExtensionTests({ origin: server.origin(), workspace: workspace(ws), extensionPaths: [devExt], testsPath: join(devExt, 'dist', 'test', 'extension-tests.js'), log });
    writeFileSync(join(ARTIFACTS, `${ws}-extension-tests.log`), r.lines.join('\n') + '\n');
    for (const line of r.lines) {
      const m = /^(ok|not ok) - (.*?) \(\d+ ms\)/.exec(line);
      if (m) results.push({ name: `${prefix}: ${m[2]}`, ok: m[1] === 'ok' });
      if (line.startsWith('skip - ')) skipped.push(`${prefix}: ${line.slice(7)}`);
    }
    if (r.exitCode !== 0 && !r.failed) record(`${prefix}: extension tests finished`, false, `exit code ${r.exitCode}`);
    if (!r.finished) record(`${prefix}: the suite ran to the end`, false, `extension host exit code ${r.exitCode}; see test/e2e/.artifacts/${ws}-extension-tests.log`);
    // VS Code rewrites user settings it migrates (deprecated values) at start-up; that write races
    // with the tests, so the profile must not need any
    const settingsFile = join(server.userDataDir, 'User', 'settings.json');
    record(`${prefix}: the workbench left the profile's settings.json as written (no migration)`,
      JSON.stringify(JSON.parse(readFileSync(settingsFile, 'utf8'))) === JSON.stringify(server.settings));
  };

  if (!only || only === 'ext') {
    await step('extension tests in the extension host', () => runExt(cs, 'ws-api', 'ext'));
    await step('extension tests in an untrusted workspace (Workspace Trust on, restricted mode)', async () => {
      const untrusted = new CodeServer({ node, entry, dir: join(runDir, 'profile-untrusted'), log, workspaceTrust: true });
      servers.push(untrusted);
      await untrusted.start();
      await runExt(untrusted, 'ws-untrusted', 'ext (untrusted)');
    });
  }

  if (!only || only === 'ui') {
    await step('UI test (Playwright drives the workbench)', async () => {
      const { runUiTests } = await import('./ui.mjs');
      const r = await runUiTests({ origin: cs.origin(), workspace: workspace('ws-ui'), artifacts: ARTIFACTS, log });
      for (const x of r.results) results.push({ name: `ui: ${x.name}`, ok: x.ok });
      if (r.retried.length) log(`UI steps retried once: ${r.retried.join('; ')}`);
    });
  }
  exitCode = results.length && results.every(r => r.ok) ? 0 : 1;
} catch (e) {
  record('e2e run', false, (e instanceof Error ? e.stack ?? e.message : String(e)).split('\n').slice(0, 30).join('\n'));
  exitCode = 1;
} finally {
  if (servers.length) {
    await step('stop code-server (kill its process groups)', async () => {
      for (const server of servers) {
        const { left } = await server.stop();
        record(`code-server process group ${server.port} is gone`, left.length === 0, left.join(', '));
        if (left.length) exitCode = 1;
      }
    });
    for (const [i, server] of servers.entries()) {
      try {
        const name = i ? `code-server-${i}` : 'code-server';
        cpSync(server.logFile, join(ARTIFACTS, `${name}.log`));
        const logs = join(server.userDataDir, 'logs');
        if (existsSync(logs)) cpSync(logs, join(ARTIFACTS, `${name}-vscode-logs`), { recursive: true });
      } catch { /* best effort */ }
    }
  }
  if (runDir && !keep) rmSync(runDir, { recursive: true, force: true });
  else if (runDir) log(`kept ${runDir}`);
  const passed = results.filter(r => r.ok).length;
  const failed = results.length - passed;
  for (const r of results.filter(x => !x.ok)) console.log(`  ✖ ${r.name}`);
  console.log(`[e2e] timings: ${timings.map(([n, s]) => `${n} ${s.toFixed(1)}s`).join(' · ')}`);
  for (const sk of skipped) console.log(`  - skipped ${sk}`);
  console.log(`${passed} passed, ${failed} failed (e2e, ${secs()} s${skipped.length ? `; ${skipped.length} skipped` : ''})`);
  process.exitCode = failed || exitCode ? 1 : 0;
}
