import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlib, gzip } from 'node:zlib';
import { transformSync } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const here = dirname(fileURLToPath(import.meta.url));
const pdfjsRoot = join(here, '../node_modules/pdfjs-dist');

/** pdf.js fetches its standard fonts and CMaps by URL at run time: ship them beside the app, from 'self'. */
function pdfjsAssets(): Plugin {
  return {
    name: 'pustaka-pdfjs-assets',
    apply: 'build',
    writeBundle(options) {
      const out = options.dir ?? join(here, 'dist');
      for (const folder of ['standard_fonts', 'cmaps']) {
        cpSync(join(pdfjsRoot, folder), join(out, 'pdfjs', folder), { recursive: true });
      }
    },
  };
}

/**
 * The service worker (web/src/service-worker.ts), built beside index.html as /sw.js with the list of the app
 * shell's files: index.html, the entry chunk with the chunks and styles it imports statically, the manifests and
 * the icons. The reading engines are left out (kept by the worker when first used), so installing it costs a
 * patron on mobile data only what the catalogue already loaded. The version changes with the shell's names.
 */
function serviceWorker(): Plugin {
  return {
    name: 'pustaka-service-worker',
    apply: 'build',
    generateBundle(_options, bundle) {
      const shell = new Set<string>(['/index.html']);
      const add = (fileName: string) => {
        const chunk = bundle[fileName];
        if (!chunk || shell.has(`/${fileName}`)) return;
        shell.add(`/${fileName}`);
        if (chunk.type === 'chunk') {
          chunk.imports.forEach(add);
          chunk.viteMetadata?.importedCss.forEach((css) => shell.add(`/${css}`));
        }
      };
      for (const chunk of Object.values(bundle))
        if (chunk.type === 'chunk' && chunk.isEntry) add(chunk.fileName);
      for (const name of readdirSync(join(here, 'public'), { recursive: true, encoding: 'utf8' })) {
        if (/\.(webmanifest|png)$/.test(name)) shell.add(`/${name.replaceAll('\\', '/')}`);
      }
      const precache = [...shell].sort();
      // The librarians' dashboard and its charting library are never kept for patrons, not even offline.
      const librariansOnly = new Set<string>();
      for (const chunk of Object.values(bundle))
        if (
          chunk.type === 'chunk' &&
          chunk.moduleIds.some((id) => /console\/dashboard\.ts$|node_modules\/chartist\//.test(id))
        ) {
          librariansOnly.add(chunk.fileName);
          chunk.viteMetadata?.importedCss.forEach((css) => librariansOnly.add(css));
        }
      // The rest of the build (reading engines, pdf.js's worker): kept when a book is downloaded for offline.
      const later = Object.keys(bundle)
        .filter((name) => name.startsWith('assets/') && !name.endsWith('.map') && !shell.has(`/${name}`))
        .filter((name) => !librariansOnly.has(name))
        .map((name) => `/${name}`)
        .sort();
      const version = createHash('sha256').update(precache.join('\n')).digest('hex').slice(0, 12);
      const source = transformSync(readFileSync(join(here, 'src/service-worker.ts'), 'utf8'), {
        loader: 'ts',
        target: 'es2022',
        minify: true,
        define: {
          PRECACHE: JSON.stringify(precache),
          LATER: JSON.stringify(later),
          VERSION: JSON.stringify(version),
        },
      });
      this.emitFile({ type: 'asset', fileName: 'sw.js', source: source.code });
    },
  };
}

/** Files worth sending compressed (fonts in WOFF2, PNG icons and the pdf.js data files are left as they are). */
export const precompressedFile = /\.(m?js|css|html|svg|json|webmanifest)$/;
const brotliAsync = promisify(brotliCompress);
const gzipAsync = promisify(gzip);
const cacheDir = join(here, '../node_modules/.cache/pustaka-precompressed');

/**
 * Every text file of the build also written brotli'd (`.br`, quality 11) and gzipped (`.gz`, level 9) beside
 * itself, for the local gateway to send as `Content-Encoding: br` / `gzip` when the browser accepts it
 * (functions/local/gateway.ts). Over a slow link the difference is the PDF engine's worker: 380 KB gzipped on
 * the fly, 311 KB as brotli 11. Quality 11 takes seconds for the engines, so each result is kept under
 * node_modules/.cache by the content's hash and a rebuild of unchanged files costs nothing. CloudFront
 * compresses at the edge instead (infra/constructs/reader-site.ts), so these files are not deployed.
 */
function precompressed(): Plugin {
  const compressed = async (source: Buffer, kind: 'br' | 'gz'): Promise<Buffer> => {
    const cached = join(cacheDir, `${createHash('sha256').update(source).digest('hex')}.${kind}`);
    if (existsSync(cached)) return readFileSync(cached);
    const bytes =
      kind === 'br'
        ? await brotliAsync(source, {
            params: {
              [zlib.BROTLI_PARAM_QUALITY]: zlib.BROTLI_MAX_QUALITY,
              [zlib.BROTLI_PARAM_MODE]: zlib.BROTLI_MODE_TEXT,
              [zlib.BROTLI_PARAM_SIZE_HINT]: source.byteLength,
            },
          })
        : await gzipAsync(source, { level: 9 });
    mkdirSync(cacheDir, { recursive: true });
    writeFileSync(cached, bytes);
    return bytes;
  };
  return {
    name: 'pustaka-precompressed',
    apply: 'build',
    async writeBundle(options, bundle) {
      const out = options.dir ?? join(here, 'dist');
      const files = Object.keys(bundle).filter((name) => precompressedFile.test(name));
      await Promise.all(
        files.map(async (name) => {
          const source = readFileSync(join(out, name));
          // Below a packet's worth, compressing saves nothing a patron would notice.
          if (source.byteLength < 1024) return;
          const [br, gz] = await Promise.all([compressed(source, 'br'), compressed(source, 'gz')]);
          writeFileSync(join(out, `${name}.br`), br);
          writeFileSync(join(out, `${name}.gz`), gz);
        }),
      );
    },
  };
}

export default defineConfig({
  root: here,
  base: '/',
  plugins: [pdfjsAssets(), serviceWorker(), precompressed()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    target: 'es2022',
    // Only the app shell is preloaded by the page; each reading engine is fetched when a book of its kind opens,
    // together with the chunks it imports (not one after the other: on a 150 ms link each step costs).
    modulePreload: { resolveDependencies: (_file, deps) => deps },
    chunkSizeWarningLimit: 1200,
  },
});
