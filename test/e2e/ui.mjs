// Playwright UI test: a user's first minutes with Fusion Lens in a real VS Code workbench (code-server,
// Debian chromium). Opens a .cu example, reads the finding in the Problems panel, hovers the launch
// and reads the estimate, sees the code lens and the status bar item, applies the quick fix with
// Ctrl+. and sees the text change, picks another GPU from the status bar, opens the report webview and
// the server log.
//
// Every check polls (Playwright's auto-waiting locators and waitFor); there are no fixed sleeps.
// A screenshot of each step goes to the artefacts folder. A failed step is retried once (after
// Escape, from a clean state) and the retry is logged; a second failure fails the step.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { launchBrowser } from './lib/browser.mjs';

const STEP_TIMEOUT = 30000;

/**
 * @param {{ origin: string, workspace: string, artifacts: string, log: (m: string) => void }} o
 * @returns {Promise<{ results: Array<{ name: string, ok: boolean, detail?: string }>, retried: string[] }>}
 */
export async function runUiTests({ origin, workspace, artifacts, log }) {
  const shots = join(artifacts, 'ui');
  mkdirSync(shots, { recursive: true });
  const results = [];
  const retried = [];
  let shotNo = 0;
  const browser = await launchBrowser();
  const context = await browser.newContext({ viewport: { width: 1280, height: 760 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_TIMEOUT);
  page.on('pageerror', e => log(`  page error: ${e.message.split('\n')[0]}`));
  page.on('console', m => {
    const t = m.text();
    if (/fusion-lens|Fusion Lens/i.test(t) && m.type() === 'error') log(`  console ${m.type()}: ${t.slice(0, 300)}`);
  });
  const shot = async (name, opts = {}) => {
    const file = join(shots, `${String(++shotNo).padStart(2, '0')}-${name}.png`);
    await page.screenshot({ path: file, ...opts }).catch(e => log(`  screenshot ${name} failed: ${e.message}`));
    return file;
  };
  /** A screenshot for the docs: the editor part of the workbench (no explorer), small enough for a README. */
  const docShot = async (name, { withPanel = true } = {}) => {
    const area = await page.locator(withPanel ? '.part.editor' : '.part.editor').boundingBox();
    const panel = withPanel ? await page.locator('.part.panel').boundingBox().catch(() => null) : null;
    const bottom = panel && panel.height > 0 ? panel.y + Math.min(panel.height, 170) : area.y + area.height;
    const clip = { x: area.x, y: Math.max(0, area.y - 2), width: area.width, height: bottom - area.y + 2 };
    return shot(`doc-${name}`, { clip });
  };
  const text = async locator => (await locator.innerText()).replace(/\s+/g, ' ').trim();
  const editor = () => page.locator('.editor-group-container.active .monaco-editor').first();

  async function step(name, fn, { retry = true, reset } = {}) {
    for (let attempt = 1; attempt <= 2; attempt++) {
      try {
        const detail = await fn();
        results.push({ name, ok: true, detail });
        log(`  ok - ${name}${attempt > 1 ? ' (passed on retry)' : ''}${detail ? `: ${detail}` : ''}`);
        return true;
      } catch (e) {
        const msg = (e?.message ?? String(e)).split('\n').filter(l => l.trim()).slice(0, 4).join(' | ');
        await shot(`${name.replace(/\W+/g, '-')}-failed-${attempt}`);
        if (attempt === 1 && retry) {
          retried.push(name);
          log(`  RETRY - ${name}: first attempt failed (${msg}); retrying once`);
          await page.keyboard.press('Escape').catch(() => {});
          await page.keyboard.press('Escape').catch(() => {});
          if (reset) await reset().catch(err => log(`  reset before retry failed: ${err.message}`));
          continue;
        }
        results.push({ name, ok: false, detail: msg });
        log(`  not ok - ${name}: ${msg}`);
        return false;
      }
    }
    return false;
  }

  /**
   * Opens a quick input with `key` and types `value` into it. The palette occasionally closes again
   * right after opening (a focus change from a just-finished action), so this re-opens it up to
   * three times, each time waiting for it to be visible and editable.
   */
  async function quickInput(key, value) {
    const input = page.locator('.quick-input-widget input.input').filter({ visible: true }).first();
    for (let attempt = 1; ; attempt++) {
      await page.keyboard.press(key);
      try {
        await input.fill(value, { timeout: 5000 });
        return;
      } catch (e) {
        if (attempt === 3) throw e;
        log(`  (the quick input did not take "${value}" on attempt ${attempt}; opening it again)`);
        await page.keyboard.press('Escape');
      }
    }
  }

  /** Runs a command from the command palette by its full title. */
  async function command(title) {
    await quickInput('F1', `>${title}`);
    const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: title }).first();
    await row.waitFor();
    await row.click();
  }

  async function openFile(name) {
    await quickInput('Control+P', name);
    const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: name }).first();
    await row.waitFor();
    await row.click();
    await page.locator('.tab.active', { hasText: name }).waitFor();
    await editor().locator('.view-lines').waitFor();
  }

  const launchLine = callee => editor().locator('.view-line', { hasText: `${callee}<<<` }).first();

  /** The webview's content lives in nested iframes: polls for the frame that holds the report's SVG. */
  async function reportFrame() {
    for (const end = Date.now() + STEP_TIMEOUT; Date.now() < end;) {
      for (const f of page.frames()) {
        if (!f.isDetached() && (await f.locator('svg[aria-label="launch graph"] .node').count().catch(() => 0))) return f;
      }
      await page.waitForTimeout(100); // polling interval while the webview loads
    }
    throw new Error('no webview frame with the launch graph');
  }

  async function focusEditor() {
    await page.mouse.move(5, 5); // no hover widget in the way
    await command('View: Focus Active Editor Group');
    await page.waitForFunction(() => !!document.activeElement?.closest('.editor-group-container.active .monaco-editor'));
  }

  /** Moves the cursor to the launch of `callee` (scrolling it into view) and returns its line. */
  async function reveal(callee) {
    await find(`${callee}<<<`);
    await page.keyboard.press('Home'); // drop the find selection
    const line = launchLine(callee);
    await line.waitFor();
    // keep a few lines above it in view, where its code lens sits (Ctrl+Up scrolls without moving the cursor)
    const top = (await editor().boundingBox()).y; // (.view-lines itself is as tall as the whole document)
    for (let i = 0; i < 10; i++) {
      const box = await line.boundingBox();
      if (box && box.y - top >= 4 * box.height) break;
      await page.keyboard.press('Control+ArrowUp');
    }
    return line;
  }

  /** Finds `what` in the active editor (scrolls to the first match) and closes the find widget. */
  async function find(what) {
    await focusEditor();
    await page.keyboard.press('Control+F');
    const input = editor().locator('.find-widget textarea, .find-widget input').first();
    await input.waitFor({ state: 'visible' });
    await input.fill(what);
    await page.keyboard.press('Enter');
    await page.keyboard.press('Escape');
  }

  /** Scrolls the editor so that `line` (1-based) is visible, through Go to Line. */
  async function goToLine(line) {
    await quickInput('Control+G', `:${line}`);
    await page.keyboard.press('Enter');
    await page.locator('.quick-input-widget').filter({ visible: true }).waitFor({ state: 'detached' });
  }

  try {
    await step('workbench loads with the workspace', async () => {
      await page.goto(`${origin}/?folder=${encodeURIComponent(workspace)}`);
      await page.locator('.monaco-workbench').waitFor({ timeout: 60000 });
      await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'cuda' }).first().waitFor({ timeout: 60000 });
      return 'explorer shows cuda/';
    }, { retry: false });

    await step('open image_normalize.cu: language CUDA C++, squiggle on the first launch', async () => {
      await openFile('image_normalize.cu');
      await goToLine(59);
      const status = page.locator('.statusbar-item', { hasText: /^CUDA C\+\+/ }).first();
      await status.waitFor();
      await editor().locator('.squiggly-warning').first().waitFor({ timeout: 60000 });
      return `language mode "${await text(status)}"`;
    });

    await step('status bar shows the GPU profile and the finding count', async () => {
      const item = page.locator('.statusbar-item', { hasText: 'fusable' }).first();
      await item.waitFor();
      const t = await text(item);
      if (!/H100 SXM5 80GB · 1 fusable/.test(t)) throw new Error(`status bar reads "${t}"`);
      return t;
    });

    await step('code lens above the group: "Fuse 3 launches · saves … MiB · ~…x on H100"', async () => {
      // VS Code asks for lenses while the editor has focus
      await reveal('u8_to_f32');
      const lens = editor().locator('.codelens-decoration', { hasText: 'Fuse 3 launches' }).first();
      await lens.waitFor();
      const t = await text(lens);
      if (!/^Fuse 3 launches · saves [\d.]+ MiB · ~[\d.]+x on H100 SXM5$/.test(t)) throw new Error(`lens reads "${t}"`);
      await shot('code-lens');
      return t;
    });

    await step('Problems panel lists the FL001 finding with its estimate', async () => {
      await page.keyboard.press('Control+Shift+M');
      const row = page.locator('.markers-panel .monaco-list-row', { hasText: '3 launches can be fused' }).first();
      await row.waitFor();
      const t = await text(row);
      if (!/u8_to_f32 → subtract_mean → divide_std/.test(t) || !/MiB/.test(t) || !/FL001/.test(t) || !/H100/.test(t)) throw new Error(`unexpected row: ${t}`);
      await shot('problems');
      await docShot('problems');
      return t.slice(0, 160);
    });

    await step('hover on the launch shows bytes and the estimated time', async () => {
      await page.keyboard.press('Escape');
      const line = await reveal('subtract_mean');
      await page.mouse.move(5, 5);
      const box = await line.boundingBox();
      // the callee name starts after two spaces of indent; hover inside it (two moves: Monaco hovers on mousemove)
      const charW = box.width / (await line.innerText()).length;
      await page.mouse.move(box.x + charW * 4, box.y + box.height / 2);
      await page.mouse.move(box.x + charW * 5, box.y + box.height / 2);
      const hover = page.locator('.monaco-hover', { hasText: 'estimated time' }).first();
      await hover.waitFor();
      const t = await text(hover);
      if (!/reads [\d.]+ MiB/.test(t) || !/estimated time [\d.]+ µs on H100 SXM5/.test(t) || !/Fusable/.test(t)) throw new Error(`hover reads: ${t.slice(0, 300)}`);
      await shot('hover');
      await docShot('hover');
      return t.slice(0, 140);
    }, { reset: () => page.mouse.move(5, 5) });

    await step('quick fix (Ctrl+.) fuses the three launches into one kernel', async () => {
      await page.mouse.move(5, 5);
      await page.keyboard.press('Escape');
      const line = await reveal('u8_to_f32');
      const box = await line.boundingBox();
      await page.mouse.click(box.x + 30, box.y + box.height / 2);
      const action = page.locator('.action-widget .monaco-list-row', { hasText: 'Fuse u8_to_f32 → subtract_mean → divide_std' }).first();
      // Ctrl+. asks for code actions once; right after a re-analysis the menu can come up empty
      // ("No code actions available"), so ask again (up to three times, logged)
      for (let attempt = 1; ; attempt++) {
        await page.keyboard.press('Control+.');
        try {
          await action.waitFor({ timeout: 5000 });
          break;
        } catch (e) {
          if (attempt === 3) throw e;
          log(`  (no quick fix menu after Ctrl+. on attempt ${attempt}; pressing it again)`);
          await page.keyboard.press('Escape');
        }
      }
      await shot('quick-fix-menu');
      await docShot('quick-fix-menu', { withPanel: false });
      await action.click();
      // the fused kernel is written above the host function; the view stays where it was
      await editor().locator('.view-line', { hasText: '__global__ void u8_to_f32_subtract_mean_divide_std_fused(' }).first().waitFor();
      await page.locator('.tab.active.dirty').waitFor();
      await shot('fused-kernel');
      await docShot('fused-kernel', { withPanel: false });
      // the three launches became one: find it (Ctrl+F scrolls to it)
      await find('u8_to_f32_subtract_mean_divide_std_fused<<<');
      const fused = launchLine('u8_to_f32_subtract_mean_divide_std_fused');
      await fused.waitFor();
      const t = await text(fused);
      if (!/u8_to_f32_subtract_mean_divide_std_fused<<<grid, block>>>\(d_frame, d_normalized, n\);/.test(t)) throw new Error(`launch line reads "${t}"`);
      if (await launchLine('subtract_mean').count()) throw new Error('subtract_mean<<< is still launched');
      // the finding goes away: Problems panel and status bar
      await page.locator('.markers-panel .monaco-list-row', { hasText: '3 launches can be fused' }).first().waitFor({ state: 'detached' });
      await page.locator('.statusbar-item', { hasText: '0 fusable' }).first().waitFor();
      await shot('after-fix');
      return t;
    }, { reset: async () => {
      // undo a fix applied by the failed attempt
      if (await page.locator('.tab.active.dirty').count()) {
        await focusEditor();
        await page.keyboard.press('Control+Z');
        await page.locator('.tab.active.dirty').waitFor({ state: 'detached' });
      }
    } });

    await step('undo restores the launches and the finding', async () => {
      await focusEditor();
      await page.keyboard.press('Control+Z');
      await page.locator('.tab.active.dirty').waitFor({ state: 'detached' });
      await reveal('u8_to_f32');
      await page.locator('.statusbar-item', { hasText: '1 fusable' }).first().waitFor();
      await editor().locator('.squiggly-warning').first().waitFor();
      return 'u8_to_f32<<< is back';
    });

    await step('clicking the status bar item picks another GPU profile; estimates follow', async () => {
      await page.locator('.statusbar-item', { hasText: 'fusable' }).first().click();
      const input = page.locator('.quick-input-widget input.input').filter({ visible: true }).first();
      await input.waitFor();
      const current = page.locator('.quick-input-widget .monaco-list-row', { hasText: 'current' }).first();
      await current.waitFor();
      const currentText = await text(current);
      if (!/H100/.test(currentText)) throw new Error(`the current profile reads "${currentText}"`);
      const rows = await page.locator('.quick-input-widget .monaco-list-row').count();
      if (rows < 6) throw new Error(`${rows} GPU profiles offered`);
      await shot('gpu-picker');
      await input.fill('A100');
      const a100 = page.locator('.quick-input-widget .monaco-list-row', { hasText: 'A100' }).first();
      await a100.waitFor();
      await a100.click();
      await page.mouse.move(600, 300);
      const item = page.locator('.statusbar-item', { hasText: 'A100' }).first();
      await item.waitFor();
      await page.locator('.markers-panel .monaco-list-row', { hasText: 'on A100' }).first().waitFor();
      // the code lens follows the new profile too (scroll so that the lens above the launch is in view)
      await reveal('u8_to_f32');
      await editor().locator('.codelens-decoration', { hasText: /Fuse 3 launches · .* on A100/ }).first().waitFor();
      return `${rows} profiles offered; status bar now "${await text(item)}"`;
    });

    await step('"Fusion Lens: Show report" draws the launch graph and the findings table', async () => {
      await command('Fusion Lens: Show report');
      await page.locator('.tab', { hasText: 'Fusion report' }).first().waitFor();
      let frame = await reportFrame();
      const nodes = await frame.locator('svg .node').allInnerTexts().catch(() => []);
      const titles = await frame.locator('svg .node .title').allTextContents();
      const edgeLabels = await frame.locator('svg .elabel').allTextContents();
      const groups = await frame.locator('svg .grpbox').count();
      const rows = await frame.locator('table tr').count();
      if (titles.length !== 3 || !titles[0].startsWith('u8_to_f32')) throw new Error(`nodes: ${JSON.stringify(titles)}`);
      if (groups !== 1) throw new Error(`${groups} group boxes`);
      if (!edgeLabels.length || !edgeLabels.every(l => /MiB/.test(l))) throw new Error(`edge labels: ${JSON.stringify(edgeLabels)}`);
      if (rows !== 2) throw new Error(`findings table has ${rows - 1} rows`);
      const gpuLine = await frame.locator('.summary').textContent();
      if (!/A100/.test(gpuLine ?? '')) throw new Error(`summary: ${gpuLine}`);
      // maximize the report's group for the screenshot (the report opens beside, without focus)
      await page.locator('.tab', { hasText: 'Fusion report' }).first().click();
      await command('View: Toggle Maximize Editor Group');
      await command('View: Hide Panel');
      frame = await reportFrame(); // the webview may be re-created when its group is resized
      await frame.locator('svg .node').first().waitFor();
      await shot('report');
      await docShot('report', { withPanel: false });
      await command('View: Toggle Maximize Editor Group');
      return `${titles.length} launches, ${edgeLabels.length} edges (${edgeLabels.join('; ')}), ${groups} group, ${nodes.length} nodes`;
    });

    await step('"Fusion Lens: Show server log" shows the language server\'s output', async () => {
      await command('Fusion Lens: Show server log');
      const out = page.locator('.panel .monaco-editor .view-lines', { hasText: 'indexed' }).first();
      await out.waitFor();
      const t = await text(out);
      if (!/\[fusion-lens\] indexed \d+ files/.test(t)) throw new Error(`output reads: ${t.slice(0, 200)}`);
      await shot('output');
      return t.match(/\[fusion-lens\] indexed \d+ files[^[]*/)?.[0].trim();
    });
  } catch (e) {
    results.push({ name: 'UI test ran to the end', ok: false, detail: e.message });
    log(`  not ok - UI test aborted: ${e.message}`);
    await shot('aborted');
  } finally {
    await browser.close();
  }
  return { results, retried };
}
