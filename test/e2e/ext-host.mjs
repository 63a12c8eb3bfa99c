// Runs the extension tests (an @vscode/test-electron `extensionTestsPath` module) inside code-server's
// Node extension host, through the web workbench's test payload — the channel @vscode/test-web uses:
// the workbench loads `extensionDevelopmentPath` + `extensionTestsPath`, calls the module's run(), and
// reports its console through window.codeAutomationLog and its end through window.codeAutomationExit.
import { launchBrowser } from './lib/browser.mjs';

/**
 * @param {{ origin: string, workspace: string, extensionPaths: string[], testsPath: string, timeoutMs?: number, log: (m: string) => void }} o
 * @returns {Promise<{ passed: number, failed: number, exitCode: number | string, lines: string[] }>}
 */
export async function runExtensionTests({ origin, workspace, extensionPaths, testsPath, timeoutMs = 240000, log }) {
  const host = new URL(origin).host;
  const remote = p => `vscode-remote://${host}${p}`;
  const payload = [...extensionPaths.map(p => ['extensionDevelopmentPath', remote(p)]), ['extensionTestsPath', remote(testsPath)]];
  const url = `${origin}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  const browser = await launchBrowser();
  const lines = [];
  let passed = 0;
  let failed = 0;
  let finished = false;
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    let resolveExit;
    const exited = new Promise(r => (resolveExit = r));
    await page.exposeFunction('codeAutomationLog', (_type, args) => {
      const s = (Array.isArray(args) ? args : [args]).map(a => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ');
      for (const line of s.split('\n')) {
        if (/^\s+at /.test(line) || /open-vsx|ENOTFOUND/.test(line)) continue;
        lines.push(line);
        if (/^ok - /.test(line)) passed++;
        if (/^not ok - /.test(line)) failed++;
        if (/^\d+ passed, \d+ failed/.test(line)) finished = true;
        if (/^(ok|not ok|skip) - |^# |passed, \d+ failed/.test(line)) log(`  ${line}`);
      }
    });
    await page.exposeFunction('codeAutomationExit', code => resolveExit(code));
    page.on('pageerror', e => log(`  page error: ${e.message.split('\n')[0]}`));
    await page.goto(url);
    let timer;
    const code = await Promise.race([exited, new Promise(r => (timer = setTimeout(() => r('timeout'), timeoutMs)))]);
    clearTimeout(timer);
    if (code === 'timeout') log(`  the extension host did not finish within ${timeoutMs / 1000} s`);
    if (!finished) log('  the extension host ended before the suite printed its summary');
    return { passed, failed: failed + (code === 0 ? 0 : failed ? 0 : 1), exitCode: code, finished, lines };
  } finally {
    await browser.close();
  }
}
