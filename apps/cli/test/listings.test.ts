import { mkdtemp, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { tour } from "@liandong/campaigns"
import { beforeAll, describe, expect, it } from "vitest"
import { liandongInProcess as liandong } from "./in-process.ts"

const districts = ["d01", "d02", "d03", "d04", "d05", "d06"]

/** The tour with six districts and a town under the first: seven units with two tasks each. */
const listingWeek = {
  ...tour,
  key: "listing-week",
  units: [
    tour.units[0],
    ...districts.map((key) => ({ key, name: `${key}区`, role: "subordinate", parent: "city-ipo", level: "county" })),
    { key: "d01-town", name: "d01镇", role: "subordinate", parent: "d01" },
  ],
}

/** Another office's campaign naming d02 among its units. */
const otherWeek = {
  ...tour,
  key: "other-week",
  coordinator: "other-ipo",
  units: [
    { key: "other-ipo", name: "外市知识产权局", role: "host", level: "city" },
    { key: "d02", name: "外市d02", role: "subordinate", parent: "other-ipo", level: "county" },
  ],
}

const cursorOf = (text: string) => /--after (\S+)/u.exec(text)?.[1]

// The listings read the engine's paged reads: each shows one page of what the principal may see, and says how to go on.
describe("CLI listings", () => {
  let env: Record<string, string>
  const run = async (...args: string[]) => {
    const result = await liandong(args, env)
    expect(result.code, result.stderr).toBe(0)
    return result
  }
  /** Every item of a JSON listing, following its cursors page by page. */
  const all = async (args: ReadonlyArray<string>, limit: number) => {
    const items: Array<Record<string, unknown>> = []
    let after: string | undefined
    for (let page = 0; page < 50; page++) {
      const result = await run(...args, "--json", "--limit", String(limit), ...(after ? ["--after", after] : []))
      const got = JSON.parse(result.stdout) as Array<Record<string, unknown>>
      expect(got.length).toBeLessThanOrEqual(limit)
      items.push(...got)
      after = cursorOf(result.stderr)
      if (after === undefined) return items
    }
    throw new Error("the pages never ended")
  }

  beforeAll(async () => {
    const dir = await mkdtemp(join(tmpdir(), "liandong-listings-"))
    env = { LIANDONG_DATA: join(dir, "data") }
    for (const [name, definition] of [
      ["listing.json", listingWeek],
      ["other.json", otherWeek],
    ] as const) {
      await writeFile(join(dir, name), JSON.stringify(definition))
      await run("deploy", join(dir, name))
    }
    await run("principal", "add", "lead", "--name", "局长", "--role", "coordinator", "--unit", "city-ipo")
    await run("principal", "add", "other-lead", "--name", "外市局长", "--role", "coordinator", "--unit", "other-ipo")
    for (const unit of ["d01", "d01-town", "d02"]) {
      await run("principal", "add", unit, "--name", unit, "--role", "unit", "--unit", unit)
    }
    const now = ["--now", "2026-04-14T09:00+08:00"]
    await run("start", "listing-week", "--as", "lead", "--now", "2026-04-12T09:00+08:00")
    await run("worker", "--until-idle", ...now)
    for (const unit of ["d01", "d01-town", "d02"]) {
      const ref = `listing-week/${unit}/brochures`
      await run("ack", ref, "--as", unit, ...now)
      await run("report", ref, "--figure", "brochures=10", "--text", "发放资料", "--as", unit, ...now)
    }
  }, 600_000)

  it("a unit sees its own and its subordinates' tasks, in pages that join up", async () => {
    const first = await run("tasks", "--as", "d01", "--json", "--limit", "3")
    const page = JSON.parse(first.stdout) as Array<{ ref: string }>
    expect(page).toHaveLength(3)
    const cursor = cursorOf(first.stderr)
    expect(cursor, "a line names the cursor of the next page").toBeDefined()
    const second = await run("tasks", "--as", "d01", "--json", "--limit", "3", "--after", cursor as string)
    const rest = JSON.parse(second.stdout) as Array<{ ref: string }>
    expect(cursorOf(second.stderr)).toBeUndefined()
    const refs = [...page, ...rest].map((task) => task.ref).sort()
    expect(refs).toEqual([
      "listing-week/d01-town/brochures",
      "listing-week/d01-town/wrap-up",
      "listing-week/d01/brochures",
      "listing-week/d01/wrap-up",
    ])
  })

  it("the coordinator pages through every task of its campaign and none of another's", async () => {
    const tasks = await all(["tasks", "--as", "lead"], 5)
    const refs = tasks.map((task) => String(task.ref))
    expect(new Set(refs).size).toBe(refs.length)
    expect(refs).toHaveLength(14)
    expect(refs.every((ref) => ref.startsWith("listing-week/"))).toBe(true)
    const text = await run("tasks", "--as", "lead", "--limit", "5")
    expect(text.stdout).toContain("发放知识产权宣传资料")
    expect(text.stdout.trimEnd().split("\n").at(-1)).toMatch(/--after \S+/u)
    expect((await run("tasks", "--as", "lead")).stdout).not.toContain("--after")
  })

  it("campaigns list only those the principal may see, a page at a time", async () => {
    const ids = async (as: string, limit = 100) =>
      (await all(["campaigns", "--as", as], limit)).map((campaign) => campaign.id)
    expect(await ids("d02", 1)).toEqual(["listing-week", "other-week"])
    expect(await ids("d01")).toEqual(["listing-week"])
    expect(await ids("lead")).toEqual(["listing-week"])
    expect(await ids("other-lead")).toEqual(["other-week"])
  })

  it("the status table pages units in the definition's order, only those the principal may read", async () => {
    const rows: Array<{ unit: string }> = []
    let after: string | undefined
    do {
      const result = await run(
        "status",
        "listing-week",
        "--as",
        "lead",
        "--json",
        "--limit",
        "3",
        ...(after ? ["--after", after] : []),
      )
      rows.push(...(JSON.parse(result.stdout) as { rows: Array<{ unit: string }> }).rows)
      after = cursorOf(result.stderr)
    } while (after !== undefined)
    expect(rows.map((row) => row.unit)).toEqual([...districts, "d01-town"])
    const own = JSON.parse((await run("status", "listing-week", "--as", "d01", "--json")).stdout) as {
      rows: Array<{ unit: string }>
    }
    expect(own.rows.map((row) => row.unit)).toEqual(["d01", "d01-town"])
  })

  it("the status table words each cell by the real state, with the phase's counts and a laggards filter", async () => {
    const now = ["--now", "2026-04-14T09:00+08:00"]
    const text = (await run("status", "listing-week", "--as", "lead", ...now)).stdout
    const row = (name: string) => text.split("\n").find((line) => line.startsWith(`${name} `)) ?? ""
    expect(row("d01区")).toMatch(/◑ 待审核 0\/1\s+· 未开始/u)
    expect(row("d03区")).toContain("○ 未确认 0/1")
    expect(text).toContain("未确认 4(4 项) · 已确认未报送 0(0 项) · 待审核 3(3 项) · 已退回待重报 0(0 项)")
    expect(text).not.toContain("◐")
    // Behind: a task past or near its deadline and not reported; a report awaiting review is not behind.
    const late = ["--now", "2026-05-20T09:00+08:00"]
    const behind = (await run("status", "listing-week", "--as", "lead", "--laggards", ...late)).stdout
    const listed = behind.split("\n").flatMap((line) => /^(d\d\d\S*)\s/u.exec(line)?.[1] ?? [])
    expect(listed).toEqual(["d03区", "d04区", "d05区", "d06区"])
    const own = (await run("status", "listing-week", "--as", "d01", "--laggards", ...late)).stdout
    expect(own).toContain("没有落后单位")
  })

  it("reports list only the readable units', by number, in pages", async () => {
    const mine = await all(["reports", "--as", "d01"], 10)
    expect(mine.map((report) => report.task).sort()).toEqual([
      "listing-week/d01-town/brochures",
      "listing-week/d01/brochures",
    ])
    const every = await all(["reports", "--as", "lead"], 2)
    expect(every.map((report) => report.task)).toEqual([
      "listing-week/d01/brochures",
      "listing-week/d01-town/brochures",
      "listing-week/d02/brochures",
    ])
    expect(every[0]?.figures).toEqual({ brochures: "10" })
    expect(await all(["reports", "--as", "other-lead"], 2)).toEqual([])
  })

  it("a cursor from elsewhere is refused by name", async () => {
    const result = await liandong(["tasks", "--as", "lead", "--after", "not-a-cursor"], env)
    expect(result.code).toBe(1)
    expect(result.stderr).toContain("cursor")
  })
})
