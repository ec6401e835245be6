import { sql } from "kysely"
import { expect, it } from "vitest"
import { describeEachDatabase } from "../src/Testing.ts"
import { eventually, pause } from "./rows.ts"

const channel = "liandong_test"
const notify = (payload: string) => sql`select pg_notify(${channel}, ${payload})`

describeEachDatabase("LISTEN/NOTIFY", (ctx) => {
  it("delivers a NOTIFY sent inside a transaction at commit, never before, and not after a rollback", async () => {
    const store = ctx.store()
    const heard: string[] = []
    const stop = await store.listen(channel, (payload) => heard.push(payload))
    try {
      await store.db
        .transaction()
        .execute(async (tx) => {
          await notify("rolled back").execute(tx)
          throw new Error("roll back")
        })
        .catch(() => undefined)
      const tx = await store.db.startTransaction().execute()
      await notify("联动 committed").execute(tx)
      await pause(100)
      expect(heard).toEqual([])
      await tx.commit().execute()
      await eventually(() => heard.length > 0)
      await pause(50)
      expect(heard).toEqual(["联动 committed"])
    } finally {
      await stop()
    }
  })

  it("delivers a NOTIFY sent outside a transaction", async () => {
    const store = ctx.store()
    const heard: string[] = []
    const stop = await store.listen(channel, (payload) => heard.push(payload))
    await notify("autocommit").execute(store.db)
    await eventually(() => heard.length > 0)
    await stop()
    expect(heard).toEqual(["autocommit"])
  })

  it("starts listening even while another caller's transaction is open, and that transaction's rollback does not undo it", async () => {
    const store = ctx.store()
    const heard: string[] = []
    const tx = await store.db.startTransaction().execute()
    await sql`select 1`.execute(tx)
    const listening = store.listen(channel, (payload) => heard.push(payload))
    await pause(50)
    await tx.rollback().execute()
    const stop = await listening
    await notify("after").execute(store.db)
    await eventually(() => heard.length > 0)
    await stop()
    expect(heard).toEqual(["after"])
  })

  it("stops delivering once stopped", async () => {
    const store = ctx.store()
    const heard: string[] = []
    const stop = await store.listen(channel, (payload) => heard.push(payload))
    await stop()
    await notify("unheard").execute(store.db)
    await pause(200)
    expect(heard).toEqual([])
  })

  it("wakes outside any transaction, what was asked meanwhile in one, with nothing waiting for its flush", async () => {
    const store = ctx.store()
    const heard: string[] = []
    const stop = await store.listen(channel, (payload) => heard.push(payload))
    try {
      // Wake-ups asked for while another's transaction holds the (embedded database's one) connection.
      const tx = await store.db.startTransaction().execute()
      try {
        await sql`select 1`.execute(tx)
        store.wake(channel, ["a", "b"])
        store.wake(channel, ["b", "c"])
        store.wake(channel, ["c"])
        await pause(100)
        if (store.kind === "pglite") expect(heard).toEqual([])
      } finally {
        await tx.rollback().execute()
      }
      await eventually(() => heard.length >= 4)
      await pause(50)
      // The first went alone; the rest, asked while it was in flight, together (each payload once).
      expect([...heard].sort()).toEqual(["a", "b", "b", "c"])
      const setting = await sql<{ value: string }>`select current_setting('synchronous_commit') as value`.execute(
        store.db,
      )
      // `set local`: the connections' own setting is as it was.
      expect(setting.rows[0]?.value).toBe("on")
      expect(() => store.wake("Work", ["x"])).toThrow(/lowercase identifier/)
    } finally {
      await stop()
    }
  })

  it("sends the wake-ups still queued when closed, then no more (PostgreSQL)", async (test) => {
    const store = ctx.store()
    if (store.kind !== "postgres") return test.skip()
    const heard: string[] = []
    const stop = await store.listen(channel, (payload) => heard.push(payload))
    try {
      const { openStore } = await import("../src/index.ts")
      const own = await openStore({ databaseUrl: ctx.databaseUrl(), poolSize: 1 })
      own.wake(channel, ["first"])
      own.wake(channel, ["queued"])
      await own.close()
      own.wake(channel, ["after close"])
      await eventually(() => heard.length >= 2)
      await pause(100)
      expect(heard).toEqual(["first", "queued"])
    } finally {
      await stop()
    }
  })

  it("refuses a channel name that would not mean the same on both databases", async () => {
    await expect(ctx.store().listen("Work", () => undefined)).rejects.toThrow(/lowercase identifier/)
    await expect(ctx.store().listen("a;b", () => undefined)).rejects.toThrow(/lowercase identifier/)
  })

  it("hears again after the listening connection is killed (PostgreSQL)", async (test) => {
    const store = ctx.store()
    if (store.kind !== "postgres") return test.skip()
    const heard: string[] = []
    const logged: string[] = []
    const { openStore } = await import("../src/index.ts")
    const own = await openStore({ databaseUrl: ctx.databaseUrl(), poolSize: 1, log: (m) => logged.push(m) })
    const stop = await own.listen(channel, (payload) => heard.push(payload))
    try {
      const killed = await sql<{ killed: boolean }>`
        select pg_terminate_backend(pid) as killed from pg_stat_activity
        where datname = current_database() and query ilike 'listen%'`.execute(store.db)
      expect(killed.rows.map((row) => row.killed)).toEqual([true])
      await eventually(() => logged.some((m) => m.includes("reconnected")), 10_000)
      await notify("after reconnect").execute(store.db)
      await eventually(() => heard.length > 0)
      expect(heard).toEqual(["after reconnect"])
      expect(logged[0]).toMatch(/connection lost/)
    } finally {
      await stop()
      await own.close()
    }
  })
})
