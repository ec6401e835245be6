/**
 * The summary's charts as inline SVG: no script, no external font or file,
 * the same bytes for the same data.
 */
import { escapeMarkup } from "./Markup.ts"
import type { FigureChart } from "./Model.ts"
import type { PhaseTimeliness } from "./Timeliness.ts"

const fmt = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1))

/** The largest of the values and 1, without spreading them into arguments (a chart may have 50,000 bars). */
const largest = (values: Iterable<number>) => {
  let max = 1
  for (const value of values) max = Math.max(max, value)
  return max
}

/** A horizontal bar chart of one figure by unit. */
export const figureChartSvg = (chart: FigureChart): string => {
  const rowHeight = 22
  const labelWidth = 150
  const barWidth = 330
  const height = chart.bars.length * rowHeight + 34
  const max = largest(chart.bars.map((b) => Number(b.value)))
  const bars = chart.bars
    .map((bar, i) => {
      const y = 28 + i * rowHeight
      const width = Math.max(1, Math.round((Number(bar.value) / max) * barWidth))
      return [
        `<text x="${labelWidth - 6}" y="${y + 14}" text-anchor="end">${escapeMarkup(bar.unit)}</text>`,
        `<rect x="${labelWidth}" y="${y + 3}" width="${width}" height="${rowHeight - 8}" fill="#b22222"/>`,
        `<text x="${labelWidth + width + 4}" y="${y + 14}">${escapeMarkup(bar.value)}</text>`,
      ].join("")
    })
    .join("")
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${escapeMarkup(`${chart.label}(${chart.measure})`)}" viewBox="0 0 560 ${height}" width="560" height="${height}" font-size="12" font-family="sans-serif"><text x="0" y="16" font-weight="bold">${escapeMarkup(`${chart.label}(${chart.measure})`)}</text>${bars}</svg>`
}

/** Stacked bars per phase: tasks reported on time, late, not at all. */
export const timelinessSvg = (phases: ReadonlyArray<PhaseTimeliness>): string => {
  const rowHeight = 24
  const labelWidth = 80
  const barWidth = 360
  const height = phases.length * rowHeight + 56
  const max = largest(phases.map((p) => p.onTime + p.late + p.missing))
  const rows = phases
    .map((p, i) => {
      const y = 28 + i * rowHeight
      const scale = (n: number) => Math.round((n / max) * barWidth)
      const parts: Array<[number, string]> = [
        [p.onTime, "#2e7d32"],
        [p.late, "#ef6c00"],
        [p.missing, "#9e9e9e"],
      ]
      let x = labelWidth
      const rects = parts
        .map(([n, colour]) => {
          const rect =
            n > 0 ? `<rect x="${x}" y="${y + 3}" width="${scale(n)}" height="${rowHeight - 8}" fill="${colour}"/>` : ""
          x += scale(n)
          return rect
        })
        .join("")
      return `<text x="${labelWidth - 6}" y="${y + 15}" text-anchor="end">${escapeMarkup(p.name)}</text>${rects}<text x="${x + 4}" y="${y + 15}">${fmt(p.onTime)} / ${fmt(p.late)} / ${fmt(p.missing)}</text>`
    })
    .join("")
  const legendY = height - 10
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="各阶段按时、逾期、未报送任务数" viewBox="0 0 560 ${height}" width="560" height="${height}" font-size="12" font-family="sans-serif"><text x="0" y="16" font-weight="bold">各阶段任务报送情况(按时 / 逾期 / 未报送)</text>${rows}<rect x="${labelWidth}" y="${legendY - 9}" width="10" height="10" fill="#2e7d32"/><text x="${labelWidth + 14}" y="${legendY}">按时</text><rect x="${labelWidth + 60}" y="${legendY - 9}" width="10" height="10" fill="#ef6c00"/><text x="${labelWidth + 74}" y="${legendY}">逾期</text><rect x="${labelWidth + 120}" y="${legendY - 9}" width="10" height="10" fill="#9e9e9e"/><text x="${labelWidth + 134}" y="${legendY}">未报送</text></svg>`
}
