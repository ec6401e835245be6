/**
 * The summary as a printable A4 HTML page in official-document typography:
 * 方正小标宋 for the title, 黑体 for headings, 仿宋 for the body, with free
 * fallbacks; charts inline as SVG; every total linked to the reports and
 * journal rows it was summed from.
 */

import { buildDocument, type DocAttachment, type DocumentOptions, headingNumber } from "./Document.ts"
import { escapeMarkup } from "./Markup.ts"
import { itemSentence, type ModelFigure, type SummaryModel } from "./Model.ts"
import { figureChartSvg, timelinessSvg } from "./Svg.ts"

const style = `
@page { size: A4; margin: 37mm 26mm 35mm 28mm; @bottom-center { content: "— " counter(page) " —"; font-family: "SimSun", "宋体", "Noto Serif CJK SC", serif; font-size: 14pt; } }
@page wide { size: A4 landscape; }
body { font-family: "FangSong", "仿宋", "FangSong_GB2312", "STFangsong", "Noto Serif CJK SC", "Source Han Serif SC", serif; font-size: 16pt; line-height: 28pt; color: #000; max-width: 156mm; margin: 0 auto; }
h1 { font-family: "FZXiaoBiaoSong-B05S", "方正小标宋简体", "STZhongsong", "Noto Serif CJK SC", serif; font-size: 22pt; font-weight: normal; text-align: center; line-height: 1.5; margin: 0 0 28pt; }
h2 { font-family: "SimHei", "黑体", "STHeiti", "Noto Sans CJK SC", "Source Han Sans SC", sans-serif; font-size: 16pt; font-weight: normal; margin: 0; text-indent: 2em; break-after: avoid; }
h3 { font-family: "KaiTi", "楷体", "KaiTi_GB2312", "STKaiti", "Noto Serif CJK SC", serif; font-size: 16pt; font-weight: normal; margin: 0; text-indent: 2em; break-after: avoid; }
p.attachments { text-indent: 0; padding-left: 2em; margin-top: 28pt; white-space: pre; }
.signature { margin-top: 28pt; text-align: right; }
.signature p { text-indent: 0; text-align: right; }
.signature .office { padding-right: 2em; }
.attachment-label { font-family: "SimHei", "黑体", "Noto Sans CJK SC", sans-serif; text-indent: 0; }
section.appendix h2.attachment-title { font-family: "FZXiaoBiaoSong-B05S", "方正小标宋简体", "STZhongsong", "Noto Serif CJK SC", serif; font-size: 18pt; text-align: center; text-indent: 0; margin: 0 0 14pt; }
section.appendix.wide { page: wide; }
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
@media print { a.figure { border: none; } .audit { display: none; } }
`

const linked = (f: ModelFigure, en: boolean) =>
  `${escapeMarkup(f.label)}${en ? " " : ""}<a class="figure" href="#${f.id}">${escapeMarkup(f.phrase)}</a>`

/** Renders the summary as a standalone HTML document. */
export const renderHtml = (model: SummaryModel, options: DocumentOptions = {}): string => {
  const en = model.lang === "en"
  const out: string[] = [
    "<!doctype html>",
    `<html lang="${en ? "en" : "zh-CN"}">`,
    `<head><meta charset="utf-8"><title>${escapeMarkup(model.title)}</title><style>${style}</style></head>`,
    "<body>",
  ]
  if (model.draft) {
    out.push(
      `<div class="draft" aria-hidden="true">${en ? "DRAFT" : "草稿"}</div>`,
      `<p class="notice">${escapeMarkup(model.labels.draftNotice)}</p>`,
    )
  }
  const doc = buildDocument(model, options)
  out.push(`<h1>${escapeMarkup(doc.title)}</h1>`)
  if (doc.addressee !== null) out.push(`<p class="addressee">${escapeMarkup(doc.addressee)}</p>`)
  out.push(`<p>${escapeMarkup(model.opening)}</p>`)
  for (const [n, section] of model.sections.entries()) {
    out.push(
      `<h2>${escapeMarkup(model.labels.sectionNumber(section.number, n + 1))}${escapeMarkup(section.heading)}</h2>`,
    )
    if (section.lead !== null) out.push(`<p>${escapeMarkup(section.lead)}</p>`)
    let sub = 0
    let number = 0
    for (const item of section.items) {
      if (item.heading != null && item.heading !== "") {
        sub++
        number = 0
        out.push(`<h3>${escapeMarkup(headingNumber(2, sub, model.lang))}${escapeMarkup(item.heading)}</h3>`)
      }
      number++
      const label = section.items.length === 1 ? "" : headingNumber(3, number, model.lang)
      out.push(`<p>${escapeMarkup(label)}${itemSentence(item, model.words, (f) => linked(f, en), escapeMarkup)}</p>`)
    }
  }
  if (model.charts.figures.length > 0 || model.charts.timeliness.length > 0) {
    out.push(`<section class="charts">`)
    for (const chart of model.charts.figures) out.push(`<figure>${figureChartSvg(chart)}</figure>`)
    if (model.charts.timeliness.length > 0) out.push(`<figure>${timelinessSvg(model.charts.timeliness)}</figure>`)
    out.push("</section>")
  }
  if (model.closing !== "") out.push(`<p>${escapeMarkup(model.closing)}</p>`)
  // The body ends with 附件说明, the issuing office and the date; the attachments follow on new pages.
  out.push(`<p class="attachments">${doc.attachmentNote.map(escapeMarkup).join("\n")}</p>`)
  out.push(
    `<div class="signature"><p class="office">${escapeMarkup(doc.issuer)}</p><p class="date">${escapeMarkup(doc.date)}</p></div>`,
  )
  const [totalsAttachment, unitsAttachment] = doc.attachments as [DocAttachment, DocAttachment]
  const attachmentHead = (a: DocAttachment) =>
    `<p class="attachment-label">${escapeMarkup(a.label)}</p><h2 class="attachment-title">${escapeMarkup(a.title)}</h2>`
  const [, figureHead, totalHead, statedHead, unitsCountHead, sourcesHead] = model.labels.totalsHeader.map(escapeMarkup)
  const forAuditors = en ? " (for auditors)" : "（供审核）"
  out.push('<section class="appendix">', attachmentHead(totalsAttachment), "<table>")
  out.push(
    `<thead><tr><th>${figureHead}</th><th>${totalHead}</th><th>${statedHead}</th><th>${unitsCountHead}</th><th class="audit">${sourcesHead}${forAuditors}</th></tr></thead><tbody>`,
  )
  for (const f of model.totals) {
    const sources = f.sources
      .map((s) => escapeMarkup(model.labels.source(s.unit, s.value, s.report, s.journal)))
      .join("<br>")
    out.push(
      `<tr id="${f.id}"><td>${escapeMarkup(f.label)}</td><td class="number">${escapeMarkup(f.stated)}</td><td>${escapeMarkup(f.phrase)}</td><td class="number">${f.units}</td><td class="audit">${sources || "—"}</td></tr>`,
    )
  }
  const [unitHead, taskHead, reportHead, , , figuresHead] = model.labels.unitsHeader.map(escapeMarkup)
  out.push("</tbody></table></section>", '<section class="appendix wide">', attachmentHead(unitsAttachment), "<table>")
  out.push(
    `<thead><tr><th>${unitHead}</th><th>${taskHead}</th><th class="audit">${reportHead}${forAuditors}</th><th>${figuresHead}</th></tr></thead><tbody>`,
  )
  for (const r of model.reports) {
    out.push(
      `<tr><td>${escapeMarkup(r.unit)}</td><td>${escapeMarkup(r.taskTitle)}</td><td class="audit">${escapeMarkup(r.report)}</td><td>${escapeMarkup(r.figures) || "—"}</td></tr>`,
    )
  }
  out.push("</tbody></table></section></body></html>")
  return `${out.join("\n")}\n`
}
