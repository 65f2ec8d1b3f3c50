import { chromium, type Browser } from 'playwright-core';

/**
 * Debian's Chromium, headless, as the browser tests and the reader benches run it (never a downloaded browser).
 * Kept free of vitest so the benches can use it outside the test runner.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
