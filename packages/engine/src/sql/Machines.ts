/**
 * The machine rows: locking them for a step (waiting, or skipping those another
 * transaction holds), and the one statement that writes a step.
 */
import type { CampaignRow, MachineRow, TasksTable } from "@liandong/store"
import { type Insertable, type RawBuilder, sql } from "kysely"
import { type FanInAsked, type FanInLocked, fanInJson, fanInOfJson, fanInParts } from "./FanIn.ts"
import type { Sql } from "./Handle.ts"
import type { DueItem, KeptFile, LockedMachine } from "./Locked.ts"
import { latestAttemptWithFiles, reportSlotOf } from "./Reports.ts"

/**
 * A statement's rows from one JSON parameter, typed by `columns` and estimated as few
 * (`liandong_rows`, migration 0026): a join with them then looks each row up by index where a
 * set function's usual estimate (100 rows) made a whole table's scan look cheaper.
 */
const fewRows = (rows: string, alias: "a" | "r" | "s" | "u", columns: RawBuilder<unknown>) =>
  sql`liandong_rows(${rows}::jsonb) as ${sql.raw(alias)}_row(e) cross join lateral jsonb_to_record(${sql.raw(alias)}_row.e)
    as ${sql.raw(alias)}(${columns})`

export type { DueItem, KeptFile, LockedMachine, ReportSlot } from "./Locked.ts"

/*
 * Locks are FOR NO KEY UPDATE, like the update that follows: the foreign keys of timers and
 * messages sent to the machine meanwhile only take KEY SHARE, which it does not block.
 */

/*
 * The first look at a locked machine `l`, by `h.at`: its row's xmin as the statement's snapshot
 * saw it (before any wait for the lock), and its earliest timer and event message due.
 */
const firstLookColumns = sql`(select m.xmin::text from machines m where m.id = l.id) as seen_xmin,
  t.id as timer_id, t.due_at as timer_at, g.id as message_id, g.available_at as message_at`
const firstLookJoins = sql`left join lateral (select id, due_at from timers
    where machine_id = l.id and status = 'pending' and attempts = 0 and due_at <= h.at
    order by due_at, id limit 1) t on true
  left join lateral (select id, available_at from messages
    where machine_id = l.id and status = 'pending' and attempts = 0 and kind = 'event' and available_at <= h.at
    order by available_at, id limit 1) g on true`

/**
 * Locks a unit's machine row (or the campaign's), waiting for it, and in the same statement
 * looks for the earliest item due on it by `at` (or by the machine's last event, when that is
 * later) as `lockNextDueOfMachine` does. The look-up reads the statement's snapshot, taken before
 * any wait for the lock: when the row changed meanwhile (its xmin tells; `fresh` false), what
 * its holder wrote is not in it, and the caller looks again. With `claim`, the statement also
 * claims that idempotency key (as `claimKey`) and says whether it did, and it says which
 * definition the campaign pins (`pinned`), for a command that loaded the campaign before.
 */
export const lockMachineWithDue = async (
  db: Sql,
  campaignId: string,
  unit: string | null,
  at: Date,
  claim?: { readonly principalId: string; readonly key: string; readonly requestHash: string },
): Promise<LockedMachine> => {
  // The kind, always: each kind's machines have their own partial index, which a condition on the
  // unit alone cannot use (a national run's second command on a machine scanned all 50,000).
  const which = unit === null ? sql`kind = 'campaign'` : sql`kind = 'unit' and unit_key = ${unit}`
  const { rows } = await sql<LockedRow>`
    with locked as (
      select *, xmin::text as locked_xmin from machines where campaign_id = ${campaignId} and ${which}
      for no key update
    ), horizon as (
      select l.id, case when l.version > 1 and l.updated_at > ${at}::timestamptz then l.updated_at
        else ${at}::timestamptz end as at from locked l
    )${
      claim === undefined
        ? sql``
        : sql`, claimed as (
      insert into command_results (principal_id, idempotency_key, request_hash, result)
      values (${claim.principalId}, ${claim.key}, ${claim.requestHash}, 'null'::jsonb)
      on conflict (principal_id, idempotency_key) do nothing
      returning 1
    )`
    }
    select ${claim === undefined ? sql`null::int` : sql`(select count(*) from claimed)::int`} as claimed,
      (select definition_id::text from campaigns where id = ${campaignId}) as pinned, x.*
    from (select 1) one left join (
      select l.*,
        ${firstLookColumns}
      from locked l join horizon h on h.id = l.id
      ${firstLookJoins}
    ) x on true`.execute(db)
  return lockedOf(rows[0])
}

/** A row of the lock statements: the machine and what its first look found. */
type LockedRow = MachineRow & {
  readonly claimed: number | null
  readonly pinned: string | null
  readonly locked_xmin: string | null
  readonly seen_xmin: string | null
  readonly timer_id: string | null
  readonly timer_at: Date | null
  readonly message_id: string | null
  readonly message_at: Date | null
}

const lockedOf = (found: LockedRow | undefined): LockedMachine => {
  const claimed = found?.claimed === null || found?.claimed === undefined ? undefined : found.claimed > 0
  const pinned = found?.pinned ?? null
  if (found === undefined || found.id === null) return { claimed, pinned, machine: undefined }
  const { claimed: _, pinned: __, locked_xmin, seen_xmin, timer_id, timer_at, message_id, message_at, ...row } = found
  const due: DueItem | undefined =
    timer_id !== null && (message_id === null || new Date(timer_at as Date) < new Date(message_at as Date))
      ? { kind: "timer", id: timer_id }
      : message_id !== null
        ? { kind: "message", id: message_id }
        : undefined
  return { claimed, pinned, machine: { row: row as MachineRow, due, fresh: seen_xmin === locked_xmin } }
}

/**
 * A unit's machine a command is to lock, at its time, with its idempotency key to claim, and
 * the task whose next report it submits (`reportOf`: the report's place is taken with the lock).
 */
export interface LockAsked {
  readonly campaignId: string
  readonly unit: string
  readonly at: Date
  readonly claim?: { readonly principalId: string; readonly key: string; readonly requestHash: string }
  readonly reportOf?: string
}

/**
 * `lockMachineWithDue` for the commands of a batch at once, in one statement: their units'
 * machines locked in the order asked (so that two batches lock in one order), each with its
 * first look and its key claimed; the answers in that order. Each unit's machine is asked
 * once: a second command on the same machine locks it itself, after the first has changed it.
 *
 * With `reportOf`, the statement also takes the place of the task's next report (`ReportSlot`):
 * an id from the reports' sequence, the task's latest attempt and that report's files. They are
 * read in the statement's snapshot, so they are kept only when the machine row did not change
 * while its lock was awaited (every report of a unit is written under its machine's lock).
 *
 * With `fanIn` (commands that may count a unit's finished phase on the campaign's machine), the
 * statement also does `lockFanIn`'s work once the units' machines are locked, saving the fan-in
 * its round trip (`FanIn.ts`); undefined when not asked.
 */
export const lockMachinesWithDue = async (
  db: Sql,
  asked: ReadonlyArray<LockAsked>,
  fanIn?: FanInAsked,
): Promise<{ readonly machines: LockedMachine[]; readonly fanIn: FanInLocked | undefined }> => {
  const json = JSON.stringify(
    asked.map((a, ord) => ({
      ord,
      campaign_id: a.campaignId,
      unit_key: a.unit,
      at: a.at.toISOString(),
      principal_id: a.claim?.principalId ?? null,
      idempotency_key: a.claim?.key ?? null,
      request_hash: a.claim?.requestHash ?? null,
      report_task: a.reportOf ?? null,
    })),
  )
  const { rows } = await sql<LockedRow & SlotColumns & { readonly ord: number; readonly fan_in?: unknown }>`
    with asked as materialized (
      select a.* from ${fewRows(
        json,
        "a",
        sql`ord int, campaign_id text, unit_key text, at timestamptz,
        principal_id text, idempotency_key text, request_hash text, report_task text`,
      )}
    ), locked as materialized (
      select m.*, m.xmin::text as locked_xmin, a.ord as asked_ord from asked a
      join machines m on m.kind = 'unit' and m.campaign_id = a.campaign_id and m.unit_key = a.unit_key
      order by a.ord
      for no key update of m
    ), claimed as (
      insert into command_results (principal_id, idempotency_key, request_hash, result)
      select principal_id, idempotency_key, request_hash, 'null'::jsonb from asked where idempotency_key is not null
      on conflict (principal_id, idempotency_key) do nothing
      returning principal_id, idempotency_key
    )${fanIn === undefined ? sql`` : sql`, ${fanInParts(fanIn, "locked")}`}
    select a.ord,${fanIn === undefined ? sql`` : sql` case when a.ord = 0 then ${fanInJson} end as fan_in,`}
      case when a.idempotency_key is null then null else (select count(*) from claimed c
        where c.principal_id = a.principal_id and c.idempotency_key = a.idempotency_key)::int end as claimed,
      (select definition_id::text from campaigns where id = a.campaign_id) as pinned,
      case when a.report_task is null then null else nextval('reports_id_seq')::text end as slot_id,
      p.attempt as slot_latest, p.files as slot_files, x.*
    from asked a left join lateral (
      select l.*,
        ${firstLookColumns}
      from locked l
      cross join lateral (select case when l.version > 1 and l.updated_at > a.at then l.updated_at
        else a.at end as at) h
      ${firstLookJoins}
      where l.asked_ord = a.ord
    ) x on true
    left join lateral (${latestAttemptWithFiles(sql`a.campaign_id`, sql`a.unit_key`, sql`a.report_task`)}) p on true
    order by a.ord`.execute(db)
  const machines = rows.map(({ ord: _, asked_ord: __, fan_in: ___, slot_id, slot_latest, slot_files, ...row }) => {
    const locked = lockedOf(row as LockedRow)
    return slot_id === null || locked.machine?.fresh !== true
      ? locked
      : { ...locked, report: reportSlotOf(slot_id, slot_latest, slot_files) }
  })
  const found = rows[0]?.fan_in
  return { machines, fanIn: fanIn === undefined || found == null ? undefined : fanInOfJson(found) }
}

/** The columns of a report's place (`ReportSlot`) in `lockMachinesWithDue`'s rows. */
interface SlotColumns {
  readonly asked_ord?: number
  readonly slot_id: string | null
  readonly slot_latest: number | null
  readonly slot_files: KeptFile[] | null
}

/** Locks a machine row by id, waiting for it. */
export const lockMachineById = (db: Sql, machineId: string) =>
  db.selectFrom("machines").selectAll().where("id", "=", machineId).forNoKeyUpdate().executeTakeFirstOrThrow()

/**
 * Locks the machine rows of `ids` that no other transaction holds, in id order; with each
 * machine's campaign row as it stands and the hash of the definition it pins (a worker's batch
 * needs them, and would otherwise read them in a statement of their own).
 */
export const tryLockMachines = async (db: Sql, ids: ReadonlyArray<string>) => {
  const { rows } = await sql<MachineRow & CampaignColumns>`
    with locked as materialized (
      select * from machines where id = any(${ids}::bigint[]) order by id for no key update skip locked
    )
    select l.*, ${campaignColumns("c", "d")}
    from locked l join campaigns c on c.id = l.campaign_id join definitions d on d.id = c.definition_id
    order by l.id`.execute(db)
  const campaigns = new Map<string, { readonly row: CampaignRow; readonly hash: string }>()
  const machines = rows.map((row) => {
    const { campaign, rest } = splitCampaign(row)
    campaigns.set(rest.campaign_id, campaign)
    return rest as MachineRow
  })
  return { machines, campaigns }
}

/** A machine's campaign, as a statement answers it beside the machine's columns (`campaignColumns`). */
export type CampaignColumns = {
  readonly campaign_definition_id: CampaignRow["definition_id"]
  readonly campaign_status: CampaignRow["status"]
  readonly campaign_journal_seq: CampaignRow["journal_seq"]
  readonly campaign_journal_head: CampaignRow["journal_head"]
  readonly campaign_created_at: CampaignRow["created_at"]
  readonly campaign_started_at: CampaignRow["started_at"]
  readonly campaign_closed_at: CampaignRow["closed_at"]
  readonly campaign_hash: string
}

/** The select list of `CampaignColumns`, from a campaign row `c` and its definition's `d`. */
export const campaignColumns = (c: string, d: string) =>
  sql.raw(`${c}.definition_id as campaign_definition_id, ${c}.status as campaign_status,
      ${c}.journal_seq as campaign_journal_seq, ${c}.journal_head as campaign_journal_head,
      ${c}.created_at as campaign_created_at, ${c}.started_at as campaign_started_at,
      ${c}.closed_at as campaign_closed_at, ${d}.hash as campaign_hash`)

/** A row with `CampaignColumns` as its campaign (row and definition hash) and the rest of its columns. */
export const splitCampaign = <T extends CampaignColumns & { readonly campaign_id: string }>(row: T) => {
  const {
    campaign_definition_id,
    campaign_status,
    campaign_journal_seq,
    campaign_journal_head,
    campaign_created_at,
    campaign_started_at,
    campaign_closed_at,
    campaign_hash,
    ...rest
  } = row
  const campaign: { readonly row: CampaignRow; readonly hash: string } = {
    row: {
      id: row.campaign_id,
      definition_id: campaign_definition_id,
      status: campaign_status,
      journal_seq: campaign_journal_seq,
      journal_head: campaign_journal_head,
      created_at: campaign_created_at,
      started_at: campaign_started_at,
      closed_at: campaign_closed_at,
    },
    hash: campaign_hash,
  }
  return { campaign, rest }
}

/** Locks a machine row by id unless another transaction holds it (then nothing). */
export const tryLockMachine = (db: Sql, machineId: string) =>
  db.selectFrom("machines").selectAll().where("id", "=", machineId).forNoKeyUpdate().skipLocked().executeTakeFirst()

/** The campaign's own machine: its id and unit (none), or nothing when the campaign has no machine. */
export const campaignMachine = (db: Sql, campaignId: string) =>
  db
    .selectFrom("machines")
    .select(["id", "unit_key"])
    .where("campaign_id", "=", campaignId)
    .where("kind", "=", "campaign")
    .executeTakeFirst()

/** A machine's id and unit, by id. */
export const machineById = (db: Sql, machineId: string) =>
  db.selectFrom("machines").select(["id", "unit_key"]).where("id", "=", machineId).executeTakeFirstOrThrow()

/** A machine's next snapshot (JSON data) and the query columns that mirror it. */
export interface SavedMachine {
  readonly id: string
  /** the version it was at: the update is guarded by it against a lost update */
  readonly version: number
  /** the steps it took since (consecutive steps written as one: the last one's snapshot) */
  readonly steps: number
  readonly snapshot: unknown
  readonly phase: string | null
  readonly status: string
  readonly overdue: boolean
  readonly at: string
}

/** The campaign row's status as its machine's view shows it, stamped at `at` when it starts or closes. */
export interface CampaignStatus {
  readonly id: string
  readonly status: string
  readonly starts: boolean
  readonly closes: boolean
  readonly at: string
}

/** A timer to schedule on a machine: fires `event` at `due_at`; `key` is unique per machine. */
export interface TimerToSchedule {
  readonly campaign_id: string
  readonly machine_id: string
  readonly key: string
  readonly due_at: string
  readonly event: unknown
}

/** A machine's pending timer to cancel, by key. */
export interface TimerToCancel {
  readonly machine_id: string
  readonly key: string
  readonly at: string
}

/**
 * A message to send: to a unit's machine, or the campaign's when `unit` is null; `n` keeps the
 * order sent across the steps written together.
 */
export interface MessageToSend {
  readonly n: number
  readonly campaign_id: string
  readonly unit: string | null
  readonly dedupe_key: string
  /** not sent when a message with this dedupe key was (it would be moot: `FollowUp` `mootAfter`) */
  readonly moot_after: string | null
  readonly event: unknown
  readonly at: string
}

/**
 * A message applied in the transaction that sends it (`FanIn.ts`): written as done, under the
 * id its journal row names, to the machine its step was taken on.
 */
export interface MessageApplied {
  readonly id: string
  readonly campaign_id: string
  readonly machine_id: string
  readonly dedupe_key: string
  readonly event: unknown
  /** when it was sent, and applied */
  readonly at: string
}

/** The job that writes a campaign's summary, queued once per campaign. */
export interface SummaryJob {
  readonly campaign_id: string
  readonly machine_id: string
  readonly event: unknown
  readonly at: string
}

/** A notification for a unit. */
export interface NoticeToSend {
  readonly campaign_id: string
  readonly unit_key: string
  readonly kind: string
  readonly body: unknown
}

/**
 * A report a command submits, at the place its machine's lock took (`ReportSlot`): its
 * figures as exact decimals in text, in the order given, and the uploads it carries in order.
 */
export interface ReportToInsert {
  readonly id: string
  readonly campaign_id: string
  readonly unit_key: string
  readonly task_key: string
  readonly attempt: number
  readonly narrative: Readonly<Record<string, string>>
  readonly submitted_by: string
  readonly submitted_at: string
  readonly figures: ReadonlyArray<readonly [string, string]>
  readonly files: ReadonlyArray<string>
}

/** The review of a report its machine shows awaiting one: approved with a comment, or returned with a reason. */
export interface ReviewToWrite {
  readonly id: string
  readonly status: "approved" | "returned"
  readonly by: string
  readonly at: string
  readonly reason: string | null
  readonly comment: string | null
}

/** A claimed timer or message marked applied (`done`) or no longer accepted (`moot`, with the reason). */
export interface ItemToComplete {
  readonly id: string
  readonly status: "done" | "moot"
  readonly note: string | null
  readonly at: string
}

/** Everything some steps write, as rows: one statement writes them whatever their number. */
export interface StepRows {
  readonly machines: SavedMachine[]
  readonly campaigns: CampaignStatus[]
  readonly tasks: Insertable<TasksTable>[]
  readonly scheduled: TimerToSchedule[]
  readonly cancelled: TimerToCancel[]
  readonly sent: MessageToSend[]
  /** messages sent and applied in this transaction */
  readonly applied: MessageApplied[]
  readonly summaries: SummaryJob[]
  readonly notices: NoticeToSend[]
  /** reports the commands submit, and reviews of reports, written with the commands' steps */
  readonly reports: ReportToInsert[]
  readonly reviews: ReviewToWrite[]
  /** the claimed items a worker's batch applied, marked with its steps */
  readonly completed: { readonly timers: ItemToComplete[]; readonly messages: ItemToComplete[] }
  /** campaigns whose workers are to be woken once this commits (new timers, messages or a summary job) */
  readonly woken: Set<string>
}

/** No rows yet. */
export const noStepRows = (): StepRows => ({
  machines: [],
  campaigns: [],
  tasks: [],
  scheduled: [],
  cancelled: [],
  sent: [],
  applied: [],
  summaries: [],
  notices: [],
  reports: [],
  reviews: [],
  completed: { timers: [], messages: [] },
  woken: new Set(),
})

const json = (rows: ReadonlyArray<unknown>) => JSON.stringify(rows)

const completedColumns = sql`id bigint, status text, note text, at timestamptz`

/** Some of the steps' CTEs: whether the rows call for them, and which of them count as writes. */
interface StepPart {
  readonly present: (rows: StepRows) => boolean
  /** its CTEs counted in `stepCounts`'s writes */
  readonly counted: ReadonlyArray<string>
  readonly written: (rows: StepRows) => RawBuilder<unknown>
}

const stepParts: ReadonlyArray<StepPart> = [
  {
    present: () => true,
    counted: [],
    written: (rows) => sql`next as (
      select s.* from ${fewRows(
        json(rows.machines),
        "s",
        sql`id bigint, version integer, snapshot jsonb,
        phase text, status text, overdue boolean, at timestamptz, steps integer`,
      )}
    ), saved as (
      update machines m set snapshot = n.snapshot, version = n.version + n.steps, phase = n.phase,
        status = n.status, overdue = n.overdue, updated_at = n.at
      from next n where m.id = n.id and m.version = n.version
      returning m.id
    )`,
  },
  {
    present: (rows) => rows.campaigns.length > 0,
    counted: ["campaign"],
    written: (rows) => sql`campaign as (
      update campaigns c set status = r.status,
        started_at = case when r.starts then r.at else c.started_at end,
        closed_at = case when r.closes then r.at else c.closed_at end
      from ${fewRows(
        json(rows.campaigns),
        "r",
        sql`id text, status text, starts boolean, closes boolean,
        at timestamptz`,
      )}
      where c.id = r.id
      returning 1
    )`,
  },
  {
    present: (rows) => rows.tasks.length > 0,
    counted: ["projected"],
    written: (rows) => sql`projected as (
      insert into tasks (campaign_id, unit_key, task_key, phase_key, status, deadline, overdue,
        reminded, returns, report_id, acknowledged_at, submitted_at, approved_at, updated_at)
      select r.campaign_id, r.unit_key, r.task_key, r.phase_key, r.status, r.deadline, r.overdue, r.reminded,
        r.returns, r.report_id, r.acknowledged_at, r.submitted_at, r.approved_at, r.updated_at
      from jsonb_to_recordset(${json(rows.tasks)}::jsonb) as r(campaign_id text, unit_key text,
        task_key text, phase_key text, status text, deadline timestamptz, overdue boolean, reminded integer,
        returns integer, report_id bigint, acknowledged_at timestamptz, submitted_at timestamptz,
        approved_at timestamptz, updated_at timestamptz)
      on conflict (campaign_id, unit_key, task_key) do update set status = excluded.status,
        overdue = excluded.overdue, reminded = excluded.reminded, returns = excluded.returns,
        report_id = excluded.report_id, acknowledged_at = excluded.acknowledged_at,
        submitted_at = excluded.submitted_at, approved_at = excluded.approved_at,
        updated_at = excluded.updated_at
      returning 1
    )`,
  },
  {
    present: (rows) => rows.scheduled.length > 0,
    counted: ["scheduled"],
    written: (rows) => sql`scheduled as (
      insert into timers (campaign_id, machine_id, key, due_at, event, status)
      select r.campaign_id, r.machine_id, r.key, r.due_at, r.event, 'pending'
      from jsonb_to_recordset(${json(rows.scheduled)}::jsonb) as r(campaign_id text, machine_id bigint,
        key text, due_at timestamptz, event jsonb)
      on conflict (machine_id, key) do nothing
      returning 1
    )`,
  },
  {
    present: (rows) => rows.cancelled.length > 0,
    counted: ["cancelled"],
    written: (rows) => sql`cancelled as (
      update timers t set status = 'cancelled', done_at = c.at
      from (select p.id, r.at from ${fewRows(
        json(rows.cancelled),
        "r",
        sql`machine_id bigint, key text,
          at timestamptz`,
      )}
        join timers p on p.machine_id = r.machine_id and p.key = r.key and p.status = 'pending'
          and p.id <> all(${rows.completed.timers.map((t) => t.id)}::bigint[])
        for update of p skip locked) c
      where t.id = c.id
      returning 1
    )`,
  },
  {
    present: (rows) => rows.sent.length > 0,
    counted: ["sent"],
    written: (rows) => sql`sent as (
      insert into messages (campaign_id, machine_id, kind, dedupe_key, event, status, available_at)
      select r.campaign_id,
        case when r.unit is null
          then (select id from machines where campaign_id = r.campaign_id and kind = 'campaign')
          else (select id from machines where campaign_id = r.campaign_id and kind = 'unit' and unit_key = r.unit)
        end,
        'event', r.dedupe_key, r.event, 'pending', r.at
      from jsonb_to_recordset(${json(rows.sent)}::jsonb) as r(n integer, campaign_id text, unit text,
        dedupe_key text, moot_after text, event jsonb, at timestamptz)
      -- A probe of the dedupe keys' index (offset 0: never an anti-join hashing every message). One
      -- sent meanwhile by a transaction not yet committed is not seen: this one is then moot where it arrives.
      where r.moot_after is null
        or not exists (select 1 from messages d where d.dedupe_key = r.moot_after offset 0)
      order by r.n
      on conflict (dedupe_key) do nothing
      returning 1
    )`,
  },
  {
    present: (rows) => rows.applied.length > 0,
    counted: ["applied"],
    // Never `on conflict do nothing`: a message its transaction applied exists once, or the
    // statement fails (and the transaction is run again, where `FanIn.ts` finds it sent).
    written: (rows) => sql`applied as (
      insert into messages (id, campaign_id, machine_id, kind, dedupe_key, event, status, available_at, done_at)
      select r.id, r.campaign_id, r.machine_id, 'event', r.dedupe_key, r.event, 'done', r.at, r.at
      from jsonb_to_recordset(${json(rows.applied)}::jsonb) as r(id bigint, campaign_id text, machine_id bigint,
        dedupe_key text, event jsonb, at timestamptz)
      returning 1
    )`,
  },
  {
    present: (rows) => rows.summaries.length > 0,
    counted: ["summarized"],
    written: (rows) => sql`summarized as (
      insert into messages (campaign_id, machine_id, kind, dedupe_key, event, status, available_at)
      select r.campaign_id, r.machine_id, 'summary', r.campaign_id || ':summary', r.event, 'pending', r.at
      from jsonb_to_recordset(${json(rows.summaries)}::jsonb) as r(campaign_id text, machine_id bigint,
        event jsonb, at timestamptz)
      on conflict (dedupe_key) do nothing
      returning 1
    )`,
  },
  {
    present: (rows) => rows.notices.length > 0,
    counted: ["noticed", "shown"],
    written: (rows) => sql`notice as materialized (
      -- Whether the worker has more to do for it: a contact with an address, or an endpoint. Each
      -- a probe of its index (offset 0: never a hash of every principal).
      select nextval('notifications_id_seq') as id, r.*, (r.body->>'at')::timestamptz as at,
        exists (select 1 from principals p where p.unit_key = r.unit_key and p.role = 'unit'
            and p.disabled_at is null and p.email is not null and p.email <> '' offset 0)
          or exists (select 1 from webhooks w where w.campaign_id = r.campaign_id and w.removed_at is null
            offset 0) as further
      from jsonb_to_recordset(${json(rows.notices)}::jsonb) as r(campaign_id text, unit_key text, kind text,
        body jsonb)
    ), noticed as (
      insert into notifications (id, campaign_id, unit_key, kind, body, expanded_at)
      select n.id, n.campaign_id, n.unit_key, n.kind, n.body, case when n.further then null else n.at end
      from notice n
      returning 1
    ), shown as (
      insert into deliveries (notification_id, principal_id, channel, address, status, attempts, next_attempt_at,
        sent_at)
      select n.id, c.id, 'in-app', null, 'sent', 0, n.at, n.at
      -- Unit by unit through the contacts' index (offset 0: never a hash of every principal).
      from notice n cross join lateral (select id from principals
        where unit_key = n.unit_key and role = 'unit' and disabled_at is null offset 0) c
      returning 1
    )`,
  },
  {
    present: (rows) => rows.reports.length > 0,
    counted: ["reported", "figured", "carried"],
    written: (rows) => sql`report as materialized (
      select r.* from jsonb_to_recordset(${json(rows.reports)}::jsonb) as r(id bigint, campaign_id text,
        unit_key text, task_key text, attempt integer, narrative jsonb, submitted_by text, submitted_at timestamptz,
        figures jsonb, files jsonb)
    ), reported as (
      insert into reports (id, campaign_id, unit_key, task_key, attempt, status, narrative, submitted_by, submitted_at)
      select r.id, r.campaign_id, r.unit_key, r.task_key, r.attempt, 'submitted', r.narrative, r.submitted_by,
        r.submitted_at
      from report r order by r.id
      returning 1
    ), figured as (
      insert into report_figures (report_id, figure_key, value)
      select r.id, f.pair->>0, (f.pair->>1)::numeric
      from report r cross join jsonb_array_elements(r.figures) with ordinality as f(pair, n)
      order by r.id, f.n
      returning 1
    ), carried as (
      insert into report_attachments (report_id, position, attachment_id)
      select r.id, (f.n - 1)::int, f.id::bigint
      from report r cross join jsonb_array_elements_text(r.files) with ordinality as f(id, n)
      returning 1
    )`,
  },
  {
    present: (rows) => rows.reviews.length > 0,
    counted: [],
    written: (rows) => sql`reviewed as (
      update reports p set status = r.status, reviewed_by = r.by, reviewed_at = r.at, return_reason = r.reason,
        review_comment = r.comment
      from ${fewRows(
        json(rows.reviews),
        "r",
        sql`id bigint, status text, by text, at timestamptz, reason text,
        comment text`,
      )}
      where p.id = r.id and p.status = 'submitted'
      returning p.id
    )`,
  },
  {
    present: (rows) => rows.completed.timers.length > 0,
    counted: ["timers_done"],
    written: (rows) => sql`timers_done as (
      update timers q set status = u.status, done_at = u.at, last_error = u.note
      from ${fewRows(json(rows.completed.timers), "u", completedColumns)}
      where q.id = u.id
      returning 1
    )`,
  },
  {
    present: (rows) => rows.completed.messages.length > 0,
    counted: ["messages_done"],
    written: (rows) => sql`messages_done as (
      update messages q set status = u.status, done_at = u.at, last_error = u.note
      from ${fewRows(json(rows.completed.messages), "u", completedColumns)}
      where q.id = u.id
      returning 1
    )`,
  },
]

const partsOf = (rows: StepRows) => stepParts.filter((part) => part.present(rows))

/**
 * The steps of any number of machines (one step each) as data-modifying CTEs, `saved` counting
 * the machines written: each machine's next snapshot, guarded by its version;
 * the campaign's status; the unit's task rows; new and cancelled timers; messages in the order
 * sent (one already sent under its dedupe key is not sent again, and a unit without a machine
 * gets one for no machine, which the worker parks) and those the transaction applied itself,
 * written as done (`FanIn.ts`); the summary job; notifications, shown in the
 * app to their units' contacts at once (and left to the worker's fan-out only when a contact has
 * an email address or the campaign an endpoint: `Notices.ts`); the commands'
 * reports with their figures and files, and reviews (`reviewed`: the reports that awaited theirs).
 * A statement of them selects `stepCounts`. The campaigns in `woken` are the transaction's to
 * wake once it has committed (`Tx.woken`), never a NOTIFY of this statement's.
 *
 * A cancelled timer a worker holds right now is skipped: the worker finds its event no longer
 * accepted and marks it moot. The claimed timers and messages a batch applied are marked in the
 * same statement (`completed`); a step cancelling its own claimed timer leaves it done, as a row
 * is updated once in a statement.
 *
 * Only the parts the rows call for are in the text (`stepParts`): the server sets up every part
 * of a statement's plan at each execution, opening and locking each part's table and indexes,
 * and an acknowledgement's step writes its machine and a task row, two of fifteen writes. A
 * handful of texts in practice, each prepared once a connection.
 */
export const stepWrites = (rows: StepRows) =>
  sql.join(
    partsOf(rows).map((part) => part.written(rows)),
    sql`, `,
  )

/**
 * What a statement with `stepWrites` selects, first: every write of the steps run to its end (so
 * that a journal's append after it takes the campaign's head last, and holds it only until the
 * commit), and that every machine was saved at the version its step began from and every report
 * reviewed awaited its review — else the statement fails (`liandong_steps_as_begun`, migration
 * 0027), and the commit sent behind it with it.
 */
export const stepCounts = (rows: StepRows) => {
  const counted = partsOf(rows).flatMap((part) => part.counted)
  const writes =
    counted.length === 0
      ? sql`0`
      : sql.join(
          counted.map((name) => sql`(select count(*) from ${sql.raw(name)})`),
          sql` + `,
        )
  const reviewed = rows.reviews.length > 0 ? sql`(select count(*) from reviewed)::int` : sql`0`
  return sql`liandong_steps_as_begun((select count(*) from saved)::int, ${rows.machines.length}::int,
    ${reviewed}, ${rows.reviews.length}::int, (${writes})::bigint)`
}

/** Writes the steps of any number of machines (one step each) in one statement (`stepWrites`). */
export const writeSteps = (db: Sql, rows: StepRows) =>
  sql<{ as_begun: boolean }>`with ${stepWrites(rows)} select ${stepCounts(rows)} as as_begun`
    .execute(db)
    .then((result) => result.rows[0])
