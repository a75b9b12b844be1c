import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The app is served by dev/gateway.py locally and by a static website behind Application Gateway in
// Azure: both serve dist/ as it is, with /config.json and /api/* beside it on the same origin.
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: "dist",
    // No inline <script> or data: URLs, so the page runs under `script-src 'self'`.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
    chunkSizeWarningLimit: 1500,
  },
});
