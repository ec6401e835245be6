/**
 * The summary as a printable A4 HTML page in official-document typography:
 * 方正小标宋 for the title, 黑体 for headings, 仿宋 for the body, with free
 * fallbacks; charts inline as SVG; every total linked to the reports and
 * journal rows it was summed from.
 */
import { itemSentence, type ModelFigure, type SummaryModel } from "./Model.ts"
import { stock } from "./phrases.ts"
import { figureChartSvg, timelinessSvg } from "./Svg.ts"

const escape = (text: string) =>
  text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;")

const style = `
@page { size: A4; margin: 37mm 26mm 35mm 28mm; }
body { font-family: "FangSong", "仿宋", "FangSong_GB2312", "STFangsong", "Noto Serif CJK SC", "Source Han Serif SC", serif; font-size: 16pt; line-height: 28pt; color: #000; max-width: 156mm; margin: 0 auto; }
h1 { font-family: "FZXiaoBiaoSong-B05S", "方正小标宋简体", "STZhongsong", "Noto Serif CJK SC", serif; font-size: 22pt; font-weight: normal; text-align: center; line-height: 1.5; margin: 0 0 28pt; }
h2 { font-family: "SimHei", "黑体", "STHeiti", "Noto Sans CJK SC", "Source Han Sans SC", sans-serif; font-size: 16pt; font-weight: normal; margin: 0; }
p { text-indent: 2em; margin: 0; text-align: justify; }
a.figure { color: inherit; text-decoration: none; border-bottom: 1px dotted #888; }
.draft { position: fixed; top: 40%; left: 10%; transform: rotate(-30deg); font-size: 64pt; color: rgba(178, 34, 34, 0.15); pointer-events: none; }
.notice { text-indent: 0; color: #b22222; font-size: 12pt; }
figure { margin: 14pt 0; text-align: center; break-inside: avoid; }
figure svg { max-width: 100%; height: auto; }
table { border-collapse: collapse; width: 100%; font-size: 10.5pt; line-height: 1.4; margin: 8pt 0 16pt; }
th, td { border: 1px solid #000; padding: 2pt 4pt; text-align: left; vertical-align: top; }
td.number { text-align: right; }
section.appendix { break-before: page; }
section.appendix h2 { margin-top: 12pt; }
@media print { a.figure { border: none; } }
`

const linked = (f: ModelFigure) => `${escape(f.label)}<a class="figure" href="#${f.id}">${escape(f.phrase)}</a>`

/** Renders the summary as a standalone HTML document. */
export const renderHtml = (model: SummaryModel): string => {
  const out: string[] = [
    "<!doctype html>",
    '<html lang="zh-CN">',
    `<head><meta charset="utf-8"><title>${escape(model.title)}</title><style>${style}</style></head>`,
    "<body>",
  ]
  if (model.draft)
    out.push(`<div class="draft" aria-hidden="true">草稿</div>`, `<p class="notice">${escape(stock.draftNotice)}</p>`)
  out.push(`<h1>${escape(model.title)}</h1>`, `<p>${escape(model.opening)}</p>`)
  for (const section of model.sections) {
    out.push(`<h2>${section.number}、${escape(section.heading)}</h2>`)
    if (section.lead !== null) out.push(`<p>${escape(section.lead)}</p>`)
    section.items.forEach((item, i) => {
      const number = section.items.length === 1 ? "" : `${i + 1}、`
      const html = itemSentence(item, linked, escape)
      out.push(`<p>${number}${html}</p>`)
    })
  }
  out.push(`<p>${escape(model.closing)}</p>`)
  if (model.charts.figures.length > 0 || model.charts.timeliness.length > 0) {
    out.push('<section class="charts"><h2>附图</h2>')
    for (const chart of model.charts.figures) out.push(`<figure>${figureChartSvg(chart)}</figure>`)
    if (model.charts.timeliness.length > 0) out.push(`<figure>${timelinessSvg(model.charts.timeliness)}</figure>`)
    out.push("</section>")
  }
  out.push('<section class="appendix">', `<h2>${escape(stock.appendixTotals)}</h2>`, "<table>")
  out.push(
    "<thead><tr><th>数据项</th><th>合计(精确值)</th><th>表述</th><th>来源:单位 — 数值(报送编号,日志行)</th></tr></thead><tbody>",
  )
  for (const f of model.totals) {
    const sources = f.sources
      .map((s) => `${escape(s.unit)} — ${escape(s.value)}(报送 ${escape(s.report)},日志第 ${s.journal ?? "—"} 行)`)
      .join("<br>")
    out.push(
      `<tr id="${f.id}"><td>${escape(f.label)}</td><td class="number">${escape(f.exact)}${escape(f.measure)}</td><td>${escape(f.phrase)}</td><td>${sources || "—"}</td></tr>`,
    )
  }
  out.push("</tbody></table>", `<h2>${escape(stock.appendixUnits)}</h2>`, "<table>")
  out.push("<thead><tr><th>单位</th><th>任务</th><th>报送编号</th><th>数据</th></tr></thead><tbody>")
  for (const r of model.reports) {
    out.push(
      `<tr><td>${escape(r.unit)}</td><td>${escape(r.taskTitle)}</td><td>${escape(r.report)}</td><td>${escape(r.figures) || "—"}</td></tr>`,
    )
  }
  out.push("</tbody></table></section></body></html>")
  return `${out.join("\n")}\n`
}
