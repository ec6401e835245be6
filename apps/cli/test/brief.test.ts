import { existsSync } from "node:fs"
import { mkdtemp, readFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { ipWeek } from "@liandong/campaigns"
import { strFromU8, unzipSync } from "fflate"
import { beforeAll, describe, expect, it } from "vitest"
import { liandongInProcess as liandong } from "./in-process.ts"

const halfWidthByChinese = /\p{Script=Han}[,:;()?!]|[,:;()?!]\p{Script=Han}/u
const countyNames = new Set(["甲县知识产权局", "乙县知识产权局", "丙县知识产权局"])

// The 简报 of the demo campaign, through the CLI as an office would ask for it.
describe("summary --form brief", () => {
  let env: Record<string, string>
  let dir: string
  const campaign = ipWeek.key
  const lead = `${ipWeek.coordinator}.lead`

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "liandong-brief-"))
    env = { LIANDONG_DATA: join(dir, "data") }
    const result = await liandong(["demo", "--data", join(dir, "data"), "--out", join(dir, "out")], env)
    expect(result.code, result.stderr).toBe(0)
  }, 300_000)

  it("has a masthead and one item per approved report, each with its unit and figures", async () => {
    const result = await liandong(["summary", campaign, "--form", "brief", "--issue", "5", "--as", lead], env)
    expect(result.code, result.stderr).toBe(0)
    const text = result.stdout
    expect(text).toContain("# 遂州市2026年知识产权宣传周简报")
    expect(text).toContain("第5期")
    expect(text).toMatch(/遂州市知识产权局　　2026年\d+月\d+日/u)
    const headlines = text.split("\n").filter((line) => line.startsWith("## "))
    expect(headlines.length).toBeGreaterThan(10)
    expect(text).toContain("## 甲县知识产权局")
    expect(text).toMatch(/共[^。]*\d+[^。]*。/u)
    expect(text).not.toMatch(halfWidthByChinese)
    const said = text.split(/[。\n]/u).filter((s) => s.length > 8 && !s.startsWith("#"))
    const repeated = said.filter((s, i) => said.indexOf(s) !== i)
    expect(repeated).toEqual([])
  })

  it("a level's issue carries only that unit and its subordinates", async () => {
    const result = await liandong(["summary", campaign, "--form", "brief", "--level", "county-a", "--as", lead], env)
    expect(result.code, result.stderr).toBe(0)
    const units = result.stdout
      .split("\n")
      .filter((line) => line.startsWith("## "))
      .map((line) => [...countyNames, "遂州市知识产权局"].find((n) => line.startsWith(`## ${n}`)) ?? line)
    expect(units.length).toBeGreaterThan(0)
    expect(new Set(units)).toEqual(new Set(["甲县知识产权局"]))
    expect(result.stdout).toContain("甲县知识产权局　　")
  })

  it("writes Word and HTML, the same Word bytes twice; English does not crash", async () => {
    const out = (name: string) => join(dir, name)
    for (const name of ["a.docx", "b.docx", "brief.html"]) {
      const result = await liandong(["summary", campaign, "--form", "brief", "--out", out(name), "--as", lead], env)
      expect(result.code, result.stderr).toBe(0)
    }
    const [a, b] = [await readFile(out("a.docx")), await readFile(out("b.docx"))]
    expect(a.equals(b)).toBe(true)
    const xml = strFromU8(unzipSync(new Uint8Array(a))["word/document.xml"] as Uint8Array)
    expect(xml).toContain("第1期")
    expect(xml).toContain("遂州市知识产权局")
    expect(await readFile(out("brief.html"), "utf8")).toContain('<span class="office">遂州市知识产权局</span>')
    const en = await liandong(["summary", campaign, "--form", "brief", "--lang", "en", "--as", lead], env)
    expect(en.code, en.stderr).toBe(0)
    expect(en.stdout).toContain("No. 1")
  })

  it("bad flag values give a bilingual error and write nothing", async () => {
    for (const [flag, value] of [
      ["--issue", "0"],
      ["--issue", "二"],
      ["--form", "poster"],
    ] as const) {
      const file = join(dir, `bad-${value}.md`)
      const form = flag === "--form" ? [] : ["--form", "brief"]
      const result = await liandong(["summary", campaign, ...form, flag, value, "--out", file, "--as", lead], env)
      expect(result.code).toBe(1)
      expect(result.stderr).toMatch(/^错误/u)
      expect(result.stderr).toMatch(/须为/u)
      expect(result.stderr).toMatch(/must be/u)
      expect(existsSync(file)).toBe(false)
    }
  })

  it("a unit's liaison may not read it, as with the summary", async () => {
    const result = await liandong(["summary", campaign, "--form", "brief", "--as", "county-a.liaison"], env)
    expect(result.code).toBe(1)
    expect(result.stderr).toContain("只有牵头单位和审计人员")
  })
})
