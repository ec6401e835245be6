import { execFileSync } from "node:child_process"
import { existsSync } from "node:fs"
import { mkdtemp, readFile, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { normalizeCampaign } from "@liandong/workflow"
import { strFromU8, unzipSync } from "fflate"
import { describe, expect, it } from "vitest"
import { buildSummaryModel, renderDocx } from "../src/index.ts"

const campaign = normalizeCampaign({
  key: "docx-week",
  title: "甲市知识产权宣传周",
  coordinator: "city",
  units: [
    { key: "city", name: "甲市知识产权局", role: "host" },
    { key: "a", name: "一县知识产权局", role: "subordinate", parent: "city" },
  ],
  phases: [
    {
      key: "publicity",
      opensAt: "2026-04-20",
      closesAt: "2026-04-26",
      tasks: [
        {
          key: "brochures",
          title: { zh: "派发宣传资料" },
          assign: { roles: ["subordinate"] },
          deadline: "2026-04-25",
          figures: [{ key: "brochures", label: { zh: "发放宣传资料" }, measure: "份", phrasing: "approximate" }],
        },
      ],
    },
  ],
})
const at = new Date("2026-04-24T08:00:00Z")
const model = buildSummaryModel(
  campaign,
  [
    {
      task: "brochures",
      figure: "brochures",
      total: "10350",
      contributions: [{ unit: "a", report: "3", value: "10350", journal: 9 }],
    },
  ],
  [
    {
      id: "3",
      unit: "a",
      task: "brochures",
      attempt: 1,
      submittedAt: at,
      approvedAt: at,
      approvedBy: "lead",
      narrative: { narrative: "设点宣传" },
      figures: { brochures: "10350" },
    },
  ],
)

const soffice = ["/usr/bin/soffice", "/usr/bin/libreoffice"].find((path) => existsSync(path))

describe("the Word file", () => {
  it("parses back: its document holds the text, the fonts and the appendix table", async () => {
    const files = unzipSync(await renderDocx(model))
    const xml = strFromU8(files["word/document.xml"] as Uint8Array)
    expect(xml).toContain("甲市知识产权宣传周活动总结")
    expect(xml).toContain("一县知识产权局共发放宣传资料10000多份")
    expect(xml).toContain('w:eastAsia="方正小标宋简体"')
    expect(xml).toContain("<w:tbl>")
    expect(strFromU8(files["docProps/core.xml"] as Uint8Array)).toContain("2000-01-01T00:00:00Z")
  })

  // CI installs LibreOffice from Debian's packages; elsewhere this runs where it is installed.
  it.skipIf(soffice === undefined)("opens in LibreOffice and converts to PDF", async () => {
    const dir = await mkdtemp(join(tmpdir(), "liandong-docx-"))
    await writeFile(join(dir, "summary.docx"), await renderDocx(model))
    execFileSync(
      soffice as string,
      [
        "--headless",
        `-env:UserInstallation=file://${dir}/profile`,
        "--convert-to",
        "pdf",
        "--outdir",
        dir,
        join(dir, "summary.docx"),
      ],
      {
        stdio: "ignore",
        timeout: 120_000,
      },
    )
    const pdf = await readFile(join(dir, "summary.pdf"))
    expect(pdf.subarray(0, 5).toString()).toBe("%PDF-")
    expect(pdf.length).toBeGreaterThan(5_000)
  })
})
