import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// The renderer is a static bundle: Electron loads it through app:// and browser mode serves it from dist/renderer.
export default defineConfig({
  root: 'src-renderer',
  base: './',
  plugins: [svelte()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    target: 'chrome120',
    sourcemap: false,
    // No inline scripts or eval so the CSP can stay strict.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
  },
});
