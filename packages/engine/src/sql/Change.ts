/** What changing a running campaign writes besides its steps: machines, timers, messages, task rows. */
import type { TasksTable } from "@liandong/store"
import { type Insertable, sql } from "kysely"
import type { Sql } from "../Db.ts"

/**
 * Locks every machine of a campaign, in id order as workers and commands lock them, waiting
 * for each: a change sees them as they are and nothing steps them meanwhile.
 */
export const lockCampaignMachines = (db: Sql, campaignId: string) =>
  db.selectFrom("machines").selectAll().where("campaign_id", "=", campaignId).orderBy("id").forNoKeyUpdate().execute()

/** Pins the campaign's machines that go on to the new definition (all but those that left). */
export const repinMachines = (db: Sql, campaignId: string, hash: string, leaving: ReadonlyArray<string>) => {
  const all = db.updateTable("machines").set({ machine_hash: hash }).where("campaign_id", "=", campaignId)
  return (
    leaving.length === 0
      ? all
      : all.where((eb) => eb.or([eb("unit_key", "is", null), eb("unit_key", "not in", [...leaving])]))
  ).execute()
}

/** A machine's migrated snapshot, under its version guard; true when written. */
export const writeMigrated = (
  db: Sql,
  machine: { readonly id: string; readonly version: number },
  next: { readonly snapshot: unknown; readonly phase: string | null; readonly status: string; readonly at: Date },
) =>
  db
    .updateTable("machines")
    .set({
      snapshot: JSON.stringify(next.snapshot),
      version: machine.version + 1,
      phase: next.phase,
      status: next.status,
      updated_at: next.at,
    })
    .where("id", "=", machine.id)
    .where("version", "=", machine.version)
    .executeTakeFirst()
    .then((result) => Number(result.numUpdatedRows) === 1)

/** Marks the machines of units that take part in nothing any more: they stop where they are. */
export const markWithdrawn = (db: Sql, campaignId: string, units: ReadonlyArray<string>) =>
  db
    .updateTable("machines")
    .set({ status: "withdrawn" })
    .where("campaign_id", "=", campaignId)
    .where("unit_key", "in", [...units])
    .execute()

/** Cancels every pending timer of the machines. */
export const cancelMachineTimers = (db: Sql, machineIds: ReadonlyArray<string>, at: Date) =>
  db
    .updateTable("timers")
    .set({ status: "cancelled", done_at: at })
    .where("machine_id", "in", [...machineIds])
    .where("status", "=", "pending")
    .execute()

/** Cancels a machine's pending timers whose keys start with one of `prefixes`. */
export const cancelTimersLike = (db: Sql, machineId: string, prefixes: ReadonlyArray<string>, at: Date) =>
  db
    .updateTable("timers")
    .set({ status: "cancelled", done_at: at })
    .where("machine_id", "=", machineId)
    .where("status", "=", "pending")
    .where((eb) => eb.or(prefixes.map((prefix) => eb("key", "like", `${prefix.replace(/[\\%_]/g, "\\$&")}%`))))
    .execute()

/** Makes pending messages to the machines moot: nobody there takes them any more. */
export const mootMessagesTo = (db: Sql, machineIds: ReadonlyArray<string>, at: Date) =>
  db
    .updateTable("messages")
    .set({ status: "moot", done_at: at })
    .where("machine_id", "in", [...machineIds])
    .where("status", "=", "pending")
    .execute()

/** A timer to (re)schedule: its key, when, and the event it brings. */
export interface Retimed {
  readonly key: string
  readonly due_at: string
  readonly event: unknown
}

/**
 * Schedules timers of a machine anew: one under a key already used is moved to the new time
 * and pending again (a moved deadline, a reminder before the moved deadline).
 */
export const rescheduleTimers = (db: Sql, campaignId: string, machineId: string, rows: ReadonlyArray<Retimed>) =>
  sql`insert into timers (campaign_id, machine_id, key, due_at, event, status)
    select ${campaignId}, ${machineId}::bigint, r.key, r.due_at, r.event, 'pending'
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as r(key text, due_at timestamptz, event jsonb)
    on conflict (machine_id, key) do update set due_at = excluded.due_at, event = excluded.event,
      status = 'pending', attempts = 0, last_error = null, done_at = null`.execute(db)

/** Replaces a unit's task rows with those of its view: rows of tasks it no longer has go. */
export const replaceTaskRows = async (
  db: Sql,
  campaignId: string,
  unit: string,
  rows: ReadonlyArray<Insertable<TasksTable>>,
) => {
  await db.deleteFrom("tasks").where("campaign_id", "=", campaignId).where("unit_key", "=", unit).execute()
  if (rows.length > 0)
    await db
      .insertInto("tasks")
      .values([...rows])
      .execute()
}
