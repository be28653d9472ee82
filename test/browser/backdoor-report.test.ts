import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderBackdoorHtml } from '../../src/report/backdoor/html.js';
import type { BackdoorReport, BackdoorTriggerImages } from '../../src/report/backdoor/types.js';
import { tempDir } from '../support/temp.js';
import { launchChromium, openPage, SKIP_BROWSER } from './chromium.js';

/**
 * The backdoor HTML report in a real headless Chromium: the bar chart lays out one bar per class with the
 * flagged one marked, the reversed-trigger images decode, nothing is fetched, nothing logs an error (a CSP
 * violation would), and markup planted in the model path and a warning does not run.
 * Fails (does not skip) without Chromium unless MODELGUARD_SKIP_BROWSER=1.
 */
const tmp = tempDir('modelguard-backdoor-html-');

function sampleReport(): { report: BackdoorReport; images: BackdoorTriggerImages } {
  const norms = [3.9, 14, 10.2, 9.3, 9.8, 8.8, 13.9, 10.5, 11, 9.2];
  const report: BackdoorReport = {
    tool: { name: 'modelguard', version: '0.0.0-test' },
    model: {
      path: 'models/<img src=x onerror="window.__pwned=1">.onnx',
      sha256: 'a'.repeat(64),
      format: 'onnx',
      classes: 10,
      inputShape: [1, 8, 8],
    },
    data: { path: 'clean.npz', format: 'npz', samples: 200 },
    settings: { steps: 200, batch: 32, samples: 200, seed: 0, checkAsr: true },
    geometry: { height: 8, width: 8, channels: 1, layout: 'NCHW' },
    classes: norms.map((l, i) => ({
      class: i,
      maskL1: l,
      anomalyIndex: i === 0 ? 4.36 : 0.5,
      flagged: i === 0,
      success: 0.99,
      reached: i !== 9,
      steps: 100,
      earlyStopped: true,
      ...(i === 0 ? { asr: 0.98 } : {}),
    })),
    flagged: [0],
    median: 9.97,
    mad: 1.41,
    threshold: 2,
    warnings: ['<script>window.__pwned=2</script>'],
    seconds: 7.5,
  };
  const images: BackdoorTriggerImages = {
    sampleShape: [1, 8, 8],
    layout: 'NCHW',
    clipMin: 0,
    clipMax: 1,
    triggers: norms.map((_, c) => ({
      class: c,
      mask: Float32Array.from({ length: 64 }, (_, i) => ((i + c) % 7) / 6),
      pattern: Float32Array.from({ length: 64 }, (_, i) => ((i * 3 + c) % 11) / 10),
    })),
  };
  return { report, images };
}

describe.skipIf(SKIP_BROWSER)('HTML backdoor report in headless Chromium', () => {
  let browser: Browser | undefined;
  let url = '';

  beforeAll(async () => {
    const { report, images } = sampleReport();
    const file = join(tmp.dir, 'backdoor.html');
    writeFileSync(file, renderBackdoorHtml(report, images));
    url = pathToFileURL(file).href;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('shows the chart, the table and the trigger images; no requests, no console errors, nothing injected ran', async () => {
    const { page, requests, problems, close } = await openPage(browser, url);

    // Strings, not functions: the test compiles without the DOM library.
    const chart = (await page.evaluate(`(() => {
      const svg = document.querySelector('#norms svg.chart');
      const box = svg.getBoundingClientRect();
      const bars = [...svg.querySelectorAll('rect.bar')].map((r) => ({
        flagged: r.classList.contains('flagged'),
        height: r.getBoundingClientRect().height,
        fill: getComputedStyle(r).fill,
      }));
      return { width: box.width, height: box.height, bars };
    })()`)) as { width: number; height: number; bars: { flagged: boolean; height: number; fill: string }[] };
    expect(chart.width).toBeGreaterThan(300);
    expect(chart.height).toBeGreaterThan(100);
    expect(chart.bars).toHaveLength(10);
    expect(chart.bars.map((b) => b.flagged)).toEqual([true, ...Array(9).fill(false)]);
    // Bar heights follow the norms: class 1 (14) is the tallest, class 0 (3.9) the shortest.
    const heights = chart.bars.map((b) => b.height);
    expect(heights.indexOf(Math.max(...heights))).toBe(1);
    expect(heights.indexOf(Math.min(...heights))).toBe(0);
    // The stylesheet applied (allowed by its CSP hash): the flagged bar is coloured unlike the others.
    expect(chart.bars[0]?.fill).not.toBe(chart.bars[1]?.fill);
    expect(chart.bars[1]?.fill).not.toBe('rgb(0, 0, 0)');

    const images = (await page.evaluate(`[...document.querySelectorAll('#triggers img')].map((img) => ({
      complete: img.complete, w: img.naturalWidth, h: img.naturalHeight, shown: img.width, alt: img.alt,
    }))`)) as { complete: boolean; w: number; h: number; shown: number; alt: string }[];
    expect(images).toHaveLength(30);
    for (const img of images) {
      expect(img.complete).toBe(true);
      expect([img.w, img.h]).toEqual([96, 96]);
      expect(img.shown).toBeGreaterThan(0);
    }
    // Flagged class first.
    expect(images[0]?.alt).toBe('mask of class 0');
    expect(await page.locator('#classes tbody tr').count()).toBe(10);
    expect(await page.locator('#classes tbody tr.flagged').count()).toBe(1);
    expect(await page.locator('#verdict').textContent()).toContain('class 0');
    expect(await page.locator('#warnings li').textContent()).toContain('<script>window.__pwned=2</script>');
    expect(await page.evaluate('window.__pwned')).toBeUndefined();
    expect(requests).toEqual([]);
    expect(problems).toEqual([]);
    await close();
  });
});
