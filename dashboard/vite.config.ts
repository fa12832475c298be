import { fileURLToPath, URL } from 'node:url';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';
import { bundleBudget } from './budget.ts';

// `npm run dev -w dashboard` serves the app with hot reload and proxies the API (HTTP and WebSocket)
// to a server started with `npm run dev` (SLUICE_API_URL to point elsewhere).
const api = process.env.SLUICE_API_URL ?? 'http://127.0.0.1:5480';

export default defineConfig({
  plugins: [vue(), bundleBudget(350)],
  resolve: {
    alias: {
      '@': fileURLToPath(new URL('./src', import.meta.url)),
      // The server's HOCON parser and renderers (pure TypeScript): the task editor parses locally.
      '@job-config': fileURLToPath(new URL('../server/src/modules/job-config/index.ts', import.meta.url)),
    },
  },
  server: {
    proxy: {
      '/graphql': { target: api, ws: true, changeOrigin: true },
      // Only the log download: /runs and /runs/:id are the dashboard's own pages.
      '^/runs/[^/]+/log$': { target: api, changeOrigin: true },
      '/healthz': { target: api },
    },
  },
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 1200,
    reportCompressedSize: false,
  },
});
