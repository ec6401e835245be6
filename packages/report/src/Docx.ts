/**
 * The summary as a Word document (.docx), the format offices hand up:
 * 方正小标宋 title, 黑体 section headings, 仿宋 body at 三号 (16 pt) with a
 * two-character first-line indent, and the appendix as tables. Built with the
 * `docx` library; the package is then re-zipped with fixed dates so the same
 * data gives the same bytes.
 */
import {
  AlignmentType,
  Document,
  Header,
  Packer,
  Paragraph,
  Table,
  TableCell,
  TableRow,
  TextRun,
  WidthType,
} from "docx"
import { strFromU8, strToU8, unzipSync, type Zippable, zipSync } from "fflate"
import type { SummaryModel } from "./Model.ts"

const body = { ascii: "FangSong", eastAsia: "仿宋_GB2312", hAnsi: "FangSong" }
const heading = { ascii: "SimHei", eastAsia: "黑体", hAnsi: "SimHei" }
const title = { ascii: "FZXiaoBiaoSong-B05S", eastAsia: "方正小标宋简体", hAnsi: "FZXiaoBiaoSong-B05S" }

const paragraph = (text: string) =>
  new Paragraph({
    indent: { firstLine: 640 },
    spacing: { line: 560, lineRule: "exact" },
    alignment: AlignmentType.JUSTIFIED,
    children: [new TextRun({ text, font: body, size: 32 })],
  })

const headingParagraph = (text: string) =>
  new Paragraph({
    indent: { firstLine: 640 },
    spacing: { line: 560, lineRule: "exact" },
    children: [new TextRun({ text, font: heading, size: 32 })],
  })

const cell = (text: string, bold = false) =>
  new TableCell({ children: [new Paragraph({ children: [new TextRun({ text, font: body, size: 21, bold })] })] })

const table = (header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>) =>
  new Table({
    width: { size: 100, type: WidthType.PERCENTAGE },
    rows: [
      new TableRow({ tableHeader: true, children: header.map((h) => cell(h, true)) }),
      ...rows.map((row) => new TableRow({ children: row.map((c) => cell(c)) })),
    ],
  })

/** Re-zips a package with every entry dated `date` and the core properties' dates set to it. */
const pin = (packed: Uint8Array, date: Date): Uint8Array => {
  const files = unzipSync(packed)
  const iso = `${date.toISOString().slice(0, 19)}Z`
  const core = files["docProps/core.xml"]
  if (core !== undefined) {
    files["docProps/core.xml"] = strToU8(
      strFromU8(core)
        .replace(/(<dcterms:created[^>]*>)[^<]*(<\/dcterms:created>)/u, `$1${iso}$2`)
        .replace(/(<dcterms:modified[^>]*>)[^<]*(<\/dcterms:modified>)/u, `$1${iso}$2`),
    )
  }
  const ordered: Zippable = {}
  for (const name of Object.keys(files).sort()) ordered[name] = [files[name] as Uint8Array, { mtime: date }]
  return zipSync(ordered, { level: 6, mtime: date })
}

/** Renders the summary as .docx bytes; `date` stamps the document (default: the epoch of the summary's data). */
export const renderDocx = async (model: SummaryModel, date = new Date("2000-01-01T00:00:00Z")): Promise<Uint8Array> => {
  const children: Array<Paragraph | Table> = [
    new Paragraph({
      alignment: AlignmentType.CENTER,
      spacing: { after: 560 },
      children: [new TextRun({ text: model.title, font: title, size: 44 })],
    }),
    paragraph(model.opening),
  ]
  for (const [n, section] of model.sections.entries()) {
    children.push(headingParagraph(`${model.labels.sectionNumber(section.number, n + 1)}${section.heading}`))
    if (section.lead !== null) children.push(paragraph(section.lead))
    for (const [i, item] of section.items.entries()) {
      children.push(paragraph(`${section.items.length === 1 ? "" : model.labels.itemNumber(i + 1)}${item.text}`))
    }
  }
  children.push(paragraph(model.closing))
  const [, figureHead, totalHead, statedHead, , sourcesHead] = model.labels.totalsHeader as string[]
  children.push(headingParagraph(model.labels.appendixTotals))
  children.push(
    table(
      [figureHead, totalHead, statedHead, sourcesHead] as string[],
      model.totals.map((f) => [
        f.label,
        `${f.exact}${f.measure}`,
        f.phrase,
        f.sources
          .map((s) => model.labels.source(s.unit, s.value, s.report, s.journal))
          .join(model.lang === "en" ? "; " : ";") || "—",
      ]),
    ),
  )
  const [unitHead, taskHead, reportHead, , , figuresHead] = model.labels.unitsHeader as string[]
  children.push(headingParagraph(model.labels.appendixUnits))
  children.push(
    table(
      [unitHead, taskHead, reportHead, figuresHead] as string[],
      model.reports.map((r) => [r.unit, r.taskTitle, r.report, r.figures || "—"]),
    ),
  )
  const document = new Document({
    creator: "联动 Liandong",
    lastModifiedBy: "联动 Liandong",
    title: model.title,
    styles: { default: { document: { run: { font: body, size: 32 } } } },
    sections: [
      {
        properties: { page: { margin: { top: 2098, bottom: 1984, left: 1588, right: 1474 } } },
        headers: model.draft
          ? {
              default: new Header({
                children: [
                  new Paragraph({
                    alignment: AlignmentType.RIGHT,
                    children: [
                      new TextRun({
                        text: model.lang === "en" ? "DRAFT" : "草稿",
                        font: heading,
                        size: 28,
                        color: "B22222",
                      }),
                    ],
                  }),
                ],
              }),
            }
          : {},
        children,
      },
    ],
  })
  return pin(new Uint8Array(await Packer.toBuffer(document)), date)
}
