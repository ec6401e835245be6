/**
 * The application role on PostgreSQL: migrated by the owner, granted by `db roles`'s
 * logic, it runs a campaign through the engine — and cannot rewrite the record. PGlite
 * has a single superuser, so this runs on PostgreSQL only.
 */
import { randomBytes } from "node:crypto"
import { applyAppPrivileges, migrateToLatest, openStore, PrivilegeError, type Store } from "@liandong/store"
import { postgresAvailable, testServerUrl } from "@liandong/store/testing"
import { Effect } from "effect"
import { sql } from "kysely"
import pg from "pg"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { WallClock } from "../src/Clock.ts"
import {
  acceptInvitation,
  acknowledge,
  addWebhook,
  approve,
  authenticate,
  authenticateSession,
  changePassword,
  createToken,
  deliverNotices,
  deploy,
  expireRequests,
  invitePerson,
  listSessions,
  lockAfterFailures,
  operator,
  removeWebhook,
  resetPassword,
  returnReport,
  revokeToken,
  signIn,
  signOut,
  signOutEverywhere,
  startCampaign,
  submitReport,
  verifyCampaign,
} from "../src/index.ts"
import { springWeek } from "./fixture.ts"
import { deployFixture, testEngine } from "./support.ts"

const hasServer = await postgresAvailable()

const suffix = randomBytes(5).toString("hex")
const owner = `liandong_owner_${suffix}`
const app = `liandong_app_${suffix}`
const database = `liandong_roles_${suffix}`

const urlAs = (user: string, db = database) => {
  const url = new URL(testServerUrl())
  url.username = user
  url.password = ""
  url.pathname = `/${db}`
  return url.toString()
}

/** Runs statements on the test server as its superuser. */
const asAdmin = async (statements: ReadonlyArray<string>) => {
  const client = new pg.Client({ connectionString: testServerUrl() })
  await client.connect()
  try {
    for (const statement of statements) await client.query(statement)
  } finally {
    await client.end()
  }
}

describe.skipIf(!hasServer)("[postgres] the application role", () => {
  let ownerStore: Store
  let appStore: Store

  beforeAll(async () => {
    // The DBA's part: the owner, and its database.
    await asAdmin([
      `create role ${owner} login`,
      `create database ${database} owner ${owner}`,
      `revoke all on database ${database} from public`,
    ])
    ownerStore = await openStore({ databaseUrl: urlAs(owner), poolSize: 2 })
    await migrateToLatest(ownerStore.db)
  }, 120_000)

  afterAll(async () => {
    await appStore?.close()
    await ownerStore?.close()
    await asAdmin([
      `drop database if exists ${database} with (force)`,
      `drop role if exists ${app}`,
      `drop role if exists ${owner}`,
    ])
  })

  it("is created only by a role that may create roles; the owner then grants it, again and again", async () => {
    // The owner has no CREATEROLE (in PostgreSQL 15 that would let it join powerful roles).
    const refused = applyAppPrivileges(ownerStore.db, { role: app, password: "s3cret-app" })
    await expect(refused).rejects.toBeInstanceOf(PrivilegeError)
    await expect(refused).rejects.toThrow(/may not create roles/)
    await expect(applyAppPrivileges(ownerStore.db, { role: app })).rejects.toThrow(/does not exist/)
    await expect(applyAppPrivileges(ownerStore.db, { role: owner })).rejects.toThrow(/cannot be the role running this/)

    // A superuser creates it (with a SCRAM verifier, never the password itself) …
    const admin = await openStore({ databaseUrl: urlAs(new URL(testServerUrl()).username), poolSize: 1 })
    try {
      const created = await applyAppPrivileges(admin.db, { role: app, password: "s3cret-app" })
      expect(created).toMatchObject({ role: app, schema: "public", created: true, passwordSet: true })
      const { rows } = await sql<{ password: string }>`
        select rolpassword as password from pg_authid where rolname = ${app}`.execute(admin.db)
      expect(rows[0]?.password).toMatch(/^SCRAM-SHA-256\$4096:/)
    } finally {
      await admin.close()
    }
    // … and the owner, after each migration, grants it the matrix again.
    const again = await applyAppPrivileges(ownerStore.db, { role: app })
    expect(again).toMatchObject({ created: false, passwordSet: false })
    expect(again.tables.journal).toBe("SELECT, INSERT")
    expect(again.tables.reports).toBe(
      "SELECT, INSERT, UPDATE (status, reviewed_by, reviewed_at, return_reason, review_comment)",
    )
    expect(again.tables.kysely_migration).toBe("")
    expect(again.functions).toEqual([
      "journal_append(text,jsonb)",
      "liandong_rows(jsonb)",
      "liandong_steps_as_begun(integer,integer,integer,integer,bigint)",
    ])
    expect(again.sequences).toContain("journal_id_seq")
    await expect(applyAppPrivileges(ownerStore.db, { role: app, password: "new" })).rejects.toThrow(
      /may not change the password/,
    )
    appStore = await openStore({ databaseUrl: urlAs(app), poolSize: 4 })
  })

  it("refuses to grant while the schema has a table the matrix does not know", async () => {
    await sql`create table stray (x integer)`.execute(ownerStore.db)
    try {
      await expect(applyAppPrivileges(ownerStore.db, { role: app })).rejects.toThrow(/privilege matrix.*stray/)
    } finally {
      await sql`drop table stray`.execute(ownerStore.db)
    }
  })

  it("runs a campaign through the engine: deploy, redeploy, start, worker, ack, report, return, approve, summary", async () => {
    const engine = testEngine(appStore)
    try {
      await engine.run(deploy({ ...springWeek, title: "测试宣传周(草案)" }, operator))
      // Redeploying before the start replaces its machines, tasks and queues.
      await deployFixture(engine)
      const lead = await engine.actor("lead")
      await engine.run(startCampaign("spring-week", lead))
      // A webhook registered, tried (nothing listens on port 9: a failed attempt), removed.
      const hook = await engine.run(
        addWebhook("spring-week", { kind: "webhook", url: "http://127.0.0.1:9/hook" }, lead),
      )
      await engine.advance("2026-04-13T09:00:00+08:00")
      expect(await engine.run(deliverNotices(new Date("2026-04-13T09:00:00+08:00")))).toMatchObject({ failed: 3 })
      expect(await engine.run(removeWebhook("spring-week", hook.id, lead))).toMatchObject({ removed: true })
      const clerk = await engine.actor("clerk-b")
      await engine.run(acknowledge("spring-week/county-b/plan", clerk, { idempotencyKey: "ack-1" }))
      const first = await engine.run(
        submitReport("spring-week/county-b/plan", { narrative: { narrative: "初稿" } }, clerk),
      )
      await engine.run(returnReport(first.report, "请补充分工安排", lead))
      const second = await engine.run(
        submitReport("spring-week/county-b/plan", { narrative: { narrative: "修改稿" } }, clerk),
      )
      await engine.run(approve(second.report, lead))
      for (const [unit, id] of [
        ["county-a", "clerk-a"],
        ["town-a1", "clerk-a1"],
      ] as const) {
        const actor = await engine.actor(id)
        await engine.run(acknowledge(`spring-week/${unit}/plan`, actor))
        const body = { narrative: { narrative: "已制定方案" } }
        await engine.run(
          approve((await engine.run(submitReport(`spring-week/${unit}/plan`, body, actor))).report, lead),
        )
      }
      await engine.advance("2026-04-20T09:00:00+08:00")
      for (const [unit, id, brochures] of [
        ["county-a", "clerk-a", "6000"],
        ["county-b", "clerk-b", "4000"],
        ["town-a1", "clerk-a1", "350"],
      ] as const) {
        const actor = await engine.actor(id)
        await engine.run(acknowledge(`spring-week/${unit}/brochures`, actor))
        const body = { figures: { brochures, people: "12" }, narrative: { narrative: "设点宣传" } }
        const report = await engine.run(submitReport(`spring-week/${unit}/brochures`, body, actor))
        await engine.run(approve(report.report, lead))
      }
      // The worker closes the last phase and writes the summary.
      await engine.advance("2026-05-20T09:00:00+08:00")

      const { db } = appStore
      const campaign = await db.selectFrom("campaigns").select("status").executeTakeFirstOrThrow()
      expect(campaign.status).toBe("closed")
      expect((await db.selectFrom("summaries").select("format").execute()).length).toBeGreaterThan(0)
      expect((await db.selectFrom("checkpoints").select("id").execute()).length).toBeGreaterThan(0)
      const verdict = await engine.run(verifyCampaign("spring-week", await engine.actor("auditor")))
      expect(verdict.findings).toEqual([])
      expect(verdict.ok).toBe(true)

      // Tokens: created, used, revoked; expired request records deleted.
      const token = await engine.run(createToken("clerk-a", {}, operator))
      expect(await engine.run(authenticate(token.token))).toMatchObject({ id: "clerk-a" })
      await engine.run(revokeToken(token.id, operator))
      expect(await engine.run(expireRequests(0, 100))).toBeGreaterThanOrEqual(0)
    } finally {
      await engine.dispose()
    }
  })

  it("runs people through the engine: invite, accept, sign in, lock-out, sessions, password change, reset", async () => {
    const engine = testEngine(appStore)
    let wall = Date.now()
    const clock = { now: Effect.sync(() => new Date(wall)) }
    const run = <A, E>(effect: Effect.Effect<A, E, any>) =>
      engine.run(Effect.provideService(effect, WallClock, clock) as Effect.Effect<A, E, never>)
    try {
      const lead = await engine.actor("lead")
      const password = "春风又绿江南岸-2026"
      const invited = await run(invitePerson({ id: "zhang-a", name: "张三", role: "unit", unit: "county-a" }, lead))
      await run(acceptInvitation(invited.token, password))
      const session = await run(signIn({ name: "zhang-a", password }, { address: "10.0.0.7" }))
      wall += 2 * 60_000
      const { actor } = await run(authenticateSession(session.secret))
      expect(actor).toMatchObject({ id: "zhang-a", unit: "county-a" })
      expect(await run(listSessions("zhang-a", lead))).toHaveLength(1)
      const next = "秋水共长天一色-2027"
      await run(changePassword(password, next, actor, session.secret))
      // failures are counted and lock; a reset link, used, sets a new password and lifts the lock
      for (let i = 0; i < lockAfterFailures; i++)
        await engine.exit(Effect.provideService(signIn({ name: "zhang-a", password: "x" }), WallClock, clock))
      const locked = await appStore.db
        .selectFrom("credentials")
        .select(["failed_count", "locked_until"])
        .where("principal_id", "=", "zhang-a")
        .executeTakeFirstOrThrow()
      expect(locked.failed_count).toBe(lockAfterFailures)
      expect(locked.locked_until).not.toBeNull()
      const reset = await run(resetPassword("zhang-a", lead))
      await run(acceptInvitation(reset.token, password))
      const again = await run(signIn({ name: "zhang-a", password }))
      await run(signOut(again.secret))
      expect(await run(signOutEverywhere("zhang-a", lead))).toMatchObject({ ended: 0 })
    } finally {
      await engine.dispose()
    }
  })

  it("cannot disable a trigger, rewrite or empty the record, alter a table, or create anything", async () => {
    const client = new pg.Client({ connectionString: urlAs(app) })
    await client.connect()
    const refusal = async (statement: string) => {
      await client.query("begin")
      try {
        await client.query(statement)
        return "allowed"
      } catch (error) {
        return (error as { code?: string }).code ?? String(error)
      } finally {
        await client.query("rollback")
      }
    }
    try {
      const { rows: tables } = await client.query<{ name: string }>(
        `select tablename as name from pg_tables where schemaname = 'public' order by 1`,
      )
      expect(tables.length).toBeGreaterThan(15)
      const denied = "42501"
      const attempts = [
        "alter table journal disable trigger journal_no_update",
        "alter table journal disable trigger all",
        "alter table checkpoints disable trigger checkpoints_no_update",
        "alter table report_figures disable trigger report_figures_no_update",
        "set session_replication_role = replica",
        "update journal set payload = '{}'",
        "delete from journal",
        "truncate journal",
        "update checkpoints set signature = 'forged'",
        "delete from checkpoints",
        "truncate checkpoints",
        "update report_figures set value = 99999",
        "delete from report_figures",
        "truncate report_figures",
        `update reports set narrative = '{"narrative":"改过"}'`,
        "update reports set submitted_by = 'someone'",
        "update invitations set token_hash = 'x', principal_id = 'lead'",
        "delete from invitations",
        "update sessions set principal_id = 'lead'",
        "delete from sessions",
        "update credentials set principal_id = 'lead'",
        "delete from credentials",
        "update people_log set action = 'x'",
        "delete from people_log",
        "delete from reports",
        "truncate reports",
        "create trigger pwned before update on journal for each row execute function liandong_append_only()",
        "create table public.pwned (x integer)",
        "create function public.pwned() returns integer language sql as 'select 1'",
        "create schema pwned",
        `alter role ${app} superuser`,
        `grant ${owner} to ${app}`,
        ...tables.flatMap(({ name }) => [
          `alter table public.${name} add column pwned integer`,
          `alter table public.${name} owner to ${app}`,
          `drop table public.${name} cascade`,
        ]),
      ]
      const allowed: Array<[string, string]> = []
      for (const attempt of attempts) {
        const code = await refusal(attempt)
        if (code !== denied) allowed.push([attempt, code])
      }
      expect(allowed).toEqual([])

      // Nor does it hold TRUNCATE, TRIGGER or REFERENCES anywhere, or own anything.
      const { rows: held } = await client.query<{ name: string; privilege: string }>(
        `select t.tablename as name, p.privilege from pg_tables t,
           unnest(array['TRUNCATE', 'TRIGGER', 'REFERENCES']) as p(privilege)
         where t.schemaname = 'public' and has_table_privilege(current_user, format('public.%I', t.tablename), p.privilege)`,
      )
      expect(held).toEqual([])
      const { rows: owned } = await client.query(
        `select 1 from pg_shdepend d join pg_roles r on r.oid = d.refobjid where r.rolname = current_user and d.deptype = 'o'`,
      )
      expect(owned).toEqual([])
    } finally {
      await client.end()
    }
  })
})
