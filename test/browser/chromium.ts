import { accessSync, constants } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';

/** Where Debian's chromium puts the real binary, then its launcher script and other common names. */
const CANDIDATES = ['/usr/lib/chromium/chromium', '/usr/bin/chromium', '/usr/bin/chromium-browser'];

function executable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The Chromium binary to drive: MODELGUARD_CHROMIUM, else the first installed candidate, else null. */
export function findChromium(): string | null {
  const named = process.env['MODELGUARD_CHROMIUM'];
  if (named) return executable(named) ? named : null;
  return CANDIDATES.find(executable) ?? null;
}

export const SKIP_BROWSER = process.env['MODELGUARD_SKIP_BROWSER'] === '1';

export const NO_CHROMIUM_MESSAGE =
  "No Chromium for the browser test: run scripts/ensure-chromium.sh (installs Debian's chromium as root), " +
  'or set MODELGUARD_CHROMIUM=/path/to/chrome, or MODELGUARD_SKIP_BROWSER=1 to skip this test.';

/** Flags for a headless browser in containers and CI (no sandbox as root, no GPU, small /dev/shm). */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--no-first-run',
  '--no-default-browser-check',
  '--disable-extensions',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--metrics-recording-only',
];

/** Headless Chromium for a browser test, or undefined when none is installed (the tests then fail clearly). */
export async function launchChromium(): Promise<Browser | undefined> {
  const executablePath = findChromium();
  if (executablePath === null) return undefined;
  return chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
}

export interface OpenedPage {
  page: Page;
  /** Every URL the page requested besides itself (data: URLs too unless `ignoreDataUrls`). */
  requests: string[];
  /** Console errors and warnings (CSP violations among them) and uncaught page errors. */
  problems: string[];
  close(): Promise<void>;
}

/** Opens `url` in a fresh context, recording requests and problems from the first byte. */
export async function openPage(
  browser: Browser | undefined,
  url: string,
  opts: { javaScriptEnabled?: boolean; colorScheme?: 'light' | 'dark'; ignoreDataUrls?: boolean } = {},
): Promise<OpenedPage> {
  if (browser === undefined) throw new Error(NO_CHROMIUM_MESSAGE);
  const context = await browser.newContext({
    javaScriptEnabled: opts.javaScriptEnabled ?? true,
    colorScheme: opts.colorScheme ?? 'light',
  });
  const page = await context.newPage();
  const requests: string[] = [];
  const problems: string[] = [];
  const ignoreData = opts.ignoreDataUrls ?? true;
  page.on('request', (r) => {
    if (r.url() !== url && !(ignoreData && r.url().startsWith('data:'))) requests.push(r.url());
  });
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  await page.goto(url, { waitUntil: 'load' });
  return { page, requests, problems, close: () => context.close() };
}
