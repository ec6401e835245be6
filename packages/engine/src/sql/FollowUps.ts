/**
 * The parts a step's follow-ups add to its one statement (`writeStep` in machines.ts):
 * timers scheduled and cancelled, messages to other machines, the summary job,
 * notifications, and the workers' wake-up. Multi-row parts take their rows as one JSON
 * parameter, whatever their number.
 */
import { sql } from "kysely"
import type { StepPart } from "./Machines.ts"

/** A timer to schedule: fires `event` at `due_at`; `key` is unique per machine. */
export interface TimerToSchedule {
  readonly key: string
  readonly due_at: string
  readonly event: unknown
}

/** Schedules timers on a machine; one already scheduled under its key is kept. */
export const scheduleTimers = (
  campaignId: string,
  machineId: string,
  rows: ReadonlyArray<TimerToSchedule>,
): StepPart => ({
  name: "scheduled",
  query: sql`insert into timers (campaign_id, machine_id, key, due_at, event, status)
    select ${campaignId}, ${machineId}::bigint, r.key, r.due_at, r.event, 'pending'
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as r(key text, due_at timestamptz, event jsonb)
    on conflict (machine_id, key) do nothing`,
})

/**
 * Cancels a machine's pending timers under `keys`, skipping those a worker holds right now:
 * it will find the event no longer accepted and mark it moot.
 */
export const cancelTimers = (machineId: string, keys: ReadonlyArray<string>, at: Date): StepPart => ({
  name: "cancelled",
  query: sql`update timers set status = 'cancelled', done_at = ${at}
    where id in (select id from timers
      where machine_id = ${machineId}::bigint and status = 'pending'
        and key = any(${keys}::text[])
      for update skip locked)`,
})

/** A message to send: to a unit's machine, or the campaign's when `unit` is null; `n` keeps the order sent. */
export interface MessageToSend {
  readonly n: number
  readonly unit: string | null
  readonly dedupe_key: string
  readonly event: unknown
}

/**
 * Sends messages to the campaign's machines, in the order sent (ids follow it); one already
 * sent under its dedupe key is not sent again, and a unit without a machine gets a message
 * for no machine (the worker parks it). The part returns the machine ids sent to.
 */
export const sendMessages = (campaignId: string, rows: ReadonlyArray<MessageToSend>, at: Date): StepPart => ({
  name: "sent",
  query: sql`insert into messages (campaign_id, machine_id, kind, dedupe_key, event, status, available_at)
    select ${campaignId},
      case when r.unit is null
        then (select id from machines where campaign_id = ${campaignId} and kind = 'campaign')
        else (select id from machines where campaign_id = ${campaignId} and kind = 'unit' and unit_key = r.unit)
      end,
      'event', r.dedupe_key, r.event, 'pending', ${at}
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as r(n integer, unit text, dedupe_key text, event jsonb)
    order by r.n
    on conflict (dedupe_key) do nothing
    returning machine_id`,
})

/** Queues the job that writes the campaign's summary, once per campaign. */
export const queueSummary = (campaignId: string, machineId: string, at: Date): StepPart => ({
  name: "summarized",
  query: sql`insert into messages (campaign_id, machine_id, kind, dedupe_key, event, status, available_at)
    values (${campaignId}, ${machineId}::bigint, 'summary', ${`${campaignId}:summary`},
      ${JSON.stringify({ type: "summary.write", at: at.toISOString() })}::jsonb, 'pending', ${at})
    on conflict (dedupe_key) do nothing`,
})

/** A notification for a unit. */
export interface NoticeToSend {
  readonly unit_key: string
  readonly kind: string
  readonly body: unknown
}

/** Writes notifications to the outbox. */
export const notify = (campaignId: string, rows: ReadonlyArray<NoticeToSend>): StepPart => ({
  name: "noticed",
  query: sql`insert into notifications (campaign_id, unit_key, kind, body)
    select ${campaignId}, r.unit_key, r.kind, r.body
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as r(unit_key text, kind text, body jsonb)`,
})

/** Wakes the workers listening on `channel` (delivered at commit, once however many asked). */
export const wakeWorkers = (channel: string, campaignId: string): StepPart => ({
  name: "woke",
  query: sql`select pg_notify(${channel}, ${campaignId})`,
})
