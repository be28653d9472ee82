import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderAttackHtml } from '../../src/report/attack/html.js';
import { sampleExamples, sampleReport } from '../report-attack-support.js';
import { tempDir } from '../support/temp.js';
import { launchChromium, openPage, SKIP_BROWSER } from './chromium.js';

/**
 * The attack HTML report in a real headless Chromium: the chart is an SVG with one polyline per series
 * that the browser lays out, the example images decode, nothing is fetched, nothing logs an error, and
 * the markup planted in the model path, class names and warnings does not run.
 * Fails (does not skip) without Chromium unless MODELGUARD_SKIP_BROWSER=1.
 */
const tmp = tempDir('modelguard-attack-html-');

describe.skipIf(SKIP_BROWSER)('HTML attack report in headless Chromium', () => {
  let browser: Browser | undefined;
  let url = '';

  beforeAll(async () => {
    const file = join(tmp.dir, 'attack.html');
    writeFileSync(file, renderAttackHtml(sampleReport(), sampleExamples(3)));
    url = pathToFileURL(file).href;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('shows the curve, the table and the images; no requests, no console errors, nothing injected ran', async () => {
    const { page, requests, problems, close } = await openPage(browser, url);

    // Strings, not functions: the test compiles without the DOM library.
    const chart = (await page.evaluate(`(() => {
      const svg = document.querySelector('#curve svg.chart');
      const box = svg.getBoundingClientRect();
      const lines = [...document.querySelectorAll('#curve svg polyline')].map((p) => ({
        cls: p.getAttribute('class'),
        points: p.points.numberOfItems,
        length: p.getTotalLength(),
        stroke: getComputedStyle(p).stroke,
      }));
      return { width: box.width, height: box.height, lines };
    })()`)) as {
      width: number;
      height: number;
      lines: { cls: string; points: number; length: number; stroke: string }[];
    };
    expect(chart.width).toBeGreaterThan(300);
    expect(chart.height).toBeGreaterThan(100);
    expect(chart.lines.map((l) => l.cls)).toEqual(['line clean', 'line worst', 'line c0', 'line c1']);
    expect(chart.lines.map((l) => l.points)).toEqual([2, 4, 4, 4]);
    for (const l of chart.lines) expect(l.length).toBeGreaterThan(10);
    // The stylesheet applied (allowed by its CSP hash): the worst-case line is not the default black.
    expect(chart.lines[1]?.stroke).not.toBe('none');
    expect(chart.lines[1]?.stroke).not.toBe('rgb(0, 0, 0)');

    const images = (await page.evaluate(`[...document.querySelectorAll('#examples img')].map((img) => ({
      complete: img.complete, w: img.naturalWidth, h: img.naturalHeight, shown: img.width,
    }))`)) as { complete: boolean; w: number; h: number; shown: number }[];
    expect(images).toHaveLength(9);
    for (const img of images) {
      expect(img.complete).toBe(true);
      expect([img.w, img.h]).toEqual([96, 96]);
      expect(img.shown).toBeGreaterThan(0);
    }
    expect(await page.locator('#attacks tbody tr').count()).toBe(6);
    expect(await page.locator('#warnings li').textContent()).toContain('<script>window.__pwned=2</script>');
    expect(await page.evaluate('window.__pwned')).toBeUndefined();
    expect(requests).toEqual([]);
    expect(problems).toEqual([]);
    await close();
  });
});
