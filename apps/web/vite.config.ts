import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// In development (`npm run dev -w @hearth/web`) the API and gateway are those of a Hearth on :8080.
const hearth = process.env.HEARTH_URL ?? 'http://localhost:8080';

export default defineConfig({
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true, target: 'es2022' },
  server: {
    proxy: {
      '/api': { target: hearth, ws: true },
      '/gateway': { target: hearth, ws: true },
      '/attachments': hearth,
      '/avatars': hearth,
      '/banners': hearth,
      '/icons': hearth,
      '/emojis': hearth,
    },
  },
});
