/**
 * Statements that run once a batch must not grow with the tables they touch: on a table of
 * many thousand rows, each finds its rows through an index. A plan that scans the whole table
 * passes every functional test and only shows as a run slowing down with its own history.
 */

import type { Database } from "@liandong/store"
import { describeEachDatabase } from "@liandong/store/testing"
import { type CompiledQuery, type Kysely, sql } from "kysely"
import { expect, it } from "vitest"
import { lockMachineWithDue, noStepRows, stepCounts, stepWrites } from "../src/sql/Machines.ts"
import { claimFanOutStatement, workerLook, workerLookStatement } from "../src/sql/Notices.ts"
import { claimBatchStatement, claimDueItems, claimDueStatement } from "../src/sql/Queue.ts"
import { selectMachine } from "../src/sql/ReadMachines.ts"
import { latestReport, latestReportQuery } from "../src/sql/Reports.ts"
import { storeResultsStatement } from "../src/sql/Requests.ts"

/**
 * The plan PostgreSQL keeps for a statement the store prepares once a connection: a generic plan,
 * chosen without the parameters' values (explained with them).
 */
const genericPlan = (db: Kysely<Database>, compiled: CompiledQuery) =>
  db.transaction().execute(async (tx) => {
    await sql`set local plan_cache_mode = force_generic_plan`.execute(tx)
    await sql`prepare generic_plan as ${sql.raw(compiled.sql)}`.execute(tx)
    const values = sql.join(compiled.parameters.map((value) => sql.lit(value)))
    const { rows } = await sql<{ "QUERY PLAN": string }>`explain execute generic_plan(${values})`.execute(tx)
    await sql`deallocate generic_plan`.execute(tx)
    return rows.map((row) => row["QUERY PLAN"]).join("\n")
  })

/** The plan of the statement that writes `rows` (a transaction's steps), as text. */
const stepPlan = async (db: Kysely<Database>, rows: ReturnType<typeof noStepRows>) => {
  const { rows: plan } = await sql<{ "QUERY PLAN": string }>`explain with ${stepWrites(rows)}
    select ${stepCounts(rows)} as as_begun`.execute(db)
  return plan.map((row) => row["QUERY PLAN"]).join("\n")
}

describeEachDatabase("plans of the statements a batch runs", (ctx) => {
  it("store a batch's idempotency answers through the primary key, not a scan", async () => {
    const db = ctx.store().db
    await sql`insert into command_results (principal_id, idempotency_key, request_hash, result)
      select 'clerk-' || (n % 50), 'key-' || n, 'hash', 'null'::jsonb from generate_series(1, 20000) n`.execute(db)
    await sql`analyze command_results`.execute(db)
    const batch = Array.from({ length: 64 }, (_, n) => {
      const key = n * 300 + 1
      return { principal_id: `clerk-${key % 50}`, idempotency_key: `key-${key}`, result: { journal: n } }
    })
    const { rows } = await sql<{ "QUERY PLAN": string }>`explain ${storeResultsStatement(batch)}`.execute(db)
    const plan = rows.map((row) => row["QUERY PLAN"]).join("\n")
    expect(plan).toContain("command_results_pkey")
    expect(plan).not.toMatch(/Seq Scan on command_results/)
    await storeResultsStatement(batch).execute(db)
    const stored = await sql<{ n: number }>`
      select count(*)::int as n from command_results where result <> 'null'::jsonb`.execute(db)
    expect(stored.rows[0]?.n).toBe(64)
  })

  it("find a fan-out's contacts by unit, not by a scan of every principal", async () => {
    const db = ctx.store().db
    await sql`insert into principals (id, name, role, unit_key)
      select 'unit-' || n || '.liaison', '联络员', 'unit', 'unit-' || n from generate_series(1, 20000) n`.execute(db)
    await sql`insert into notifications (campaign_id, unit_key, kind, body)
      select 'c', 'unit-' || (n * 97), 'approved', '{}'::jsonb from generate_series(1, 100) n`.execute(db)
    await sql`analyze principals`.execute(db)
    await sql`analyze notifications`.execute(db)
    for (const preferences of [false, true]) {
      const { rows } = await sql<{ "QUERY PLAN": string }>`explain ${claimFanOutStatement(100, preferences)}`.execute(
        db,
      )
      const plan = rows.map((row) => row["QUERY PLAN"]).join("\n")
      expect(plan).toContain("principals_unit_contacts")
      expect(plan).not.toMatch(/Seq Scan on principals/)
    }
  })

  it("show a step's notices to their units' contacts by unit, not by a scan of every principal", async () => {
    const db = ctx.store().db
    // Half of them with an address: the look for one must not hash them all either.
    await sql`insert into principals (id, name, role, unit_key, email)
      select 'unit-' || n || '.liaison', '联络员', 'unit', 'unit-' || n,
        case when n % 2 = 0 then 'liaison' || n || '@example.gov.cn' end
      from generate_series(1, 20000) n`.execute(db)
    await sql`analyze principals`.execute(db)
    const rows = noStepRows()
    for (let n = 1; n <= 32; n++)
      rows.notices.push({
        campaign_id: "c",
        unit_key: `unit-${n * 97}`,
        kind: "approved",
        body: { task: "plan", phase: null, at: "2026-04-20T02:00:00.000Z" },
      })
    const text = await stepPlan(db, rows)
    expect(text).toContain("principals_unit_contacts")
    expect(text).not.toMatch(/Seq Scan on principals|Hash Join/)
  })

  it("set up only the parts of a step its rows write", async () => {
    const db = ctx.store().db
    const at = "2026-04-20T02:00:00.000Z"
    // An acknowledgement's step: the machine and one task row.
    const ack = noStepRows()
    ack.machines.push({ id: "1", version: 2, steps: 1, snapshot: {}, phase: "p", status: "s", overdue: false, at })
    ack.tasks.push({
      campaign_id: "c",
      unit_key: "u",
      task_key: "t",
      phase_key: "p",
      status: "acknowledged",
      deadline: at,
      overdue: false,
      reminded: 0,
      returns: 0,
      updated_at: at,
    })
    const acknowledged = await stepPlan(db, ack)
    expect(acknowledged).toMatch(/Update on machines/)
    expect(acknowledged).toMatch(/Insert on tasks/)
    // Each part a plan sets up at every execution opens and locks its table and indexes.
    expect(acknowledged).not.toMatch(
      /on (messages|reports|report_figures|report_attachments|timers|notifications|deliveries|campaigns)\b/,
    )
    // A review's: the report reviewed and the message to the campaign's machine as well.
    const review = {
      ...ack,
      reviews: [{ id: "7", status: "approved" as const, by: "lead", at, reason: null, comment: null }],
    }
    review.sent.push({ n: 1, campaign_id: "c", unit: null, dedupe_key: "d", moot_after: null, event: {}, at })
    const reviewed = await stepPlan(db, review)
    expect(reviewed).toMatch(/Update on reports/)
    expect(reviewed).toMatch(/Insert on messages/)
    expect(reviewed).not.toMatch(/on (report_figures|report_attachments|timers|notifications|deliveries|campaigns)\b/)
  })

  it("look up a phase's closes' earlier messages by their key, not by a scan of every message", async () => {
    const db = ctx.store().db
    await sql`insert into messages (campaign_id, machine_id, kind, dedupe_key, event, status, available_at)
      select 'c', n, 'event', 'c:phase-done:unit-' || n || ':preparation', '{}'::jsonb, 'done', now()
      from generate_series(1, 20000) n`.execute(db)
    await sql`analyze messages`.execute(db)
    const rows = noStepRows()
    for (let n = 1; n <= 500; n++)
      rows.sent.push({
        n,
        campaign_id: "c",
        unit: `unit-${n * 37}`,
        dedupe_key: `c:close:preparation:unit-${n * 37}`,
        moot_after: `c:phase-done:unit-${n * 37}:preparation`,
        event: { type: "phase.close", phase: "preparation", at: "2026-04-20T02:00:00.000Z" },
        at: "2026-04-20T02:00:00.000Z",
      })
    const text = await stepPlan(db, rows)
    expect(text).toContain("messages_dedupe_key_key")
    expect(text).not.toMatch(/Seq Scan on messages|Anti Join/)
  })
})

/** A running campaign's row and its definition's, as the tables of a campaign's rows refer to them. */
const seedCampaign = async (db: Kysely<Database>, campaign: string) => {
  await sql`insert into definitions (key, version, hash, body)
    values (${campaign}, 1, 'hash', ${JSON.stringify({ key: campaign })}::jsonb)`.execute(db)
  await sql`insert into campaigns (id, definition_id, status)
    select key, id, 'running' from definitions where key = ${campaign}`.execute(db)
}

describeEachDatabase("plans of a unit task's reports", (ctx) => {
  it("find a task's latest report by the unique index, whatever the statistics say", async () => {
    const db = ctx.store().db
    // A national campaign's keys: long enough that the unique index is a level deeper than one by task.
    const campaign = "national-ip-week"
    await seedCampaign(db, campaign)
    // Analyzed while empty, as after a phase opens: no column statistics, every equality a guess.
    await sql`analyze reports`.execute(db)
    await sql`insert into reports (campaign_id, unit_key, task_key, attempt, status, narrative, submitted_by, submitted_at)
      select ${campaign}, 'province-' || (n % 31) || '-city-' || (n % 400) || '-county-' || n, 'plan', 1, 'submitted',
        '{}'::jsonb, 'clerk', now()
      from generate_series(1, 40000) n`.execute(db)
    const task = { campaign, unit: "province-15-city-77-county-77", task: "plan" }
    // As the store runs it once prepared: a generic plan, chosen without the values.
    const plan = await genericPlan(db, latestReportQuery(db, task).compile())
    expect(plan).toContain("reports_campaign_id_unit_key_task_key_attempt_key")
    expect(plan).not.toMatch(/Seq Scan on reports|reports_by_/)
    expect((await latestReport(db, task))?.unit_key).toBe(task.unit)
  })
})

describeEachDatabase("plans of the workers' claim", (ctx) => {
  it("probe each machine's earlier items row by row, whatever the statistics say", async () => {
    const db = ctx.store().db
    // Analyzed while empty, as before a phase opens: then 20,000 timers and 5,000 messages arrive.
    await sql`analyze timers`.execute(db)
    await sql`analyze messages`.execute(db)
    const now = new Date("2026-04-20T02:00:00.000Z")
    await sql`insert into timers (campaign_id, machine_id, key, due_at, event, status)
      select 'c', n, 'deadline', ${now}::timestamptz + interval '1 day', '{}'::jsonb, 'pending'
      from generate_series(1, 20000) n`.execute(db)
    await sql`insert into messages (campaign_id, machine_id, kind, dedupe_key, event, status, available_at)
      select 'c', n, 'event', 'open-' || n, '{}'::jsonb, 'pending', ${now}
      from generate_series(1, 5000) n`.execute(db)
    const { rows } = await sql<{ "QUERY PLAN": string }>`explain ${claimDueStatement(now, 32)}`.execute(db)
    const plan = rows.map((row) => row["QUERY PLAN"]).join("\n")
    // Never every pending item hashed, sorted or materialized to filter the queue's head against.
    expect(plan).not.toMatch(/Anti Join|Materialize|Seq Scan on (timers|messages)/)
    expect(plan).toContain("timers_pending_by_machine")
    expect(plan).toContain("messages_pending_by_machine")
    const claimed = await claimDueItems(db, now, 32)
    expect(claimed.map((item) => item.kind)).toEqual(Array.from({ length: 32 }, () => "message"))
    // A worker's batch claims the same way, and takes each locked machine's backlog by its index.
    const batch = (await sql<{ "QUERY PLAN": string }>`explain ${claimBatchStatement(now, 32, 99)}`.execute(db)).rows
      .map((row) => row["QUERY PLAN"])
      .join("\n")
    // Prepared once a connection, the claims' plans are generic ones: the same probes, whatever the values.
    for (const plan of [
      batch,
      await genericPlan(db, claimBatchStatement(now, 32, 99).compile(db)),
      await genericPlan(db, claimDueStatement(now, 32).compile(db)),
    ]) {
      expect(plan).not.toMatch(/Anti Join|Seq Scan on (timers|messages)/)
      expect(plan).toContain("timers_pending_by_machine")
      expect(plan).toContain("messages_pending_by_machine")
    }
  })
})

describeEachDatabase("plans of a worker's look", (ctx) => {
  it("find the first due timer and message by the pending items' indexes, whatever the statistics say", async () => {
    const db = ctx.store().db
    const now = new Date("2026-04-20T02:00:00.000Z")
    // A national sweep's queues: a fifth of each queue due now, the rest done before it, all analyzed.
    await sql`insert into timers (campaign_id, machine_id, key, due_at, event, status, done_at)
      select 'c', n, 'deadline-' || n, ${now}::timestamptz - interval '1 day', '{}'::jsonb,
        case when n > 80000 then 'pending' else 'done' end, case when n > 80000 then null else ${now}::timestamptz end
      from generate_series(1, 100000) n`.execute(db)
    await sql`insert into messages (campaign_id, machine_id, kind, dedupe_key, event, status, available_at, done_at)
      select 'c', n, 'event', 'open-' || n, '{}'::jsonb,
        case when n > 80000 then 'pending' else 'done' end, ${now}::timestamptz - interval '1 hour',
        case when n > 80000 then null else ${now}::timestamptz end
      from generate_series(1, 100000) n`.execute(db)
    await sql`analyze timers`.execute(db)
    await sql`analyze messages`.execute(db)
    // Prepared once a connection, its plan is a generic one; either way each probe takes the index.
    const custom = (await sql<{ "QUERY PLAN": string }>`explain ${workerLookStatement(now)}`.execute(db)).rows
      .map((row) => row["QUERY PLAN"])
      .join("\n")
    for (const plan of [custom, await genericPlan(db, workerLookStatement(now).compile(db))]) {
      expect(plan).not.toMatch(/Seq Scan on (timers|messages|notifications|deliveries)/)
      expect(plan).toContain("timers_due")
      expect(plan).toContain("messages_available")
    }
    expect(await workerLook(db, now)).toMatchObject({ message_due: true, timer_due: true })
    expect(await workerLook(db, new Date("2026-04-01T00:00:00.000Z"))).toMatchObject({
      message_due: false,
      timer_due: false,
    })
  })
})

describeEachDatabase("a worker's look, whatever its plan", (ctx) => {
  it("tries the lock of no machine past the first it may take, though its plan scans and sorts", async () => {
    const db = ctx.store().db
    const now = new Date("2026-04-20T02:00:00.000Z")
    // An opening's queues: every item due, each on a machine of its own.
    await sql`insert into timers (campaign_id, machine_id, key, due_at, event, status)
      select 'c', 10000 + n, 'deadline-' || n, ${now}::timestamptz - interval '1 day', '{}'::jsonb, 'pending'
      from generate_series(1, 3000) n`.execute(db)
    await sql`insert into messages (campaign_id, machine_id, kind, dedupe_key, event, status, available_at)
      select 'c', n, 'event', 'open-' || n, '{}'::jsonb, 'pending', ${now}::timestamptz - interval '1 hour'
      from generate_series(1, 3000) n`.execute(db)
    const held = await db.transaction().execute(async (tx) => {
      // The plan a prepared look keeps when it was made while the queues were empty: a scan and a sort.
      await sql`set local enable_indexscan = off`.execute(tx)
      await sql`set local enable_bitmapscan = off`.execute(tx)
      const plan = (await sql<{ "QUERY PLAN": string }>`explain ${workerLookStatement(now)}`.execute(tx)).rows
        .map((row) => row["QUERY PLAN"])
        .join("\n")
      expect(plan).toMatch(/Seq Scan on messages/)
      expect(plan).toMatch(/Seq Scan on timers/)
      expect(await workerLook(tx, now)).toMatchObject({ message_due: true, timer_due: true })
      // Its locks last as long as its transaction: here, until the count.
      const { rows } = await sql<{ n: number }>`
        select count(*)::int as n from pg_locks where locktype = 'advisory' and pid = pg_backend_pid()`.execute(tx)
      return rows[0]?.n
    })
    // One machine's for the messages, one for the timers, each tried in the batches' and the fan-ins'
    // key spaces: not two for each of the 6,000 items.
    expect(held).toBe(4)
  })
})

describeEachDatabase("plans of a machine's lock and read", (ctx) => {
  it("find a unit's machine by its kind's index, not by a scan of every machine", async () => {
    const db = ctx.store().db
    await seedCampaign(db, "c")
    await sql`insert into machines (campaign_id, kind, unit_key, snapshot, version, machine_hash, status, updated_at)
      select 'c', 'unit', 'unit-' || n, '{}'::jsonb, 1, 'hash', 'active', now() from generate_series(1, 20000) n`.execute(
      db,
    )
    const scans = await db.transaction().execute(async (tx) => {
      // The counts this connection has not reported yet: read before and after, the difference is ours.
      const counts = async () =>
        (
          await sql<{ seq: number; index: number }>`
            select seq_scan::int as seq, idx_scan::int as index from pg_stat_xact_user_tables
            where relname = 'machines'`.execute(tx)
        ).rows[0] ?? { seq: 0, index: 0 }
      const before = await counts()
      const locked = await lockMachineWithDue(tx, "c", "unit-77", new Date())
      const read = await selectMachine(tx, "c", "unit-78")
      const after = await counts()
      return {
        locked: locked.machine?.row.unit_key,
        read: read?.unit_key,
        seq: after.seq - before.seq,
        index: after.index - before.index,
      }
    })
    expect(scans).toMatchObject({ locked: "unit-77", read: "unit-78", seq: 0 })
    expect(scans.index).toBeGreaterThan(0)
  })
})
