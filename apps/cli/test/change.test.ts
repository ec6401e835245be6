import { writeFile } from "node:fs/promises"
import { join } from "node:path"
import { beforeAll, describe, expect, it } from "vitest"
import { tourWorkspace } from "./cli.ts"
import { liandongInProcess as liandong } from "./in-process.ts"

// A running campaign changes from the command line: planned, applied with a reason, replayed.
describe("changing a running campaign from the CLI", () => {
  let env: Record<string, string>
  let dir: string
  const now = ["--now", "2026-04-14T09:00+08:00"]
  beforeAll(async () => {
    ;({ dir, env } = await tourWorkspace("liandong-change-", [], liandong))
  }, 240_000)

  it("extends one unit's deadline: a dry run writes nothing, a reason is required, then it applies", async () => {
    const extend = [
      "change",
      "extend",
      "tour-2026",
      "--task",
      "brochures",
      "--unit",
      "west-district",
      "--to",
      "2026-04-25T18:00",
    ]
    const planned = await liandong([...extend, "--dry-run", "--as", "lead", ...now], env)
    expect(planned.code, planned.stderr).toBe(0)
    expect(planned.stdout).toContain("变更计划(未执行)")
    expect(planned.stdout).toContain(
      "西区知识产权局的任务“发放知识产权宣传资料”截止时间由 2026-04-24 18:00 改为 2026-04-25 18:00",
    )
    const bare = await liandong([...extend, "--as", "lead", ...now], env)
    expect(bare.code).toBe(1)
    expect(bare.stderr).toContain("须说明变更理由")
    const byUnit = await liandong([...extend, "--reason", "西区申请延期", "--as", "east", ...now], env)
    expect(byUnit.code).toBe(1)
    expect(byUnit.stderr).toContain("无权变更")
    const applied = await liandong([...extend, "--reason", "西区申请延期一天", "--as", "lead", ...now], env)
    expect(applied.code, applied.stderr).toBe(0)
    expect(applied.stdout).toContain("已变更为版本 2")
    const tasks = await liandong(["tasks", "--campaign", "tour-2026", "--json"], env)
    const west = (JSON.parse(tasks.stdout) as Array<{ unit: string; task: string; deadline: string }>).find(
      (t) => t.unit === "west-district" && t.task === "brochures",
    )
    expect(west?.deadline).toBe("2026-04-25T10:00:00.000Z")
  })

  it("plans a definition file, refuses what cannot change, applies what can, and the audit replays it", async () => {
    const { tour } = await import("@liandong/campaigns")
    const moved = join(dir, "moved.json")
    await writeFile(
      moved,
      JSON.stringify({ ...tour, phases: tour.phases.map((p, i) => (i === 0 ? { ...p, opensAt: "2026-04-15" } : p)) }),
    )
    const refused = await liandong(["plan", moved, "--as", "lead", ...now], env)
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain("phases[0].opensAt")
    expect(refused.stderr).toContain("阶段已开始,开始时间不能再改")
    const grown = join(dir, "grown.json")
    const [publicity, summary] = tour.phases
    await writeFile(
      grown,
      JSON.stringify({
        ...tour,
        phases: [
          {
            ...publicity,
            tasks: publicity?.tasks.map((t) => ({
              ...t,
              extensions: [{ units: ["west-district"], deadline: "2026-04-25T18:00" }],
            })),
          },
          {
            ...summary,
            tasks: [
              ...(summary?.tasks ?? []),
              {
                key: "cases",
                title: { zh: "报送典型案例", en: "Report a model case" },
                assign: { roles: ["subordinate"] },
                deadline: "2026-05-08",
              },
            ],
          },
        ],
      }),
    )
    const plan = await liandong(["plan", grown, "--as", "lead", ...now], env)
    expect(plan.code, plan.stderr).toBe(0)
    expect(plan.stdout).toContain("阶段“总结”新增任务“报送典型案例”")
    const applied = await liandong(["apply", grown, "--reason", "增加典型案例报送", "--as", "lead", ...now], env)
    expect(applied.code, applied.stderr).toBe(0)
    expect(applied.stdout).toContain("已变更为版本 3")
    const verify = await liandong(["audit", "verify", "tour-2026"], env)
    expect(verify.code, `${verify.stdout}${verify.stderr}`).toBe(0)
    const trail = await liandong(["audit", "trail", "tour-2026"], env)
    expect(trail.stdout).toContain("变更活动定义")
    expect(trail.stdout).toContain("增加典型案例报送")
  })
})
