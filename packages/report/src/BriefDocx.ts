/**
 * The 简报 as a Word document: the red masthead (name, 期号, office and date
 * above a red rule), then each item's centred headline and its paragraphs.
 * The package is re-zipped with the issue's own date so the same data gives
 * the same bytes.
 */
import { AlignmentType, BorderStyle, Document, Packer, Paragraph, TabStopType, TextRun } from "docx"
import { unzipSync } from "fflate"
import type { Brief } from "./Brief.ts"
import { zipDated } from "./Docx.ts"

const body = { ascii: "FangSong", eastAsia: "仿宋_GB2312", hAnsi: "FangSong" }
const title = { ascii: "FZXiaoBiaoSong-B05S", eastAsia: "方正小标宋简体", hAnsi: "FZXiaoBiaoSong-B05S" }
const red = "C00000"

const line = { line: 560, lineRule: "exact" as const }

/** Renders an issue as .docx bytes. */
export const renderBriefDocx = async (brief: Brief): Promise<Uint8Array> => {
  const masthead = [
    new Paragraph({
      alignment: AlignmentType.CENTER,
      spacing: { before: 600, after: 200 },
      children: [new TextRun({ text: brief.name, font: title, size: 72, color: red })],
    }),
    new Paragraph({
      alignment: AlignmentType.CENTER,
      spacing: { after: 200 },
      children: [new TextRun({ text: brief.issue, font: body, size: 32 })],
    }),
    new Paragraph({
      tabStops: [{ type: TabStopType.RIGHT, position: 8844 }],
      border: { bottom: { style: BorderStyle.SINGLE, size: 18, color: red, space: 4 } },
      spacing: { after: 400 },
      children: [
        new TextRun({ text: brief.office, font: body, size: 32 }),
        new TextRun({ text: `\t${brief.date}`, font: body, size: 32 }),
      ],
    }),
  ]
  const empty = brief.lang === "en" ? "No approved reports yet." : "尚无审核通过的报送。"
  const items =
    brief.items.length === 0
      ? [new Paragraph({ spacing: line, children: [new TextRun({ text: empty, font: body, size: 32 })] })]
      : brief.items.flatMap((item) => [
          new Paragraph({
            alignment: AlignmentType.CENTER,
            spacing: { before: 300, after: 100 },
            keepNext: true,
            children: [new TextRun({ text: item.headline, font: title, size: 36, bold: true })],
          }),
          ...item.paragraphs.map(
            (p) =>
              new Paragraph({
                indent: { firstLine: 640 },
                spacing: line,
                alignment: AlignmentType.JUSTIFIED,
                children: [new TextRun({ text: p, font: body, size: 32 })],
              }),
          ),
        ])
  const document = new Document({
    creator: "联动 Liandong",
    lastModifiedBy: "联动 Liandong",
    title: `${brief.name} ${brief.issue}`,
    sections: [
      {
        properties: { page: { margin: { top: 2098, bottom: 1984, left: 1587, right: 1474 } } },
        children: [...masthead, ...items],
      },
    ],
  })
  return zipDated(unzipSync(new Uint8Array(await Packer.toBuffer(document))), brief.stamp)
}
