/**
 * A transaction's `BEGIN` and `COMMIT` take no round trips of their own: `begin` goes with the
 * first statement, `commit` with a statement marked `thenCommit`. What must hold is what a
 * transaction promised before: its statements run inside it, nothing commits after a failure,
 * a failed commit is a failure, and nothing runs after the commit as if it were inside.
 */
import { sql } from "kysely"
import pg from "pg"
import { beforeEach, expect, it } from "vitest"
import { thenCommit } from "../src/index.ts"
import { describeEachDatabase } from "../src/Testing.ts"

const commitsWith = sql.raw(thenCommit)

/** The statements `run` sends to the server, one a round trip. */
const sent = async <A>(run: () => Promise<A>) => {
  const statements: string[] = []
  const original = pg.Client.prototype.query
  pg.Client.prototype.query = function (this: pg.Client, ...args: any[]) {
    const first = args[0]
    statements.push(String(typeof first === "string" ? first : (first?.text ?? "")).trim())
    return (original as any).apply(this, args)
  } as typeof original
  try {
    return { value: await run(), statements }
  } finally {
    pg.Client.prototype.query = original
  }
}

describeEachDatabase("transaction edges", (ctx) => {
  const rows = async () =>
    (await sql<{ id: number }>`select id from edge_rows order by id`.execute(ctx.store().db)).rows.map((r) => r.id)

  beforeEach(async () => {
    const db = ctx.store().db
    await sql`create table if not exists edge_rows (id int primary key, note text)`.execute(db)
    await sql`create table if not exists edge_parents (id int primary key)`.execute(db)
    await sql`create table if not exists edge_children (id int primary key,
      parent int references edge_parents deferrable initially deferred)`.execute(db)
    await sql`truncate edge_rows, edge_children, edge_parents`.execute(db)
    // A connection's first transaction prepares `begin` and `commit` the plain way.
    for (let i = 0; i < 4; i++) {
      const tx = await db.startTransaction().execute()
      await sql`select ${i}::int`.execute(tx)
      await sql`${commitsWith} select ${i}::int`.execute(tx)
      await tx.commit().execute()
    }
  })

  it("send begin with the first statement and commit with the last, each statement inside", async () => {
    const db = ctx.store().db
    const { value, statements } = await sent(async () => {
      const tx = await db.startTransaction().execute()
      const first = await sql<{ xid: string }>`insert into edge_rows values (${1}, ${"a"})
        returning pg_current_xact_id()::text as xid`.execute(tx)
      const last = await sql<{ xid: string }>`${commitsWith} insert into edge_rows values (${2}, ${"b"})
        returning pg_current_xact_id()::text as xid`.execute(tx)
      await tx.commit().execute()
      return [first.rows[0]?.xid, last.rows[0]?.xid]
    })
    // Two round trips: no begin and no commit of their own.
    expect(statements).toHaveLength(2)
    expect(statements.some((text) => text === "begin" || text === "commit")).toBe(false)
    // One transaction, committed.
    expect(value[0]).toBeDefined()
    expect(value[0]).toBe(value[1])
    expect(await rows()).toEqual([1, 2])
  })

  it("commit nothing when the last statement fails, and roll back what came before", async () => {
    const db = ctx.store().db
    const tx = await db.startTransaction().execute()
    await sql`insert into edge_rows values (${1}, ${"a"})`.execute(tx)
    const failure = await sql`${commitsWith} insert into edge_rows values (${1}, ${"again"})`.execute(tx).then(
      () => undefined,
      (error: unknown) => error,
    )
    expect((failure as { code?: string }).code).toBe("23505")
    await tx.rollback().execute()
    expect(await rows()).toEqual([])
    // The connection goes on as before.
    const next = await db.startTransaction().execute()
    await sql`${commitsWith} insert into edge_rows values (${3}, ${"c"})`.execute(next)
    await next.commit().execute()
    expect(await rows()).toEqual([3])
  })

  it("answer a commit that fails with its failure, and keep nothing of it", async () => {
    const db = ctx.store().db
    const tx = await db.startTransaction().execute()
    await sql`insert into edge_rows values (${1}, ${"a"})`.execute(tx)
    // The foreign key is checked at commit: the insert succeeds, the commit does not.
    const failure = await sql`${commitsWith} insert into edge_children values (${1}, ${99})`.execute(tx).then(
      () => undefined,
      (error: unknown) => error,
    )
    expect((failure as { code?: string }).code).toBe("23503")
    await tx.rollback().execute()
    expect(await rows()).toEqual([])
    expect((await sql`select id from edge_children`.execute(db)).rows).toEqual([])
  })

  it("refuse a statement after the commit went, rather than run it outside the transaction", async () => {
    const db = ctx.store().db
    const tx = await db.startTransaction().execute()
    await sql`${commitsWith} insert into edge_rows values (${1}, ${"a"})`.execute(tx)
    const failure = await sql`insert into edge_rows values (${2}, ${"b"})`.execute(tx).then(
      () => undefined,
      (error: unknown) => error,
    )
    expect(String(failure)).toContain("after its transaction committed")
    await tx.commit().execute()
    expect(await rows()).toEqual([1])
  })

  it("begin before a first statement without parameters, which may be several", async () => {
    const db = ctx.store().db
    const tx = await db.startTransaction().execute()
    await sql.raw("insert into edge_rows values (1, 'a'); insert into edge_rows values (2, 'b')").execute(tx)
    await tx.rollback().execute()
    expect(await rows()).toEqual([])
  })

  it("send nothing for a transaction that sent no statement", async () => {
    const db = ctx.store().db
    const { statements } = await sent(async () => {
      const committed = await db.startTransaction().execute()
      await committed.commit().execute()
      const rolledBack = await db.startTransaction().execute()
      await rolledBack.rollback().execute()
    })
    expect(statements).toEqual([])
  })

  it("roll back a transaction whose first statement failed, begin and all", async () => {
    const db = ctx.store().db
    await sql`insert into edge_rows values (${1}, ${"a"})`.execute(db)
    const tx = await db.startTransaction().execute()
    const failure = await sql`insert into edge_rows values (${1}, ${"again"})`.execute(tx).then(
      () => undefined,
      (error: unknown) => error,
    )
    expect((failure as { code?: string }).code).toBe("23505")
    await tx.rollback().execute()
    // Kysely's managed transactions go the same way.
    await db.transaction().execute(async (trx) => {
      await sql`insert into edge_rows values (${2}, ${"b"})`.execute(trx)
    })
    expect(await rows()).toEqual([1, 2])
  })
})
