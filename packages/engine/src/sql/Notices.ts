/** The outbox's statements: notices fanned out to people, and their deliveries claimed and settled. */
import type { NotificationsTable } from "@liandong/store"
import { sql } from "kysely"
import { commitsWith, type Sql } from "../Db.ts"
import { anyInOrder, messageDue, timerDue } from "./FirstInOrder.ts"
import { claimLockSpace, fanInLockSpace, machineLockKey } from "./LockSpaces.ts"
import type { PreferencesRow } from "./Preferences.ts"

/** A notice to fan out, as the fan-out's first statement gives it. */
export interface NoticeToFanOut {
  readonly id: string
  readonly campaign_id: string
  readonly unit_key: string
  readonly kind: NotificationsTable["kind"]
  readonly body: unknown
}

/** What one fan-out works on, read in one statement. */
export interface FanOutWork {
  /** notices not yet fanned out, oldest first */
  readonly notices: ReadonlyArray<NoticeToFanOut>
  /** the enabled contacts of their units, with their email addresses */
  readonly contacts: ReadonlyArray<{ readonly id: string; readonly unit_key: string; readonly email: string | null }>
  /** their campaigns' endpoints in use */
  readonly endpoints: ReadonlyArray<{
    readonly id: string
    readonly campaign_id: string
    readonly kind: "webhook" | "wecom" | "dingtalk"
    readonly events: ReadonlyArray<string> | null
  }>
  /** the contacts' preferences (those who set any), when asked for: mail is on */
  readonly preferences: ReadonlyArray<PreferencesRow & { readonly principal_id: string }>
}

/**
 * Takes up to `limit` notices not yet fanned out, oldest first, locked so two workers never
 * take the same, with everything their fan-out reads: their units' contacts, their campaigns'
 * endpoints and, with `preferences`, the contacts' preferences. One statement.
 */
export const claimFanOut = (db: Sql, limit: number, preferences: boolean) =>
  claimFanOutStatement(limit, preferences)
    .execute(db)
    .then((result) => result.rows[0] ?? { notices: [], contacts: [], endpoints: [], preferences: [] })

/** The statement of `claimFanOut` (its plan is tested). */
export const claimFanOutStatement = (limit: number, preferences: boolean) =>
  sql<FanOutWork>`
    with n as materialized (
      select id, campaign_id, unit_key, kind, body from notifications
      where expanded_at is null order by id limit ${limit}
      for update skip locked
    ), p as materialized (
      -- Unit by unit through the contacts' index (offset 0 keeps the lookup from being flattened
      -- into a join the planner may hash, which scans every principal once a fan-out).
      select c.id, c.unit_key, c.email from (select distinct unit_key from n) u
      cross join lateral (select id, unit_key, email from principals
        where unit_key = u.unit_key and role = 'unit' and disabled_at is null offset 0) c
    )
    select coalesce((select jsonb_agg(jsonb_build_object('id', n.id::text, 'campaign_id', n.campaign_id,
        'unit_key', n.unit_key, 'kind', n.kind, 'body', n.body) order by n.id) from n), '[]'::jsonb) as notices,
      coalesce((select jsonb_agg(jsonb_build_object('id', p.id, 'unit_key', p.unit_key, 'email', p.email)
        order by p.id) from p), '[]'::jsonb) as contacts,
      coalesce((select jsonb_agg(jsonb_build_object('id', w.id::text, 'campaign_id', w.campaign_id, 'kind', w.kind,
          'events', w.events) order by w.id) from webhooks w
        where w.campaign_id in (select campaign_id from n) and w.removed_at is null), '[]'::jsonb) as endpoints,
      ${
        preferences
          ? sql`coalesce((select jsonb_agg(jsonb_build_object('principal_id', x.principal_id,
          'muted_kinds', x.muted_kinds, 'quiet_from', x.quiet_from, 'quiet_to', x.quiet_to,
          'time_zone', x.time_zone, 'updated_at', x.updated_at)) from notice_preferences x
        where x.principal_id in (select id from p)), '[]'::jsonb)`
          : sql`'[]'::jsonb`
      } as preferences`

/** One notice on its way to one person through one channel. */
export interface DeliveryToInsert {
  readonly notification_id: string
  readonly principal_id: string
  readonly channel: "email" | "in-app"
  readonly address: string | null
  readonly status: "pending" | "sent"
  readonly next_attempt_at: Date
  readonly sent_at: Date | null
}

/** One notice on its way to one endpoint. */
export interface EndpointDelivery {
  readonly notification_id: string
  readonly webhook_id: string
  readonly channel: "webhook" | "wecom" | "dingtalk"
  readonly next_attempt_at: Date
}

/**
 * Writes a fan-out in one statement: the deliveries to people and to endpoints (one that exists
 * already is left as it is), and the notices marked fanned out at `at`.
 */
export const writeFanOut = (
  db: Sql,
  fanned: {
    readonly people: ReadonlyArray<DeliveryToInsert>
    readonly endpoints: ReadonlyArray<EndpointDelivery>
    readonly notices: ReadonlyArray<string>
    readonly at: Date
  },
) =>
  // The fan-out's transaction ends with it: its commit goes in the same round trip.
  sql`${commitsWith}
    with people as (
      insert into deliveries (notification_id, principal_id, channel, address, status, attempts, next_attempt_at,
        sent_at)
      select r.notification_id, r.principal_id, r.channel, r.address, r.status, 0, r.next_attempt_at, r.sent_at
      from jsonb_to_recordset(${JSON.stringify(fanned.people)}::jsonb) as r(notification_id bigint, principal_id text,
        channel text, address text, status text, next_attempt_at timestamptz, sent_at timestamptz)
      on conflict (notification_id, principal_id, channel) do nothing
    ), endpoints as (
      insert into deliveries (notification_id, webhook_id, channel, principal_id, address, status, attempts,
        next_attempt_at, sent_at)
      select r.notification_id, r.webhook_id, r.channel, null, null, 'pending', 0, r.next_attempt_at, null
      from jsonb_to_recordset(${JSON.stringify(fanned.endpoints)}::jsonb) as r(notification_id bigint, webhook_id bigint,
        channel text, next_attempt_at timestamptz)
      on conflict do nothing
    )
    update notifications set expanded_at = ${fanned.at} where id = any(${fanned.notices}::bigint[])`
    .execute(db)
    .then(() => undefined)

/** Email deliveries due at `now`, with their notice, locked (skipping those another worker holds). */
export const claimDueEmails = (db: Sql, now: Date, limit: number) =>
  db
    .selectFrom("deliveries as d")
    .innerJoin("notifications as n", "n.id", "d.notification_id")
    .innerJoin("principals as p", "p.id", "d.principal_id")
    .select([
      "d.id",
      "d.address",
      "d.attempts",
      "p.id as person_id",
      "n.campaign_id",
      "n.unit_key",
      "n.kind",
      "n.body",
      "n.created_at",
      "p.name as person",
    ])
    .where("d.channel", "=", "email")
    .where("d.status", "in", ["pending", "failed"])
    .where("d.next_attempt_at", "<=", now)
    .orderBy("d.next_attempt_at")
    .orderBy("d.id")
    .limit(limit)
    .forUpdate("d")
    .skipLocked()
    .execute()

/** A delivery went out. */
export const markSent = (db: Sql, id: string, at: Date) =>
  db
    .updateTable("deliveries")
    .set({ status: "sent", sent_at: at, attempts: sql`attempts + 1` })
    .where("id", "=", id)
    .execute()

/** A delivery failed: tried again at `next`, or parked. */
export const markFailed = (
  db: Sql,
  id: string,
  outcome: { readonly parked: boolean; readonly next: Date; readonly error: string },
) =>
  db
    .updateTable("deliveries")
    .set({
      status: outcome.parked ? "parked" : "failed",
      attempts: sql`attempts + 1`,
      next_attempt_at: outcome.next,
      last_error: outcome.error.slice(0, 2000),
    })
    .where("id", "=", id)
    .execute()

/** The deliveries of a campaign's notices, for the coordinator's view of who was reached. */
export const selectDeliveries = (db: Sql, campaignId: string) =>
  db
    .selectFrom("deliveries as d")
    .innerJoin("notifications as n", "n.id", "d.notification_id")
    .select([
      "d.id",
      "d.principal_id",
      "d.webhook_id",
      "d.channel",
      "d.address",
      "d.status",
      "d.attempts",
      "d.last_error",
      "d.sent_at",
      "d.notification_id",
      "n.unit_key",
      "n.kind",
      "n.body",
      "n.created_at",
    ])
    .where("n.campaign_id", "=", campaignId)
    .orderBy("d.id")
    .execute()

/** A person's in-app notices, newest first, with their notice; only unread ones when asked. */
export const selectInbox = (db: Sql, principalId: string, limit: number, unreadOnly: boolean) => {
  let q = db
    .selectFrom("deliveries as d")
    .innerJoin("notifications as n", "n.id", "d.notification_id")
    .select([
      "d.id",
      "d.read_at",
      "d.notification_id",
      "n.campaign_id",
      "n.unit_key",
      "n.kind",
      "n.body",
      "n.created_at",
    ])
    .where("d.principal_id", "=", principalId)
    .where("d.channel", "=", "in-app")
  if (unreadOnly) q = q.where("d.read_at", "is", null)
  return q.orderBy("d.id", "desc").limit(limit).execute()
}

/** How many in-app notices a person has not read. */
export const countUnread = (db: Sql, principalId: string) =>
  db
    .selectFrom("deliveries")
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .where("principal_id", "=", principalId)
    .where("channel", "=", "in-app")
    .where("read_at", "is", null)
    .executeTakeFirstOrThrow()
    .then((row) => Number(row.n))

/** Marks a person's own in-app notices read (all unread ones when `ids` is null); the number marked. */
export const markRead = (db: Sql, principalId: string, ids: ReadonlyArray<string> | null, at: Date) => {
  let q = db
    .updateTable("deliveries")
    .set({ read_at: at })
    .where("principal_id", "=", principalId)
    .where("channel", "=", "in-app")
    .where("read_at", "is", null)
  if (ids !== null) q = q.where("id", "in", ids.length === 0 ? ["0"] : [...ids])
  return q.executeTakeFirst().then((result) => Number(result.numUpdatedRows))
}

/** The units with a task in one of `statuses` (in a phase, or one task, when given), in key order. */
export const selectUnitsByTaskStatus = (
  db: Sql,
  campaignId: string,
  filter: { readonly phase: string | null; readonly task: string | null },
  statuses: ReadonlyArray<"assigned" | "acknowledged" | "returned">,
) => {
  let q = db
    .selectFrom("tasks")
    .select("unit_key")
    .distinct()
    .where("campaign_id", "=", campaignId)
    .where("status", "in", [...statuses])
  if (filter.phase !== null) q = q.where("phase_key", "=", filter.phase)
  if (filter.task !== null) q = q.where("task_key", "=", filter.task)
  return q
    .orderBy("unit_key")
    .execute()
    .then((rows) => rows.map((row) => row.unit_key))
}

/** Writes notices to the outbox by hand (a nudge): one per unit, of one kind and body. */
export const insertNotices = (
  db: Sql,
  campaignId: string,
  rows: ReadonlyArray<{ readonly unit_key: string; readonly kind: "nudge"; readonly body: unknown }>,
) =>
  rows.length === 0
    ? Promise.resolve([])
    : db
        .insertInto("notifications")
        .values(
          rows.map((row) => ({
            campaign_id: campaignId,
            unit_key: row.unit_key,
            kind: row.kind,
            body: JSON.stringify(row.body),
          })),
        )
        .returning("id")
        .execute()
        .then((ids) => ids.map((row) => String(row.id)))

/** Whether delivering notices has anything to do: notices to fan out, emails due, posts due. */
export interface NoticeWork {
  readonly unexpanded: boolean
  readonly emails: boolean
  readonly endpoints: boolean
}

/**
 * The look at notices, over the partial indexes: notifications not fanned out yet, emails and
 * posts due. Each probe takes the first in its index's order (`anyInOrder`).
 */
const noticeWorkColumns = (now: Date) => sql`
    ${anyInOrder("notifications", sql`expanded_at is null`, "id")} as unexpanded,
    ${anyInOrder("deliveries", sql`status in ('pending', 'failed') and next_attempt_at <= ${now} and channel = 'email'`, "next_attempt_at")} as emails,
    ${anyInOrder(
      "deliveries",
      sql`status in ('pending', 'failed') and next_attempt_at <= ${now} and channel in ('webhook', 'wecom', 'dingtalk')`,
      "next_attempt_at",
    )} as endpoints`

/**
 * Whether delivering notices has anything to do at `now`, in one statement. An idle worker asks
 * this instead of opening three transactions that would find nothing.
 */
export const noticeWorkDue = (db: Sql, now: Date) =>
  sql<NoticeWork>`select ${noticeWorkColumns(now)}`
    .execute(db)
    .then((result) => result.rows[0] ?? { unexpanded: true, emails: true, endpoints: true })

/** What a worker's look finds: the notices' work, the next timer, and whether a message or timer waits. */
export type WorkerLook = NoticeWork & {
  readonly next_due: Date | null
  /** a pending message is available by `now`, its machine in no worker's batch nor command's fan-in */
  readonly message_due: boolean
  /** a pending timer is due by `now`, its machine in no worker's batch nor command's fan-in */
  readonly timer_due: boolean
}

/**
 * A worker's look, in one statement over the partial indexes: whether a timer or message is due
 * at `now` whose machine no batch nor fan-in holds (it tries each such machine's locks shared,
 * `claimLockSpace` and `fanInLockSpace`, for the statement only; a message to no machine is due
 * as it stands), the next pending timer (which it sleeps until at most), and the notices' work. A
 * pass asks this before it claims, so a wake-up whose work another worker took costs one
 * statement, not a transaction that finds nothing.
 */
export const workerLook = (db: Sql, now: Date) =>
  workerLookStatement(now)
    .execute(db)
    .then(
      (result) =>
        result.rows[0] ?? {
          unexpanded: true,
          emails: true,
          endpoints: true,
          next_due: null,
          message_due: true,
          timer_due: true,
        },
    )

/**
 * The statement of `workerLook`; each probe takes the first in its index's order (`anyInOrder`),
 * and so it is prepared like any other.
 */
export const workerLookStatement = (now: Date) => {
  // A message to no machine (its unit unknown) has no lock to try, and the try of a null key is
  // null: it is due as it stands, or it would be tried only while other work is due, and in a
  // quiet hour never parked on the record.
  const unheld = sql`(machine_id is null
    or (pg_try_advisory_xact_lock_shared(${claimLockSpace}, ${machineLockKey("machine_id")})
      and pg_try_advisory_xact_lock_shared(${fanInLockSpace}, ${machineLockKey("machine_id")})))`
  return sql<WorkerLook>`select ${noticeWorkColumns(now)},
    (select min(due_at) from timers where status = 'pending') as next_due,
    ${messageDue(now, unheld)} as message_due,
    ${timerDue(now, unheld)} as timer_due`
}

/** Whether a look found a timer or a message due, that no other worker's batch holds. */
export const workDue = (look: WorkerLook) => look.message_due || look.timer_due
