import { mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { strFromU8, unzipSync } from "fflate"
import { describe, expect, it } from "vitest"
import { liandong } from "./cli.ts"

describe("pnpm demo", () => {
  it("runs the seed campaign to its summary with the seed's totals, twice", async () => {
    const dir = await mkdtemp(join(tmpdir(), "liandong-demo-"))
    const args = ["demo", "--data", join(dir, "data"), "--out", join(dir, "out")]
    for (const round of [1, 2]) {
      const result = await liandong(args)
      expect(result.code, `round ${round}: ${result.stderr}`).toBe(0)
      expect(result.stdout).toContain("已结束 closed")
      expect(result.stdout).toContain("⚠ 逾期 丙县知识产权局")
      expect(result.stdout).toContain("↩ 退回 东区知识产权局")
      const lines = result.stdout.split("\n")
      const header = lines.findIndex((line) => line.startsWith("单位 unit"))
      const rows = lines.slice(header + 2, lines.indexOf("", header))
      expect(rows).toHaveLength(20)
      for (const row of rows) expect(row).toMatch(/^\S+\s+(?:(?:✓ 已通过|—)\s*)+$/u)
    }
    const summary = await readFile(join(dir, "out", "summary.md"), "utf8")
    for (const phrase of [
      "# 遂州市2026年知识产权宣传周活动总结",
      "按照国、省知识产权局的部署，遂州市知识产权局",
      "“设计未来”",
      "## 一、高度重视、精心组织，抓好活动准备工作",
      "发放知识产权宣传资料10000多份",
      "开展知识产权专题讲座5场",
      "培训企业及县区知识产权管理人员260余人次",
      "组织企业参加研讨会90余家",
      "我局牵头组织市工商局、市药监局等14家成员单位",
      "共检查重点商贸企业5家",
      "开展执法专项行动5次",
      "## 五、存在的困难和问题",
      "常抓不懈、持之以恒",
    ]) {
      expect(summary).toContain(phrase)
    }
    expect(summary).toContain("| 10360份 | 10000多份 |")
    // The text as the office sends it: no sentence twice, full-width punctuation, no placeholder.
    const body = summary.slice(0, summary.indexOf("## 附件1"))
    expect(body.length).toBeGreaterThan(1000)
    const sentences = body
      .split("\n")
      .filter((line) => !line.startsWith("#"))
      .filter((line) => !line.startsWith("<div"))
      .flatMap((line) => line.replace(/^\d+[、.]/u, "").split(/(?<=。)/u))
      .map((s) => s.trim())
      .filter((s) => s !== "")
    expect(sentences.filter((s, i) => sentences.indexOf(s) !== i)).toEqual([])
    expect(body).not.toMatch(/[,;:?!()]|xx/u)
    // Nowhere, appendices included, a half-width mark beside Chinese text.
    expect(
      summary.match(
        /[\u3400-\u9fff\u3000-\u303f\uff00-\uffef][,:;()?!]|[,:;()?!][\u3400-\u9fff\u3000-\u303f\uff00-\uffef]/gu,
      ) ?? [],
    ).toEqual([])
    // Appendices a reader can check: a maximum says so; the reports in the definition's order.
    const appendix = summary.slice(summary.indexOf("## 附件1"))
    expect(appendix).toContain("| 检查重点商贸企业 | 5家（各单位最大值） |")
    expect(
      appendix
        .split("## 附件2")[1]
        ?.split("\n")
        .find((line) => line.startsWith("| 遂州") || line.startsWith("| 市")),
    ).toMatch(/^\| 遂州市知识产权局 \| 召开宣传周活动筹备会议/u)

    // Golden files: the seed campaign's summary, word for word (UPDATE_GOLDEN=1 rewrites them).
    const docx = unzipSync(new Uint8Array(await readFile(join(dir, "out", "summary.docx"))))
    const documentXml = strFromU8(docx["word/document.xml"] as Uint8Array)
    const html = await readFile(join(dir, "out", "summary.html"), "utf8")
    expect(html).toContain("<svg")
    const golden = fileURLToPath(new URL("./golden/", import.meta.url))
    for (const [name, actual] of [
      ["ip-week-2026.summary.md", summary],
      ["ip-week-2026.document.xml", documentXml],
    ] as const) {
      if (process.env.UPDATE_GOLDEN === "1") {
        await mkdir(golden, { recursive: true })
        await writeFile(join(golden, name), actual)
      }
      expect(actual, `${name} differs from its golden copy`).toBe(await readFile(join(golden, name), "utf8"))
    }
    // Two whole demos: a generous limit, so a busy machine is slow, not failed.
  }, 600_000)
})
