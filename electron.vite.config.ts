import { resolve } from 'node:path'
import react from '@vitejs/plugin-react'
import { defineConfig } from 'electron-vite'

// main and preload keep their npm dependencies external (node_modules ships with the app); the
// renderer is bundled whole, since it loads nothing remote.
export default defineConfig({
  main: {
    build: { outDir: 'out/main' },
  },
  preload: {
    // A sandboxed preload must be CommonJS.
    build: { outDir: 'out/preload', rollupOptions: { output: { format: 'cjs', entryFileNames: '[name].cjs' } } },
  },
  renderer: {
    root: resolve('src/renderer'),
    // Minified: the renderer carries a charting library, and it is loaded on every window open.
    build: {
      outDir: resolve('out/renderer'),
      minify: true,
      rollupOptions: { input: resolve('src/renderer/index.html') },
    },
    plugins: [react()],
  },
})
