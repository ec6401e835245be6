import { mkdtemp, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { tour } from "@liandong/campaigns"
import { openStore } from "@liandong/store"
import { beforeAll, describe, expect, it } from "vitest"
import { liandongInProcess as liandong } from "./in-process.ts"

const otherIpo = { key: "other-ipo", name: "外市知识产权局", role: "host", level: "city" }

/** Another city's campaign that also names east-district: under itself, by another name. */
const otherWeek = {
  ...tour,
  key: "other-week",
  coordinator: "other-ipo",
  units: [otherIpo, { key: "east-district", name: "外市东区", role: "subordinate", parent: "other-ipo" }],
}

/** The tour as the other office would have it: its own, east-district renamed and moved under it. */
const takenOver = {
  ...tour,
  coordinator: "other-ipo",
  units: [
    otherIpo,
    ...tour.units
      .filter((u) => u.key !== "city-ipo")
      .map((u) => ({ ...u, parent: "other-ipo", name: u.key === "east-district" ? "被改名" : u.name })),
  ],
}

const renamed = {
  ...tour,
  units: tour.units.map((u) => (u.key === "east-district" ? { ...u, name: "东区知识产权局(新)" } : u)),
}

// The CLI runs the same engine command as the API: another office's coordinator is refused there too.
describe("a campaign belongs to its coordinator, through the CLI", () => {
  let env: Record<string, string>
  let dir: string
  const file = async (name: string, body: unknown) => {
    const path = join(dir, name)
    await writeFile(path, JSON.stringify(body))
    return path
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "liandong-ownership-"))
    env = { LIANDONG_DATA: join(dir, "data") }
    for (const args of [
      ["deploy", await file("tour.json", tour)],
      ["deploy", await file("other.json", otherWeek)],
      ["principal", "add", "lead", "--name", "局长", "--role", "coordinator", "--unit", "city-ipo"],
      ["principal", "add", "other-lead", "--name", "外市局长", "--role", "coordinator", "--unit", "other-ipo"],
    ]) {
      const result = await liandong(args, env)
      expect(result.code, result.stderr).toBe(0)
    }
  }, 120_000)

  it("refuses another office's redeploy, journals it, and leaves the real coordinator in charge", async () => {
    for (const attempt of [takenOver, renamed]) {
      const result = await liandong(["deploy", await file("attempt.json", attempt), "--as", "other-lead"], env)
      expect(result.code).toBe(1)
      expect(result.stderr).toContain("无权")
    }
    const own = await liandong(["deploy", await file("renamed.json", renamed), "--as", "lead"], env)
    expect(own.code, own.stderr).toBe(0)
    expect(own.stdout).toContain("已部署版本 2")

    const store = await openStore({ dataDir: join(dir, "data") })
    try {
      const denied = await store.db
        .selectFrom("journal")
        .select(["actor", "payload"])
        .where("campaign_id", "=", "tour-2026")
        .where("event", "=", "access.denied")
        .orderBy("seq")
        .execute()
      // One row for the window; the second attempt is counted, not journaled again.
      expect(denied.map((row) => [row.actor, (row.payload as { action: string }).action])).toEqual([
        ["other-lead", "deploy"],
      ])
      const counted = await store.db
        .selectFrom("denials")
        .select("attempts")
        .where("principal", "=", "other-lead")
        .where("target", "=", "tour-2026")
        .execute()
      expect(counted).toEqual([{ attempts: 2 }])
      const east = await store.db
        .selectFrom("units")
        .select(["campaign_id", "name", "parent_key"])
        .where("key", "=", "east-district")
        .orderBy("campaign_id")
        .execute()
      expect(east).toEqual([
        { campaign_id: "other-week", name: "外市东区", parent_key: "other-ipo" },
        { campaign_id: "tour-2026", name: "东区知识产权局(新)", parent_key: "city-ipo" },
      ])
    } finally {
      await store.close()
    }
  }, 120_000)
})
