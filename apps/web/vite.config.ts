import { defineConfig } from "vite"

// Everything is bundled: no CDN, no external fonts. Built into dist/, which the server serves.
export default defineConfig({
  root: import.meta.dirname,
  base: "/",
  build: { outDir: "dist", emptyOutDir: true, target: "es2022", sourcemap: true },
  // `pnpm --filter @liandong/web dev` proxies the API to a `pnpm serve` on its default port.
  server: { proxy: { "/api": "http://127.0.0.1:8426" } },
})
