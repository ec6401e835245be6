/**
 * The summary as a Word document (.docx), the format offices hand up:
 * 方正小标宋 title, 黑体 section headings, 仿宋 body at 三号 (16 pt) with a
 * two-character first-line indent, and the appendix as tables. Built with the
 * `docx` library, except the appendix tables' body rows — one per report, too
 * many for its object tree at national scale — which are written as the very
 * XML the library writes for them; the package is then re-zipped with fixed
 * dates so the same data gives the same bytes.
 */
import {
  AlignmentType,
  Document,
  Footer,
  Header,
  ImageRun,
  Packer,
  PageNumber,
  PageOrientation,
  Paragraph,
  Table,
  TableCell,
  TableRow,
  TextRun,
  WidthType,
} from "docx"
import { strFromU8, strToU8, unzipSync, Zip, ZipDeflate } from "fflate"
import { buildDocument, type DocAttachment, type DocumentOptions, type GovDocument } from "./Document.ts"
import type { SummaryModel } from "./Model.ts"
import { svgToPng } from "./Raster.ts"
import { figureChartSvg, timelinessSvg } from "./Svg.ts"

const body = { ascii: "FangSong", eastAsia: "仿宋_GB2312", hAnsi: "FangSong" }
const heading = { ascii: "SimHei", eastAsia: "黑体", hAnsi: "SimHei" }
const kai = { ascii: "KaiTi", eastAsia: "楷体_GB2312", hAnsi: "KaiTi" }
const song = { ascii: "SimSun", eastAsia: "宋体", hAnsi: "SimSun" }
const title = { ascii: "FZXiaoBiaoSong-B05S", eastAsia: "方正小标宋简体", hAnsi: "FZXiaoBiaoSong-B05S" }

const paragraph = (text: string) =>
  new Paragraph({
    indent: { firstLine: 640 },
    spacing: { line: 560, lineRule: "exact" },
    alignment: AlignmentType.JUSTIFIED,
    children: [new TextRun({ text, font: body, size: 32 })],
  })

/** A heading of level 1 (黑体), 2 (楷体) or 3–4 (仿宋), kept with the next paragraph so none ends a page. */
const headingParagraph = (text: string, level: 1 | 2 | 3 | 4 = 1) =>
  new Paragraph({
    indent: { firstLine: 640 },
    spacing: { line: 560, lineRule: "exact" },
    keepNext: true,
    keepLines: true,
    children: [new TextRun({ text, font: level === 1 ? heading : level === 2 ? kai : body, size: 32 })],
  })

/** A table with its header row only: the body rows are spliced into the XML (see `bodyRows`). */
const table = (header: ReadonlyArray<string>, percents: ReadonlyArray<number>) =>
  new Table({
    width: { size: 100, type: WidthType.PERCENTAGE },
    // Widths by content: a name column narrow, the figures column wide.
    columnWidths: percents.map((p) => Math.round(p * 50)),
    rows: [
      new TableRow({
        tableHeader: true,
        children: header.map(
          (h, i) =>
            new TableCell({
              width: { size: percents[i] ?? 10, type: WidthType.PERCENTAGE },
              children: [new Paragraph({ children: [new TextRun({ text: h, font: body, size: 21, bold: true })] })],
            }),
        ),
      }),
    ],
  })

// Text as the library escapes it: markup characters as entities, control characters XML forbids dropped.
const entities: Readonly<Record<string, string>> = {
  "&": "&amp;",
  '"': "&quot;",
  "'": "&apos;",
  "<": "&lt;",
  ">": "&gt;",
}
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters XML 1.0 forbids
const escapeText = (text: string) => text.replace(/[&"'<>\x00-\x08\x0B\x0C\x0E-\x1F]/g, (c) => entities[c] ?? "")

const bodyCellOpen =
  '<w:tc><w:p><w:r><w:rPr><w:rFonts w:ascii="FangSong" w:eastAsia="仿宋_GB2312" w:hAnsi="FangSong"/><w:b w:val="false"/><w:bCs w:val="false"/><w:sz w:val="21"/><w:szCs w:val="21"/></w:rPr><w:t xml:space="preserve">'
const bodyCellClose = "</w:t></w:r></w:p></w:tc>"

/** One body row's XML, byte for byte what `new TableRow({ children: texts.map((t) => cell(t)) })` writes. */
export const bodyRowXml = (texts: ReadonlyArray<string>): string =>
  `<w:tr>${texts.map((t) => `${bodyCellOpen}${escapeText(t)}${bodyCellClose}`).join("")}</w:tr>`

/** A table's body rows, produced a slice at a time so that no more than a slice is held as text. */
interface BodyRows {
  readonly count: number
  readonly row: (index: number) => ReadonlyArray<string>
}

const slice = 1000

/** The document XML as UTF-8 pieces, each table's body rows spliced in before its end a slice at a time. */
function* withBodyRows(xml: string, tables: ReadonlyArray<BodyRows>): Generator<Uint8Array> {
  const encoder = new TextEncoder()
  let from = 0
  for (const rows of tables) {
    const end = xml.indexOf("</w:tbl>", from === 0 ? 0 : from + 1)
    if (end === -1) throw new Error("docx: the document has fewer tables than expected")
    yield encoder.encode(xml.slice(from, end))
    for (let start = 0; start < rows.count; start += slice) {
      let text = ""
      for (let i = start; i < Math.min(rows.count, start + slice); i++) text += bodyRowXml(rows.row(i))
      yield encoder.encode(text)
    }
    from = end
  }
  yield encoder.encode(xml.slice(from))
}

/** Re-zips a package with every entry dated `date`, the core properties' dates set to it and the tables' rows added. */
const pin = (packed: Uint8Array, date: Date, tables: ReadonlyArray<BodyRows>): Uint8Array => {
  const files: Record<string, Uint8Array | Iterable<Uint8Array>> = unzipSync(packed)
  const document = files["word/document.xml"]
  // The library numbers pictures with a process-wide counter: renumber them from 1 for the same bytes.
  let picture = 0
  if (document instanceof Uint8Array)
    files["word/document.xml"] = withBodyRows(
      strFromU8(document).replace(/<wp:docPr id="\d+"/gu, () => `<wp:docPr id="${++picture}"`),
      tables,
    )
  return zipDated(files, date)
}

/**
 * Zips a Word package's entries in name order, each dated `date`, with the core properties'
 * created and modified dates set to it: the same content gives the same bytes. An entry given
 * as pieces is compressed as they come, so a national document's XML is never held whole.
 */
export const zipDated = (files: Record<string, Uint8Array | Iterable<Uint8Array>>, date: Date): Uint8Array => {
  const iso = `${date.toISOString().slice(0, 19)}Z`
  const core = files["docProps/core.xml"]
  if (core instanceof Uint8Array) {
    files["docProps/core.xml"] = strToU8(
      strFromU8(core)
        .replace(/(<dcterms:created[^>]*>)[^<]*(<\/dcterms:created>)/u, `$1${iso}$2`)
        .replace(/(<dcterms:modified[^>]*>)[^<]*(<\/dcterms:modified>)/u, `$1${iso}$2`),
    )
  }
  const chunks: Uint8Array[] = []
  let failure: Error | null = null
  // Synchronous: with ZipDeflate entries every chunk is handed over before `push` returns.
  const zip = new Zip((error, chunk) => {
    if (error !== null) failure = error
    else chunks.push(chunk)
  })
  for (const name of Object.keys(files).sort()) {
    const entry = new ZipDeflate(name, { level: 6 })
    entry.mtime = date
    zip.add(entry)
    const content = files[name] as Uint8Array | Iterable<Uint8Array>
    if (content instanceof Uint8Array) entry.push(content, true)
    else {
      for (const piece of content) entry.push(piece)
      entry.push(new Uint8Array(0), true)
    }
  }
  zip.end()
  if (failure !== null) throw failure
  const joined = Buffer.concat(chunks)
  return new Uint8Array(joined.buffer, joined.byteOffset, joined.byteLength)
}

/** A chart as a PNG picture, centred, at most the type area's width (156 mm ≈ 442 pt). */
const chartParagraph = (svg: string) => {
  const { png, width, height } = svgToPng(svg)
  const scale = Math.min(1, 442 / ((width * 3) / 4))
  return new Paragraph({
    alignment: AlignmentType.CENTER,
    keepLines: true,
    spacing: { before: 120, after: 120 },
    children: [
      new ImageRun({
        type: "png",
        data: png,
        transformation: { width: Math.round(width * scale), height: Math.round(height * scale) },
      }),
    ],
  })
}

/** Width of a line of text in twips at 三号: a CJK character is 16 pt, an ASCII one half that. */
const textWidth = (text: string) => [...text].reduce((w, c) => w + (c.charCodeAt(0) < 0x2e80 ? 160 : 320), 0)

const signatureParagraphs = (doc: GovDocument): Paragraph[] => {
  // GB/T 9704 without a seal: the office right-aligned two characters in from the right; the
  // date on the next line, its first character two characters right of the office's first.
  const office = 640
  const dateRight = Math.max(0, office + textWidth(doc.issuer) - 640 - textWidth(doc.date))
  return [
    new Paragraph({
      alignment: AlignmentType.RIGHT,
      indent: { right: office },
      spacing: { before: 560, line: 560, lineRule: "exact" },
      keepNext: true,
      keepLines: true,
      children: [new TextRun({ text: doc.issuer, font: body, size: 32 })],
    }),
    new Paragraph({
      alignment: AlignmentType.RIGHT,
      indent: { right: dateRight },
      spacing: { line: 560, lineRule: "exact" },
      children: [new TextRun({ text: doc.date, font: body, size: 32 })],
    }),
  ]
}

/** "— 1 —" in 四号 half-width Song, centred (single-sided printing; see docs/summary.md). */
const pageNumberFooter = () =>
  new Footer({
    children: [
      new Paragraph({
        alignment: AlignmentType.CENTER,
        children: [new TextRun({ children: ["— ", PageNumber.CURRENT, " —"], font: song, size: 28 })],
      }),
    ],
  })

const attachmentHead = (attachment: DocAttachment): Paragraph[] => [
  new Paragraph({
    keepNext: true,
    spacing: { line: 560, lineRule: "exact" },
    children: [new TextRun({ text: attachment.label, font: heading, size: 32 })],
  }),
  new Paragraph({
    alignment: AlignmentType.CENTER,
    keepNext: true,
    spacing: { after: 280 },
    children: [new TextRun({ text: attachment.title, font: title, size: 36 })],
  }),
]

export type DocxOptions = DocumentOptions

/** Renders the summary as .docx bytes; `date` stamps the document (default: the epoch of the summary's data). */
export const renderDocx = async (
  model: SummaryModel,
  date = new Date("2000-01-01T00:00:00Z"),
  options: DocxOptions = {},
): Promise<Uint8Array> => {
  const doc = buildDocument(model, options)
  const children: Array<Paragraph | Table> = [
    new Paragraph({
      alignment: AlignmentType.CENTER,
      spacing: { after: 560 },
      keepNext: true,
      children: [new TextRun({ text: doc.title, font: title, size: 44 })],
    }),
  ]
  if (doc.addressee !== null)
    children.push(
      new Paragraph({
        spacing: { line: 560, lineRule: "exact" },
        children: [new TextRun({ text: doc.addressee, font: body, size: 32 })],
      }),
    )
  const charts = [
    ...model.charts.figures.map(figureChartSvg),
    ...(model.charts.timeliness.length > 0 ? [timelinessSvg(model.charts.timeliness)] : []),
  ]
  // The charts stand before the closing paragraph, as in the HTML (after the body when there is none).
  const chartsAt = model.closing !== "" ? doc.body.length - 1 : doc.body.length
  for (const [i, block] of doc.body.entries()) {
    if (i === chartsAt) for (const svg of charts) children.push(chartParagraph(svg))
    if (block.level === 0) children.push(paragraph(`${block.number}${block.text}`))
    else children.push(headingParagraph(`${block.number}${block.text}`, block.level))
  }
  if (chartsAt === doc.body.length) for (const svg of charts) children.push(chartParagraph(svg))
  for (const [i, line] of doc.attachmentNote.entries())
    children.push(
      new Paragraph({
        indent: { left: 640 },
        spacing: { before: i === 0 ? 560 : 0, line: 560, lineRule: "exact" },
        keepNext: true,
        children: [new TextRun({ text: line, font: body, size: 32 })],
      }),
    )
  children.push(...signatureParagraphs(doc))

  // Sent tables carry no journal rows: the auditor's trail stays in the Markdown and HTML.
  const [, figureHead, totalHead, statedHead, unitsHead] = model.labels.totalsHeader as string[]
  const totalsRows: BodyRows = {
    count: model.totals.length,
    row: (i) => {
      const f = model.totals[i] as SummaryModel["totals"][number]
      return [f.label, f.stated, f.phrase, String(f.units)]
    },
  }
  const [unitHead, taskHead, , , , figuresHead] = model.labels.unitsHeader as string[]
  const unitsRows: BodyRows = {
    count: model.reports.length,
    row: (i) => {
      const r = model.reports[i] as SummaryModel["reports"][number]
      return [r.unit, r.taskTitle, r.figures || "—"]
    },
  }
  const [totalsAttachment, unitsAttachment] = doc.attachments as [DocAttachment, DocAttachment]
  // One footer object per section: the library writes a shared one for the last section only.
  const footers = () => ({ default: pageNumberFooter() })
  const headers = model.draft
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
    : {}
  const margin = { top: 2098, bottom: 1984, left: 1588, right: 1474, footer: 1304 }
  const document = new Document({
    creator: "联动 Liandong",
    lastModifiedBy: "联动 Liandong",
    title: model.title,
    styles: { default: { document: { run: { font: body, size: 32 } } } },
    sections: [
      { properties: { page: { margin } }, headers, footers: footers(), children },
      {
        properties: { page: { margin } },
        headers,
        footers: footers(),
        children: [
          ...attachmentHead(totalsAttachment),
          table([figureHead, totalHead, statedHead, unitsHead] as string[], [30, 20, 30, 20]),
        ],
      },
      {
        // The reports table is wide: landscape, margins turned with the page.
        properties: {
          page: {
            size: { orientation: PageOrientation.LANDSCAPE },
            margin,
          },
        },
        headers,
        footers: footers(),
        children: [
          ...attachmentHead(unitsAttachment),
          table([unitHead, taskHead, figuresHead] as string[], [20, 25, 55]),
        ],
      },
    ],
  })
  return pin(new Uint8Array(await Packer.toBuffer(document)), date, [totalsRows, unitsRows])
}
