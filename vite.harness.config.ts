import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// The screen harness (src-renderer/dev): a separate build so the fake station never ships.
export default defineConfig({
  root: 'src-renderer',
  base: './',
  plugins: [svelte()],
  logLevel: 'warn',
  build: {
    outDir: '../dist/harness',
    emptyOutDir: true,
    target: 'chrome120',
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    rollupOptions: { input: 'src-renderer/dev/harness.html' },
  },
});
