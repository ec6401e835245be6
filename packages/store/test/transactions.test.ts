import { sql } from "kysely"
import { expect, it } from "vitest"
import { describeEachDatabase } from "../src/Testing.ts"
import { pause, seedCampaign, unitRow } from "./rows.ts"

describeEachDatabase("transactions", (ctx) => {
  const unitKeys = async () =>
    (await ctx.store().db.selectFrom("units").select("key").orderBy("key").execute()).map((row) => row.key)

  it("two concurrent transactions do not see each other's uncommitted writes", async () => {
    const { db } = ctx.store()
    const seen: Record<string, string[]> = {}
    const write = (key: string, fail: boolean) =>
      db.transaction().execute(async (tx) => {
        await tx.insertInto("units").values(unitRow(key)).execute()
        await pause(30)
        seen[key] = (await tx.selectFrom("units").select("key").orderBy("key").execute()).map((row) => row.key)
        if (fail) throw new Error("abort")
      })
    const results = await Promise.allSettled([write("dropped", true), write("kept", false)])
    expect(results.map((r) => r.status)).toEqual(["rejected", "fulfilled"])
    expect(seen).toEqual({ dropped: ["dropped"], kept: ["kept"] })
    expect(await unitKeys()).toEqual(["kept"])
  })

  it("a query outside a transaction is not swallowed into an open one (and survives its rollback)", async () => {
    const { db } = ctx.store()
    const tx = await db.startTransaction().execute()
    await tx.insertInto("units").values(unitRow("inside")).execute()
    const order: string[] = []
    const outside = db
      .insertInto("units")
      .values(unitRow("outside"))
      .execute()
      .then(() => order.push("outside committed"))
    const read = db
      .selectFrom("units")
      .select("key")
      .execute()
      .then((rows) => rows.map((row) => row.key))
    await pause(50)
    order.push("rollback")
    await tx.rollback().execute()
    await outside
    expect(await read).not.toContain("inside")
    expect(await unitKeys()).toEqual(["outside"])
    // PGlite has one session, so the outside query waits for the transaction to end.
    if (ctx.kind === "pglite") expect(order).toEqual(["rollback", "outside committed"])
  })

  it("a failed statement rolls its transaction back and leaves the connection usable", async () => {
    const { db } = ctx.store()
    await db.insertInto("units").values(unitRow("a")).execute()
    await expect(
      db.transaction().execute(async (tx) => {
        await tx.insertInto("units").values(unitRow("b")).execute()
        await tx.insertInto("units").values(unitRow("a")).execute()
      }),
    ).rejects.toThrow(/duplicate key/)
    await expect(db.insertInto("units").values(unitRow("a")).execute()).rejects.toThrow(/duplicate key/)
    await db.insertInto("units").values(unitRow("c")).execute()
    expect(await unitKeys()).toEqual(["a", "c"])
  })

  it("row locks serialize concurrent read-modify-write", async () => {
    const { db } = ctx.store()
    await seedCampaign(db)
    const bump = () =>
      db.transaction().execute(async (tx) => {
        const row = await tx
          .selectFrom("campaigns")
          .select("journal_seq")
          .where("id", "=", "c")
          .forUpdate()
          .executeTakeFirstOrThrow()
        await pause(1)
        await tx
          .updateTable("campaigns")
          .set({ journal_seq: row.journal_seq + 1 })
          .where("id", "=", "c")
          .execute()
      })
    await Promise.all(Array.from({ length: 20 }, bump))
    const { journal_seq } = await db.selectFrom("campaigns").select("journal_seq").executeTakeFirstOrThrow()
    expect(journal_seq).toBe(20)
  })

  it("returns int8 as string, int4 as number, timestamptz as Date, jsonb parsed, boolean as boolean", async () => {
    const { rows } = await sql<Record<string, unknown>>`
      select 9007199254740993::int8 as big, count(*) as counted, 7::int4 as small,
             timestamptz '2026-03-01 08:00:00.123456+08' as at,
             '{"a":[1,"二"],"b":null}'::jsonb as doc, true as yes
      from (values (1)) v`.execute(ctx.store().db)
    expect(rows).toEqual([
      {
        big: "9007199254740993",
        counted: "1",
        small: 7,
        at: new Date("2026-03-01T00:00:00.123Z"),
        doc: { a: [1, "二"], b: null },
        yes: true,
      },
    ])
  })
})
