// Starts code-server (VS Code 1.139 in a browser) on 127.0.0.1 with a fresh profile, in its own
// process group, and stops it by killing the whole group (the extension hosts and our language
// servers are children of it).
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, openSync, writeFileSync, closeSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** User settings of the fresh profile: quiet, offline, no first-run editors, no trust prompt. */
export const USER_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.enableExperiments': false,
  'security.workspace.trust.enabled': false,
  'extensions.autoCheckUpdates': false,
  // the value VS Code 1.139 migrates `false` to: writing `false` makes the workbench rewrite settings.json at
  // start-up, which races with the tests ("document ... already exists" in the extension host)
  'extensions.autoUpdate': 'off',
  'extensions.ignoreRecommendations': true,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'chat.disableAIFeatures': true,
  'git.enabled': false,
  'editor.minimap.enabled': false,
  'editor.stickyScroll.enabled': false,
  'window.commandCenter': false,
  'files.hotExit': 'off',
  'files.autoSave': 'off',
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'workbench.layoutControl.enabled': false,
};

export async function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export class CodeServer {
  /**
   * @param {{ node: string, entry: string, dir: string, log?: (m: string) => void, workspaceTrust?: boolean }} o
   *   node: the Node 24 binary; entry: code-server's out/node/entry.js; dir: a fresh folder for the profile;
   *   workspaceTrust: keep Workspace Trust on (workspaces then open in restricted mode, without a prompt).
   */
  constructor({ node, entry, dir, log, workspaceTrust = false }) {
    this.workspaceTrust = workspaceTrust;
    this.node = node;
    this.entry = entry;
    this.dir = dir;
    this.log = log ?? (() => {});
    this.home = join(dir, 'home');
    this.userDataDir = join(dir, 'user-data');
    this.extensionsDir = join(dir, 'extensions');
    this.logFile = join(dir, 'code-server.log');
    this.pgid = undefined;
    this.port = undefined;
    mkdirSync(join(this.userDataDir, 'User'), { recursive: true });
    mkdirSync(this.extensionsDir, { recursive: true });
    mkdirSync(this.home, { recursive: true });
    const settings = workspaceTrust
      ? { ...USER_SETTINGS, 'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'never', 'security.workspace.trust.emptyWindow': false }
      : USER_SETTINGS;
    this.settings = settings;
    writeFileSync(join(this.userDataDir, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
  }

  get env() {
    // HOME keeps code-server's own config and data (~/.config/code-server, ~/.local/share) in the profile.
    return { ...process.env, HOME: this.home, XDG_CONFIG_HOME: join(this.home, '.config'), XDG_DATA_HOME: join(this.home, '.local', 'share') };
  }

  get baseArgs() {
    return [this.entry, '--config', join(this.dir, 'config.yaml'), '--user-data-dir', this.userDataDir, '--extensions-dir', this.extensionsDir];
  }

  installExtension(vsix) {
    const r = spawnSync(this.node, [...this.baseArgs, '--force', '--install-extension', vsix], { env: this.env, encoding: 'utf8' });
    const out = `${r.stdout}\n${r.stderr}`.trim();
    if (r.status !== 0 || !/successfully installed/i.test(out)) throw new Error(`installing ${vsix} failed (exit ${r.status}):\n${out}`);
    return out.split('\n').filter(l => /installed/i.test(l)).join(' ');
  }

  async start() {
    this.port = await freePort();
    const fd = openSync(this.logFile, 'a');
    // detached: the child calls setsid(), so its pid is the id of a new process group holding
    // code-server, its extension hosts and their language servers.
    const child = spawn(this.node, [...this.baseArgs,
      '--bind-addr', `127.0.0.1:${this.port}`,
      '--auth', 'none',
      '--disable-telemetry', '--disable-update-check', '--disable-getting-started-override',
      ...(this.workspaceTrust ? [] : ['--disable-workspace-trust']),
      '--ignore-last-opened',
      // a disconnected browser tab's extension host (and language server) goes away after 10 s, not 3 h
      '--reconnection-grace-time', '10',
      // the built workbench honours the test `payload` (extensionDevelopmentPath/extensionTestsPath) only with this
      '--vscode-option', 'enable-smoke-test-driver',
    ], { env: this.env, detached: true, stdio: ['ignore', fd, fd] });
    closeSync(fd);
    this.pgid = child.pid;
    this.child = child;
    child.unref();
    let exited = null;
    child.on('exit', (code, sig) => (exited = `exit ${code ?? sig}`));
    const url = `http://127.0.0.1:${this.port}/healthz`;
    const end = Date.now() + 60000;
    for (;;) {
      if (exited) throw new Error(`code-server ${exited} before it answered; see ${this.logFile}`);
      try {
        const r = await fetch(url);
        if (r.ok) break;
      } catch { /* not listening yet */ }
      if (Date.now() > end) throw new Error(`code-server did not answer ${url} within 60 s; see ${this.logFile}`);
      await new Promise(r => setTimeout(r, 100));
    }
    this.log(`code-server listening on 127.0.0.1:${this.port} (process group ${this.pgid})`);
    return this.port;
  }

  origin() {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Processes still in the group (for the log and the leak check). */
  groupMembers() {
    if (!this.pgid) return [];
    const r = spawnSync('ps', ['-e', '-o', 'pid=,pgid=,stat=,comm='], { encoding: 'utf8' });
    return (r.stdout ?? '').split('\n').map(s => s.trim().split(/\s+/)).filter(f => f[1] === String(this.pgid) && !f[2]?.startsWith('Z')).map(f => `${f[0]} ${f[3]}`);
  }

  /** Synchronous group kill (safe in exit handlers). */
  killNow(signal = 'SIGKILL') {
    if (!this.pgid) return;
    try {
      process.kill(-this.pgid, signal);
    } catch { /* already gone */ }
  }

  /** SIGTERM to the whole group, SIGKILL after a grace period; resolves when the group is empty. */
  async stop(graceMs = 5000) {
    if (!this.pgid) return { left: [] };
    const alive = () => {
      try {
        process.kill(-this.pgid, 0);
        return true;
      } catch {
        return false;
      }
    };
    this.killNow('SIGTERM');
    const end = Date.now() + graceMs;
    while (alive() && Date.now() < end) await new Promise(r => setTimeout(r, 100));
    if (alive()) {
      this.log(`process group ${this.pgid} still has ${this.groupMembers().length} processes after SIGTERM; sending SIGKILL`);
      this.killNow('SIGKILL');
      const end2 = Date.now() + 5000;
      while (alive() && Date.now() < end2) await new Promise(r => setTimeout(r, 100));
    }
    const left = this.groupMembers();
    this.pgid = undefined;
    return { left };
  }
}
