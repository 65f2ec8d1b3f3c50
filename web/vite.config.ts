import { cpSync } from 'node:fs';
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

export default defineConfig({
  root: here,
  base: '/',
  plugins: [pdfjsAssets()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    target: 'es2022',
    // Only the app shell is preloaded; each reading engine is fetched when a book of its kind opens.
    modulePreload: { resolveDependencies: (_file, deps, { hostType }) => (hostType === 'html' ? deps : []) },
    chunkSizeWarningLimit: 1200,
  },
});
