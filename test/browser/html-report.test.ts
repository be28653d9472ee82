import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pickleCall } from '../../src/formats/pickle/assembler.js';
import { auditModel } from '../../src/provenance/audit.js';
import { renderHtml } from '../../src/report/html.js';
import { tempDir } from '../support/temp.js';
import { launchChromium, type OpenedPage, openPage, SKIP_BROWSER } from './chromium.js';

/**
 * The audit HTML report opened in a real headless Chromium (Debian's `chromium`, driven by
 * playwright-core): it reads the verdict, counts the finding rows, and checks that nothing was
 * fetched, nothing logged an error and the attacker's markup in file names and evidence did not run.
 * Fails (does not skip) without Chromium unless MODELGUARD_SKIP_BROWSER=1.
 */
const tmp = tempDir();
const IMG_NAME = '"><img src=x onerror=window.__pwned=1>.pkl';
tmp.write(
  `evil/${IMG_NAME}`,
  pickleCall('posix', 'system', '"><img src=x onerror=window.__pwned=2><script>window.__pwned=3</script>'),
);
tmp.write('evil/tokenizer.pkl', pickleCall('<script>window.__pwned=4</script>', 'Block'));
tmp.write('clean/weights.pkl', new Uint8Array([0x80, 0x04, 0x4b, 0x07, 0x2e])); // PROTO 4, BININT1 7, STOP
tmp.write('clean/README.md', '# a small model\n');

describe.skipIf(SKIP_BROWSER)('HTML audit report in headless Chromium', () => {
  let browser: Browser | undefined;
  const pages: Record<'evil' | 'clean', { url: string; findings: number }> = {
    evil: { url: '', findings: 0 },
    clean: { url: '', findings: 0 },
  };

  beforeAll(async () => {
    for (const name of ['evil', 'clean'] as const) {
      const report = await auditModel(join(tmp.dir, name));
      const file = join(tmp.dir, `${name}.html`);
      writeFileSync(file, renderHtml(report));
      pages[name] = {
        url: pathToFileURL(file).href,
        findings: report.scan.findings.length + report.provenanceFindings.length,
      };
    }
    // Without a browser every test below fails with NO_CHROMIUM_MESSAGE (from open()).
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  function open(
    name: 'evil' | 'clean',
    opts: { javaScriptEnabled?: boolean; colorScheme?: 'light' | 'dark' } = {},
  ): Promise<OpenedPage> {
    return openPage(browser, pages[name].url, { ...opts, ignoreDataUrls: false });
  }

  it('reads FAIL for the malicious model, with one row per finding', async () => {
    const { page, requests, problems } = await open('evil');
    expect((await page.locator('#verdict .verdict').textContent())?.trim()).toBe('FAIL');
    expect(await page.locator('#verdict .reasons li').first().textContent()).toMatch(
      /^scan: \d+ findings? at or above high/,
    );
    expect(pages.evil.findings).toBeGreaterThan(2);
    expect(await page.locator('li.finding').count()).toBe(pages.evil.findings);
    expect(await page.locator('li.finding[data-rule="pickle/dangerous-global"]').count()).toBe(1);
    expect(requests).toEqual([]);
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('shows the attacker-chosen markup as text and never runs it', async () => {
    const { page, problems } = await open('evil');
    expect(await page.evaluate('window.__pwned')).toBeUndefined();
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.locator('script').count()).toBe(1);
    // The hostile file name is displayed exactly as it is on disk.
    expect(await page.locator('#files code', { hasText: IMG_NAME }).count()).toBe(1);
    const evidence = page.locator('pre.evidence', { hasText: '<script>window.__pwned=3</script>' });
    expect(await evidence.count()).toBeGreaterThan(0);
    expect(await page.locator('p.message', { hasText: '<script>window.__pwned=4</script>' }).count()).toBe(1);
    // A refused inline script (CSP) would have logged an error: escaping, not the CSP, stopped it.
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('its own style and filter script run under the CSP (hashes match)', async () => {
    const { page, problems } = await open('evil');
    expect(await page.evaluate('getComputedStyle(document.documentElement).backgroundColor')).toBe(
      'rgb(255, 255, 255)',
    );
    const bar = page.locator('#filters');
    expect(await bar.isVisible()).toBe(true);
    const critical = page.locator('li.finding[data-severity="critical"]');
    expect(await critical.first().isVisible()).toBe(true);
    await bar.locator('input[value="critical"]').uncheck();
    expect(await critical.first().isVisible()).toBe(false);
    await bar.locator('input[value="critical"]').check();
    await bar.locator('input[type="search"]').fill('tokenizer.pkl');
    const visible = await page.locator('li.finding:visible').count();
    expect(visible).toBeGreaterThan(0);
    expect(visible).toBeLessThan(pages.evil.findings);
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('reads the same without JavaScript, follows the dark scheme and hides the toolbar in print', async () => {
    const noJs = await open('evil', { javaScriptEnabled: false });
    expect((await noJs.page.locator('#verdict .verdict').textContent())?.trim()).toBe('FAIL');
    expect(await noJs.page.locator('li.finding').count()).toBe(pages.evil.findings);
    expect(await noJs.page.locator('#filters').isVisible()).toBe(false);
    await noJs.page.context().close();

    const dark = await open('evil', { colorScheme: 'dark' });
    expect(await dark.page.evaluate('getComputedStyle(document.documentElement).backgroundColor')).toBe(
      'rgb(13, 17, 23)',
    );
    await dark.page.emulateMedia({ media: 'print' });
    expect(await dark.page.locator('#filters').isVisible()).toBe(false);
    expect(await dark.page.evaluate('getComputedStyle(document.documentElement).backgroundColor')).toBe(
      'rgb(255, 255, 255)',
    );
    expect(dark.problems).toEqual([]);
    await dark.page.context().close();
  });

  it('reads PASS for the clean model, with no finding rows', async () => {
    const { page, requests, problems } = await open('clean');
    expect((await page.locator('#verdict .verdict').textContent())?.trim()).toBe('PASS');
    expect(await page.locator('li.finding').count()).toBe(0);
    expect(await page.locator('#findings .empty').textContent()).toBe('No findings.');
    expect(await page.locator('#signature [data-status]').getAttribute('data-status')).toBe('absent');
    expect(await page.locator('#bom dl.facts').textContent()).toContain('Files');
    expect(requests).toEqual([]);
    expect(problems).toEqual([]);
    await page.context().close();
  });
});
