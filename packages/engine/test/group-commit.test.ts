import { describeEachDatabase } from "@liandong/store/testing"
import { Effect, Exit } from "effect"
import { sql } from "kysely"
import pg from "pg"
import { afterEach, beforeEach, expect, it } from "vitest"
import { query } from "../src/Db.ts"
import { groupCommitted, queuedCommands } from "../src/GroupCommit.ts"
import {
  acknowledge,
  approve,
  Db,
  deploy,
  operator,
  startCampaign,
  submitReport,
  verifyCampaign,
} from "../src/index.ts"
import { appendJournal } from "../src/Journal.ts"
import { campaignMachine } from "../src/sql/Machines.ts"
import { springWeek } from "./fixture.ts"
import { counted, deployFixture, testEngine, until } from "./support.ts"

const units = [
  ["county-a", "clerk-a"],
  ["county-b", "clerk-b"],
  ["town-a1", "clerk-a1"],
] as const
const body = { narrative: { narrative: "已制定方案", difficulties: "资金紧缺" } }

interface Row {
  readonly seq: number
  readonly unit_key: string | null
  readonly event: string
  readonly cause: string
  readonly idempotency_key: string | null
  readonly state_after: unknown
  readonly recorded_at: string
}

describeEachDatabase("group commit of commands", (ctx) => {
  let engine: ReturnType<typeof testEngine>
  beforeEach(async () => {
    engine = testEngine(ctx.store())
    await deployFixture(engine)
    // A second campaign of the same shape: one is played command by command, the other all at once.
    await engine.run(deploy({ ...springWeek, key: "autumn-week", title: "秋季宣传周" }, operator))
    const lead = await engine.actor("lead")
    await engine.run(startCampaign("spring-week", lead))
    await engine.run(startCampaign("autumn-week", lead))
    await engine.advance("2026-04-13T09:00:00+08:00")
  })
  afterEach(async () => {
    await engine.dispose()
  })

  const journalOf = (campaign: string) =>
    engine.run(
      Effect.flatMap(Effect.service(Db), (db) =>
        Effect.promise(() =>
          sql<Row>`select seq::int as seq, unit_key, event, cause, idempotency_key, state_after, recorded_at::text
                   from journal where campaign_id = ${campaign} order by seq`
            .execute(db.kysely)
            .then((result) => result.rows),
        ),
      ),
    )

  const snapshotsOf = (campaign: string) =>
    engine.run(
      Effect.flatMap(Effect.service(Db), (db) =>
        Effect.promise(() =>
          sql<{ unit_key: string | null; version: number; snapshot: { value: unknown } }>`
            select unit_key, version, snapshot from machines where campaign_id = ${campaign} order by unit_key nulls first`
            .execute(db.kysely)
            .then((result) => result.rows.map((row) => ({ ...row, snapshot: row.snapshot.value }))),
        ),
      ),
    )

  /** Per machine, what happened to it, in order: the same however the commands were interleaved. */
  const perMachine = (rows: ReadonlyArray<Row>) => {
    const by = new Map<string, unknown[]>()
    for (const row of rows) {
      const key = row.unit_key ?? "(campaign)"
      // Timers and messages by kind: their ids differ between the campaigns.
      by.set(key, [...(by.get(key) ?? []), [row.event, row.cause.split(":")[0], row.state_after]])
    }
    return Object.fromEntries([...by.entries()].sort())
  }

  it("commands sent together come out as the same commands sent one by one", async () => {
    for (const [unit, clerk] of units) {
      const actor = await engine.actor(clerk)
      await engine.run(acknowledge(`spring-week/${unit}/plan`, actor))
      await engine.run(submitReport(`spring-week/${unit}/plan`, body, actor))
    }
    const exits = await Promise.all(
      units.flatMap(([unit, clerk]) => [
        // Each unit's commands in order; the units and a repeated acknowledgement all at once.
        engine
          .actor(clerk)
          .then((actor) =>
            engine
              .exit(acknowledge(`autumn-week/${unit}/plan`, actor))
              .then(async (first) => [first, await engine.exit(submitReport(`autumn-week/${unit}/plan`, body, actor))]),
          ),
        engine
          .actor(clerk)
          .then((actor) => engine.exit(acknowledge(`autumn-week/${unit}/plan`, actor)).then((e) => [e])),
      ]),
    )
    const all = exits.flat()
    // Each unit's second acknowledgement fails alone (its machine has moved on); the rest succeed.
    expect(all.filter(Exit.isFailure)).toHaveLength(3)
    expect(all.filter(Exit.isSuccess)).toHaveLength(6)
    const spring = await journalOf("spring-week")
    const autumn = await journalOf("autumn-week")
    expect(perMachine(autumn)).toEqual(perMachine(spring))
    expect(await snapshotsOf("autumn-week")).toEqual(await snapshotsOf("spring-week"))
    for (const campaign of ["spring-week", "autumn-week"])
      expect((await engine.run(verifyCampaign(campaign, operator))).findings).toEqual([])
  })

  it("answers only what is committed: each answer's journal row is already there for anyone", async () => {
    const answers = await Promise.all(
      units.map(async ([unit, clerk]) => {
        const actor = await engine.actor(clerk)
        const acked = await engine.run(acknowledge(`autumn-week/${unit}/plan`, actor, { idempotencyKey: `a-${unit}` }))
        // Read on another connection the moment the answer arrives.
        const rows = (await journalOf("autumn-week")).filter((row) => row.seq === acked.journal)
        return { unit, acked, rows }
      }),
    )
    for (const { unit, rows } of answers) {
      expect(rows).toHaveLength(1)
      expect(rows[0]).toMatchObject({ event: "task.acknowledge", unit_key: unit, idempotency_key: `a-${unit}` })
    }
  })

  it("loses nothing it answered and applies nothing twice when its connections are killed mid-batch", async (test) => {
    if (ctx.kind !== "postgres") return test.skip()
    const store = ctx.store()
    const commands = ["spring-week", "autumn-week"].flatMap((campaign) =>
      units.map(([unit, clerk]) => ({ campaign, unit, clerk, key: `k-${campaign}-${unit}` })),
    )
    // A read the killer interrupts is read again.
    const readThrough = async (campaign: string): Promise<ReadonlyArray<Row>> => {
      for (let tries = 0; ; tries++) {
        const rows = await journalOf(campaign).catch((error: unknown) => {
          if (tries > 50) throw error
          return undefined
        })
        if (rows !== undefined) return rows
      }
    }
    const answered = new Map<string, { journal: number; replayed: boolean }>()
    let rounds = 0
    while (answered.size < commands.length && rounds < 40) {
      rounds++
      let settled = false
      const killer = (async () => {
        while (!settled) {
          await sql`select pg_terminate_backend(pid) from pg_stat_activity
                    where datname = current_database() and pid <> pg_backend_pid()`
            .execute(store.db)
            .catch(() => undefined)
          // Longer pauses each round, so a loaded machine's slow transactions get through in the end.
          await new Promise((resolve) => setTimeout(resolve, Math.min(2000, 3 * 2 ** rounds)))
        }
      })()
      await Promise.all(
        commands
          .filter((command) => !answered.has(command.key))
          .map(async (command) => {
            const actor = await engine.actor(command.clerk).catch(() => undefined)
            if (actor === undefined) return
            const ack = acknowledge(`${command.campaign}/${command.unit}/plan`, actor, { idempotencyKey: command.key })
            const exit = await engine.exit(ack)
            if (Exit.isSuccess(exit)) {
              answered.set(command.key, exit.value)
              // Answered: committed, so there for anyone at once.
              const rows = (await readThrough(command.campaign)).filter((row) => row.idempotency_key === command.key)
              expect(rows.map((row) => row.seq)).toEqual([exit.value.journal])
            }
          }),
      )
      settled = true
      await killer
    }
    expect(answered.size).toBe(commands.length)
    for (const campaign of ["spring-week", "autumn-week"]) {
      const acks = (await journalOf(campaign)).filter((row) => row.event === "task.acknowledge")
      // Each key applied once, however often it was sent again after a lost answer.
      expect(acks.map((row) => row.idempotency_key).sort()).toEqual(
        commands
          .filter((command) => command.campaign === campaign)
          .map((command) => command.key)
          .sort(),
      )
      expect((await engine.run(verifyCampaign(campaign, operator))).findings).toEqual([])
    }
  })

  it("replays a key sent several times at once, and refuses it for another request", async () => {
    const clerk = await engine.actor("clerk-a")
    const ref = "autumn-week/county-a/plan"
    const exits = await Promise.all([
      ...Array.from({ length: 5 }, () => engine.exit(acknowledge(ref, clerk, { idempotencyKey: "same" }))),
      engine.exit(submitReport(ref, body, clerk, { idempotencyKey: "same" })),
      engine.exit(acknowledge("autumn-week/county-b/plan", await engine.actor("clerk-b"))),
    ])
    const acks = exits.slice(0, 5).map((exit) => {
      if (Exit.isFailure(exit)) throw new Error("an acknowledgement with a key failed")
      return exit.value
    })
    expect(acks.filter((ack) => !ack.replayed)).toHaveLength(1)
    const first = acks.find((ack) => !ack.replayed)
    for (const ack of acks) expect({ ...ack, replayed: false }).toEqual(first)
    // The report with the acknowledgement's key: refused, whether it came before or after.
    const report = exits[5]
    expect(report !== undefined && Exit.isFailure(report)).toBe(true)
    expect(exits[6] !== undefined && Exit.isSuccess(exits[6])).toBe(true)
    const rows = (await journalOf("autumn-week")).filter((row) => row.idempotency_key === "same")
    expect(rows.map((row) => row.event)).toEqual(["task.acknowledge"])
  })

  it("stored by the journal's append, each with its own position, replay as first answered", async () => {
    const asked = [
      ["spring-week", "county-a", "clerk-a"],
      ["autumn-week", "county-b", "clerk-b"],
      ["spring-week", "town-a1", "clerk-a1"],
      ["autumn-week", "county-a", "clerk-a"],
    ] as const
    const run = () =>
      Promise.all(
        asked.map(async ([campaign, unit, clerk]) =>
          engine.run(
            acknowledge(`${campaign}/${unit}/plan`, await engine.actor(clerk), {
              idempotencyKey: `k-${campaign}-${unit}`,
            }),
          ),
        ),
      )
    const first = await run()
    for (const [index, [campaign, unit]] of asked.entries()) {
      expect(first[index]?.replayed).toBe(false)
      const rows = (await journalOf(campaign)).filter((row) => row.idempotency_key === `k-${campaign}-${unit}`)
      expect(rows.map((row) => row.seq)).toEqual([first[index]?.journal])
    }
    const again = await counted(run)
    expect(again.value).toEqual(first.map((answer) => ({ ...answer, replayed: true })))
    expect((await engine.run(verifyCampaign("autumn-week", operator))).findings).toEqual([])
  })

  it("an answer that is more than its position is stored in a statement of its own, and replays", async () => {
    const lead = await engine.actor("lead")
    const command = groupCommitted({
      order: "spring-week\u0000",
      campaignId: "spring-week",
      actor: lead,
      idempotencyKey: "positions",
      request: { command: "test" },
      run: (tx) =>
        Effect.gen(function* () {
          const machine = yield* query("test.machine", (db) => campaignMachine(db, "spring-week"), tx)
          yield* appendJournal(tx, {
            campaignId: "spring-week",
            machineId: String(machine?.id),
            unit: null,
            actor: lead,
            cause: "command",
            idempotencyKey: "positions",
            event: { type: "test.note", at: "2026-04-13T01:00:00.000Z" },
            before: null,
            after: null,
            occurredAt: new Date("2026-04-13T01:00:00Z"),
          })
          return (journal: number) => ({ positions: [journal], next: journal + 1 })
        }),
    })
    const first = await counted(() => engine.run(command))
    expect(first.statements.filter((statement) => statement.startsWith("update command_results"))).toHaveLength(1)
    const [row] = (await journalOf("spring-week")).filter((row) => row.idempotency_key === "positions")
    expect(first.value).toEqual({ result: { positions: [row?.seq], next: (row?.seq ?? 0) + 1 }, replayed: false })
    const again = await engine.run(command)
    expect(again).toEqual({ ...first.value, replayed: true })
  })
})

describeEachDatabase("group commit: batches form behind busy ones", (ctx) => {
  let engine: ReturnType<typeof testEngine>
  beforeEach(async () => {
    engine = testEngine(ctx.store())
    await deployFixture(engine)
    await engine.run(deploy({ ...springWeek, key: "autumn-week", title: "秋季宣传周" }, operator))
    const lead = await engine.actor("lead")
    await engine.run(startCampaign("spring-week", lead))
    await engine.run(startCampaign("autumn-week", lead))
    await engine.advance("2026-04-13T09:00:00+08:00")
  })
  afterEach(async () => {
    await engine.dispose()
  })

  /** A client of its own on the test's PostgreSQL database, beside the engine's pool. */
  const secondClient = async () => {
    const url = ctx.databaseUrl()
    if (url === undefined) throw new Error("no database URL")
    const client = new pg.Client({ connectionString: url })
    await client.connect()
    return client
  }

  /**
   * Holds the county-a machines in `holder`'s transaction and sends an acknowledgement on each,
   * one after the other (sent together they would share a batch): both runners wait on the lock.
   */
  const occupyRunners = async (holder: pg.Client) => {
    await holder.query("begin")
    await holder.query("select 1 from machines where unit_key = 'county-a' for no key update")
    const clerkA = await engine.actor("clerk-a")
    const waiting = (n: number) => async () => {
      // Inside its transaction the holder would see one snapshot of the activity for ever.
      await holder.query("select pg_stat_clear_snapshot()")
      const result = await holder.query<{ n: number }>(
        `select count(*)::int as n from pg_stat_activity
         where datname = current_database() and wait_event_type = 'Lock' and pid <> pg_backend_pid()`,
      )
      return (result.rows[0]?.n ?? 0) >= n
    }
    const first = engine.exit(acknowledge("spring-week/county-a/plan", clerkA))
    await until("the first runner to wait on the lock", waiting(1))
    const second = engine.exit(acknowledge("autumn-week/county-a/plan", clerkA))
    await until("the second runner to wait on the lock", waiting(2))
    return [first, second] as const
  }

  it("commands queued while both runners wait become one transaction", { timeout: 180_000 }, async (test) => {
    // PGlite has one connection: a lock held elsewhere cannot be had there.
    if (ctx.kind !== "postgres") return test.skip()
    const db = await engine.run(Effect.service(Db))
    const holder = await secondClient()
    try {
      const blocked = await occupyRunners(holder)
      // Four more, on other machines and both campaigns: they can only queue.
      const queued = units
        .filter(([unit]) => unit !== "county-a")
        .flatMap(([unit, clerk]) =>
          ["spring-week", "autumn-week"].map(async (campaign) =>
            engine.exit(acknowledge(`${campaign}/${unit}/plan`, await engine.actor(clerk))),
          ),
        )
      await until("the four commands to queue", async () => queuedCommands(db.kysely) === 4)
      // What the batch sends from here: its four machines are locked in one statement.
      const { value: exits, statements: sent } = await counted(async () => {
        await holder.query("commit")
        return Promise.all([...blocked, ...queued])
      })
      expect(exits.every(Exit.isSuccess)).toBe(true)
      const locks = sent.filter((text) => /^with (asked|locked) as/.test(text))
      expect(locks.filter((text) => text.startsWith("with asked as"))).toHaveLength(1)
      // The two that waited had sent their own before; nothing else locks a machine.
      expect(locks).toHaveLength(1)
      // One transaction wrote all four acknowledgements: their rows carry one creating transaction id.
      const rows = await holder.query<{ unit_key: string; campaign_id: string; xid: string }>(
        `select unit_key, campaign_id, xmin::text as xid from journal
         where event = 'task.acknowledge' and unit_key <> 'county-a'`,
      )
      expect(rows.rows).toHaveLength(4)
      expect(new Set(rows.rows.map((row) => row.xid)).size).toBe(1)
      for (const campaign of ["spring-week", "autumn-week"])
        expect((await engine.run(verifyCampaign(campaign, operator))).findings).toEqual([])
    } finally {
      await holder.end()
    }
  })

  it("a batch with a failing command commits the others, and the journal verifies", {
    timeout: 180_000,
  }, async (test) => {
    if (ctx.kind !== "postgres") return test.skip()
    const db = await engine.run(Effect.service(Db))
    const holder = await secondClient()
    try {
      const clerkB = await engine.actor("clerk-b")
      // county-b's task is acknowledged already: acknowledging it again fails.
      await engine.run(acknowledge("autumn-week/county-b/plan", clerkB))
      const [first, second] = await occupyRunners(holder)
      // Three queue behind them: the middle one fails.
      const queued = [
        engine.exit(acknowledge("spring-week/county-b/plan", clerkB, { idempotencyKey: "ok-1" })),
        engine.exit(acknowledge("autumn-week/county-b/plan", clerkB, { idempotencyKey: "fails" })),
        engine.exit(
          acknowledge("spring-week/town-a1/plan", await engine.actor("clerk-a1"), { idempotencyKey: "ok-2" }),
        ),
      ]
      await until("the three commands to queue", async () => queuedCommands(db.kysely) === 3)
      await holder.query("commit")
      expect((await Promise.all([first, second])).every(Exit.isSuccess)).toBe(true)
      const exits = await Promise.all(queued)
      expect(exits.map(Exit.isSuccess)).toEqual([true, false, true])
      // The two that stood were committed by one transaction.
      const rows = await holder.query<{ xid: string }>(
        `select xmin::text as xid from journal where idempotency_key in ('ok-1', 'ok-2')`,
      )
      expect(rows.rows).toHaveLength(2)
      expect(new Set(rows.rows.map((row) => row.xid)).size).toBe(1)
      // The failed one kept nothing: its key is free, and the others replay theirs.
      const keys = await holder.query<{ idempotency_key: string }>(
        `select idempotency_key from command_results where idempotency_key in ('ok-1', 'fails', 'ok-2') order by 1`,
      )
      expect(keys.rows.map((row) => row.idempotency_key)).toEqual(["ok-1", "ok-2"])
      const again = await engine.run(acknowledge("spring-week/county-b/plan", clerkB, { idempotencyKey: "ok-1" }))
      expect(again.replayed).toBe(true)
      for (const campaign of ["spring-week", "autumn-week"])
        expect((await engine.run(verifyCampaign(campaign, operator))).findings).toEqual([])
    } finally {
      await holder.end()
    }
  })

  it("a step the database refuses fails its command alone; the batch's others commit together", {
    timeout: 180_000,
  }, async (test) => {
    if (ctx.kind !== "postgres") return test.skip()
    const db = await engine.run(Effect.service(Db))
    const holder = await secondClient()
    try {
      // The database refuses town-a1's acknowledged task row: only the step's own write can fail.
      await holder.query(`create function refuse_town_a1() returns trigger language plpgsql as $$
        begin
          if new.unit_key = 'town-a1' and new.status = 'acknowledged' then raise exception 'town-a1 refused'; end if;
          return new;
        end $$`)
      await holder.query(
        "create trigger refuse_town_a1 before insert or update on tasks for each row execute function refuse_town_a1()",
      )
      const [first, second] = await occupyRunners(holder)
      // Three queue behind them; their steps are written together, and the middle one's is refused.
      const clerkB = await engine.actor("clerk-b")
      const queued = [
        engine.exit(acknowledge("spring-week/county-b/plan", clerkB, { idempotencyKey: "ok-1" })),
        engine.exit(
          acknowledge("spring-week/town-a1/plan", await engine.actor("clerk-a1"), { idempotencyKey: "refused" }),
        ),
        engine.exit(acknowledge("autumn-week/county-b/plan", clerkB, { idempotencyKey: "ok-2" })),
      ]
      await until("the three commands to queue", async () => queuedCommands(db.kysely) === 3)
      await holder.query("commit")
      expect((await Promise.all([first, second])).every(Exit.isSuccess)).toBe(true)
      const exits = await Promise.all(queued)
      expect(exits.map(Exit.isSuccess)).toEqual([true, false, true])
      expect(
        String(
          Exit.isFailure(exits[1] as Exit.Exit<unknown, unknown>) && (exits[1] as Exit.Failure<unknown, unknown>).cause,
        ),
      ).toMatch(/town-a1 refused/)
      const rows = await holder.query<{ xid: string }>(
        `select xmin::text as xid from journal where idempotency_key in ('ok-1', 'ok-2')`,
      )
      expect(rows.rows).toHaveLength(2)
      expect(new Set(rows.rows.map((row) => row.xid)).size).toBe(1)
      // The refused one left nothing: no journal row, its task as it was, its key free.
      const refused = await holder.query(
        "select 1 from journal where campaign_id = 'spring-week' and unit_key = 'town-a1' and event = 'task.acknowledge'",
      )
      expect(refused.rows).toEqual([])
      const task = await holder.query<{ status: string }>(
        "select status from tasks where campaign_id = 'spring-week' and unit_key = 'town-a1' and task_key = 'plan'",
      )
      expect(task.rows[0]?.status).toBe("assigned")
      const keys = await holder.query<{ idempotency_key: string }>(
        `select idempotency_key from command_results where idempotency_key in ('ok-1', 'refused', 'ok-2') order by 1`,
      )
      expect(keys.rows.map((row) => row.idempotency_key)).toEqual(["ok-1", "ok-2"])
      for (const campaign of ["spring-week", "autumn-week"])
        expect((await engine.run(verifyCampaign(campaign, operator))).findings).toEqual([])
    } finally {
      await holder.query("rollback").catch(() => undefined)
      await holder.query("drop trigger if exists refuse_town_a1 on tasks")
      await holder.query("drop function if exists refuse_town_a1()")
      await holder.end()
    }
  })

  it("a step's writes run before its append takes the campaign's head: a wait among them holds no head", {
    timeout: 180_000,
  }, async (test) => {
    if (ctx.kind !== "postgres") return test.skip()
    const holder = await secondClient()
    const other = await secondClient()
    try {
      // The task row an acknowledgement writes is held elsewhere: the step's write waits for it.
      await holder.query("begin")
      await holder.query(
        "select 1 from tasks where campaign_id = 'spring-week' and unit_key = 'county-b' and task_key = 'plan' for update",
      )
      const ack = engine.exit(acknowledge("spring-week/county-b/plan", await engine.actor("clerk-b")))
      await until("the acknowledgement to wait on the task row", async () => {
        const waiting = await other.query<{ n: number }>(
          `select count(*)::int as n from pg_stat_activity
           where datname = current_database() and wait_event_type = 'Lock' and query like '/* then commit */%'`,
        )
        return (waiting.rows[0]?.n ?? 0) > 0
      })
      // Meanwhile the campaign's head is free: another writer of the campaign can take it at once.
      await other.query("begin")
      const head = await other.query("select journal_seq from campaigns where id = 'spring-week' for update nowait")
      expect(head.rows).toHaveLength(1)
      await other.query("rollback")
      await holder.query("commit")
      expect(Exit.isSuccess(await ack)).toBe(true)
      expect((await engine.run(verifyCampaign("spring-week", operator))).findings).toEqual([])
    } finally {
      await holder.end()
      await other.end()
    }
  })

  it("a batch's reports and reviews go with its append; a review its report did not await fails alone", {
    timeout: 180_000,
  }, async (test) => {
    if (ctx.kind !== "postgres") return test.skip()
    const db = await engine.run(Effect.service(Db))
    const holder = await secondClient()
    const lead = await engine.actor("lead")
    const clerkB = await engine.actor("clerk-b")
    const clerkA1 = await engine.actor("clerk-a1")
    try {
      for (const campaign of ["spring-week", "autumn-week"])
        await engine.run(acknowledge(`${campaign}/county-b/plan`, clerkB))
      await engine.run(acknowledge("spring-week/town-a1/plan", clerkA1))
      await engine.run(submitReport("spring-week/county-b/plan", body, clerkB))
      await engine.run(submitReport("spring-week/town-a1/plan", body, clerkA1))
      // Behind the application's back, town-a1's report is marked approved; its machine still awaits the review.
      await holder.query(
        "update reports set status = 'approved' where campaign_id = 'spring-week' and unit_key = 'town-a1'",
      )
      const [first, second] = await occupyRunners(holder)
      const queued = [
        engine.exit(submitReport("autumn-week/county-b/plan", body, clerkB, { idempotencyKey: "r-1" })),
        engine.exit(approve("spring-week/county-b/plan", lead, { idempotencyKey: "a-1" })),
        engine.exit(approve("spring-week/town-a1/plan", lead, { idempotencyKey: "a-2" })),
      ]
      await until("the three commands to queue", async () => queuedCommands(db.kysely) === 3)
      const { statements: sent, value: exits } = await counted(async () => {
        await holder.query("commit")
        await Promise.all([first, second])
        return Promise.all(queued)
      })
      expect(exits.map(Exit.isSuccess)).toEqual([true, true, false])
      expect(String((exits[2] as Exit.Failure<unknown, unknown>).cause)).toMatch(/reports reviewed awaited review/)
      // Tried together first (one lock for the three), then under savepoints after the refusal,
      // where each locks its own and the report takes its place by a statement of its own: in
      // both, the report's rows and the reviews are written with the steps, never alone.
      expect(sent.filter((text) => text.startsWith("with asked as"))).toHaveLength(1)
      expect(sent.filter((text) => text.startsWith("select nextval('reports_id_seq')"))).toHaveLength(1)
      expect(sent.filter((text) => /^(insert into "?reports|update "?reports)/.test(text))).toEqual([])
      // The two that stood were committed by one transaction, the report at attempt 1 with its place's id.
      const rows = await holder.query<{ xid: string }>(
        "select xmin::text as xid from journal where idempotency_key in ('r-1', 'a-1')",
      )
      expect(rows.rows).toHaveLength(2)
      expect(new Set(rows.rows.map((row) => row.xid)).size).toBe(1)
      const reports = await holder.query<{ campaign_id: string; unit_key: string; attempt: number; status: string }>(
        `select campaign_id, unit_key, attempt, status from reports order by campaign_id, unit_key`,
      )
      expect(reports.rows).toEqual([
        { campaign_id: "autumn-week", unit_key: "county-b", attempt: 1, status: "submitted" },
        { campaign_id: "spring-week", unit_key: "county-b", attempt: 1, status: "approved" },
        { campaign_id: "spring-week", unit_key: "town-a1", attempt: 1, status: "approved" },
      ])
      // The refused review left nothing: no journal row, the task as it was, its key free.
      const refused = await holder.query("select 1 from journal where idempotency_key = 'a-2'")
      expect(refused.rows).toEqual([])
      const task = await holder.query<{ status: string }>(
        "select status from tasks where campaign_id = 'spring-week' and unit_key = 'town-a1' and task_key = 'plan'",
      )
      expect(task.rows[0]?.status).toBe("submitted")
      const keys = await holder.query<{ idempotency_key: string }>(
        "select idempotency_key from command_results where idempotency_key in ('r-1', 'a-1', 'a-2') order by 1",
      )
      expect(keys.rows.map((row) => row.idempotency_key)).toEqual(["a-1", "r-1"])
      // Put back, the review goes through, and both chains verify.
      await holder.query(
        "update reports set status = 'submitted' where campaign_id = 'spring-week' and unit_key = 'town-a1'",
      )
      await engine.run(approve("spring-week/town-a1/plan", lead, { idempotencyKey: "a-2" }))
      for (const campaign of ["spring-week", "autumn-week"])
        expect((await engine.run(verifyCampaign(campaign, operator))).findings).toEqual([])
    } finally {
      await holder.end()
    }
  })
})
