/**
 * Turns the effects a pure transition asked for into rows, in the same
 * transaction as the snapshot: timers, messages to other machines, jobs for
 * the worker, notifications. Nothing is executed here; the worker picks the
 * rows up.
 */
import type { FollowUp } from "@liandong/workflow"
import { type RawBuilder, sql } from "kysely"

/** The channel workers LISTEN on; the payload is the campaign id. */
export const workChannel = "liandong_work"

/** One part of a step's statement: a named data-modifying CTE. */
export interface Write {
  readonly name: string
  readonly query: RawBuilder<unknown>
}

/**
 * The writes of one step's follow-ups, as parts of the step's one statement (Step.ts): new
 * timers, cancelled ones, messages to other machines (the `sent` part returns their machine
 * ids), the summary job and notifications; and the workers' wake-up when there is new work.
 * Multi-row parts take their rows as one JSON parameter, whatever their number.
 */
export const followUpWrites = (
  context: { campaignId: string; machineId: string; at: Date },
  effects: ReadonlyArray<FollowUp>,
): Write[] => {
  const writes: Write[] = []
  const { campaignId, machineId, at } = context
  const schedules = effects.filter((e) => e.type === "schedule")
  const cancels = effects.filter((e) => e.type === "cancel")
  const sends = effects.filter((e) => e.type === "send")
  const notices = effects.filter((e) => e.type === "notify")
  const summarize = effects.some((e) => e.type === "summarize")
  if (schedules.length > 0) {
    const rows = schedules.map((s) => ({
      key: s.key,
      due_at: s.at,
      event: { ...s.event, at: new Date(s.at).toISOString() },
    }))
    writes.push({
      name: "scheduled",
      query: sql`insert into timers (campaign_id, machine_id, key, due_at, event, status)
        select ${campaignId}, ${machineId}::bigint, r.key, r.due_at, r.event, 'pending'
        from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as r(key text, due_at timestamptz, event jsonb)
        on conflict (machine_id, key) do nothing`,
    })
  }
  if (cancels.length > 0)
    // Skip timers a worker holds right now: it will find the event no longer accepted and mark it moot.
    writes.push({
      name: "cancelled",
      query: sql`update timers set status = 'cancelled', done_at = ${at}
        where id in (select id from timers
          where machine_id = ${machineId}::bigint and status = 'pending'
            and key = any(${cancels.map((c) => c.key)}::text[])
          for update skip locked)`,
    })
  if (sends.length > 0) {
    // In the order sent (ids follow it); a unit without a machine gets a message for no machine, parked by the worker.
    const rows = sends.map((s, n) => ({
      n,
      unit: "unit" in s.to ? s.to.unit : null,
      dedupe_key: `${campaignId}:${s.dedupe}`,
      event: { ...s.event, at: at.toISOString() },
    }))
    writes.push({
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
  }
  if (summarize)
    writes.push({
      name: "summarized",
      query: sql`insert into messages (campaign_id, machine_id, kind, dedupe_key, event, status, available_at)
        values (${campaignId}, ${machineId}::bigint, 'summary', ${`${campaignId}:summary`},
          ${JSON.stringify({ type: "summary.write", at: at.toISOString() })}::jsonb, 'pending', ${at})
        on conflict (dedupe_key) do nothing`,
    })
  if (notices.length > 0) {
    const rows = notices.map((n) => ({
      unit_key: n.unit,
      kind: n.kind,
      body: { task: n.task ?? null, phase: n.phase ?? null, at: at.toISOString() },
    }))
    writes.push({
      name: "noticed",
      query: sql`insert into notifications (campaign_id, unit_key, kind, body)
        select ${campaignId}, r.unit_key, r.kind, r.body
        from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as r(unit_key text, kind text, body jsonb)`,
    })
  }
  // Delivered at commit, once per transaction however many steps asked.
  if (schedules.length > 0 || sends.length > 0 || summarize)
    writes.push({ name: "woke", query: sql`select pg_notify(${workChannel}, ${campaignId})` })
  return writes
}
