/**
 * The SVG charts as PNG for the Word file, which shows no SVG everywhere. @resvg/resvg-js
 * ships prebuilt binaries and draws the same pixels for the same SVG and fonts, so the
 * Word file stays byte-for-byte reproducible.
 */
import { existsSync } from "node:fs"
import { Resvg } from "@resvg/resvg-js"

// Debian's fonts-noto-cjk (installed in CI): a fixed font set, not whatever the machine has.
const cjk = [
  "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
  "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
].filter((path) => existsSync(path))

/** A chart's PNG at twice its SVG size (sharp in print), with its size in SVG pixels. */
export const svgToPng = (svg: string): { png: Uint8Array; width: number; height: number } => {
  const resvg = new Resvg(svg, {
    fitTo: { mode: "zoom", value: 2 },
    background: "#ffffff",
    font: {
      fontFiles: cjk,
      loadSystemFonts: cjk.length === 0,
      defaultFontFamily: "Noto Sans CJK SC",
      sansSerifFamily: "Noto Sans CJK SC",
    },
  })
  const image = resvg.render()
  return { png: new Uint8Array(image.asPng()), width: image.width / 2, height: image.height / 2 }
}
