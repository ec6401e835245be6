import { mkdtemp, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { greenBookmark, greenBookmarkScript } from "@liandong/campaigns"
import { beforeAll, describe, expect, it } from "vitest"
import { liandongInProcess as liandong } from "./in-process.ts"

// `liandong nudge`: the coordinator nudges every unit that has not acknowledged, and is told whom.
describe("CLI nudge (催办)", () => {
  let env: Record<string, string>
  const key = greenBookmark.key
  const at = greenBookmarkScript.steps[0]?.at ?? greenBookmarkScript.startAt
  const unitKey = greenBookmark.units[1]?.key ?? ""

  beforeAll(async () => {
    const dir = await mkdtemp(join(tmpdir(), "liandong-nudge-"))
    env = { LIANDONG_DATA: join(dir, "data") }
    const file = join(dir, "green.json")
    await writeFile(file, JSON.stringify(greenBookmark))
    const run = async (...args: string[]) => {
      const result = await liandong(args, env)
      expect(result.code, `${args.join(" ")}\n${result.stderr}`).toBe(0)
    }
    await run("deploy", file)
    await run("principal", "add", "lead", "--name", "领导小组", "--role", "coordinator", "--unit", "culture-sports")
    await run("principal", "add", "clerk", "--name", "联络员", "--role", "unit", "--unit", unitKey)
    await run("start", key, "--as", "lead", "--now", greenBookmarkScript.startAt)
    await run("worker", "--until-idle", "--now", at)
  }, 300_000)

  it("prints the units nudged, and refuses a unit nudging outside the units below it", async () => {
    const nudged = await liandong(
      ["nudge", key, "--not-acknowledged", "--message", "请尽快确认", "--as", "lead", "--now", at],
      env,
    )
    expect(nudged.code, nudged.stderr).toBe(0)
    expect(nudged.stdout).toMatch(/已催办 \d+ 个单位 \/ nudged \d+ unit/u)
    expect(nudged.stdout).toContain(unitKey)
    const refused = await liandong(["nudge", key, "--unit", "culture-sports", "--as", "clerk", "--now", at], env)
    expect(refused.code).not.toBe(0)
    expect(refused.stderr).toContain("催办")
    const both = await liandong(["nudge", key, "--not-reported", "--returned", "--as", "lead", "--now", at], env)
    expect(both.code).not.toBe(0)
    expect(both.stderr).toContain("which")
  }, 300_000)
})
