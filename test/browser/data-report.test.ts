import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import {
  afterAll,
  afterEach,
  beforeAll,
  beforeEach,
  describe,
  expect,
  it,
  type MockInstance,
  vi,
} from 'vitest';
import { run } from '../../src/cli/main.js';
import { poisonMeta } from '../defenses/poison-support.js';
import { tempDir } from '../support/temp.js';
import { launchChromium, openPage, SKIP_BROWSER } from './chromium.js';

/**
 * `modelguard data -f html` run in-process (run(argv)) and the page opened in a real headless Chromium:
 * the BadNets digits with their trojaned CNN draw the top suspects as images that decode, as many as the
 * page says it shows; a CSV table draws none; nothing is fetched, nothing logs an error (a CSP violation
 * would); markup planted in class names, a column name, a text field and the dataset's file name is
 * shown as text and never runs. Fails (does not skip) without Chromium unless MODELGUARD_SKIP_BROWSER=1.
 */
const tmp = tempDir('modelguard-data-html-');
const FIX = new URL('../fixtures/', import.meta.url).pathname;
const BADNETS = poisonMeta().sets.badnets;
const NPZ = join(FIX, 'poison', BADNETS.train);
const MODEL = join(FIX, 'poison', BADNETS.model);
const CSV = join(FIX, 'data/breast_cancer_flipped.csv');

let stderr: MockInstance;
beforeEach(() => {
  stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
});
afterEach(() => stderr.mockRestore());

let counter = 0;
/** Runs `modelguard data ... -f html` and returns the page's file URL. */
async function htmlReport(...args: string[]): Promise<string> {
  const file = join(tmp.dir, `report-${counter++}.html`);
  const code = await run(['node', 'modelguard', 'data', ...args, '--format', 'html', '--output', file]);
  expect(code, stderr.mock.calls.map((c) => String(c[0])).join('')).toBe(0);
  return pathToFileURL(file).href;
}

/** Headline cards as { label: number text }. */
async function cards(page: Page): Promise<Record<string, string>> {
  return (await page.evaluate(`Object.fromEntries([...document.querySelectorAll('.cards .card')].map((c) =>
    [c.querySelector('.l').textContent, c.querySelector('.n').textContent]))`)) as Record<string, string>;
}

describe.skipIf(SKIP_BROWSER)('modelguard data HTML report in headless Chromium', () => {
  let browser: Browser | undefined;

  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('BadNets digits with their model: the top suspects drawn as decodable images, as many as the page says', async () => {
    const url = await htmlReport(NPZ, '--model', MODEL);
    const { page, requests, problems, close } = await openPage(browser, url);
    const headline = await cards(page);
    expect(headline['samples']).toBe('1347');
    const suspects = Number(headline['suspects']);
    expect(suspects).toBeGreaterThan(48);
    const meta = await page.locator('#images .meta').textContent();
    const said = Number(/The (\d+) highest-scoring suspects/.exec(meta ?? '')?.[1]);
    expect(said).toBe(48);
    const images = (await page.evaluate(`[...document.querySelectorAll('#images img')].map((img) => ({
      complete: img.complete, w: img.naturalWidth, h: img.naturalHeight, shown: img.width, alt: img.alt,
    }))`)) as { complete: boolean; w: number; h: number; shown: number; alt: string }[];
    expect(images).toHaveLength(said);
    for (const img of images) {
      expect(img.complete).toBe(true);
      expect(img.w).toBeGreaterThan(0);
      expect(img.h).toBeGreaterThan(0);
      expect(img.shown).toBeGreaterThan(0);
    }
    // The images are the suspects table's first rows, in the same order (highest score first).
    const firstRows = await page.locator('#suspects tbody tr td:first-child').allTextContents();
    expect(images.map((i) => i.alt)).toEqual(firstRows.slice(0, said).map((s) => `sample ${s}`));
    // Every drawn sample is a poisoned one on this fixture (the spectral detector's top scores).
    const poison = new Set(BADNETS.poisonIndices);
    const drawn = images.map((i) => Number(i.alt.replace('sample ', '')));
    expect(drawn.filter((i) => poison.has(i)).length).toBeGreaterThanOrEqual(Math.floor(0.9 * said));
    // The stylesheet applied (allowed by its CSP hash): the samples are not smoothed (`auto` without it).
    expect(
      await page.evaluate(`getComputedStyle(document.querySelector('#images img')).imageRendering`),
    ).not.toBe('auto');
    expect(await page.locator('#classes tbody tr').count()).toBe(10);
    expect(await page.locator('#checks tbody tr').count()).toBe(5);
    expect(requests).toEqual([]);
    expect(problems).toEqual([]);
    await close();
  });

  it('a CSV table: no images, the tables render', async () => {
    const url = await htmlReport(CSV);
    const { page, requests, problems, close } = await openPage(browser, url);
    const headline = await cards(page);
    expect(headline['samples']).toBe('569');
    expect(Number(headline['suspects'])).toBeGreaterThan(0);
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.locator('#images').count()).toBe(0);
    expect(await page.locator('#classes tbody tr').count()).toBe(2);
    expect(await page.locator('#suspects tbody tr').count()).toBe(
      Math.min(200, Number(headline['suspects'])),
    );
    expect(requests).toEqual([]);
    expect(problems).toEqual([]);
    await close();
  });

  it('markup in class names, a column name, a text field and the file name is text and never runs', async () => {
    const bad = '<img src=x onerror=window.__pwned=1>';
    const script = '<script>window.__pwned=2</script>';
    // CSV: a feature column named with markup, class names with markup, one row filed under both classes.
    const rows = ['a,<b onmouseover=window.__pwned=3>col</b>,label'];
    for (let i = 0; i < 12; i++) rows.push(`${i},${(i * 7) % 5},${i % 2 ? bad : script}`);
    rows.push(`3,1,${script}`);
    const csv = tmp.write('<img src=x onerror=window.__pwned=4>.csv', `${rows.join('\n')}\n`);
    // JSONL: the same class names, and a text field with markup copied under the other class.
    const notes = [
      'The oven at the back runs hot, so turn the bread halfway through baking.',
      'Our build server ran out of disk space twice during the nightly job.',
      'Bond yields rose after the central bank surprised the market on Tuesday.',
      'The keeper saved a penalty in the last minute of the away match.',
      'Reduce the sauce until it coats the back of a spoon, then add butter.',
      'A stale cache entry made the login page show yesterday’s balance.',
      'The pension fund moved a fifth of its savings into short-term loans.',
      'Rain stopped play for an hour and the pitch never quite recovered.',
      'Sift the flour twice if you want a lighter sponge for the birthday cake.',
      'The kernel patch fixes a race in the scheduler that crashed the host.',
      'Analysts expect the share price to recover once the audit is published.',
    ];
    // Only the first text carries markup (a shared prefix would make every text a near duplicate).
    const texts = [`${bad} ${script} soup of the day is tomato`, ...notes];
    const lines = texts.map((body, i) => JSON.stringify({ body, topic: i % 2 ? bad : script }));
    lines.push(JSON.stringify({ body: texts[0], topic: bad }));
    const jsonl = tmp.write('notes.jsonl', `${lines.join('\n')}\n`);

    for (const [file, text] of [
      [csv, []],
      [jsonl, ['--text', 'body', '--label', 'topic']],
    ] as const) {
      const url = await htmlReport(file, '--checks', 'duplicates,balance', ...text);
      const { page, requests, problems, close } = await openPage(browser, url);
      // The conflicting duplicate made suspects, so the class names are in both tables.
      expect(Number((await cards(page))['suspects'])).toBe(2);
      const classes = await page.locator('#classes tbody td:first-child').allTextContents();
      expect(classes).toEqual([`0 (${bad})`, `1 (${script})`]);
      const labels = await page.locator('#suspects tbody td:nth-child(2)').allTextContents();
      expect(labels.sort()).toEqual([`0 (${bad})`, `1 (${script})`]);
      if (file === csv) expect(await page.locator('.facts').textContent()).toContain(file);
      // Text datasets show each suspect's text: the markup as literal text.
      if (file === jsonl)
        expect(await page.locator('#suspects tbody td.text').allTextContents()).toEqual([texts[0], texts[0]]);
      // Nothing planted became an element: no image, no script, no bold.
      expect(await page.locator('img').count()).toBe(0);
      expect(await page.locator('script').count()).toBe(0);
      expect(await page.locator('b').count()).toBe(0);
      expect(await page.evaluate('window.__pwned')).toBeUndefined();
      expect(requests).toEqual([]);
      expect(problems).toEqual([]);
      await close();
    }
    // The report files hold the markup only escaped.
    const html = readFileSync(new URL(await htmlReport(jsonl, '--text', 'body', '--label', 'topic')), 'utf8');
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('<script>window');
  });
});
