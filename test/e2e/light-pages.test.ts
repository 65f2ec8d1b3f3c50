import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Response as BrowserResponse } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { newContext, openPage, useGatewayAndBrowser } from './browser';

/**
 * Light pages and the installable app: covers in display sizes, text compressed, hashed files kept a year, the
 * app installable and its shell served by the service worker without the network.
 */
const suite = useGatewayAndBrowser();

/** The object key a signed content link points at (path-style: /<bucket>/<key>). */
const keyOf = (url: string) => decodeURIComponent(new URL(url).pathname).split('/').slice(2).join('/');

describe('covers in display sizes', () => {
  it('gives every catalogue cover a srcset, loads 160 px renditions of at most 25 KB and never an original', async () => {
    // Prepare
    const context = await newContext(suite.browser, { width: 360, height: 740 });
    const { page, problems } = await openPage(context);
    const content = new URL(suite.gateway.config.S3_ENDPOINT!).origin;
    const covers: { key: string; bytes: number }[] = [];
    const pending: Promise<void>[] = [];
    const onResponse = (response: BrowserResponse) => {
      if (!response.url().startsWith(content) || !/\/cover/.test(response.url())) return;
      pending.push(
        response.body().then((body) => {
          covers.push({ key: keyOf(response.url()), bytes: body.byteLength });
        }),
      );
    };
    page.on('response', onResponse);
    // Act
    await page.goto(`${suite.gateway.url}/`);
    await page.locator('.results li').first().waitFor();
    // The home's covers: the featured collections' shelves first (scrolled sideways), then the results.
    const images = page.locator('.shelf-item img.cover, .results li img.cover');
    await expect
      .poll(() =>
        images.evaluateAll((all) => {
          const onScreen = all.filter((img) => {
            const box = img.getBoundingClientRect();
            return box.top < innerHeight && box.left < innerWidth;
          });
          return (
            onScreen.length > 0 &&
            onScreen.every(
              (img) => (img as HTMLImageElement).complete && (img as HTMLImageElement).naturalWidth > 0,
            )
          );
        }),
      )
      .toBe(true);
    // Stop listening before reading the bodies: a lazy cover arriving later would otherwise be read after the
    // context closed.
    page.off('response', onResponse);
    await Promise.all(pending);
    // Assess
    const attributes = await images.evaluateAll((all) =>
      all.map((img) => ({
        srcset: img.getAttribute('srcset'),
        sizes: img.getAttribute('sizes'),
        loading: img.getAttribute('loading'),
      })),
    );
    expect(attributes.length).toBeGreaterThan(3);
    for (const attribute of attributes) {
      expect(attribute.srcset).toMatch(/\?width=160 160w, .*\?width=320 320w$/);
      expect(attribute.sizes).toBe('5rem');
      expect(attribute.loading).toBe('lazy');
    }
    expect(covers.length).toBeGreaterThan(0);
    for (const cover of covers) {
      expect(cover.key).toMatch(/\/cover-160w\.webp$/);
      expect(cover.bytes).toBeLessThanOrEqual(25 * 1024);
    }
    expect(covers.filter((c) => /\/cover\.\w+$/.test(c.key))).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });
});

describe('compression and caching over HTTP', () => {
  it('gzips text, keeps hashed assets a year (immutable) and has the HTML, worker and manifest revalidated', async () => {
    // Prepare
    const html = await fetch(`${suite.gateway.url}/`, { headers: { 'Accept-Encoding': 'gzip, br' } });
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(await html.text())![1]!;
    // Act
    const [asset, worker, manifest, json, plain] = await Promise.all([
      fetch(`${suite.gateway.url}${script}`, { headers: { 'Accept-Encoding': 'gzip' } }),
      fetch(`${suite.gateway.url}/sw.js`, { headers: { 'Accept-Encoding': 'gzip' } }),
      fetch(`${suite.gateway.url}/manifest.en.webmanifest`, { headers: { 'Accept-Encoding': 'gzip' } }),
      fetch(`${suite.gateway.url}/titles?limit=20`, { headers: { 'Accept-Encoding': 'gzip' } }),
      fetch(`${suite.gateway.url}${script}`, { headers: { 'Accept-Encoding': 'identity' } }),
    ]);
    // Assess
    expect(html.headers.get('cache-control')).toBe('no-cache');
    expect(asset.headers.get('content-encoding')).toBe('gzip');
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(asset.headers.get('vary')).toContain('Accept-Encoding');
    expect(worker.headers.get('cache-control')).toBe('no-cache');
    expect(worker.headers.get('content-type')).toMatch(/javascript/);
    expect(manifest.headers.get('content-type')).toBe('application/manifest+json');
    expect(manifest.headers.get('cache-control')).toBe('no-cache');
    expect(json.headers.get('content-encoding')).toBe('gzip');
    expect(plain.headers.get('content-encoding')).toBeNull();
    // The same bytes either way
    expect(await asset.text()).toBe(await plain.text());
  });
});

describe('pre-compressed app files', () => {
  it('sends the brotli twin of a script when br is accepted, gzip when only gzip is, and the plain file otherwise', async () => {
    // Prepare: the PDF engine's worker, the largest file of the app (named in the service worker's list)
    const serviceWorker = await (await fetch(`${suite.gateway.url}/sw.js`)).text();
    const workerPath = /\/assets\/pdf\.worker[^"]*\.mjs/.exec(serviceWorker)![0];
    const get = (accept: string) =>
      fetch(`${suite.gateway.url}${workerPath}`, { headers: { 'Accept-Encoding': accept } });
    // Act
    const [brotli, gzipped, plain] = await Promise.all([
      get('gzip, deflate, br, zstd'),
      get('gzip'),
      get('identity'),
    ]);
    // Assess
    expect(brotli.headers.get('content-encoding')).toBe('br');
    expect(gzipped.headers.get('content-encoding')).toBe('gzip');
    expect(plain.headers.get('content-encoding')).toBeNull();
    for (const response of [brotli, gzipped, plain]) {
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^(text|application)\/javascript/);
      expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    }
    expect(brotli.headers.get('vary')).toContain('Accept-Encoding');
    expect(plain.headers.get('vary')).toContain('Accept-Encoding');
    // Brotli is what makes the difference over a slow link: well under the gzipped size
    const sizes = [brotli, gzipped, plain].map((r) => Number(r.headers.get('content-length')));
    expect(sizes[0]).toBeLessThan(sizes[1]! * 0.9);
    expect(sizes[1]).toBeLessThan(sizes[2]! / 2);
    // The same script whichever way it travelled (fetch decodes br and gzip)
    const [a, b, c] = await Promise.all([brotli.text(), gzipped.text(), plain.text()]);
    expect(a).toBe(c);
    expect(b).toBe(c);
  });
});

describe('installable app', () => {
  it('has a manifest in both languages and a service worker: Chromium reports no installability errors', async () => {
    // Prepare: a profile on disk (Chromium never offers to install from an incognito context, which newContext is)
    const profile = mkdtempSync(join(tmpdir(), 'pustaka-pwa-'));
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
      locale: 'en-GB',
    });
    await context.addInitScript(() => localStorage.setItem('pustaka.language', 'en'));
    const { page, problems } = await openPage(context);
    await page.goto(`${suite.gateway.url}/`);
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
    const cdp = await context.newCDPSession(page);
    // Act
    const { installabilityErrors } = (await cdp.send('Page.getInstallabilityErrors')) as {
      installabilityErrors: { errorId: string }[];
    };
    const manifest = await cdp.send('Page.getAppManifest');
    // Assess
    expect(installabilityErrors).toEqual([]);
    // The page starts with the Indonesian manifest and links the patron's language's at start. Chromium re-reads a
    // changed link on its own time (sometimes not before it answers), so its manifest may be either language's;
    // the English one is checked as the page links it.
    await expect
      .poll(() => page.locator('link[rel="manifest"]').getAttribute('href'))
      .toBe('/manifest.en.webmanifest');
    expect(manifest.url).toMatch(/\/manifest\.(en|id)\.webmanifest$/);
    const parsed = (await (await fetch(`${suite.gateway.url}/manifest.en.webmanifest`)).json()) as {
      name: string;
      short_name: string;
      lang: string;
      theme_color: string;
      start_url: string;
      icons: { src: string; sizes: string; purpose: string }[];
    };
    expect((JSON.parse(manifest.data!) as { icons: unknown[] }).icons).toEqual(parsed.icons);
    expect(parsed).toMatchObject({ short_name: 'Pustaka', lang: 'en', theme_color: '#0b5d8c' });
    expect(parsed.icons.map((i) => `${i.sizes} ${i.purpose}`)).toEqual([
      '192x192 any',
      '512x512 any',
      '512x512 maskable',
    ]);
    for (const icon of parsed.icons) {
      const response = await fetch(`${suite.gateway.url}${icon.src}`);
      expect(response.headers.get('content-type')).toBe('image/png');
    }
    // Act: the patron switches to Bahasa Indonesia
    await page.locator('#language').selectOption('id');
    // Assess
    await expect
      .poll(() => page.locator('link[rel="manifest"]').getAttribute('href'))
      .toBe('/manifest.id.webmanifest');
    const indonesian = (await (await fetch(`${suite.gateway.url}/manifest.id.webmanifest`)).json()) as {
      lang: string;
      name: string;
    };
    expect(indonesian.lang).toBe('id');
    expect(indonesian.name).toContain('Perpustakaan');
    expect(problems).toEqual([]);
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  });

  it('shows the app shell on a reload without the network', async () => {
    // Prepare: the first visit installs the service worker
    const context = await newContext(suite.browser);
    const { page } = await openPage(context, {
      ignore: [/Failed to load resource|ERR_INTERNET_DISCONNECTED/],
    });
    await page.goto(`${suite.gateway.url}/`);
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
    await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
    // Act
    await context.setOffline(true);
    await page.reload();
    // Assess: the shell (header, navigation, language) is there, and the page says what it cannot do offline
    await page.locator('#site-header .brand').waitFor();
    expect(await page.locator('#site-header nav').count()).toBe(1);
    expect(await page.title()).toMatch(/Pustaka/);
    await context.setOffline(false);
    await context.close();
  });
});
