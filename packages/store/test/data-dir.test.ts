import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { migrateToLatest, openStore, storeOptionsFromEnv } from "../src/index.ts"

describe("[pglite] a persistent data folder", () => {
  it("reopens with its data and its schema", async () => {
    const dir = await mkdtemp(join(tmpdir(), "liandong-store-"))
    try {
      const first = await openStore({ dataDir: join(dir, "data") })
      expect(first.describe).toBe(`PGlite ${join(dir, "data")}`)
      expect((await migrateToLatest(first.db)).applied.length).toBeGreaterThan(0)
      await first.db
        .insertInto("units")
        .values({ campaign_id: "c", key: "kept", name: "留存", name_en: null, parent_key: null, level: null })
        .execute()
      await first.close()
      const second = await openStore({ dataDir: join(dir, "data") })
      expect(await migrateToLatest(second.db)).toEqual({ applied: [] })
      expect(await second.db.selectFrom("units").select("name").execute()).toEqual([{ name: "留存" }])
      await second.close()
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})

describe("the environment's choice of database", () => {
  it("is DATABASE_URL when set, else LIANDONG_DATA, else the default folder", () => {
    expect(storeOptionsFromEnv({ DATABASE_URL: "postgres://h/db", LIANDONG_DATA: "/d" })).toMatchObject({
      databaseUrl: "postgres://h/db",
    })
    expect(storeOptionsFromEnv({ LIANDONG_DATA: "/d" })).toEqual({ databaseUrl: undefined, dataDir: "/d" })
    expect(storeOptionsFromEnv({ DATABASE_URL: "" })).toEqual({ databaseUrl: undefined, dataDir: undefined })
  })
})
