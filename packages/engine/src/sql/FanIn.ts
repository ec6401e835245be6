/** The campaigns' machines a command's transaction may apply its messages to (`FanIn.ts`). */
import type { MachineRow } from "@liandong/store"
import { sql } from "kysely"
import type { Sql } from "./Handle.ts"
import { fanInLockSpace, machineLockKey } from "./Queue.ts"

/** A count queued on a campaign's machine, not yet applied (`unit.phase-done`). */
export interface QueuedCount {
  readonly id: string
  readonly event: unknown
}

/** A campaign's machine locked for its fan-in, whether a timer is due on it first, and the counts queued on it. */
export type FanInMachine = MachineRow & {
  /** the definition the campaign pins */
  readonly pinned: string
  /** a pending timer of this machine is due by the messages' time or by the machine's last event */
  readonly timer_due: boolean
  /** its pending counts sent by then and never tried, oldest first, locked (at most `queuedLimit`) */
  readonly queued: ReadonlyArray<QueuedCount>
}

/** The most queued counts a fan-in takes on a machine. */
export const queuedLimit = 64

/**
 * Locks the machines of `campaignIds` that no other transaction holds (one held is left to the
 * worker: the command does not wait for it) and marks them for the workers' looks until the
 * transaction ends (`fanInLockSpace`: a claim meanwhile would find them held and take nothing),
 * saying of each whether a timer is due on it by `at` (or by the machine's last event), which
 * definition its campaign pins, and the counts queued on it by `at` (each locked, skipping one a
 * worker holds); with which of `dedupeKeys` were sent before, and `count` message ids.
 */
export const lockFanIn = async (
  db: Sql,
  campaignIds: ReadonlyArray<string>,
  at: Date,
  dedupeKeys: ReadonlyArray<string>,
  count: number,
) => {
  const { rows } = await sql<
    FanInMachine & { readonly marked: boolean; readonly sent: string[]; readonly ids: string[] }
  >`
    with locked as (
      select * from machines where campaign_id = any(${campaignIds}::text[]) and kind = 'campaign'
      for no key update skip locked
    )
    select l.*, c.definition_id::text as pinned,
      -- Marked for the workers' looks until this transaction ends (fanInLockSpace).
      pg_try_advisory_xact_lock(${fanInLockSpace}, ${machineLockKey("l.id")}) as marked,
      exists (select 1 from timers t where t.machine_id = l.id and t.status = 'pending'
        and t.due_at <= greatest(${at}::timestamptz, l.updated_at)) as timer_due,
      (select coalesce(jsonb_agg(jsonb_build_object('id', q.id::text, 'event', q.event) order by q.available_at, q.id), '[]')
        from (select id, event, available_at from messages
          where machine_id = l.id and status = 'pending' and kind = 'event' and attempts = 0
            and available_at <= ${at}::timestamptz and event->>'type' = 'unit.phase-done'
          order by available_at, id limit ${queuedLimit}
          for no key update skip locked) q) as queued,
      array(select s.dedupe_key from messages s where s.dedupe_key = any(${dedupeKeys}::text[])) as sent,
      array(select nextval('messages_id_seq')::text from generate_series(1, ${count}::int)) as ids
    from locked l join campaigns c on c.id = l.campaign_id`.execute(db)
  const first = rows[0]
  const machines: FanInMachine[] = rows.map(({ marked: _, sent: __, ids: ___, ...machine }) => machine)
  return { machines, sent: new Set(first?.sent ?? []), ids: first?.ids ?? [] }
}
