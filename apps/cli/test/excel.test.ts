import { readFile, writeFile } from "node:fs/promises"
import { join } from "node:path"
import readExcelFile from "read-excel-file/node"
import { beforeAll, describe, expect, it } from "vitest"
import writeExcelFile from "write-excel-file/node"
import { tourWorkspace } from "./cli.ts"
import { liandongInProcess as liandong } from "./in-process.ts"

// Excel both ways, through the real command: the workbook out, a unit list in.
describe("Excel", () => {
  let env: Record<string, string>
  let dir: string
  beforeAll(async () => {
    ;({ dir, env } = await tourWorkspace(
      "liandong-excel-",
      [
        ["ack", "tour-2026/east-district/brochures", "--as", "east"],
        [
          "report",
          "tour-2026/east-district/brochures",
          "--as",
          "east",
          "--figure",
          "brochures=１，２００",
          "--text",
          "设点",
        ],
        ["ack", "tour-2026/west-district/brochures", "--as", "west"],
      ],
      liandong,
    ))
  }, 180_000)

  const sheetsOf = async (path: string) =>
    Object.fromEntries((await readExcelFile(await readFile(path))).map((s) => [s.sheet, s.data]))

  it("exports the workbook as the principal may read it", async () => {
    const all = join(dir, "all.xlsx")
    const lead = await liandong(["export", "tour-2026", "--out", all, "--as", "lead"], env)
    expect(lead.code, lead.stderr).toBe(0)
    expect(lead.stdout).toContain("统计表已写入")
    const sheets = await sheetsOf(all)
    const progress = sheets["进度"] ?? []
    // Without --now the CLI runs on today's date, past the deadlines: late, and said so.
    expect(progress.slice(1, 3).map((row) => [row[0], row[4]])).toEqual([
      ["东区知识产权局", "待审核（逾期）"],
      ["西区知识产权局", "已确认未报送（逾期）"],
    ])
    // The figure typed in full-width digits with a separator, stored and exported as the number.
    expect((sheets["发放知识产权宣传资料"] ?? [])[1]?.slice(0, 4)).toEqual([
      "东区知识产权局",
      1,
      "待审核",
      "东区联络员",
    ])
    expect((sheets["发放知识产权宣传资料"] ?? [])[1]).toContain(1200)
    const mine = join(dir, "west.xlsx")
    expect((await liandong(["export", "tour-2026", "--out", mine, "--as", "west"], env)).code).toBe(0)
    const west = JSON.stringify(await sheetsOf(mine))
    expect(west).toContain("西区知识产权局")
    expect(west).not.toContain("东区")
  })

  it("refuses a workbook under another name, and a campaign the principal cannot see", async () => {
    const csv = await liandong(["export", "tour-2026", "--out", join(dir, "x.csv"), "--as", "lead"], env)
    expect(csv.code).toBe(1)
    expect(csv.stderr).toContain("须为 .xlsx 文件")
    const unknown = await liandong(["export", "no-such", "--out", join(dir, "y.xlsx"), "--as", "lead"], env)
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toContain("not found")
  })

  it("reads a unit list into a definition, which then deploys", async () => {
    const list = join(dir, "units.xlsx")
    await writeExcelFile([
      ["单位名称", "类别", "层级", "上级单位", "标识", "类型"],
      ["南市知识产权局", "主办", "市级", null, "south-city", null],
      ["南市一区", "下级单位", "县级", "南市知识产权局", "district-1", null],
      ["南市二区", "下级单位", "县级", "south-city", null, null],
      ["南市知识产权协会", "协办", null, null, "association", "协会"],
    ]).toFile(list)
    const { tour } = await import("@liandong/campaigns")
    const definition = join(dir, "south.json")
    await writeFile(definition, JSON.stringify({ ...tour, key: "south-2026", coordinator: "south-city", units: [] }))
    const imported = await liandong(["units", "import", list, "--into", definition], env)
    expect(imported.code, imported.stderr).toBe(0)
    expect(imported.stdout).toContain("已将 4 个单位写入")
    const written = JSON.parse(await readFile(definition, "utf8"))
    expect(written.units).toEqual([
      { key: "south-city", name: "南市知识产权局", role: "host", level: "city" },
      { key: "district-1", name: "南市一区", role: "subordinate", level: "county", parent: "south-city" },
      { key: "unit-003", name: "南市二区", role: "subordinate", level: "county", parent: "south-city" },
      { key: "association", name: "南市知识产权协会", role: "co-organiser", kind: "协会" },
    ])
    const deployed = await liandong(["deploy", definition], env)
    expect(deployed.code, deployed.stderr).toBe(0)
  })

  it("names the row and column of every bad entry, and writes nothing", async () => {
    const list = join(dir, "bad.xlsx")
    await writeExcelFile([
      ["名称", "类别", "层级", "上级"],
      ["北市知识产权局", "主办", "市级", null],
      ["北市一区", "局", "县", "北市知识产权局"],
      ["北市二区", "下级单位", "乡", "南市"],
      ["北市一区", "下级单位", null, null],
    ]).toFile(list)
    const definition = join(dir, "north.json")
    const before = JSON.stringify({ key: "north", units: [] })
    await writeFile(definition, before)
    const refused = await liandong(["units", "import", list, "--into", definition], env)
    expect(refused.code).toBe(1)
    for (const part of [
      "第3行“类别”",
      "“局”不是单位类别",
      "第4行“层级”",
      "第4行“上级”",
      "第5行“名称”：与第3行重复",
      "row 3, role",
    ])
      expect(refused.stderr).toContain(part)
    expect(await readFile(definition, "utf8")).toBe(before)
  })
})
