import { accessSync, constants } from 'node:fs';

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
