/**
 * What must hold after any chaos: nothing left behind, nothing applied twice, every machine's
 * events in order and each one counted in its version, every accepted command applied exactly
 * once, and the audit chain verifying. Each check collects what it found wrong, so a failure
 * names the rows.
 */
import type { Store } from "@liandong/store"
import { canonicalJson } from "@liandong/workflow"
import { expect } from "vitest"
import { liandong } from "../cli.ts"
import type { Answer } from "./steps.ts"

type Db = Store["db"]

/**
 * Every timer and message of the campaign is accounted for: applied with exactly one journal
 * row (a summary message, with its summary), parked dead (only if listed) with the one row
 * that says so, or moot or cancelled with none; none that was due
 * by `asOf` (the workers' clock, default now) left pending — no timer fires twice or never.
 */
export const expectEveryItemOnce = async (
  db: Db,
  campaign: string,
  /** `deadAllowed`: items expected dead, as `timer:<id>` or `message:<id>` */
  options: { readonly asOf?: Date; readonly deadAllowed?: ReadonlyArray<string> } = {},
) => {
  const asOf = (options.asOf ?? new Date()).getTime()
  const deadAllowed = options.deadAllowed ?? []
  const caused = new Map<string, number>()
  const rows = await db
    .selectFrom("journal")
    .select("cause")
    .where("campaign_id", "=", campaign)
    .where((eb) => eb.or([eb("cause", "like", "timer:%"), eb("cause", "like", "message:%")]))
    .execute()
  for (const row of rows) caused.set(row.cause, (caused.get(row.cause) ?? 0) + 1)
  const problems: string[] = []
  for (const table of ["timers", "messages"] as const) {
    const items = await db
      .selectFrom(table)
      .select(["id", "status", "last_error", table === "timers" ? "due_at as due" : "available_at as due"])
      .where("campaign_id", "=", campaign)
      .execute()
    const summaries = new Set(
      table === "messages"
        ? (
            await db
              .selectFrom("messages")
              .select("id")
              .where("campaign_id", "=", campaign)
              .where("kind", "=", "summary")
              .execute()
          ).map((m) => String(m.id))
        : [],
    )
    for (const item of items) {
      const name = `${table === "timers" ? "timer" : "message"}:${item.id}`
      const journaled = caused.get(name) ?? 0
      // Applied: its event's row; parked dead: the row that says so; moot or cancelled: none.
      const expected = (item.status === "done" && !summaries.has(String(item.id))) || item.status === "dead" ? 1 : 0
      if (item.status === "pending") {
        if (new Date(item.due).getTime() <= asOf) problems.push(`${name} is still pending`)
      } else if (item.status === "dead" && !deadAllowed.includes(name))
        problems.push(`${name} was parked dead: ${item.last_error}`)
      else if (journaled !== expected) problems.push(`${name} is ${item.status} with ${journaled} journal rows`)
    }
  }
  expect(problems).toEqual([])
}

const machineEvent = (row: { cause: string; event: string }) =>
  row.cause !== "deploy" && row.event !== "access.denied" && row.event !== "queue.dead"

/** A campaign's machine events in journal order. */
const machineEvents = async (db: Db, campaign: string) =>
  (
    await db
      .selectFrom("journal")
      .select(["seq", "machine_id", "cause", "event", "state_before", "state_after", "occurred_at"])
      .where("campaign_id", "=", campaign)
      .orderBy("seq")
      .execute()
  ).filter(machineEvent)

/** Calls `check` with each machine event and the machine's event before it. */
const pairs = <R extends { machine_id: string }>(rows: ReadonlyArray<R>, check: (previous: R, row: R) => void) => {
  const last = new Map<string, R>()
  for (const row of rows) {
    const previous = last.get(String(row.machine_id))
    if (previous !== undefined) check(previous, row)
    last.set(String(row.machine_id), row)
  }
}

/**
 * Per machine: each journal row starts in the state the previous one ended in (no lost or
 * doubled transition), and the stored version counts exactly the events applied (the
 * deployment is version 1).
 */
export const expectMachinesConsistent = async (db: Db, campaign: string) => {
  const rows = await machineEvents(db, campaign)
  const problems: string[] = []
  pairs(rows, (previous, row) => {
    if (canonicalJson(previous.state_after) !== canonicalJson(row.state_before))
      problems.push(`row ${row.seq} (${row.event}) starts where row ${previous.seq} did not end`)
  })
  const applied = new Map<string, number>()
  for (const row of rows) applied.set(String(row.machine_id), (applied.get(String(row.machine_id)) ?? 0) + 1)
  const machines = await db
    .selectFrom("machines")
    .select(["id", "unit_key", "version"])
    .where("campaign_id", "=", campaign)
    .execute()
  for (const m of machines) {
    const events = applied.get(String(m.id)) ?? 0
    if (m.version !== 1 + events)
      problems.push(`machine ${m.unit_key ?? "campaign"} is at version ${m.version} after ${events} journaled events`)
  }
  expect(problems).toEqual([])
}

/** Per machine, campaign time never goes back: each event happens no earlier than the one before. */
export const expectMachinesInTimeOrder = async (db: Db, campaign: string) => {
  const problems: string[] = []
  pairs(await machineEvents(db, campaign), (previous, row) => {
    if (new Date(row.occurred_at).getTime() < new Date(previous.occurred_at).getTime())
      problems.push(
        `row ${row.seq} (${row.event} at ${new Date(row.occurred_at).toISOString()}) goes back in time from row ${previous.seq} (${previous.event} at ${new Date(previous.occurred_at).toISOString()})`,
      )
  })
  expect(problems).toEqual([])
}

/**
 * No timer fired early: each one applied took effect at its due time or later, by the
 * campaign clock (`occurred_at`) and by the database's own clock when it was recorded
 * (`recorded_at`) — for campaigns on the real clock, where the two are the same time.
 */
export const expectNoTimerEarly = async (db: Db, campaign: string) => {
  const due = new Map(
    (await db.selectFrom("timers").select(["id", "due_at"]).where("campaign_id", "=", campaign).execute()).map((t) => [
      `timer:${t.id}`,
      new Date(t.due_at).getTime(),
    ]),
  )
  const rows = await db
    .selectFrom("journal")
    .select(["seq", "cause", "event", "occurred_at", "recorded_at"])
    .where("campaign_id", "=", campaign)
    .where("cause", "like", "timer:%")
    .where("event", "<>", "queue.dead")
    .execute()
  const early = rows.filter((row) => {
    const at = due.get(row.cause) ?? Number.POSITIVE_INFINITY
    return new Date(row.occurred_at).getTime() < at || new Date(row.recorded_at).getTime() < at
  })
  expect(early).toEqual([])
  expect(rows.length).toBeGreaterThan(0)
}

const commandEvents = { ack: "task.acknowledge", report: "task.submit", approve: "task.approve", return: "task.return" }

/**
 * Every command answered as accepted left exactly one journal row (of its kind, by its
 * principal, on its unit and task, with its key) and, for a report, one report row; every
 * answer for the same key names that same row (a replay answers with the first result, even
 * when the first answer was lost on the way); nothing else was journaled as a unit command.
 */
export const expectAcceptedOnce = async (db: Db, campaign: string, answers: ReadonlyArray<Answer>) => {
  const rows = await db
    .selectFrom("journal")
    .select(["seq", "actor", "cause", "event", "unit_key", "idempotency_key", "payload"])
    .where("campaign_id", "=", campaign)
    .where("cause", "=", "command")
    .where("event", "like", "task.%")
    .execute()
  const bySeq = new Map(rows.map((row) => [row.seq, row]))
  const problems: string[] = []
  // One command: the answers for one key of one principal, or one unkeyed answer.
  const commands = new Map<string, Answer[]>()
  for (const answer of answers) {
    if (!answer.ok) continue
    const command =
      answer.step.key === undefined ? `${answer.id}#${answer.copy}` : `${answer.step.principal}:${answer.step.key}`
    commands.set(command, [...(commands.get(command) ?? []), answer])
  }
  const claimed = new Map<number, string>()
  for (const [command, said] of commands) {
    const seqs = new Set(said.map((a) => (a.ok ? Number(a.value.journal) : 0)))
    const fresh = said.filter((a) => a.ok && !a.value.replayed)
    if (seqs.size !== 1) problems.push(`${command} was answered with rows ${[...seqs].join(", ")}`)
    if (fresh.length > 1) problems.push(`${command} took effect ${fresh.length} times`)
    const first = said[0] as Answer
    const seq = [...seqs][0] as number
    if (claimed.has(seq)) problems.push(`${command} and ${claimed.get(seq)} were both answered with row ${seq}`)
    claimed.set(seq, command)
    const row = bySeq.get(seq)
    const [, unit, task] = first.step.ref.split("/")
    if (row === undefined) {
      problems.push(`${command} was accepted as row ${seq}, which is not a unit command`)
      continue
    }
    const payload = row.payload as { task?: string }
    if (
      row.event !== commandEvents[first.step.command] ||
      row.actor !== first.step.principal ||
      row.unit_key !== unit ||
      payload.task !== task ||
      row.idempotency_key !== (first.step.key ?? null)
    )
      problems.push(`${command} was accepted as row ${seq}, which records ${row.event} by ${row.actor} on ${unit}`)
  }
  if (rows.length !== commands.size) problems.push(`${rows.length} unit commands journaled, ${commands.size} accepted`)
  const reports = await db.selectFrom("reports").select("id").where("campaign_id", "=", campaign).execute()
  const acceptedReports = [...commands.values()].filter((said) => said[0]?.step.command === "report")
  if (reports.length !== acceptedReports.length)
    problems.push(`${reports.length} report rows stored, ${acceptedReports.length} reports accepted`)
  expect(problems).toEqual([])
}

/** `liandong audit verify`: the chain, the checkpoints and the replay of every machine. */
export const expectAuditVerifies = async (env: Record<string, string>, campaign: string) => {
  const verified = await liandong(["audit", "verify", campaign, "--json"], env)
  expect(verified.code, verified.stdout + verified.stderr).toBe(0)
  expect(JSON.parse(verified.stdout)).toMatchObject({ ok: true, findings: [] })
}
