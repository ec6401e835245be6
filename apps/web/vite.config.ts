import { defineConfig, type Plugin } from "vite"

/**
 * Lists the API client's chunk (Effect and the contract) and what it imports as
 * `modulepreload` in index.html: the entry does not import it, so that sign-in renders
 * without evaluating it, but a signed-in screen needs it at once; preloaded, it downloads
 * beside the entry instead of after it, and is evaluated only when imported.
 */
const preloadClient = (): Plugin => ({
  name: "liandong-preload-client",
  apply: "build",
  transformIndexHtml: {
    order: "post",
    handler: (_html, { bundle }) => {
      if (bundle === undefined) return []
      const chunks = Object.values(bundle).flatMap((item) => (item.type === "chunk" ? [item] : []))
      const client = chunks.find((chunk) => chunk.facadeModuleId?.endsWith("/src/api/Client.ts"))
      const entry = chunks.find((chunk) => chunk.isEntry)
      if (client === undefined || entry === undefined) return []
      const already = new Set([entry.fileName, ...entry.imports])
      const files = [client.fileName, ...client.imports].filter((file) => !already.has(file))
      return files.map((file) => ({
        tag: "link",
        attrs: { rel: "modulepreload", crossorigin: true, href: `/${file}` },
        injectTo: "head" as const,
      }))
    },
  },
})

// Everything is bundled: no CDN, no external fonts. Built into dist/, which the server serves.
// Source maps are written for whoever runs the build ("hidden": the scripts do not point at
// them) and the server does not serve them unless LIANDONG_WEB_SOURCE_MAPS=1.
export default defineConfig({
  root: import.meta.dirname,
  base: "/",
  plugins: [preloadClient()],
  build: { outDir: "dist", emptyOutDir: true, target: "es2022", sourcemap: "hidden" },
  // `pnpm --filter @liandong/web dev` proxies the API to a `pnpm serve` on its default port.
  server: { proxy: { "/api": "http://127.0.0.1:8426" } },
})
