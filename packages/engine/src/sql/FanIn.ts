/** The campaigns' machines a command's transaction may apply its messages to (`FanIn.ts`). */
import type { MachineRow } from "@liandong/store"
import { sql } from "kysely"
import type { Sql } from "./Handle.ts"
import { fanInLockSpace, machineLockKey } from "./LockSpaces.ts"

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

/** What a fan-in asks of the campaigns' machines: see `lockFanIn`. */
export interface FanInAsked {
  readonly campaignIds: ReadonlyArray<string>
  readonly at: Date
  readonly dedupeKeys: ReadonlyArray<string>
  readonly count: number
}

/** What a fan-in's lock found: the machines it holds, which keys were sent before, and message ids. */
export interface FanInLocked {
  /** the machines locked and fresh: a stale one is locked, but counts nothing (`fanInParts`) */
  readonly machines: ReadonlyArray<FanInMachine>
  /** the campaigns whose machine was locked but changed after the statement began */
  readonly stale: ReadonlyArray<string>
  readonly sent: ReadonlySet<string>
  readonly ids: ReadonlyArray<string>
}

/**
 * The fan-in's CTEs: `fan_in_locked`, the machines locked, and `fan_in`, a row for each with
 * what `lockFanIn` says of it — and `fresh`, whether the row is the one the statement's snapshot
 * saw (false when a transaction that stepped it committed after the statement began: its
 * timers and counts may then be missing from the snapshot).
 */
export const fanInParts = (asked: FanInAsked, after?: string) => sql`fan_in_locked as materialized (
      select *, xmin::text as locked_xmin from machines
      where campaign_id = any(${asked.campaignIds}::text[]) and kind = 'campaign'
        -- Only once the CTE \`after\` has run to its end (its machines locked): holding a campaign's
        -- machine, the statement never waits for another lock.
        ${after === undefined ? sql`` : sql`and (select count(*) from ${sql.raw(after)}) >= 0`}
      for no key update skip locked
    ), fan_in as materialized (
      select l.*, c.definition_id::text as pinned,
        -- Marked for the workers' looks until this transaction ends (fanInLockSpace).
        pg_try_advisory_xact_lock(${fanInLockSpace}, ${machineLockKey("l.id")}) as marked,
        (select m.xmin::text from machines m where m.id = l.id) = l.locked_xmin as fresh,
        exists (select 1 from timers t where t.machine_id = l.id and t.status = 'pending'
          and t.due_at <= greatest(${asked.at}::timestamptz, l.updated_at)) as timer_due,
        (select coalesce(jsonb_agg(jsonb_build_object('id', q.id::text, 'event', q.event) order by q.available_at, q.id), '[]')
          from (select id, event, available_at from messages
            where machine_id = l.id and status = 'pending' and kind = 'event' and attempts = 0
              and available_at <= ${asked.at}::timestamptz and event->>'type' = 'unit.phase-done'
            order by available_at, id limit ${queuedLimit}
            for no key update skip locked) q) as queued,
        array(select s.dedupe_key from messages s where s.dedupe_key = any(${asked.dedupeKeys}::text[])) as sent,
        array(select nextval('messages_id_seq')::text from generate_series(1, ${asked.count}::int)) as ids
      from fan_in_locked l join campaigns c on c.id = l.campaign_id
    )`

/** `fan_in`'s rows as one JSON value, for a statement that selects it beside its own rows (`fanInOfJson`). */
export const fanInJson = sql`jsonb_build_object(
      'machines', coalesce((select jsonb_agg(to_jsonb(f) - 'marked' - 'sent' - 'ids' - 'locked_xmin'
        || jsonb_build_object('id', f.id::text)) from fan_in f), '[]'),
      'sent', coalesce((select to_jsonb(f.sent) from fan_in f limit 1), '[]'),
      'ids', coalesce((select to_jsonb(f.ids) from fan_in f limit 1), '[]'))`

/** `fanInJson` read back: the fresh machines' rows as the driver reads them (a timestamp a `Date`). */
export const fanInOfJson = (value: unknown): FanInLocked => {
  const { machines, sent, ids } = value as {
    machines: Array<FanInMachine & { updated_at: string; fresh: boolean }>
    sent: string[]
    ids: string[]
  }
  return {
    machines: machines
      .filter((machine) => machine.fresh)
      .map(({ fresh: _, ...machine }) => ({ ...machine, updated_at: new Date(machine.updated_at) })),
    stale: machines.filter((machine) => !machine.fresh).map((machine) => machine.campaign_id),
    sent: new Set(sent),
    ids,
  }
}

/**
 * Locks the machines of `campaignIds` that no other transaction holds (one held is left to the
 * worker: the command does not wait for it) and marks them for the workers' looks until the
 * transaction ends (`fanInLockSpace`: a claim meanwhile would find them held and take nothing),
 * saying of each whether a timer is due on it by `at` (or by the machine's last event), which
 * definition its campaign pins, and the counts queued on it by `at` (each locked, skipping one a
 * worker holds); with which of `dedupeKeys` were sent before, and `count` message ids. A machine
 * that changed after the statement began is left out, as one held is. A batch of commands that
 * may count asks the same in its machines' lock (`lockMachinesWithDue`).
 */
export const lockFanIn = async (db: Sql, asked: FanInAsked): Promise<FanInLocked> => {
  const { rows } = await sql<{ fan_in: unknown }>`with ${fanInParts(asked)} select ${fanInJson} as fan_in`.execute(db)
  return fanInOfJson(rows[0]?.fan_in)
}
