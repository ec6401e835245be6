import { mkdtemp, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { greenBookmark, greenBookmarkScript } from "@liandong/campaigns"
import { beforeAll, describe, expect, it } from "vitest"
import { liandongInProcess as liandong } from "./in-process.ts"

// A different campaign — other units, custom phases, a quorum gate, other figures —
// played entirely through the CLI, as an office would, with no code of its own. The hundred
// commands run in this process (in-process.ts): the command tree, flags, output and exit codes
// are the CLI's; the launcher and the process around it have tests of their own.
describe("a second campaign through the same CLI", () => {
  let env: Record<string, string>
  let dir: string
  const run = async (...args: string[]) => {
    const result = await liandong(args, env)
    expect(result.code, `${args.join(" ")}\n${result.stderr}`).toBe(0)
    return result.stdout
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "liandong-green-"))
    env = { LIANDONG_DATA: join(dir, "data") }
    const file = join(dir, "green.json")
    await writeFile(file, JSON.stringify(greenBookmark))
    expect(await run("deploy", file)).toContain("green-bookmark-2026")
    await run("principal", "add", "lead", "--name", "领导小组", "--role", "coordinator", "--unit", "culture-sports")
    for (const unit of greenBookmark.units) {
      await run("principal", "add", unit.key, "--name", `${unit.name}联络员`, "--role", "unit", "--unit", unit.key)
    }
  })

  it("plays from planning to its summary", async () => {
    const key = greenBookmark.key
    await run("start", key, "--as", "lead", "--now", greenBookmarkScript.startAt)
    for (const step of greenBookmarkScript.steps) {
      await run("worker", "--until-idle", "--now", step.at)
      for (const action of step.actions) {
        const ref = `${key}/${action.unit}/${action.task}`
        const now = ["--now", step.at]
        if (action.kind === "ack") await run("ack", ref, "--as", action.unit, ...now)
        else if (action.kind === "approve")
          await run("approve", ref, "--comment", "同意，材料齐全", "--as", "lead", ...now)
        else if (action.kind === "return") await run("return", ref, "--reason", action.reason, "--as", "lead", ...now)
        else {
          const body = join(dir, `${action.unit}-${action.task}.json`)
          await writeFile(body, JSON.stringify({ figures: action.figures ?? {}, narrative: action.narrative }))
          await run("report", ref, "--file", body, "--as", action.unit, ...now)
        }
      }
    }
    await run("worker", "--until-idle", "--now", greenBookmarkScript.endAt)
    const status = JSON.parse(await run("status", key, "--json", "--as", "lead")) as {
      status: string
      rows: Array<{ unit: string; phases: Record<string, { state: string } | null> }>
    }
    expect(status.status).toBe("closed")
    // 区教育局 never made its materials: the quorum closed planning without it.
    const education = status.rows.find((r) => r.unit === "district-education")
    expect(education?.phases.plan?.state).toBe("closed")
    expect(status.rows.find((r) => r.unit === "science-innovation")?.phases.plan?.state).toBe("done")
    const table = await run("status", key, "--as", "lead")
    expect(table).toContain("策划 plan")
    expect(table).toContain("现场活动 event")
    // Each approval's 审批意见 is in its journal row.
    const trail = JSON.parse(await run("audit", "trail", key, "--json", "--as", "lead")) as Array<{
      event: string
      note: { comment?: string | null }
    }>
    const approvals = trail.filter((e) => e.event === "task.approve")
    expect(approvals.length).toBeGreaterThan(0)
    expect(approvals.every((e) => e.note.comment === "同意，材料齐全")).toBe(true)
    const summary = await run("summary", key, "--as", "lead")
    expect(summary).toContain("收回试卷914份")
    expect(summary).toContain("参赛文化企业及机关单位95家")
    expect(summary).toContain("表彰竞赛优胜者37名")
    expect(summary).toContain("## 一、分工明确、组织有序")
    // About a hundred commands, each opening the embedded database: on a busy machine each
    // takes seconds, so the bound only catches a hang.
  }, 900_000)
})
