import { writeFile } from "node:fs/promises"
import { join } from "node:path"
import { beforeAll, describe, expect, it } from "vitest"
import { liandong as inOwnProcess, tourWorkspace } from "./cli.ts"
import { liandongInProcess as liandong } from "./in-process.ts"

// Bad input gets one clear line in Chinese and English, a non-zero exit, and changes nothing.
// The commands run in this process; what the process itself prints (no stack trace, the
// details with --debug) is checked on the launcher.
describe("CLI errors", () => {
  let env: Record<string, string>
  let dir: string
  beforeAll(async () => {
    ;({ dir, env } = await tourWorkspace("liandong-errors-", [], liandong))
  }, 120_000)

  it("a bad definition names every problem and deploys nothing", async () => {
    const file = join(dir, "bad.json")
    await writeFile(
      file,
      JSON.stringify({
        key: "Bad Key",
        title: "坏定义",
        coordinator: "nobody",
        units: [{ key: "a", name: "甲", role: "chief" }],
        phases: [],
      }),
    )
    const result = await inOwnProcess(["deploy", file], env)
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/^错误:/u)
    expect(result.stderr).toContain("key:")
    expect(result.stderr).toContain("units[0].role")
    expect(result.stderr).toContain("phases")
    expect(result.stderr).not.toContain("    at ")
    const campaigns = await liandong(["campaigns", "--json"], env)
    expect((JSON.parse(campaigns.stdout) as unknown[]).length).toBe(1)
  })

  it("deploys a definition that is probably wrong, saying what", async () => {
    const { tour } = await import("@liandong/campaigns")
    const file = join(dir, "doubled.json")
    const doubled = {
      ...tour,
      key: "tour-doubled",
      units: [...tour.units, { key: "east-2", name: "东区知识产权局", role: "member" }],
    }
    await writeFile(file, JSON.stringify(doubled))
    const result = await liandong(["deploy", file], env)
    expect(result.code, result.stderr).toBe(0)
    expect(result.stderr).toContain("提醒:units[3].name: 单位名称“东区知识产权局”与 units[1] 重复")
    expect(result.stderr).toContain("note: the unit name")
    expect(result.stderr).toContain("单位“东区知识产权局”没有任何任务")
  })

  it("between phases, the status names the next phase as not yet open", async () => {
    const { tour } = await import("@liandong/campaigns")
    const file = join(dir, "early.json")
    await writeFile(file, JSON.stringify({ ...tour, key: "tour-early" }))
    for (const args of [
      ["deploy", file],
      ["start", "tour-early", "--as", "lead", "--now", "2026-04-12T09:00+08:00"],
    ]) {
      const result = await liandong(args, env)
      expect(result.code, result.stderr).toBe(0)
    }
    const before = await liandong(["status", "tour-early", "--as", "lead", "--now", "2026-04-12T10:00+08:00"], env)
    expect(before.stdout).toContain("下一阶段:宣传(待开始)")
    await liandong(["worker", "--until-idle", "--now", "2026-04-13T09:00+08:00"], env)
    const during = await liandong(["status", "tour-early", "--as", "lead", "--now", "2026-04-13T10:00+08:00"], env)
    expect(during.stdout).toContain("当前阶段:宣传")
  })

  it("another unit's task is not found; the operator cannot act for a unit", async () => {
    const foreign = await liandong(["ack", "tour-2026/east-district/brochures", "--as", "west"], env)
    expect(foreign.code).toBe(1)
    expect(foreign.stderr).toContain("未找到任务")
    expect(foreign.stderr).toContain("not found")
    const operator = await liandong(["ack", "tour-2026/east-district/brochures"], env)
    expect(operator.code).toBe(1)
    expect(operator.stderr).toContain("无权")
  })

  it("a report breaking a rule between its figures is refused with the field named", async () => {
    const { tour } = await import("@liandong/campaigns")
    const [publicity, ...rest] = tour.phases
    const brochures = publicity?.tasks[0]
    if (publicity === undefined || brochures === undefined || !("figures" in brochures))
      throw new Error("the tour changed")
    const withRule = {
      ...tour,
      key: "tour-rules",
      phases: [
        {
          ...publicity,
          tasks: [
            {
              ...brochures,
              figures: [
                ...brochures.figures,
                { key: "invited", label: { zh: "邀请单位", en: "units invited" }, measure: "家" },
                { key: "attended", label: { zh: "参会单位", en: "units attending" }, measure: "家" },
              ],
              rules: ["attended <= invited"],
            },
          ],
        },
        ...rest,
      ],
    }
    const file = join(dir, "tour-rules.json")
    await writeFile(file, JSON.stringify(withRule))
    for (const args of [
      ["deploy", file],
      ["start", "tour-rules", "--as", "lead", "--now", "2026-04-12T09:00+08:00"],
      ["worker", "--until-idle", "--now", "2026-04-13T09:00+08:00"],
      ["ack", "tour-rules/east-district/brochures", "--as", "east"],
    ]) {
      const result = await liandong(args, env)
      expect(result.code, result.stderr).toBe(0)
    }
    const figures = ["brochures=100", "invited=20", "attended=25"].flatMap((pair) => ["--figure", pair])
    const refused = await liandong(
      ["report", "tour-rules/east-district/brochures", "--as", "east", ...figures, "--text", "已召开推进会"],
      env,
    )
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain("figures.attended")
    expect(refused.stderr).toContain("“参会单位”（25）应不大于“邀请单位”（20）")
    const reports = await liandong(["reports", "--json", "--as", "lead"], env)
    expect(JSON.parse(reports.stdout)).toEqual([])
  })

  it("a bad figure is refused by field, and a bad reference by its form", async () => {
    await liandong(["ack", "tour-2026/east-district/brochures", "--as", "east"], env)
    const bad = await liandong(
      ["report", "tour-2026/east-district/brochures", "--as", "east", "--figure", "brochures=-3"],
      env,
    )
    expect(bad.code).toBe(1)
    expect(bad.stderr).toContain("figures.brochures")
    expect(bad.stderr).toContain("narrative.narrative")
    const reports = await liandong(["reports", "--json", "--as", "lead"], env)
    expect(JSON.parse(reports.stdout)).toEqual([])
    const malformed = await liandong(["ack", "not-a-reference", "--as", "east"], env)
    expect(malformed.code).toBe(1)
    expect(malformed.stderr).toContain("活动/单位/任务")
  })

  it("--debug adds the details", async () => {
    const result = await inOwnProcess(["ack", "tour-2026/east-district/nothing", "--as", "east", "--debug"], env)
    expect(result.code).toBe(1)
    expect(result.stderr.split("\n").length).toBeGreaterThan(3)
  })
})
