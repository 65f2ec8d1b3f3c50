import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from './chromium';
import { afterAll, beforeAll, expect } from 'vitest';
import { repoRoot, startLocalGateway, type LocalGateway } from '../../functions/local/gateway';
import { generousTimeouts } from '../helpers/timeouts';

/**
 * Browser-test harness: a gateway of its own per test file (fresh DATA_DIR, sample library seeded, the web app
 * built once per run by test/e2e/build-web.ts), Debian's Chromium driven by playwright-core, and helpers that
 * record what a user would notice (console errors, CSP violations) and check accessibility with axe-core.
 */

export const artifactsDir = join(repoRoot, 'test-artifacts');

export interface E2eGateway extends LocalGateway {
  dataDir: string;
}

export async function startGateway(
  env: Record<string, string> = {},
  options: { fixturesDir?: string } = {},
): Promise<E2eGateway> {
  const dataDir = mkdtempSync(join(tmpdir(), 'pustaka-e2e-'));
  const gateway = await startLocalGateway({
    env: { DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'SILENT', ...generousTimeouts, ...env },
    buildWeb: false,
    ...options,
  });
  return {
    ...gateway,
    dataDir,
    async stop() {
      await gateway.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * What a browser-test file shares: a gateway of its own and one Chromium, started before its tests and stopped
 * after them. Read them as `suite.gateway` / `suite.browser` inside tests.
 */
export function useGatewayAndBrowser(options: { env?: Record<string, string>; fixturesDir?: string } = {}): {
  readonly gateway: E2eGateway;
  readonly browser: Browser;
} {
  const suite = {} as { gateway: E2eGateway; browser: Browser };
  beforeAll(async () => {
    [suite.gateway, suite.browser] = await Promise.all([
      startGateway(options.env, options.fixturesDir ? { fixturesDir: options.fixturesDir } : {}),
      launchChromium(),
    ]);
  });
  afterAll(async () => {
    await suite.browser?.close();
    await suite.gateway?.stop();
  });
  return suite;
}

export { launchChromium };

export interface WatchedPage {
  page: Page;
  /** Console errors, page errors and CSP violations seen so far. */
  problems: string[];
}

/** A page that records errors and CSP violations (the app must run under its strict CSP without any). */
export async function openPage(
  context: BrowserContext,
  options: { ignore?: RegExp[] } = {},
): Promise<WatchedPage> {
  const page = await context.newPage();
  const problems: string[] = [];
  const ignored = (text: string) => (options.ignore ?? []).some((pattern) => pattern.test(text));
  page.on('console', (message) => {
    if (message.type() === 'error' && !ignored(message.text())) problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => {
    if (!ignored(error.message)) problems.push(`page error: ${error.message}`);
  });
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      console.error(`CSP violation: ${event.violatedDirective} ${event.blockedURI}`);
    });
  });
  return { page, problems };
}

export async function newContext(
  browser: Browser,
  options: { width?: number; height?: number; language?: 'id' | 'en'; keepOpenedBooks?: boolean } = {},
): Promise<BrowserContext> {
  const context = await browser.newContext({
    viewport: { width: options.width ?? 1100, height: options.height ?? 800 },
    locale: 'en-GB',
  });
  const language = options.language ?? 'en';
  // The app starts in Bahasa Indonesia; most tests read English labels, the language test switches itself.
  await context.addInitScript((lang: string) => {
    if (!localStorage.getItem('pustaka.language')) localStorage.setItem('pustaka.language', lang);
  }, language);
  // Books opened online are kept for offline reading by default (a whole-file download after the first page);
  // tests that count a book's range requests would see it, so only the tests of offline reading turn it on.
  if (!options.keepOpenedBooks) {
    await context.addInitScript(() => {
      if (!localStorage.getItem('pustaka.offline.keepOpened'))
        localStorage.setItem('pustaka.offline.keepOpened', 'off');
    });
  }
  return context;
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** Runs axe-core (WCAG 2.1 A/AA) on the page as it is; returns the violations, described. */
export async function accessibilityViolations(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol, which the page's CSP does not govern (an inline tag would be blocked).
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: { run: (ctx: unknown, opts: unknown) => Promise<{ violations: unknown[] }> };
      }
    ).axe;
    const result = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return result.violations;
  });
  return (violations as AxeViolation[]).map(
    (v) => `${v.id} (${v.impact}): ${v.help} @ ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
  );
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(artifactsDir, { recursive: true });
  const path = join(artifactsDir, `${name}.png`);
  await page.screenshot({ path });
  return path;
}

/** Signs in through the form, like a patron. */
export async function signIn(page: Page, baseUrl: string, cardNumber: string, pin: string): Promise<void> {
  await page.goto(`${baseUrl}/#/signin`);
  await page.getByLabel(/Library card number|Nomor kartu/).fill(cardNumber);
  await page.getByLabel('PIN', { exact: true }).fill(pin);
  await page
    .getByRole('button', { name: /^(Sign in|Masuk)$/ })
    .last()
    .click();
  await expect.poll(() => page.locator('#signout').count()).toBe(1);
}
