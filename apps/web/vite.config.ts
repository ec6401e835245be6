import { defineConfig } from "vite"

// Everything is bundled: no CDN, no external fonts. Built into dist/, which the server serves.
// Source maps are written for whoever runs the build ("hidden": the scripts do not point at
// them) and the server does not serve them unless LIANDONG_WEB_SOURCE_MAPS=1.
export default defineConfig({
  root: import.meta.dirname,
  base: "/",
  build: { outDir: "dist", emptyOutDir: true, target: "es2022", sourcemap: "hidden" },
  // `pnpm --filter @liandong/web dev` proxies the API to a `pnpm serve` on its default port.
  server: { proxy: { "/api": "http://127.0.0.1:8426" } },
})
