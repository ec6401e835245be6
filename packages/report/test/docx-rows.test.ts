import { Document, Packer, Paragraph, Table, TableCell, TableRow, TextRun } from "docx"
import { strFromU8, unzipSync } from "fflate"
import { describe, expect, it } from "vitest"
import { bodyRowXml } from "../src/Docx.ts"

// The appendix rows are written as text, not through the library: they must stay what the library writes.
const libraryRow = async (texts: ReadonlyArray<string>) => {
  const font = { ascii: "FangSong", eastAsia: "仿宋_GB2312", hAnsi: "FangSong" }
  const cell = (text: string) =>
    new TableCell({ children: [new Paragraph({ children: [new TextRun({ text, font, size: 21, bold: false })] })] })
  const document = new Document({
    sections: [{ children: [new Table({ rows: [new TableRow({ children: texts.map(cell) })] })] }],
  })
  const xml = strFromU8(unzipSync(new Uint8Array(await Packer.toBuffer(document)))["word/document.xml"] as Uint8Array)
  return xml.slice(xml.indexOf("<w:tr>"), xml.indexOf("</w:tbl>"))
}

describe("an appendix row of the Word file", () => {
  it.each([
    ["plain text", ["一县知识产权局", "派发宣传资料", "3", "发放宣传资料 5350"]],
    ["markup and quotes", ["a&b<c>\"d'e", "—", "", "x"]],
    ["tabs, line breaks and control characters", ["\t\n\r", "\u0000\u0001\u000b\u001f", "😀", "end"]],
  ])("is written as the docx library writes it: %s", async (_, texts) => {
    expect(bodyRowXml(texts)).toBe(await libraryRow(texts))
  })
})
